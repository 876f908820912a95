/**
 * The one HTTP call of the stock adapters: a GET with a timeout, no retries (a stock search runs
 * while a video is being routed; a rate limit sends the scene to the next generator instead of
 * waiting), errors as ProviderError with the vendor's rate-limit headers read into
 * `retryAfterSeconds` (Retry-After, else X-Ratelimit-Reset: Pexels gives a UNIX time, Pixabay
 * seconds). Secrets in the URL (Pixabay's `key=`) never reach an error message.
 */
import { ProviderError } from '../types';
import { HttpStatusError, requestJson, type FetchFn } from '../video/common';

export interface StockHttpOptions {
	fetchImpl?: FetchFn;
	/** Default 20 s. */
	timeoutMs?: number;
	/** Tests: read "now" for X-Ratelimit-Reset timestamps. */
	now?: () => number;
}

/** Seconds until the rate limit resets, from the answer's headers. */
export function retryAfterFrom(headers: Headers, now = Date.now()): number | undefined {
	const ra = headers.get('retry-after');
	if (ra && /^\d+(\.\d+)?$/.test(ra.trim())) return Math.ceil(Number(ra));
	const reset = headers.get('x-ratelimit-reset');
	if (reset && /^\d+$/.test(reset.trim())) {
		const v = Number(reset);
		// A UNIX timestamp (Pexels) or a number of seconds (Pixabay).
		return v > 1_000_000_000 ? Math.max(0, Math.ceil(v - now / 1000)) : v;
	}
	return undefined;
}

export async function stockGet<T>(provider: string, url: string, headers: Record<string, string>, opts: StockHttpOptions, secret?: string): Promise<{ body: T; remaining: number | null }> {
	const redact = (s: string) => (secret ? s.split(secret).join('***') : s);
	const fetchFn = opts.fetchImpl ?? fetch;
	let remaining: number | null = null;
	const spy: FetchFn = async (input, init) => {
		const res = await fetchFn(input, init);
		const r = res.headers.get('x-ratelimit-remaining');
		remaining = r !== null && /^\d+$/.test(r) ? Number(r) : null;
		return res;
	};
	try {
		const body = await requestJson<T>(spy, url, { method: 'GET', headers }, AbortSignal.timeout(opts.timeoutMs ?? 20_000));
		return { body, remaining };
	} catch (err) {
		if (err instanceof HttpStatusError) {
			const what = err.status === 429 ? 'rate limited' : err.status === 401 || err.status === 403 ? 'the API key was refused' : `search failed`;
			throw new ProviderError(`${provider}: ${what} (${redact(err.message)})`, provider, err.status, true, err.status === 429 ? retryAfterFrom(err.headers, (opts.now ?? Date.now)()) : undefined);
		}
		throw new ProviderError(`${provider}: ${redact((err as Error).message)}`, provider, null, true);
	}
}
