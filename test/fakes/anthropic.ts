/**
 * A loopback Anthropic Messages API (`POST /v1/messages`) that the Anthropic adapter (and the
 * @anthropic-ai/sdk, which sends the same request) runs against (base URL = `url`). Like api.anthropic.com it requires `x-api-key` and
 * `anthropic-version`, requires `max_tokens`, and checks a structured-output schema
 * (`output_config.format`, type json_schema): every object needs `additionalProperties: false`, and
 * the constraint keywords Anthropic does not support (minLength, maxLength, minimum, maximum...)
 * are refused. A message's content is a string or an array of blocks: `text`, and `image` with a
 * `base64` source whose `media_type` is image/jpeg, png, gif or webp and whose bytes are that
 * format (else the API's 400 naming the block, e.g. `messages.0.content.0.image.source.base64.data:
 * Image does not match the provided media type image/png`); accepted images are kept (`images`)
 * and billed as Anthropic counts them (width × height / 750 tokens, after fitting the long edge in
 * 1568 px). Replies are queued by the test; errors are `{type:"error", error:{type,message},
 * request_id}`. Faults: 429 + retry-after, 500/529, hang, drop, malformed (see ./openai).
 */
import { decodeBase64, fakeTokens, HttpError, imageSize, sniffImage, startLoopback, type LoggedRequest, type Loopback, type Reply, type SeenImage } from './openai';

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
	/** Every image the API accepted, in order. */
	images: SeenImage[];
}

const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const BLOCK_TYPES = ['text', 'image', 'document', 'search_result', 'thinking', 'redacted_thinking', 'tool_use', 'tool_result', 'server_tool_use', 'web_search_tool_result'];

/** Image tokens as Anthropic counts them: the long edge fitted in 1568 px, then width × height / 750. */
export function anthropicImageTokens(image: { width: number; height: number }): number {
	const fit = Math.min(1, 1568 / Math.max(image.width, image.height));
	return Math.ceil((Math.round(image.width * fit) * Math.round(image.height * fit)) / 750);
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
	const images: SeenImage[] = [];
	let seq = 0;

	/** The API's checks on content blocks (errors name the block's path); the text and the images they hold. */
	const contents = async (messages: { content?: unknown }[]): Promise<{ text: string[]; images: SeenImage[] }> => {
		const text: string[] = [];
		const found: SeenImage[] = [];
		for (const [i, message] of messages.entries()) {
			if (typeof message?.content === 'string') {
				text.push(message.content);
				continue;
			}
			if (!Array.isArray(message?.content)) throw new HttpError(400, anthropicError('invalid_request_error', `messages.${i}.content: Input should be a valid list`));
			for (const [j, block] of (message.content as Record<string, unknown>[]).entries()) {
				const at = `messages.${i}.content.${j}`;
				const bad = (m: string) => new HttpError(400, anthropicError('invalid_request_error', m));
				if (!block || typeof block !== 'object' || !BLOCK_TYPES.includes(String(block.type))) {
					throw bad(`${at}: Input tag '${String(block?.type)}' found using 'type' does not match any of the expected tags: ${BLOCK_TYPES.map((t) => `'${t}'`).join(', ')}`);
				}
				if (block.type === 'text') {
					if (typeof block.text !== 'string') throw bad(`${at}.text.text: Field required`);
					text.push(block.text);
					continue;
				}
				if (block.type !== 'image') continue;
				const source = block.source as { type?: unknown; media_type?: unknown; data?: unknown } | undefined;
				if (!source || typeof source !== 'object') throw bad(`${at}.image.source: Field required`);
				if (source.type !== 'base64') {
					// url and file sources exist; the fake fetches nothing, so it takes base64 only.
					throw bad(`${at}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file' (this fake accepts base64)`);
				}
				if (!MEDIA_TYPES.includes(String(source.media_type))) throw bad(`${at}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
				if (typeof source.data !== 'string') throw bad(`${at}.image.source.base64.data: Field required`);
				const bytes = decodeBase64(source.data);
				const format = bytes && bytes.length ? sniffImage(bytes) : null;
				const size = format && bytes ? await imageSize(bytes) : null;
				if (!bytes || !format || !size) throw bad(`${at}.image.source.base64.data: Image does not match the provided media type ${String(source.media_type)}`);
				if (`image/${format}` !== source.media_type) {
					throw bad(`${at}.image.source.base64: The image was specified using the ${String(source.media_type)} media type, but the image appears to be a image/${format} image`);
				}
				found.push({ mimeType: String(source.media_type), format, ...size, bytes });
			}
		}
		return { text, images: found };
	};

	const route = async (req: LoggedRequest): Promise<Reply> => {
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
		const given = await contents(body.messages as { content?: unknown }[]);
		images.push(...given.images);
		const next = replies.shift() ?? { text: '{}' };
		const reply = typeof next === 'function' ? next(body) : next;
		const text = typeof reply.text === 'object' ? JSON.stringify(reply.text) : (reply.text ?? '');
		const prompt = [typeof body.system === 'string' ? body.system : '', ...given.text].join('\n');
		const imageTokens = given.images.reduce((n, img) => n + anthropicImageTokens(img), 0);
		const usage = reply.usage ?? { input_tokens: fakeTokens(prompt) + imageTokens, output_tokens: fakeTokens(text) };
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
		images,
	};
}
