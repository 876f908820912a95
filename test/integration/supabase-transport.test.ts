/**
 * The supabase transport end to end: the real @supabase/supabase-js client, through SupabaseTransport
 * and Store, against the PostgREST fake (test/fakes/postgrest.ts) backed by a freshly migrated PGlite.
 * What is proven here is the wire contract: named JSON arguments typed by PostgreSQL, scalar vs set
 * results, BIxxx codes surviving HTTP as typed errors, the role taken from the key, and secrecy of
 * the service-role key.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

import {
	BudgetExceededError,
	BrandInfinityError,
	IllegalTransitionError,
	NotFoundError,
	StoreError,
	ValidationError,
	VersionConflictError,
} from '../../lib/domain/errors';
import { checkStore, closeSharedStores, expectedVersions, Store } from '../../lib/store';
import { migrate } from '../../lib/store/migrations';
import { SupabaseTransport } from '../../lib/store/supabase';
import { startPostgrestFake, type PostgrestFake } from '../fakes/postgrest';
import { tempStore } from '../helpers/store';

jest.setTimeout(120_000);

// Supabase's new-format keys; short enough that an SQL error echoing one (uuid arguments are
// quoted up to 60 characters) would carry the whole key.
const SERVICE_KEY = `sb_secret_${randomBytes(16).toString('hex')}`;
const ANON_KEY = `sb_publishable_${randomBytes(16).toString('hex')}`;

let env: Awaited<ReturnType<typeof tempStore>>;
let fake: PostgrestFake;
let store: Store;

const rows = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => env.transport.session.rows<T>(sql, params);

/** Awaits a promise expected to reject and returns what it rejected with. */
async function failure(p: Promise<unknown>): Promise<BrandInfinityError> {
	try {
		await p;
	} catch (err) {
		return err as BrandInfinityError;
	}
	throw new Error('expected a rejection');
}

beforeAll(async () => {
	env = await tempStore();
	fake = await startPostgrestFake({ session: env.transport.session, serviceKey: SERVICE_KEY, anonKey: ANON_KEY });
	store = new Store(new SupabaseTransport({ url: fake.url, serviceRoleKey: SERVICE_KEY }));
});

afterAll(async () => {
	await closeSharedStores();
	await fake?.close();
	await env?.close();
});

async function newCampaign(budget: string | null = '10') {
	const brand = await store.createBrand({ brand_name: `Acme ${randomUUID().slice(0, 8)}`, tone: 'warm' });
	const campaign = await store.createCampaign({ campaign_name: 'Spring launch', brand_id: brand.brand_id, budget_limit_usd: budget });
	return { brand, campaign, campaignId: campaign.campaign_id as string };
}

describe('state API through supabase-js', () => {
	test('creates a brand, a campaign and a variant, as service_role, stored in the database', async () => {
		const before = fake.requests.length;
		const { brand, campaign, campaignId } = await newCampaign('10');
		expect(brand).toMatchObject({ tone: 'warm', color_palette: [], restricted_keywords: [] });
		expect(campaign).toMatchObject({ brand_id: brand.brand_id, status: 'draft', state_version: 1, budget_limit_usd: '10.000000' });

		const variant = await store.createVariant({ campaign_id: campaignId, variant_type: 'humorous' });
		expect(variant).toMatchObject({ campaign_id: campaignId, variant_type: 'humorous', status: 'draft', state_version: 1 });

		const [row] = await rows<{ n: number }>('select count(*)::int as n from variants where campaign_id = $1', [campaignId]);
		expect(row.n).toBe(1);
		// supabase-js sent the key in both headers and the fake ran the calls as service_role.
		const mine = fake.requests.slice(before);
		expect(mine.map((r) => r.fn)).toEqual(['bi_create_brand', 'bi_create_campaign', 'bi_create_variant']);
		for (const r of mine) expect(r).toMatchObject({ method: 'POST', apikey: 'service', bearer: 'service', role: 'service_role', status: 200 });
	});

	test('transitions with optimistic concurrency and maps BI409 / BI422 / BI404 / BI400 to typed errors', async () => {
		const { campaignId } = await newCampaign();
		const moved = await store.transition({ entity: 'campaign', id: campaignId, expectedVersion: 1, toStatus: 'in_production', actor: 'test' });
		expect(moved).toMatchObject({ from_status: 'draft', status: 'in_production', state_version: 2 });

		const stale = await failure(store.transition({ entity: 'campaign', id: campaignId, expectedVersion: 1, toStatus: 'completed' }));
		expect(stale).toBeInstanceOf(VersionConflictError);
		expect(stale.code).toBe('BI409');
		expect((stale as VersionConflictError).currentVersion).toBe(2);

		const illegal = await failure(store.transition({ entity: 'campaign', id: campaignId, expectedVersion: 2, toStatus: 'published' }));
		expect(illegal).toBeInstanceOf(IllegalTransitionError);
		expect(illegal.detail).toMatchObject({ from_status: 'in_production', to_status: 'published' });
		expect(illegal.hint).toMatch(/allowed from "in_production"/);

		const missing = await failure(store.transition({ entity: 'variant', id: randomUUID(), expectedVersion: 1, toStatus: 'in_production' }));
		expect(missing).toBeInstanceOf(NotFoundError);
		expect(missing.code).toBe('BI404');

		// 'bogus' passes TypeScript's cast but not the SQL check: BI400 comes back over HTTP.
		const invalid = await failure(
			store.transition({ entity: 'bogus' as never, id: campaignId, expectedVersion: 2, toStatus: 'completed' }),
		);
		expect(invalid).toBeInstanceOf(ValidationError);
		expect(invalid.field).toBe('entity');

		// Nothing of the failed calls stuck: still version 2, and the audit trail has one transition.
		const current = await store.getCampaign(campaignId);
		expect(current).toMatchObject({ status: 'in_production', state_version: 2 });
		const trail = await store.auditTrail(campaignId);
		expect(trail.filter((e) => e.action === 'transition')).toHaveLength(1);
	});

	test('reserves, settles and records costs with exact decimal money; BI402 past the budget', async () => {
		const { campaignId } = await newCampaign('10');
		const r = await store.reserveBudget({ campaignId, pillar: 'production', amount: 2_500_000, ref: 'scene-1' });
		expect(r).toMatchObject({ amount_usd: '2.500000', committed_usd: '0.000000', reserved_usd: '2.500000', remaining_usd: '7.500000', replayed: false });

		const again = await store.reserveBudget({ campaignId, pillar: 'production', amount: 2_500_000, ref: 'scene-1' });
		expect(again).toMatchObject({ reservation_id: r.reservation_id, replayed: true, reserved_usd: '2.500000' });

		const over = await failure(store.reserveBudget({ campaignId, pillar: 'production', amount: 7_500_001 }));
		expect(over).toBeInstanceOf(BudgetExceededError);
		expect(over.detail).toMatchObject({ budget_limit_usd: '10.000000', reserved_usd: '2.500000', requested_usd: '7.500001' });

		const settled = await store.settleReservation({ reservationId: r.reservation_id as string, actual: 2_000_001, costType: 'api_cost' });
		expect(settled).toMatchObject({ amount_usd: '2.000001', committed_usd: '2.000001', reserved_usd: '0.000000', estimated_usd: '2.500000' });

		const recorded = await store.recordCost({ campaignId, pillar: 'copywriter', costType: 'api_cost', amount: 1_250_000, description: 'script' });
		expect(recorded).toMatchObject({ amount_usd: '1.250000', committed_usd: '3.250001' });

		const badPillar = await failure(store.recordCost({ campaignId, pillar: 'marketing' as never, costType: 'api_cost', amount: 1 }));
		expect(badPillar).toBeInstanceOf(ValidationError);
		expect(badPillar.field).toBe('pillar');

		const summary = await store.costSummary(campaignId);
		expect(summary).toMatchObject({ total_usd: '3.250001', by_pillar: { production: '2.000001', copywriter: '1.250000' } });
		const [ledger] = await rows<{ current: string; total: string }>(
			`select c.current_cost_usd::text as current, (select sum(amount_usd) from cost_ledger where campaign_id = c.campaign_id)::text as total
			   from campaigns c where c.campaign_id = $1`,
			[campaignId],
		);
		expect(ledger.current).toBe(ledger.total);
		expect(ledger.current).toBe('3.250001');
	});

	test('matchBrandGuidelines: a vector argument as text, a set-returning result as an array', async () => {
		const { brand } = await newCampaign();
		const other = await store.createBrand({ brand_name: 'Other brand' });
		const unit = (i: number) => Array.from({ length: 1536 }, (_, k) => (k === i ? 1 : 0));
		const mix = Array.from({ length: 1536 }, (_, k) => (k === 0 || k === 1 ? Math.SQRT1_2 : 0));
		const insert = (brandId: unknown, content: string, category: string, v: number[]) =>
			rows(
				`insert into brand_guidelines (brand_id, content, category, embedding)
				 values ($1, $2, $3, $4::extensions.vector)`,
				[brandId, content, category, `[${v.join(',')}]`],
			);
		await insert(brand.brand_id, 'Always warm and playful', 'tone', unit(0));
		await insert(brand.brand_id, 'Warm, never sarcastic', 'tone', mix);
		await insert(brand.brand_id, 'Orange and navy only', 'visual_style', unit(1));
		await insert(other.brand_id, 'Another brand, same direction', 'tone', unit(0));

		const matches = await store.matchBrandGuidelines(brand.brand_id as string, unit(0), 5, 0.5);
		expect(Array.isArray(matches)).toBe(true);
		expect(matches.map((m) => m.content)).toEqual(['Always warm and playful', 'Warm, never sarcastic']);
		expect(matches[0].similarity).toBeCloseTo(1, 6);
		expect(matches[1].similarity).toBeCloseTo(Math.SQRT1_2, 6);
		expect(matches[0]).toEqual({ guideline_id: expect.any(String), content: 'Always warm and playful', category: 'tone', similarity: expect.any(Number) });

		expect(await store.matchBrandGuidelines(brand.brand_id as string, unit(0), 1, 0)).toHaveLength(1);
		// A set-returning call with no rows is an empty array, not null.
		expect(await store.matchBrandGuidelines(brand.brand_id as string, unit(7), 5, 0.5)).toEqual([]);

		const bad = await failure(store.matchBrandGuidelines(brand.brand_id as string, unit(0), 0, 0));
		expect(bad).toBeInstanceOf(ValidationError);
		expect(bad.field).toBe('match_count');
	});

	test('claimGenerationJobs: due jobs by priority, leased, never handed out twice while leased', async () => {
		const { campaignId } = await newCampaign();
		// The claim is global, not per campaign: park any job another test may have left due.
		await rows('update generation_jobs set status = $1', ['cancelled']);
		const [{ ids }] = await rows<{ ids: string[] }>(
			`with j as (
			   insert into generation_jobs (campaign_id, model_name, prompt, status, priority, next_poll_at)
			   values ($1, 'veo', 'top', 'queued', 5, now() - interval '1 minute'),
			          ($1, 'veo', 'middle', 'processing', 1, now() - interval '1 minute'),
			          ($1, 'veo', 'low', 'submitting', 0, now() - interval '1 minute'),
			          ($1, 'veo', 'done', 'completed', 9, now() - interval '1 minute'),
			          ($1, 'veo', 'later', 'queued', 9, now() + interval '1 hour')
			   returning job_id, prompt)
			 select array_agg(job_id::text order by prompt) as ids from j`,
			[campaignId],
		);
		expect(ids).toHaveLength(5);

		const first = await store.claimGenerationJobs('worker-a', 2, 600);
		expect(Array.isArray(first)).toBe(true);
		expect(first.map((j) => j.prompt).sort()).toEqual(['middle', 'top']);
		for (const j of first) expect(j).toMatchObject({ lease_owner: 'worker-a', campaign_id: campaignId });

		const rest = await store.claimGenerationJobs('worker-b', 10, 600);
		expect(rest.map((j) => j.prompt)).toEqual(['low']);
		expect(await store.claimGenerationJobs('worker-c', 10, 600)).toEqual([]);

		// An expired lease makes the job claimable again, by someone else.
		await rows(`update generation_jobs set lease_expires_at = now() - interval '1 second' where prompt = 'top' and campaign_id = $1`, [campaignId]);
		const reclaimed = await store.claimGenerationJobs('worker-d', 10, 600);
		expect(reclaimed.map((j) => [j.prompt, j.lease_owner])).toEqual([['top', 'worker-d']]);

		const bad = await failure(store.claimGenerationJobs('worker-e', 0, 600));
		expect(bad).toBeInstanceOf(ValidationError);
		expect(bad.field).toBe('max_jobs');
	});

	test('schemaInfo and checkStore see every migration, pgvector included', async () => {
		const info = await store.schemaInfo();
		expect(info).toEqual({ versions: expectedVersions(true), vector: true, match_brand_guidelines: true });
		const check = await checkStore({ backend: 'supabase', url: fake.url, serviceRoleKey: SERVICE_KEY });
		expect(check.ok).toBe(true);
		expect(check.message).toMatch(/supabase store.*pgvector ready/);
	});
});

describe('the RPC contract of the fake (what PostgREST does)', () => {
	test('arguments with defaults may be omitted; an unknown argument set is PGRST202 (404)', async () => {
		const { campaignId } = await newCampaign();
		const transport = store.transport;
		// p_actor and p_reason have defaults.
		const out = await transport.rpc('bi_transition', { p_entity: 'campaign', p_id: campaignId, p_expected_version: 1, p_to_status: 'paused' });
		expect(out).toMatchObject({ status: 'paused', state_version: 2 });

		const extra = await failure(
			transport.rpc('bi_transition', { p_entity: 'campaign', p_id: campaignId, p_expected_version: 2, p_to_status: 'draft', p_bogus: 1 }),
		);
		expect(extra).toBeInstanceOf(StoreError);
		expect(extra.code).toBe('PGRST202');
		expect(extra.message).toBe(
			'Could not find the function public.bi_transition(p_bogus, p_entity, p_expected_version, p_id, p_to_status) in the schema cache',
		);
		expect(extra.hint).toBe('Perhaps you meant to call the function public.bi_transition(p_actor, p_entity, p_expected_version, p_id, p_reason, p_to_status)');

		const unknown = await failure(transport.rpc('bi_no_such_function', {}));
		expect(unknown.code).toBe('PGRST202');
		expect(unknown.message).toBe('Could not find the function public.bi_no_such_function without parameters in the schema cache');
		expect(fake.requests.at(-1)).toMatchObject({ fn: 'bi_no_such_function', status: 404 });
	});

	test('the wire format: status codes and {code, message, details, hint} bodies', async () => {
		const post = (fn: string, body: unknown, key = SERVICE_KEY) =>
			fetch(`${fake.url}/rest/v1/rpc/${fn}`, {
				method: 'POST',
				headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});

		const conflict = await post('bi_transition', { p_entity: 'campaign', p_id: randomUUID(), p_expected_version: 1, p_to_status: 'draft' });
		expect(conflict.status).toBe(400); // PostgREST has no rule for BIxxx: 400, code intact
		const body = (await conflict.json()) as { details: string };
		expect(body).toEqual({ code: 'BI404', message: expect.stringMatching(/^campaign .* not found$/), details: expect.any(String), hint: null });
		expect(JSON.parse(body.details)).toMatchObject({ entity: 'campaign' });

		const info = await post('bi_schema_info', {});
		expect(info.status).toBe(200);
		expect(info.headers.get('content-type')).toMatch(/^application\/json/);

		const anon = await post('bi_schema_info', {}, ANON_KEY);
		expect(anon.status).toBe(401); // 42501 as anon
		expect(await anon.json()).toEqual({ code: '42501', message: 'permission denied for function bi_schema_info', details: null, hint: null });

		const stranger = await post('bi_schema_info', {}, 'sb_secret_not_a_key_of_this_project');
		expect(stranger.status).toBe(401);
		expect(((await stranger.json()) as { code: string }).code).toBe('PGRST301');

		// GET calls (supabase-js `rpc(fn, args, { get: true })`): arguments from the query string, as text
		// that PostgreSQL types, and a scalar jsonb result as the JSON value.
		const { campaignId } = await newCampaign('3.5');
		const got = await fetch(`${fake.url}/rest/v1/rpc/bi_budget_status?p_campaign_id=${campaignId}`, {
			headers: { apikey: SERVICE_KEY, Authorization: `Bearer ${SERVICE_KEY}` },
		});
		expect(got.status).toBe(200);
		expect(await got.json()).toMatchObject({ campaign_id: campaignId, budget_limit_usd: '3.500000', committed_usd: '0.000000' });

		const garbage = await fetch(`${fake.url}/rest/v1/rpc/bi_schema_info`, {
			method: 'POST',
			headers: { apikey: SERVICE_KEY, Authorization: `Bearer ${SERVICE_KEY}`, 'Content-Type': 'application/json' },
			body: '{not json',
		});
		expect(garbage.status).toBe(400);
		expect(((await garbage.json()) as { code: string }).code).toBe('PGRST102');
	});
});

describe('keys', () => {
	test('the anon key reaches nothing: every function is refused (42501) and nothing is written', async () => {
		const anon = new Store(new SupabaseTransport({ url: fake.url, serviceRoleKey: ANON_KEY }));
		const [{ n: brandsBefore }] = await rows<{ n: number }>('select count(*)::int as n from brands');

		const create = await failure(anon.createBrand({ brand_name: 'Sneaky' }));
		expect(create).toBeInstanceOf(StoreError);
		expect(create.code).toBe('42501');
		expect(create.message).toBe('permission denied for function bi_create_brand');
		expect(fake.requests.at(-1)).toMatchObject({ role: 'anon', status: 401 });

		for (const call of [() => anon.schemaInfo(), () => anon.listCampaigns(), () => anon.claimGenerationJobs('anon', 1, 60)]) {
			expect((await failure(call())).code).toBe('42501');
		}
		const [{ n: brandsAfter }] = await rows<{ n: number }>('select count(*)::int as n from brands');
		expect(brandsAfter).toBe(brandsBefore);

		// And behind the API, the tables themselves: no grant and RLS on, so anon reads nothing.
		const direct = await failure(
			(async () => {
				await env.transport.session.exec('begin; set local role anon;');
				try {
					await rows('select * from campaigns');
				} finally {
					await env.transport.session.exec('rollback');
				}
			})(),
		);
		expect((direct as unknown as { code: string }).code).toBe('42501');

		await expect(checkStore({ backend: 'supabase', url: fake.url, serviceRoleKey: ANON_KEY })).rejects.toMatchObject({ code: '42501' });
	});

	test('the service-role key never appears in an error, even when SQL echoes it back', async () => {
		const errors: BrandInfinityError[] = [];
		// bi_arg_uuid quotes the bad value in its message: the transport must redact it.
		const echoed = await failure(store.createCampaign({ campaign_name: 'x', brand_id: SERVICE_KEY }));
		expect(echoed).toBeInstanceOf(ValidationError);
		expect(echoed.field).toBe('brand_id');
		expect(echoed.message).toContain('[redacted]');
		errors.push(echoed);

		errors.push(await failure(store.transition({ entity: 'campaign', id: randomUUID(), expectedVersion: 1, toStatus: 'draft' })));
		errors.push(await failure(store.transport.rpc('bi_no_such_function', { p_key: SERVICE_KEY })));

		// A server that is not there: the fetch error is reported without the key.
		const closed = await startPostgrestFake({ session: env.transport.session, serviceKey: SERVICE_KEY, anonKey: ANON_KEY });
		await closed.close();
		const offline = new SupabaseTransport({ url: closed.url, serviceRoleKey: SERVICE_KEY });
		const down = await failure(offline.rpc('bi_schema_info', {}));
		expect(down).toBeInstanceOf(StoreError);
		errors.push(down);

		// A wrong key of the same shape: refused (401) without echoing either key.
		const wrong = new Store(new SupabaseTransport({ url: fake.url, serviceRoleKey: `${SERVICE_KEY}x` }));
		const refused = await failure(wrong.schemaInfo());
		expect(refused.code).toBe('PGRST301');
		errors.push(refused);

		for (const err of errors) {
			for (const text of [err.message, String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(err.detail), err.hint ?? '']) {
				expect(text).not.toContain(SERVICE_KEY);
			}
		}
	});
});

describe('the fake on a PGlite instance (each request in db.transaction)', () => {
	test('concurrent reservations through supabase-js are atomic and never overshoot the budget', async () => {
		const db = await PGlite.create({ extensions: { vector } });
		const session = {
			exec: async (text: string) => {
				await db.exec(text);
			},
			rows: async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows,
		};
		await migrate(session);
		const own = await startPostgrestFake({ db, serviceKey: SERVICE_KEY, anonKey: ANON_KEY });
		try {
			const s = new Store(new SupabaseTransport({ url: own.url, serviceRoleKey: SERVICE_KEY }));
			const brand = await s.createBrand({ brand_name: 'Concurrent' });
			const campaign = await s.createCampaign({ campaign_name: 'Race', brand_id: brand.brand_id, budget_limit_usd: '1' });
			const campaignId = campaign.campaign_id as string;
			// 30 x $0.07 = $2.10 against $1: 14 fit, 16 must be refused, whatever the interleaving.
			const outcomes = await Promise.allSettled(
				Array.from({ length: 30 }, (_, i) => s.reserveBudget({ campaignId, pillar: 'production', amount: 70_000, ref: `r${i}` })),
			);
			const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
			expect(ok).toBe(14);
			for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(BudgetExceededError);
			expect(await s.budgetStatus(campaignId)).toMatchObject({ reserved_usd: '0.980000', remaining_usd: '0.020000' });
			// A failed request rolled back and left no transaction open: plain SQL still works.
			const [{ n }] = await session.rows<{ n: number }>('select count(*)::int as n from budget_reservations');
			expect(n).toBe(14);
		} finally {
			await own.close();
			await db.close();
		}
	});
});
