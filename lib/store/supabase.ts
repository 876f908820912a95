/**
 * The supabase transport: supabase-js `.rpc()` against the project's PostgREST with the service-role
 * key. Migrations are not applied from here (Supabase applies supabase/migrations with
 * `supabase db push`); the credential test checks they are there.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';

import { fromSqlError, secretRedactor } from '../domain/errors';
import type { RpcArgs, Transport } from './transport';

export interface SupabaseOptions {
	url: string;
	serviceRoleKey: string;
}

/**
 * createClient builds a Realtime client at once, and on Node 20 (no global WebSocket) that throws
 * "Node.js detected but native WebSocket not found". The store never subscribes to Realtime, so it
 * hands supabase-js a transport that is never constructed unless someone opens a channel.
 */
class NoRealtimeTransport {
	constructor() {
		throw new Error('Realtime is not used by the Brand Infinity store');
	}
}

export class SupabaseTransport implements Transport {
	readonly backend = 'supabase' as const;
	private readonly client: SupabaseClient;
	private readonly redact: (s: string) => string;

	constructor(opts: SupabaseOptions) {
		this.client = createClient(opts.url, opts.serviceRoleKey, {
			auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
			realtime: { transport: NoRealtimeTransport as never },
		});
		this.redact = secretRedactor([opts.serviceRoleKey]);
	}

	async rpc(fn: string, args: RpcArgs): Promise<unknown> {
		// PostgREST takes every argument as JSON; objects stay objects (jsonb), undefined is dropped.
		const body = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
		let res;
		try {
			res = await this.client.rpc(fn, body);
		} catch (err) {
			throw fromSqlError({ code: 'STORE', message: `Supabase request failed: ${(err as Error).message}` }, this.redact);
		}
		if (res.error) {
			throw fromSqlError(
				{ code: res.error.code || `HTTP${res.status}`, message: res.error.message, details: res.error.details, hint: res.error.hint },
				this.redact,
			);
		}
		return res.data ?? null;
	}

	async close(): Promise<void> {
		// HTTP only: nothing to close.
	}
}
