/**
 * OpenAI Chat Completions with Structured Outputs (`response_format: json_schema`, strict), plus
 * the helpers every remote provider of this package shares: zod → JSON Schema for structured
 * output, lenient decoding of what a model returns, error mapping and the retry policy.
 *
 * Retries: the SDKs' own retry loop is switched off (`maxRetries: 0`) because it also re-sends
 * after a timeout or a dropped connection, when the first request may already have been done and
 * billed. `callWithRetries` retries only when the vendor certainly did not do the work: 429 (after
 * Retry-After), 500/502/503/529, or a connection that was never made.
 */
import type OpenAI from 'openai';
import type { z } from 'zod';

import { secretRedactor } from '../../domain/errors';
import { ProviderError, type LlmProvider, type LlmRequest, type LlmResult, type Usage } from '../types';

// ---------------------------------------------------------------------------------------- errors

export type ProviderErrorKind =
	| 'timeout'
	| 'network'
	| 'rate_limited'
	| 'server'
	| 'auth'
	| 'bad_request'
	| 'invalid_output'
	| 'refusal'
	| 'truncated';

/**
 * A ProviderError that says what went wrong (`kind`). For output errors (`invalid_output`,
 * `refusal`, `truncated`) the call completed and was billed: `usage` says how much, so the cost
 * ledger can settle it, and `outcomeKnown` is false because repeating it costs money again.
 */
export class ProviderCallError extends ProviderError {
	readonly usage?: Usage;
	readonly model?: string;

	constructor(
		message: string,
		provider: string,
		status: number | null,
		outcomeKnown: boolean,
		readonly kind: ProviderErrorKind,
		extra: { retryAfterSeconds?: number; usage?: Usage; model?: string } = {},
	) {
		super(message, provider, status, outcomeKnown, extra.retryAfterSeconds);
		this.usage = extra.usage;
		this.model = extra.model;
	}
}

/** Connection failures where nothing reached the server: the call certainly did not happen. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Statuses that say the vendor failed before doing (and billing) the work. 504/524 do not: the upstream may have finished. */
const SAFE_SERVER_STATUSES = new Set([500, 502, 503, 529]);

function causeChain(err: unknown): { codes: string[]; names: string[] } {
	const codes: string[] = [];
	const names: string[] = [];
	let cur: unknown = err;
	for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
		const { code, name } = cur as { code?: unknown; name?: unknown };
		if (typeof code === 'string') codes.push(code);
		if (typeof name === 'string') names.push(name);
		cur = (cur as { cause?: unknown }).cause;
	}
	return { codes, names };
}

/** Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterSeconds(headers: unknown): number | undefined {
	const get = (name: string): string | null => {
		if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
		if (headers && typeof headers === 'object') {
			const v = (headers as Record<string, unknown>)[name];
			return typeof v === 'string' ? v : null;
		}
		return null;
	};
	const ms = Number.parseFloat(get('retry-after-ms') ?? '');
	if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
	const raw = get('retry-after');
	if (!raw) return undefined;
	const seconds = Number.parseFloat(raw);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const at = Date.parse(raw);
	return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/**
 * Maps an error of the openai client (its APIError classes), an error with a numeric `status` and
 * `headers` (the Anthropic adapter's AnthropicHttpError), or a fetch failure to a ProviderCallError;
 * anything else is returned unchanged. Messages pass through `redact`, so a server that echoes the
 * key cannot leak it; the original error is not kept as `cause` for the same reason.
 */
export function toProviderError(err: unknown, provider: string, redact: (s: string) => string): unknown {
	if (err instanceof ProviderError) return err;
	if (!err || typeof err !== 'object') return err;
	const e = err as { status?: unknown; headers?: unknown; message?: unknown; name?: unknown; constructor?: { name?: string } };
	const cls = e.constructor?.name ?? '';
	const text = redact(typeof e.message === 'string' ? e.message : String(err));
	const { codes, names } = causeChain(err);
	// The SDK aborts a request at its timeout; it reports APIConnectionTimeoutError, or (when the
	// AbortError comes from another realm, as under jest) an APIConnectionError caused by it. No
	// caller signal is passed, so an abort here is always the timeout.
	if (cls === 'APIConnectionTimeoutError' || names.includes('TimeoutError') || (cls === 'APIConnectionError' && names.includes('AbortError'))) {
		return new ProviderCallError(`${provider}: request timed out; it may have been processed`, provider, null, false, 'timeout');
	}
	if (cls === 'APIConnectionError' || (typeof e.status !== 'number' && codes.length > 0)) {
		const notSent = codes.some((c) => NOT_SENT_CODES.has(c));
		const detail = codes.length ? ` [${codes.join(', ')}]` : '';
		return new ProviderCallError(
			notSent ? `${provider}: cannot connect${detail}` : `${provider}: connection lost${detail}; the request may have been processed`,
			provider,
			null,
			notSent,
			'network',
		);
	}
	if (typeof e.status === 'number') {
		const status = e.status;
		const retryAfter = retryAfterSeconds(e.headers);
		if (status === 429) {
			return new ProviderCallError(`${provider}: rate limited (429): ${text}`, provider, 429, true, 'rate_limited', { retryAfterSeconds: retryAfter });
		}
		if (status === 401 || status === 403) return new ProviderCallError(`${provider}: not authorised (${status}): ${text}`, provider, status, true, 'auth');
		if (status >= 500) {
			return new ProviderCallError(`${provider}: server error (${status}): ${text}`, provider, status, SAFE_SERVER_STATUSES.has(status), 'server', {
				retryAfterSeconds: retryAfter,
			});
		}
		if (status === 408) return new ProviderCallError(`${provider}: request timeout (408): ${text}`, provider, 408, false, 'timeout');
		return new ProviderCallError(`${provider}: request rejected (${status}): ${text}`, provider, status, true, 'bad_request');
	}
	if (e.name === 'SyntaxError') {
		// A 200 whose body is not JSON: the call went through (and may be billed) but gave nothing usable.
		return new ProviderCallError(`${provider}: the response body is not valid JSON (${text})`, provider, null, false, 'invalid_output');
	}
	// Not an HTTP or connection failure (a bug, a bad option): passed through unchanged.
	return err;
}

// ---------------------------------------------------------------------------------------- retries

export interface RetryPolicy {
	/** Retries after the first attempt, only when the work certainly was not done. Default 2. */
	maxRetries?: number;
	/** A Retry-After longer than this is not waited for: the 429 is returned with `retryAfterSeconds`. Default 60. */
	maxRetryAfterSeconds?: number;
	/** First backoff without Retry-After; doubles per attempt, capped at 8 s. Default 500 ms. */
	retryBaseDelayMs?: number;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 60;
/** Per attempt. */
export const DEFAULT_TIMEOUT_MS = 120_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` (one HTTP call) with the retry policy. Each attempt gets its own AbortSignal that fires
 * after `timeoutMs`: the timeout is ours rather than the SDK's so it is told apart from a dropped
 * connection however the SDK reports the abort.
 */
export async function callWithRetries<R>(
	fn: (signal: AbortSignal) => Promise<R>,
	opts: RetryPolicy & { provider: string; redact: (s: string) => string; timeoutMs?: number },
): Promise<R> {
	const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
	const maxWait = opts.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
	const base = opts.retryBaseDelayMs ?? 500;
	const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	for (let attempt = 0; ; attempt++) {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), timeoutMs);
		try {
			return await fn(controller.signal);
		} catch (raw) {
			clearTimeout(timer);
			const err = controller.signal.aborted
				? new ProviderCallError(`${opts.provider}: timed out after ${timeoutMs} ms without an answer; the request may have been processed`, opts.provider, null, false, 'timeout')
				: toProviderError(raw, opts.provider, opts.redact);
			if (!(err instanceof ProviderError)) throw err;
			const kind = err instanceof ProviderCallError ? err.kind : undefined;
			const retryable = err.outcomeKnown && (kind === 'rate_limited' || kind === 'server' || kind === 'network');
			if (!retryable || attempt >= maxRetries) throw err;
			let waitMs: number;
			if (err.retryAfterSeconds !== undefined) {
				if (err.retryAfterSeconds > maxWait) throw err;
				waitMs = err.retryAfterSeconds * 1000;
			} else {
				waitMs = Math.min(base * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
			}
			await sleep(waitMs);
		} finally {
			clearTimeout(timer);
		}
	}
}

// ---------------------------------------------------------------------------------------- zod → JSON Schema

export type JsonSchema = Record<string, unknown>;

interface ZodLike {
	_def: Record<string, unknown> & { typeName?: string; description?: string };
}

const def = (s: unknown): ZodLike['_def'] => {
	const d = (s as ZodLike | undefined)?._def;
	if (!d || typeof d !== 'object') throw new Error('structured output needs a zod (v3) schema');
	return d;
};
const inner = (s: unknown): unknown => def(s).innerType ?? def(s).schema ?? def(s).type;

interface Check {
	kind: string;
	value?: number;
	inclusive?: boolean;
	regex?: RegExp;
}

/** JSON Schema string formats that zod string checks map to. */
const STRING_FORMATS: Record<string, string> = { uuid: 'uuid', email: 'email', datetime: 'date-time', date: 'date', url: 'uri' };

const SCALAR_ANY: JsonSchema[] = [
	{ type: 'string' },
	{ type: 'number' },
	{ type: 'boolean' },
	{ type: 'array', items: { type: 'string' } },
	{ type: 'null' },
];

function withNote(schema: JsonSchema, notes: string[], description?: string): JsonSchema {
	const text = [description, notes.length ? notes.join('; ') : undefined].filter(Boolean).join('. ');
	return text ? { ...schema, description: text } : schema;
}

function isNullable(schema: JsonSchema): boolean {
	return Array.isArray(schema.anyOf) && (schema.anyOf as JsonSchema[]).some((s) => s.type === 'null');
}

function nullable(schema: JsonSchema): JsonSchema {
	if (isNullable(schema)) return schema;
	const { description, ...rest } = schema;
	return description ? { anyOf: [rest, { type: 'null' }], description } : { anyOf: [rest, { type: 'null' }] };
}

/**
 * JSON Schema for a zod (v3) schema.
 *
 * `strict: true` gives the subset OpenAI strict mode and Anthropic structured outputs accept:
 * every object has `additionalProperties: false` and lists every property as required; an optional
 * field becomes required-but-nullable (the OpenAI way) and `fromModelJson` turns its null back into
 * "absent"; a record (free-form map) becomes an array of `{key, value}` pairs, since neither vendor
 * accepts open objects; `unknown` becomes string|number|boolean|string[]|null. Length, range and
 * format constraints go into `description` instead of keywords (the vendors support different
 * subsets and reject the rest): the zod schema enforces them on the way out.
 *
 * `strict: false` gives ordinary JSON Schema with real constraint keywords, for the prompt of
 * servers without structured output.
 */
export function jsonSchemaFor(schema: unknown, opts: { strict: boolean }): JsonSchema {
	return compile(schema, opts.strict);
}

/**
 * Collects constraints: as keywords (plain JSON Schema) or as notes in the description (strict
 * mode, where the vendors reject keywords outside their subset).
 */
function constraints(strict: boolean) {
	const keywords: JsonSchema = {};
	const notes: string[] = [];
	return {
		add(keyword: string, value: unknown, note?: string) {
			if (!strict) keywords[keyword] = value;
			else if (note) notes.push(note);
		},
		apply(base: JsonSchema, description?: string): JsonSchema {
			return withNote({ ...base, ...keywords }, notes, description);
		},
	};
}

function compile(schema: unknown, strict: boolean): JsonSchema {
	const d = def(schema);
	const desc = d.description;
	switch (d.typeName) {
		case 'ZodString': {
			const c = constraints(strict);
			for (const k of (d.checks as Check[] | undefined) ?? []) {
				if (k.kind === 'min') c.add('minLength', k.value, k.value === 1 ? 'not empty' : `at least ${k.value} characters`);
				else if (k.kind === 'max') c.add('maxLength', k.value, `at most ${k.value} characters`);
				else if (k.kind === 'length') {
					c.add('minLength', k.value, `exactly ${k.value} characters`);
					c.add('maxLength', k.value);
				} else if (k.kind === 'regex' && k.regex) c.add('pattern', k.regex.source, `matches /${k.regex.source}/`);
				else if (STRING_FORMATS[k.kind]) c.add('format', STRING_FORMATS[k.kind], `format ${STRING_FORMATS[k.kind]}`);
			}
			return c.apply({ type: 'string' }, desc);
		}
		case 'ZodNumber': {
			const checks = (d.checks as Check[] | undefined) ?? [];
			const c = constraints(strict);
			for (const k of checks) {
				if (k.kind === 'min') c.add(k.inclusive ? 'minimum' : 'exclusiveMinimum', k.value, `${k.inclusive ? 'minimum' : 'greater than'} ${k.value}`);
				else if (k.kind === 'max') c.add(k.inclusive ? 'maximum' : 'exclusiveMaximum', k.value, `${k.inclusive ? 'maximum' : 'less than'} ${k.value}`);
			}
			return c.apply({ type: checks.some((k) => k.kind === 'int') ? 'integer' : 'number' }, desc);
		}
		case 'ZodBoolean':
			return withNote({ type: 'boolean' }, [], desc);
		case 'ZodNull':
			return withNote({ type: 'null' }, [], desc);
		case 'ZodLiteral': {
			const value = d.value;
			const type = value === null ? 'null' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
			return withNote({ type, enum: [value] }, [], desc);
		}
		case 'ZodEnum':
			return withNote({ type: 'string', enum: [...(d.values as string[])] }, [], desc);
		case 'ZodNativeEnum': {
			// A numeric TS enum maps names to numbers and numbers back to names: keep the values only.
			const obj = d.values as Record<string, string | number>;
			const values = Object.keys(obj)
				.filter((k) => typeof obj[obj[k] as string] !== 'number')
				.map((k) => obj[k]);
			return withNote({ enum: values }, [], desc);
		}
		case 'ZodArray': {
			const c = constraints(strict);
			const exact = (d.exactLength as { value: number } | null)?.value;
			const min = (d.minLength as { value: number } | null)?.value ?? exact;
			const max = (d.maxLength as { value: number } | null)?.value ?? exact;
			if (min !== undefined) c.add('minItems', min, `at least ${min} items`);
			if (max !== undefined) c.add('maxItems', max, `at most ${max} items`);
			return c.apply({ type: 'array', items: compile(d.type, strict) }, desc);
		}
		case 'ZodObject': {
			const shape = (typeof d.shape === 'function' ? (d.shape as () => Record<string, unknown>)() : d.shape) as Record<string, unknown>;
			const properties: Record<string, JsonSchema> = {};
			const required: string[] = [];
			for (const [key, field] of Object.entries(shape)) {
				const optional = isOptional(field);
				const compiled = compile(optional ? unwrapOptional(field) : field, strict);
				if (strict) {
					properties[key] = optional ? nullable(compiled) : compiled;
					required.push(key);
				} else {
					properties[key] = compiled;
					if (!optional) required.push(key);
				}
			}
			return withNote({ type: 'object', properties, required, additionalProperties: false }, [], desc);
		}
		case 'ZodRecord': {
			const value = compile(d.valueType, strict);
			if (!strict) return withNote({ type: 'object', additionalProperties: value }, [], desc);
			return withNote(
				{
					type: 'array',
					items: { type: 'object', properties: { key: { type: 'string' }, value }, required: ['key', 'value'], additionalProperties: false },
				},
				['a map written as a list of {key, value} pairs'],
				desc,
			);
		}
		case 'ZodUnknown':
		case 'ZodAny':
			return strict ? withNote({ anyOf: SCALAR_ANY }, [], desc) : withNote({}, [], desc);
		case 'ZodUnion':
		case 'ZodDiscriminatedUnion': {
			const options = d.options instanceof Map ? [...d.options.values()] : (d.options as unknown[]);
			return withNote({ anyOf: options.map((o) => compile(o, strict)) }, [], desc);
		}
		case 'ZodOptional':
		case 'ZodDefault':
		case 'ZodNullable': {
			const compiled = compile(d.innerType, strict);
			const out = nullable(compiled);
			return desc ? { ...out, description: desc } : out;
		}
		case 'ZodEffects':
		case 'ZodBranded':
		case 'ZodReadonly':
		case 'ZodCatch': {
			const out = compile(inner(schema), strict);
			return desc ? { ...out, description: desc } : out;
		}
		case 'ZodPipeline':
			return compile(d.in, strict);
		default:
			throw new Error(`structured output does not support zod type ${d.typeName ?? 'unknown'}`);
	}
}

function isOptional(schema: unknown): boolean {
	const t = def(schema).typeName;
	return t === 'ZodOptional' || t === 'ZodDefault';
}

function unwrapOptional(schema: unknown): unknown {
	return def(schema).innerType;
}

// ---------------------------------------------------------------------------------------- model output

/**
 * Undoes the strict-mode encoding on what a model returned, leniently (so it also accepts the plain
 * shape): null for an optional field → absent; a `{key, value}` list for a record → an object.
 */
export function fromModelJson(schema: unknown, value: unknown): unknown {
	const d = def(schema);
	switch (d.typeName) {
		case 'ZodOptional':
		case 'ZodDefault':
			return value === null || value === undefined ? undefined : fromModelJson(d.innerType, value);
		case 'ZodNullable':
			return value === null ? null : fromModelJson(d.innerType, value);
		case 'ZodEffects':
		case 'ZodBranded':
		case 'ZodReadonly':
		case 'ZodCatch':
			return fromModelJson(inner(schema), value);
		case 'ZodPipeline':
			return fromModelJson(d.in, value);
		case 'ZodObject': {
			if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
			const shape = (typeof d.shape === 'function' ? (d.shape as () => Record<string, unknown>)() : d.shape) as Record<string, unknown>;
			const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
			for (const [key, field] of Object.entries(shape)) {
				const v = fromModelJson(field, out[key]);
				if (v === undefined) delete out[key];
				else out[key] = v;
			}
			return out;
		}
		case 'ZodArray':
			return Array.isArray(value) ? value.map((v) => fromModelJson(d.type, v)) : value;
		case 'ZodRecord': {
			if (Array.isArray(value) && value.every((p) => p && typeof p === 'object' && 'key' in p)) {
				return Object.fromEntries(value.map((p: { key: unknown; value: unknown }) => [String(p.key), fromModelJson(d.valueType, p.value)]));
			}
			if (value && typeof value === 'object' && !Array.isArray(value)) {
				return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromModelJson(d.valueType, v)]));
			}
			return value;
		}
		case 'ZodUnion':
		case 'ZodDiscriminatedUnion': {
			const options = d.options instanceof Map ? [...d.options.values()] : (d.options as unknown[]);
			for (const o of options) {
				const candidate = fromModelJson(o, value);
				if ((o as z.ZodTypeAny).safeParse(candidate).success) return candidate;
			}
			return value;
		}
		default:
			return value;
	}
}

/** The JSON in a model's text: tolerates ```json fences and prose around one object. */
export function parseModelJson(text: string): unknown {
	const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
	const body = (fenced ? fenced[1] : text).trim();
	try {
		return JSON.parse(body);
	} catch (first) {
		const start = body.indexOf('{');
		const end = body.lastIndexOf('}');
		if (start >= 0 && end > start) {
			try {
				return JSON.parse(body.slice(start, end + 1));
			} catch {
				// fall through to the first error, which describes the whole text
			}
		}
		throw first;
	}
}

/** Parses, decodes and validates a model's answer against the request's zod schema. */
export function validateModelOutput<T>(
	req: LlmRequest<T>,
	text: string,
	meta: { provider: string; model: string; usage: Usage },
): T {
	let json: unknown;
	try {
		json = parseModelJson(text);
	} catch (err) {
		throw new ProviderCallError(
			`${meta.provider}/${meta.model} returned no valid JSON for ${req.schemaName}: ${(err as Error).message}`,
			meta.provider,
			null,
			false,
			'invalid_output',
			{ usage: meta.usage, model: meta.model },
		);
	}
	const result = req.schema.safeParse(fromModelJson(req.schema, json));
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const field = issue.path.map(String).join('.') || '(root)';
	throw new ProviderCallError(
		`${meta.provider}/${meta.model} output does not match ${req.schemaName}: ${field}: ${issue.message}`,
		meta.provider,
		null,
		false,
		'invalid_output',
		{ usage: meta.usage, model: meta.model },
	);
}

/** A response_format / tool name: at most 64 characters of [A-Za-z0-9_-]. */
export function schemaNameFor(name: string): string {
	return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'output';
}

// ---------------------------------------------------------------------------------------- provider

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

export interface OpenAiLlmOptions extends RetryPolicy {
	apiKey: string;
	/** Default https://api.openai.com/v1. */
	baseURL?: string;
	/** Default gpt-4o-mini. */
	model?: string;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
}

/**
 * `load` run once, on the first call; later calls share its promise. The vendor SDKs load this way,
 * when a provider first calls out: loading them all (openai, Pinecone, sharp, PGlite) at start-up
 * costs n8n and `require('n8n-nodes-brand-infinity')` several hundred ms, and most workflows use one
 * of them or none.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
	let loaded: Promise<T> | undefined;
	return () => (loaded ??= load());
}

/**
 * Builds an SDK client that reads nothing from the environment and never retries by itself; the
 * SDK is loaded on the first call (providers hold `loadOnce(() => openAiClient(opts))`).
 */
export async function openAiClient(opts: { apiKey?: string; baseURL?: string; timeoutMs?: number }): Promise<OpenAI> {
	const { default: OpenAI } = await import('openai');
	return new OpenAI({
		// Always explicit: left undefined, the SDK would read OPENAI_API_KEY / OPENAI_BASE_URL /
		// OPENAI_ORG_ID from the environment (and could send a user's OpenAI key to another server).
		apiKey: opts.apiKey || 'no-key',
		baseURL: opts.baseURL || OPENAI_BASE_URL,
		organization: null,
		project: null,
		webhookSecret: null,
		// A backstop only: callWithRetries aborts each attempt at timeoutMs.
		timeout: (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5000,
		maxRetries: 0,
		// A server that needs no key gets no Authorization header at all.
		defaultHeaders: opts.apiKey ? undefined : { Authorization: null },
	});
}

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

/**
 * The user message of a Chat Completions request: the prompt alone, or (vision input) the prompt as
 * a text part followed by one `image_url` part per image, each a base64 `data:` URL with
 * `detail: "low"` (the model sees a 512 px version, the cheapest image input OpenAI offers).
 */
export function chatUserContent(req: Pick<LlmRequest<unknown>, 'prompt' | 'images'>): string | OpenAI.Chat.Completions.ChatCompletionContentPart[] {
	if (!req.images?.length) return req.prompt;
	return [
		{ type: 'text', text: req.prompt },
		...req.images.map((image) => ({
			type: 'image_url' as const,
			image_url: { url: `data:${image.mimeType};base64,${image.data.toString('base64')}`, detail: 'low' as const },
		})),
	];
}

/**
 * The Chat Completions call shared by OpenAI and OpenAI-compatible servers; subclasses decide the
 * response format and the prompt.
 */
export abstract class ChatCompletionsLlmProvider implements LlmProvider {
	abstract readonly name: string;
	readonly model: string;
	protected readonly client: () => Promise<OpenAI>;
	protected readonly redact: (s: string) => string;

	protected constructor(
		protected readonly opts: RetryPolicy & { apiKey?: string; baseURL?: string; model: string; timeoutMs?: number },
	) {
		this.model = opts.model;
		this.client = loadOnce(() => openAiClient(opts));
		this.redact = secretRedactor(opts.apiKey ? [opts.apiKey] : []);
	}

	protected abstract body<T>(req: LlmRequest<T>): ChatBody;

	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		const body = this.body(req);
		const client = await this.client();
		const completion = await callWithRetries((signal) => client.chat.completions.create(body, { signal }), {
			...this.opts,
			provider: this.name,
			redact: this.redact,
		});
		// The configured name, not the dated snapshot the server reports: it is the price table's key.
		const model = this.model;
		const usage: Usage = {
			input_tokens: completion.usage?.prompt_tokens ?? 0,
			output_tokens: completion.usage?.completion_tokens ?? 0,
		};
		const fail = (kind: ProviderErrorKind, message: string) =>
			new ProviderCallError(this.redact(`${this.name}/${model}: ${message}`), this.name, null, false, kind, { usage, model });
		const choice = completion.choices?.[0];
		if (!choice) throw fail('invalid_output', 'the response has no choices');
		if (choice.message?.refusal) throw fail('refusal', `the model refused: ${choice.message.refusal.slice(0, 300)}`);
		if (choice.finish_reason === 'content_filter') throw fail('refusal', 'the output was stopped by the content filter');
		if (choice.finish_reason === 'length') throw fail('truncated', `the output hit the token limit (${req.maxOutputTokens ?? 'default'})`);
		const content = choice.message?.content;
		if (typeof content !== 'string' || content.trim() === '') throw fail('invalid_output', 'the response has no content');
		const data = validateModelOutput(req, content, { provider: this.name, model, usage });
		return { data, provider: this.name, model, usage };
	}
}

export class OpenAiLlmProvider extends ChatCompletionsLlmProvider {
	readonly name = 'openai';

	constructor(opts: OpenAiLlmOptions) {
		if (!opts.apiKey) throw new Error('OpenAI needs an API key');
		super({ ...opts, model: opts.model || DEFAULT_OPENAI_MODEL });
	}

	protected body<T>(req: LlmRequest<T>): ChatBody {
		return {
			model: this.model,
			messages: [
				{ role: 'system', content: req.system },
				{ role: 'user', content: chatUserContent(req) },
			],
			response_format: {
				type: 'json_schema',
				json_schema: { name: schemaNameFor(req.schemaName), schema: jsonSchemaFor(req.schema, { strict: true }), strict: true },
			},
			...(req.maxOutputTokens ? { max_completion_tokens: req.maxOutputTokens } : {}),
			...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
		};
	}
}
