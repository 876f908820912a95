/**
 * Real n8n 2.41.1: the packed package installed the way the Community Nodes screen installs it,
 * the campaign-manager template imported, published and called through its webhook; then the rows
 * it left in the embedded store are checked with n8n stopped (the store has one owner at a time).
 */
import { EmbeddedTransport } from '../../lib/store/embedded';
import { e2eWorld, type E2eWorld } from '../helpers/e2e';

// Each step calls real n8n (webhooks, ffmpeg, the store): jest's 5 s default is not a bound on them.
jest.setTimeout(180_000);

const WORKFLOW_ID = 'biCampaignManager01';

let world: E2eWorld;
let harness: E2eWorld['harness'];
let brandId: string;
const withStore: E2eWorld['withStore'] = (fn) => world.withStore(fn);

beforeAll(async () => {
	world = await e2eWorld('campaign-manager');
	harness = world.harness;
	brandId = await withStore(async (store) => (await store.createBrand({ brand_name: 'E2E Brand', tone: 'playful' })).brand_id as string);
	await world.start(['campaign-manager.json'], [WORKFLOW_ID]);
}, 20 * 60_000);

afterAll(() => world?.close(), 60_000);

describe('campaign-manager template in real n8n', () => {
	let campaignId: string;

	test('a campaign request creates, prices, reserves, settles and transitions', async () => {
		const res = await harness.webhook('brand-infinity/campaign-manager', {
			brand_id: brandId,
			campaign_name: 'E2E spring launch',
			budget_limit_usd: '10',
			variant_type: 'emotional',
			scene_seconds: 8,
			actual_usd: '0.72',
		});
		expect(res.status).toBe(200);
		// Veo 3.1 Fast at 720p: 8 s x $0.10 estimated, $0.72 actually settled.
		expect(res.body).toMatchObject({
			total_usd: '0.720000',
			by_pillar: { production: '0.720000' },
			budget: { committed_usd: '0.720000', reserved_usd: '0.000000', budget_limit_usd: '10.000000', campaign_status: 'in_production' },
		});
		campaignId = res.body.campaign_id;
		expect(res.body.by_variant).toHaveLength(1);
	});

	test('a request naming a brand that does not exist fails on that field and writes nothing', async () => {
		const res = await harness.webhook('brand-infinity/campaign-manager', {
			brand_id: '00000000-0000-4000-8000-000000000000',
			campaign_name: 'Ghost brand',
			budget_limit_usd: '10',
		});
		expect(res.status).toBe(404);
		expect(res.body).toMatchObject({ code: 'BI404', field: 'brand_id', error: expect.stringContaining('brand') });
	});

	test('a budget the scene does not fit is refused before any cost is recorded', async () => {
		const res = await harness.webhook('brand-infinity/campaign-manager', {
			brand_id: brandId,
			campaign_name: 'Tiny budget',
			budget_limit_usd: '0.50',
			scene_seconds: 8,
		});
		expect(res.status).toBe(402);
		expect(res.body).toMatchObject({ code: 'BI402', error: expect.stringContaining('past its budget') });
	});

	test('a request without a campaign name gets a 400 naming the field', async () => {
		const res = await harness.webhook('brand-infinity/campaign-manager', { brand_id: brandId, budget_limit_usd: '10' });
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({ code: 'BI400', field: 'campaign_name' });
	});

	test('the store holds exactly what the runs left, with the ledger invariant', async () => {
		await harness.stop();
		await withStore(async (store) => {
			const sql = (store.transport as EmbeddedTransport).session;
			const campaigns = await store.listCampaigns({ brand_id: brandId });
			expect(campaigns.map((c) => [c.campaign_name, c.status]).sort()).toEqual([
				['E2E spring launch', 'in_production'],
				['Tiny budget', 'draft'],
			]);
			const ghost = await sql.rows("select 1 from campaigns where campaign_name = 'Ghost brand'");
			expect(ghost).toHaveLength(0);

			const campaign = await store.getCampaign(campaignId);
			expect(campaign).toMatchObject({ status: 'in_production', state_version: 2, current_cost_usd: '0.720000' });
			const [reservation] = await sql.rows<{ status: string; amount_usd: string; settled_amount_usd: string; ref: string }>(
				'select status, amount_usd::text, settled_amount_usd::text, ref from budget_reservations where campaign_id = $1',
				[campaignId],
			);
			expect(reservation).toMatchObject({ status: 'settled', amount_usd: '0.800000', settled_amount_usd: '0.720000' });
			expect(reservation.ref).toMatch(/:scene-1$/);

			const invariant = await sql.rows<{ campaign_name: string; ok: boolean }>(
				`select campaign_name, current_cost_usd = coalesce((select sum(amount_usd) from cost_ledger l where l.campaign_id = c.campaign_id), 0) as ok
				   from campaigns c`,
			);
			expect(invariant.every((r) => r.ok)).toBe(true);
			const tiny = await sql.rows("select 1 from cost_ledger l join campaigns c using (campaign_id) where c.campaign_name = 'Tiny budget'");
			expect(tiny).toHaveLength(0);

			const trail = await store.auditTrail(campaignId);
			expect(trail.map((e) => `${e.action}:${e.entity}`)).toEqual(['create:campaign', 'create:variant', 'transition:campaign']);
			expect(trail[2]).toMatchObject({ actor_label: 'campaign-manager template', new_state: { status: 'in_production', reason: 'first scene paid' } });
		});
	}, 120_000);
});
