/**
 * n8n glue shared by every node: the store credential → a StoreConfig, borrowing the process-wide
 * store, and the per-item loop (errors named by field, continueOnFail, pairedItem).
 */
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
} from 'n8n-workflow';

import { mapLimit } from '../../lib/domain/concurrency';
import { BrandInfinityError } from '../../lib/domain/errors';
import { borrowStore, checkStore, defaultEmbeddedDataDir, type Store, type StoreConfig } from '../../lib/store';

export const STORE_CREDENTIAL = 'brandInfinityStoreApi';

/** Maps the "Brand Infinity Store" credential to a store configuration. */
export function storeConfigFromCredential(c: ICredentialDataDecryptedObject): StoreConfig {
	const backend = (c.backend as string) || 'embedded';
	if (backend === 'postgres') {
		return {
			backend,
			connectionString: String(c.connectionString ?? ''),
			ssl: (c.ssl as 'disable' | 'require' | 'no-verify') || 'disable',
			applyMigrations: c.applyMigrations !== false,
		};
	}
	if (backend === 'supabase') {
		return { backend, url: String(c.url ?? '').replace(/\/+$/, ''), serviceRoleKey: String(c.serviceRoleKey ?? '') };
	}
	const dataDir = String(c.dataDir ?? '').trim();
	// N8N_USER_FOLDER is where n8n keeps its own data (not a secret): the store sits beside it.
	return { backend: 'embedded', dataDir: dataDir || defaultEmbeddedDataDir(process.env.N8N_USER_FOLDER || undefined) };
}

/** The credential's "Test" button: connects and checks that every migration is applied. */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const { ok, message } = await checkStore(storeConfigFromCredential(credential.data ?? {}));
		return { status: ok ? 'OK' : 'Error', message };
	} catch (err) {
		return { status: 'Error', message: err instanceof Error ? err.message : String(err) };
	}
}

export type ItemHandler = (store: Store, itemIndex: number) => Promise<IDataObject | IDataObject[]>;

/**
 * Runs `handler` once per input item with a borrowed store; `routing` sends each result to one of
 * several outputs. A failure of one item becomes an error item (first output) under "Continue On
 * Fail", otherwise a NodeOperationError that names the field at fault. `concurrency` > 1 runs that
 * many items at once (outputs stay in item order); without Continue On Fail, no item starts after
 * a failure, the running ones finish, and the first failure is thrown.
 */
export async function executePerItem(
	ctx: IExecuteFunctions,
	handler: ItemHandler,
	routing: { outputs: number; route: (json: IDataObject) => number } = { outputs: 1, route: () => 0 },
	options: { concurrency?: number } = {},
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: routing.outputs }, () => []);
	const out = outputs[0];
	const credential = await ctx.getCredentials(STORE_CREDENTIAL);
	const { store, release } = await borrowStore(storeConfigFromCredential(credential)).catch((err: unknown) => {
		throw new NodeOperationError(ctx.getNode(), describe(err), { description: 'Check the Brand Infinity Store credential.' });
	});
	try {
		const results = await mapLimit(items, options.concurrency ?? 1, async (_, i) => {
			try {
				const result = await handler(store, i);
				return { ok: true as const, jsons: Array.isArray(result) ? result : [result] };
			} catch (err) {
				if (ctx.continueOnFail()) return { ok: false as const, err };
				throw toNodeError(ctx, err, i);
			}
		});
		results.forEach((r, i) => {
			if (!r.ok) out.push({ json: errorJson(r.err), pairedItem: { item: i } });
			else for (const json of r.jsons) outputs[routing.route(json)].push({ json, pairedItem: { item: i } });
		});
	} finally {
		release();
	}
	return outputs;
}

function describe(err: unknown): string {
	return err instanceof Error ? err.message : String(err);
}

/**
 * The item a failed item becomes under "Continue On Fail". Only the keys `error` and `details`:
 * n8n routes an item to the error output ("Continue (using error output)") only when its JSON has
 * no other keys, and replaces the JSON of items that carry an `error` object.
 */
export function errorJson(err: unknown): IDataObject {
	if (err instanceof BrandInfinityError) {
		return {
			error: err.message,
			details: { code: err.code, field: err.field ?? null, hint: err.hint ?? null, detail: err.detail as IDataObject },
		};
	}
	return { error: describe(err) };
}

export function toNodeError(ctx: IExecuteFunctions, err: unknown, itemIndex: number): NodeOperationError {
	if (err instanceof NodeOperationError) return err;
	if (err instanceof BrandInfinityError) {
		const where = err.field ? `Field "${err.field}": ` : '';
		return new NodeOperationError(ctx.getNode(), `${where}${err.message}`, {
			itemIndex,
			description: [err.code, err.hint].filter(Boolean).join(' — '),
		});
	}
	return new NodeOperationError(ctx.getNode(), describe(err), { itemIndex });
}
