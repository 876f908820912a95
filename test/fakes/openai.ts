/**
 * A loopback OpenAI API for the parts this package uses, answering the way api.openai.com does so
 * the real `openai` SDK runs against it unchanged (base URL `${url}` ends in /v1):
 *   - POST /v1/chat/completions: `response_format` json_schema (checked like OpenAI checks strict
 *     schemas: name ≤64 of [A-Za-z0-9_-], root object, every object `additionalProperties:false`
 *     with every property required, only supported keywords) or json_object (the messages must
 *     mention "json"); content as a string or an array of parts: `text`, and `image_url` (only in
 *     user messages; `detail` auto|low|high; the URL a base64 `data:` URL of a PNG, JPEG, GIF or
 *     WebP whose bytes really are one, else OpenAI's 400 naming the part); accepted images are
 *     kept (`images`) and billed as OpenAI bills them (gpt-4o-mini: 2,833 tokens low detail,
 *     others 85, plus tiles at high detail); replies are queued by the test (`replyWith`); usage
 *     is counted or given;
 *   - POST /v1/embeddings: float or base64 (float32 little-endian, what the SDK asks for by
 *     default), ≤2048 inputs, no empty strings; vectors are `fakeEmbedding(text, dims)`;
 *   - POST /v1/moderations: omni-moderation result shape; texts containing a rule word are flagged;
 *   - POST /v1/audio/speech: real audio made by ffmpeg (`fakeAudio`: a tone for the speech with
 *     silence before and after it, as long as the text at `speechSecondsPerChar`), in the asked
 *     `response_format`; checks model, voice (built-in name or `{id}`), input (1–4096 characters),
 *     instructions (refused for tts-1*), speed (0.25–4) the way the API does, 400s in its error shape;
 *   - auth `Authorization: Bearer <key>`; errors as `{error:{message,type,param,code}}`.
 * Faults on demand (`setFault`): 429 with Retry-After, 5xx, a request that never answers, a
 * dropped connection, a malformed 200. `requests` logs every request.
 *
 * `startLoopback` (the HTTP plumbing, fault queue and request log) is shared with the Anthropic
 * and Pinecone fakes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------- shared plumbing

export type Fault =
	| { kind: 'rate_limit'; retryAfter?: string; retryAfterMs?: string }
	| { kind: 'server_error'; status?: number }
	| { kind: 'hang' }
	| { kind: 'drop' }
	| { kind: 'malformed'; body?: string }
	| { kind: 'status'; status: number; body: unknown; headers?: Record<string, string> };

export interface LoggedRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: unknown;
	rawBody: string;
	/** ms since the fake started (for Retry-After checks). */
	at: number;
	fault?: Fault['kind'];
	status?: number;
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface Loopback {
	url: string;
	requests: LoggedRequest[];
	/** The next `times` requests (default: all until cleared) get `fault`; faults queue in order. */
	setFault(fault: Fault, times?: number): void;
	clearFaults(): void;
	close(): Promise<void>;
}

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
	) {
		super(`HTTP ${status}`);
	}
}

/**
 * A node:http server on 127.0.0.1 with the fault queue and request log. `route` answers a parsed
 * request (throw HttpError for an error answer); `errorBody` renders the vendor's error shape for
 * the 429/5xx faults.
 */
export async function startLoopback(opts: {
	route: (req: LoggedRequest) => Reply | Promise<Reply>;
	errorBody: (status: number, kind: 'rate_limit' | 'server_error') => unknown;
	/** Extra headers on a 429 besides Retry-After (OpenAI sends x-ratelimit-*). */
	rateLimitHeaders?: Record<string, string>;
}): Promise<Loopback> {
	const started = Date.now();
	const requests: LoggedRequest[] = [];
	const faults: { fault: Fault; left: number }[] = [];
	const sockets = new Set<Socket>();

	const send = (res: ServerResponse, reply: Reply) => {
		// A Buffer is sent as is (binary answers: audio); anything else but a string as JSON.
		const body = reply.body === undefined ? '' : typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
		res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
		res.end(body);
	};

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			void (async () => {
				const rawBody = Buffer.concat(chunks).toString('utf8');
				let body: unknown = undefined;
				try {
					body = rawBody ? JSON.parse(rawBody) : undefined;
				} catch {
					body = rawBody;
				}
				const url = new URL(req.url ?? '/', 'http://fake');
				const logged: LoggedRequest = {
					method: req.method ?? 'GET',
					path: url.pathname + url.search,
					headers: req.headers,
					body,
					rawBody,
					at: Date.now() - started,
				};
				requests.push(logged);
				const head = faults[0];
				if (head) {
					head.left -= 1;
					if (head.left <= 0) faults.shift();
					const f = head.fault;
					logged.fault = f.kind;
					if (f.kind === 'hang') return; // never answered; close() ends the socket
					if (f.kind === 'drop') {
						req.socket.destroy();
						return;
					}
					if (f.kind === 'malformed') {
						logged.status = 200;
						res.writeHead(200, { 'content-type': 'application/json' });
						res.end(f.body ?? '{"id": "truncated", "choi');
						return;
					}
					if (f.kind === 'rate_limit') {
						logged.status = 429;
						const headers: Record<string, string> = { ...(opts.rateLimitHeaders ?? {}) };
						if (f.retryAfter !== undefined) headers['retry-after'] = f.retryAfter;
						if (f.retryAfterMs !== undefined) headers['retry-after-ms'] = f.retryAfterMs;
						return send(res, { status: 429, body: opts.errorBody(429, 'rate_limit'), headers });
					}
					if (f.kind === 'server_error') {
						const status = f.status ?? 500;
						logged.status = status;
						return send(res, { status, body: opts.errorBody(status, 'server_error') });
					}
					logged.status = f.status;
					return send(res, { status: f.status, body: f.body, headers: f.headers });
				}
				try {
					const reply = await opts.route(logged);
					logged.status = reply.status;
					send(res, reply);
				} catch (err) {
					if (err instanceof HttpError) {
						logged.status = err.status;
						send(res, { status: err.status, body: err.body, headers: err.headers });
					} else {
						logged.status = 500;
						send(res, { status: 500, body: { error: String(err) } });
					}
				}
			})();
		});
	});
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		setFault(fault, times = Number.POSITIVE_INFINITY) {
			faults.push({ fault, left: times });
		},
		clearFaults() {
			faults.length = 0;
		},
		close() {
			for (const s of sockets) s.destroy();
			return new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** The fakes' token count: about four characters per token, at least one. */
export function fakeTokens(text: string): number {
	return Math.max(1, Math.ceil(text.length / 4));
}

export type SniffedFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/** An image's format from its first bytes (what the vendors check a declared type against), or null. */
export function sniffImage(bytes: Buffer): SniffedFormat | null {
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
	if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'gif';
	if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
	return null;
}

/** An image a fake accepted: its declared type, its real format and size, and the bytes. */
export interface SeenImage {
	mimeType: string;
	format: SniffedFormat;
	width: number;
	height: number;
	bytes: Buffer;
	detail?: string;
}

/** Decodes a sniffed image's header for its size (sharp, as the vendors decode it); null when it does not decode. */
export async function imageSize(bytes: Buffer): Promise<{ width: number; height: number } | null> {
	try {
		const { default: sharp } = await import('sharp');
		const meta = await sharp(bytes, { failOn: 'error' }).metadata();
		await sharp(bytes, { failOn: 'error' }).raw().toBuffer();
		return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
	} catch {
		return null;
	}
}

/** Strict base64 (what `Buffer.from(…, 'base64')` silently skips, a vendor rejects). */
export function decodeBase64(text: string): Buffer | null {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
	return Buffer.from(text, 'base64');
}

// ---------------------------------------------------------------------------------------- audio

export type FakeAudioFormat = 'mp3' | 'wav' | 'flac' | 'opus' | 'aac' | 'pcm';

export interface FakeAudioSpec {
	/** Seconds of sound (a tone standing in for speech). */
	speechSeconds: number;
	/** Silence before and after it. Default 0. */
	leadSilence?: number;
	tailSilence?: number;
	format: FakeAudioFormat;
	/** Default 24000 (OpenAI's and ElevenLabs' pcm rate); mp3 at 44100. */
	sampleRate?: number;
}

const FFMPEG_FORMAT: Record<FakeAudioFormat, { ext: string; args: string[] }> = {
	mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
	wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
	flac: { ext: 'flac', args: ['-c:a', 'flac'] },
	opus: { ext: 'ogg', args: ['-c:a', 'libopus', '-b:a', '32k'] },
	aac: { ext: 'aac', args: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'] },
	pcm: { ext: 'raw', args: ['-c:a', 'pcm_s16le', '-f', 's16le'] },
};

const audioCache = new Map<string, Promise<Buffer>>();

/**
 * Real audio bytes made by ffmpeg (once per distinct spec and run, then cached): a tone of
 * `speechSeconds` with silence around it, mono, in the format asked for (pcm: raw s16le).
 */
export function fakeAudio(spec: FakeAudioSpec): Promise<Buffer> {
	const rate = spec.sampleRate ?? (spec.format === 'mp3' ? 44100 : 24000);
	const lead = spec.leadSilence ?? 0;
	const tail = spec.tailSilence ?? 0;
	const key = `${spec.format}:${rate}:${spec.speechSeconds.toFixed(3)}:${lead}:${tail}`;
	let made = audioCache.get(key);
	if (!made) {
		made = new Promise<Buffer>((resolve, reject) => {
			const dir = mkdtempSync(join(tmpdir(), 'bi-fake-audio-'));
			const { ext, args } = FFMPEG_FORMAT[spec.format];
			const out = join(dir, `audio.${ext}`);
			const filters = [`adelay=${Math.round(lead * 1000)}:all=1`, `apad=pad_dur=${tail}`].join(',');
			execFile(
				'ffmpeg',
				[
					'-hide_banner', '-loglevel', 'error', '-y',
					'-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=${rate}:duration=${spec.speechSeconds.toFixed(3)}`,
					'-af', filters, '-ac', '1', '-ar', String(rate), ...args, out,
				],
				(err, _stdout, stderr) => {
					try {
						if (err) return reject(new Error(`ffmpeg could not make fake audio: ${stderr || err.message}`));
						resolve(readFileSync(out));
					} finally {
						rmSync(dir, { recursive: true, force: true });
					}
				},
			);
		});
		audioCache.set(key, made);
		made.catch(() => audioCache.delete(key));
	}
	return made;
}

// ---------------------------------------------------------------------------------------- OpenAI

export interface ChatReply {
	/** The assistant message content; an object is sent as its JSON text. */
	content?: string | object | null;
	refusal?: string;
	finish_reason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
	usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface OpenAiFakeOptions {
	/** The accepted key; requests with another get OpenAI's 401. */
	apiKey?: string;
	/** Echo the whole key in 401 messages (a misbehaving proxy), to prove the adapters redact it. */
	echoFullKeyInErrors?: boolean;
	/** Moderation: a text containing the word is flagged in the category. */
	moderationRules?: Record<string, string>;
	/** Speech: seconds of sound per input character at speed 1. Default 0.06. */
	speechSecondsPerChar?: number;
	/** Speech: silence before and after the sound. Defaults 0.25 and 0.35 s. */
	speechLeadSilence?: number;
	speechTailSilence?: number;
}

export interface OpenAiFake extends Loopback {
	/** `${url}/v1`, the SDK's baseURL. */
	baseURL: string;
	/** Queues chat replies, used in order; with none queued the reply is "{}". */
	replyWith(...replies: (ChatReply | ((body: Record<string, unknown>) => ChatReply))[]): void;
	chatRequests(): LoggedRequest[];
	speechRequests(): LoggedRequest[];
	/** Every image the chat endpoint accepted, in order. */
	images: SeenImage[];
}

export const SPEECH_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15'];
export const SPEECH_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
const SPEECH_CONTENT_TYPES: Record<FakeAudioFormat, string> = {
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	flac: 'audio/flac',
	opus: 'audio/opus',
	aac: 'audio/aac',
	pcm: 'audio/pcm',
};

export const EMBEDDING_MODELS: Record<string, number> = {
	'text-embedding-3-small': 1536,
	'text-embedding-3-large': 3072,
	'text-embedding-ada-002': 1536,
};

export const MODERATION_CATEGORIES = [
	'harassment',
	'harassment/threatening',
	'hate',
	'hate/threatening',
	'illicit',
	'illicit/violent',
	'self-harm',
	'self-harm/intent',
	'self-harm/instructions',
	'sexual',
	'sexual/minors',
	'violence',
	'violence/graphic',
] as const;

/**
 * The fake's embedding of a text: deterministic unit vector from the text's SHA-256, rounded to
 * float32 (what the API returns), so a test can compare the decoded values exactly.
 */
export function fakeEmbedding(text: string, dims = 1536): number[] {
	let state = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
	const raw: number[] = [];
	for (let i = 0; i < dims; i++) {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		raw.push(state / 0xffffffff - 0.5);
	}
	const norm = Math.hypot(...raw);
	return Array.from(Float32Array.from(raw.map((x) => x / norm)));
}

const openAiError = (message: string, type: string, code: string | null, param: string | null = null) => ({
	error: { message, type, param, code },
});

/** Keywords OpenAI strict mode accepts (its Structured Outputs "supported schemas" list). */
const STRICT_KEYWORDS = new Set([
	'type',
	'properties',
	'required',
	'additionalProperties',
	'items',
	'enum',
	'const',
	'anyOf',
	'description',
	'title',
	'$defs',
	'$ref',
	'pattern',
	'format',
	'minimum',
	'maximum',
	'exclusiveMinimum',
	'exclusiveMaximum',
	'multipleOf',
	'minItems',
	'maxItems',
]);

/** Returns OpenAI's complaint about a strict schema, or null when it is acceptable. */
export function strictSchemaProblem(schema: unknown, context: string[] = []): string | null {
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return `In context=(${context.join(', ')}), schema must be an object.`;
	const s = schema as Record<string, unknown>;
	const where = `In context=(${context.map((c) => `'${c}'`).join(', ')})`;
	for (const key of Object.keys(s)) {
		if (!STRICT_KEYWORDS.has(key)) return `${where}, '${key}' is not permitted.`;
	}
	if (context.length === 0 && s.type !== 'object') return `${where}, schema must be a JSON Schema of 'type: "object"', got 'type: "${String(s.type)}"'.`;
	if (s.type === 'object') {
		if (s.additionalProperties !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
		const props = (s.properties ?? {}) as Record<string, unknown>;
		const required = Array.isArray(s.required) ? (s.required as string[]) : [];
		for (const key of Object.keys(props)) {
			if (!required.includes(key)) return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${key}'.`;
			const p = strictSchemaProblem(props[key], [...context, 'properties', key]);
			if (p) return p;
		}
	}
	if (s.type === 'array') {
		const p = strictSchemaProblem(s.items, [...context, 'items']);
		if (p) return p;
	}
	if (Array.isArray(s.anyOf)) {
		for (const [i, option] of (s.anyOf as unknown[]).entries()) {
			const p = strictSchemaProblem(option, [...context, 'anyOf', String(i)]);
			if (p) return p;
		}
	}
	return null;
}

/** The text of the messages (string contents and `text` parts; images are billed apart). */
function messagesText(body: Record<string, unknown>): string {
	const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
	return messages
		.map((m) =>
			typeof m.content === 'string'
				? m.content
				: Array.isArray(m.content)
					? (m.content as { type?: unknown; text?: unknown }[])
							.filter((p) => p?.type === 'text' && typeof p.text === 'string')
							.map((p) => p.text as string)
							.join('\n')
					: JSON.stringify(m.content ?? ''),
		)
		.join('\n');
}

const CONTENT_PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];
const DATA_URL_HINT = "Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got";

/**
 * Image tokens as OpenAI bills them: gpt-4o-mini 2,833 per image at low detail (+5,667 per 512 px
 * tile at high), other vision models 85 (+170 per tile); high detail fits the image in 2048 px,
 * then its shorter side to 768 px, and counts 512 px tiles.
 */
export function openAiImageTokens(model: string, image: { width: number; height: number; detail?: string }): number {
	const [base, tile] = model.startsWith('gpt-4o-mini') ? [2833, 5667] : [85, 170];
	if (image.detail === 'low') return base;
	let { width: w, height: h } = image;
	const fit = Math.min(1, 2048 / Math.max(w, h));
	w *= fit;
	h *= fit;
	const short = Math.min(1, 768 / Math.min(w, h));
	w *= short;
	h *= short;
	return base + tile * Math.ceil(w / 512) * Math.ceil(h / 512);
}

export async function startOpenAiFake(opts: OpenAiFakeOptions = {}): Promise<OpenAiFake> {
	const replies: (ChatReply | ((body: Record<string, unknown>) => ChatReply))[] = [];
	const rules = opts.moderationRules ?? { kill: 'violence', hate: 'hate' };
	const images: SeenImage[] = [];
	let seq = 0;

	/** OpenAI's checks on array contents (errors name the part, as the API does); the images they hold. */
	const contentImages = async (body: Record<string, unknown>): Promise<SeenImage[]> => {
		const found: SeenImage[] = [];
		for (const [i, message] of (body.messages as { role?: unknown; content?: unknown }[]).entries()) {
			if (!Array.isArray(message?.content)) continue;
			for (const [j, part] of (message.content as Record<string, unknown>[]).entries()) {
				const at = `messages[${i}].content[${j}]`;
				const bad = (text: string, param: string, code: string | null = 'invalid_value') => new HttpError(400, openAiError(text, 'invalid_request_error', code, param));
				if (!part || typeof part !== 'object' || !CONTENT_PART_TYPES.includes(String(part.type))) {
					throw bad(`Invalid value: '${String(part?.type)}'. Supported values are: ${CONTENT_PART_TYPES.map((t) => `'${t}'`).join(', ')}.`, `${at}.type`);
				}
				if (part.type === 'text') {
					if (typeof part.text !== 'string') throw bad(`Missing required parameter: '${at}.text'.`, `${at}.text`, 'missing_required_parameter');
					continue;
				}
				if (part.type !== 'image_url') continue;
				if (message.role !== 'user') {
					throw bad(`Image URLs are only allowed for messages with role 'user', but this message with role '${String(message.role)}' contains an image URL.`, `${at}.type`);
				}
				const image = part.image_url as { url?: unknown; detail?: unknown } | undefined;
				if (!image || typeof image.url !== 'string') throw bad(`Missing required parameter: '${at}.image_url.url'.`, `${at}.image_url.url`, 'missing_required_parameter');
				if (image.detail !== undefined && !['auto', 'low', 'high'].includes(String(image.detail))) {
					throw bad(`Invalid value: '${String(image.detail)}'. Supported values are: 'auto', 'low', and 'high'.`, `${at}.image_url.detail`);
				}
				const url = image.url;
				if (/^https?:\/\//i.test(url)) throw bad(`Error while downloading ${url}.`, 'url', 'invalid_image_url'); // the fake downloads nothing
				const invalid = (what: string) => bad(`Invalid image URL: '${at}.image_url.url'. ${DATA_URL_HINT} ${what}.`, `${at}.image_url.url`);
				if (!url.startsWith('data:')) throw invalid("a value without the 'data:' prefix");
				const m = /^data:([^;,]*);base64,(.*)$/s.exec(url);
				if (!m) throw invalid('a value that is not base64-encoded');
				if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(m[1])) throw invalid(`unsupported MIME type '${m[1]}'`);
				if (m[2].length === 0) throw invalid('empty base64-encoded bytes');
				const bytes = decodeBase64(m[2]);
				if (!bytes) throw invalid('an invalid base64-encoded value');
				const format = sniffImage(bytes);
				const size = format ? await imageSize(bytes) : null;
				if (!format || !size) {
					throw new HttpError(
						400,
						openAiError("You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].", 'invalid_request_error', 'invalid_image_format'),
					);
				}
				found.push({ mimeType: m[1], format, ...size, bytes, detail: image.detail === undefined ? undefined : String(image.detail) });
			}
		}
		return found;
	};

	const route = (req: LoggedRequest): Reply | Promise<Reply> => {
		const auth = String(req.headers.authorization ?? '');
		const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
		if (opts.apiKey !== undefined && given !== opts.apiKey) {
			const shown = opts.echoFullKeyInErrors ? given : given.length > 8 ? `${given.slice(0, 3)}${'*'.repeat(given.length - 7)}${given.slice(-4)}` : '****';
			throw new HttpError(
				401,
				openAiError(`Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'),
			);
		}
		if (req.method !== 'POST') throw new HttpError(404, openAiError(`Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null));
		const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
		if (req.path === '/v1/chat/completions') return chat(body);
		if (req.path === '/v1/embeddings') return embeddings(body);
		if (req.path === '/v1/moderations') return moderations(body);
		if (req.path === '/v1/audio/speech') return speech(body);
		throw new HttpError(404, openAiError(`Invalid URL (POST ${req.path})`, 'invalid_request_error', null));
	};

	const chat = async (body: Record<string, unknown>): Promise<Reply> => {
		if (typeof body.model !== 'string') throw new HttpError(400, openAiError("Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model'));
		if (!Array.isArray(body.messages) || body.messages.length === 0) {
			throw new HttpError(400, openAiError("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'invalid_request_error', 'empty_array', 'messages'));
		}
		const rf = body.response_format as { type?: string; json_schema?: { name?: unknown; schema?: unknown; strict?: unknown } } | undefined;
		if (rf?.type === 'json_schema') {
			const name = rf.json_schema?.name;
			if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
				throw new HttpError(400, openAiError(`Invalid 'response_format.json_schema.name': string does not match pattern.`, 'invalid_request_error', 'invalid_value', 'response_format.json_schema.name'));
			}
			if (rf.json_schema?.strict === true) {
				const problem = strictSchemaProblem(rf.json_schema.schema);
				if (problem) {
					throw new HttpError(400, openAiError(`Invalid schema for response_format '${name}': ${problem}`, 'invalid_request_error', 'invalid_json_schema', 'response_format'));
				}
			}
		} else if (rf?.type === 'json_object') {
			if (!/json/i.test(messagesText(body))) {
				throw new HttpError(
					400,
					openAiError("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'invalid_request_error', null, 'messages'),
				);
			}
		}
		const seen = await contentImages(body);
		images.push(...seen);
		const next = replies.shift() ?? { content: '{}' };
		const reply = typeof next === 'function' ? next(body) : next;
		const content = reply.refusal ? null : typeof reply.content === 'object' && reply.content !== null ? JSON.stringify(reply.content) : (reply.content ?? null);
		const imageTokens = seen.reduce((n, img) => n + openAiImageTokens(String(body.model), img), 0);
		const usage = reply.usage ?? { prompt_tokens: fakeTokens(messagesText(body)) + imageTokens, completion_tokens: fakeTokens(content ?? reply.refusal ?? '') };
		return {
			status: 200,
			headers: { 'x-request-id': `req_${++seq}` },
			body: {
				id: `chatcmpl-fake${seq}`,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: `${body.model}-2024-07-18`,
				choices: [
					{
						index: 0,
						message: { role: 'assistant', content, refusal: reply.refusal ?? null, annotations: [] },
						logprobs: null,
						finish_reason: reply.finish_reason ?? 'stop',
					},
				],
				usage: {
					prompt_tokens: usage.prompt_tokens,
					completion_tokens: usage.completion_tokens,
					total_tokens: usage.prompt_tokens + usage.completion_tokens,
					prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
					completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
				},
				service_tier: 'default',
				system_fingerprint: 'fp_fake',
			},
		};
	};

	const invalidInput = () =>
		new HttpError(400, openAiError("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'invalid_request_error', null));

	const embeddings = (body: Record<string, unknown>): Reply => {
		const model = String(body.model ?? '');
		const native = EMBEDDING_MODELS[model];
		if (!native) throw new HttpError(404, openAiError(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
		const inputs = typeof body.input === 'string' ? [body.input] : body.input;
		if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > 2048) throw invalidInput();
		if (!inputs.every((t) => typeof t === 'string' && t.length > 0)) throw invalidInput();
		const dims = body.dimensions === undefined ? native : Number(body.dimensions);
		if (!Number.isInteger(dims) || dims < 1 || dims > native || (model === 'text-embedding-ada-002' && body.dimensions !== undefined)) {
			throw new HttpError(400, openAiError(`This model does not support specifying dimensions.`, 'invalid_request_error', null, 'dimensions'));
		}
		const format = body.encoding_format ?? 'float';
		if (format !== 'float' && format !== 'base64') {
			throw new HttpError(400, openAiError(`Invalid value for 'encoding_format': '${String(format)}'.`, 'invalid_request_error', 'invalid_value', 'encoding_format'));
		}
		const tokens = (inputs as string[]).reduce((n, t) => n + fakeTokens(t), 0);
		return {
			status: 200,
			body: {
				object: 'list',
				data: (inputs as string[]).map((t, index) => {
					const v = fakeEmbedding(t, dims);
					return {
						object: 'embedding',
						index,
						embedding: format === 'base64' ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v,
					};
				}),
				model,
				usage: { prompt_tokens: tokens, total_tokens: tokens },
			},
		};
	};

	const moderations = (body: Record<string, unknown>): Reply => {
		const inputs = typeof body.input === 'string' ? [body.input] : body.input;
		if (!Array.isArray(inputs) || inputs.length === 0) throw invalidInput();
		const texts = inputs.map((i) => (typeof i === 'string' ? i : typeof i === 'object' && i && (i as { type?: string }).type === 'text' ? String((i as { text?: string }).text) : ''));
		return {
			status: 200,
			body: {
				id: `modr-fake${++seq}`,
				model: body.model === 'omni-moderation-latest' || body.model === undefined ? 'omni-moderation-2024-09-26' : body.model,
				results: texts.map((t) => {
					const hit = new Set(Object.entries(rules).filter(([word]) => new RegExp(`\\b${word}\\b`, 'i').test(t)).map(([, cat]) => cat));
					const categories = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c)]));
					const scores = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c) ? 0.93 : 0.0004]));
					const applied = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']]));
					return { flagged: hit.size > 0, categories, category_scores: scores, category_applied_input_types: applied };
				}),
			},
		};
	};

	const speech = async (body: Record<string, unknown>): Promise<Reply> => {
		const bad = (message: string, param: string | null, code: string | null = 'invalid_value') =>
			new HttpError(400, openAiError(message, 'invalid_request_error', code, param));
		if (typeof body.model !== 'string') throw bad("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
		if (!SPEECH_MODELS.includes(body.model)) {
			throw bad(`Invalid value for 'model': '${body.model}'. Supported values are: ${SPEECH_MODELS.map((m) => `'${m}'`).join(', ')}.`, 'model');
		}
		if (body.input === undefined) throw bad("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
		if (typeof body.input !== 'string') throw bad("Invalid type for 'input': expected a string.", 'input', 'invalid_type');
		if (body.input.length === 0) throw bad("Invalid 'input': empty string. Expected a string with minimum length 1, but got an empty string instead.", 'input', 'empty_string');
		if (body.input.length > 4096) {
			throw bad(
				`Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string with length ${body.input.length} instead.`,
				'input',
				'string_above_max_length',
			);
		}
		const voice = body.voice;
		if (voice === undefined) throw bad("Missing required parameter: 'voice'.", 'voice', 'missing_required_parameter');
		const custom = voice && typeof voice === 'object' && typeof (voice as { id?: unknown }).id === 'string';
		if (!custom && !(typeof voice === 'string' && SPEECH_VOICES.includes(voice))) {
			throw bad(`Invalid value for 'voice': '${typeof voice === 'string' ? voice : JSON.stringify(voice)}'. Supported values are: ${SPEECH_VOICES.map((v) => `'${v}'`).join(', ')}.`, 'voice');
		}
		if (body.instructions !== undefined && body.model.startsWith('tts-1')) {
			throw bad(`Instructions are not supported for model '${body.model}'.`, 'instructions', 'unsupported_parameter');
		}
		const speed = body.speed === undefined ? 1 : Number(body.speed);
		if (!Number.isFinite(speed) || speed < 0.25 || speed > 4) {
			throw bad(`Invalid 'speed': ${String(body.speed)}. Expected a value between 0.25 and 4.`, 'speed', 'decimal_out_of_range');
		}
		const format = (body.response_format ?? 'mp3') as FakeAudioFormat;
		if (!(format in SPEECH_CONTENT_TYPES)) {
			throw bad(`Invalid value for 'response_format': '${String(format)}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, 'response_format');
		}
		if (body.stream_format === 'sse' && body.model.startsWith('tts-1')) throw bad(`stream_format 'sse' is not supported for model '${body.model}'.`, 'stream_format');
		const audio = await fakeAudio({
			speechSeconds: Math.max(0.2, (body.input.length * (opts.speechSecondsPerChar ?? 0.06)) / speed),
			leadSilence: opts.speechLeadSilence ?? 0.25,
			tailSilence: opts.speechTailSilence ?? 0.35,
			format,
		});
		return { status: 200, headers: { 'content-type': SPEECH_CONTENT_TYPES[format], 'x-request-id': `req_${++seq}` }, body: audio };
	};

	const loop = await startLoopback({
		route,
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? openAiError(
						'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.',
						'requests',
						'rate_limit_exceeded',
					)
				: status === 503
					? openAiError('The engine is currently overloaded, please try again later.', 'server_error', null)
					: openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null),
		rateLimitHeaders: { 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0' },
	});
	return {
		...loop,
		baseURL: `${loop.url}/v1`,
		replyWith(...r) {
			replies.push(...r);
		},
		chatRequests() {
			return loop.requests.filter((r) => r.path === '/v1/chat/completions');
		},
		speechRequests() {
			return loop.requests.filter((r) => r.path === '/v1/audio/speech');
		},
		images,
	};
}
