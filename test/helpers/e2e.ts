/**
 * Shared set-up of the real-n8n e2e tests: build and pack the package, seed the embedded store,
 * install the tarball as a community package, import and publish templates, start n8n.
 * The store has one owner at a time: seed before start(), read after stop().
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

import { EmbeddedTransport } from '../../lib/store/embedded';
import { PostgresTransport, Store } from '../../lib/store';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { N8nHarness } = require('../../scripts/n8n-harness');

export const ROOT = join(__dirname, '..', '..');

export interface E2eWorld {
	work: string;
	dataDir: string;
	harness: InstanceType<typeof N8nHarness>;
	/** The Brand Infinity Approvals credential (id bi-approvals) the templates sign their links with. */
	approvals: { secret: string; publicUrl: string };
	/** The store as the tests see it (embedded: only while n8n is stopped). */
	withStore<T>(fn: (store: Store, sql: EmbeddedTransport['session']) => Promise<T>): Promise<T>;
	/** Starts n8n with the templates imported and published (ids in `publish`). */
	start(templates: string[], publish: string[]): Promise<void>;
	close(): Promise<void>;
}

export interface TemplateNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, unknown>;
}

/**
 * A copy of workflows/<file> in `dir` after `edit` changed its nodes (what a user changes in the
 * editor before activating): the path to import.
 */
export function editedTemplate(file: string, dir: string, edit: (nodes: TemplateNode[]) => void): string {
	const wf = JSON.parse(readFileSync(join(ROOT, 'workflows', file), 'utf8')) as { nodes: TemplateNode[] };
	edit(wf.nodes);
	const out = join(dir, file);
	writeFileSync(out, JSON.stringify(wf));
	return out;
}

export interface E2eOptions {
	/** A Postgres store (queue mode: every n8n process connects) instead of the embedded one. */
	postgresStore?: string;
	/** Extra n8n environment (queue mode, its database, Redis). */
	env?: Record<string, string>;
	/** Where the approvals credential posts new links (a test's loopback inbox). */
	approvalsNotifyUrl?: string;
}

/** `npm run build && npm pack` of this checkout, the tarball written into `dest`: its path. */
export function buildAndPack(dest: string): string {
	// .npmrc sets ignore-scripts (see there), so `npm pack` runs no prepack: build explicitly.
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	execFileSync('npm', ['pack', '--pack-destination', dest, '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(dest).find((f) => f.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack wrote no .tgz into ${dest}`);
	return join(dest, tarball);
}

export async function e2eWorld(name: string, opts: E2eOptions = {}): Promise<E2eWorld> {
	const work = mkdtempSync(join(tmpdir(), `bi-e2e-${name}-`));
	const dataDir = join(work, 'store');
	const tarball = buildAndPack(work);
	const harness = await N8nHarness.create({ userFolder: join(work, 'n8n'), env: opts.env });
	await harness.installPackage(tarball);
	const storeData = opts.postgresStore ? { backend: 'postgres', connectionString: opts.postgresStore, ssl: 'disable' } : { backend: 'embedded', dataDir };
	const approvals = { secret: randomBytes(48).toString('base64'), publicUrl: `${harness.editorUrl}/webhook/brand-infinity/approval` };
	await harness.importCredentials([
		{ id: 'bi-store', name: 'Brand Infinity Store', type: 'brandInfinityStoreApi', data: storeData },
		{
			id: 'bi-approvals',
			name: 'Brand Infinity Approvals',
			type: 'brandInfinityApprovalsApi',
			data: { ...approvals, ttlSeconds: 3600, notifyUrl: opts.approvalsNotifyUrl ?? '' },
		},
	]);
	return {
		work,
		dataDir,
		harness,
		approvals,
		async withStore(fn) {
			if (opts.postgresStore) {
				const transport = await PostgresTransport.open({ connectionString: opts.postgresStore, applyMigrations: true });
				try {
					return await transport.withSession((session) => fn(new Store(transport), session));
				} finally {
					await transport.close();
				}
			}
			const transport = await EmbeddedTransport.open(dataDir);
			try {
				return await fn(new Store(transport), transport.session);
			} finally {
				await transport.close();
			}
		},
		async start(templates, publish) {
			// A template name from workflows/, or the path of a copy a test edited.
			await harness.importWorkflows(templates.map((t) => (isAbsolute(t) ? t : join(ROOT, 'workflows', t))));
			for (const id of publish) await harness.publish(id);
			await harness.start();
		},
		async close() {
			await harness.stopWorkers();
			await harness.stop();
			// BI_KEEP_E2E=1 keeps the folder (n8n logs under n8n/harness-logs/) to look into a failure.
			if (process.env.BI_KEEP_E2E) process.stderr.write(`e2e folder kept: ${work}\n`);
			else rmSync(work, { recursive: true, force: true });
		},
	};
}
