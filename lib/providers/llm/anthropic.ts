/**
 * Anthropic Messages API with structured outputs: `output_config.format = {type: "json_schema",
 * schema}`, which provider-apis.md documents as generally available (the beta `output_format` field
 * and a forced tool call are not needed). The answer is the text block(s) of the response, validated
 * with the zod schema. Retries follow the shared policy in ./openai (the SDK's own loop is off).
 */
import type Anthropic from '@anthropic-ai/sdk';

import { secretRedactor } from '../../domain/errors';
import type { LlmProvider, LlmRequest, LlmResult, Usage } from '../types';
import {
	callWithRetries,
	DEFAULT_TIMEOUT_MS,
	jsonSchemaFor,
	loadOnce,
	ProviderCallError,
	validateModelOutput,
	type ProviderErrorKind,
	type RetryPolicy,
} from './openai';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';
/**
 * The API version provider-apis.md documents (and SDK 0.137 sends). It is pinned so an SDK update
 * cannot move it silently: SDK 1.x switched to 2026-10-21 with `Authorization: Bearer` instead of
 * `x-api-key`, which our reference has not checked.
 */
export const ANTHROPIC_API_VERSION = '2023-06-01';

export interface AnthropicLlmOptions extends RetryPolicy {
	apiKey: string;
	/** Default https://api.anthropic.com (the SDK appends /v1/messages). */
	baseURL?: string;
	/** Default claude-haiku-4-5. */
	model?: string;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
	/** `max_tokens` when the request gives none (the API requires one). Default 8192. */
	defaultMaxTokens?: number;
	/** `anthropic-version` header. Default 2023-06-01. */
	apiVersion?: string;
}

export class AnthropicLlmProvider implements LlmProvider {
	readonly name = 'anthropic';
	readonly model: string;
	private readonly client: () => Promise<Anthropic>;
	private readonly redact: (s: string) => string;

	constructor(private readonly opts: AnthropicLlmOptions) {
		if (!opts.apiKey) throw new Error('Anthropic needs an API key');
		this.model = opts.model || DEFAULT_ANTHROPIC_MODEL;
		this.redact = secretRedactor([opts.apiKey]);
		this.client = loadOnce(async () => {
			const { default: Anthropic } = await import('@anthropic-ai/sdk');
			return new Anthropic({
				// Explicit key, token and base URL: left undefined, the SDK would read ANTHROPIC_AUTH_TOKEN /
				// ANTHROPIC_BASE_URL from the environment (and send that token along to our base URL).
				apiKey: opts.apiKey,
				authToken: null,
				baseURL: opts.baseURL || ANTHROPIC_BASE_URL,
				webhookKey: null,
				// A backstop only: callWithRetries aborts each attempt at timeoutMs.
				timeout: (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5000,
				maxRetries: 0,
				defaultHeaders: { 'anthropic-version': opts.apiVersion || ANTHROPIC_API_VERSION },
			});
		});
	}

	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		const maxTokens = req.maxOutputTokens ?? this.opts.defaultMaxTokens ?? 8192;
		const body: Anthropic.Messages.MessageCreateParamsNonStreaming = {
			model: this.model,
			max_tokens: maxTokens,
			system: req.system,
			messages: [{ role: 'user', content: req.prompt }],
			output_config: { format: { type: 'json_schema', schema: jsonSchemaFor(req.schema, { strict: true }) } },
			...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
		};
		const client = await this.client();
		const message = await callWithRetries((signal) => client.messages.create(body, { signal }), {
			...this.opts,
			provider: this.name,
			redact: this.redact,
		});
		const usage: Usage = { input_tokens: message.usage?.input_tokens ?? 0, output_tokens: message.usage?.output_tokens ?? 0 };
		const fail = (kind: ProviderErrorKind, text: string) =>
			new ProviderCallError(this.redact(`anthropic/${this.model}: ${text}`), this.name, null, false, kind, { usage, model: this.model });
		const stop = message.stop_reason;
		if (stop === 'refusal') throw fail('refusal', 'the model refused to answer');
		if (stop === 'max_tokens' || stop === 'model_context_window_exceeded') {
			throw fail('truncated', `the output hit the token limit (${stop}, max_tokens ${maxTokens})`);
		}
		const text = (message.content ?? [])
			.filter((b): b is Anthropic.Messages.TextBlock => b.type === 'text')
			.map((b) => b.text)
			.join('');
		if (text.trim() === '') throw fail('invalid_output', `the response has no text (stop_reason ${stop})`);
		const data = validateModelOutput(req, text, { provider: this.name, model: this.model, usage });
		return { data, provider: this.name, model: this.model, usage };
	}
}
