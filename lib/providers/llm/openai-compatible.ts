/**
 * Any server that speaks OpenAI Chat Completions (DeepSeek, Ollama, vLLM, LiteLLM, LM Studio...).
 * Many accept only `response_format: {type: "json_object"}` or nothing at all, so by default the
 * JSON Schema goes into the prompt and the answer is validated here with the zod schema; servers
 * that support strict `json_schema` (vLLM, recent Ollama) can be switched to it.
 */
import type OpenAI from 'openai';

import type { LlmRequest } from '../types';
import { ChatCompletionsLlmProvider, chatUserContent, jsonSchemaFor, schemaNameFor, type RetryPolicy } from './openai';

/**
 * - `json_object`: `response_format: {type: "json_object"}` + the schema in the prompt (DeepSeek, Ollama, most servers).
 * - `json_schema`: strict `json_schema` as with OpenAI, for servers that implement it.
 * - `prompt`: no `response_format` at all, for servers that reject the field.
 */
export type StructuredOutputMode = 'json_object' | 'json_schema' | 'prompt';

export interface OpenAiCompatibleLlmOptions extends RetryPolicy {
	/** The server's OpenAI-style base URL, e.g. https://api.deepseek.com/v1 or http://localhost:11434/v1. */
	baseURL: string;
	model: string;
	/** Optional: local servers (Ollama, vLLM) usually need none, and then no Authorization header is sent. */
	apiKey?: string;
	/** The provider name in results and in the price table: "deepseek" for DeepSeek (derived from its host when left out). */
	name?: string;
	structuredOutput?: StructuredOutputMode;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
}

export const OPENAI_COMPATIBLE = 'openai_compatible';

/** DeepSeek's host names the provider "deepseek", which the price table knows; any other server is "openai_compatible". */
export function compatibleProviderName(baseURL: string): string {
	try {
		const host = new URL(baseURL).hostname;
		if (host === 'deepseek.com' || host.endsWith('.deepseek.com')) return 'deepseek';
	} catch {
		// an invalid URL is reported by the SDK on the first call
	}
	return OPENAI_COMPATIBLE;
}

export class OpenAiCompatibleLlmProvider extends ChatCompletionsLlmProvider {
	readonly name: string;
	readonly structuredOutput: StructuredOutputMode;

	constructor(opts: OpenAiCompatibleLlmOptions) {
		if (!opts.baseURL) throw new Error('an OpenAI-compatible provider needs a base URL');
		if (!opts.model) throw new Error('an OpenAI-compatible provider needs a model name');
		super(opts);
		this.name = opts.name || compatibleProviderName(opts.baseURL);
		this.structuredOutput = opts.structuredOutput ?? 'json_object';
	}

	protected body<T>(req: LlmRequest<T>): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
		const strict = this.structuredOutput === 'json_schema';
		// In json_object mode the prompt must say "JSON" (OpenAI and DeepSeek reject it otherwise) and
		// carry the schema, since the server does not enforce it.
		const system = strict
			? req.system
			: `${req.system}\n\nAnswer with one JSON object and nothing else (no prose, no code fences). ` +
				`It must match this JSON Schema:\n${JSON.stringify(jsonSchemaFor(req.schema, { strict: false }))}`;
		const responseFormat: OpenAI.Chat.Completions.ChatCompletionCreateParams['response_format'] = strict
			? { type: 'json_schema', json_schema: { name: schemaNameFor(req.schemaName), schema: jsonSchemaFor(req.schema, { strict: true }), strict: true } }
			: this.structuredOutput === 'json_object'
				? { type: 'json_object' }
				: undefined;
		return {
			model: this.model,
			messages: [
				{ role: 'system', content: system },
				{ role: 'user', content: chatUserContent(req) },
			],
			...(responseFormat ? { response_format: responseFormat } : {}),
			// max_tokens, not max_completion_tokens: the older name is the one these servers know.
			...(req.maxOutputTokens ? { max_tokens: req.maxOutputTokens } : {}),
			...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
		};
	}
}
