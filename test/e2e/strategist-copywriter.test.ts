/**
 * Real n8n 2.41.1, local providers: a campaign request through the Strategist template (campaign,
 * grounded brief behind the alignment gate) and on into the Copywriter template (50 scored hooks,
 * a script, a safety report), checked in the store with n8n stopped.
 */
import { parseOrThrow, scriptSchema } from '../../lib/domain/schemas';
import { localEmbedding } from '../../lib/providers/embeddings/local';
import { chunkDocument } from '../../lib/strategy/ingest';
import { e2eWorld, type E2eWorld } from '../helpers/e2e';

const BRAND_BOOK = `# Voice
We sound warm, optimistic and plain-spoken, like a running buddy who has your back.

# Colours
Deep navy #0A2540 and signal orange #FF6B00, natural light, cinematic framing.

# Never
Never call our shoes cheap. Never promise guaranteed results or miracle cures.`;

let world: E2eWorld;
let harness: E2eWorld['harness'];
let brandId: string;
const withStore: E2eWorld['withStore'] = (fn) => world.withStore(fn);

beforeAll(async () => {
	world = await e2eWorld('strategist');
	harness = world.harness;
	brandId = await withStore(async (store) => {
		const brand = await store.createBrand({
			brand_name: 'Stride',
			tone: 'warm, optimistic, plain-spoken',
			visual_style: 'cinematic natural light',
			color_palette: ['#0A2540', '#FF6B00'],
			restricted_keywords: ['cheap', 'guaranteed', 'miracle'],
		});
		const chunks = chunkDocument(BRAND_BOOK).map((c) => ({ ...c, embedding: localEmbedding(c.content) }));
		await store.replaceGuidelineDocument(brand.brand_id as string, 'brand-book.md', chunks);
		return brand.brand_id as string;
	});
	await world.start(['copywriter.json', 'strategist.json'], ['biCopywriter00001', 'biStrategist00001']);
}, 20 * 60_000);

afterAll(() => world?.close(), 60_000);

describe('strategist and copywriter templates in real n8n (local providers)', () => {
	let briefId: string;
	let copywriter: Record<string, unknown>;

	test('a trend pushed to the trend webhook is recorded', async () => {
		const res = await harness.webhook('brand-infinity/trend', { topic: 'marathon season', source: 'tiktok', engagement_score: 88 });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ topic: 'marathon season', source: 'tiktok' });
	});

	test('invalid campaign requests name the field and write nothing', async () => {
		const cases: [Record<string, unknown>, string][] = [
			[{ brand_id: brandId, target_demographic: 'x', campaign_objective: 'awareness', budget_tier: 'standard' }, 'product_category'],
			[{ brand_id: brandId, product_category: 'shoes', target_demographic: 'x', campaign_objective: 'fame', budget_tier: 'standard' }, 'campaign_objective'],
			[{ brand_id: brandId, product_category: 7, target_demographic: 'x', campaign_objective: 'awareness', budget_tier: 'standard' }, 'product_category'],
			[{ brand_id: brandId, product_category: 'x'.repeat(201), target_demographic: 'x', campaign_objective: 'awareness', budget_tier: 'standard' }, 'product_category'],
		];
		for (const [body, field] of cases) {
			const res = await harness.webhook('brand-infinity/strategist', { ...body, campaign_name: `invalid ${field}` });
			expect([res.status, res.body.code, res.body.field]).toEqual([400, 'BI400', `campaign_request.${field}`]);
		}
		const ghost = await harness.webhook('brand-infinity/strategist', {
			brand_id: '00000000-0000-4000-8000-000000000000',
			product_category: 'shoes',
			target_demographic: 'runners',
			campaign_objective: 'awareness',
			budget_tier: 'standard',
		});
		expect([ghost.status, ghost.body.field]).toEqual([404, 'brand_id']);
	});

	test('a campaign request yields a brief, 50 scored hooks, a script and a safety report', async () => {
		const res = await harness.webhook('brand-infinity/strategist', {
			brand_id: brandId,
			campaign_name: 'Spring running',
			product_category: 'running shoes',
			target_demographic: 'urban runners aged 25-40',
			campaign_objective: 'awareness',
			budget_tier: 'standard',
			budget_limit_usd: '25',
		});
		expect(res.status).toBe(200);
		expect(res.body.brand_alignment_score).toBeGreaterThanOrEqual(0.85);
		briefId = res.body.brief_id;
		copywriter = res.body.copywriter;
		expect(briefId).toMatch(/^[0-9a-f-]{36}$/);
	});

	test('the store holds every artefact', async () => {
		await harness.stop();
		await withStore(async (store, sql) => {
			const brief = await store.getBrief(briefId);
			expect(brief).toMatchObject({ approval_status: 'approved', brand_id: brandId });
			expect((brief.creative_brief as { brand_guidelines_ref: { restricted_keywords: string[] } }).brand_guidelines_ref.restricted_keywords).toEqual(
				expect.arrayContaining(['cheap']),
			);
			const hooks = await store.briefHooks(briefId, 500);
			expect(hooks.length).toBeGreaterThanOrEqual(50);
			for (const h of hooks) {
				expect(Number(h.quality_score)).toBeGreaterThanOrEqual(0);
				expect(Number(h.quality_score)).toBeLessThanOrEqual(1);
				expect(h.scores).toHaveProperty('curiosity_gap');
			}
			// One script per A/B variant (the request's default: two), each from its own hook.
			const scriptRows = await sql.rows<{ script_id: string }>('select script_id from scripts where brief_id = $1 order by created_at', [briefId]);
			expect(scriptRows).toHaveLength(2);
			const links: string[] = [];
			for (const scriptRow of scriptRows) {
				const script = await store.getScript(scriptRow.script_id);
				parseOrThrow(
					scriptSchema,
					{ hook: script.hook, scenes: script.scenes, voiceover_full_text: script.voiceover_full_text, total_duration_seconds: Number(script.total_duration_seconds), variant_tag: script.variant_tag },
					'script',
				);
				expect(script.approval_status).toMatch(/^(pending|draft)$/);
				// A script the Judge passed (or sent to a person) waits at the gate with a signed link.
				const approvals = await sql.rows<{ approval_id: string; status: string }>('select approval_id, status from approvals where entity_id = $1', [scriptRow.script_id]);
				if (script.approval_status === 'pending') {
					expect(approvals.map((a) => a.status)).toEqual(['pending']);
					links.push(`/webhook/brand-infinity/approval?approval=${approvals[0].approval_id}&token=`);
				} else {
					expect(approvals).toEqual([]);
				}
				const reports = await sql.rows<{ route: string; checks: unknown[] }>('select route, checks from safety_reports where entity_id = $1', [scriptRow.script_id]);
				expect(reports).toHaveLength(1);
				expect(reports[0].checks.length).toBeGreaterThanOrEqual(4);
			}
			// The copywriter's answer carries one of those links (its last item's).
			if (links.length) expect(links.some((l) => String(copywriter.url).includes(l))).toBe(true);
			const selected = hooks.filter((h) => h.selected);
			expect(selected).toHaveLength(2);
			const trends = await store.recentTrends();
			expect(trends.map((t) => t.topic)).toContain('marathon season');
			const invalid = await sql.rows("select 1 from creative_briefs b join campaigns c using (campaign_id) where c.campaign_name like 'invalid %'");
			expect(invalid).toHaveLength(0);
		});
	}, 120_000);
});
