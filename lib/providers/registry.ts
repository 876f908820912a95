/**
 * Providers from plain config objects (what a node builds from its parameters and credential), so
 * adding a vendor touches its own file and this one. Secrets arrive in the config; nothing here
 * reads the environment. A missing or wrong setting is a ValidationError naming the field.
 */
import { ValidationError } from '../domain/errors';
import { LocalEmbeddingProvider } from './embeddings/local';
import { OpenAiEmbeddingProvider } from './embeddings/openai';
import { AnthropicLlmProvider } from './llm/anthropic';
import { FallbackLlmProvider, type FallbackOptions } from './llm/fallback';
import { LocalLlmProvider } from './llm/local';
import { OpenAiLlmProvider, type RetryPolicy } from './llm/openai';
import { OpenAiCompatibleLlmProvider, type StructuredOutputMode } from './llm/openai-compatible';
import { LocalModerationProvider } from './moderation/local';
import { OpenAiModerationProvider } from './moderation/openai';
import type { EmbeddingProvider, LlmProvider, ModerationProvider, VectorStore } from './types';
import { PineconeVectorStore } from './vectors/pinecone';

export const LLM_PROVIDERS = ['openai', 'anthropic', 'openai_compatible', 'local'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

export interface LlmConfig extends RetryPolicy {
	provider: LlmProviderName;
	/** Required for openai and anthropic; optional for openai_compatible (local servers need none). */
	apiKey?: string;
	/** openai: default https://api.openai.com/v1; anthropic: https://api.anthropic.com; openai_compatible: required. */
	baseUrl?: string;
	/** openai: gpt-4o-mini; anthropic: claude-haiku-4-5; openai_compatible: required. */
	model?: string;
	timeoutMs?: number;
	/** openai_compatible: how structured output is asked for (default json_object). */
	structuredOutput?: StructuredOutputMode;
	/** openai_compatible: provider name for results and prices (default: "deepseek" on DeepSeek's host, else "openai_compatible"). */
	name?: string;
	/** anthropic: `anthropic-version` header (default 2023-06-01). */
	apiVersion?: string;
	/** Answer from the local templates when the remote LLM fails (seed 004). Default false. */
	allowLocalFallback?: boolean;
}

export interface EmbeddingConfig extends RetryPolicy {
	provider: 'openai' | 'local';
	apiKey?: string;
	baseUrl?: string;
	/** openai: default text-embedding-3-small. */
	model?: string;
	dimensions?: number;
	batchSize?: number;
	timeoutMs?: number;
}

export interface ModerationConfig extends RetryPolicy {
	/** "local": offline rules (lib/providers/moderation/local.ts); "none": no moderation at all (null). */
	provider: 'openai' | 'local' | 'none';
	apiKey?: string;
	baseUrl?: string;
	/** Default omni-moderation-latest. */
	model?: string;
	timeoutMs?: number;
}

export interface VectorStoreConfig {
	/** pgvector / supabase: vectors live in the store (match_brand_guidelines); no VectorStore object. */
	provider: 'pgvector' | 'supabase' | 'pinecone';
	apiKey?: string;
	indexHost?: string;
	indexName?: string;
	controllerHostUrl?: string;
	maxRetries?: number;
	maxRetryAfterSeconds?: number;
	timeoutMs?: number;
}

function required(value: string | undefined, field: string, what: string): string {
	if (!value || !value.trim()) throw new ValidationError(`${what} needs ${field}`, field);
	return value.trim();
}

function retry(config: RetryPolicy): RetryPolicy {
	return { maxRetries: config.maxRetries, maxRetryAfterSeconds: config.maxRetryAfterSeconds, retryBaseDelayMs: config.retryBaseDelayMs };
}

/** The configured LLM alone, without the local fallback. */
export function createPrimaryLlmProvider(config: LlmConfig): LlmProvider {
	switch (config.provider) {
		case 'openai':
			return new OpenAiLlmProvider({
				apiKey: required(config.apiKey, 'apiKey', 'OpenAI'),
				baseURL: config.baseUrl || undefined,
				model: config.model || undefined,
				timeoutMs: config.timeoutMs,
				...retry(config),
			});
		case 'anthropic':
			return new AnthropicLlmProvider({
				apiKey: required(config.apiKey, 'apiKey', 'Anthropic'),
				baseURL: config.baseUrl || undefined,
				model: config.model || undefined,
				timeoutMs: config.timeoutMs,
				apiVersion: config.apiVersion || undefined,
				...retry(config),
			});
		case 'openai_compatible':
			return new OpenAiCompatibleLlmProvider({
				baseURL: required(config.baseUrl, 'baseUrl', 'An OpenAI-compatible LLM'),
				model: required(config.model, 'model', 'An OpenAI-compatible LLM'),
				apiKey: config.apiKey || undefined,
				name: config.name || undefined,
				structuredOutput: config.structuredOutput,
				timeoutMs: config.timeoutMs,
				...retry(config),
			});
		case 'local':
			return new LocalLlmProvider();
		default:
			throw new ValidationError(
				`unknown LLM provider "${String((config as { provider?: unknown }).provider)}"; use one of ${LLM_PROVIDERS.join(', ')}`,
				'provider',
			);
	}
}

/**
 * The configured LLM; with `allowLocalFallback`, wrapped so the local templates answer when it
 * fails. `wrapPrimary` goes around the remote provider only (e.g. cost metering), so a fallback
 * answer is never priced as the remote model.
 */
export function createLlmProvider(
	config: LlmConfig,
	opts: { wrapPrimary?: (primary: LlmProvider) => LlmProvider; onFallback?: FallbackOptions['onFallback'] } = {},
): LlmProvider {
	const primary = createPrimaryLlmProvider(config);
	if (config.provider === 'local') return primary;
	const wrapped = opts.wrapPrimary ? opts.wrapPrimary(primary) : primary;
	if (!config.allowLocalFallback) return wrapped;
	return new FallbackLlmProvider(wrapped, new LocalLlmProvider(), { allowLocalFallback: true, onFallback: opts.onFallback });
}

export function createEmbeddingProvider(config: EmbeddingConfig): EmbeddingProvider {
	switch (config.provider) {
		case 'openai':
			return new OpenAiEmbeddingProvider({
				apiKey: required(config.apiKey, 'apiKey', 'OpenAI embeddings'),
				baseURL: config.baseUrl || undefined,
				model: config.model || undefined,
				dimensions: config.dimensions,
				batchSize: config.batchSize,
				timeoutMs: config.timeoutMs,
				...retry(config),
			});
		case 'local':
			return new LocalEmbeddingProvider();
		default:
			throw new ValidationError(`unknown embedding provider "${String((config as { provider?: unknown }).provider)}"; use openai or local`, 'provider');
	}
}

/** null for "none". */
export function createModerationProvider(config: ModerationConfig): ModerationProvider | null {
	switch (config.provider) {
		case 'openai':
			return new OpenAiModerationProvider({
				apiKey: required(config.apiKey, 'apiKey', 'OpenAI moderation'),
				baseURL: config.baseUrl || undefined,
				model: config.model || undefined,
				timeoutMs: config.timeoutMs,
				...retry(config),
			});
		case 'local':
			return new LocalModerationProvider();
		case 'none':
			return null;
		default:
			throw new ValidationError(`unknown moderation provider "${String((config as { provider?: unknown }).provider)}"; use openai, local or none`, 'provider');
	}
}

/** null for pgvector/supabase: the caller uses the Store's match_brand_guidelines (see lib/strategy/brand-rag.ts). */
export function createVectorStore(config: VectorStoreConfig): VectorStore | null {
	switch (config.provider) {
		case 'pgvector':
		case 'supabase':
			return null;
		case 'pinecone':
			if (!config.indexHost?.trim() && !config.indexName?.trim()) {
				throw new ValidationError('Pinecone needs an index host or an index name', 'indexHost');
			}
			return new PineconeVectorStore({
				apiKey: required(config.apiKey, 'apiKey', 'Pinecone'),
				indexHost: config.indexHost?.trim() || undefined,
				indexName: config.indexName?.trim() || undefined,
				controllerHostUrl: config.controllerHostUrl || undefined,
				maxRetries: config.maxRetries,
				maxRetryAfterSeconds: config.maxRetryAfterSeconds,
				timeoutMs: config.timeoutMs,
			});
		default:
			throw new ValidationError(`unknown vector store "${String((config as { provider?: unknown }).provider)}"; use pgvector or pinecone`, 'provider');
	}
}
