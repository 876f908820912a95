/**
 * The postgres transport: `pg` with a connection string (Supabase's pooler, or any Postgres; the
 * brand-guideline search needs pgvector). Migrations are applied under an advisory lock when asked,
 * so several n8n workers starting at once apply them once.
 */
import type { Pool, PoolConfig } from 'pg';

import { fromSqlError, secretRedactor } from '../domain/errors';
import { migrate, type MigrationReport, type SqlSession } from './migrations';
import { rpcSql, type RpcArgs, type Transport } from './transport';

const MIGRATION_LOCK = 7_362_001; // any constant; shared by every runner of this package

export interface PostgresOptions {
	connectionString: string;
	ssl?: 'disable' | 'require' | 'no-verify';
	applyMigrations?: boolean;
	maxConnections?: number;
}

/** Hides a connection string, and its password, in any text (errors from pg can quote either). */
export function redactConnectionString(connectionString: string): (s: string) => string {
	let password = '';
	try {
		password = decodeURIComponent(new URL(connectionString).password);
	} catch {
		// Not a URL (key=value form): the whole string is still hidden.
	}
	return secretRedactor([connectionString, password]);
}

export class PostgresTransport implements Transport {
	readonly backend = 'postgres' as const;

	private constructor(
		private readonly pool: Pool,
		private readonly redact: (s: string) => string,
		readonly migrations: MigrationReport | undefined,
	) {}

	static async open(opts: PostgresOptions): Promise<PostgresTransport> {
		const config: PoolConfig = {
			connectionString: opts.connectionString,
			max: opts.maxConnections ?? 5,
			// Lets a CLI run (n8n execute) exit when idle instead of hanging on open sockets.
			allowExitOnIdle: true,
		};
		if (opts.ssl === 'require') config.ssl = { rejectUnauthorized: true };
		if (opts.ssl === 'no-verify') config.ssl = { rejectUnauthorized: false };
		// Loaded when a postgres store is opened, not when the package loads.
		const { Pool } = await import('pg');
		const pool = new Pool(config);
		const redact = redactConnectionString(opts.connectionString);
		// pg reports socket errors on idle clients here; without a listener they crash the process.
		pool.on('error', () => undefined);
		try {
			const report = opts.applyMigrations ? await migrateLocked(pool) : undefined;
			return new PostgresTransport(pool, redact, report);
		} catch (err) {
			await pool.end().catch(() => undefined);
			throw fromSqlError(err, redact);
		}
	}

	async rpc(fn: string, args: RpcArgs, opts: { set?: boolean } = {}): Promise<unknown> {
		const { text, values } = rpcSql(fn, args, opts.set);
		try {
			const res = await this.pool.query<{ result: unknown }>(text, values);
			return res.rows[0]?.result ?? null;
		} catch (err) {
			throw fromSqlError(err, this.redact);
		}
	}

	/** A session on one pooled connection, for tests and tools that need plain SQL. */
	async withSession<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
		const client = await this.pool.connect();
		try {
			return await fn({
				exec: async (sql) => {
					await client.query(sql);
				},
				rows: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
			});
		} finally {
			client.release();
		}
	}

	async close(): Promise<void> {
		await this.pool.end();
	}
}

async function migrateLocked(pool: Pool): Promise<MigrationReport> {
	const client = await pool.connect();
	try {
		await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
		try {
			return await migrate({
				exec: async (sql) => {
					await client.query(sql);
				},
				rows: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
			});
		} finally {
			await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
		}
	} finally {
		client.release();
	}
}
