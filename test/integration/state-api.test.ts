/**
 * The SQL state API on a fresh PGlite (bootstrap.sql + every migration): schema, OCC transitions,
 * budgets and the ledger invariant, vector search, the job claim, RLS.
 */
import seedTables from '../fixtures/seed003-tables.json';
import {
	BudgetExceededError,
	IllegalTransitionError,
	NotFoundError,
	ValidationError,
	VersionConflictError,
} from '../../lib/domain/errors';
import { parseUsd } from '../../lib/domain/money';
import type { SqlSession } from '../../lib/store/migrations';
import type { Store } from '../../lib/store';
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

async function count(table: string): Promise<number> {
	const [row] = await sql.rows<{ n: number }>(`select count(*)::int as n from public.${table}`);
	return row.n;
}

async function ledgerSum(campaignId: string): Promise<{ cost: string; sum: string }> {
	const [row] = await sql.rows<{ cost: string; sum: string }>(
		`select c.current_cost_usd::text as cost, coalesce((select sum(amount_usd) from cost_ledger l where l.campaign_id = c.campaign_id), 0)::numeric(18,6)::text as sum
		   from campaigns c where campaign_id = $1`,
		[campaignId],
	);
	return row;
}

describe('schema', () => {
	test('every seed 003 table has every seed column', async () => {
		const rows = await sql.rows<{ table_name: string; column_name: string }>(
			"select table_name, column_name from information_schema.columns where table_schema = 'public'",
		);
		const have = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
		const missing = Object.entries(seedTables as Record<string, string[]>).flatMap(([table, cols]) =>
			cols.filter((c) => !have.has(`${table}.${c}`)).map((c) => `${table}.${c}`),
		);
		expect(Object.keys(seedTables)).toHaveLength(21);
		expect(missing).toEqual([]);
	});

	test('every table whose rows change status carries state_version', async () => {
		const registry = await sql.rows<{ table_name: string }>('select table_name from bi_entity_registry');
		const rows = await sql.rows<{ table_name: string }>(
			"select table_name from information_schema.columns where table_schema = 'public' and column_name = 'state_version'",
		);
		const withVersion = new Set(rows.map((r) => r.table_name));
		expect(registry.length).toBeGreaterThanOrEqual(9);
		for (const { table_name } of registry) expect(withVersion).toContain(table_name);
	});

	test('row level security is on for every table and anon can neither read nor call', async () => {
		const rows = await sql.rows<{ relname: string; relrowsecurity: boolean }>(
			"select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'",
		);
		expect(rows.length).toBeGreaterThan(25);
		expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
		for (const query of ['select * from public.campaigns', "select public.bi_budget_status(gen_random_uuid())"]) {
			await expect(
				sql.exec(`begin; set local role anon; ${query}; commit;`).finally(() => sql.exec('rollback').catch(() => undefined)),
			).rejects.toMatchObject({ code: '42501' });
		}
	});

	test('the guideline index is HNSW over cosine distance', async () => {
		const [idx] = await sql.rows<{ indexdef: string }>(
			"select indexdef from pg_indexes where indexname = 'brand_guidelines_embedding_hnsw'",
		);
		expect(idx.indexdef).toMatch(/USING hnsw \(embedding extensions\.vector_cosine_ops\)/);
	});

	test('schema info lists every migration and pgvector', async () => {
		const info = await store.schemaInfo();
		expect(info.vector).toBe(true);
		expect(info.versions).toEqual(t.transport.migrations.versions);
		expect(info.versions!.length).toBeGreaterThanOrEqual(3);
	});
});

describe('campaigns, variants and assets', () => {
	test('bad input names the field and writes nothing', async () => {
		const before = await count('campaigns');
		const brand = await store.createBrand({ brand_name: 'Validation brand' });
		await expect(store.createCampaign({ brand_id: brand.brand_id })).rejects.toMatchObject({
			constructor: ValidationError,
			field: 'campaign_name',
		});
		await expect(store.createCampaign({ campaign_name: 'x', brand_id: 'nope' })).rejects.toMatchObject({ field: 'brand_id' });
		await expect(
			store.createCampaign({ campaign_name: 'x', brand_id: '00000000-0000-4000-8000-000000000000' }),
		).rejects.toBeInstanceOf(NotFoundError);
		await expect(
			store.createCampaign({ campaign_name: 'x', brand_id: brand.brand_id, budget_limit_usd: '1.1234567' }),
		).rejects.toMatchObject({ field: 'budget_limit_usd' });
		await expect(
			store.createCampaign({ campaign_name: 42, brand_id: brand.brand_id }),
		).rejects.toMatchObject({ field: 'campaign_name', message: expect.stringContaining('must be a string') });
		await expect(store.createBrand({ brand_name: 'B', color_palette: '#fff' })).rejects.toMatchObject({ field: 'color_palette' });
		expect(await count('campaigns')).toBe(before);
	});

	test('create, variant, asset, get and list', async () => {
		const { brand, campaign } = await seedCampaign(store, '25');
		const id = campaign.campaign_id as string;
		expect(campaign).toMatchObject({ status: 'draft', state_version: 1, budget_limit_usd: '25.000000', current_cost_usd: '0.000000' });
		const variant = await store.createVariant({ campaign_id: id, variant_type: 'humorous' });
		await expect(store.createVariant({ campaign_id: id, variant_type: 'sarcastic' })).rejects.toMatchObject({
			field: 'variant_type',
		});
		const asset = await store.registerAsset({ variant_id: variant.variant_id, asset_type: 'video', asset_url: 'file:///m.mp4' });
		expect(asset.campaign_id).toBe(id);
		await expect(store.registerAsset({ campaign_id: id, asset_type: 'hologram' })).rejects.toMatchObject({ field: 'asset_type' });
		const got = await store.getCampaign(id);
		expect((got.variants as unknown[]).length).toBe(1);
		expect((got.assets as unknown[]).length).toBe(1);
		const listed = await store.listCampaigns({ brand_id: brand.brand_id as string });
		expect(listed.map((c) => c.campaign_id)).toEqual([id]);
		await expect(store.listCampaigns({ status: 'weird' })).rejects.toMatchObject({ field: 'status' });
		const trail = await store.auditTrail(id);
		expect(trail.map((e) => `${e.action}:${e.entity}`)).toEqual(['create:campaign', 'create:variant', 'register_asset:asset']);
	});
});

describe('bi_transition', () => {
	test('walks the seed approval diagram for a brief with OCC and an audit row per step', async () => {
		const { campaign } = await seedCampaign(store);
		const [brief] = await sql.rows<{ brief_id: string }>(
			`insert into creative_briefs (campaign_request, creative_brief, campaign_id) values ('{}', '{}', $1) returning brief_id`,
			[campaign.campaign_id],
		);
		const steps = ['pending', 'rejected', 'draft', 'pending', 'approved', 'in_production', 'completed', 'published'];
		let version = 1;
		for (const to of steps) {
			const r = await store.transition({ entity: 'creative_brief', id: brief.brief_id, expectedVersion: version, toStatus: to, actor: 'reviewer@acme' });
			expect(r).toMatchObject({ status: to, state_version: version + 1 });
			version++;
		}
		const [row] = await sql.rows<{ approved_at: string | null }>('select approved_at from creative_briefs where brief_id = $1', [brief.brief_id]);
		expect(row.approved_at).not.toBeNull();
		const trail = await store.auditTrail(campaign.campaign_id as string);
		const transitions = trail.filter((e) => e.action === 'transition');
		expect(transitions.map((e) => (e.new_state as { status: string }).status)).toEqual(steps);
		expect(transitions.every((e) => e.actor_label === 'reviewer@acme')).toBe(true);
	});

	test('a stale version fails with BI409, an illegal move with BI422, an unknown id with BI404, and nothing changes', async () => {
		const { campaign } = await seedCampaign(store);
		const id = campaign.campaign_id as string;
		await store.transition({ entity: 'campaign', id, expectedVersion: 1, toStatus: 'in_production' });
		const stale = store.transition({ entity: 'campaign', id, expectedVersion: 1, toStatus: 'completed' });
		await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
		await expect(stale).rejects.toMatchObject({ code: 'BI409', currentVersion: 2 });
		await expect(store.transition({ entity: 'campaign', id, expectedVersion: 2, toStatus: 'published' })).rejects.toMatchObject({
			constructor: IllegalTransitionError,
			code: 'BI422',
		});
		await expect(
			store.transition({ entity: 'video', id: '00000000-0000-4000-8000-000000000001', expectedVersion: 1, toStatus: 'pending' }),
		).rejects.toMatchObject({ constructor: NotFoundError, code: 'BI404' });
		await expect(store.transition({ entity: 'spaceship' as never, id, expectedVersion: 2, toStatus: 'x' })).rejects.toMatchObject({
			field: 'entity',
		});
		const got = await store.getCampaign(id);
		expect(got).toMatchObject({ status: 'in_production', state_version: 2 });
		expect((await store.auditTrail(id)).filter((e) => e.action === 'transition')).toHaveLength(1);
	});

	test('a paused campaign resumes only to the status it was paused from', async () => {
		const { campaign } = await seedCampaign(store);
		const id = campaign.campaign_id as string;
		await store.transition({ entity: 'campaign', id, expectedVersion: 1, toStatus: 'in_production' });
		await store.transition({ entity: 'campaign', id, expectedVersion: 2, toStatus: 'paused', reason: 'client asked' });
		await expect(store.transition({ entity: 'campaign', id, expectedVersion: 3, toStatus: 'draft' })).rejects.toBeInstanceOf(
			IllegalTransitionError,
		);
		const r = await store.transition({ entity: 'campaign', id, expectedVersion: 3, toStatus: 'in_production' });
		expect(r).toMatchObject({ status: 'in_production', state_version: 4 });
	});
});

describe('budget and ledger', () => {
	test('hundreds of random reservations and settlements never take committed + reserved past $10', async () => {
		const { campaign } = await seedCampaign(store, '10');
		const campaignId = campaign.campaign_id as string;
		const limit = parseUsd('10', 'limit');
		let seed = 42;
		const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const open: { id: string; amount: number }[] = [];
		let denied = 0;
		let settled = 0;
		for (let i = 0; i < 300; i++) {
			const op = rand();
			if (op < 0.55 || open.length === 0) {
				const amount = 1 + Math.floor(rand() * 900_000); // up to $0.90
				try {
					const r = await store.reserveBudget({ campaignId, pillar: 'production', amount, ref: `op-${i}` });
					open.push({ id: r.reservation_id as string, amount });
				} catch (err) {
					expect(err).toBeInstanceOf(BudgetExceededError);
					denied++;
				}
			} else {
				const [res] = open.splice(Math.floor(rand() * open.length), 1);
				if (rand() < 0.15) {
					await store.releaseReservation(res.id, 'provider refused');
				} else {
					// Actual cost at or below the estimate.
					await store.settleReservation({ reservationId: res.id, actual: Math.floor(res.amount * rand()), costType: 'api_cost' });
					settled++;
				}
			}
			const b = await store.budgetStatus(campaignId);
			expect(parseUsd(b.committed_usd, 'c') + parseUsd(b.reserved_usd, 'r')).toBeLessThanOrEqual(limit);
		}
		expect(denied).toBeGreaterThan(0);
		expect(settled).toBeGreaterThan(50);
		const { cost, sum } = await ledgerSum(campaignId);
		expect(cost).toBe(sum);
	}, 120_000);

	test('alerts at 50/75/90 % are recorded once each and the campaign pauses at 100 %', async () => {
		const { campaign } = await seedCampaign(store, '10');
		const campaignId = campaign.campaign_id as string;
		const triggered: number[][] = [];
		for (const usd of ['4', '1', '2.5', '1.5', '0.5']) {
			const r = await store.recordCost({ campaignId, pillar: 'production', costType: 'api_cost', amount: parseUsd(usd, 'a') });
			triggered.push(r.alerts_triggered as number[]);
		}
		expect(triggered).toEqual([[], [50], [75], [90], []]);
		let status = await store.budgetStatus(campaignId);
		expect(status).toMatchObject({ committed_usd: '9.500000', campaign_status: 'draft' });

		const r = await store.reserveBudget({ campaignId, pillar: 'production', amount: parseUsd('0.5', 'a') });
		// Settling above the estimate records what was really spent, then pauses the campaign.
		const s = await store.settleReservation({ reservationId: r.reservation_id as string, actual: parseUsd('0.75', 'a'), costType: 'api_cost' });
		expect(s.alerts_triggered).toEqual([100]);
		status = await store.budgetStatus(campaignId);
		expect(status).toMatchObject({ committed_usd: '10.250000', campaign_status: 'paused' });
		expect((status.alerts as unknown[]).length).toBe(4);

		await expect(store.reserveBudget({ campaignId, pillar: 'production', amount: 1 })).rejects.toMatchObject({
			code: 'BI402',
			message: expect.stringContaining('paused'),
		});
		const paused = await store.getCampaign(campaignId);
		// Resuming needs a higher budget first.
		await expect(
			store.transition({ entity: 'campaign', id: campaignId, expectedVersion: paused.state_version as number, toStatus: 'draft' }),
		).rejects.toBeInstanceOf(BudgetExceededError);
		const raised = await store.setCampaignBudget(campaignId, paused.state_version as number, parseUsd('20', 'b'));
		await store.transition({ entity: 'campaign', id: campaignId, expectedVersion: raised.state_version as number, toStatus: 'draft' });
		const trail = await store.auditTrail(campaignId);
		expect(trail.find((e) => e.action === 'transition' && e.actor_label === 'budget')).toBeDefined();
		const { cost, sum } = await ledgerSum(campaignId);
		expect(cost).toBe('10.250000');
		expect(sum).toBe(cost);
	});

	test('reserve and settle are idempotent by ref and by reservation; a different replay is a conflict', async () => {
		const { campaign } = await seedCampaign(store, '5');
		const campaignId = campaign.campaign_id as string;
		const a = await store.reserveBudget({ campaignId, pillar: 'copywriter', amount: 300_000, ref: 'scene-1' });
		const b = await store.reserveBudget({ campaignId, pillar: 'copywriter', amount: 300_000, ref: 'scene-1' });
		expect(b).toMatchObject({ reservation_id: a.reservation_id, replayed: true, reserved_usd: '0.300000' });
		await expect(store.reserveBudget({ campaignId, pillar: 'copywriter', amount: 400_000, ref: 'scene-1' })).rejects.toBeInstanceOf(
			VersionConflictError,
		);
		const s1 = await store.settleReservation({ reservationId: a.reservation_id as string, actual: 250_000, costType: 'api_cost' });
		const s2 = await store.settleReservation({ reservationId: a.reservation_id as string, actual: 250_000, costType: 'api_cost' });
		expect(s2).toMatchObject({ ledger_entry_id: s1.ledger_entry_id, replayed: true, committed_usd: '0.250000' });
		await expect(
			store.settleReservation({ reservationId: a.reservation_id as string, actual: 260_000, costType: 'api_cost' }),
		).rejects.toBeInstanceOf(VersionConflictError);
		await expect(store.releaseReservation(a.reservation_id as string)).rejects.toBeInstanceOf(IllegalTransitionError);
		expect(await sql.rows('select 1 from cost_ledger where campaign_id = $1', [campaignId])).toHaveLength(1);
	});

	test('the ledger is append-only and costs are validated', async () => {
		const { campaign } = await seedCampaign(store, null);
		const campaignId = campaign.campaign_id as string;
		await store.recordCost({ campaignId, pillar: 'strategist', costType: 'api_cost', amount: 1234 });
		await expect(sql.exec('update cost_ledger set amount_usd = 0')).rejects.toMatchObject({ code: 'BI422' });
		await expect(sql.exec('delete from cost_ledger')).rejects.toMatchObject({ code: 'BI422' });
		await expect(
			store.recordCost({ campaignId, pillar: 'marketing' as never, costType: 'api_cost', amount: 1 }),
		).rejects.toMatchObject({ field: 'pillar' });
		await expect(
			store.recordCost({ campaignId, pillar: 'strategist', costType: 'api_cost', amount: -5 }),
		).rejects.toMatchObject({ field: 'amount_usd' });
		await store.recordCost({ campaignId, pillar: 'strategist', costType: 'adjustment', amount: -234, description: 'refund' });
		const summary = await store.costSummary(campaignId);
		expect(summary).toMatchObject({ total_usd: '0.001000', by_pillar: { strategist: '0.001000' } });
		expect((await store.budgetStatus(campaignId)).remaining_usd).toBeNull();
	});

	test('summary per pillar and per variant', async () => {
		const { campaign } = await seedCampaign(store, '100');
		const campaignId = campaign.campaign_id as string;
		const v1 = await store.createVariant({ campaign_id: campaignId, variant_type: 'humorous' });
		const v2 = await store.createVariant({ campaign_id: campaignId, variant_type: 'serious' });
		await store.recordCost({ campaignId, variantId: v1.variant_id as string, pillar: 'production', costType: 'api_cost', amount: 3_200_000 });
		await store.recordCost({ campaignId, variantId: v2.variant_id as string, pillar: 'production', costType: 'api_cost', amount: 1_600_000 });
		await store.recordCost({ campaignId, variantId: v2.variant_id as string, pillar: 'copywriter', costType: 'api_cost', amount: 10_000 });
		await store.recordCost({ campaignId, pillar: 'strategist', costType: 'processing_cost', amount: 5 });
		const s = await store.costSummary(campaignId);
		expect(s.by_pillar).toMatchObject({ production: '4.800000', copywriter: '0.010000', strategist: '0.000005' });
		expect(s.cost_breakdown).toMatchObject({ production_cost: '4.800000', total_cost: '4.810005' });
		expect(s.by_variant).toEqual([
			expect.objectContaining({ variant_id: v1.variant_id, total_usd: '3.200000' }),
			expect.objectContaining({ variant_id: v2.variant_id, total_usd: '1.610000', by_pillar: { production: '1.600000', copywriter: '0.010000' } }),
		]);
		expect(s.unattributed_usd).toBe('0.000005');
		await expect(
			store.recordCost({ campaignId, variantId: '00000000-0000-4000-8000-000000000009', pillar: 'production', costType: 'api_cost', amount: 1 }),
		).rejects.toMatchObject({ field: 'variant_id' });
	});
});

describe('match_brand_guidelines', () => {
	function unit(hot: number[], dims = 1536): number[] {
		const v = new Array(dims).fill(0);
		for (const [i, x] of hot.entries()) v[i] = x;
		const n = Math.hypot(...v);
		return v.map((x) => x / n);
	}

	test('returns the nearest guidelines of that brand only, with cosine similarity, above the minimum', async () => {
		const a = await store.createBrand({ brand_name: 'A' });
		const b = await store.createBrand({ brand_name: 'B' });
		const insert = (brand: unknown, content: string, emb: number[]) =>
			sql.rows('insert into brand_guidelines (brand_id, content, category, embedding) values ($1, $2, $3, $4)', [
				brand,
				content,
				'tone',
				`[${emb.join(',')}]`,
			]);
		await insert(a.brand_id, 'exact', unit([1, 0]));
		await insert(a.brand_id, 'close', unit([1, 0.2]));
		await insert(a.brand_id, 'orthogonal', unit([0, 1]));
		await insert(b.brand_id, 'other brand exact', unit([1, 0]));
		const hits = await store.matchBrandGuidelines(a.brand_id as string, unit([1, 0]), 5, 0.5);
		expect(hits.map((h) => h.content)).toEqual(['exact', 'close']);
		expect(hits[0].similarity).toBeCloseTo(1, 6);
		expect(hits[1].similarity).toBeCloseTo(1 / Math.hypot(1, 0.2), 6);
		await expect(store.matchBrandGuidelines(a.brand_id as string, [1, 2, 3])).rejects.toMatchObject({ field: 'query_embedding' });
	});
});

describe('bi_claim_generation_jobs', () => {
	test('claims only due, pollable, unleased jobs by priority and sets the lease', async () => {
		const { campaign } = await seedCampaign(store);
		const add = (status: string, priority: number, due = 'now()') =>
			sql.rows<{ job_id: string }>(
				`insert into generation_jobs (model_name, prompt, status, priority, next_poll_at, campaign_id) values ('local', 'p', $1, $2, ${due}, $3) returning job_id`,
				[status, priority, campaign.campaign_id],
			);
		const [low] = await add('queued', 0);
		const [high] = await add('processing', 5);
		await add('completed', 9);
		await add('queued', 9, "now() + interval '1 hour'");
		const first = await store.claimGenerationJobs('worker-a', 10, 60);
		expect(first.map((j) => j.job_id)).toEqual([high.job_id, low.job_id]);
		expect(first.every((j) => j.lease_owner === 'worker-a' && j.lease_expires_at)).toBe(true);
		expect(await store.claimGenerationJobs('worker-b', 10, 60)).toEqual([]);
		await sql.exec(`update generation_jobs set lease_expires_at = now() - interval '1 second' where job_id = '${low.job_id}'`);
		const again = await store.claimGenerationJobs('worker-b', 10, 60);
		expect(again.map((j) => [j.job_id, j.lease_owner])).toEqual([[low.job_id, 'worker-b']]);
		await expect(store.claimGenerationJobs('', 1, 1)).rejects.toMatchObject({ field: 'worker' });
	});
});
