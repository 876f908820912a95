/**
 * A transport calls one state-API function by name with named arguments and returns its result:
 * the JSON value of a scalar function, or an array of rows for a set-returning one. This is the
 * PostgREST `/rpc/<fn>` contract, which the SQL transports reproduce with a SELECT.
 */
export type RpcArgs = Record<string, unknown>;

export interface Transport {
	readonly backend: 'embedded' | 'postgres' | 'supabase';
	rpc(fn: string, args: RpcArgs, opts?: { set?: boolean }): Promise<unknown>;
	close(): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Builds `select public.fn(p_a => $1, …)` with parameters; objects go as JSON text. */
export function rpcSql(fn: string, args: RpcArgs, set = false): { text: string; values: unknown[] } {
	if (!IDENT.test(fn)) throw new Error(`bad function name: ${fn}`);
	const names = Object.keys(args).filter((k) => args[k] !== undefined);
	const values: unknown[] = [];
	const params = names.map((name) => {
		if (!IDENT.test(name)) throw new Error(`bad argument name: ${name}`);
		const v = args[name];
		values.push(v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
		return `${name} => $${values.length}`;
	});
	const call = `public.${fn}(${params.join(', ')})`;
	const text = set
		? `select coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) as result from ${call} t`
		: `select to_jsonb(${call}) as result`;
	return { text, values };
}
