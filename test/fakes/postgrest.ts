/**
 * A loopback PostgREST for the RPC part of the Supabase API, executing calls in PGlite.
 *
 * It implements what `@supabase/supabase-js` `.rpc()` relies on, the way PostgREST (v12) does it:
 *   - `POST /rest/v1/rpc/<fn>` with a JSON object body of named arguments (and `GET` with the
 *     arguments in the query string, run read-only);
 *   - the role comes from the key: `Authorization: Bearer <key>` (or, without one, the `apikey`
 *     header): the service key runs as `service_role`, the anon key as `anon`, anything else is a
 *     401 PGRST301. The `apikey` header must be present and known, as Supabase's gateway requires;
 *   - the function is looked up in pg_catalog by schema (`public`), name and the SET of argument
 *     names given (arguments with defaults may be left out); no match → 404 PGRST202 with
 *     PostgREST's message/details/hint wording, several → 300 PGRST203;
 *   - arguments are typed by PostgreSQL, not here: `json_to_record($1::json) as _(arg type, …)`
 *     and a named-argument call `fn(arg := _.arg)`, so a string becomes uuid/numeric/vector by the
 *     type's own input function, exactly as behind the real API;
 *   - one transaction per request: `set_config('role', …, true)`, `search_path = public, extensions`
 *     (Supabase's extra search path) and `request.jwt.claims`; read-only unless the function is
 *     volatile (PostgREST's rule), committed on success and rolled back on error;
 *   - results: a scalar as its JSON value (null → `null`), a composite as an object, a set (setof /
 *     returns table) as an array, void as 204 No Content;
 *   - errors as `{code, message, details, hint}` (empty details/hint → null) with PostgREST's
 *     SQLSTATE → HTTP status table; codes it has no rule for (our BIxxx) are 400 with the code kept.
 *
 * Not implemented (not used by this package): table endpoints, `Prefer` handling (count, tx,
 * params=single-object), functions with a single unnamed json parameter, array bodies, variadics.
 * Real Supabase's gateway answers an unknown `apikey` itself (401 "Invalid API key", no code);
 * here every unknown key is PostgREST's 401 PGRST301, which is what the client sees for a bad JWT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { SqlSession } from '../../lib/store/migrations';

/** The part of PGlite this fake uses; each request then runs inside `db.transaction`. */
export interface PgliteLike {
	query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
	transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
}

export interface PostgrestFakeOptions {
	/**
	 * The database. A PGlite instance is preferred: each request runs in `db.transaction`, which
	 * PGlite keeps exclusive against every other user of the instance. A SqlSession (e.g.
	 * `EmbeddedTransport.session`) works too: the fake then runs one request at a time with
	 * explicit begin/commit, so nobody else may use that session while a request is in flight.
	 */
	db?: PgliteLike;
	session?: SqlSession;
	serviceKey: string;
	anonKey: string;
}

export interface RecordedRequest {
	method: string;
	fn: string | null;
	/** Which known key each header carried: 'service' | 'anon' | 'unknown' | 'none'. */
	apikey: KeyKind;
	bearer: KeyKind;
	role: string | null;
	status: number;
}

export interface PostgrestFake {
	/** The project URL to give supabase-js (`createClient(url, key)`). */
	url: string;
	requests: RecordedRequest[];
	close(): Promise<void>;
}

type KeyKind = 'service' | 'anon' | 'unknown' | 'none';

interface Tx {
	rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Runs a request: the catalog lookup, then the call in one transaction. */
interface Executor {
	request<T>(fn: (ex: { lookup: Tx; transaction: <R>(readOnly: boolean, body: (tx: Tx) => Promise<R>) => Promise<R> }) => Promise<T>): Promise<T>;
}

function pgliteExecutor(db: PgliteLike): Executor {
	const lookup: Tx = { rows: async (sql, params) => (await db.query(sql, params)).rows as never };
	return {
		request: (fn) =>
			fn({
				lookup,
				transaction: (readOnly, body) =>
					db.transaction(async (tx) => {
						// Must be the first statement of the transaction.
						if (readOnly) await tx.query('set transaction read only');
						return body({ rows: async (sql, params) => (await tx.query(sql, params)).rows as never });
					}),
			}),
	};
}

function sessionExecutor(session: SqlSession): Executor {
	// A session is one connection: requests must not interleave their statements, so they queue.
	let queue: Promise<unknown> = Promise.resolve();
	const tx: Tx = { rows: (sql, params) => session.rows(sql, params) };
	return {
		request: (fn) => {
			const run = queue.then(() =>
				fn({
					lookup: tx,
					transaction: async (readOnly, body) => {
						await session.exec(readOnly ? 'begin read only' : 'begin');
						try {
							const out = await body(tx);
							await session.exec('commit');
							return out;
						} catch (err) {
							await session.exec('rollback').catch(() => undefined);
							throw err;
						}
					},
				}),
			);
			queue = run.catch(() => undefined);
			return run;
		},
	};
}

/** An error PostgREST itself answers with (not one from PostgreSQL). */
class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly body: { code: string; message: string; details: string | null; hint: string | null },
		readonly headers: Record<string, string> = {},
	) {
		super(body.message);
	}
}

interface RoutineParam {
	name: string;
	type: string;
	required: boolean;
}

interface Routine {
	name: string;
	params: RoutineParam[];
	volatile: boolean;
	returnsSet: boolean;
	returnsComposite: boolean;
	returnsVoid: boolean;
}

/** Every function of that name in `public`, described the way PostgREST's schema cache does. */
const ROUTINES_SQL = `
select p.proname as name,
       p.provolatile as volatility,
       p.proretset as returns_set,
       p.prorettype = 'void'::regtype as returns_void,
       (t.typtype = 'c' or p.prorettype = 'record'::regtype) as returns_composite,
       p.pronargs as nargs,
       p.pronargdefaults as ndefaults,
       coalesce(p.proargnames, '{}'::text[]) as argnames,
       coalesce(p.proargmodes::text[], '{}'::text[]) as argmodes,
       coalesce(p.proargtypes::oid[]::regtype[]::text[], '{}'::text[]) as argtypes
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_type t on t.oid = p.prorettype
 where n.nspname = 'public' and p.proname = $1 and p.prokind = 'f'
 order by p.oid`;

interface RoutineRow {
	name: string;
	volatility: string;
	returns_set: boolean;
	returns_void: boolean;
	returns_composite: boolean;
	nargs: number;
	ndefaults: number;
	argnames: string[];
	argmodes: string[];
	argtypes: string[];
}

function toRoutine(r: RoutineRow): Routine {
	// proargnames/proargmodes list every argument (OUT and TABLE columns too); proargtypes only
	// the input ones (IN, INOUT, VARIADIC), in order. The last pronargdefaults inputs have defaults.
	const inputNames = r.argmodes.length
		? r.argnames.filter((_, i) => ['i', 'b', 'v'].includes(r.argmodes[i]))
		: r.argnames.slice(0, r.nargs);
	const params = r.argtypes.map((type, i) => ({
		name: inputNames[i] ?? '',
		type,
		required: i < r.nargs - r.ndefaults,
	}));
	return {
		name: r.name,
		params,
		volatile: r.volatility === 'v',
		returnsSet: r.returns_set,
		returnsComposite: r.returns_composite,
		returnsVoid: r.returns_void,
	};
}

/** PostgREST's findProc: required parameters all given, every given key a parameter. */
function matchesParams(proc: Routine, keys: Set<string>): boolean {
	if (proc.params.some((p) => p.name === '')) return false; // unnamed: only the single-json fallback, not supported
	const names = new Set(proc.params.map((p) => p.name));
	return [...keys].every((k) => names.has(k)) && proc.params.every((p) => !p.required || keys.has(p.name));
}

function noRpcError(fn: string, keys: string[], candidates: Routine[]): ApiError {
	// Wording of PostgREST's Error.hs (NoRpc), argument names in ascending order.
	const func = `public.${fn}`;
	const sorted = [...keys].sort();
	const list = sorted.join(', ');
	const inMessage = sorted.length ? `(${list})` : ' without parameters';
	const inDetails = sorted.length ? ` with parameter${sorted.length > 1 ? 's' : ''} ${list}` : ' without parameters';
	// PostgREST's hint fuzzy-matches every function name; here only overloads of the same name.
	const near = candidates.find((c) => c.params.every((p) => p.name !== ''));
	return new ApiError(404, {
		code: 'PGRST202',
		message: `Could not find the function ${func}${inMessage} in the schema cache`,
		details: `Searched for the function ${func}${inDetails} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
		hint: near
			? `Perhaps you meant to call the function ${func}(${near.params
					.map((p) => p.name)
					.sort()
					.join(', ')})`
			: null,
	});
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The SELECT PostgREST builds for a call; $1 is the JSON body (text). */
function callSql(proc: Routine, given: RoutineParam[]): { text: string; kind: 'scalar' | 'object' | 'set' | 'void' } {
	const fn = `"public".${quoteIdent(proc.name)}`;
	const args = given.map((p) => `${quoteIdent(p.name)} := _.${quoteIdent(p.name)}`).join(', ');
	// A zero-column definition list is not valid SQL: a call without arguments reads no body.
	const from = given.length
		? `json_to_record($1::json) as _(${given.map((p) => `${quoteIdent(p.name)} ${p.type}`).join(', ')})`
		: `(select $1::json) as _`;
	if (proc.returnsVoid) return { kind: 'void', text: `select ${fn}(${args}) from ${from}` };
	if (proc.returnsSet && proc.returnsComposite) {
		return {
			kind: 'set',
			text: `select coalesce(json_agg(pgrst_call)::text, '[]') as body, count(*)::int as n
			         from ${from}, lateral ${fn}(${args}) pgrst_call`,
		};
	}
	if (proc.returnsSet) {
		return {
			kind: 'set',
			text: `select coalesce(json_agg(pgrst_call.pgrst_scalar)::text, '[]') as body, count(*)::int as n
			         from ${from}, lateral ${fn}(${args}) pgrst_call(pgrst_scalar)`,
		};
	}
	if (proc.returnsComposite) {
		return {
			kind: 'object',
			text: `select coalesce((json_agg(pgrst_call) -> 0)::text, 'null') as body
			         from ${from}, lateral ${fn}(${args}) pgrst_call`,
		};
	}
	return {
		kind: 'scalar',
		text: `select coalesce((json_agg(pgrst_call.pgrst_scalar) -> 0)::text, 'null') as body
		         from (select ${fn}(${args}) as pgrst_scalar from ${from}) pgrst_call`,
	};
}

/** PostgREST's SQLSTATE → HTTP status table (docs.postgrest.org, references/errors). */
export function httpStatusOf(code: string, authenticated: boolean): number {
	if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
	const exact: Record<string, number> = {
		'23503': 409,
		'23505': 409,
		'25006': 405,
		'53400': 500,
		P0001: 400,
		'42883': 404,
		'42P01': 404,
		'42501': authenticated ? 403 : 401,
	};
	if (code in exact) return exact[code];
	const prefixes: Array<[string, number]> = [
		['08', 503], ['09', 500], ['0L', 403], ['0P', 403], ['25', 500], ['28', 403], ['2D', 500],
		['38', 500], ['39', 500], ['3B', 500], ['40', 500], ['53', 503], ['54', 413], ['55', 500],
		['57', 500], ['58', 500], ['F0', 500], ['HV', 500], ['P0', 500], ['XX', 500],
	];
	for (const [prefix, status] of prefixes) if (code.startsWith(prefix)) return status;
	return 400;
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function send(res: ServerResponse, status: number, body: string | null, headers: Record<string, string> = {}): void {
	const h: Record<string, string> = { ...headers };
	if (body !== null) h['Content-Type'] = 'application/json; charset=utf-8';
	res.writeHead(status, h);
	res.end(body ?? undefined);
}

export async function startPostgrestFake(opts: PostgrestFakeOptions): Promise<PostgrestFake> {
	if (!opts.db === !opts.session) throw new Error('startPostgrestFake: pass exactly one of db or session');
	if (!opts.serviceKey || !opts.anonKey || opts.serviceKey === opts.anonKey) {
		throw new Error('startPostgrestFake: serviceKey and anonKey must be two different non-empty strings');
	}
	const executor = opts.db ? pgliteExecutor(opts.db) : sessionExecutor(opts.session!);
	const requests: RecordedRequest[] = [];

	const kindOf = (key: string | undefined): KeyKind =>
		key === undefined ? 'none' : key === opts.serviceKey ? 'service' : key === opts.anonKey ? 'anon' : 'unknown';
	const roleOf: Record<string, string> = { service: 'service_role', anon: 'anon' };

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://loopback');
		const apikey = kindOf(header(req, 'apikey') ?? url.searchParams.get('apikey') ?? undefined);
		const auth = header(req, 'authorization');
		const bearer = auth === undefined ? 'none' : kindOf(/^Bearer\s+(.+)$/i.exec(auth)?.[1] ?? '');
		const record: RecordedRequest = { method: req.method ?? '', fn: null, apikey, bearer, role: null, status: 0 };
		requests.push(record);
		const reply = (status: number, body: string | null, headers: Record<string, string> = {}) => {
			record.status = status;
			send(res, status, body, headers);
		};
		try {
			const m = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(url.pathname);
			if (!m) {
				// Not PostgREST wording: this fake only serves functions.
				throw new ApiError(404, { code: 'FAKE404', message: `not served by the PostgREST fake: ${url.pathname}`, details: null, hint: null });
			}
			const fn = decodeURIComponent(m[1]);
			record.fn = fn;
			// The key decides the role; never echo a key back in a response.
			if (apikey === 'none' || apikey === 'unknown' || bearer === 'unknown') {
				throw new ApiError(
					401,
					{ code: 'PGRST301', message: 'No suitable key or wrong key type', details: null, hint: null },
					{ 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="No suitable key or wrong key type"' },
				);
			}
			const role = roleOf[bearer === 'none' ? apikey : bearer];
			record.role = role;
			const profile = header(req, req.method === 'GET' ? 'accept-profile' : 'content-profile');
			if (profile !== undefined && profile !== 'public') {
				throw new ApiError(406, { code: 'PGRST106', message: `Invalid schema: ${profile}`, details: null, hint: 'Only the following schemas are exposed: public' });
			}

			let body: Record<string, unknown>;
			let readOnly = false;
			if (req.method === 'POST') {
				const raw = await readBody(req);
				let parsed: unknown = {};
				try {
					parsed = raw.trim() === '' ? {} : JSON.parse(raw);
				} catch {
					throw new ApiError(400, { code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null });
				}
				if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
					throw new ApiError(400, { code: 'PGRST102', message: 'The fake takes a JSON object of named arguments', details: null, hint: null });
				}
				body = parsed as Record<string, unknown>;
			} else if (req.method === 'GET') {
				// PostgREST runs GET calls read-only, arguments as text from the query string.
				body = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'apikey'));
				readOnly = true;
			} else {
				throw new ApiError(405, { code: 'PGRST101', message: 'Only GET and POST verbs are allowed for functions', details: null, hint: null });
			}

			const result = await executor.request(async ({ lookup, transaction }) => {
				const keys = new Set(Object.keys(body));
				const candidates = (await lookup.rows<RoutineRow>(ROUTINES_SQL, [fn])).map(toRoutine);
				const matching = candidates.filter((p) => matchesParams(p, keys));
				if (matching.length === 0) throw noRpcError(fn, [...keys], candidates);
				if (matching.length > 1) {
					throw new ApiError(300, {
						code: 'PGRST203',
						message: `Could not choose the best candidate function between: ${matching
							.map((p) => `public.${p.name}(${p.params.map((a) => `${a.name} => ${a.type}`).join(', ')})`)
							.join(', ')}`,
						details: null,
						hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
					});
				}
				const proc = matching[0];
				const given = proc.params.filter((p) => keys.has(p.name));
				const call = callSql(proc, given);
				return transaction(readOnly || !proc.volatile, async (tx) => {
					// What PostgREST sets at the start of every request transaction.
					await tx.rows(
						`select set_config('search_path', 'public, extensions', true),
						        set_config('role', $1, true),
						        set_config('request.jwt.claims', $2, true),
						        set_config('request.method', $3, true),
						        set_config('request.path', $4, true)`,
						[role, JSON.stringify({ role }), req.method, url.pathname],
					);
					const rows = await tx.rows<{ body: string; n?: number }>(call.text, [JSON.stringify(body)]);
					return { kind: call.kind, body: rows[0]?.body ?? null, n: rows[0]?.n ?? 0 };
				});
			});

			if (result.kind === 'void') return reply(204, null);
			const headers: Record<string, string> = {};
			if (result.kind === 'set') headers['Content-Range'] = result.n ? `0-${result.n - 1}/*` : '*/*';
			return reply(200, result.body ?? 'null', headers);
		} catch (err) {
			if (err instanceof ApiError) return reply(err.status, JSON.stringify(err.body), err.headers);
			const e = err as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
			if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
				const authenticated = record.role !== null && record.role !== 'anon';
				const status = httpStatusOf(e.code, authenticated);
				const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
				return reply(
					status,
					JSON.stringify({
						code: e.code,
						message: typeof e.message === 'string' ? e.message : String(err),
						details: typeof e.detail === 'string' && e.detail !== '' ? e.detail : null,
						hint: typeof e.hint === 'string' && e.hint !== '' ? e.hint : null,
					}),
					headers,
				);
			}
			// A bug in the fake or a dead database: PostgREST would say 500/503; keep the reason visible.
			return reply(500, JSON.stringify({ code: 'FAKE500', message: String((err as Error)?.message ?? err), details: null, hint: null }));
		}
	}

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((err) => {
			if (!res.headersSent) send(res, 500, JSON.stringify({ code: 'FAKE500', message: String(err), details: null, hint: null }));
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((resolve, reject) => {
				// supabase-js keeps sockets alive; close them so the server can stop now.
				server.closeAllConnections();
				server.close((err) => (err ? reject(err) : resolve()));
			}),
	};
}

function header(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name];
	return Array.isArray(v) ? v[0] : v;
}
