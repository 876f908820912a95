/**
 * Opening a store from a configuration, and sharing open stores inside one process: n8n runs
 * every node of every workflow in one process, and opening PGlite costs about a second, so nodes
 * borrow a shared store and the embedded one closes (releasing its lock) after a short idle time.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

import { BrandInfinityError, StoreError } from '../domain/errors';
import { EmbeddedTransport } from './embedded';
import { expectedVersions } from './migrations';
import { PostgresTransport } from './postgres';
import { Store } from './store';
import type { Transport } from './transport';

export type StoreConfig =
	| { backend: 'embedded'; dataDir: string }
	| { backend: 'postgres'; connectionString: string; ssl?: 'disable' | 'require' | 'no-verify'; applyMigrations?: boolean }
	| { backend: 'supabase'; url: string; serviceRoleKey: string };

/** Where the embedded store lives when the credential leaves the folder empty. */
export function defaultEmbeddedDataDir(userFolder = homedir()): string {
	return join(userFolder, '.n8n', 'brand-infinity', 'store');
}

export async function openTransport(config: StoreConfig): Promise<Transport> {
	switch (config.backend) {
		case 'embedded':
			return EmbeddedTransport.open(config.dataDir);
		case 'postgres':
			return PostgresTransport.open(config);
		case 'supabase': {
			// Loaded on demand: supabase-js is only needed (and only warns about Node 20) when used.
			const { SupabaseTransport } = await import('./supabase');
			return new SupabaseTransport(config);
		}
		default:
			throw new StoreError('STORE_CONFIG', `unknown store backend "${(config as { backend?: unknown }).backend}"`, {
				field: 'backend',
			});
	}
}

export async function openStore(config: StoreConfig): Promise<Store> {
	return new Store(await openTransport(config));
}

function cacheKey(config: StoreConfig): string {
	switch (config.backend) {
		case 'embedded':
			return `embedded:${config.dataDir}`;
		case 'postgres':
			return `postgres:${config.connectionString}:${config.ssl ?? ''}:${config.applyMigrations ?? ''}`;
		case 'supabase':
			return `supabase:${config.url}:${config.serviceRoleKey}`;
	}
}

interface Shared {
	store: Promise<Store>;
	users: number;
	idleTimer?: NodeJS.Timeout;
}

const shared = new Map<string, Shared>();
export const EMBEDDED_IDLE_CLOSE_MS = 3000;

/**
 * Borrows the process-wide store for a configuration. Call the returned release when done; the
 * embedded store closes after EMBEDDED_IDLE_CLOSE_MS without users, the others stay pooled.
 */
export async function borrowStore(config: StoreConfig): Promise<{ store: Store; release: () => void }> {
	const key = cacheKey(config);
	let entry = shared.get(key);
	if (!entry) {
		const created: Shared = { store: openStore(config), users: 0 };
		entry = created;
		shared.set(key, created);
		created.store.catch(() => {
			if (shared.get(key) === created) shared.delete(key);
		});
	}
	const current = entry;
	clearTimeout(current.idleTimer);
	current.users++;
	let store: Store;
	try {
		store = await current.store;
	} catch (err) {
		current.users--;
		throw err;
	}
	let released = false;
	const release = () => {
		if (released) return;
		released = true;
		current.users--;
		if (current.users > 0 || config.backend !== 'embedded') return;
		current.idleTimer = setTimeout(() => {
			if (current.users > 0 || shared.get(key) !== current) return;
			shared.delete(key);
			void store.close();
		}, EMBEDDED_IDLE_CLOSE_MS);
		// Never keep a process alive just to close the store; the data is durable at commit.
		current.idleTimer.unref();
	};
	return { store, release };
}

/** Closes every shared store (tests, shutdown). */
export async function closeSharedStores(): Promise<void> {
	const entries = [...shared.values()];
	shared.clear();
	await Promise.all(
		entries.map(async (e) => {
			clearTimeout(e.idleTimer);
			const store = await e.store.catch(() => undefined);
			await store?.close();
		}),
	);
}

/** The credential test: the store answers and every migration is applied. */
export async function checkStore(config: StoreConfig): Promise<{ ok: boolean; message: string }> {
	const { store, release } = await borrowStore(config);
	try {
		let info;
		try {
			info = await store.schemaInfo();
		} catch (err) {
			// 42883 (Postgres) / PGRST202 (PostgREST): the function does not exist, so nothing is applied.
			if (err instanceof BrandInfinityError && ['42883', 'PGRST202', '42P01'].includes(err.code)) {
				return { ok: false, message: 'Connected, but the Brand Infinity schema is not applied: apply supabase/migrations (supabase db push).' };
			}
			throw err;
		}
		const have = new Set(info.versions ?? []);
		const missing = expectedVersions(info.vector).filter((v) => !have.has(v));
		if (missing.length) {
			return { ok: false, message: `Connected, but migrations are missing: ${missing.join(', ')}. Apply supabase/migrations (supabase db push).` };
		}
		const vectorNote = info.vector ? 'pgvector ready' : 'pgvector missing: brand guideline search is unavailable';
		return { ok: true, message: `Connected to the ${store.backend} store; schema ${[...have].pop()}; ${vectorNote}.` };
	} finally {
		release();
	}
}

export { Store } from './store';
export * from './store';
export { EmbeddedTransport, acquireLock } from './embedded';
export { PostgresTransport, redactConnectionString } from './postgres';
export { migrate, loadMigrations, expectedVersions, bootstrapSql, supabaseDir } from './migrations';
export type { Transport, RpcArgs } from './transport';
