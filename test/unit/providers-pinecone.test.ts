/**
 * PineconeVectorStore with the real @pinecone-database/pinecone SDK against the loopback fake:
 * namespaces per brand, upsert batching under Pinecone's 2 MB limit, query scores and metadata,
 * delete by document, host resolution through the control plane, faults, and the registry.
 */
import { randomBytes } from 'node:crypto';

import { ProviderCallError } from '../../lib/providers/llm/openai';
import { createVectorStore } from '../../lib/providers/registry';
import type { VectorRecord } from '../../lib/providers/types';
import { PineconeVectorStore } from '../../lib/providers/vectors/pinecone';
import { startPineconeFake, type PineconeFake } from '../fakes/pinecone';

const KEY = `pcsk_${randomBytes(16).toString('hex')}`;
const WRONG_KEY = `pcsk_${randomBytes(16).toString('hex')}`;
const BRAND_A = '11111111-1111-4111-8111-111111111111';
const BRAND_B = '22222222-2222-4222-8222-222222222222';

/** A unit vector along axis `i` (plus a little of axis i+1), 1536 dims. */
function axis(i: number, tilt = 0): number[] {
	const v = new Array<number>(1536).fill(0);
	v[i] = 1;
	v[i + 1] = tilt;
	return v;
}

function record(id: string, documentId: string, values: number[], content = `chunk ${id}`): VectorRecord {
	return { id, values, metadata: { document_id: documentId, category: 'tone', content } };
}

describe('Pinecone vector store', () => {
	let fake: PineconeFake;
	let indexCounter = 0;
	beforeEach(async () => {
		// a fresh index name each time: the SDK caches name → host per process
		fake = await startPineconeFake({ apiKey: KEY, indexName: `brand-guidelines-${++indexCounter}` });
	});
	afterEach(() => fake.close());

	const store = (extra: Partial<ConstructorParameters<typeof PineconeVectorStore>[0]> = {}) =>
		new PineconeVectorStore({ apiKey: KEY, indexHost: fake.url, ...extra });

	test('upsert and query per brand namespace, best match first, minScore applied here', async () => {
		const vs = store();
		await vs.upsert(BRAND_A, [record('a1', 'doc-1', axis(0)), record('a2', 'doc-1', axis(0, 1)), record('a3', 'doc-2', axis(5))]);
		await vs.upsert(BRAND_B, [record('b1', 'doc-9', axis(0))]);

		const matches = await vs.query(BRAND_A, axis(0), 5, 0.5);
		expect(matches.map((m) => m.id)).toEqual(['a1', 'a2']); // a3 is orthogonal (score 0) and below minScore
		expect(matches[0].score).toBeCloseTo(1, 6);
		expect(matches[1].score).toBeCloseTo(Math.SQRT1_2, 6);
		expect(matches[0].metadata).toEqual({ document_id: 'doc-1', category: 'tone', content: 'chunk a1' });
		expect((await vs.query(BRAND_B, axis(0), 5, 0)).map((m) => m.id)).toEqual(['b1']);

		const upsert = fake.requests[0];
		expect(upsert.path).toBe('/vectors/upsert');
		expect(upsert.headers['api-key']).toBe(KEY);
		expect(upsert.headers['x-pinecone-api-version']).toBeTruthy();
		expect(upsert.body).toMatchObject({ namespace: BRAND_A, vectors: [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }] });
		const query = fake.requests.find((r) => r.path === '/query');
		expect(query?.body).toMatchObject({ namespace: BRAND_A, topK: 5, includeMetadata: true, includeValues: false });
	});

	test('deleteByDocument removes one document of one brand, by metadata filter', async () => {
		const vs = store();
		await vs.upsert(BRAND_A, [record('a1', 'doc-1', axis(0)), record('a2', 'doc-1', axis(1)), record('a3', 'doc-2', axis(2))]);
		await vs.upsert(BRAND_B, [record('b1', 'doc-1', axis(0))]);
		await vs.deleteByDocument(BRAND_A, 'doc-1');
		expect([...(fake.namespaces.get(BRAND_A)?.keys() ?? [])]).toEqual(['a3']);
		expect([...(fake.namespaces.get(BRAND_B)?.keys() ?? [])]).toEqual(['b1']);
		const del = fake.requests.find((r) => r.path === '/vectors/delete');
		expect(del?.body).toEqual({ namespace: BRAND_A, filter: { document_id: { $eq: 'doc-1' } } });
	});

	test('large upserts are split under the 2 MB request limit', async () => {
		// ~30 KB of JSON per 1536-dim record: 150 records are ~4.5 MB, which one request may not carry
		const records = Array.from({ length: 150 }, (_, i) => record(`r${i}`, 'big-doc', Array.from({ length: 1536 }, (_, j) => Math.sin(i * 1536 + j))));
		await store().upsert(BRAND_A, records);
		const upserts = fake.requests.filter((r) => r.path === '/vectors/upsert');
		expect(upserts.length).toBeGreaterThan(2);
		expect(upserts.every((r) => r.status === 200 && r.rawBody.length < 2 * 1024 * 1024)).toBe(true);
		expect(fake.namespaces.get(BRAND_A)?.size).toBe(150);
	});

	test('an index name is resolved to its host through the control plane once', async () => {
		const vs = store({ indexHost: undefined, indexName: fake.indexName, controllerHostUrl: fake.url });
		await vs.upsert(BRAND_A, [record('a1', 'doc-1', axis(0))]);
		await vs.query(BRAND_A, axis(0), 1, 0);
		expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /indexes/${fake.indexName}`, 'POST /vectors/upsert', 'POST /query']);
	});

	test('429 waits for Retry-After; 5xx is retried by the SDK; errors say what happened without the key', async () => {
		const vs = store({ maxRetries: 2 });
		fake.setFault({ kind: 'rate_limit', retryAfter: '1' }, 1);
		fake.setFault({ kind: 'server_error', status: 503 }, 1);
		await vs.upsert(BRAND_A, [record('a1', 'doc-1', axis(0))]);
		expect(fake.requests.map((r) => r.status)).toEqual([429, 503, 200]);
		expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(950);

		fake.setFault({ kind: 'server_error', status: 500 });
		const down = await vs.query(BRAND_A, axis(0), 1, 0).catch((e: unknown) => e);
		expect(down).toBeInstanceOf(ProviderCallError);
		expect(down).toMatchObject({ kind: 'server', outcomeKnown: true });
		fake.clearFaults();

		const wrongKey = await new PineconeVectorStore({ apiKey: WRONG_KEY, indexHost: fake.url }).query(BRAND_A, axis(0), 1, 0).catch((e: unknown) => e);
		expect(wrongKey).toMatchObject({ kind: 'auth', status: 401 });
		expect((wrongKey as Error).message).not.toContain(WRONG_KEY);

		const badDims = await vs.query(BRAND_A, [1, 0, 0], 1, 0).catch((e: unknown) => e);
		expect(badDims).toMatchObject({ kind: 'bad_request', status: 400 });
	});

	test('a request with no answer times out', async () => {
		fake.setFault({ kind: 'hang' });
		const err = await store({ timeoutMs: 300 }).query(BRAND_A, axis(0), 1, 0).catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'timeout', outcomeKnown: false });
	});

	test('registry: pinecone from config; pgvector means "use the store" (null)', async () => {
		const vs = createVectorStore({ provider: 'pinecone', apiKey: KEY, indexHost: fake.url });
		expect(vs).toBeInstanceOf(PineconeVectorStore);
		await vs?.upsert(BRAND_A, [record('a1', 'doc-1', axis(0))]);
		expect(fake.namespaces.get(BRAND_A)?.size).toBe(1);
		expect(createVectorStore({ provider: 'pgvector' })).toBeNull();
		expect(createVectorStore({ provider: 'supabase' })).toBeNull();
		expect(() => createVectorStore({ provider: 'pinecone', apiKey: KEY })).toThrow(expect.objectContaining({ field: 'indexHost' }));
		expect(() => createVectorStore({ provider: 'pinecone', indexHost: fake.url })).toThrow(expect.objectContaining({ field: 'apiKey' }));
	});
});
