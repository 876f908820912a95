/**
 * Seed 001: voice provider fallback and per-provider rate limits.
 *
 * `FallbackTtsProvider` tries a chain of TTS providers in order. A TTS call that failed gave us no
 * audio, so any provider failure (`ProviderError`) moves on to the next provider, including an
 * unknown outcome (timeout, dropped connection, a 200 we could not read): that call may have been
 * billed, so the same provider is never called again for this request; a different provider is
 * (that is what the chain is for). Errors that are not provider failures (an empty text, a bad
 * destination path, a bug) are thrown at once: no other provider would do better.
 *
 * A voice or model named in the request belongs to the first provider's vendor (an OpenAI voice
 * name means nothing to ElevenLabs), so the fallbacks get the request without them and use their
 * own configured voice and model.
 *
 * `RateLimiter` is an in-process token bucket (requests per minute, with a burst) that the remote
 * adapters take a token from before every HTTP attempt, retries included; a 429 with Retry-After
 * pauses the bucket, so every caller sharing it waits, not only the one that was refused.
 * `RateLimiter.shared` returns one bucket per provider account (provider, base URL and a hash of
 * the key) for the whole process, so several nodes or executions in one n8n process share the
 * vendor's limit. Across processes (queue-mode workers) each has its own bucket: set the rate per
 * worker accordingly.
 */
import { createHash } from 'node:crypto';

import { ProviderError, type SpeechRequest, type SpeechResult, type TtsProvider } from '../types';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER_SECONDS, ProviderCallError, callWithRetries, type ProviderErrorKind, type RetryPolicy } from '../llm/openai';

// ---------------------------------------------------------------------------------------- rate limits

export interface RateLimiterOptions {
	/** Sustained rate. Must be > 0. */
	requestsPerMinute: number;
	/** Requests that may go at once after a quiet period. Default 1 (evenly spaced calls). */
	burst?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const now = () => performance.now();

export class RateLimiter {
	private static readonly registry = new Map<string, RateLimiter>();

	private ratePerMs = 0;
	private capacity = 1;
	private tokens = 1;
	private refilledAt = now();
	private pausedUntil = 0;
	/** Callers are served in arrival order. */
	private tail: Promise<void> = Promise.resolve();

	constructor(opts: RateLimiterOptions) {
		this.configure(opts);
		this.tokens = this.capacity;
	}

	/**
	 * The process-wide bucket for `key` (see `rateLimitKey`); created on first use, and re-rated
	 * when a later caller configures another rate (the latest configuration wins).
	 */
	static shared(key: string, opts: RateLimiterOptions): RateLimiter {
		const existing = RateLimiter.registry.get(key);
		if (existing) {
			existing.configure(opts);
			return existing;
		}
		const created = new RateLimiter(opts);
		RateLimiter.registry.set(key, created);
		return created;
	}

	get requestsPerMinute(): number {
		return this.ratePerMs * 60_000;
	}

	configure(opts: RateLimiterOptions): void {
		const rpm = opts.requestsPerMinute;
		if (!Number.isFinite(rpm) || rpm <= 0) throw new RangeError(`requestsPerMinute must be a positive number (got ${String(rpm)})`);
		const burst = opts.burst ?? 1;
		if (!Number.isFinite(burst) || burst < 1) throw new RangeError(`burst must be at least 1 (got ${String(burst)})`);
		this.refill();
		this.ratePerMs = rpm / 60_000;
		this.capacity = Math.floor(burst);
		this.tokens = Math.min(this.tokens, this.capacity);
	}

	/** Nobody gets a token for `seconds` (a 429's Retry-After). */
	pauseFor(seconds: number): void {
		if (!(seconds > 0)) return;
		this.pausedUntil = Math.max(this.pausedUntil, now() + seconds * 1000);
	}

	/** Resolves when the caller may send one request. */
	acquire(): Promise<void> {
		const turn = this.tail.then(() => this.take());
		this.tail = turn.catch(() => undefined);
		return turn;
	}

	private refill(): void {
		const t = now();
		this.tokens = Math.min(this.capacity, this.tokens + (t - this.refilledAt) * this.ratePerMs);
		this.refilledAt = t;
	}

	private async take(): Promise<void> {
		for (;;) {
			const paused = this.pausedUntil - now();
			if (paused > 0) {
				await sleep(Math.ceil(paused));
				continue;
			}
			this.refill();
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return;
			}
			await sleep(Math.ceil((1 - this.tokens) / this.ratePerMs));
		}
	}
}

/** A bucket key for one account at one vendor: the key itself is hashed, never kept. */
export function rateLimitKey(provider: string, baseUrl: string, apiKey: string | undefined): string {
	const account = apiKey ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16) : 'no-key';
	return `${provider}|${baseUrl}|${account}`;
}

/** The limiter an adapter uses: the one given, else the shared bucket for its account when a rate is set. */
export function limiterFor(
	opts: { rateLimiter?: RateLimiter; requestsPerMinute?: number; burst?: number },
	provider: string,
	baseUrl: string,
	apiKey: string | undefined,
): RateLimiter | undefined {
	if (opts.rateLimiter) return opts.rateLimiter;
	if (opts.requestsPerMinute === undefined || opts.requestsPerMinute === null) return undefined;
	return RateLimiter.shared(rateLimitKey(provider, baseUrl, apiKey), { requestsPerMinute: opts.requestsPerMinute, burst: opts.burst });
}

/**
 * The LLM adapters' retry policy (retry only when the vendor certainly did not do the work: 429,
 * 500/502/503/529, a connection never made) with a rate-limiter token taken before every attempt.
 * Each attempt runs through `callWithRetries` (no retries of its own) for the per-attempt timeout
 * and the error mapping; the token is taken outside that timeout, so waiting for the bucket can
 * never be mistaken for a request that timed out.
 */
export async function callTtsWithRetries<R>(
	fn: (signal: AbortSignal) => Promise<R>,
	opts: RetryPolicy & { provider: string; redact: (s: string) => string; timeoutMs?: number; limiter?: RateLimiter },
): Promise<R> {
	const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
	const maxWait = opts.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
	const base = opts.retryBaseDelayMs ?? 500;
	for (let attempt = 0; ; attempt++) {
		if (opts.limiter) await opts.limiter.acquire();
		try {
			return await callWithRetries(fn, { provider: opts.provider, redact: opts.redact, timeoutMs: opts.timeoutMs, maxRetries: 0 });
		} catch (err) {
			if (!(err instanceof ProviderError)) throw err;
			const kind = err instanceof ProviderCallError ? err.kind : undefined;
			const retryable = err.outcomeKnown && (kind === 'rate_limited' || kind === 'server' || kind === 'network');
			if (err.status === 429 && err.retryAfterSeconds !== undefined && err.retryAfterSeconds <= maxWait) opts.limiter?.pauseFor(err.retryAfterSeconds);
			if (!retryable || attempt >= maxRetries) throw err;
			if (err.retryAfterSeconds !== undefined) {
				if (err.retryAfterSeconds > maxWait) throw err;
				// With a limiter the bucket is paused and the next acquire waits; without one, wait here.
				if (!opts.limiter) await sleep(err.retryAfterSeconds * 1000);
			} else {
				await sleep(Math.min(base * 2 ** attempt, 8000) * (1 - Math.random() * 0.25));
			}
		}
	}
}

// ---------------------------------------------------------------------------------------- fallback

export interface TtsFailure {
	provider: string;
	model: string;
	message: string;
	kind: ProviderErrorKind | 'unknown' | 'skipped';
	status: number | null;
	/** false: the call may have been done and billed. */
	outcomeKnown: boolean;
}

export interface FallbackSpeechResult extends SpeechResult {
	/** The provider that produced the audio (same as `provider`). */
	answeredBy: string;
	/** True when a provider other than the first answered. */
	fellBack: boolean;
	/** Every provider that failed or was skipped before the answer, in order. */
	failures: TtsFailure[];
}

export interface FallbackTtsOptions {
	/** Told each time the chain moves past a provider (for logs and pipeline events). */
	onFallback?: (info: { from: string; model: string; to: string; reason: string; kind: TtsFailure['kind']; outcomeKnown: boolean }) => void;
}

/** Every provider in the chain failed; `failures` says how, in order. */
export class TtsChainError extends ProviderError {
	constructor(readonly failures: TtsFailure[]) {
		const last = failures[failures.length - 1];
		super(
			`every TTS provider failed: ${failures.map((f) => `${f.provider}/${f.model}: ${f.message}`).join('; ')}`,
			last?.provider ?? 'tts',
			last?.status ?? null,
			failures.every((f) => f.outcomeKnown),
		);
		this.name = 'TtsChainError';
	}
}

const identity = (p: TtsProvider) => `${p.name}/${p.model}`;

export class FallbackTtsProvider implements TtsProvider {
	readonly providers: readonly TtsProvider[];

	constructor(
		providers: TtsProvider[],
		private readonly opts: FallbackTtsOptions = {},
	) {
		if (providers.length === 0) throw new RangeError('a TTS chain needs at least one provider');
		this.providers = [...providers];
	}

	get name(): string {
		return this.providers[0].name;
	}

	get model(): string {
		return this.providers[0].model;
	}

	async synthesize(req: SpeechRequest, destPath: string): Promise<FallbackSpeechResult> {
		const failures: TtsFailure[] = [];
		const called = new Set<TtsProvider>();
		/** provider/model pairs whose call may have gone through: never called again for this request. */
		const unknown = new Set<string>();
		for (let i = 0; i < this.providers.length; i++) {
			const p = this.providers[i];
			if (called.has(p) || unknown.has(identity(p))) {
				failures.push({
					provider: p.name,
					model: p.model,
					message: 'skipped: this provider already failed with an unknown outcome (it may have billed the call)',
					kind: 'skipped',
					status: null,
					outcomeKnown: true,
				});
				continue;
			}
			called.add(p);
			const attempt: SpeechRequest = i === 0 ? req : { text: req.text, ...(req.speed !== undefined ? { speed: req.speed } : {}) };
			try {
				const result = await p.synthesize(attempt, destPath);
				return { ...result, answeredBy: result.provider, fellBack: i > 0, failures };
			} catch (err) {
				if (!(err instanceof ProviderError)) throw err;
				const kind = err instanceof ProviderCallError ? err.kind : 'unknown';
				failures.push({ provider: p.name, model: p.model, message: err.message, kind, status: err.status, outcomeKnown: err.outcomeKnown });
				if (!err.outcomeKnown) unknown.add(identity(p));
				const next = this.providers.slice(i + 1).find((q) => !called.has(q) && !unknown.has(identity(q)));
				if (next) this.opts.onFallback?.({ from: p.name, model: p.model, to: next.name, reason: err.message, kind, outcomeKnown: err.outcomeKnown });
			}
		}
		throw new TtsChainError(failures);
	}
}
