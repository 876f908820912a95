/**
 * Real n8n 2.41.1 running the Broadcaster template with the outbox publisher (as TikTok), on a video
 * whose 9:16, 16:9 and 1:1 outputs are real mp4 files made by ffmpeg:
 *   (a) the same variant published ten times — a crash between the platform's success and our
 *       commit (injected through the library before n8n starts, with the same store and outbox),
 *       then sequential webhook retries and concurrent duplicate webhooks — leaves exactly one
 *       outbox post and one receipt;
 *   (b) a scheduled post is published by the Publish Due path exactly once, however many runs.
 */
import { join } from 'node:path';

import { broadcastVideo, type PublisherTarget } from '../../lib/broadcast/broadcaster';
import { publishKey } from '../../lib/broadcast/publish';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { OutboxPublisher } from '../../lib/providers/publish/outbox';
import type { Publisher } from '../../lib/providers/publish/types';
import { seedVideo, type SeededVideo } from '../helpers/broadcast';
import { e2eWorld, editedTemplate, type E2eWorld } from '../helpers/e2e';

// Each step calls real n8n (webhooks, ffmpeg, the store): jest's 5 s default is not a bound on them.
jest.setTimeout(180_000);

let world: E2eWorld;
let seeded: SeededVideo;
let outboxDir: string;
let scheduledPostId: string;
let gateOk: SeededVideo;
let gateSilent: SeededVideo;

/** The outbox, "killed" right after the post landed and before the receipt is stored. */
function crashingAfterSuccess(inner: Publisher): Publisher {
	return new Proxy(inner, {
		get(target, prop, receiver) {
			if (prop === 'publish') {
				return async (...args: Parameters<Publisher['publish']>) => {
					await target.publish(...args);
					throw new Error('process killed before the receipt was stored');
				};
			}
			return Reflect.get(target, prop, receiver);
		},
	});
}

beforeAll(async () => {
	world = await e2eWorld('broadcaster');
	// What the template's Publish node uses: brand-infinity/{media,outbox} in the n8n user folder.
	const base = join(world.harness.userFolder, '.n8n', 'brand-infinity');
	outboxDir = join(base, 'outbox');
	await world.withStore(async (store) => {
		seeded = await seedVideo(store, join(base, 'media'));
		const deps = (publisher: (t: PublisherTarget) => Publisher) => ({ store, owner: 'pre-start', mediaDir: join(base, 'media'), llm: new LocalLlmProvider(), publisherFor: publisher });
		// 1 of 10: the platform takes the post, then the process dies before our commit.
		const [crashed] = await broadcastVideo(
			deps((t) => crashingAfterSuccess(new OutboxPublisher({ outboxDir, emulate: t.emulate }))),
			{ videoId: seeded.videoId, targets: [{ platform: 'outbox', emulate: 'tiktok', accountId: 'demo' }] },
		);
		expect(crashed.outcome).toBe('unknown');
		// (b): a post scheduled for now, on another account.
		const [scheduled] = await broadcastVideo(deps((t) => new OutboxPublisher({ outboxDir, emulate: t.emulate })), {
			videoId: seeded.videoId,
			targets: [{ platform: 'outbox', emulate: 'tiktok', accountId: 'scheduled' }],
			scheduleAt: new Date(),
		});
		expect(scheduled.outcome).toBe('scheduled');
		scheduledPostId = scheduled.post.post_id as string;
	});
	expect((await new OutboxPublisher({ outboxDir }).list()).map((r) => r.accountId)).toEqual(['demo']);
	await world.withStore(async (store) => {
		gateOk = await seedVideo(store, join(base, 'media'), { name: 'Gate ok' });
		gateSilent = await seedVideo(store, join(base, 'media'), { name: 'Gate silent', audio: false });
	});
	// The test clips are short and small: the user tunes the gate's expectations in Judge Video.
	const edited = editedTemplate('broadcaster.json', world.work, (nodes) => {
		nodes.find((n) => n.name === 'Judge Video')!.parameters.expect = { minDurationSeconds: 3, minShortSide: 360 };
	});
	await world.start([edited], ['biBroadcaster0001']);
}, 20 * 60_000);

afterAll(() => world?.close(), 60_000);

describe('broadcaster template in real n8n (outbox as TikTok)', () => {
	test('an unknown video is refused with the field named', async () => {
		const res = await world.harness.webhook('brand-infinity/broadcaster', { video_id: '00000000-0000-4000-8000-000000000000' });
		expect([res.status, res.body.field]).toEqual([404, 'video_id']);
	});

	test('after the crash: one retry resolves it from the platform, three duplicates at once and five retries publish nothing more', async () => {
		const first = await world.harness.webhook('brand-infinity/broadcaster', { video_id: seeded.videoId });
		expect([first.status, first.body]).toEqual([200, expect.any(Array)]);
		expect(first.body).toHaveLength(1);
		expect(first.body[0]).toMatchObject({ outcome: 'published', platform: 'outbox', account_id: 'demo', post: { publication_status: 'published' } });
		const dupes = await Promise.all([1, 2, 3].map(() => world.harness.webhook('brand-infinity/broadcaster', { video_id: seeded.videoId })));
		const retries = [];
		for (let k = 0; k < 5; k++) retries.push(await world.harness.webhook('brand-infinity/broadcaster', { video_id: seeded.videoId }));
		for (const r of [...dupes, ...retries]) {
			expect(r.status).toBe(200);
			expect(r.body.map((x: { outcome: string }) => x.outcome)).toEqual(['already_published']);
		}
		const postIds = new Set([first, ...dupes, ...retries].map((r) => r.body[0].post.post_id));
		expect(postIds.size).toBe(1);
	});

	test('the publish gate: a video that passes Judge Video is published with its caption judged; a silent one is held for a person', async () => {
		const ok = await world.harness.webhook('brand-infinity/broadcaster', { video_id: gateOk.videoId });
		expect([ok.status, ok.body]).toEqual([200, expect.any(Array)]);
		expect(ok.body[0]).toMatchObject({ outcome: 'published', caption_judgement: { route: 'pass' } });
		const silent = await world.harness.webhook('brand-infinity/broadcaster', { video_id: gateSilent.videoId });
		expect([silent.status, silent.body]).toEqual([200, expect.any(Array)]);
		expect(silent.body[0]).toMatchObject({ outcome: 'held_for_review', post: { publication_status: 'scheduled', requires_approval: true } });
		// Held, so a retry still publishes nothing.
		expect((await world.harness.webhook('brand-infinity/broadcaster', { video_id: gateSilent.videoId })).body[0].outcome).toBe('held_for_review');
	});

	test('a scheduled post goes out through Publish Due exactly once, however many runs', async () => {
		const runs = await Promise.all([1, 2, 3].map(() => world.harness.webhook('brand-infinity/broadcaster/publish-due', {})));
		const again = await world.harness.webhook('brand-infinity/broadcaster/publish-due', {});
		const items = [...runs, again].flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body])).filter((x: { schedule_id?: string }) => x && x.schedule_id);
		// The every-minute trigger may have taken it first; no run ever publishes it a second time.
		expect(items.filter((x: { outcome: string }) => x.outcome === 'published').length).toBeLessThanOrEqual(1);
		expect(items.filter((x: { outcome: string }) => x.outcome !== 'published')).toEqual([]);
	});

	test('the store and the outbox tell the same story: one post and one receipt each', async () => {
		await world.harness.stop();
		const receipts = await new OutboxPublisher({ outboxDir }).list();
		// demo: the crashed-then-resolved post; scheduled; and the gate's passing video (same account name, another campaign).
		expect(receipts.map((r) => r.accountId).sort()).toEqual(['demo', 'demo', 'scheduled']);
		expect(receipts.filter((r) => r.accountId === 'demo')).toHaveLength(2);
		await world.withStore(async (store, sql) => {
			const key = publishKey({ campaignId: seeded.campaignId, variantId: seeded.variantId, platform: 'outbox', accountId: 'demo' });
			const rows = await sql.rows<{ publication_status: string; platform_post_id: string; caption: string }>(
				'select publication_status, platform_post_id, caption from platform_posts where idempotency_key = $1',
				[key],
			);
			expect(rows).toHaveLength(1);
			expect(rows[0].publication_status).toBe('published');
			expect(receipts.filter((r) => r.accountId === 'demo').map((r) => r.postId)).toContain(rows[0].platform_post_id);
			expect(rows[0].caption.length).toBeGreaterThan(0);
			const scheduled = await store.getPost({ postId: scheduledPostId });
			expect(scheduled).toMatchObject({ publication_status: 'published', schedule: { status: 'published' } });
			const audit = await store.auditTrail(seeded.campaignId);
			const published = audit.filter((e) => e.entity === 'platform_post' && (e.new_state as { status?: string }).status === 'published');
			expect(published).toHaveLength(2);
			// The gate's reports: the media half per video, the caption per platform.
			const reports = await sql.rows<{ entity: string; entity_id: string | null; route: string; campaign_id: string }>('select entity, entity_id, route, campaign_id from safety_reports order by created_at');
			expect(reports.filter((r) => r.entity === 'video').map((r) => [r.entity_id, r.route])).toEqual(
				expect.arrayContaining([
					[gateOk.videoId, 'pass'],
					[gateSilent.videoId, 'human_review'],
				]),
			);
			expect(reports.filter((r) => r.entity === 'caption' && r.campaign_id === gateOk.campaignId).map((r) => r.route)).toEqual(['pass']);
		});
	}, 120_000);
});
