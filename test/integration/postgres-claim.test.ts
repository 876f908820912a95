/**
 * The state API on a real, multi-connection PostgreSQL 15 (Debian's, no pgvector), through
 * PostgresTransport: the concurrency guarantees PGlite's single session cannot exercise.
 *   - the migration runner skips the pgvector migration and everything else applies;
 *   - bi_claim_generation_jobs under many concurrent pollers: no job handed out twice while its
 *     lease is live, every due job handed out once, leases expire, non-due jobs never handed out;
 *   - bi_reserve_budget / bi_settle_reservation under concurrency: the budget is never overshot,
 *     no spurious rejection, settlement idempotent, the ledger invariant holds;
 *   - concurrent migration runners apply each migration once (advisory lock).
 */
import { BudgetExceededError } from '../../lib/domain/errors';
import { formatUsd } from '../../lib/domain/money';
import { checkStore, closeSharedStores, expectedVersions, loadMigrations, PostgresTransport, Store } from '../../lib/store';
import { startPostgres15, type Postgres15 } from '../helpers/postgres15';

jest.setTimeout(180_000);

let pg: Postgres15 | undefined;
let main: PostgresTransport;
let store: Store;
const opened: PostgresTransport[] = [];

async function open(connectionString: string, opts: { applyMigrations?: boolean; maxConnections?: number } = {}) {
	const t = await PostgresTransport.open({ connectionString, ...opts });
	opened.push(t);
	return t;
}

/**
 * Several independent pools (separate n8n workers, in effect), each with a few connections. A
 * statement that waits on a lock longer than `lockTimeoutMs` fails (55P03) instead of hanging the
 * suite; the default is generous because reservations queue on the campaign row by design.
 */
async function pollers(n: number, maxConnections: number, lockTimeoutMs = 120_000): Promise<Store[]> {
	const cs = `${pg!.connectionString}?options=${encodeURIComponent(`-c lock_timeout=${lockTimeoutMs}`)}`;
	const stores = await Promise.all(Array.from({ length: n }, () => open(cs, { maxConnections })));
	// Open every connection before the race starts, so the pollers really overlap.
	await Promise.all(stores.flatMap((t) => Array.from({ length: maxConnections }, () => t.withSession((s) => s.rows('select 1')))));
	return stores.map((t) => new Store(t));
}

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => main.withSession((s) => s.rows<T>(text, params));

/** A small seeded PRNG (mulberry32): the same amounts on every run. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

beforeAll(async () => {
	pg = await startPostgres15();
	main = await open(pg.connectionString, { applyMigrations: true });
	store = new Store(main);
});

afterAll(async () => {
	// Close the pools, but never wait forever: pool.end() waits for checked-out clients, and a test
	// that failed mid-transaction may hold one. The fast shutdown below disconnects whatever is left.
	const closing = Promise.all([closeSharedStores(), ...opened.map((t) => t.close())]).catch(() => undefined);
	await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
	await pg?.stop();
});

async function newCampaign(budget: string | null) {
	const brand = await store.createBrand({ brand_name: 'Acme' });
	const campaign = await store.createCampaign({ campaign_name: 'Concurrency', brand_id: brand.brand_id, budget_limit_usd: budget });
	return campaign.campaign_id as string;
}

test('migrations apply on PostgreSQL 15 without pgvector; only the pgvector migrations are skipped', async () => {
	const all = loadMigrations().map((m) => `${m.version}_${m.name}`);
	const vectorOnes = loadMigrations().filter((m) => m.needsVector).map((m) => `${m.version}_${m.name}`);
	expect(vectorOnes).toEqual(['20261122000300_pgvector', '20261202000200_brand_media_pgvector']);
	expect(main.migrations).toEqual({
		applied: all.filter((m) => !vectorOnes.includes(m)),
		skipped: vectorOnes,
		versions: expectedVersions(false),
		vector: false,
	});
	const info = await store.schemaInfo();
	expect(info).toEqual({ versions: expectedVersions(false), vector: false, match_brand_guidelines: false });

	const check = await checkStore({ backend: 'postgres', connectionString: pg!.connectionString });
	expect(check).toEqual({ ok: true, message: expect.stringMatching(/pgvector missing/) });
});

describe('bi_claim_generation_jobs on real Postgres', () => {
	let campaignId: string;
	let due: Set<string>;
	let neverDue: Map<string, string>; // job_id -> why it must not be claimed

	beforeAll(async () => {
		campaignId = await newCampaign(null);
		const inserted = await sql<{ job_id: string; kind: string }>(
			`with due as (
			   -- 200 due jobs in every pollable status, some left behind by a worker whose lease ran out
			   insert into generation_jobs (campaign_id, model_name, prompt, status, priority, next_poll_at, lease_owner, lease_expires_at)
			   select $1, 'veo', 'due ' || i, (array['queued', 'submitting', 'processing'])[1 + i % 3], i % 5,
			          now() - make_interval(secs => i),
			          case when i % 10 = 0 then 'dead-worker' end,
			          case when i % 10 = 0 then now() - interval '5 minutes' end
			     from generate_series(1, 200) i
			   returning job_id, 'due' as kind),
			 finished as (
			   insert into generation_jobs (campaign_id, model_name, prompt, status, next_poll_at)
			   select $1, 'veo', 'finished ' || i, (array['completed', 'failed', 'dead_letter', 'cancelled'])[1 + i % 4], now() - interval '1 hour'
			     from generate_series(1, 20) i
			   returning job_id, 'status ' || status as kind),
			 later as (
			   insert into generation_jobs (campaign_id, model_name, prompt, status, next_poll_at)
			   select $1, 'veo', 'later ' || i, 'queued', now() + interval '1 hour' from generate_series(1, 10) i
			   returning job_id, 'next_poll_at in the future' as kind),
			 leased as (
			   insert into generation_jobs (campaign_id, model_name, prompt, status, next_poll_at, lease_owner, lease_expires_at)
			   select $1, 'veo', 'leased ' || i, 'processing', now() - interval '1 hour', 'other-worker', now() + interval '1 hour'
			     from generate_series(1, 10) i
			   returning job_id, 'live lease of other-worker' as kind)
			 select job_id::text, kind from due union all select job_id::text, kind from finished
			 union all select job_id::text, kind from later union all select job_id::text, kind from leased`,
			[campaignId],
		);
		due = new Set(inserted.filter((r) => r.kind === 'due').map((r) => r.job_id));
		neverDue = new Map(inserted.filter((r) => r.kind !== 'due').map((r) => [r.job_id, r.kind]));
		expect(due.size).toBe(200);
		expect(neverDue.size).toBe(40);
	});

	test('6 pollers x 3 connections claiming 7 at a time: every due job exactly once, nothing else', async () => {
		const stores = await pollers(6, 3);
		const handedOut: Array<{ job: string; worker: string }> = [];
		let calls = 0;
		await Promise.all(
			stores.flatMap((s, i) =>
				Array.from({ length: 3 }, async () => {
					// A poller loop: claim until nothing is due (every lease here outlives the test).
					for (;;) {
						const jobs = await s.claimGenerationJobs(`poller-${i}`, 7, 3600);
						calls++;
						if (jobs.length === 0) return;
						expect(jobs.length).toBeLessThanOrEqual(7);
						for (const j of jobs) {
							expect(j.lease_owner).toBe(`poller-${i}`);
							handedOut.push({ job: j.job_id as string, worker: `poller-${i}` });
						}
					}
				}),
			),
		);

		const ids = handedOut.map((h) => h.job);
		expect(ids.length).toBe(new Set(ids).size); // no job twice while its lease is live
		expect(new Set(ids)).toEqual(due); // every due job, and only those
		expect(calls).toBeGreaterThanOrEqual(Math.ceil(200 / 7) + 18); // each loop ended on an empty claim

		// The database agrees with what each poller was told.
		const rows = await sql<{ job_id: string; lease_owner: string; live: boolean }>(
			`select job_id::text, lease_owner, lease_expires_at > now() + interval '50 minutes' as live
			   from generation_jobs where job_id = any($1::uuid[])`,
			[ids],
		);
		const owner = new Map(handedOut.map((h) => [h.job, h.worker]));
		for (const r of rows) {
			expect(r.lease_owner).toBe(owner.get(r.job_id));
			expect(r.live).toBe(true);
		}
		const untouched = await sql<{ job_id: string; lease_owner: string | null }>(
			'select job_id::text, lease_owner from generation_jobs where job_id = any($1::uuid[])',
			[[...neverDue.keys()]],
		);
		for (const r of untouched) {
			expect([r.job_id, r.lease_owner]).toEqual([r.job_id, neverDue.get(r.job_id) === 'live lease of other-worker' ? 'other-worker' : null]);
		}
		// With every due job leased, a further claim gets nothing.
		expect(await store.claimGenerationJobs('late-poller', 1000, 60)).toEqual([]);
	});

	test('an expired lease, or a job becoming due, makes it claimable again; once', async () => {
		const expired = [...due].slice(0, 5);
		await sql(`update generation_jobs set lease_expires_at = now() - interval '1 second' where job_id = any($1::uuid[])`, [expired]);
		const [later] = [...neverDue].find(([, why]) => why === 'next_poll_at in the future')!;
		await sql(`update generation_jobs set next_poll_at = now() - interval '1 second' where job_id = $1`, [later]);

		const stores = await pollers(4, 2);
		const results = await Promise.all(stores.flatMap((s, i) => [0, 1].map(() => s.claimGenerationJobs(`rescuer-${i}`, 1000, 600))));
		const ids = results.flat().map((j) => j.job_id as string);
		expect(ids.sort()).toEqual([...expired, later].sort());

		const rows = await sql<{ lease_owner: string }>('select lease_owner from generation_jobs where job_id = any($1::uuid[])', [ids]);
		for (const r of rows) expect(r.lease_owner).toMatch(/^rescuer-\d$/);
		expect(await store.claimGenerationJobs('late-poller', 1000, 60)).toEqual([]);
	});

	test('SKIP LOCKED: a job row locked by another transaction is skipped, not waited for', async () => {
		const fresh = await sql<{ job_id: string }>(
			`insert into generation_jobs (campaign_id, model_name, prompt, status, next_poll_at)
			 select $1, 'veo', 'fresh ' || i, 'queued', now() - interval '1 minute' from generate_series(1, 3) i
			 returning job_id::text`,
			[campaignId],
		);
		const [locked, ...others] = fresh.map((r) => r.job_id);
		// A claim that waited on the lock would fail after 5 s (lock_timeout) rather than hang.
		const [other] = await pollers(1, 1, 5_000);
		await main.withSession(async (s) => {
			await s.exec('begin');
			try {
				await s.rows('select 1 from generation_jobs where job_id = $1 for update', [locked]);
				const got = await other.claimGenerationJobs('skipper', 10, 600);
				expect(got.map((j) => j.job_id).sort()).toEqual(others.sort());
			} finally {
				await s.exec('commit');
			}
		});
		const after = await other.claimGenerationJobs('skipper', 10, 600);
		expect(after.map((j) => j.job_id)).toEqual([locked]);
	});
});

describe('budget functions under concurrency on real Postgres', () => {
	test('200 concurrent reservations never overshoot $10; concurrent (double) settlement charges once', async () => {
		const campaignId = await newCampaign('10');
		const limit = 10_000_000;
		const random = prng(20261122);
		const amounts = Array.from({ length: 200 }, () => 10_000 + Math.floor(random() * 490_000)); // $0.01 .. $0.50
		expect(amounts.reduce((a, b) => a + b, 0)).toBeGreaterThan(2 * limit); // precondition: the budget must run out

		const stores = await pollers(6, 5);
		const outcomes = await Promise.allSettled(
			amounts.map((amount, i) => stores[i % stores.length].reserveBudget({ campaignId, pillar: 'production', amount, ref: `scene-${i}` })),
		);

		const reserved: Array<{ id: string; amount: number }> = [];
		const rejected: number[] = [];
		outcomes.forEach((o, i) => {
			if (o.status === 'fulfilled') {
				reserved.push({ id: o.value.reservation_id as string, amount: amounts[i] });
			} else {
				// Only "budget exceeded": no deadlock, no serialization failure, no other error.
				expect(o.reason).toBeInstanceOf(BudgetExceededError);
				expect((o.reason as BudgetExceededError).code).toBe('BI402');
				rejected.push(amounts[i]);
			}
		});
		expect(reserved.length).toBeGreaterThan(0);
		expect(rejected.length).toBeGreaterThan(0);
		const reservedTotal = reserved.reduce((a, r) => a + r.amount, 0);
		expect(reservedTotal).toBeLessThanOrEqual(limit);
		// Remaining budget only shrinks while reserving, so each rejection really did not fit.
		for (const amount of rejected) expect(amount).toBeGreaterThan(limit - reservedTotal);

		const status = await store.budgetStatus(campaignId);
		expect(status).toMatchObject({ committed_usd: '0.000000', reserved_usd: formatUsd(reservedTotal), remaining_usd: formatUsd(limit - reservedTotal) });

		// Settle each reservation twice at once from different pools, at or below its estimate.
		const actual = new Map(reserved.map((r) => [r.id, Math.max(1, Math.floor(r.amount * (0.5 + random() / 2)))]));
		const settlements = await Promise.all(
			reserved.flatMap((r, i) =>
				[0, 1].map((k) =>
					stores[(i + k * 3) % stores.length].settleReservation({ reservationId: r.id, actual: actual.get(r.id)!, costType: 'api_cost' }),
				),
			),
		);
		const replays = settlements.filter((s) => s.replayed === true).length;
		expect(replays).toBe(reserved.length); // exactly one of each pair charged

		const committed = [...actual.values()].reduce((a, b) => a + b, 0);
		const after = await store.budgetStatus(campaignId);
		expect(after).toMatchObject({ committed_usd: formatUsd(committed), reserved_usd: '0.000000' });
		expect(committed).toBeLessThanOrEqual(limit);

		const [ledger] = await sql<{ current: string; total: string; entries: number; settled: number; active: number }>(
			`select c.current_cost_usd::text as current,
			        (select sum(amount_usd) from cost_ledger l where l.campaign_id = c.campaign_id)::text as total,
			        (select count(*)::int from cost_ledger l where l.campaign_id = c.campaign_id) as entries,
			        (select count(*)::int from budget_reservations r where r.campaign_id = c.campaign_id and r.status = 'settled') as settled,
			        (select count(*)::int from budget_reservations r where r.campaign_id = c.campaign_id and r.status = 'active') as active
			   from campaigns c where c.campaign_id = $1`,
			[campaignId],
		);
		expect(ledger).toEqual({ current: formatUsd(committed), total: formatUsd(committed), entries: reserved.length, settled: reserved.length, active: 0 });
	});
});

test('two pools applying migrations at once apply each migration once (advisory lock)', async () => {
	await sql('create database race');
	const cs = pg!.connectionStringFor('race');
	const runners = await Promise.all([0, 1, 2].map(() => open(cs, { applyMigrations: true, maxConnections: 1 })));
	const applied = runners.flatMap((r) => r.migrations!.applied);
	// Each migration once over all three runners (pgvector's is skipped: Debian's PG15 lacks it).
	expect(applied.sort()).toEqual(loadMigrations().filter((m) => !m.needsVector).map((m) => `${m.version}_${m.name}`));
	for (const r of runners) {
		expect(r.migrations).toMatchObject({ skipped: ['20261122000300_pgvector', '20261202000200_brand_media_pgvector'], versions: expectedVersions(false), vector: false });
	}
	const rows = await runners[0].withSession((s) => s.rows<{ n: number }>('select count(*)::int as n from bi_schema_version'));
	expect(rows[0].n).toBe(expectedVersions(false).length);
});
