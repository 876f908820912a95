/**
 * One interface per provider kind. Every kind has a `local` implementation that works offline and
 * says so (`provider: 'local'`). Remote ones take every base URL from their options, which is how
 * the loopback fakes, proxies and OpenAI-compatible servers plug in. Secrets arrive as options;
 * lib/ never reads them from the environment.
 */
import type { z } from 'zod';

export interface Usage {
	input_tokens: number;
	output_tokens: number;
}

/** What a structured generation is for: the local provider fills its templates from this. */
export type LlmTask = 'creative_brief' | 'hooks' | 'script' | 'caption' | 'rubric';

export interface LlmRequest<T> {
	task: LlmTask;
	system: string;
	prompt: string;
	/** Validated on the way out; its JSON Schema goes to providers with structured output. */
	schema: z.ZodType<T>;
	schemaName: string;
	/** Structured inputs of the task (brief, brand, hook…), for the local templates. */
	context: Record<string, unknown>;
	maxOutputTokens?: number;
	temperature?: number;
}

export interface LlmResult<T> {
	data: T;
	provider: string;
	model: string;
	usage: Usage;
}

export interface LlmProvider {
	readonly name: string;
	readonly model: string;
	generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>>;
}

export interface EmbeddingResult {
	vectors: number[][];
	provider: string;
	model: string;
	usage: { input_tokens: number };
}

export interface EmbeddingProvider {
	readonly name: string;
	readonly model: string;
	readonly dimensions: number;
	embed(texts: string[]): Promise<EmbeddingResult>;
}

export interface ModerationCategoryResult {
	flagged: boolean;
	categories: Record<string, boolean>;
	category_scores: Record<string, number>;
}

export interface ModerationResult {
	provider: string;
	model: string;
	results: ModerationCategoryResult[];
}

export interface ModerationProvider {
	readonly name: string;
	moderate(texts: string[]): Promise<ModerationResult>;
}

export interface VectorRecord {
	id: string;
	values: number[];
	metadata: Record<string, string | number | boolean>;
}

export interface VectorMatch {
	id: string;
	score: number;
	metadata: Record<string, unknown>;
}

/** Where brand guideline vectors live: the store's pgvector (default) or Pinecone. */
export interface VectorStore {
	readonly name: string;
	upsert(namespace: string, records: VectorRecord[]): Promise<void>;
	deleteByDocument(namespace: string, documentId: string): Promise<void>;
	query(namespace: string, vector: number[], topK: number, minScore: number): Promise<VectorMatch[]>;
}

/** Failure of a remote provider call, with whether its outcome is known (never repeat a paid call on an unknown one). */
export class ProviderError extends Error {
	constructor(
		message: string,
		readonly provider: string,
		readonly status: number | null,
		/** true: the provider certainly did not do (or charge) the work, so a retry or fallback is safe. */
		readonly outcomeKnown: boolean,
		readonly retryAfterSeconds?: number,
	) {
		super(message);
		this.name = 'ProviderError';
	}
}
