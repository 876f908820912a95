/**
 * What the remote video and image adapters share: JSON over global fetch with the package's retry
 * policy (`callWithRetries` from llm/openai.ts: retries only when the vendor certainly did not do
 * the work), vendor error text, the "plan" of what a provider will actually render (duration,
 * resolution after the vendor's rounding), and the image-input hook of the two-step route.
 */
import { secretRedactor, ValidationError } from '../../domain/errors';
import { callWithRetries, type RetryPolicy } from '../llm/openai';
import { ProviderError, type AspectRatio, type Resolution, type VideoJobRequest, type VideoJobStatus, type VideoSubmission } from '../types';

export type FetchFn = typeof fetch;

export interface RemoteProviderOptions extends RetryPolicy {
	apiKey: string;
	/** Per HTTP attempt. Default 60 s (submissions answer fast; the work is asynchronous). */
	timeoutMs?: number;
	/** Downloads (results, image inputs) may reach private addresses: only for tests and local fakes. */
	allowPrivateNetwork?: boolean;
	/** Size limit for a downloaded clip (default 1 GiB). */
	maxDownloadBytes?: number;
	/** Replaces global fetch for API calls (proxies, tests). Downloads use lib/media/download.ts. */
	fetchImpl?: FetchFn;
}

export const DEFAULT_REMOTE_TIMEOUT_MS = 60_000;

/** What a provider will actually render for a request, after its own limits and rounding. */
export interface VideoPlan {
	model: string;
	durationSeconds: number;
	aspectRatio: AspectRatio;
	resolution: Resolution;
	imageToVideo: boolean;
	/** Each change from the request, in words ("duration 5 s → 6 s: Veo renders 4, 6 or 8 s"). */
	notes: string[];
}

/** A submission with the plan that was sent (price it and store it with the job). */
export interface PlannedSubmission extends VideoSubmission {
	plan: VideoPlan;
}

/** A non-2xx answer; toProviderError (llm/openai.ts) maps it by `status` and `headers`. */
export class HttpStatusError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly headers: Headers,
		readonly body: unknown,
	) {
		super(message);
		this.name = 'HttpStatusError';
	}
}

/** The human part of a vendor's error body (Google, fal, BytePlus, Kie, OpenAI shapes). */
export function vendorErrorText(body: unknown): string {
	if (typeof body === 'string') return body.slice(0, 500);
	if (!body || typeof body !== 'object') return '';
	const b = body as Record<string, unknown>;
	const err = b.error;
	if (err && typeof err === 'object') {
		const e = err as Record<string, unknown>;
		return [e.status ?? e.code, e.message].filter((x) => x !== undefined && x !== '').join(': ').slice(0, 500);
	}
	if (typeof err === 'string') return err.slice(0, 500);
	if (typeof b.detail === 'string') return b.detail.slice(0, 500);
	if (Array.isArray(b.detail)) {
		return b.detail
			.map((d) => (d && typeof d === 'object' ? [(d as Record<string, unknown>).type, (d as Record<string, unknown>).msg].filter(Boolean).join(': ') : String(d)))
			.join('; ')
			.slice(0, 500);
	}
	if (typeof b.msg === 'string') return `${b.code ?? ''} ${b.msg}`.trim().slice(0, 500);
	if (typeof b.message === 'string') return b.message.slice(0, 500);
	return '';
}

export interface JsonRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	headers?: Record<string, string>;
	/** Sent as JSON. */
	json?: unknown;
}

/**
 * One JSON call. Non-2xx throws HttpStatusError (with the vendor's message); a 2xx body that is
 * not JSON throws SyntaxError (mapped to an unknown outcome: the call went through).
 */
export async function requestJson<T>(fetchFn: FetchFn, url: string, req: JsonRequest, signal: AbortSignal): Promise<T> {
	const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
	if (req.json !== undefined) headers['content-type'] = 'application/json';
	const res = await fetchFn(url, { method: req.method, headers, body: req.json === undefined ? undefined : JSON.stringify(req.json), signal });
	const text = await res.text();
	let body: unknown = text;
	if (text) {
		try {
			body = JSON.parse(text);
		} catch (err) {
			if (res.ok) throw err;
		}
	} else if (res.ok) {
		body = {};
	}
	if (!res.ok) {
		throw new HttpStatusError(res.status, `HTTP ${res.status}${vendorErrorText(body) ? `: ${vendorErrorText(body)}` : ''}`, res.headers, body);
	}
	return body as T;
}

/** Base of the remote adapters: the retry policy, the redactor and the JSON call. */
export abstract class RemoteVendor {
	abstract readonly name: string;
	protected readonly redact: (s: string) => string;
	protected readonly fetchFn: FetchFn;

	protected constructor(protected readonly opts: RemoteProviderOptions) {
		if (!opts.apiKey) throw new Error(`${new.target.name} needs an API key`);
		this.redact = secretRedactor([opts.apiKey]);
		this.fetchFn = opts.fetchImpl ?? fetch;
	}

	/**
	 * One HTTP call with the retry policy; errors come out as ProviderCallError (secrets redacted).
	 * `check` may throw an HttpStatusError for a 200 whose body reports an error (Kie does that).
	 */
	protected call<T>(url: string, req: JsonRequest, check?: (body: T) => void): Promise<T> {
		return callWithRetries(
			async (signal) => {
				const body = await requestJson<T>(this.fetchFn, url, req, signal);
				check?.(body);
				return body;
			},
			{
				maxRetries: this.opts.maxRetries,
				maxRetryAfterSeconds: this.opts.maxRetryAfterSeconds,
				retryBaseDelayMs: this.opts.retryBaseDelayMs,
				timeoutMs: this.opts.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS,
				provider: this.name,
				redact: this.redact,
			},
		);
	}

	protected downloadOptions(extra: { headers?: Record<string, string>; maxBytes?: number } = {}) {
		return {
			allowPrivateNetwork: this.opts.allowPrivateNetwork,
			maxBytes: extra.maxBytes ?? this.opts.maxDownloadBytes,
			headers: extra.headers,
			provider: this.name,
		};
	}
}

/** true for the "no such job" answers of a status call. */
export function isUnknownJob(err: unknown): boolean {
	return err instanceof ProviderError && err.status === 404;
}

/** The status of a job the provider does not know: a confirmed failure (nothing to download, safe to resubmit). */
export function unknownJob(jobId: string, provider: string): VideoJobStatus {
	return { state: 'failed', jobId, providerConfirmedFailure: true, error: `${provider} does not know job ${jobId} (HTTP 404): it was never created, expired or was deleted` };
}

/** The allowed value that covers `requested`: the smallest ≥ it, or the largest when none is. */
export function coveringValue(requested: number, allowed: readonly number[]): number {
	const sorted = [...allowed].sort((a, b) => a - b);
	return sorted.find((v) => v >= requested - 1e-9) ?? sorted[sorted.length - 1];
}

/** Integer seconds clamped to [min, max], rounded up (a scene is trimmed more easily than stretched). */
export function clampSeconds(requested: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, Math.ceil(requested - 1e-9)));
}

export function noteDuration(notes: string[], requested: number, actual: number, why: string): void {
	if (Math.abs(requested - actual) > 1e-9) notes.push(`duration ${requested} s → ${actual} s: ${why}`);
}

export function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/** Validates the request fields every adapter needs before anything is sent. */
export function assertVideoRequest(req: VideoJobRequest, provider: string): void {
	if (!req.prompt || !req.prompt.trim()) throw new ValidationError(`${provider}: the prompt is empty`, 'prompt');
	if (!req.model || !req.model.trim()) throw new ValidationError(`${provider}: no model given`, 'model');
	if (!(Number.isFinite(req.durationSeconds) && req.durationSeconds > 0)) {
		throw new ValidationError(`${provider}: durationSeconds must be a positive number`, 'durationSeconds');
	}
}

/** How an image reaches a video provider in the two-step route (see two-step.ts). */
export interface PreparedImage {
	/** What goes into VideoJobRequest.imageUrl for this provider. */
	imageUrl: string;
	/** The image was copied into the provider's own storage first. */
	reuploaded: boolean;
	note: string;
}

/** A video provider that knows which image references it accepts and can re-upload the others. */
export interface ImageInputPreparer {
	prepareImageInput(image: string): Promise<PreparedImage>;
}

export function isImageInputPreparer(p: unknown): p is ImageInputPreparer {
	return Boolean(p) && typeof (p as ImageInputPreparer).prepareImageInput === 'function';
}
