/**
 * n8n glue shared by every node: the store credential → a StoreConfig, borrowing the process-wide
 * store, and the per-item loop (errors named by field, continueOnFail, pairedItem).
 */
import {
	NodeApiError,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INode,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { mapLimit } from '../../lib/domain/concurrency';
import { BrandInfinityError } from '../../lib/domain/errors';
import { ProviderError } from '../../lib/providers/types';
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
 * Where each result goes on a node with several outputs. `errorOutput` is where a failed item goes
 * under "On Error: Continue (regular output)": never an output that means success (the Judge's
 * Pass), since the next node would take a failed item for a good one.
 */
export interface Routing {
	outputs: number;
	route: (json: IDataObject) => number;
	errorOutput: number;
}

const ONE_OUTPUT: Routing = { outputs: 1, route: () => 0, errorOutput: 0 };

/**
 * Runs `handler` once per input item with a borrowed store; `routing` sends each result to one of
 * several outputs. A failure of one item becomes an error item (on `routing.errorOutput`) under
 * "Continue On Fail", otherwise a NodeOperationError that names the field at fault (NodeApiError
 * for a provider's HTTP failure). `concurrency` > 1 runs that many items at once (outputs stay in
 * item order); without Continue On Fail, no item starts after a failure, the running ones finish,
 * and the first failure is thrown.
 */
export async function executePerItem(
	ctx: IExecuteFunctions,
	handler: ItemHandler,
	routing: Routing = ONE_OUTPUT,
	options: { concurrency?: number } = {},
): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: routing.outputs }, () => []);
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
			if (!r.ok) outputs[routing.errorOutput].push({ json: errorJson(r.err), pairedItem: { item: i } });
			else for (const json of r.jsons) outputs[routing.route(json)].push({ json, pairedItem: { item: i } });
		});
	} finally {
		release();
	}
	return outputs;
}

/**
 * The handler of `operation`, or a clear error when the node has none (a workflow from another
 * version, or a typo in JSON): never a TypeError from calling `undefined`.
 */
export function handlerFor<T>(node: INode, handlers: Record<string, T>, operation: string, itemIndex?: number): T {
	if (!Object.prototype.hasOwnProperty.call(handlers, operation)) throw unsupportedOperation(node, operation, Object.keys(handlers), itemIndex);
	return handlers[operation];
}

/** The item's operation, checked against the ones the node implements. */
export function operationOf(ctx: IExecuteFunctions, itemIndex: number, supported: readonly string[]): string {
	const operation = ctx.getNodeParameter('operation', itemIndex) as string;
	if (!supported.includes(operation)) throw unsupportedOperation(ctx.getNode(), operation, supported, itemIndex);
	return operation;
}

/** The error for an operation value the node does not know. */
export function unsupportedOperation(node: INode, operation: string, supported: readonly string[], itemIndex?: number): NodeOperationError {
	return new NodeOperationError(node, `The operation "${operation}" is not supported`, {
		itemIndex,
		description: `${node.name} supports: ${supported.join(', ')}. Pick one under Operation.`,
	});
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
	if (err instanceof ProviderError) {
		return { error: err.message, details: { provider: err.provider, status: err.status, outcome_known: err.outcomeKnown } };
	}
	if (err instanceof BrandInfinityError) {
		return {
			error: err.message,
			details: { code: err.code, field: err.field ?? null, hint: err.hint ?? null, detail: err.detail as IDataObject },
		};
	}
	return { error: describe(err) };
}

export function toNodeError(ctx: IExecuteFunctions, err: unknown, itemIndex: number): NodeOperationError | NodeApiError {
	return nodeErrorFor(ctx.getNode(), err, itemIndex);
}

/**
 * The n8n error for a failure of `node`: NodeApiError (with the vendor's HTTP status and message)
 * for a provider call, NodeOperationError for everything else. Only the provider, status and the
 * message lib/ already redacted go into the error: never the request, its headers or the raw body.
 */
export function nodeErrorFor(node: INode, err: unknown, itemIndex: number): NodeOperationError | NodeApiError {
	if (err instanceof NodeOperationError || err instanceof NodeApiError) return err;
	if (err instanceof ProviderError) {
		const response: JsonObject = { message: err.message, provider: err.provider, status: err.status };
		const apiError = new NodeApiError(node, response, {
			message: err.message,
			httpCode: err.status === null ? undefined : String(err.status),
			itemIndex,
			description: providerHint(err),
		});
		// NodeApiError swaps a message naming a socket code (ECONNRESET…) for a generic sentence;
		// the provider's own words say more (which vendor, whether the request may have run).
		apiError.message = err.message;
		return apiError;
	}
	if (err instanceof BrandInfinityError) {
		const where = err.field ? `Field "${err.field}": ` : '';
		return new NodeOperationError(node, `${where}${err.message}`, {
			itemIndex,
			description: [err.code, err.hint].filter(Boolean).join(' — '),
		});
	}
	return new NodeOperationError(node, describe(err), { itemIndex });
}

function providerHint(err: ProviderError): string {
	const status = err.status === null ? 'no HTTP status' : `HTTP ${err.status}`;
	const retry = err.retryAfterSeconds ? `; it asks to retry after ${err.retryAfterSeconds} s` : '';
	const outcome = err.outcomeKnown
		? 'The provider did not do (or charge) the work, so retrying is safe.'
		: 'The outcome is unknown: check at the provider before retrying (a retry may pay twice).';
	return `${err.provider} answered with ${status}${retry}. ${outcome}`;
}
