/**
 * Publish Due on a real multi-connection PostgreSQL 15: several cron runs (separate pools, as
 * separate n8n workers would be) claim due scheduled posts at the same time. Every due post is
 * published exactly once, none twice, and a post that is not due (or waits for a person) is not
 * published at all.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { broadcastVideo, publishDue, type BroadcastDeps } from '../../lib/broadcast/broadcaster';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { OutboxPublisher } from '../../lib/providers/publish/outbox';
import type { Publisher, PublishPost, PublishOptions } from '../../lib/providers/publish/types';
import { closeSharedStores, PostgresTransport, Store } from '../../lib/store';
import { testClip } from '../fakes/media-host';
import { startPostgres15, type Postgres15 } from '../helpers/postgres15';

jest.setTimeout(240_000);

let pg: Postgres15 | undefined;
const opened: PostgresTransport[] = [];
let dir: string;

beforeAll(async () => {
	pg = await startPostgres15();
	opened.push(await PostgresTransport.open({ connectionString: pg.connectionString, applyMigrations: true }));
	dir = mkdtempSync(join(tmpdir(), 'bi-claim-'));
});
afterAll(async () => {
	const closing = Promise.all([closeSharedStores(), ...opened.map((t) => t.close())]).catch(() => undefined);
	await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
	await pg?.stop();
	rmSync(dir, { recursive: true, force: true });
});

/** The outbox, counting every publish call and taking a little time, so claimers overlap. */
function countingOutbox(calls: string[]): Publisher {
	const inner = new OutboxPublisher({ outboxDir: join(dir, 'outbox') });
	return new Proxy(inner, {
		get(target, prop, receiver) {
			if (prop === 'publish') {
				return async (post: PublishPost, opts?: PublishOptions) => {
					calls.push(post.idempotencyKey);
					await new Promise((r) => setTimeout(r, 20));
					return target.publish(post, opts);
				};
			}
			return Reflect.get(target, prop, receiver);
		},
	});
}

test('four concurrent Publish Due runs: every due post published exactly once, nothing early, nothing held', async () => {
	const main = new Store(opened[0]);
	const clip = await testClip({ width: 360, height: 640, seconds: 3 });
	const brand = await main.createBrand({ brand_name: 'Claim' });
	const campaign = await main.createCampaign({ campaign_name: 'Due', brand_id: brand.brand_id, budget_limit_usd: '10' });
	const variant = await main.createVariant({ campaign_id: campaign.campaign_id, variant_type: 'humorous' });
	const base = (store: Store, calls: string[], owner: string): BroadcastDeps => ({
		store,
		owner,
		mediaDir: join(dir, 'media'),
		llm: new LocalLlmProvider(),
		publisherFor: () => countingOutbox(calls),
	});
	const setup: string[] = [];
	const due = 12;
	for (let k = 0; k < due; k++) {
		const [r] = await broadcastVideo(base(main, setup, 'setup'), {
			filePath: clip,
			campaignId: campaign.campaign_id as string,
			variantId: variant.variant_id as string,
			targets: [{ platform: 'outbox', accountId: `acct-${k}` }],
			caption: { caption: `Post ${k}`, hashtags: ['#due'] },
			scheduleAt: new Date(Date.now() + 2000),
		});
		expect(r.outcome).toBe('scheduled');
	}
	const [later] = await broadcastVideo(base(main, setup, 'setup'), {
		filePath: clip,
		campaignId: campaign.campaign_id as string,
		targets: [{ platform: 'outbox', accountId: 'later' }],
		caption: { caption: 'Tomorrow' },
		scheduleAt: new Date(Date.now() + 86_400_000),
	});
	const [held] = await broadcastVideo(base(main, setup, 'setup'), {
		filePath: clip,
		campaignId: campaign.campaign_id as string,
		targets: [{ platform: 'outbox', accountId: 'held' }],
		caption: { caption: 'Needs a person' },
		scheduleAt: new Date(Date.now() + 2000),
		gate: 'human_review',
	});
	expect([later.outcome, held.outcome]).toEqual(['scheduled', 'held_for_review']);
	expect(setup).toEqual([]);
	await opened[0].withSession((s) => s.rows(`update scheduled_posts set scheduled_time = now() - interval '1 second' where platform_post_id <> $1`, [later.post.post_id]));

	const pools = await Promise.all(Array.from({ length: 4 }, () => PostgresTransport.open({ connectionString: pg!.connectionString, maxConnections: 3 })));
	opened.push(...pools);
	const calls: string[] = [];
	const results = await Promise.all(
		pools.map(async (pool, n) => {
			const got = [];
			for (let round = 0; round < 20; round++) {
				const r = await publishDue(base(new Store(pool), calls, `cron-${n}-${randomBytes(2).toString('hex')}`), { maxPosts: 2, leaseSeconds: 300 });
				got.push(...r);
				if (!r.length) break;
			}
			return got;
		}),
	);
	const all = results.flat();
	expect(all).toHaveLength(due);
	expect(all.every((r) => r.outcome === 'published')).toBe(true);
	expect(new Set(all.map((r) => r.schedule_id)).size).toBe(due);
	// The platform was asked to post each due post once, and holds exactly those posts.
	expect(calls).toHaveLength(due);
	expect(new Set(calls).size).toBe(due);
	const accounts = (await new OutboxPublisher({ outboxDir: join(dir, 'outbox') }).list()).map((r) => r.accountId).sort();
	expect(accounts).toEqual(Array.from({ length: due }, (_, k) => `acct-${k}`).sort());
	const rows = await opened[0].withSession((s) =>
		s.rows<{ status: string; n: number }>('select status, count(*)::int as n from scheduled_posts group by status order by status'),
	);
	expect(rows).toEqual([
		{ status: 'pending', n: 2 },
		{ status: 'published', n: due },
	]);
});

test('eight first attempts at the same new post on separate connections: one row, one publication, no error', async () => {
	const main = new Store(opened[0]);
	const clip = await testClip({ width: 360, height: 640, seconds: 3 });
	const brand = await main.createBrand({ brand_name: 'Race' });
	const campaign = await main.createCampaign({ campaign_name: 'Race', brand_id: brand.brand_id, budget_limit_usd: '10' });
	const variant = await main.createVariant({ campaign_id: campaign.campaign_id, variant_type: 'serious' });
	const pools = await Promise.all(Array.from({ length: 8 }, () => PostgresTransport.open({ connectionString: pg!.connectionString, maxConnections: 1 })));
	opened.push(...pools);
	const key = `race-${randomBytes(6).toString('hex')}`;
	const row = (platform: string) => ({
		campaign_id: campaign.campaign_id,
		variant_id: variant.variant_id,
		platform,
		account_id: 'race',
		idempotency_key: `${key}-${platform}`,
		formatted_video_url: clip,
		caption: 'Same post, eight callers',
		hashtags: ['#race'],
	});
	// Eight callers of one post, and (the other half) the first posts of two platforms of one variant.
	const begun = await Promise.all(pools.map((t, i) => new Store(t).beginPublish(row(i % 2 ? 'outbox' : 'tiktok'), `worker-${i}`, 60)));
	const actions = begun.map((b) => b.action as string);
	expect(actions.filter((a) => a === 'publish')).toHaveLength(2);
	expect(actions.filter((a) => a !== 'publish').every((a) => a === 'busy')).toBe(true);
	const rows = await opened[0].withSession((s) =>
		s.rows<{ n: number; pubs: number }>(
			'select count(*)::int as n, count(distinct publication_id)::int as pubs from platform_posts where idempotency_key like $1',
			[`${key}-%`],
		),
	);
	expect(rows[0]).toEqual({ n: 2, pubs: 1 });
});
