/**
 * A loopback Anthropic Messages API (`POST /v1/messages`) that the Anthropic adapter (and the
 * @anthropic-ai/sdk, which sends the same request) runs against (base URL = `url`). Like api.anthropic.com it requires `x-api-key` and
 * `anthropic-version`, requires `max_tokens`, and checks a structured-output schema
 * (`output_config.format`, type json_schema): every object needs `additionalProperties: false`, and
 * the constraint keywords Anthropic does not support (minLength, maxLength, minimum, maximum...)
 * are refused. Replies are queued by the test; errors are `{type:"error", error:{type,message},
 * request_id}`. Faults: 429 + retry-after, 500/529, hang, drop, malformed (see ./openai).
 */
import { fakeTokens, HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';

export interface MessageReply {
	/** The text block's content; an object is sent as its JSON text. */
	text?: string | object;
	stop_reason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';
	usage?: { input_tokens: number; output_tokens: number };
}

export interface AnthropicFakeOptions {
	apiKey?: string;
	/** Accepted anthropic-version values. */
	versions?: string[];
}

export interface AnthropicFake extends Loopback {
	replyWith(...replies: (MessageReply | ((body: Record<string, unknown>) => MessageReply))[]): void;
}

const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: `req_fake${Date.now()}` });

const UNSUPPORTED = ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'maxItems', 'pattern'];

function schemaProblem(schema: unknown, path = '#'): string | null {
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return `${path}: schema must be an object`;
	const s = schema as Record<string, unknown>;
	for (const key of UNSUPPORTED) if (key in s) return `${path}: '${key}' is not supported in structured outputs`;
	if (typeof s.minItems === 'number' && s.minItems > 1) return `${path}: 'minItems' values other than 0 and 1 are not supported`;
	if (s.type === 'object') {
		if (s.additionalProperties !== false) return `${path}: For 'object' type, 'additionalProperties' must be explicitly set to false`;
		for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
			const p = schemaProblem(v, `${path}/properties/${k}`);
			if (p) return p;
		}
	}
	if (s.items !== undefined) {
		const p = schemaProblem(s.items, `${path}/items`);
		if (p) return p;
	}
	for (const [i, o] of (Array.isArray(s.anyOf) ? (s.anyOf as unknown[]) : []).entries()) {
		const p = schemaProblem(o, `${path}/anyOf/${i}`);
		if (p) return p;
	}
	return null;
}

export async function startAnthropicFake(opts: AnthropicFakeOptions = {}): Promise<AnthropicFake> {
	const replies: (MessageReply | ((body: Record<string, unknown>) => MessageReply))[] = [];
	const versions = opts.versions ?? ['2023-06-01', '2026-10-21'];
	let seq = 0;

	const route = (req: LoggedRequest): Reply => {
		if (req.method !== 'POST' || req.path !== '/v1/messages') throw new HttpError(404, anthropicError('not_found_error', 'Not Found'));
		const key = req.headers['x-api-key'];
		if (opts.apiKey !== undefined && key !== opts.apiKey) throw new HttpError(401, anthropicError('authentication_error', 'invalid x-api-key'));
		const version = req.headers['anthropic-version'];
		if (!version) throw new HttpError(400, anthropicError('invalid_request_error', 'anthropic-version: header is required'));
		if (!versions.includes(String(version))) throw new HttpError(400, anthropicError('invalid_request_error', `anthropic-version: invalid version ${String(version)}`));
		const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
		if (typeof body.model !== 'string') throw new HttpError(400, anthropicError('invalid_request_error', 'model: Field required'));
		if (typeof body.max_tokens !== 'number') throw new HttpError(400, anthropicError('invalid_request_error', 'max_tokens: Field required'));
		if (!Array.isArray(body.messages) || body.messages.length === 0) throw new HttpError(400, anthropicError('invalid_request_error', 'messages: at least one message is required'));
		if ('output_format' in body) throw new HttpError(400, anthropicError('invalid_request_error', 'output_format: Extra inputs are not permitted (use output_config.format)'));
		const format = (body.output_config as { format?: { type?: string; schema?: unknown } } | undefined)?.format;
		if (format) {
			if (format.type !== 'json_schema') throw new HttpError(400, anthropicError('invalid_request_error', `output_config.format.type: must be 'json_schema'`));
			const problem = schemaProblem(format.schema);
			if (problem) throw new HttpError(400, anthropicError('invalid_request_error', `output_config.format.schema: ${problem}`));
		}
		const next = replies.shift() ?? { text: '{}' };
		const reply = typeof next === 'function' ? next(body) : next;
		const text = typeof reply.text === 'object' ? JSON.stringify(reply.text) : (reply.text ?? '');
		const prompt = [typeof body.system === 'string' ? body.system : '', ...(body.messages as { content?: unknown }[]).map((m) => String(m.content ?? ''))].join('\n');
		const usage = reply.usage ?? { input_tokens: fakeTokens(prompt), output_tokens: fakeTokens(text) };
		return {
			status: 200,
			headers: { 'request-id': `req_fake${++seq}` },
			body: {
				id: `msg_fake${seq}`,
				type: 'message',
				role: 'assistant',
				model: body.model,
				content: reply.stop_reason === 'refusal' ? [] : [{ type: 'text', text }],
				stop_reason: reply.stop_reason ?? 'end_turn',
				stop_sequence: null,
				usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
			},
		};
	};

	const loop = await startLoopback({
		route,
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? anthropicError('rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.')
				: status === 529
					? anthropicError('overloaded_error', 'Overloaded')
					: anthropicError('api_error', 'Internal server error'),
		rateLimitHeaders: { 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' },
	});
	return {
		...loop,
		replyWith(...r) {
			replies.push(...r);
		},
	};
}
