/**
 * Applies supabase/bootstrap.sql and supabase/migrations/*.sql in order, each migration in its own
 * transaction, recording applied versions in bi_schema_version (the migrations insert their own
 * row, so `supabase db push` records them too). The pgvector migration is skipped, and reported,
 * on a Postgres that lacks the extension.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Migration {
	version: string;
	name: string;
	sql: string;
	needsVector: boolean;
}

/** What a transport offers the runner: run a script, run one query with rows back. */
export interface SqlSession {
	exec(sql: string): Promise<void>;
	rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface MigrationReport {
	applied: string[];
	skipped: string[];
	versions: string[];
	vector: boolean;
}

/** The supabase/ folder: beside lib/ in the repo, and copied beside dist/lib by the build. */
export function supabaseDir(): string {
	const dir = join(__dirname, '..', '..', 'supabase');
	if (!existsSync(join(dir, 'migrations'))) throw new Error(`supabase/migrations not found at ${dir}`);
	return dir;
}

export function loadMigrations(dir = supabaseDir()): Migration[] {
	return readdirSync(join(dir, 'migrations'))
		.filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
		.sort()
		.map((file) => {
			const [, version, name] = /^(\d{14})_(.+)\.sql$/.exec(file)!;
			return { version, name, sql: readFileSync(join(dir, 'migrations', file), 'utf8'), needsVector: name.includes('pgvector') };
		});
}

export function bootstrapSql(dir = supabaseDir()): string {
	return readFileSync(join(dir, 'bootstrap.sql'), 'utf8');
}

export async function appliedVersions(session: SqlSession): Promise<string[]> {
	const [{ present }] = await session.rows<{ present: boolean }>(
		"select to_regclass('public.bi_schema_version') is not null as present",
	);
	if (!present) return [];
	const rows = await session.rows<{ version: string }>('select version from public.bi_schema_version order by version');
	return rows.map((r) => r.version);
}

export async function vectorAvailable(session: SqlSession): Promise<boolean> {
	const rows = await session.rows("select 1 from pg_available_extensions where name = 'vector'");
	return rows.length > 0;
}

/** Brings a database up to date. The caller serialises concurrent runners (lock or single process). */
export async function migrate(session: SqlSession, opts: { bootstrap?: boolean } = {}): Promise<MigrationReport> {
	if (opts.bootstrap !== false) await session.exec(bootstrapSql());
	const done = new Set(await appliedVersions(session));
	const vector = await vectorAvailable(session);
	const report: MigrationReport = { applied: [], skipped: [], versions: [], vector };
	for (const m of loadMigrations()) {
		if (done.has(m.version)) continue;
		if (m.needsVector && !vector) {
			report.skipped.push(`${m.version}_${m.name}`);
			continue;
		}
		await session.exec(`begin;\n${m.sql}\n;commit;`).catch(async (err) => {
			await session.exec('rollback').catch(() => undefined);
			throw err;
		});
		report.applied.push(`${m.version}_${m.name}`);
	}
	report.versions = await appliedVersions(session);
	return report;
}

/** The versions a fully migrated database must report (vector ones only where pgvector exists). */
export function expectedVersions(vector: boolean): string[] {
	return loadMigrations()
		.filter((m) => vector || !m.needsVector)
		.map((m) => m.version);
}
