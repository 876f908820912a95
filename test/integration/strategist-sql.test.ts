/** The pillar 1-2 state API on PGlite: guideline documents, the brief gate, hooks, script versions, safety reports. */
import { BudgetExceededError, NotFoundError, ValidationError, VersionConflictError } from '../../lib/domain/errors';
import { localEmbedding } from '../../lib/providers/embeddings/local';
import type { Store } from '../../lib/store';
import type { SqlSession } from '../../lib/store/migrations';
import { seedCampaign, tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
let sql: SqlSession;
beforeAll(async () => {
	t = await tempStore();
	store = t.store;
	sql = t.transport.session;
}, 60_000);
afterAll(() => t.close());

const scene = (sequence: number, duration: number) => ({
	sequence,
	duration_seconds: duration,
	visual_prompt: `scene ${sequence} in #0A2540 and #FF6B00, cinematic`,
	voiceover_text: `line ${sequence}`,
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'dolly in', lighting: 'golden hour' },
	audio_cues: { music_style: 'warm pop', sfx: [], voice_tone: 'warm' },
});
const script = (durations: number[]) => ({
	hook: { text: 'Ever wondered?', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'best' },
	scenes: durations.map((d, i) => scene(i + 1, d)),
	voiceover_full_text: durations.map((_, i) => `line ${i + 1}`).join(' '),
	total_duration_seconds: durations.reduce((a, b) => a + b, 0),
	variant_tag: 'humorous',
});

async function briefFor(score: number, opts: { auto?: boolean } = {}) {
	const { brand, campaign } = await seedCampaign(store, '50');
	const brief = await store.createBrief({
		brand_id: brand.brand_id,
		campaign_id: campaign.campaign_id,
		campaign_request: { product_category: 'shoes' },
		creative_brief: { core_message: { primary_hook: 'x' } },
		brand_alignment_score: score,
		auto_approve: opts.auto ?? false,
	});
	return { brand, campaign, brief };
}

test('re-ingesting a guideline document replaces its chunks, and search finds them', async () => {
	const brand = await store.createBrand({ brand_name: 'Docs' });
	const id = brand.brand_id as string;
	const chunk = (content: string, category = 'tone') => ({ content, category, embedding: localEmbedding(content) });
	const first = await store.replaceGuidelineDocument(id, 'voice.md', [chunk('warm optimistic plain spoken voice'), chunk('never say cheap', 'restrictions')]);
	expect(first).toMatchObject({ chunks: 2, replaced_chunks: 0 });
	const second = await store.replaceGuidelineDocument(id, 'voice.md', [chunk('warm optimistic voice with humour')]);
	expect(second).toMatchObject({ chunks: 1, replaced_chunks: 2 });
	await store.replaceGuidelineDocument(id, 'palette.md', [chunk('navy #0A2540 and orange #FF6B00', 'visual_style')]);
	const rows = await sql.rows<{ n: number }>('select count(*)::int as n from brand_guidelines where brand_id = $1', [id]);
	expect(rows[0].n).toBe(2);
	const hits = await store.matchBrandGuidelines(id, localEmbedding('warm optimistic voice'), 5, 0.1);
	expect(hits[0]).toMatchObject({ content: 'warm optimistic voice with humour', category: 'tone' });
	await expect(store.replaceGuidelineDocument(id, 'x.md', [{ content: 'y', category: 'mood' }])).rejects.toMatchObject({ field: 'category' });
	await expect(store.replaceGuidelineDocument(id, 'x.md', [])).rejects.toMatchObject({ field: 'chunks' });
	// Nothing half-written: the failed re-ingest left the document as it was.
	await expect(
		store.replaceGuidelineDocument(id, 'palette.md', [chunk('ok'), { content: '', category: 'tone' }]),
	).rejects.toBeInstanceOf(ValidationError);
	const palette = await sql.rows('select content from brand_guidelines where brand_id = $1 and document_id = $2', [id, 'palette.md']);
	expect(palette).toEqual([{ content: 'navy #0A2540 and orange #FF6B00' }]);
});

test('the alignment gate: at or above the threshold the brief is submitted, below it waits for review', async () => {
	const pass = await briefFor(0.91);
	expect(pass.brief).toMatchObject({ approval_status: 'pending', review_reason: null, passed_gate: true });
	expect((pass.brief.creative_brief as Record<string, unknown>).brief_id).toBe(pass.brief.brief_id);
	const auto = await briefFor(0.9, { auto: true });
	expect(auto.brief).toMatchObject({ approval_status: 'approved', passed_gate: true });
	const low = await briefFor(0.6, { auto: true });
	expect(low.brief).toMatchObject({ approval_status: 'pending', passed_gate: false, review_reason: expect.stringContaining('below 0.85') });
	await expect(store.createBrief({ brand_id: pass.brand.brand_id, campaign_request: {}, creative_brief: {}, brand_alignment_score: 1.2 })).rejects.toMatchObject({
		field: 'brand_alignment_score',
	});
	await expect(
		store.createBrief({ brand_id: '00000000-0000-4000-8000-000000000000', campaign_request: {}, creative_brief: {}, brand_alignment_score: 0.9 }),
	).rejects.toBeInstanceOf(NotFoundError);
});

test('hooks, a script from the selected hook, revisions with every version kept', async () => {
	const { brief } = await briefFor(0.9, { auto: true });
	const hooks = Array.from({ length: 50 }, (_, i) => ({ text: `hook ${i}`, hook_type: 'question', quality_score: i / 50, variation_number: i + 1 }));
	const stored = await store.storeHooks(brief.brief_id as string, hooks);
	expect(stored.stored).toBe(50);
	const best = (stored.hooks as { hook_id: string; variation_number: number }[]).find((h) => h.variation_number === 50)!;
	const created = await store.createScript({ brief_id: brief.brief_id as string, hook_id: best.hook_id, script: script([4, 3.5, 5, 4.5]) });
	expect(created).toMatchObject({ approval_status: 'draft', version: 1, state_version: 1, total_duration_seconds: 17 });
	const id = created.script_id as string;
	const revised = await store.reviseScript(id, 1, script([5, 5, 5]));
	expect(revised).toMatchObject({ version: 2, state_version: 2, total_duration_seconds: 15 });
	await expect(store.reviseScript(id, 1, script([5, 5, 5]))).rejects.toBeInstanceOf(VersionConflictError);
	const got = await store.getScript(id);
	expect((got.versions as unknown[]).length).toBe(2);
	expect((got.scene_segments as unknown[]).length).toBe(3);
	const [hook] = await sql.rows<{ selected: boolean; script_id: string }>('select selected, script_id from hooks where hook_id = $1', [best.hook_id]);
	expect(hook).toEqual({ selected: true, script_id: id });
	await store.transition({ entity: 'script', id, expectedVersion: 2, toStatus: 'pending' });
	await expect(store.reviseScript(id, 3, script([5, 5, 5]))).rejects.toMatchObject({ code: 'BI422' });
});

test('the closed loop: hooks of published variants with engagement come back as best past hooks', async () => {
	const { brand, campaign, brief } = await briefFor(0.95, { auto: true });
	const { hooks } = (await store.storeHooks(brief.brief_id as string, [{ text: 'Stop scrolling: your feet deserve this', hook_type: 'statement', quality_score: 0.8, variation_number: 1 }])) as {
		hooks: { hook_id: string }[];
	};
	const s = await store.createScript({ brief_id: brief.brief_id as string, hook_id: hooks[0].hook_id, script: script([5, 5, 5]) });
	const variant = await store.createVariant({ campaign_id: campaign.campaign_id, variant_type: 'humorous', script_id: s.script_id });
	expect(await store.bestPastHooks(brand.brand_id as string)).toEqual([]);
	await sql.rows(`update variants set performance_metrics = '{"engagement_rate": 0.071}' where variant_id = $1`, [variant.variant_id]);
	expect(await store.bestPastHooks(brand.brand_id as string)).toEqual([
		{ text: 'Stop scrolling: your feet deserve this', hook_type: 'statement', engagement_rate: 0.071 },
	]);
});

test('trends dedupe per source and day; safety reports update the script score', async () => {
	await store.recordTrend({ topic: 'Quiet luxury', source: 'tiktok', engagement_score: 10 });
	const again = await store.recordTrend({ topic: 'quiet luxury', source: 'tiktok', engagement_score: 30 });
	expect(Number(again.engagement_score)).toBe(30);
	expect((await store.recentTrends()).filter((x) => String(x.topic).toLowerCase() === 'quiet luxury')).toHaveLength(1);
	await expect(store.recordTrend({ source: 'tiktok' })).rejects.toMatchObject({ field: 'topic' });

	const { brief } = await briefFor(0.9, { auto: true });
	const s = await store.createScript({ brief_id: brief.brief_id as string, script: script([5, 5, 5]) });
	const report = await store.recordSafetyReport({ entity: 'script', entity_id: s.script_id, route: 'pass', confidence: 0.93, checks: [{ name: 'tone', score: 0.9 }] });
	expect(report.route).toBe('pass');
	expect((await store.getScript(s.script_id as string)).brand_compliance_score).toBe(0.93);
	await expect(store.recordSafetyReport({ entity: 'script', route: 'maybe', confidence: 0.5, checks: [] })).rejects.toMatchObject({ field: 'route' });
});

test('brand-level costs land in the ledger without touching any campaign budget', async () => {
	const { brand, campaign } = await seedCampaign(store, '1');
	await store.recordBrandCost(brand.brand_id as string, 'strategist', 'api_cost', 1_500_000, 'embeddings for voice.md');
	expect((await store.budgetStatus(campaign.campaign_id as string)).committed_usd).toBe('0.000000');
	await expect(store.reserveBudget({ campaignId: campaign.campaign_id as string, pillar: 'strategist', amount: 2_000_000 })).rejects.toBeInstanceOf(
		BudgetExceededError,
	);
});
