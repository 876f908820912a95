/**
 * The campaign report on PGlite: cost per pillar and per variant from the ledger, engagement per
 * variant from the latest metric snapshots, the z-test between variants, the status timeline, and
 * the HTML page with its SVG chart (escaped, no script).
 */
import { campaignReport, campaignReportHtml, costChartSvg } from '../../lib/reports/campaign-report';
import { compareCampaignVariants } from '../../lib/reports/variants';
import { campaignProgress } from '../../lib/reports/progress';
import type { SqlSession } from '../../lib/store/migrations';
import type { Json, Store } from '../../lib/store';
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

const NAME = 'Spring <script>alert("x")</script> & co';

async function seed() {
	const brand = await store.createBrand({ brand_name: 'Acme <Tea>', tone: 'warm' });
	const campaign = await store.createCampaign({ campaign_name: NAME, brand_id: brand.brand_id, budget_limit_usd: '100' });
	const campaignId = campaign.campaign_id as string;
	const humorous = await store.createVariant({ campaign_id: campaignId, variant_type: 'humorous' });
	const serious = await store.createVariant({ campaign_id: campaignId, variant_type: 'serious' });
	const emotional = await store.createVariant({ campaign_id: campaignId, variant_type: 'emotional' });
	const h = humorous.variant_id as string;
	const s = serious.variant_id as string;
	// Created within the same millisecond, the three would tie on created_at (the report's order and
	// its default baseline): spread them so the order is the creation order.
	await sql.rows("update variants set created_at = created_at - interval '3 seconds' where variant_id = $1", [h]);
	await sql.rows("update variants set created_at = created_at - interval '2 seconds' where variant_id = $1", [s]);
	await store.recordCost({ campaignId, pillar: 'strategist', costType: 'api_cost', amount: 120_000 });
	await store.recordCost({ campaignId, variantId: h, pillar: 'copywriter', costType: 'api_cost', amount: 30_000 });
	await store.recordCost({ campaignId, variantId: h, pillar: 'production', costType: 'api_cost', amount: 4_000_000 });
	const r = await store.reserveBudget({ campaignId, variantId: s, pillar: 'production', amount: 3_000_000, ref: 'scene-1' });
	await store.settleReservation({ reservationId: r.reservation_id as string, actual: 2_500_000, costType: 'api_cost' });
	await store.recordCost({ campaignId, variantId: s, pillar: 'broadcaster', costType: 'processing_cost', amount: 5 });
	await store.transition({ entity: 'campaign', id: campaignId, expectedVersion: 1, toStatus: 'in_production', actor: 'lead' });
	await store.transition({ entity: 'variant', id: h, expectedVersion: 1, toStatus: 'in_production' });
	await store.transition({ entity: 'variant', id: h, expectedVersion: 2, toStatus: 'completed', reason: 'video <ok>' });

	// Posts and metric snapshots (cumulative counters: the latest snapshot per metric counts).
	const post = async (variantId: string, platform: string, metrics: Array<[string, number, string]>) => {
		const [pub] = await sql.rows<{ publication_id: string }>('insert into publications (campaign_id, variant_id) values ($1, $2) returning publication_id', [campaignId, variantId]);
		const [p] = await sql.rows<{ post_id: string }>(
			"insert into platform_posts (publication_id, campaign_id, platform, formatted_video_url, publication_status, platform_post_id, published_at) values ($1, $2, $3, '/m.mp4', 'published', $4, now()) returning post_id",
			[pub.publication_id, campaignId, platform, `${platform}-<id>`],
		);
		for (const [type, value, ago] of metrics) {
			await sql.rows(`insert into engagement_metrics (platform_post_id, metric_type, value, recorded_at) values ($1, $2, $3, now() - $4::interval)`, [p.post_id, type, value, ago]);
		}
		return p.post_id;
	};
	await post(h, 'tiktok', [
		['views', 100, '2 hours'],
		['views', 600, '1 hour'],
		['likes', 90, '1 hour'],
		['shares', 20, '1 hour'],
		['comments', 10, '1 hour'],
		['clicks', 7, '1 hour'],
	]);
	await post(h, 'youtube', [
		['views', 400, '1 hour'],
		['likes', 70, '1 hour'],
		['shares', 5, '1 hour'],
		['comments', 5, '1 hour'],
	]);
	await post(s, 'tiktok', [
		['views', 1000, '1 hour'],
		['likes', 200, '1 hour'],
		['shares', 30, '1 hour'],
		['comments', 20, '1 hour'],
		['conversions', 3, '1 hour'],
	]);
	// A post that is not published yet, without metrics.
	const [pub] = await sql.rows<{ publication_id: string }>('insert into publications (campaign_id, variant_id) values ($1, $2) returning publication_id', [campaignId, s]);
	await sql.rows("insert into platform_posts (publication_id, platform, formatted_video_url) values ($1, 'linkedin', '/m.mp4')", [pub.publication_id]);
	// A post that names its variant itself, without a publication (the publishing migration's column).
	const [direct] = await sql.rows<{ post_id: string }>(
		"insert into platform_posts (campaign_id, variant_id, platform, formatted_video_url, publication_status) values ($1, $2, 'instagram', '/m.mp4', 'published') returning post_id",
		[campaignId, emotional.variant_id],
	);
	await sql.rows("insert into engagement_metrics (platform_post_id, metric_type, value) values ($1, 'views', 10), ($1, 'likes', 1)", [direct.post_id]);
	return { campaignId, h, s, e: emotional.variant_id as string };
}

test('the JSON report: cost per pillar and per variant, engagement per variant, the comparison, the timeline', async () => {
	const { campaignId, h, s, e } = await seed();
	const report = await campaignReport(store, campaignId);

	// Every variant has a published post, so the campaign has earned "published" (bi_sync_campaign_status).
	expect(report.campaign).toMatchObject({ campaign_name: NAME, status: 'published', brand_name: 'Acme <Tea>' });
	expect(report.cost).toMatchObject({
		total_usd: '6.650005',
		by_pillar: { strategist: '0.120000', copywriter: '0.030000', production: '6.500000', campaign_manager: '0.000000', broadcaster: '0.000005' },
		unattributed_usd: '0.120000',
	});
	expect(report.cost.by_variant.map((v) => [v.variant_id, v.total_usd])).toEqual([
		[h, '4.030000'],
		[s, '2.500005'],
		[e, '0.000000'],
	]);

	expect(report.variants.map((v) => [v.variant_type, v.posts, v.published_posts, v.views, v.likes, v.shares, v.comments, v.engagements, v.clicks, v.conversions])).toEqual([
		['humorous', 2, 2, 1000, 160, 25, 15, 200, 7, 0],
		['serious', 2, 1, 1000, 200, 30, 20, 250, 0, 3],
		['emotional', 1, 1, 10, 1, 0, 0, 1, 0, 0],
	]);
	expect(report.variants[0]).toMatchObject({ engagement_rate: 0.2, platforms: ['tiktok', 'youtube'] });
	expect(report.variants[2].engagement_rate).toBe(0.1);
	// bi_variant_engagement is the same data on its own.
	expect((await store.variantEngagement(campaignId)).variants).toEqual(report.variants);

	// humorous 200/1000 vs serious 250/1000 engagements per view.
	expect(report.metric).toBe('engagements');
	expect(report.comparisons).toHaveLength(2);
	expect(report.comparisons[0]).toMatchObject({ baseline_variant_id: h, variant_id: s, significant: true, winner: 'b' });
	expect(report.comparisons[0].z).toBeCloseTo(-2.6774, 4);
	expect(report.comparisons[0].p_value).toBeCloseTo(0.00742, 5);
	expect(report.comparisons[1]).toMatchObject({ variant_id: e, significant: false, reliable: false });

	const steps = report.timeline.map((x) => [x.action, x.entity, x.from_status, x.to_status]);
	expect(steps).toEqual(
		expect.arrayContaining([
			['create', 'campaign', null, 'draft'],
			['transition', 'campaign', 'draft', 'in_production'],
			['transition', 'variant', 'draft', 'in_production'],
			['transition', 'variant', 'in_production', 'completed'],
		]),
	);
	const seqs = report.timeline.map((x) => x.seq);
	expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
	expect(report.timeline.find((x) => x.to_status === 'completed')).toMatchObject({ reason: 'video <ok>', entity_id: h });

	expect(report.posts).toHaveLength(5);
	const post = (platform: string, variantId: string) => report.posts.find((p) => p.platform === platform && p.variant_id === variantId);
	expect(post('instagram', e)).toMatchObject({ status: 'published', metrics: { views: 10, likes: 1 } });
	expect(post('tiktok', h)).toMatchObject({ status: 'published', platform_post_id: 'tiktok-<id>', metrics: { views: 600, likes: 90, shares: 20, comments: 10, clicks: 7 } });
	expect(post('linkedin', s)).toMatchObject({ status: 'scheduled', metrics: {} });
	expect(report.assets).toEqual({ creative_briefs: {}, scripts: {}, videos: {} });

	// Other metrics and baselines.
	const byClicks = await campaignReport(store, campaignId, { metric: 'conversions', baselineVariantId: s });
	expect(byClicks.comparisons[0]).toMatchObject({ baseline_variant_id: s, variant_id: h, metric: 'conversions', significant: false, reliable: false });
});

test('the variant comparison on its own: significance in words, a chosen baseline, nothing to compare', async () => {
	const { campaignId, h, s } = await seed();
	const c = await compareCampaignVariants(store, campaignId);
	expect(c).toMatchObject({ campaign_id: campaignId, metric: 'engagements', alpha: 0.05 });
	expect(c.variants.map((v) => v.variant_id)).toEqual(expect.arrayContaining([h, s]));
	expect(c.comparisons[0]).toMatchObject({ baseline_variant_id: h, variant_id: s, significant: true, winner: 'b' });
	expect(c.summary[0]).toMatch(/^serious \(\w{8}\) 25\.00 % vs humorous \(\w{8}\) 20\.00 %; lift \+25\.0 %; z = -2\.68, p = 0\.0074; significant at α = 0\.05: serious/);
	// At 99 % the same data is not significant.
	const strict = await compareCampaignVariants(store, campaignId, { alpha: 0.005 });
	expect(strict.comparisons[0]).toMatchObject({ significant: false, winner: null });
	expect(strict.summary[0]).toMatch(/not significant at α = 0\.005/);
	await expect(compareCampaignVariants(store, campaignId, { baselineVariantId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ field: 'baseline_variant_id' });
	const brand = await store.createBrand({ brand_name: 'Solo', tone: 'warm' });
	const lone = await store.createCampaign({ campaign_name: 'Lone', brand_id: brand.brand_id });
	const none = await compareCampaignVariants(store, lone.campaign_id as string);
	expect(none).toMatchObject({ comparisons: [], summary: ['campaign has 0 variants with posts: nothing to compare'] });
});

test('progress: the pillar at work, from an empty campaign to posts out, and a clear 404', async () => {
	const brand = await store.createBrand({ brand_name: 'Progress', tone: 'warm' });
	const fresh = await store.createCampaign({ campaign_name: 'Fresh', brand_id: brand.brand_id });
	expect(await campaignProgress(store, fresh.campaign_id as string)).toMatchObject({ pillar: 'strategist', summary: 'strategist: writing the brief', waiting_for: null, scenes_total: 0 });
	const { campaignId } = await seed();
	// Four published posts and one still scheduled (linkedin).
	const p = await campaignProgress(store, campaignId);
	expect(p).toMatchObject({ pillar: 'broadcaster', posts_published: 4, summary: 'broadcaster: 4 of 5 posts published' });
	await sql.rows("update platform_posts set publication_status = 'cancelled', campaign_id = $1 where publication_status = 'scheduled' and publication_id in (select publication_id from publications where campaign_id = $1)", [campaignId]);
	expect((await campaignProgress(store, campaignId)).pillar).toBe('done');
	await expect(campaignProgress(store, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'BI404', field: 'campaign_id' });
});

test('the HTML page: SVG chart of the cost per pillar, variants and significance, timeline, all escaped, no script', async () => {
	const { campaignId } = await seed();
	const html = campaignReportHtml(await campaignReport(store, campaignId));
	expect(html.startsWith('<!doctype html>')).toBe(true);
	expect(html).not.toMatch(/<script/i);
	expect(html).toContain('Spring &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
	expect(html).toContain('Acme &lt;Tea&gt;');
	expect(html).toContain('video &lt;ok&gt;');
	expect(html).toContain('tiktok-&lt;id&gt;');
	expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;; img-src data:; form-action &#39;none&#39;; base-uri &#39;none&#39;">/);
	expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
	expect(html).toContain('Total: <strong>$6.65</strong> of $100.00');
	expect(html).toContain('$0.12 not tied to a variant');
	expect(html).toContain('<strong class="pass">yes</strong>');
	expect(html).toContain('+25.0 %');
	expect(html).toContain('0.0074');

	const svg = /<svg[\s\S]*?<\/svg>/.exec(html)?.[0] as string;
	const bars = [...svg.matchAll(/<title>([a-z ]+): \$([\d.]+)<\/title>.*?<rect x="150" y="\d+" width="(\d+)"/g)].map((m) => [m[1], m[2], Number(m[3])]);
	expect(bars).toEqual([
		['strategist', '0.12', 7],
		['copywriter', '0.03', 2],
		['production', '6.50', 390],
		['campaign manager', '0.00', 0],
		['broadcaster', '0.000005', 1],
	]);
});

test('the chart and the report handle an empty campaign, and a missing one is a clear 404', async () => {
	const brand = await store.createBrand({ brand_name: 'Empty', tone: 'plain' });
	const campaign = await store.createCampaign({ campaign_name: 'Nothing yet', brand_id: brand.brand_id });
	const report = await campaignReport(store, campaign.campaign_id as string);
	expect(report).toMatchObject({ variants: [], comparisons: [], posts: [], approvals: [], cost: { total_usd: '0.000000' } });
	const html = campaignReportHtml(report);
	expect(html).toContain('No variants yet.');
	expect(html).toContain('Fewer than two variants: nothing to compare.');
	expect(costChartSvg({})).toContain('width="0"');
	expect(costChartSvg({ strategist: '1.5', '<evil>': '0.5' } as Json)).toContain('&lt;evil&gt;');
	await expect(store.campaignReport('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'BI404' });
	await expect(store.variantEngagement('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'BI404' });
});
