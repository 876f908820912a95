/**
 * Paid calls through the Cost Ledger, with the real OpenAI adapter against its loopback fake and
 * the real SQL on PGlite: reserve before, settle with the tokens used, refuse before any request
 * when the budget cannot cover the estimate, and never settle below the estimate on an unknown outcome.
 */
import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import { BudgetExceededError, type BrandInfinityError } from '../../lib/domain/errors';
import { OpenAiLlmProvider } from '../../lib/providers/llm/openai';
import { OpenAiEmbeddingProvider } from '../../lib/providers/embeddings/openai';
import { MeteredEmbeddingProvider, MeteredLlmProvider } from '../../lib/providers/metered';
import { createLlmProvider } from '../../lib/providers/registry';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai';
import { seedCampaign, tempStore } from '../helpers/store';

// Random per run: a test key, never a real one.
const KEY = `sk-test-${randomBytes(12).toString('hex')}`;
const WRONG_KEY = `sk-test-${randomBytes(12).toString('hex')}`;
let t: Awaited<ReturnType<typeof tempStore>>;
let fake: OpenAiFake;
beforeAll(async () => {
	t = await tempStore();
	fake = await startOpenAiFake({ apiKey: KEY });
}, 60_000);
afterAll(async () => {
	await fake.close();
	await t.close();
});

const schema = z.object({ caption: z.string() });
const req = { task: 'caption' as const, system: 'Write a caption.', prompt: 'Shoes for runners.', schema, schemaName: 'caption', context: {}, maxOutputTokens: 500 };
const ledger = (campaignId: string) =>
	t.transport.session.rows<{ amount_usd: string; description: string }>(
		'select amount_usd::text, description from cost_ledger where campaign_id = $1 order by created_at',
		[campaignId],
	);

test('a call is reserved at the estimate and settled at the tokens the provider reported', async () => {
	const { campaign } = await seedCampaign(t.store, '5');
	const campaignId = campaign.campaign_id as string;
	fake.replyWith({ content: { caption: 'Run further.' }, usage: { prompt_tokens: 1200, completion_tokens: 300 } });
	const llm = new MeteredLlmProvider(new OpenAiLlmProvider({ apiKey: KEY, baseURL: fake.baseURL, model: 'gpt-4o-mini' }), {
		store: t.store,
		campaignId,
		pillar: 'broadcaster',
		refPrefix: 'run-1',
	});
	const out = await llm.generate(req);
	expect(out.data).toEqual({ caption: 'Run further.' });
	// gpt-4o-mini: 1200 x $0.15/1M + 300 x $0.60/1M = $0.00018 + $0.00018
	expect(await ledger(campaignId)).toEqual([{ amount_usd: '0.000360', description: 'caption via openai/gpt-4o-mini' }]);
	const [reservation] = await t.transport.session.rows<{ amount_usd: string; settled_amount_usd: string; status: string }>(
		'select amount_usd::text, settled_amount_usd::text, status from budget_reservations where campaign_id = $1',
		[campaignId],
	);
	// Estimated from the prompt (34 chars → 9 tokens, + 200 of framing) and the 500-token cap: 31 + 300 micro-dollars.
	expect(reservation).toEqual({ status: 'settled', amount_usd: '0.000331', settled_amount_usd: '0.000360' });
});

test('a budget that cannot cover the estimate refuses before any request is sent', async () => {
	const { campaign } = await seedCampaign(t.store, '0.000100');
	const before = fake.chatRequests().length;
	const llm = new MeteredLlmProvider(new OpenAiLlmProvider({ apiKey: KEY, baseURL: fake.baseURL }), {
		store: t.store,
		campaignId: campaign.campaign_id as string,
		pillar: 'copywriter',
		refPrefix: 'run-2',
	});
	await expect(llm.generate(req)).rejects.toBeInstanceOf(BudgetExceededError);
	expect(fake.chatRequests().length).toBe(before);
	expect(await ledger(campaign.campaign_id as string)).toEqual([]);
});

test('an unknown outcome is settled at the estimate; a refused call releases its reservation', async () => {
	const { campaign } = await seedCampaign(t.store, '5');
	const campaignId = campaign.campaign_id as string;
	const provider = new OpenAiLlmProvider({ apiKey: KEY, baseURL: fake.baseURL, timeoutMs: 300, maxRetries: 0 });
	const llm = new MeteredLlmProvider(provider, { store: t.store, campaignId, pillar: 'copywriter', refPrefix: 'run-3' });
	fake.setFault({ kind: 'drop' }, 1);
	await expect(llm.generate(req)).rejects.toMatchObject({ outcomeKnown: false });
	fake.setFault({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' } } }, 1);
	await expect(llm.generate(req)).rejects.toMatchObject({ outcomeKnown: true });
	const rows = await ledger(campaignId);
	expect(rows).toHaveLength(1);
	expect(rows[0].description).toContain('outcome unknown');
	const statuses = await t.transport.session.rows<{ status: string }>(
		'select status from budget_reservations where campaign_id = $1 order by created_at',
		[campaignId],
	);
	expect(statuses.map((s) => s.status)).toEqual(['settled', 'released']);
});

test('with fallback allowed, a down LLM answers from the local templates and the fallback is not charged as the remote model', async () => {
	const { campaign } = await seedCampaign(t.store, '5');
	const campaignId = campaign.campaign_id as string;
	fake.setFault({ kind: 'server_error', status: 503 }, 2); // the call and its one retry
	const llm = createLlmProvider(
		{ provider: 'openai', apiKey: KEY, baseUrl: fake.baseURL, allowLocalFallback: true, maxRetries: 1, retryBaseDelayMs: 5 },
		{ wrapPrimary: (p) => new MeteredLlmProvider(p, { store: t.store, campaignId, pillar: 'copywriter', refPrefix: 'run-4' }) },
	);
	const out = await llm.generate({
		...req,
		task: 'rubric',
		schema: z.object({ score: z.number(), reasons: z.array(z.string()) }),
		context: { text: 'Warm, plain words for runners.', brand: { brand_name: 'Stride', tone: 'warm', restricted_keywords: [], color_palette: [], visual_style: 'cinematic' } },
	});
	expect(out.provider).toBe('local');
	// 503 is a known failure: nothing was charged, the reservation was released.
	expect(await ledger(campaignId)).toEqual([]);
});

test('embeddings are metered by the tokens the API counted', async () => {
	const { campaign } = await seedCampaign(t.store, '5');
	const campaignId = campaign.campaign_id as string;
	const embedder = new MeteredEmbeddingProvider(new OpenAiEmbeddingProvider({ apiKey: KEY, baseURL: fake.baseURL }), {
		store: t.store,
		campaignId,
		pillar: 'strategist',
		refPrefix: 'run-5',
	});
	const out = await embedder.embed(['warm voice', 'navy and orange']);
	expect(out.vectors).toHaveLength(2);
	const rows = await ledger(campaignId);
	expect(rows).toHaveLength(1);
	expect(rows[0].description).toContain('embeddings (2 texts) via openai/text-embedding-3-small');
	const err = await new MeteredEmbeddingProvider(new OpenAiEmbeddingProvider({ apiKey: WRONG_KEY, baseURL: fake.baseURL }), {
		store: t.store,
		campaignId,
		pillar: 'strategist',
		refPrefix: 'run-6',
	})
		.embed(['x'])
		.catch((e: BrandInfinityError) => e);
	expect(String((err as Error).message)).not.toContain(WRONG_KEY);
});
