/**
 * Anthropic Messages API with structured outputs: `output_config.format = {type: "json_schema",
 * schema}`, which provider-apis.md documents as generally available (the beta `output_format` field
 * and a forced tool call are not needed). The answer is the text block(s) of the response, validated
 * with the zod schema. Retries follow the shared policy in ./openai. A request's images go in the
 * user message as base64 `image` blocks before its text (`anthropicUserContent`).
 *
 * One POST with fetch, not @anthropic-ai/sdk: the SDK and its dependencies are 28 MB installed, and
 * this adapter needs one endpoint. An error answer becomes an AnthropicHttpError carrying the status
 * and headers, which toProviderError maps like the SDK's APIError (429 + retry-after, 401/403, 5xx
 * and 529); a connection that fails carries its code in `cause`, as undici reports it.
 */
import { secretRedactor } from '../../domain/errors';
import type { LlmProvider, LlmRequest, LlmResult, Usage } from '../types';
import {
	callWithRetries,
	jsonSchemaFor,
	ProviderCallError,
	validateModelOutput,
	type ProviderErrorKind,
	type RetryPolicy,
} from './openai';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';
/**
 * The API version provider-apis.md documents (and @anthropic-ai/sdk 0.137 sends). SDK 1.x moved to
 * 2026-10-21 with `Authorization: Bearer` instead of `x-api-key`, which our reference has not checked.
 */
export const ANTHROPIC_API_VERSION = '2023-06-01';

export interface AnthropicLlmOptions extends RetryPolicy {
	apiKey: string;
	/** Default https://api.anthropic.com (the adapter appends /v1/messages). */
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

/** A content block of a user message: text, or an image as base64 (`source.type: "base64"`). */
type ContentBlock = { type: 'text'; text: string } | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } };

/** The parts of a Messages API request and response this adapter uses. */
interface MessagesBody {
	model: string;
	max_tokens: number;
	system?: string;
	messages: Array<{ role: 'user'; content: string | ContentBlock[] }>;
	output_config: { format: { type: 'json_schema'; schema: unknown } };
	temperature?: number;
}

interface MessagesResponse {
	content?: Array<{ type: string; text?: string }>;
	stop_reason?: string | null;
	usage?: { input_tokens?: number; output_tokens?: number };
}

/** A non-2xx answer of the Messages API: status, headers and the API's own message. */
export class AnthropicHttpError extends Error {
	constructor(
		readonly status: number,
		readonly headers: Headers,
		message: string,
	) {
		super(message);
		this.name = 'AnthropicHttpError';
	}
}

/** The API's error text: `{"type":"error","error":{"type","message"}}`, or the body's start. */
function errorText(body: string): string {
	try {
		const e = (JSON.parse(body) as { error?: { type?: string; message?: string } }).error;
		if (e?.message) return e.type ? `${e.type}: ${e.message}` : e.message;
	} catch {
		// not JSON: the body itself says what happened
	}
	return body.slice(0, 300);
}

/**
 * The user message's content: the prompt alone, or (vision input) one base64 `image` block per
 * image followed by the prompt as a text block (Anthropic's guidance: images before the question).
 */
export function anthropicUserContent(req: Pick<LlmRequest<unknown>, 'prompt' | 'images'>): string | ContentBlock[] {
	if (!req.images?.length) return req.prompt;
	return [
		...req.images.map((image): ContentBlock => ({ type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.data.toString('base64') } })),
		{ type: 'text', text: req.prompt },
	];
}

export class AnthropicLlmProvider implements LlmProvider {
	readonly name = 'anthropic';
	readonly model: string;
	private readonly url: string;
	private readonly headers: Record<string, string>;
	private readonly redact: (s: string) => string;

	constructor(private readonly opts: AnthropicLlmOptions) {
		if (!opts.apiKey) throw new Error('Anthropic needs an API key');
		this.model = opts.model || DEFAULT_ANTHROPIC_MODEL;
		this.redact = secretRedactor([opts.apiKey]);
		// Explicit key and base URL: nothing is read from the environment.
		this.url = `${(opts.baseURL || ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
		this.headers = {
			'x-api-key': opts.apiKey,
			'anthropic-version': opts.apiVersion || ANTHROPIC_API_VERSION,
			'content-type': 'application/json',
			accept: 'application/json',
		};
	}

	private async post(body: MessagesBody, signal: AbortSignal): Promise<MessagesResponse> {
		const res = await fetch(this.url, { method: 'POST', headers: this.headers, body: JSON.stringify(body), signal });
		const text = await res.text();
		if (!res.ok) throw new AnthropicHttpError(res.status, res.headers, `${res.status} ${errorText(text)}`);
		try {
			return JSON.parse(text) as MessagesResponse;
		} catch {
			// A 200 that is not JSON: the call may have been done and billed, so it is never re-sent.
			throw new ProviderCallError(this.redact(`anthropic/${this.model}: the response is not JSON`), this.name, res.status, false, 'invalid_output');
		}
	}

	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		const maxTokens = req.maxOutputTokens ?? this.opts.defaultMaxTokens ?? 8192;
		const body: MessagesBody = {
			model: this.model,
			max_tokens: maxTokens,
			system: req.system,
			messages: [{ role: 'user', content: anthropicUserContent(req) }],
			output_config: { format: { type: 'json_schema', schema: jsonSchemaFor(req.schema, { strict: true }) } },
			...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
		};
		const message = await callWithRetries((signal) => this.post(body, signal), {
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
			.filter((b) => b.type === 'text' && typeof b.text === 'string')
			.map((b) => b.text as string)
			.join('');
		if (text.trim() === '') throw fail('invalid_output', `the response has no text (stop_reason ${stop})`);
		const data = validateModelOutput(req, text, { provider: this.name, model: this.model, usage });
		return { data, provider: this.name, model: this.model, usage };
	}
}
