/**
 * A/B variants in the pipeline and the campaign status that follows the work, on PGlite: the request's
 * `variants` become the brief's variant tags, the copywriter writes one script per variant with its
 * own hook, every script, video and post belongs to its variant, and the campaign and its variants
 * move draft → in_production → completed → published with OCC and audit rows as the pillars finish.
 */
import { requestedVariants } from '../../lib/strategy/brand-rag';
import { hooksForVariants, scriptsForBrief } from '../../lib/strategy/copywriter';
import { campaignProgress } from '../../lib/reports/progress';
import { createLlmProvider } from '../../lib/providers/registry';
import { campaignRequestSchema, type CreativeBrief } from '../../lib/domain/schemas';
import type { Json, Store } from '../../lib/store';
import type { SqlSession } from '../../lib/store/migrations';
import { tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
let sql: SqlSession;
beforeAll(async () => {
	t = await tempStore();
	store = t.store;
	sql = t.transport.session;
}, 60_000);
afterAll(() => t.close());

const BRIEF: CreativeBrief = {
	target_audience: { demographics: { age: '25-40' }, psychographics: ['runs before work'], pain_points: ['heavy shoes'] },
	core_message: { primary_hook: 'Your morning run deserves lighter shoes.', value_proposition: 'Light and springy', call_to_action: 'Try the Cloudline' },
	trending_insights: { trending_topics: [], trending_audio: [], competitor_analysis: {}, viral_patterns: [] },
	brand_guidelines_ref: { tone: 'warm, direct', color_palette: ['#0A2540', '#FF6B35'], restricted_keywords: ['cheap'], visual_style: 'cinematic city dawn' },
	variant_suggestions: [
		{ variant_type: 'emotional', rationale: 'the feeling of a morning run' },
		{ variant_type: 'humorous', rationale: 'the snooze button' },
	],
};

async function campaignWithHooks(request: Record<string, unknown>) {
	const brand = await store.createBrand({ brand_name: 'Stride', tone: 'warm, direct', visual_style: 'cinematic city dawn', color_palette: ['#0A2540', '#FF6B35'], restricted_keywords: ['cheap'] });
	const campaign = await store.createCampaign({ campaign_name: 'Cloudline', brand_id: brand.brand_id, budget_limit_usd: '25' });
	const parsed = campaignRequestSchema.parse({ product_category: 'running shoes', target_demographic: 'urban runners', campaign_objective: 'awareness', budget_tier: 'standard', brand_id: brand.brand_id, ...request });
	const brief = await store.createBrief({
		brand_id: brand.brand_id,
		campaign_id: campaign.campaign_id,
		campaign_request: parsed,
		creative_brief: BRIEF,
		brand_alignment_score: 0.9,
		auto_approve: true,
		variant_tags: requestedVariants(parsed, BRIEF),
	});
	await store.storeHooks(brief.brief_id as string, [
		{ text: 'What if your run started lighter?', hook_type: 'question', quality_score: 0.91, variation_number: 1 },
		{ text: 'Is your shoe slowing your morning?', hook_type: 'question', quality_score: 0.88, variation_number: 2 },
		{ text: 'Mornings are lighter in the Cloudline.', hook_type: 'statement', quality_score: 0.84, variation_number: 3 },
		{ text: 'She ran past the snooze button.', hook_type: 'story', quality_score: 0.8, variation_number: 4 },
	]);
	return { campaignId: campaign.campaign_id as string, briefId: brief.brief_id as string };
}

const statusOf = async (entity: 'campaigns' | 'variants', id: string) =>
	(await sql.rows<{ status: string; state_version: number }>(`select status, state_version from ${entity} where ${entity === 'campaigns' ? 'campaign_id' : 'variant_id'} = $1`, [id]))[0];

async function approve(entity: 'script' | 'video', row: Json) {
	const id = (entity === 'video' ? row.video_id : row.script_id) as string;
	const v = Number(row.state_version);
	await store.transition({ entity, id, expectedVersion: v, toStatus: 'pending' });
	await store.transition({ entity, id, expectedVersion: v + 1, toStatus: 'approved', actor: 'reviewer' });
}

/** A post as the Broadcaster leaves it once the platform confirmed it (its status change fires the sync). */
async function publishedPost(campaignId: string, variantId: string, videoId: string, platform: string) {
	const [pub] = await sql.rows<{ publication_id: string }>('insert into publications (campaign_id, variant_id) values ($1, $2) returning publication_id', [campaignId, variantId]);
	const [post] = await sql.rows<{ post_id: string }>(
		"insert into platform_posts (publication_id, campaign_id, variant_id, video_id, platform, formatted_video_url) values ($1, $2, $3, $4, $5, '/media/v.mp4') returning post_id",
		[pub.publication_id, campaignId, variantId, videoId, platform],
	);
	await sql.rows("update platform_posts set publication_status = 'published', platform_post_id = $2, published_at = now() where post_id = $1", [post.post_id, `${platform}-1`]);
	return post.post_id;
}

test('the request asks for variants: a count (default 2), or their names; bad values name the field', () => {
	const base = { product_category: 'shoes', target_demographic: 'runners', campaign_objective: 'awareness', budget_tier: 'standard', brand_id: '00000000-0000-4000-8000-000000000001' };
	expect(requestedVariants(campaignRequestSchema.parse(base), BRIEF)).toEqual(['emotional', 'humorous']);
	expect(requestedVariants(campaignRequestSchema.parse({ ...base, variants: 3 }), BRIEF)).toEqual(['emotional', 'humorous', 'serious']);
	expect(requestedVariants(campaignRequestSchema.parse({ ...base, variants: ['serious', 'educational'] }), BRIEF)).toEqual(['serious', 'educational']);
	const issue = (v: unknown) => campaignRequestSchema.safeParse({ ...base, ...(v as object) }).error?.issues[0].path[0];
	expect(issue({ variants: 5 })).toBe('variants');
	expect(issue({ variants: ['sarcastic'] })).toBe('variants');
	expect(issue({ target_platforms: ['myspace'] })).toBe('target_platforms');
	expect(campaignRequestSchema.parse({ ...base, target_platforms: ['tiktok', 'linkedin'] }).target_platforms).toEqual(['tiktok', 'linkedin']);
});

test('one hook per variant: the given one first, then the best of another type', () => {
	const hooks = [
		{ hook_id: 'a', hook_type: 'question' },
		{ hook_id: 'b', hook_type: 'question' },
		{ hook_id: 'c', hook_type: 'statement' },
	];
	expect(hooksForVariants(hooks, 2).map((h) => h.hook_id)).toEqual(['a', 'c']);
	expect(hooksForVariants(hooks, 3, 'b').map((h) => h.hook_id)).toEqual(['b', 'c', 'a']);
	expect(hooksForVariants(hooks.slice(0, 1), 2).map((h) => h.hook_id)).toEqual(['a', 'a']);
});

test('two variants: own hook and script each, videos and posts attached, the campaign moves to published step by step', async () => {
	const { campaignId, briefId } = await campaignWithHooks({ variants: 2 });
	const scripts = await scriptsForBrief({ store, llm: createLlmProvider({ provider: 'local' }) }, { briefId });
	expect(scripts.map((s) => (s.script as Json).variant_tag)).toEqual(['emotional', 'humorous']);
	const hooks = scripts.map((s) => ((s.script as Json).hook as Json).text);
	expect(new Set(hooks).size).toBe(2);

	const variants = await sql.rows<{ variant_id: string; variant_type: string; script_id: string; status: string }>(
		'select variant_id, variant_type, script_id, status from variants where campaign_id = $1 order by created_at',
		[campaignId],
	);
	expect(variants.map((v) => [v.variant_type, v.script_id, v.status])).toEqual(scripts.map((s) => [(s.script as Json).variant_tag, s.script_id, 'draft']));
	// Registering the variant again for its script (the Campaign node's Create Variant) returns the same one.
	const again = await store.createVariant({ campaign_id: campaignId, variant_type: 'emotional', script_id: scripts[0].script_id });
	expect(again.variant_id).toBe(variants[0].variant_id);
	expect(await statusOf('campaigns', campaignId)).toEqual({ status: 'draft', state_version: 1 });

	// Production: a video per approved script, on its script's variant.
	const videos: Json[] = [];
	for (const s of scripts) {
		await approve('script', s);
		videos.push(await store.createVideo({ script_id: s.script_id as string }));
	}
	expect(videos.map((v) => v.variant_id)).toEqual(variants.map((v) => v.variant_id));
	expect(await statusOf('campaigns', campaignId)).toEqual({ status: 'in_production', state_version: 2 });
	expect((await statusOf('variants', variants[1].variant_id)).status).toBe('in_production');

	// A person approves the first video: that variant is completed, the campaign still in production.
	await approve('video', videos[0]);
	expect((await statusOf('variants', variants[0].variant_id)).status).toBe('completed');
	expect((await statusOf('campaigns', campaignId)).status).toBe('in_production');
	await approve('video', videos[1]);
	expect(await statusOf('campaigns', campaignId)).toEqual({ status: 'completed', state_version: 3 });

	// Posts: the first variant live is not the campaign live; both are.
	await publishedPost(campaignId, variants[0].variant_id, videos[0].video_id as string, 'tiktok');
	expect((await statusOf('variants', variants[0].variant_id)).status).toBe('published');
	expect((await statusOf('campaigns', campaignId)).status).toBe('completed');
	const mid = await campaignProgress(store, campaignId);
	expect(mid.variants.map((v) => v.pillar)).toEqual(['done', 'broadcaster']);
	expect(mid.pillar).toBe('broadcaster');
	await publishedPost(campaignId, variants[1].variant_id, videos[1].video_id as string, 'tiktok');
	expect(await statusOf('campaigns', campaignId)).toEqual({ status: 'published', state_version: 4 });

	const progress = await campaignProgress(store, campaignId);
	expect(progress).toMatchObject({ pillar: 'done', campaign_status: 'published', posts_published: 2 });
	expect(progress.summary).toBe('published: 2 posts of 2 variants (emotional: done, humorous: done)');

	// Every step is an audit row of bi_transition (OCC), in order.
	const trail = await sql.rows<{ previous_state: Json; new_state: Json }>(
		"select previous_state, new_state from campaign_audit_log where entity = 'campaign' and entity_id = $1 and action = 'transition' order by seq",
		[campaignId],
	);
	expect(trail.map((r) => `${r.previous_state.status}→${r.new_state.status}`)).toEqual(['draft→in_production', 'in_production→completed', 'completed→published']);
	const report = await store.campaignReport(campaignId);
	expect(((report.cost as Json).by_variant as Json[]).map((v) => v.variant_id)).toEqual(variants.map((v) => v.variant_id));
});

test('a paused campaign is left where it is; its variants still follow their work', async () => {
	const { campaignId, briefId } = await campaignWithHooks({ variants: 1 });
	const [script] = await scriptsForBrief({ store, llm: createLlmProvider({ provider: 'local' }) }, { briefId });
	await approve('script', script);
	await store.transition({ entity: 'campaign', id: campaignId, expectedVersion: 1, toStatus: 'paused', reason: 'budget review' });
	const video = await store.createVideo({ script_id: script.script_id as string });
	expect((await statusOf('campaigns', campaignId)).status).toBe('paused');
	expect((await statusOf('variants', video.variant_id as string)).status).toBe('in_production');
});

test('with target platforms, a variant is published once it is live on every one of them', async () => {
	const { campaignId, briefId } = await campaignWithHooks({ variants: 1, target_platforms: ['tiktok', 'youtube'] });
	const [script] = await scriptsForBrief({ store, llm: createLlmProvider({ provider: 'local' }) }, { briefId });
	await approve('script', script);
	const video = await store.createVideo({ script_id: script.script_id as string });
	await approve('video', video);
	const variantId = video.variant_id as string;
	await publishedPost(campaignId, variantId, video.video_id as string, 'outbox');
	await publishedPost(campaignId, variantId, video.video_id as string, 'tiktok');
	expect((await statusOf('variants', variantId)).status).toBe('completed');
	const mid = await campaignProgress(store, campaignId);
	expect([mid.pillar, mid.campaign_status]).toEqual(['broadcaster', 'completed']);
	await publishedPost(campaignId, variantId, video.video_id as string, 'youtube');
	expect((await statusOf('variants', variantId)).status).toBe('published');
	expect(await campaignProgress(store, campaignId)).toMatchObject({ pillar: 'done', campaign_status: 'published', posts_published: 3 });
});
