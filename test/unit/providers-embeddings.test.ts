/**
 * OpenAI embeddings and moderation with the real openai SDK against the loopback fake: the base64
 * wire format decoded to the right float32 values, batching, usage, faults, and the registry.
 */
import { randomBytes } from 'node:crypto';

import { ValidationError } from '../../lib/domain/errors';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { OpenAiEmbeddingProvider } from '../../lib/providers/embeddings/openai';
import { ProviderCallError } from '../../lib/providers/llm/openai';
import { LocalModerationProvider } from '../../lib/providers/moderation/local';
import { OpenAiModerationProvider } from '../../lib/providers/moderation/openai';
import { createEmbeddingProvider, createModerationProvider } from '../../lib/providers/registry';
import { fakeEmbedding, fakeTokens, MODERATION_CATEGORIES, startOpenAiFake, type OpenAiFake } from '../fakes/openai';

const KEY = `sk-test-${randomBytes(16).toString('hex')}`;

describe('OpenAI embeddings', () => {
	let fake: OpenAiFake;
	beforeEach(async () => {
		fake = await startOpenAiFake({ apiKey: KEY });
	});
	afterEach(() => fake.close());

	const embedder = (extra: Partial<ConstructorParameters<typeof OpenAiEmbeddingProvider>[0]> = {}) =>
		new OpenAiEmbeddingProvider({ apiKey: KEY, baseURL: fake.baseURL, retryBaseDelayMs: 5, ...extra });

	test('text-embedding-3-small: base64 on the wire, decoded to the exact float32 values, 1536 dims', async () => {
		const texts = ['Refill, not landfill.', 'Cold for 24 hours.'];
		const result = await embedder().embed(texts);

		expect(result).toMatchObject({ provider: 'openai', model: 'text-embedding-3-small', usage: { input_tokens: fakeTokens(texts[0]) + fakeTokens(texts[1]) } });
		expect(result.vectors).toEqual(texts.map((t) => fakeEmbedding(t, 1536)));
		expect(result.vectors[0]).toHaveLength(1536);

		const [req] = fake.requests;
		expect(req.path).toBe('/v1/embeddings');
		expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(req.body).toEqual({ model: 'text-embedding-3-small', input: texts, encoding_format: 'base64' });
		// what went over the wire for that body: base64 strings, not float arrays
		const raw = await fetch(`${fake.baseURL}/embeddings`, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
			body: req.rawBody,
		}).then((r) => r.json() as Promise<{ data: { embedding: unknown }[] }>);
		expect(typeof raw.data[0].embedding).toBe('string');
	});

	test('inputs go in batches of at most 2048 and come back in input order', async () => {
		// 8 dimensions keep 2049 vectors small; the batch limit is what is under test
		const texts = Array.from({ length: 2049 }, (_, i) => `text ${i}`);
		const result = await embedder({ dimensions: 8, batchSize: 10_000 }).embed(texts);
		const sizes = fake.requests.map((r) => ((r.body as { input: string[] }).input).length);
		expect(sizes).toEqual([2048, 1]);
		expect((fake.requests[0].body as { dimensions: number }).dimensions).toBe(8);
		expect(result.vectors).toHaveLength(2049);
		expect(result.vectors[2048]).toEqual(fakeEmbedding('text 2048', 8));
		expect(result.vectors[7]).toEqual(fakeEmbedding('text 7', 8));
		expect(result.usage.input_tokens).toBe(texts.reduce((n, t) => n + fakeTokens(t), 0));
	});

	test('smaller batches when asked; no request for no texts', async () => {
		const texts = ['a b', 'c d', 'e f', 'g h', 'i j'];
		const result = await embedder({ batchSize: 2 }).embed(texts);
		expect(fake.requests.map((r) => (r.body as { input: string[] }).input)).toEqual([['a b', 'c d'], ['e f', 'g h'], ['i j']]);
		expect(result.vectors[4]).toEqual(fakeEmbedding('i j'));
		expect(await embedder().embed([])).toMatchObject({ vectors: [], usage: { input_tokens: 0 } });
		expect(fake.requests).toHaveLength(3);
	});

	test('an empty text is refused before any request, naming it', async () => {
		await expect(embedder().embed(['fine', '  '])).rejects.toMatchObject({ field: 'texts[1]' });
		await expect(embedder().embed([''])).rejects.toBeInstanceOf(ValidationError);
		expect(fake.requests).toHaveLength(0);
	});

	test('a vector of the wrong size is invalid output', async () => {
		const twoFloats = Buffer.from(Float32Array.from([0.25, 0.5]).buffer).toString('base64');
		fake.setFault(
			{
				kind: 'status',
				status: 200,
				body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: twoFloats }], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } },
			},
			1,
		);
		const err = await embedder().embed(['x y']).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ProviderCallError);
		expect(err).toMatchObject({ kind: 'invalid_output', message: expect.stringMatching(/2-dimension vector.*1536/) });
	});

	test('429 honours Retry-After; 500 is retried; neither leaks the key', async () => {
		fake.setFault({ kind: 'rate_limit', retryAfterMs: '300' }, 1);
		fake.setFault({ kind: 'server_error', status: 500 }, 1);
		const result = await embedder().embed(['hello world']);
		expect(result.vectors[0]).toEqual(fakeEmbedding('hello world'));
		expect(fake.requests.map((r) => r.status)).toEqual([429, 500, 200]);
		expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(280);

		fake.setFault({ kind: 'server_error', status: 502 });
		const err = (await embedder({ maxRetries: 1 }).embed(['x']).catch((e: unknown) => e)) as ProviderCallError;
		expect(err).toMatchObject({ kind: 'server', status: 502, outcomeKnown: true });
		expect(err.message).not.toContain(KEY);
	});

	test('registry: openai and local embedders; a missing key is a validation error', async () => {
		const e = createEmbeddingProvider({ provider: 'openai', apiKey: KEY, baseUrl: fake.baseURL });
		expect(e).toMatchObject({ name: 'openai', model: 'text-embedding-3-small', dimensions: 1536 });
		expect((await e.embed(['brand voice'])).vectors[0]).toEqual(fakeEmbedding('brand voice'));
		expect(createEmbeddingProvider({ provider: 'local' })).toBeInstanceOf(LocalEmbeddingProvider);
		expect(() => createEmbeddingProvider({ provider: 'openai' })).toThrow(expect.objectContaining({ field: 'apiKey' }));
		expect(() => createEmbeddingProvider({ provider: 'cohere' as never })).toThrow(expect.objectContaining({ field: 'provider' }));
	});
});

describe('OpenAI moderation', () => {
	let fake: OpenAiFake;
	beforeEach(async () => {
		fake = await startOpenAiFake({ apiKey: KEY, moderationRules: { kill: 'violence', idiots: 'harassment' } });
	});
	afterEach(() => fake.close());

	test('omni-moderation-latest: one result per text with the API category names', async () => {
		const moderator = new OpenAiModerationProvider({ apiKey: KEY, baseURL: fake.baseURL });
		const result = await moderator.moderate(['Stay hydrated, stay happy.', 'These bottles kill the competition, idiots.']);
		expect(result).toMatchObject({ provider: 'openai', model: 'omni-moderation-latest' });
		expect(result.results.map((r) => r.flagged)).toEqual([false, true]);
		expect(Object.keys(result.results[0].categories).sort()).toEqual([...MODERATION_CATEGORIES].sort());
		expect(result.results[1].categories).toMatchObject({ violence: true, harassment: true, 'self-harm/intent': false });
		expect(result.results[1].category_scores.violence).toBeGreaterThan(0.5);
		expect(fake.requests[0].body).toEqual({ model: 'omni-moderation-latest', input: ['Stay hydrated, stay happy.', 'These bottles kill the competition, idiots.'] });
		expect(await moderator.moderate([])).toMatchObject({ results: [] });
		expect(fake.requests).toHaveLength(1);
	});

	test('registry: openai, local or none', () => {
		expect(createModerationProvider({ provider: 'openai', apiKey: KEY, baseUrl: fake.baseURL })).toBeInstanceOf(OpenAiModerationProvider);
		expect(createModerationProvider({ provider: 'local' })).toBeInstanceOf(LocalModerationProvider);
		expect(createModerationProvider({ provider: 'none' })).toBeNull();
		expect(() => createModerationProvider({ provider: 'openai' })).toThrow(expect.objectContaining({ field: 'apiKey' }));
	});
});
