/**
 * Seed 004: when the LLM is down, content still gets made, from the local templates, if the user
 * allowed it. The primary has already done its own retries (only where the work certainly was not
 * done; see callWithRetries). Nothing here re-sends the paid call: the fallback is the free local
 * provider, which is safe even when the primary's outcome is unknown.
 *
 * Falls back on: timeouts, lost or refused connections, 5xx, 429 (after the retries, or a
 * Retry-After too long to wait), output that fails the schema or was cut off. Does not fall back on
 * a bad key or a rejected request (a configuration error the user must see) nor on a refusal (the
 * model declined the content; templates must not route around that).
 */
import { ProviderError, type LlmProvider, type LlmRequest, type LlmResult, type Usage } from '../types';
import { ProviderCallError, type ProviderErrorKind } from './openai';

export interface FallbackLlmResult<T> extends LlmResult<T> {
	/** Set when the local provider answered in place of the primary: the primary's provider name. */
	fallback_from?: string;
	fallback_model?: string;
	/** Why the primary failed (its error message, secrets redacted). */
	fallback_reason?: string;
	/** What the primary billed before failing (e.g. output that did not validate), for the cost ledger. */
	fallback_primary_usage?: Usage;
}

export interface FallbackOptions {
	/** Off unless the user turned it on: silently swapping a model for templates is a product decision. */
	allowLocalFallback: boolean;
	/** Told about every fallback (for logs and pipeline events). */
	onFallback?: (info: { from: string; model: string; reason: string; kind: ProviderErrorKind | 'unknown' }) => void;
}

const FALLBACK_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['timeout', 'network', 'rate_limited', 'server', 'invalid_output', 'truncated']);

/** Whether a failure of the primary may be answered by the local provider. */
export function shouldFallBack(err: unknown): boolean {
	if (err instanceof ProviderCallError) return FALLBACK_KINDS.has(err.kind);
	// A plain ProviderError from another adapter: fall back on transport and server failures only.
	return err instanceof ProviderError && (err.status === null || err.status === 429 || err.status >= 500);
}

export class FallbackLlmProvider implements LlmProvider {
	constructor(
		readonly primary: LlmProvider,
		readonly local: LlmProvider,
		private readonly opts: FallbackOptions,
	) {}

	get name(): string {
		return this.primary.name;
	}

	get model(): string {
		return this.primary.model;
	}

	async generate<T>(req: LlmRequest<T>): Promise<FallbackLlmResult<T>> {
		try {
			return await this.primary.generate(req);
		} catch (err) {
			if (!this.opts.allowLocalFallback || !shouldFallBack(err)) throw err;
			const reason = (err as Error).message;
			const kind = err instanceof ProviderCallError ? err.kind : 'unknown';
			this.opts.onFallback?.({ from: this.primary.name, model: this.primary.model, reason, kind });
			const result = await this.local.generate(req);
			return {
				...result,
				fallback_from: this.primary.name,
				fallback_model: this.primary.model,
				fallback_reason: reason,
				...(err instanceof ProviderCallError && err.usage ? { fallback_primary_usage: err.usage } : {}),
			};
		}
	}
}
