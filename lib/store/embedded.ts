/**
 * The embedded transport: PGlite (Postgres in WASM) with pgvector, in this process, persisted to a
 * data directory. PGlite does not lock its directory and two processes opening it corrupt it, so
 * this takes `<dataDir>.lock` (pid + host) and a second process gets a StoreLockedError.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

import { fromSqlError, StoreLockedError } from '../domain/errors';
import { migrate, type MigrationReport, type SqlSession } from './migrations';
import { rpcSql, type RpcArgs, type Transport } from './transport';

function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Takes the lock file or explains who holds it; a lock left by a dead process on this host is taken over. */
export function acquireLock(dataDir: string): () => void {
	const lockPath = `${resolve(dataDir)}.lock`;
	mkdirSync(dirname(lockPath), { recursive: true });
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(lockPath, 'wx');
			writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
			closeSync(fd);
			let released = false;
			return () => {
				if (released) return;
				released = true;
				rmSync(lockPath, { force: true });
			};
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		}
		let holder: { pid?: number; host?: string; since?: string } = {};
		try {
			holder = JSON.parse(readFileSync(lockPath, 'utf8'));
		} catch {
			// An unreadable lock is treated as held: refusing is safe, guessing is not.
		}
		const stale = holder.host === hostname() && typeof holder.pid === 'number' && !processAlive(holder.pid);
		if (!stale) {
			throw new StoreLockedError(
				'STORE_LOCKED',
				`The embedded store at ${resolve(dataDir)} is in use by process ${holder.pid ?? '?'} on ${holder.host ?? '?'} ` +
					`(since ${holder.since ?? '?'}). Only one process may open it: stop that process, or use the ` +
					`postgres or supabase backend to share a store between processes.`,
				{ lock: lockPath, pid: holder.pid, host: holder.host },
			);
		}
		rmSync(lockPath, { force: true });
	}
	throw new StoreLockedError('STORE_LOCKED', `Could not take the lock ${lockPath}`, { lock: lockPath });
}

export class EmbeddedTransport implements Transport {
	readonly backend = 'embedded' as const;
	private closed = false;

	private constructor(
		private readonly db: PGlite,
		private readonly releaseLock: () => void,
		readonly migrations: MigrationReport,
	) {}

	/** Opens (creating if needed) the data directory, then applies pending migrations. */
	static async open(dataDir: string): Promise<EmbeddedTransport> {
		const release = acquireLock(dataDir);
		let db: PGlite | undefined;
		try {
			mkdirSync(dataDir, { recursive: true });
			// PGlite (about 10 MB of WASM) loads when an embedded store is opened, not with the package.
			const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')]);
			db = await PGlite.create(dataDir, { extensions: { vector } });
			const report = await migrate(sessionOf(db));
			return new EmbeddedTransport(db, release, report);
		} catch (err) {
			await db?.close().catch(() => undefined);
			release();
			throw fromSqlError(err);
		}
	}

	get session(): SqlSession {
		return sessionOf(this.db);
	}

	async rpc(fn: string, args: RpcArgs, opts: { set?: boolean } = {}): Promise<unknown> {
		if (this.closed) throw new Error('embedded store is closed');
		const { text, values } = rpcSql(fn, args, opts.set);
		try {
			const res = await this.db.query<{ result: unknown }>(text, values);
			return res.rows[0]?.result ?? null;
		} catch (err) {
			throw fromSqlError(err);
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.db.close();
		} finally {
			this.releaseLock();
		}
	}
}

function sessionOf(db: PGlite): SqlSession {
	return {
		exec: async (sql) => {
			await db.exec(sql);
		},
		rows: async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
	};
}
