/**
 * Exactly one post. The same variant published to the same YouTube account ten times — sequential
 * retries, duplicate webhooks arriving at once, and a crash injected between the platform's success
 * and our commit — leaves exactly one video on the fake platform and one receipt in the store.
 */
import { randomBytes } from 'node:crypto';

import { publishOnce, publishKey, type PublishRequest } from '../../lib/broadcast/publish';
import { YouTubePublisher } from '../../lib/providers/publish/youtube';
import type { Publisher } from '../../lib/providers/publish/types';
import { testClip } from '../fakes/media-host';
import { startYouTubeFake, type YouTubeFake } from '../fakes/youtube';
import { seedCampaign, tempStore } from '../helpers/store';

const TOKEN = `ya29.test-${randomBytes(8).toString('hex')}`;
const FAST = { pollIntervalMs: 5, maxWaitMs: 5000, retryBaseDelayMs: 1, listingSettleSeconds: 0, timeoutMs: 5000 };
let t: Awaited<ReturnType<typeof tempStore>>;
let yt: YouTubeFake;
let clip: string;

beforeAll(async () => {
	t = await tempStore();
	yt = await startYouTubeFake({ token: TOKEN });
	clip = await testClip({ width: 360, height: 640, seconds: 3 });
}, 120_000);
afterAll(async () => {
	await yt.close();
	await t.close();
});

/** The real publisher, made to "crash" right after the platform accepted the upload. */
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

test('ten publishes of one variant to one account: one post on the platform, one receipt', async () => {
	const { campaign } = await seedCampaign(t.store, null);
	const variant = await t.store.createVariant({ campaign_id: campaign.campaign_id, variant_type: 'humorous' });
	const req: PublishRequest = {
		campaignId: campaign.campaign_id as string,
		variantId: variant.variant_id as string,
		platform: 'youtube',
		accountId: 'channel-1',
		videoPath: clip,
		caption: 'Morning routine, upgraded. #morning',
		hashtags: ['#morning'],
		title: 'Morning routine',
		aspectRatio: '9:16',
		durationSeconds: 3,
	};
	const publisher = new YouTubePublisher({ accessToken: TOKEN, baseUrl: yt.url, ...FAST });
	const before = yt.publishedCount();

	// 1: the platform accepts, then the process dies before our commit (lease 0: the next attempt may take over).
	const crashed = await publishOnce({ store: t.store, publisher: crashingAfterSuccess(publisher), owner: 'worker-a', leaseSeconds: 0 }, req);
	expect(crashed.outcome).toBe('unknown');
	expect(crashed.publication_status).toBe('unknown');
	expect(yt.publishedCount() - before).toBe(1);

	// 2: a retry asks the platform first, finds the post, records it: no second upload.
	const resolved = await publishOnce({ store: t.store, publisher, owner: 'worker-b' }, req);
	expect(resolved).toMatchObject({ outcome: 'published', publication_status: 'published' });

	// 3-5: duplicate webhooks at once; 6-10: plain retries.
	const dupes = await Promise.all([1, 2, 3].map((k) => publishOnce({ store: t.store, publisher, owner: `webhook-${k}` }, req)));
	const retries = [];
	for (let k = 0; k < 5; k++) retries.push(await publishOnce({ store: t.store, publisher, owner: `retry-${k}` }, req));
	for (const r of [...dupes, ...retries]) expect(r.outcome).toBe('already_published');

	expect(yt.publishedCount() - before).toBe(1);
	const rows = await t.transport.session.rows<{ publication_status: string; platform_post_id: string }>(
		'select publication_status, platform_post_id from platform_posts where idempotency_key = $1',
		[publishKey(req)],
	);
	expect(rows).toHaveLength(1);
	expect(rows[0].publication_status).toBe('published');
	expect(rows[0].platform_post_id).toBeTruthy();
	const audit = await t.store.auditTrail(campaign.campaign_id as string);
	expect(audit.filter((e) => e.entity === 'platform_post' && (e.new_state as { status: string }).status === 'published')).toHaveLength(1);
}, 120_000);

test('an expired token fails the attempt as known; after re-authorising, the retry publishes once', async () => {
	const { campaign } = await seedCampaign(t.store, null);
	const req: PublishRequest = { campaignId: campaign.campaign_id as string, platform: 'youtube', accountId: 'channel-2', videoPath: clip, caption: 'Second campaign', hashtags: [], title: 'Second' };
	const before = yt.publishedCount();
	const bad = new YouTubePublisher({ accessToken: 'ya29.expired', baseUrl: yt.url, ...FAST });
	const failed = await publishOnce({ store: t.store, publisher: bad, owner: 'w1' }, req);
	expect(failed).toMatchObject({ outcome: 'failed', publication_status: 'failed' });
	const ok = await publishOnce({ store: t.store, publisher: new YouTubePublisher({ accessToken: TOKEN, baseUrl: yt.url, ...FAST }), owner: 'w2' }, req);
	expect(ok.outcome).toBe('published');
	expect(yt.publishedCount() - before).toBe(1);
}, 60_000);
