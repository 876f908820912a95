/**
 * The LLM adapters (the real openai SDK; Anthropic over fetch) against the loopback fakes in
 * test/fakes/: request shapes, structured-output schemas, validation, usage, retries and faults,
 * the local fallback, and that no API key reaches an error message.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { z } from 'zod';

import { ValidationError } from '../../lib/domain/errors';
import { creativeBriefSchema, hookBatchSchema } from '../../lib/domain/schemas';
import { estimateCost } from '../../lib/pricing/price-table';
import { AnthropicLlmProvider } from '../../lib/providers/llm/anthropic';
import { FallbackLlmProvider, type FallbackLlmResult } from '../../lib/providers/llm/fallback';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { jsonSchemaFor, OpenAiLlmProvider, parseModelJson, ProviderCallError } from '../../lib/providers/llm/openai';
import { compatibleProviderName, OpenAiCompatibleLlmProvider } from '../../lib/providers/llm/openai-compatible';
import { createLlmProvider } from '../../lib/providers/registry';
import type { LlmRequest } from '../../lib/providers/types';
import { ProviderError } from '../../lib/providers/types';
import { startAnthropicFake, type AnthropicFake } from '../fakes/anthropic';
import { startOpenAiFake, strictSchemaProblem, type LoggedRequest, type OpenAiFake } from '../fakes/openai';

// Random per run, so a leak cannot hide behind a fixed string.
const OPENAI_KEY = `sk-test-${randomBytes(16).toString('hex')}`;
const ANTHROPIC_KEY = `sk-ant-test-${randomBytes(16).toString('hex')}`;
const WRONG_KEY = `sk-wrong-${randomBytes(16).toString('hex')}`;

/** The parts of a Chat Completions body the tests look at. */
interface ChatBody {
	model: string;
	messages: { role: string; content: string }[];
	response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
	max_tokens?: number;
	max_completion_tokens?: number;
}
const chatBody = (r: LoggedRequest) => r.body as ChatBody;

const hooksRequest: LlmRequest<z.infer<typeof hookBatchSchema>> = {
	task: 'hooks',
	system: 'You write short video hooks.',
	prompt: 'Three hooks for a reusable water bottle.',
	schema: hookBatchSchema,
	schemaName: 'hook batch',
	context: {},
	maxOutputTokens: 500,
};

const HOOKS = { hooks: [{ text: 'Still buying plastic?', hook_type: 'question' }] };

const brief = {
	brief_id: null,
	target_audience: { demographics: [{ key: 'age', value: '25-34' }, { key: 'urban', value: true }], psychographics: ['eco-minded'], pain_points: ['plastic waste'] },
	core_message: { primary_hook: 'Refill, not landfill', value_proposition: 'Keeps water cold 24 h', call_to_action: 'Shop now' },
	trending_insights: { trending_topics: ['zero waste'], trending_audio: [], competitor_analysis: [], viral_patterns: ['before/after'] },
	brand_guidelines_ref: { tone: 'upbeat', color_palette: ['#00AA88'], restricted_keywords: ['cheap'], visual_style: 'bright, natural light' },
	variant_suggestions: [{ variant_type: 'humorous', rationale: 'light tone suits the audience', expected_audience_response: null }],
	generated_at: null,
	approval_status: null,
};

const briefRequest: LlmRequest<z.infer<typeof creativeBriefSchema>> = {
	task: 'creative_brief',
	system: 'You are a marketing strategist.',
	prompt: 'Write a creative brief.',
	schema: creativeBriefSchema,
	schemaName: 'creative_brief',
	context: {},
};

/** The brief as the schema's output (what the local templates take as context). */
const BRIEF_DATA = creativeBriefSchema.parse({
	...brief,
	brief_id: undefined,
	generated_at: undefined,
	approval_status: undefined,
	target_audience: { ...brief.target_audience, demographics: { age: '25-34', urban: true } },
	trending_insights: { ...brief.trending_insights, competitor_analysis: {} },
	variant_suggestions: [{ variant_type: 'humorous', rationale: 'light tone suits the audience' }],
});

/** Hooks with the context the local templates need, so the fallback can answer the same request. */
const hooksWithContext: LlmRequest<z.infer<typeof hookBatchSchema>> = { ...hooksRequest, context: { brief: BRIEF_DATA, count: 3 } };

function spiedLocal() {
	const local = new LocalLlmProvider();
	const spy = jest.spyOn(local, 'generate');
	return { local, spy };
}

async function closedPort(): Promise<number> {
	const s = createServer();
	await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
	const { port } = s.address() as AddressInfo;
	await new Promise<void>((r) => s.close(() => r()));
	return port;
}

async function failure(p: Promise<unknown>): Promise<ProviderCallError> {
	const err = await p.then(
		() => {
			throw new Error('expected the call to fail');
		},
		(e: unknown) => e,
	);
	expect(err).toBeInstanceOf(ProviderCallError);
	const e = err as ProviderCallError;
	expect(e.message).not.toContain(OPENAI_KEY);
	expect(e.message).not.toContain(ANTHROPIC_KEY);
	expect(e.message).not.toContain(WRONG_KEY);
	expect(JSON.stringify(e)).not.toMatch(new RegExp(`${OPENAI_KEY}|${ANTHROPIC_KEY}|${WRONG_KEY}`));
	return e;
}

describe('structured-output schemas', () => {
	test('strict schemas meet OpenAI strict mode: closed objects, every property required, optional → nullable', () => {
		const schema = jsonSchemaFor(creativeBriefSchema, { strict: true });
		expect(strictSchemaProblem(schema)).toBeNull();
		const props = schema.properties as Record<string, Record<string, unknown>>;
		expect(schema.required).toEqual(Object.keys(props));
		expect(props.brief_id).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }], description: 'format uuid' });
		// a z.record becomes key/value pairs, since strict mode has no open objects
		const demographics = (props.target_audience.properties as Record<string, Record<string, unknown>>).demographics;
		expect(demographics.type).toBe('array');
		expect(JSON.stringify(schema)).not.toMatch(/minLength|maxLength|"minimum"/);
	});

	test('plain schemas keep optional fields optional and constraints as keywords', () => {
		const schema = jsonSchemaFor(hookBatchSchema, { strict: false });
		const hook = (schema.properties as Record<string, { items: Record<string, unknown> }>).hooks.items;
		expect(hook).toMatchObject({ properties: { text: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['text', 'hook_type'] });
		expect(strictSchemaProblem(jsonSchemaFor(creativeBriefSchema, { strict: false }))).not.toBeNull();
	});

	test('model JSON is found inside fences and prose', () => {
		expect(parseModelJson('```json\n{"a": 1}\n```')).toEqual({ a: 1 });
		expect(parseModelJson('Here you go: {"a": [1, 2]} hope it helps')).toEqual({ a: [1, 2] });
		expect(() => parseModelJson('no json here')).toThrow(SyntaxError);
	});
});

describe('OpenAI', () => {
	let fake: OpenAiFake;
	beforeEach(async () => {
		fake = await startOpenAiFake({ apiKey: OPENAI_KEY });
	});
	afterEach(() => fake.close());

	const provider = (extra: Partial<ConstructorParameters<typeof OpenAiLlmProvider>[0]> = {}) =>
		new OpenAiLlmProvider({ apiKey: OPENAI_KEY, baseURL: fake.baseURL, retryBaseDelayMs: 5, ...extra });

	test('sends a strict json_schema response format and returns validated data with usage', async () => {
		fake.replyWith({ content: brief, usage: { prompt_tokens: 321, completion_tokens: 123 } });
		const result = await provider().generate(briefRequest);

		expect(result).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 321, output_tokens: 123 } });
		// provider and model are the price table's keys (not the dated snapshot the server names):
		// 321 × $0.15/M + 123 × $0.60/M = 48 + 74 micro-dollars
		expect(estimateCost({ provider: result.provider, model: result.model, usage: result.usage }).amount_usd).toBe('0.000122');
		// null for an optional field means "absent"; key/value pairs become the record again
		expect(result.data.brief_id).toBeUndefined();
		expect(result.data.target_audience.demographics).toEqual({ age: '25-34', urban: true });
		expect(result.data.variant_suggestions[0]).toEqual({ variant_type: 'humorous', rationale: 'light tone suits the audience' });

		const [req] = fake.chatRequests();
		expect(req.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		const body = chatBody(req);
		expect(body.model).toBe('gpt-4o-mini');
		expect(body.messages).toEqual([
			{ role: 'system', content: briefRequest.system },
			{ role: 'user', content: briefRequest.prompt },
		]);
		expect(body.response_format?.type).toBe('json_schema');
		expect(body.response_format?.json_schema).toMatchObject({ name: 'creative_brief', strict: true });
		expect(body.response_format?.json_schema?.schema).toEqual(jsonSchemaFor(creativeBriefSchema, { strict: true }));
	});

	test('schema names are made valid for the API and max_completion_tokens carries the limit', async () => {
		fake.replyWith({ content: HOOKS });
		await provider({ model: 'gpt-4o' }).generate(hooksRequest);
		const body = chatBody(fake.chatRequests()[0]);
		expect(body.response_format?.json_schema?.name).toBe('hook_batch');
		expect(body.max_completion_tokens).toBe(500);
		expect(body.model).toBe('gpt-4o');
	});

	test('output that fails the zod schema is an invalid_output error carrying the billed usage, not retried', async () => {
		fake.replyWith({ content: { hooks: [{ text: '', hook_type: 'rhyme' }] }, usage: { prompt_tokens: 40, completion_tokens: 9 } });
		const err = await failure(provider().generate(hooksRequest));
		expect(err.kind).toBe('invalid_output');
		expect(err.message).toMatch(/hooks\.0\.text/);
		expect(err.usage).toEqual({ input_tokens: 40, output_tokens: 9 });
		expect(err.outcomeKnown).toBe(false);
		expect(fake.chatRequests()).toHaveLength(1);
	});

	test('a refusal and a cut-off answer are errors', async () => {
		fake.replyWith({ refusal: "I can't help with that." }, { content: '{"hooks": [', finish_reason: 'length' });
		expect((await failure(provider().generate(hooksRequest))).kind).toBe('refusal');
		expect((await failure(provider().generate(hooksRequest))).kind).toBe('truncated');
	});

	test('429 waits for Retry-After, then succeeds', async () => {
		fake.setFault({ kind: 'rate_limit', retryAfter: '1' }, 1);
		fake.replyWith({ content: HOOKS });
		const result = await provider().generate(hooksRequest);
		expect(result.data).toEqual(HOOKS);
		const [first, second] = fake.chatRequests();
		expect(first.status).toBe(429);
		expect(second.status).toBe(200);
		expect(second.at - first.at).toBeGreaterThanOrEqual(950);
	});

	test('a Retry-After beyond the limit is not waited for: the 429 comes back with it', async () => {
		fake.setFault({ kind: 'rate_limit', retryAfter: '120' });
		const err = await failure(provider({ maxRetryAfterSeconds: 30 }).generate(hooksRequest));
		expect(err).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 120, outcomeKnown: true });
		expect(fake.chatRequests()).toHaveLength(1);
	});

	test('5xx is retried maxRetries times, then reported with a known outcome', async () => {
		fake.setFault({ kind: 'server_error', status: 500 });
		const err = await failure(provider({ maxRetries: 2 }).generate(hooksRequest));
		expect(err).toMatchObject({ kind: 'server', status: 500, outcomeKnown: true });
		expect(fake.chatRequests()).toHaveLength(3);
	});

	test('a timeout is never re-sent: its outcome is unknown', async () => {
		fake.setFault({ kind: 'hang' });
		const err = await failure(provider({ timeoutMs: 300, maxRetries: 3 }).generate(hooksRequest));
		expect(err).toMatchObject({ kind: 'timeout', outcomeKnown: false });
		expect(fake.chatRequests()).toHaveLength(1);
	});

	test('a dropped connection is never re-sent; a refused one is known not to have happened', async () => {
		fake.setFault({ kind: 'drop' });
		const dropped = await failure(provider({ maxRetries: 3 }).generate(hooksRequest));
		expect(dropped).toMatchObject({ kind: 'network', outcomeKnown: false });
		expect(fake.chatRequests()).toHaveLength(1);

		const refused = new OpenAiLlmProvider({ apiKey: OPENAI_KEY, baseURL: `http://127.0.0.1:${await closedPort()}/v1`, maxRetries: 1, retryBaseDelayMs: 5 });
		expect(await failure(refused.generate(hooksRequest))).toMatchObject({ kind: 'network', outcomeKnown: true });
	});

	test('a malformed 200 body is invalid output', async () => {
		fake.setFault({ kind: 'malformed' }, 1);
		expect(await failure(provider().generate(hooksRequest))).toMatchObject({ kind: 'invalid_output', outcomeKnown: false });
	});

	test('a server that echoes the key in its error does not leak it', async () => {
		await fake.close();
		fake = await startOpenAiFake({ apiKey: 'another-key', echoFullKeyInErrors: true });
		const err = await failure(provider().generate(hooksRequest));
		expect(err).toMatchObject({ kind: 'auth', status: 401 });
		expect(err.message).toContain('[redacted]');
	});
});

describe('OpenAI-compatible servers', () => {
	let fake: OpenAiFake;
	beforeEach(async () => {
		fake = await startOpenAiFake();
	});
	afterEach(() => fake.close());

	test('json_object mode: schema in the prompt, fenced answers accepted, no key → no Authorization header', async () => {
		fake.replyWith({ content: '```json\n' + JSON.stringify(HOOKS) + '\n```' });
		const llm = new OpenAiCompatibleLlmProvider({ baseURL: fake.baseURL, model: 'llama3.1' });
		const result = await llm.generate(hooksRequest);
		expect(result).toMatchObject({ data: HOOKS, provider: 'openai_compatible', model: 'llama3.1' });

		const [req] = fake.chatRequests();
		expect(req.headers.authorization).toBeUndefined();
		const body = chatBody(req);
		expect(body.response_format).toEqual({ type: 'json_object' });
		expect(body.max_tokens).toBe(500);
		expect(body.max_completion_tokens).toBeUndefined();
		expect(body.messages[0].content).toContain(JSON.stringify(jsonSchemaFor(hookBatchSchema, { strict: false })));
	});

	test('json_schema mode sends the strict schema; prompt mode sends no response_format', async () => {
		fake.replyWith({ content: HOOKS }, { content: `Sure! ${JSON.stringify(HOOKS)}` });
		await new OpenAiCompatibleLlmProvider({ baseURL: fake.baseURL, model: 'qwen', structuredOutput: 'json_schema', apiKey: 'vllm-key' }).generate(hooksRequest);
		await new OpenAiCompatibleLlmProvider({ baseURL: fake.baseURL, model: 'qwen', structuredOutput: 'prompt' }).generate(hooksRequest);
		const [strict, prompt] = fake.chatRequests();
		expect(strict.headers.authorization).toBe('Bearer vllm-key');
		expect(chatBody(strict).response_format?.json_schema).toMatchObject({ strict: true, name: 'hook_batch' });
		expect(chatBody(prompt).response_format).toBeUndefined();
	});

	test('an answer that is not JSON is invalid output', async () => {
		fake.replyWith({ content: 'I would suggest three hooks: ...' });
		const err = await failure(new OpenAiCompatibleLlmProvider({ baseURL: fake.baseURL, model: 'm' }).generate(hooksRequest));
		expect(err.kind).toBe('invalid_output');
	});

	test('DeepSeek is priced as "deepseek"; other hosts as openai_compatible', () => {
		expect(compatibleProviderName('https://api.deepseek.com/v1')).toBe('deepseek');
		expect(compatibleProviderName('http://localhost:11434/v1')).toBe('openai_compatible');
	});
});

describe('Anthropic', () => {
	let fake: AnthropicFake;
	beforeEach(async () => {
		fake = await startAnthropicFake({ apiKey: ANTHROPIC_KEY });
	});
	afterEach(() => fake.close());

	const provider = (extra: Partial<ConstructorParameters<typeof AnthropicLlmProvider>[0]> = {}) =>
		new AnthropicLlmProvider({ apiKey: ANTHROPIC_KEY, baseURL: fake.url, retryBaseDelayMs: 5, ...extra });

	test('sends x-api-key, anthropic-version and output_config.format; reads usage', async () => {
		fake.replyWith({ text: brief, usage: { input_tokens: 812, output_tokens: 230 } });
		const result = await provider().generate({ ...briefRequest, maxOutputTokens: 2000, temperature: 0.4 });
		expect(result).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5', usage: { input_tokens: 812, output_tokens: 230 } });
		// 812 × $1/M + 230 × $5/M
		expect(estimateCost({ provider: result.provider, model: result.model, usage: result.usage }).amount_usd).toBe('0.001962');
		expect(result.data.target_audience.demographics).toEqual({ age: '25-34', urban: true });

		const [req] = fake.requests;
		expect(req.path).toBe('/v1/messages');
		expect(req.headers['x-api-key']).toBe(ANTHROPIC_KEY);
		expect(req.headers['anthropic-version']).toBe('2023-06-01');
		expect(req.headers.authorization).toBeUndefined();
		expect(req.body).toMatchObject({
			model: 'claude-haiku-4-5',
			max_tokens: 2000,
			temperature: 0.4,
			system: briefRequest.system,
			messages: [{ role: 'user', content: briefRequest.prompt }],
			output_config: { format: { type: 'json_schema', schema: jsonSchemaFor(creativeBriefSchema, { strict: true }) } },
		});
	});

	test('stop_reason refusal and max_tokens are errors; max_tokens keeps the usage', async () => {
		fake.replyWith({ stop_reason: 'refusal' }, { text: '{"hooks": [', stop_reason: 'max_tokens', usage: { input_tokens: 10, output_tokens: 500 } });
		expect((await failure(provider().generate(hooksRequest))).kind).toBe('refusal');
		const cut = await failure(provider().generate(hooksRequest));
		expect(cut).toMatchObject({ kind: 'truncated', usage: { input_tokens: 10, output_tokens: 500 } });
	});

	test('529 overloaded is retried; 429 honours retry-after', async () => {
		fake.setFault({ kind: 'server_error', status: 529 }, 1);
		fake.setFault({ kind: 'rate_limit', retryAfter: '1' }, 1);
		fake.replyWith({ text: HOOKS });
		const result = await provider().generate(hooksRequest);
		expect(result.data).toEqual(HOOKS);
		expect(fake.requests.map((r) => r.status)).toEqual([529, 429, 200]);
		expect(fake.requests[2].at - fake.requests[1].at).toBeGreaterThanOrEqual(950);
	});

	test('a wrong key is an auth error without the key in it', async () => {
		const err = await failure(new AnthropicLlmProvider({ apiKey: WRONG_KEY, baseURL: fake.url }).generate(hooksRequest));
		expect(err).toMatchObject({ kind: 'auth', status: 401 });
		expect(err.message).not.toContain(WRONG_KEY);
	});

	test('no answer, a dropped connection or a malformed 200 are unknown outcomes, sent once; a refused connection is retried', async () => {
		fake.setFault({ kind: 'hang' }, 1);
		expect(await failure(provider({ timeoutMs: 300, maxRetries: 3 }).generate(hooksRequest))).toMatchObject({ kind: 'timeout', outcomeKnown: false });
		fake.setFault({ kind: 'drop' }, 1);
		expect(await failure(provider({ maxRetries: 3 }).generate(hooksRequest))).toMatchObject({ kind: 'network', outcomeKnown: false });
		fake.setFault({ kind: 'malformed' }, 1);
		expect(await failure(provider({ maxRetries: 3 }).generate(hooksRequest))).toMatchObject({ kind: 'invalid_output', outcomeKnown: false });
		expect(fake.requests).toHaveLength(3);

		const closed = `http://127.0.0.1:${new URL(fake.url).port}`;
		await fake.close();
		const refused = await failure(new AnthropicLlmProvider({ apiKey: ANTHROPIC_KEY, baseURL: closed, maxRetries: 1, retryBaseDelayMs: 5 }).generate(hooksRequest));
		expect(refused).toMatchObject({ kind: 'network', outcomeKnown: true });
		expect(refused.message).toMatch(/cannot connect/);
		fake = await startAnthropicFake({ apiKey: ANTHROPIC_KEY });
	});
});

describe('fallback to local', () => {
	let fake: OpenAiFake;
	beforeEach(async () => {
		fake = await startOpenAiFake({ apiKey: OPENAI_KEY });
	});
	afterEach(() => fake.close());

	const primary = (extra: Partial<ConstructorParameters<typeof OpenAiLlmProvider>[0]> = {}) =>
		new OpenAiLlmProvider({ apiKey: OPENAI_KEY, baseURL: fake.baseURL, maxRetries: 1, retryBaseDelayMs: 5, ...extra });

	test('5xx after the retries: the local provider answers and says so, when allowed', async () => {
		fake.setFault({ kind: 'server_error', status: 503 });
		const { local, spy } = spiedLocal();
		const seen: string[] = [];
		const llm = new FallbackLlmProvider(primary(), local, { allowLocalFallback: true, onFallback: (i) => seen.push(i.kind) });
		const result = (await llm.generate(hooksWithContext)) as FallbackLlmResult<z.infer<typeof hookBatchSchema>>;
		expect(result).toMatchObject({ provider: 'local', model: local.model, fallback_from: 'openai', fallback_model: 'gpt-4o-mini' });
		expect(result.data.hooks).toHaveLength(3);
		expect(result.fallback_reason).toMatch(/503/);
		expect(seen).toEqual(['server']);
		expect(fake.chatRequests()).toHaveLength(2); // the first try and one retry, nothing more
		expect(spy).toHaveBeenCalledTimes(1);
	});

	test('not allowed: the primary error comes through and local is not asked', async () => {
		fake.setFault({ kind: 'server_error', status: 500 });
		const { local, spy } = spiedLocal();
		const llm = new FallbackLlmProvider(primary(), local, { allowLocalFallback: false });
		await expect(llm.generate(hooksWithContext)).rejects.toMatchObject({ status: 500, kind: 'server' });
		expect(spy).not.toHaveBeenCalled();
	});

	test('a timeout falls back without re-sending the paid call', async () => {
		fake.setFault({ kind: 'hang' });
		const llm = new FallbackLlmProvider(primary({ timeoutMs: 300, maxRetries: 3 }), new LocalLlmProvider(), { allowLocalFallback: true });
		const result = (await llm.generate(hooksWithContext)) as FallbackLlmResult<unknown>;
		expect(result.provider).toBe('local');
		expect(result.fallback_reason).toMatch(/timed out/);
		expect(fake.chatRequests()).toHaveLength(1);
	});

	test('invalid output falls back and reports what the primary billed', async () => {
		fake.replyWith({ content: '{"hooks": []}', usage: { prompt_tokens: 50, completion_tokens: 5 } });
		const llm = new FallbackLlmProvider(primary(), new LocalLlmProvider(), { allowLocalFallback: true });
		const result = (await llm.generate(hooksWithContext)) as FallbackLlmResult<unknown>;
		expect(result).toMatchObject({ provider: 'local', fallback_primary_usage: { input_tokens: 50, output_tokens: 5 } });
	});

	test('a bad key or a refusal is not papered over', async () => {
		const { local, spy } = spiedLocal();
		const badKey = new FallbackLlmProvider(new OpenAiLlmProvider({ apiKey: WRONG_KEY, baseURL: fake.baseURL }), local, { allowLocalFallback: true });
		await expect(badKey.generate(hooksWithContext)).rejects.toBeInstanceOf(ProviderError);
		fake.replyWith({ refusal: 'No.' });
		const refused = new FallbackLlmProvider(primary(), local, { allowLocalFallback: true });
		await expect(refused.generate(hooksWithContext)).rejects.toMatchObject({ kind: 'refusal' });
		expect(spy).not.toHaveBeenCalled();
	});
});

describe('registry: LLM providers from plain config', () => {
	let openai: OpenAiFake;
	let anthropic: AnthropicFake;
	beforeEach(async () => {
		openai = await startOpenAiFake({ apiKey: OPENAI_KEY });
		anthropic = await startAnthropicFake({ apiKey: ANTHROPIC_KEY });
	});
	afterEach(async () => {
		await openai.close();
		await anthropic.close();
	});

	test('each provider is built from its config and talks to its base URL', async () => {
		openai.replyWith({ content: HOOKS }, { content: HOOKS });
		anthropic.replyWith({ text: HOOKS });
		const gpt = createLlmProvider({ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.baseURL, model: 'gpt-4o' });
		const claude = createLlmProvider({ provider: 'anthropic', apiKey: ANTHROPIC_KEY, baseUrl: anthropic.url, model: 'claude-sonnet-5' });
		const compatible = createLlmProvider({ provider: 'openai_compatible', apiKey: OPENAI_KEY, baseUrl: openai.baseURL, model: 'deepseek-chat', name: 'deepseek' });
		expect([gpt, claude, compatible].map((p) => [p.name, p.model])).toEqual([
			['openai', 'gpt-4o'],
			['anthropic', 'claude-sonnet-5'],
			['deepseek', 'deepseek-chat'],
		]);
		for (const p of [gpt, claude, compatible]) expect((await p.generate(hooksRequest)).data).toEqual(HOOKS);
		expect(openai.chatRequests().map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o', 'deepseek-chat']);
		expect(anthropic.requests).toHaveLength(1);
		expect(createLlmProvider({ provider: 'local' })).toBeInstanceOf(LocalLlmProvider);
	});

	test('allowLocalFallback wraps the (optionally metered) primary with the local provider', async () => {
		openai.setFault({ kind: 'server_error', status: 500 });
		const wrapped: string[] = [];
		const llm = createLlmProvider(
			{ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.baseURL, maxRetries: 0, allowLocalFallback: true },
			{
				wrapPrimary: (p) => {
					wrapped.push(p.name);
					return p;
				},
			},
		);
		expect(llm).toBeInstanceOf(FallbackLlmProvider);
		expect(wrapped).toEqual(['openai']);
		const result = (await llm.generate(hooksWithContext)) as FallbackLlmResult<unknown>;
		expect(result).toMatchObject({ provider: 'local', fallback_from: 'openai' });
		expect(createLlmProvider({ provider: 'openai', apiKey: OPENAI_KEY })).toBeInstanceOf(OpenAiLlmProvider);
	});

	test('missing or unknown settings are validation errors naming the field', () => {
		expect(() => createLlmProvider({ provider: 'openai' })).toThrow(expect.objectContaining({ field: 'apiKey' }));
		expect(() => createLlmProvider({ provider: 'anthropic', apiKey: ' ' })).toThrow(ValidationError);
		expect(() => createLlmProvider({ provider: 'openai_compatible', model: 'x' })).toThrow(expect.objectContaining({ field: 'baseUrl' }));
		expect(() => createLlmProvider({ provider: 'openai_compatible', baseUrl: 'http://localhost:11434/v1' })).toThrow(expect.objectContaining({ field: 'model' }));
		expect(() => createLlmProvider({ provider: 'gemini' as never })).toThrow(expect.objectContaining({ field: 'provider' }));
	});
});
