/**
 * OpenAI embeddings (`text-embedding-3-small`, 1536 dimensions) through the openai SDK. The SDK asks
 * for `encoding_format: "base64"` and decodes the float32 values itself. Inputs go in batches of at
 * most 2048 (the API's limit per request); vectors come back in input order whatever order the
 * batches' `data` arrive in. Retries follow the shared policy in ../llm/openai.
 */
import type OpenAI from 'openai';

import { secretRedactor, ValidationError } from '../../domain/errors';
import { callWithRetries, loadOnce, openAiClient, ProviderCallError, type RetryPolicy } from '../llm/openai';
import type { EmbeddingProvider, EmbeddingResult } from '../types';

export const DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-small';
/** Native sizes; text-embedding-3-* can also be shortened with `dimensions`. */
const NATIVE_DIMENSIONS: Record<string, number> = {
	'text-embedding-3-small': 1536,
	'text-embedding-3-large': 3072,
	'text-embedding-ada-002': 1536,
};
export const MAX_EMBEDDING_BATCH = 2048;

export interface OpenAiEmbeddingOptions extends RetryPolicy {
	apiKey: string;
	/** Default https://api.openai.com/v1. */
	baseURL?: string;
	/** Default text-embedding-3-small. */
	model?: string;
	/** Default: the model's native size (1536). The store's pgvector column is vector(1536). */
	dimensions?: number;
	/** Inputs per request, at most 2048. */
	batchSize?: number;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
}

export class OpenAiEmbeddingProvider implements EmbeddingProvider {
	readonly name = 'openai';
	readonly model: string;
	readonly dimensions: number;
	private readonly client: () => Promise<OpenAI>;
	private readonly redact: (s: string) => string;
	private readonly batchSize: number;

	constructor(private readonly opts: OpenAiEmbeddingOptions) {
		if (!opts.apiKey) throw new Error('OpenAI embeddings need an API key');
		this.model = opts.model || DEFAULT_EMBEDDING_MODEL;
		this.dimensions = opts.dimensions ?? NATIVE_DIMENSIONS[this.model] ?? 1536;
		this.batchSize = Math.min(Math.max(1, opts.batchSize ?? MAX_EMBEDDING_BATCH), MAX_EMBEDDING_BATCH);
		this.client = loadOnce(() => openAiClient(opts));
		this.redact = secretRedactor([opts.apiKey]);
	}

	async embed(texts: string[]): Promise<EmbeddingResult> {
		// The API rejects empty input: say which one, before spending anything.
		texts.forEach((t, i) => {
			if (typeof t !== 'string' || t.trim() === '') throw new ValidationError(`texts[${i}] is empty; nothing to embed`, `texts[${i}]`);
		});
		const client = await this.client();
		const vectors: number[][] = [];
		let inputTokens = 0;
		for (let start = 0; start < texts.length; start += this.batchSize) {
			const batch = texts.slice(start, start + this.batchSize);
			const res = await callWithRetries(
				(signal) =>
					client.embeddings.create(
						{
							model: this.model,
							input: batch,
							// Sent only when it differs from the native size: ada-002 does not accept the field.
							...(this.dimensions !== NATIVE_DIMENSIONS[this.model] ? { dimensions: this.dimensions } : {}),
						},
						{ signal },
					),
				{ ...this.opts, provider: this.name, redact: this.redact },
			);
			const byIndex = new Map(res.data.map((d) => [d.index, d.embedding]));
			for (let i = 0; i < batch.length; i++) {
				const v = byIndex.get(i);
				if (!Array.isArray(v) || v.length !== this.dimensions || !v.every(Number.isFinite)) {
					throw new ProviderCallError(
						`openai/${this.model} returned ${Array.isArray(v) ? `a ${v.length}-dimension vector` : 'no vector'} for input ${start + i}; expected ${this.dimensions} dimensions`,
						this.name,
						null,
						false,
						'invalid_output',
						{ model: this.model, usage: { input_tokens: res.usage?.prompt_tokens ?? 0, output_tokens: 0 } },
					);
				}
				vectors.push(v);
			}
			inputTokens += res.usage?.prompt_tokens ?? 0;
		}
		return { vectors, provider: this.name, model: this.model, usage: { input_tokens: inputTokens } };
	}
}
