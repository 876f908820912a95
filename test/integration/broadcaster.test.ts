/**
 * The Broadcaster's library on the embedded store with real media (ffmpeg) and the platform fakes:
 * the format per platform (a transcode that is needed, one that is not, a refusal), captions within
 * each platform's limit (local templates, an LLM fake, the fallback, metering), held and scheduled
 * posts, the due claim, status polling, and metrics flowing into the hook scoring's past performance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { broadcastVideo, checkStatus, fetchMetrics, publicMediaUrl, publishDue, publishPost, type BroadcastDeps, type PublisherTarget } from '../../lib/broadcast/broadcaster';
import { writePlatformCaption } from '../../lib/broadcast/captions';
import { createEmbeddingProvider, createModerationProvider } from '../../lib/providers/registry';
import { captionJudgeFor } from '../../lib/strategy/judge/service';
import { formatForPlatform } from '../../lib/broadcast/format';
import { probeMedia } from '../../lib/media/probe';
import { MeteredLlmProvider } from '../../lib/providers/metered';
import { FallbackLlmProvider } from '../../lib/providers/llm/fallback';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { OpenAiLlmProvider } from '../../lib/providers/llm/openai';
import { OutboxPublisher } from '../../lib/providers/publish/outbox';
import { createPublisher } from '../../lib/providers/publish/registry';
import { PLATFORM_SPECS, composePostText, type Publisher } from '../../lib/providers/publish/types';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai';
import { startInstagramFake } from '../fakes/instagram';
import { startTikTokFake, type TikTokFake } from '../fakes/tiktok';
import { renderClip, seedVideo, type SeededVideo } from '../helpers/broadcast';
import { tempStore } from '../helpers/store';

jest.setTimeout(180_000);

const KEY = `sk-test-${randomBytes(8).toString('hex')}`;
const TIKTOK_TOKEN = `act.${randomBytes(8).toString('hex')}`;
let t: Awaited<ReturnType<typeof tempStore>>;
let dir: string;
let openai: OpenAiFake;
let tiktok: TikTokFake;
let seeded: SeededVideo;
const local = new LocalLlmProvider();

beforeAll(async () => {
	t = await tempStore();
	dir = mkdtempSync(join(tmpdir(), 'bi-broadcast-'));
	openai = await startOpenAiFake({ apiKey: KEY });
	tiktok = await startTikTokFake({ token: TIKTOK_TOKEN, processingPolls: 3 });
	seeded = await seedVideo(t.store, dir);
});
afterAll(async () => {
	await openai?.close();
	await tiktok?.close();
	await t?.close();
	rmSync(dir, { recursive: true, force: true });
});

const outboxDir = () => join(dir, 'outbox');
function deps(extra: Partial<BroadcastDeps> = {}): BroadcastDeps {
	return {
		store: t.store,
		owner: `test-${randomBytes(3).toString('hex')}`,
		mediaDir: join(dir, 'media'),
		llm: local,
		publisherFor: (target: PublisherTarget) =>
			createPublisher({ platform: target.platform, outboxDir: outboxDir(), emulate: target.emulate, specOverrides: target.specOverrides }),
		...extra,
	};
}
const sql = <T>(text: string, params: unknown[] = []) => t.transport.session.rows<T>(text, params);

describe('format per platform', () => {
	test('an output that fits is used as it is; each platform gets its aspect', async () => {
		const assets = Object.entries(seeded.outputs).map(([aspect, path]) => ({ path, aspect }));
		const tk = await formatForPlatform({ platform: 'tiktok' }, assets, { mediaDir: join(dir, 'media') });
		expect(tk).toMatchObject({ transcoded: false, path: seeded.outputs['9:16'], aspectRatio: '9:16' });
		const li = await formatForPlatform({ platform: 'linkedin' }, assets, { mediaDir: join(dir, 'media') });
		expect(li).toMatchObject({ transcoded: false, path: seeded.outputs['16:9'], aspectRatio: '16:9' });
		const long = await formatForPlatform({ platform: 'youtube', youtubeFormat: 'long' }, assets, { mediaDir: join(dir, 'media') });
		expect(long).toMatchObject({ transcoded: false, path: seeded.outputs['16:9'] });
	});

	test('a codec Instagram refuses is transcoded to H.264; a landscape-only source is cropped for TikTok', async () => {
		const mpeg4 = await renderClip(join(dir, 'mpeg4-9x16.mp4'), { width: 360, height: 640, seconds: 4, videoCodec: 'mpeg4' });
		expect((await probeMedia(mpeg4)).videoCodec).toBe('mpeg4');
		const ig = await formatForPlatform({ platform: 'instagram' }, [{ path: mpeg4 }], { mediaDir: join(dir, 'media') });
		expect(ig.transcoded).toBe(true);
		expect(ig.path).not.toBe(mpeg4);
		expect(ig.reasons.join(' ')).toMatch(/codec/);
		const probe = await probeMedia(ig.path);
		expect([probe.videoCodec, probe.audioCodec, probe.width, probe.height]).toEqual(['h264', 'aac', 360, 640]);
		// The same source and plan again: the transcode is reused, not redone.
		const again = await formatForPlatform({ platform: 'instagram' }, [{ path: mpeg4 }], { mediaDir: join(dir, 'media') });
		expect(again).toMatchObject({ path: ig.path, transcoded: true, reused: true });

		const wide = await formatForPlatform({ platform: 'tiktok' }, [{ path: seeded.outputs['16:9'], aspect: '16:9' }], { mediaDir: join(dir, 'media') });
		expect(wide.transcoded).toBe(true);
		expect(wide.reasons.join(' ')).toMatch(/aspect/);
		const w = await probeMedia(wide.path);
		expect(w.width / w.height).toBeCloseTo(9 / 16, 1);
	});

	test('what no transcode fixes is refused naming the field', async () => {
		const long = await renderClip(join(dir, 'long-181s.mp4'), { width: 360, height: 640, seconds: 181, fps: 2, audio: false });
		await expect(formatForPlatform({ platform: 'youtube' }, [{ path: long }], { mediaDir: join(dir, 'media') })).rejects.toMatchObject({
			field: 'duration',
			message: expect.stringMatching(/over YouTube Shorts's maximum 180 s/),
		});
	});
});

describe('captions per platform', () => {
	const script = { hook: { text: 'Your morning run deserves better shoes.' }, voiceover_full_text: 'Light, springy and made for city streets.', variant_tag: 'emotional' };

	test('local templates: each platform within its limit, provider "local"', async () => {
		for (const platform of ['tiktok', 'instagram', 'youtube', 'linkedin'] as const) {
			const c = await writePlatformCaption({ llm: local, target: { platform }, script, hashtags: ['running shoes'] });
			expect(c.provider).toBe('local');
			expect(c.captionPlatform).toBe(platform);
			expect(c.hashtags[0]).toBe('#runningshoes');
			expect(c.length).toBeLessThanOrEqual(PLATFORM_SPECS[platform].caption.maxLength);
			if (platform === 'youtube') expect(c.title!.length).toBeLessThanOrEqual(100);
		}
	});

	test('an LLM that overshoots is fitted to the limit as each platform counts it; the call is metered', async () => {
		// LinkedIn escapes its reserved characters: 2,900 of them become 5,800 characters.
		const linkedin = `${'(a) '.repeat(725)}`.trim();
		const tiktokText = `${'Run 🏃 '.repeat(400)}`.trim();
		openai.replyWith(
			{ content: { caption: linkedin, hashtags: ['#Running', '#Shoes'] }, usage: { prompt_tokens: 900, completion_tokens: 700 } },
			{ content: { caption: tiktokText, hashtags: ['#run'] }, usage: { prompt_tokens: 900, completion_tokens: 700 } },
		);
		const llm = new MeteredLlmProvider(new OpenAiLlmProvider({ apiKey: KEY, baseURL: openai.baseURL, model: 'gpt-4o-mini' }), {
			store: t.store,
			campaignId: seeded.campaignId,
			pillar: 'broadcaster',
			refPrefix: `caption-${randomBytes(3).toString('hex')}`,
		});
		const li = await writePlatformCaption({ llm, target: { platform: 'linkedin' }, script });
		expect(li.provider).toBe('openai');
		expect(li.length).toBeLessThanOrEqual(3000);
		expect(composePostText('linkedin', { caption: li.caption, hashtags: li.hashtags, idempotencyKey: 'k' }).text).toBe(li.text);
		expect(li.trimmed.length).toBeGreaterThan(0);
		const tk = await writePlatformCaption({ llm, target: { platform: 'tiktok' }, script });
		expect(tk.length).toBeLessThanOrEqual(2200);
		expect(tk.unit).toBe('utf16');
		const prompt = JSON.stringify(openai.chatRequests().at(-1)!.body);
		expect(prompt).toMatch(/casual, playful/);
		const [ledger] = await sql<{ n: number }>("select count(*)::int as n from cost_ledger where campaign_id = $1 and pillar = 'broadcaster'", [seeded.campaignId]);
		expect(ledger.n).toBe(2);
	});

	test('the LLM down: the local templates answer and say so', async () => {
		openai.setFault({ kind: 'server_error', status: 503 }, 10);
		const llm = new FallbackLlmProvider(new OpenAiLlmProvider({ apiKey: KEY, baseURL: openai.baseURL, maxRetries: 0 }), local, { allowLocalFallback: true });
		const c = await writePlatformCaption({ llm, target: { platform: 'instagram' }, script });
		openai.clearFaults();
		expect(c).toMatchObject({ provider: 'local', fallbackFrom: 'openai' });
		expect(c.length).toBeLessThanOrEqual(2200);
	});
});

describe('publish, hold, schedule', () => {
	test('publish now to the outbox as TikTok: one post, caption stored on the row; a retry changes nothing', async () => {
		const target = { platform: 'outbox' as const, emulate: 'tiktok' as const, accountId: 'demo' };
		const [first] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target] });
		expect(first.outcome).toBe('published');
		expect(first.post).toMatchObject({ publication_status: 'published', platform: 'outbox', caption: first.caption!.caption, video_id: seeded.videoId, formatted_video_url: seeded.outputs['9:16'] });
		const [again] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target] });
		expect(again.outcome).toBe('already_published');
		expect(again.caption).toBeUndefined();
		expect((await new OutboxPublisher({ outboxDir: outboxDir() }).list()).filter((r) => r.accountId === 'demo')).toHaveLength(1);
	});

	test('held for a person: nothing is published until an approval on the post; then publishPost publishes it once', async () => {
		const target = { platform: 'outbox' as const, emulate: 'instagram' as const, accountId: 'held' };
		const [held] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target], gate: 'human_review' });
		expect(held.outcome).toBe('held_for_review');
		expect(held.post).toMatchObject({ publication_status: 'scheduled', requires_approval: true });
		const postId = held.post.post_id as string;
		// A retry and a direct publish both still hold.
		expect((await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target] }))[0].outcome).toBe('held_for_review');
		expect((await publishPost(deps(), postId)).outcome).toBe('held_for_review');
		const token = randomBytes(16).toString('hex');
		const hash = createHash('sha256').update(token).digest('hex');
		const approval = await t.store.createApproval({ entity: 'platform_post', entity_id: postId, token_hash: hash, expires_at: new Date(Date.now() + 3600_000).toISOString() });
		expect((await publishPost(deps(), postId)).outcome).toBe('held_for_review');
		const decided = await t.store.decideApproval(approval.approval_id as string, hash, 'approved', 'reviewer');
		expect(decided).toMatchObject({ next_pillar: 'broadcaster', entity_status: 'scheduled' });
		const done = await publishPost(deps(), postId);
		expect(done).toMatchObject({ outcome: 'published', post: { publication_status: 'published' } });
		expect((await publishPost(deps(), postId)).outcome).toBe('already_published');
		expect((await new OutboxPublisher({ outboxDir: outboxDir() }).list()).filter((r) => r.accountId === 'held')).toHaveLength(1);
	});

	test('a rejected post is cancelled and never published', async () => {
		const target = { platform: 'outbox' as const, accountId: 'rejected' };
		const [held] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target], gate: 'human_review' });
		const hash = createHash('sha256').update(randomBytes(8)).digest('hex');
		const approval = await t.store.createApproval({ entity: 'platform_post', entity_id: held.post.post_id as string, token_hash: hash, expires_at: new Date(Date.now() + 3600_000).toISOString() });
		await t.store.decideApproval(approval.approval_id as string, hash, 'rejected', 'reviewer', 'off-brand');
		expect((await publishPost(deps(), held.post.post_id as string)).outcome).toBe('cancelled');
		await expect(broadcastVideo(deps(), { videoId: seeded.videoId, targets: [target], gate: 'reject' })).rejects.toMatchObject({ field: 'gate' });
		expect((await new OutboxPublisher({ outboxDir: outboxDir() }).list()).filter((r) => r.accountId === 'rejected')).toHaveLength(0);
	});

	test('the publish gate judges each caption: a clean one publishes, one with a restricted word is held for a person', async () => {
		const judge = captionJudgeFor({ store: t.store, embedder: createEmbeddingProvider({ provider: 'local' }), moderation: createModerationProvider({ provider: 'local' })! });
		const clean = { platform: 'outbox' as const, emulate: 'tiktok' as const, accountId: 'judged-clean' };
		const [ok] = await broadcastVideo(deps({ judgeCaption: judge }), { videoId: seeded.videoId, targets: [clean], caption: { caption: 'Light, springy shoes for your morning run.' } });
		expect(ok.outcome).toBe('published');
		expect(ok.caption_judgement).toMatchObject({ route: 'pass' });
		const dirty = { platform: 'outbox' as const, emulate: 'tiktok' as const, accountId: 'judged-dirty' };
		const [held] = await broadcastVideo(deps({ judgeCaption: judge }), { videoId: seeded.videoId, targets: [dirty], caption: { caption: 'The cheap shoe everyone runs in.' } });
		expect(held.outcome).toBe('held_for_review');
		expect(held.caption_judgement!.route).toBe('reject');
		expect(held.caption_judgement!.reasons.join(' ')).toMatch(/cheap/);
		expect(held.post).toMatchObject({ publication_status: 'scheduled', requires_approval: true });
		// The reports are stored against the campaign, one per judged caption.
		const reports = await sql<{ route: string }>("select route from safety_reports where entity = 'caption' and campaign_id = $1 order by created_at", [seeded.campaignId]);
		expect(reports.map((r) => r.route)).toEqual(['pass', 'reject']);
		expect((await new OutboxPublisher({ outboxDir: outboxDir() }).list()).filter((r) => r.accountId === 'judged-dirty')).toHaveLength(0);
	});

	test('Instagram pulls the video from the Public Media URL: the media folder served over http, the reel published once', async () => {
		// A web server over the media folder, as a user would put one (or a CDN) in front of it.
		const server = createServer((req, res) => {
			const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/media\//, '');
			const file = join(dir, rel);
			if (rel.split('/').includes('..') || !existsSync(file)) {
				res.writeHead(404).end();
				return;
			}
			res.writeHead(200, { 'content-type': 'video/mp4' });
			createReadStream(file).pipe(res);
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/media`;
		const ig = await startInstagramFake({ token: 'IGQ-test-token', igUserId: '17841400000000009', processingPolls: 1 });
		try {
			const publisherFor = () => createPublisher({ platform: 'instagram', accessToken: 'IGQ-test-token', baseUrl: ig.graphUrl, igUserId: '17841400000000009', pollIntervalMs: 10 });
			const target = { platform: 'instagram' as const, accountId: 'ig-main' };
			// Without the URL Instagram cannot fetch the file: refused before any request, nothing posted.
			await expect(broadcastVideo(deps({ publisherFor }), { videoId: seeded.videoId, targets: [{ ...target, accountId: 'ig-none' }] })).rejects.toMatchObject({ field: 'videoUrl' });
			const [reel] = await broadcastVideo(deps({ publisherFor, publicUrlOf: publicMediaUrl(base, dir) }), { videoId: seeded.videoId, targets: [target] });
			expect(reel).toMatchObject({ outcome: 'published', post: { publication_status: 'published', platform: 'instagram' } });
			const containers = [...ig.containers.values()];
			expect(containers).toHaveLength(1);
			expect(containers[0].videoUrl.startsWith(`${base}/videos/`)).toBe(true);
			expect(containers[0].statusCode).toBe('PUBLISHED');
			expect((await broadcastVideo(deps({ publisherFor, publicUrlOf: publicMediaUrl(base, dir) }), { videoId: seeded.videoId, targets: [target] }))[0].outcome).toBe('already_published');
			expect(ig.containers.size).toBe(1);
			// A file outside the served folder has no URL; a base that is not http(s) is refused.
			expect(publicMediaUrl(base, join(dir, 'media'))(seeded.outputs['9:16'])).toBeUndefined();
			expect(() => publicMediaUrl('ftp://x', dir)).toThrow(expect.objectContaining({ field: 'public_media_url' }));
		} finally {
			await ig.close();
			server.close();
		}
	});

	test('scheduled: waits until due; Publish Due publishes it once; a second run finds nothing', async () => {
		const later = { platform: 'outbox' as const, accountId: 'later' };
		const soon = { platform: 'outbox' as const, accountId: 'soon' };
		const [l] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [later], scheduleAt: new Date(Date.now() + 3600_000) });
		// An hour ahead, then made due below: a loaded machine must not make the retry check race the clock.
		const [s] = await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [soon], scheduleAt: new Date(Date.now() + 3600_000) });
		expect([l.outcome, s.outcome]).toEqual(['scheduled', 'scheduled']);
		// A webhook retry before the time does not publish early.
		expect((await broadcastVideo(deps(), { videoId: seeded.videoId, targets: [soon] }))[0].outcome).toBe('scheduled');
		await sql(`update scheduled_posts set scheduled_time = now() - interval '1 second' where platform_post_id = $1`, [s.post.post_id]);
		const run1 = await publishDue(deps(), { worker: 'cron-1' });
		expect(run1.map((r) => [r.post.account_id, r.outcome])).toEqual([['soon', 'published']]);
		expect(await publishDue(deps(), { worker: 'cron-2' })).toEqual([]);
		const [sched] = await sql<{ status: string }>('select status from scheduled_posts where platform_post_id = $1', [s.post.post_id]);
		expect(sched.status).toBe('published');
		const accounts = (await new OutboxPublisher({ outboxDir: outboxDir() }).list()).map((r) => r.accountId);
		expect(accounts.filter((a) => a === 'soon')).toHaveLength(1);
		expect(accounts).not.toContain('later');
	});
});

describe('status polling and metrics', () => {
	const FAST = { pollIntervalMs: 1, maxWaitMs: 0, retryBaseDelayMs: 1, listingSettleSeconds: 0, timeoutMs: 5000 };
	const tiktokDeps = () =>
		deps({
			publisherFor: (target): Publisher =>
				target.platform === 'tiktok'
					? createPublisher({ platform: 'tiktok', accessToken: TIKTOK_TOKEN, baseUrl: tiktok.url, ...FAST })
					: createPublisher({ platform: target.platform, outboxDir: outboxDir(), emulate: target.emulate }),
		});

	test('TikTok still processing after the upload: Check Status brings the receipt to published with the post id', async () => {
		const [r] = await broadcastVideo(tiktokDeps(), { videoId: seeded.videoId, targets: [{ platform: 'tiktok', accountId: 'creator' }] });
		expect(r.outcome).toBe('published');
		expect(r.post).toMatchObject({ platform_state: 'processing', platform_post_id: null });
		expect(String(r.post.publish_ref)).toMatch(/^v_pub_file~/);
		let state = 'processing';
		for (let k = 0; k < 6 && state === 'processing'; k++) {
			const checks = await checkStatus(tiktokDeps(), { platforms: ['tiktok'] });
			expect(checks).toHaveLength(1);
			state = checks[0].state!;
		}
		expect(state).toBe('published');
		const [row] = await sql<{ platform_state: string; platform_post_id: string }>('select platform_state, platform_post_id from platform_posts where post_id = $1', [r.post.post_id]);
		expect(row.platform_state).toBe('published');
		expect(row.platform_post_id).toMatch(/^\d{19}$/);
		expect(await checkStatus(tiktokDeps(), { platforms: ['tiktok'] })).toEqual([]);
		expect(tiktok.publishedCount()).toBe(1);
	});

	test('metrics: engagement_metrics snapshots, the post and variant numbers, and hook scoring sees the engagement rate', async () => {
		const own = await seedVideo(t.store, dir, { name: 'Loop' });
		const [r] = await broadcastVideo(deps(), { videoId: own.videoId, targets: [{ platform: 'outbox', accountId: 'loop' }] });
		const outbox = new OutboxPublisher({ outboxDir: outboxDir() });
		await outbox.recordMetrics(r.post.platform_post_id as string, { views: 1000, likes: 60, shares: 10, comments: 30 });
		expect(await t.store.bestPastHooks(own.brandId)).toEqual([]);
		const results = await fetchMetrics(deps(), { campaignId: own.campaignId });
		expect(results).toHaveLength(1);
		expect(results[0]).toMatchObject({ snapshot: { views: 1000, likes: 60, shares: 10, comments: 30 }, performance_metrics: { engagement_rate: 0.1, engagements: 100 } });
		const metricRows = await sql<{ metric_type: string; value: number }>('select metric_type, value from engagement_metrics where platform_post_id = $1 order by metric_type', [r.post.post_id]);
		expect(metricRows).toEqual([
			{ metric_type: 'comments', value: 30 },
			{ metric_type: 'likes', value: 60 },
			{ metric_type: 'shares', value: 10 },
			{ metric_type: 'views', value: 1000 },
		]);
		const [v] = await sql<{ performance_metrics: { engagement_rate: number } }>('select performance_metrics from variants where variant_id = $1', [own.variantId]);
		expect(v.performance_metrics.engagement_rate).toBe(0.1);
		expect(await t.store.bestPastHooks(own.brandId)).toEqual([{ text: own.hookText, hook_type: 'statement', engagement_rate: 0.1 }]);
		// A later snapshot replaces the rate (the latest counters count), and the report agrees.
		await outbox.recordMetrics(r.post.platform_post_id as string, { views: 2000, likes: 100, shares: 20, comments: 40 });
		await fetchMetrics(deps(), { campaignId: own.campaignId });
		expect((await t.store.bestPastHooks(own.brandId))[0].engagement_rate).toBe(0.08);
		const engagement = await t.store.variantEngagement(own.campaignId);
		expect((engagement.variants as { engagement_rate: number }[])[0].engagement_rate).toBe(0.08);
		expect(existsSync(r.post.formatted_video_url as string)).toBe(true);
	});
});
