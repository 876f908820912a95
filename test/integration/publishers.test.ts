/**
 * The publishers against their loopback fakes, through their normal base-URL settings, with real
 * mp4 files (ffmpeg) streamed to the fakes byte for byte: the happy path, an expired token, 429 and
 * 5xx, an upload broken mid-way (YouTube resumes from the byte the server reports; TikTok and
 * LinkedIn send the part again), a processing failure on the platform, an answer lost after the
 * platform acted (never a second post), the spec checks that refuse a file before any request,
 * the outbox's idempotency, and `findExisting` finding a post accepted before a simulated crash.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValidationError } from '../../lib/domain/errors';
import type { MediaInfo } from '../../lib/media/probe';
import { ProviderCallError } from '../../lib/providers/llm/openai';
import { BlotatoPublisher } from '../../lib/providers/publish/blotato';
import { InstagramPublisher } from '../../lib/providers/publish/instagram';
import { LinkedInPublisher } from '../../lib/providers/publish/linkedin';
import { OutboxPublisher, outboxPostId } from '../../lib/providers/publish/outbox';
import { createPublisher } from '../../lib/providers/publish/registry';
import { planTikTokChunks, TikTokPublisher } from '../../lib/providers/publish/tiktok';
import {
	captionFingerprint,
	checkSpecs,
	composePostText,
	idempotencyMarker,
	PLATFORM_SPECS,
	PublishFailedError,
	PublishUnverifiableError,
	quoteLongIntegers,
	type PublishCheckpoint,
	type PublishPost,
	type Publisher,
} from '../../lib/providers/publish/types';
import { YouTubePublisher } from '../../lib/providers/publish/youtube';
import { startBlotatoFake, type BlotatoFake } from '../fakes/blotato';
import { startInstagramFake, type InstagramFake } from '../fakes/instagram';
import { startLinkedInFake, type LinkedInFake } from '../fakes/linkedin';
import { testClip, testImage } from '../fakes/media-host';
import { startTikTokFake, type TikTokFake } from '../fakes/tiktok';
import { startYouTubeFake, type YouTubeFake } from '../fakes/youtube';

jest.setTimeout(60_000);

const MB = 1024 * 1024;
const token = (p: string) => `${p}-test-${randomBytes(12).toString('hex')}`;
/** Fast polls and retries; a listing miss counts at once (the settle test sets its own). */
const FAST = { pollIntervalMs: 5, maxWaitMs: 5000, retryBaseDelayMs: 1, listingSettleSeconds: 0, timeoutMs: 5000 };

let dir: string;
let vertical: string; // 360x640, 3 s, H.264 + AAC, ~0.7 MB
let landscape: string; // 640x360
let longVertical: string; // 72x128, 181 s
let big: string; // 360x640, 3 s, ~11 MB (CBR): two TikTok chunks

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'bi-publish-'));
	vertical = await testClip({ width: 360, height: 640, seconds: 3 });
	landscape = await testClip({ width: 640, height: 360, seconds: 3 });
	longVertical = await testClip({ width: 72, height: 128, seconds: 181, fps: 1, audio: false });
	big = join(dir, 'big.mp4');
	execFileSync('ffmpeg', [
		'-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=360x640:r=24', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3',
		'-c:v', 'libx264', '-preset', 'ultrafast', '-x264-params', 'nal-hrd=cbr', '-b:v', '30M', '-minrate', '30M', '-maxrate', '30M', '-bufsize', '2M',
		'-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '48k', '-movflags', '+faststart', big,
	]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fileSha = (path: string) => sha(readFileSync(path));

let n = 0;
function postFor(videoPath: string, extra: Partial<PublishPost> = {}): PublishPost {
	n++;
	return {
		idempotencyKey: `variant-${n}:${randomBytes(4).toString('hex')}:account-1`,
		videoPath,
		mimeType: 'video/mp4',
		sizeBytes: statSync(videoPath).size,
		caption: `Morning routine, upgraded (${n}-${randomBytes(3).toString('hex')}). Try it (free) today!`,
		hashtags: ['#morning', 'routine'],
		...extra,
	};
}

/** Stores checkpoints like a caller would; `crashAt` throws instead of storing that stage (a crash before the commit). */
function recorder(crashAt?: PublishCheckpoint['stage']) {
	const stored: PublishCheckpoint[] = [];
	return {
		stored,
		last: () => stored[stored.length - 1],
		onCheckpoint: (cp: PublishCheckpoint) => {
			if (cp.stage === crashAt) throw new Error(`simulated crash at ${cp.stage}`);
			stored.push(cp);
		},
	};
}

async function rejection<T>(p: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(cls);
		return err as T;
	}
	throw new Error('expected a rejection');
}

function expectReauthorise(err: ProviderCallError, platformLabel: RegExp) {
	expect(err.status).toBe(401);
	expect(err.outcomeKnown).toBe(true);
	expect(err.kind).toBe('auth');
	expect(err.message).toMatch(/re-authorise/);
	expect(err.message).toMatch(platformLabel);
}

// ---------------------------------------------------------------------------------------- specs

describe('platform specs', () => {
	const probe = (p: Partial<MediaInfo>): MediaInfo => ({
		durationSeconds: 15,
		width: 1080,
		height: 1920,
		videoCodec: 'h264',
		audioCodec: 'aac',
		hasVideo: true,
		hasAudio: true,
		frameRate: 30,
		videoDurationSeconds: 15,
		pixelFormat: 'yuv420p',
		formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
		sizeBytes: 5 * MB,
		...p,
	});
	const field = (fn: () => void) => {
		try {
			fn();
		} catch (err) {
			expect(err).toBeInstanceOf(ValidationError);
			return { field: (err as ValidationError).field, message: (err as Error).message };
		}
		throw new Error('expected a ValidationError');
	};

	it('passes a 9:16 H.264 clip on every platform and names each failing spec', () => {
		for (const platform of ['tiktok', 'instagram', 'youtube', 'linkedin', 'outbox'] as const) {
			expect(() => checkSpecs(platform, probe({}), 5 * MB, 'A caption #tag')).not.toThrow();
		}
		expect(field(() => checkSpecs('tiktok', probe({ width: 1920, height: 1080 }), 5 * MB, 'x'))).toEqual({
			field: 'aspect',
			message: expect.stringMatching(/TikTok.*aspect 16:9 \(1920x1080\).*9:16 recommended/),
		});
		expect(field(() => checkSpecs('youtube', probe({ durationSeconds: 240 }), 5 * MB, 'x')).field).toBe('duration');
		expect(field(() => checkSpecs('linkedin', probe({}), 600 * MB, 'x')).message).toMatch(/size 600\.0 MB is over LinkedIn's 500\.0 MB/);
		expect(field(() => checkSpecs('instagram', probe({ videoCodec: 'mpeg4' }), 5 * MB, 'x'))).toEqual({ field: 'codec', message: expect.stringMatching(/mpeg4/) });
		expect(field(() => checkSpecs('instagram', probe({}), 5 * MB, 'y'.repeat(2201))).field).toBe('caption');
		expect(field(() => checkSpecs('instagram', probe({}), 5 * MB, Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' '))).field).toBe('hashtags');
		expect(field(() => checkSpecs('tiktok', probe({ frameRate: 15 }), 5 * MB, 'x')).field).toBe('frame_rate');
		expect(field(() => checkSpecs('linkedin', probe({ width: 1200, height: 400 }), 5 * MB, 'x')).field).toBe('aspect');
		// Every problem is listed, the first names the field.
		const many = field(() => checkSpecs('tiktok', probe({ width: 1920, height: 1080, durationSeconds: 700 }), 5 * 1024 * MB, 'x'));
		expect(many.field).toBe('aspect');
		expect(many.message).toMatch(/aspect.*duration.*size/);
		// YouTube: the title from the caption, no "<" or ">", description in bytes.
		const yt = composePostText('youtube', { idempotencyKey: 'k', caption: 'Title <here>\nmore', hashtags: [] });
		expect(yt.title).toBe('Title here');
		expect(yt.tags).toContain(idempotencyMarker('k'));
		expect(field(() => checkSpecs('youtube', probe({}), 5 * MB, yt)).field).toBe('caption');
		expect(field(() => checkSpecs('youtube', probe({}), 5 * MB, { text: 'ok', title: '', hashtags: [], tags: [] })).field).toBe('title');
	});

	it('TikTok chunk plans follow the chunk rules', () => {
		expect(planTikTokChunks(3 * MB)).toMatchObject({ chunkSize: 3 * MB, totalChunkCount: 1 });
		expect(planTikTokChunks(11 * MB, 5 * MB)).toEqual({ chunkSize: 5 * MB, totalChunkCount: 2, ranges: [[0, 5 * MB - 1], [5 * MB, 11 * MB - 1]] });
		expect(planTikTokChunks(40 * MB)).toMatchObject({ chunkSize: 10 * MB, totalChunkCount: 4 });
		expect(planTikTokChunks(8 * MB, 10 * MB)).toMatchObject({ chunkSize: 8 * MB, totalChunkCount: 1 });
		const over64 = planTikTokChunks(70 * MB, 64 * MB);
		expect(over64.totalChunkCount).toBeGreaterThanOrEqual(2);
		for (const size of [5 * MB, 5 * MB + 1, 64 * MB, 64 * MB + 1, 200 * MB + 17, 4096 * MB]) {
			const plan = planTikTokChunks(size, 7 * MB);
			expect(plan.totalChunkCount).toBe(Math.floor(size / plan.chunkSize));
			expect(plan.chunkSize).toBeGreaterThanOrEqual(5 * MB);
			expect(plan.chunkSize).toBeLessThanOrEqual(64 * MB);
			expect(plan.ranges[plan.ranges.length - 1][1]).toBe(size - 1);
			expect(plan.ranges[plan.ranges.length - 1][1] - plan.ranges[plan.ranges.length - 1][0] + 1).toBeLessThanOrEqual(128 * MB);
			if (size > 64 * MB) expect(plan.totalChunkCount).toBeGreaterThanOrEqual(2);
		}
	});

	it('keeps 19-digit ids exact and LinkedIn commentary in little text', () => {
		expect(JSON.parse(quoteLongIntegers('{"ids":[7312345678901234567],"n":5,"s":"a: 1234567890123456789, b"}'))).toEqual({
			ids: ['7312345678901234567'],
			n: 5,
			s: 'a: 1234567890123456789, b',
		});
		const li = composePostText('linkedin', { idempotencyKey: 'k', caption: 'New (free) drop_2 @ 9am #1', hashtags: ['#Launch'] });
		expect(li.text).toBe('New \\(free\\) drop\\_2 \\@ 9am \\#1\n\n{hashtag|\\#|Launch}');
	});
});

// ---------------------------------------------------------------------------------------- YouTube

describe('YouTube', () => {
	const TOKEN = token('ya29');
	let yt: YouTubeFake;
	const pub = (extra: Partial<ConstructorParameters<typeof YouTubePublisher>[0]> = {}) =>
		new YouTubePublisher({ accessToken: TOKEN, baseUrl: yt.url, chunkSizeBytes: 256 * 1024, ...FAST, ...extra });
	beforeAll(async () => {
		yt = await startYouTubeFake({ token: TOKEN });
	});
	afterAll(() => yt.close());
	afterEach(() => yt.clearFaults());

	it('uploads in 256 KiB chunks through a resumable session and waits for processing', async () => {
		const rec = recorder();
		const thumb = join(dir, 'yt-thumb.png');
		writeFileSync(thumb, await testImage(90, 160));
		const post = postFor(vertical, { title: 'Morning routine', thumbnailPath: thumb });
		const before = yt.publishedCount();
		const res = await pub().publish(post, { onCheckpoint: rec.onCheckpoint });
		expect(res).toMatchObject({ platform: 'youtube', status: 'published', url: `https://www.youtube.com/shorts/${res.platformPostId}`, marker: idempotencyMarker(post.idempotencyKey) });
		expect(yt.publishedCount()).toBe(before + 1);
		const video = yt.videos.get(res.ref)!;
		expect(sha(video.bytes)).toBe(fileSha(vertical));
		expect(video.snippet.title).toBe('Morning routine');
		expect(video.snippet.description).toMatch(/#morning #routine$/);
		expect(video.snippet.tags).toEqual(['morning', 'routine', idempotencyMarker(post.idempotencyKey)]);
		expect(video.status.containsSyntheticMedia).toBe(true);
		expect(sha(video.thumbnail!)).toBe(fileSha(thumb));
		expect(yt.requests.find((r) => r.url.pathname.endsWith('/thumbnails/set'))!.headers['content-type']).toBe('image/png');
		const puts = yt.requests.filter((r) => r.method === 'PUT');
		const size = post.sizeBytes;
		expect(puts.map((r) => r.headers['content-range'])).toEqual([`bytes 0-262143/${size}`, `bytes 262144-524287/${size}`, `bytes 524288-${size - 1}/${size}`]);
		expect(rec.stored.map((c) => c.stage)).toEqual(['prepared', 'publishing', 'accepted']);
		expect(rec.stored[1].handles.sessionUri).toMatch(/upload_id=/);
		yt.setStatistics(res.ref, { views: 120, likes: 9, comments: 2 });
		await expect(pub().metrics(res.ref)).resolves.toMatchObject({ views: 120, likes: 9, comments: 2, shares: null });
	});

	it('resumes a broken upload from the byte the server reports', async () => {
		const post = postFor(vertical);
		const mark = yt.requests.length;
		yt.fail({ kind: 'drop_mid_body', afterBytes: 100_000 }, { method: 'PUT', when: (r) => String(r.headers['content-range']).startsWith('bytes 262144-') });
		const before = yt.publishedCount();
		const res = await pub().publish(post);
		expect(yt.publishedCount()).toBe(before + 1);
		expect(sha(yt.videos.get(res.ref)!.bytes)).toBe(fileSha(vertical));
		const ranges = yt.requests.slice(mark).filter((r) => r.method === 'PUT').map((r) => String(r.headers['content-range']));
		// The broken chunk, then the question, then the upload continues at 262144 + 100000.
		expect(ranges).toEqual([`bytes 0-262143/${post.sizeBytes}`, `bytes 262144-524287/${post.sizeBytes}`, `bytes */${post.sizeBytes}`, `bytes 362144-624287/${post.sizeBytes}`, `bytes 624288-${post.sizeBytes - 1}/${post.sizeBytes}`]);
	});

	it('finds the video complete when the last chunk’s answer is lost, and restarts an expired session', async () => {
		const post = postFor(vertical);
		const last = `bytes 524288-`;
		yt.fail({ kind: 'drop_after' }, { method: 'PUT', when: (r) => String(r.headers['content-range']).startsWith(last) });
		const before = yt.publishedCount();
		const res = await pub().publish(post);
		expect(yt.publishedCount()).toBe(before + 1);
		expect(res.status).toBe('published');

		// The session expires mid-upload: a new session uploads everything; still one video.
		const post2 = postFor(vertical);
		const sessionsBefore = yt.sessions.size;
		yt.fail(
			{ kind: 'drop_before' },
			{
				method: 'PUT',
				when: (r) => {
					if (!String(r.headers['content-range']).startsWith('bytes 262144-')) return false;
					yt.expireSession(`http://x${r.path}`);
					return true;
				},
			},
		);
		const res2 = await pub().publish(post2);
		expect(yt.sessions.size).toBe(sessionsBefore + 2);
		expect(res2.notes.join(' ')).toMatch(/restarted/);
		expect(yt.publishedCount()).toBe(before + 2);
		expect(sha(yt.videos.get(res2.ref)!.bytes)).toBe(fileSha(vertical));
	});

	it('retries 429 and 5xx, and refuses an expired token with "re-authorise"', async () => {
		const mark = yt.requests.length;
		yt.fail({ kind: 'rate_limit', retryAfter: '0' }, { method: 'POST', path: 'uploadType=resumable' });
		yt.fail({ kind: 'server_error', status: 503 }, { method: 'PUT', when: (r) => String(r.headers['content-range']).startsWith('bytes 0-') });
		const res = await pub().publish(postFor(vertical));
		expect(res.status).toBe('published');
		const log = yt.requests.slice(mark);
		expect(log.filter((r) => r.method === 'POST' && r.path.includes('uploadType=resumable')).map((r) => r.status)).toEqual([429, 200]);
		expect(log.some((r) => r.status === 503)).toBe(true);

		const expired = await startYouTubeFake({ token: TOKEN });
		try {
			expired.expireToken();
			const err = await rejection(new YouTubePublisher({ accessToken: TOKEN, baseUrl: expired.url, ...FAST }).publish(postFor(vertical)), ProviderCallError);
			expectReauthorise(err, /YouTube/);
			expect(err.message).not.toContain(TOKEN);
			expect(expired.sessions.size).toBe(0);
		} finally {
			await expired.close();
		}
	});

	it('reports a processing failure on YouTube’s side', async () => {
		yt.failProcessingNext('codec');
		const err = await rejection(pub().publish(postFor(vertical)), PublishFailedError);
		expect(err.outcomeKnown).toBe(true);
		expect(err.message).toMatch(/failed processing: processing failed: codec/);
		expect(yt.videos.get(err.ref!)!.status.uploadStatus).toBe('failed');
	});

	it('refuses a too-long video before any request', async () => {
		const mark = yt.requests.length;
		const err = await rejection(pub().publish(postFor(longVertical)), ValidationError);
		expect(err.field).toBe('duration');
		expect(err.message).toMatch(/YouTube Shorts refuses this post before upload: duration: duration 181\.\d+ s is over YouTube Shorts's maximum 180 s/);
		expect(yt.requests.length).toBe(mark);
	});

	it('findExisting finds a video accepted before a crash: by the session, by the marker tag', async () => {
		const rec = recorder('accepted');
		const post = postFor(vertical);
		const before = yt.publishedCount();
		await expect(pub().publish(post, { onCheckpoint: rec.onCheckpoint })).rejects.toThrow(/simulated crash/);
		expect(yt.publishedCount()).toBe(before + 1);
		const videoId = [...yt.videos.values()].find((v) => v.snippet.tags.includes(idempotencyMarker(post.idempotencyKey)))!.id;
		expect(rec.last().stage).toBe('publishing');
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() })).resolves.toMatchObject({ ref: videoId, matchedBy: 'handle' });
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey })).resolves.toMatchObject({ ref: videoId, matchedBy: 'marker' });
		await expect(pub().findExisting({ idempotencyKey: 'never-published' })).resolves.toBeNull();
		expect(yt.publishedCount()).toBe(before + 1);
	});
});

// ---------------------------------------------------------------------------------------- TikTok

describe('TikTok', () => {
	const TOKEN = token('act');
	let tt: TikTokFake;
	const pub = (extra: Partial<ConstructorParameters<typeof TikTokPublisher>[0]> = {}) => new TikTokPublisher({ accessToken: TOKEN, baseUrl: tt.url, ...FAST, ...extra });
	beforeAll(async () => {
		tt = await startTikTokFake({ token: TOKEN });
	});
	afterAll(() => tt.close());
	afterEach(() => {
		tt.clearFaults();
		tt.upload.clearFaults();
	});

	it('asks creator_info, sends a small file as one chunk, waits for PUBLISH_COMPLETE and keeps the int64 post id exact', async () => {
		const rec = recorder();
		const post = postFor(vertical, { privacy: 'public' });
		const mark = tt.requests.length;
		const res = await pub().publish(post, { onCheckpoint: rec.onCheckpoint });
		const record = tt.publishes.get(res.ref)!;
		expect(res.status).toBe('published');
		expect(res.platformPostId).toBe(record.postId);
		expect(res.platformPostId).toMatch(/^\d{19}$/);
		expect(res.url).toBe(`https://www.tiktok.com/@brand.infinity.test/video/${record.postId}`);
		expect(sha(Buffer.concat(record.chunks))).toBe(fileSha(vertical));
		const log = tt.requests.slice(mark).map((r) => r.url.pathname);
		expect(log.slice(0, 2)).toEqual(['/v2/post/publish/creator_info/query/', '/v2/post/publish/video/init/']);
		const init = tt.requests.slice(mark).find((r) => r.url.pathname.endsWith('/video/init/'))!.body as { post_info: Record<string, unknown>; source_info: Record<string, unknown> };
		expect(init.source_info).toEqual({ source: 'FILE_UPLOAD', video_size: post.sizeBytes, chunk_size: post.sizeBytes, total_chunk_count: 1 });
		expect(init.post_info).toMatchObject({ privacy_level: 'PUBLIC_TO_EVERYONE', is_aigc: true, title: composePostText('tiktok', post).text });
		expect(rec.stored.map((c) => c.stage)).toEqual(['prepared', 'publishing', 'accepted']);
		tt.setMetrics(record.postId!, { view_count: 1000, like_count: 50, share_count: 4, comment_count: 7 });
		await expect(pub().metrics(record.postId!)).resolves.toMatchObject({ views: 1000, likes: 50, shares: 4, comments: 7 });
	});

	it('uploads 11 MB in two chunks and sends a broken chunk again from where TikTok stands', async () => {
		const post = postFor(big);
		const upMark = tt.upload.requests.length;
		tt.upload.fail({ kind: 'drop_mid_body', afterBytes: 1_000_000 }, { when: (r) => String(r.headers['content-range']).startsWith(`bytes ${5 * MB}-`) });
		const before = tt.publishedCount();
		const res = await pub({ chunkSizeBytes: 5 * MB }).publish(post);
		const record = tt.publishes.get(res.ref)!;
		expect([record.chunkSize, record.totalChunkCount]).toEqual([5 * MB, 2]);
		expect(tt.upload.requests.slice(upMark).map((r) => r.headers['content-range'])).toEqual([
			`bytes 0-${5 * MB - 1}/${post.sizeBytes}`,
			`bytes ${5 * MB}-${post.sizeBytes - 1}/${post.sizeBytes}`,
			`bytes ${5 * MB}-${post.sizeBytes - 1}/${post.sizeBytes}`,
		]);
		expect(sha(Buffer.concat(record.chunks))).toBe(fileSha(big));
		expect(tt.publishedCount()).toBe(before + 1);
	});

	it('does not send the last chunk again when only its answer was lost; retries 429 and 5xx', async () => {
		const post = postFor(vertical);
		const upMark = tt.upload.requests.length;
		const mark = tt.requests.length;
		tt.fail({ kind: 'rate_limit', retryAfter: '0' }, { path: '/video/init/' });
		tt.upload.fail({ kind: 'drop_after' });
		const before = tt.publishedCount();
		const res = await pub().publish(post);
		expect(res.status).toBe('published');
		expect(tt.upload.requests.length - upMark).toBe(1);
		expect(tt.publishedCount()).toBe(before + 1);
		expect(tt.requests.slice(mark).filter((r) => r.path.includes('/video/init/')).map((r) => r.status)).toEqual([429, 200]);

		const mark2 = tt.upload.requests.length;
		tt.upload.fail({ kind: 'server_error', status: 503 });
		await expect(pub().publish(postFor(vertical))).resolves.toMatchObject({ status: 'published' });
		expect(tt.upload.requests.slice(mark2).map((r) => r.status)).toEqual([503, 201]);
	});

	it('reports FAILED, an expired token, and privacy or duration the creator does not allow — before uploading', async () => {
		tt.failProcessingNext('file_format_check_failed');
		const failed = await rejection(pub().publish(postFor(vertical)), PublishFailedError);
		expect(failed.reason).toBe('file_format_check_failed');

		const other = await startTikTokFake({ token: TOKEN, privacyLevelOptions: ['SELF_ONLY'], maxVideoPostDurationSec: 2 });
		try {
			const p = new TikTokPublisher({ accessToken: TOKEN, baseUrl: other.url, ...FAST });
			const privacy = await rejection(p.publish(postFor(vertical, { privacy: 'public' })), ValidationError);
			expect(privacy.field).toBe('privacy');
			const duration = await rejection(p.publish(postFor(vertical, { privacy: 'private' })), ValidationError);
			expect(duration.field).toBe('duration');
			expect(other.requests.every((r) => r.url.pathname.endsWith('/creator_info/query/'))).toBe(true);
			other.expireToken();
			expectReauthorise(await rejection(p.publish(postFor(vertical)), ProviderCallError), /TikTok/);
			expect(other.publishes.size).toBe(0);
		} finally {
			await other.close();
		}
		const mark = tt.requests.length;
		expect((await rejection(pub().publish(postFor(landscape)), ValidationError)).field).toBe('aspect');
		expect(tt.requests.length).toBe(mark);
	});

	it('findExisting: by publish_id after a crash, by caption among public posts, otherwise it cannot tell', async () => {
		const rec = recorder('accepted');
		const post = postFor(vertical, { privacy: 'public' });
		await expect(pub().publish(post, { onCheckpoint: rec.onCheckpoint })).rejects.toThrow(/simulated crash/);
		const publishId = rec.last().handles.publishId!;
		// The crash came right after the upload: TikTok may still be processing, and that counts as existing.
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() })).resolves.toMatchObject({ ref: publishId, matchedBy: 'handle' });
		await pub().status(publishId);
		const done = await pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() });
		expect(done).toMatchObject({ state: 'published', platformPostId: tt.publishes.get(publishId)!.postId });
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, post })).resolves.toMatchObject({ platformPostId: tt.publishes.get(publishId)!.postId, matchedBy: 'caption' });
		await expect(pub().findExisting({ idempotencyKey: 'other', post: postFor(vertical) })).rejects.toBeInstanceOf(PublishUnverifiableError);
	});
});

// ---------------------------------------------------------------------------------------- Instagram

describe('Instagram Reels', () => {
	const TOKEN = token('EAAG');
	const IG_USER = '17841400000000001';
	let ig: InstagramFake;
	let videoUrl: string;
	const pub = (extra: Partial<ConstructorParameters<typeof InstagramPublisher>[0]> = {}) =>
		new InstagramPublisher({ accessToken: TOKEN, baseUrl: ig.graphUrl, igUserId: IG_USER, ...FAST, ...extra });
	const reel = (extra: Partial<PublishPost> = {}) => postFor(vertical, { videoUrl, ...extra });
	beforeAll(async () => {
		ig = await startInstagramFake({ token: TOKEN, igUserId: IG_USER });
		videoUrl = ig.media.publish({ file: vertical, contentType: 'video/mp4', name: 'reel.mp4' });
	});
	afterAll(() => ig.close());
	afterEach(() => ig.clearFaults());

	it('checks the limit, makes a container from the public URL, polls it and publishes', async () => {
		const rec = recorder();
		const post = reel();
		const mark = ig.requests.length;
		const res = await pub().publish(post, { onCheckpoint: rec.onCheckpoint });
		const media = ig.mediaItems.get(res.ref)!;
		expect(res).toMatchObject({ status: 'published', platformPostId: media.id, url: media.permalink });
		expect(media.caption).toBe(`${post.caption}\n\n#morning #routine`);
		const log = ig.requests.slice(mark).map((r) => `${r.method} ${r.url.pathname.replace(/\d{10,}/g, 'ID')}`);
		expect(log.slice(0, 3)).toEqual(['GET /v24.0/ID/content_publishing_limit', 'POST /v24.0/ID/media', 'GET /v24.0/ID']);
		expect(log).toContain('POST /v24.0/ID/media_publish');
		expect(rec.stored.map((c) => c.stage)).toEqual(['prepared', 'uploading', 'publishing', 'accepted']);
		ig.setInsights(media.id, { views: 300, likes: 21, comments: 3, shares: 5 });
		await expect(pub().metrics(media.id)).resolves.toMatchObject({ views: 300, likes: 21, comments: 3, shares: 5 });
	});

	it('a lost media_publish answer is resolved by the container, never by a second post', async () => {
		const before = ig.publishedCount();
		ig.fail({ kind: 'drop_after' }, { path: '/media_publish' });
		const res = await pub().publish(reel());
		expect(ig.publishedCount()).toBe(before + 1);
		expect(res.platformPostId).toBe([...ig.mediaItems.keys()].pop());
		expect(res.notes.join(' ')).toMatch(/PUBLISHED/);

		// A 500 (Meta may or may not have acted) is not re-sent blindly: the container says FINISHED, then it is.
		const mark = ig.requests.length;
		ig.fail({ kind: 'server_error', status: 500 }, { path: '/media_publish' });
		await pub().publish(reel());
		expect(ig.publishedCount()).toBe(before + 2);
		expect(ig.requests.slice(mark).filter((r) => r.path.includes('/media_publish')).map((r) => r.status)).toEqual([500, 200]);
	});

	it('an expired token (OAuthException 190), a throttle (code 4), the publishing limit and a processing failure', async () => {
		const mark = ig.requests.length;
		ig.fail({ kind: 'rate_limit', retryAfter: '0' }, { method: 'POST', path: `/${IG_USER}/media` });
		await expect(pub().publish(reel())).resolves.toMatchObject({ status: 'published' });
		expect(ig.requests.slice(mark).filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/media')).map((r) => r.status)).toEqual([429, 200]);

		const before = ig.publishedCount();
		ig.failProcessingNext();
		const failed = await rejection(pub().publish(reel()), PublishFailedError);
		expect(failed.message).toMatch(/container \d+ ERROR: Error: Video processing failed/);
		const expiredUrl = ig.media.publish({ file: vertical, contentType: 'video/mp4', name: 'gone.mp4', ttlMs: 0 });
		await expect(pub().publish(reel({ videoUrl: expiredUrl }))).rejects.toThrow(/Media download has failed/);
		expect(ig.publishedCount()).toBe(before);

		const used = ig.quotaUsage;
		ig.quotaUsage = 50;
		const containers = ig.containers.size;
		const limit = await rejection(pub().publish(reel()), ProviderCallError);
		expect(limit).toMatchObject({ kind: 'rate_limited', outcomeKnown: true });
		expect(limit.message).toMatch(/publishing limit is reached \(50 of 50 posts in 24 h\)/);
		expect(ig.containers.size).toBe(containers);
		ig.quotaUsage = used;

		const other = await startInstagramFake({ token: TOKEN, igUserId: IG_USER, media: ig.media });
		try {
			other.expireToken();
			const err = await rejection(new InstagramPublisher({ accessToken: TOKEN, baseUrl: other.graphUrl, igUserId: IG_USER, ...FAST }).publish(reel()), ProviderCallError);
			expectReauthorise(err, /Instagram/);
			expect(err.message).toMatch(/OAuthException 190\/463/);
		} finally {
			await other.close();
		}
	});

	it('findExisting: the container after a crash, the caption without it; null when the platform has none', async () => {
		const rec = recorder('accepted');
		const post = reel();
		await expect(pub().publish(post, { onCheckpoint: rec.onCheckpoint })).rejects.toThrow(/simulated crash/);
		const mediaId = [...ig.mediaItems.values()].find((m) => m.caption.startsWith(post.caption))!.id;
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() })).resolves.toMatchObject({ ref: mediaId, matchedBy: 'handle' });
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, post })).resolves.toMatchObject({ ref: mediaId, matchedBy: 'caption' });

		// A crash before media_publish: the container says it is not published.
		const early = recorder('publishing');
		const count = ig.publishedCount();
		await expect(pub().publish(reel(), { onCheckpoint: early.onCheckpoint })).rejects.toThrow(/simulated crash/);
		await expect(pub().findExisting({ idempotencyKey: 'k', checkpoint: early.last() })).resolves.toBeNull();
		expect(ig.publishedCount()).toBe(count);

		// A listing miss right after the attempt is not proof; later it is.
		const unseen = reel();
		await expect(pub({ listingSettleSeconds: 300 }).findExisting({ idempotencyKey: unseen.idempotencyKey, post: unseen, attemptedAt: new Date() })).rejects.toBeInstanceOf(PublishUnverifiableError);
		await expect(pub({ listingSettleSeconds: 300 }).findExisting({ idempotencyKey: unseen.idempotencyKey, post: unseen, attemptedAt: new Date(Date.now() - 600_000) })).resolves.toBeNull();
	});
});

// ---------------------------------------------------------------------------------------- LinkedIn

describe('LinkedIn', () => {
	const TOKEN = token('AQV');
	const AUTHOR = 'urn:li:organization:5515715';
	let li: LinkedInFake;
	const pub = (extra: Partial<ConstructorParameters<typeof LinkedInPublisher>[0]> = {}) => new LinkedInPublisher({ accessToken: TOKEN, baseUrl: li.url, authorUrn: AUTHOR, ...FAST, ...extra });
	beforeAll(async () => {
		li = await startLinkedInFake({ token: TOKEN, authorUrn: AUTHOR, partSize: 256 * 1024 });
	});
	afterAll(() => li.close());
	afterEach(() => {
		li.clearFaults();
		li.upload.clearFaults();
	});

	it('initializes, uploads parts collecting ETags, finalizes, waits for AVAILABLE and posts', async () => {
		const rec = recorder();
		const post = postFor(vertical, { caption: 'Launch day (finally) #1 — see you @ 9!' });
		const res = await pub().publish(post, { onCheckpoint: rec.onCheckpoint });
		const created = li.posts.get(res.ref)!;
		expect(res).toMatchObject({ status: 'published', platformPostId: created.id, url: `https://www.linkedin.com/feed/update/${created.id}/` });
		expect(created.commentary).toBe('Launch day \\(finally\\) \\#1 — see you \\@ 9!\n\n{hashtag|\\#|morning} {hashtag|\\#|routine}');
		const video = li.videos.get(created.content.media!.id!)!;
		expect(video.parts).toHaveLength(3);
		expect(sha(Buffer.concat(video.parts.map((p) => p.bytes!)))).toBe(fileSha(vertical));
		expect(rec.stored.map((c) => c.stage)).toEqual(['prepared', 'uploading', 'publishing', 'accepted']);
		li.setSocial(created.id, { likes: 12, comments: 4 });
		await expect(pub().metrics(created.id)).resolves.toMatchObject({ likes: 12, comments: 4, views: null, shares: null });
	});

	it('sends a broken part again, retries 429/5xx, and resolves a lost finalize by the video status', async () => {
		const upMark = li.upload.requests.length;
		const mark = li.requests.length;
		li.upload.fail({ kind: 'drop_mid_body', afterBytes: 50_000 }, { when: (r) => r.path.includes('part=1') });
		li.fail({ kind: 'server_error', status: 503 }, { path: 'action=initializeUpload' });
		li.fail({ kind: 'drop_after' }, { path: 'action=finalizeUpload' });
		const before = li.publishedCount();
		const res = await pub().publish(postFor(vertical));
		expect(li.publishedCount()).toBe(before + 1);
		const parts = li.upload.requests.slice(upMark).map((r) => `${new URL(`http://x${r.path}`).searchParams.get('part')}:${r.status ?? 'dropped'}`);
		expect(parts).toEqual(['0:201', '1:dropped', '1:201', '2:201']);
		const log = li.requests.slice(mark);
		expect(log.filter((r) => r.path.includes('initializeUpload')).map((r) => r.status)).toEqual([503, 200]);
		expect(log.filter((r) => r.path.includes('finalizeUpload'))).toHaveLength(1);
		expect(li.videos.get(li.posts.get(res.ref)!.content.media!.id!)!.status).toBe('AVAILABLE');
	});

	it('a lost post answer is resolved by the author’s posts; an unanswerable one is surfaced, not re-sent', async () => {
		const before = li.publishedCount();
		li.fail({ kind: 'drop_after' }, { method: 'POST', path: '/rest/posts' });
		const res = await pub().publish(postFor(vertical));
		expect(li.publishedCount()).toBe(before + 1);
		expect(res.notes.join(' ')).toMatch(/author's posts hold it/);

		// The platform did nothing (connection closed first): the adapter asks, finds nothing, and stops.
		const rec = recorder();
		const post = postFor(vertical);
		const mark = li.requests.length;
		li.fail({ kind: 'drop_before' }, { method: 'POST', path: '/rest/posts' });
		const err = await rejection(pub().publish(post, { onCheckpoint: rec.onCheckpoint }), ProviderCallError);
		expect(err.outcomeKnown).toBe(false);
		expect(li.requests.slice(mark).filter((r) => r.method === 'POST' && r.url.pathname === '/rest/posts')).toHaveLength(1);
		expect(li.publishedCount()).toBe(before + 1);
		// Asked again later, the platform says there is no such post: publishing again is safe.
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last(), post })).resolves.toBeNull();
	});

	it('an expired token, a processing failure, and a refused caption before any request', async () => {
		li.failProcessingNext('VIDEO_CODEC_NOT_SUPPORTED');
		const before = li.publishedCount();
		const failed = await rejection(pub().publish(postFor(vertical)), PublishFailedError);
		expect(failed.message).toMatch(/VIDEO_CODEC_NOT_SUPPORTED\); nothing was posted/);
		expect(li.publishedCount()).toBe(before);

		const mark = li.requests.length;
		expect((await rejection(pub().publish(postFor(vertical, { caption: 'x'.repeat(3001) })), ValidationError)).field).toBe('caption');
		expect(li.requests.length).toBe(mark);

		const other = await startLinkedInFake({ token: TOKEN, authorUrn: AUTHOR, listAllowed: false });
		try {
			const p = new LinkedInPublisher({ accessToken: TOKEN, baseUrl: other.url, authorUrn: AUTHOR, ...FAST });
			await expect(p.findExisting({ idempotencyKey: 'k', post: postFor(vertical) })).rejects.toBeInstanceOf(PublishUnverifiableError);
			other.expireToken();
			expectReauthorise(await rejection(p.publish(postFor(vertical)), ProviderCallError), /LinkedIn/);
		} finally {
			await other.close();
		}
	});

	it('findExisting finds a post accepted before a crash, by its video and by its commentary', async () => {
		const rec = recorder('accepted');
		const post = postFor(vertical);
		await expect(pub().publish(post, { onCheckpoint: rec.onCheckpoint })).rejects.toThrow(/simulated crash/);
		const created = [...li.posts.values()].find((p) => p.content.media?.id === rec.last().handles.videoUrn)!;
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() })).resolves.toMatchObject({ ref: created.id, matchedBy: 'handle' });
		await expect(pub().findExisting({ idempotencyKey: post.idempotencyKey, post })).resolves.toMatchObject({ ref: created.id, matchedBy: 'caption' });
	});
});

// ---------------------------------------------------------------------------------------- Blotato

describe('Blotato', () => {
	const KEY = token('blt');
	let bl: BlotatoFake;
	let videoUrl: string;
	const pub = (extra: Partial<ConstructorParameters<typeof BlotatoPublisher>[0]> = {}) =>
		new BlotatoPublisher({ accessToken: KEY, baseUrl: bl.apiUrl, targetPlatform: 'tiktok', ...FAST, ...extra });
	beforeAll(async () => {
		bl = await startBlotatoFake({ apiKey: KEY });
		videoUrl = bl.media.publish({ file: vertical, contentType: 'video/mp4', name: 'clip.mp4' });
	});
	afterAll(() => bl.close());
	afterEach(() => bl.clearFaults());

	it('finds the account, posts with the target fields and polls until published', async () => {
		const rec = recorder();
		const res = await pub().publish(postFor(vertical, { videoUrl }), { onCheckpoint: rec.onCheckpoint });
		const sub = bl.submissions.get(res.ref)!;
		expect(res).toMatchObject({ status: 'published', url: sub.publicUrl });
		expect(sub.post).toMatchObject({ accountId: '1000', content: { platform: 'tiktok', mediaUrls: [videoUrl] }, target: { targetType: 'tiktok', privacyLevel: 'PUBLIC_TO_EVERYONE', isAiGenerated: true } });
		expect(rec.stored.map((c) => c.stage)).toEqual(['prepared', 'publishing', 'accepted']);
		const yt = await pub({ targetPlatform: 'youtube' }).publish(postFor(vertical, { videoUrl, title: 'A Short' }));
		expect(bl.submissions.get(yt.ref)!.post.target).toMatchObject({ targetType: 'youtube', title: 'A Short', privacyStatus: 'public', shouldNotifySubscribers: false });
		await expect(pub().metrics()).resolves.toMatchObject({ views: null, note: expect.stringMatching(/no engagement metrics/) });
	});

	it('retries a 429, never re-sends a post after a 5xx, and reports a failed post', async () => {
		const mark = bl.requests.length;
		bl.fail({ kind: 'rate_limit', retryAfter: '0' }, { method: 'POST', path: '/v2/posts' });
		await expect(pub().publish(postFor(vertical, { videoUrl }))).resolves.toMatchObject({ status: 'published' });
		expect(bl.requests.slice(mark).filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 201]);

		const mark2 = bl.requests.length;
		bl.fail({ kind: 'server_error', status: 502 }, { method: 'POST', path: '/v2/posts' });
		const err = await rejection(pub().publish(postFor(vertical, { videoUrl })), ProviderCallError);
		expect(err.outcomeKnown).toBe(false);
		expect(bl.requests.slice(mark2).filter((r) => r.method === 'POST')).toHaveLength(1);

		bl.failProcessingNext('Invalid Video Dimensions');
		expect((await rejection(pub().publish(postFor(vertical, { videoUrl })), PublishFailedError)).reason).toBe('Invalid Video Dimensions');

		const other = await startBlotatoFake({ apiKey: KEY, media: bl.media });
		try {
			other.revokeKey();
			expectReauthorise(await rejection(new BlotatoPublisher({ accessToken: KEY, baseUrl: other.apiUrl, targetPlatform: 'tiktok', ...FAST }).publish(postFor(vertical, { videoUrl })), ProviderCallError), /Blotato/);
		} finally {
			await other.close();
		}
	});

	it('a lost create answer cannot be looked up: hold for a person; with the id it resolves', async () => {
		const rec = recorder();
		const before = bl.publishedCount();
		bl.fail({ kind: 'drop_after' }, { method: 'POST', path: '/v2/posts' });
		const err = await rejection(pub().publish(postFor(vertical, { videoUrl }), { onCheckpoint: rec.onCheckpoint }), ProviderCallError);
		expect(err.outcomeKnown).toBe(false);
		expect(bl.publishedCount()).toBe(before + 1);
		expect(rec.last().stage).toBe('publishing');
		const hold = await rejection(pub().findExisting({ idempotencyKey: rec.last().idempotencyKey, checkpoint: rec.last() }), PublishUnverifiableError);
		expect(hold.holdForPerson).toBe(true);

		const crash = recorder();
		const res = await pub().publish(postFor(vertical, { videoUrl }), { onCheckpoint: crash.onCheckpoint });
		await expect(pub().findExisting({ idempotencyKey: res.idempotencyKey, checkpoint: crash.last() })).resolves.toMatchObject({ ref: res.ref, state: 'published', matchedBy: 'handle' });
	});
});

// ---------------------------------------------------------------------------------------- outbox

describe('outbox', () => {
	it('writes one receipt and the media per post, idempotent by key, even under concurrency', async () => {
		const outboxDir = join(dir, 'outbox');
		const pub = new OutboxPublisher({ outboxDir });
		const thumb = join(dir, 'thumb.png');
		writeFileSync(thumb, await testImage(90, 160));
		const post = postFor(vertical, { thumbnailPath: thumb });
		const first = await pub.publish(post);
		const second = await pub.publish(post);
		expect(second).toMatchObject({ ref: first.ref, publishedAt: first.publishedAt, status: 'published' });
		expect(second.notes.join(' ')).toMatch(/first receipt/);
		const folder = join(outboxDir, outboxPostId(post.idempotencyKey));
		expect(readdirSync(folder).sort()).toEqual(['receipt.json', 'thumbnail.png', 'video.mp4']);
		expect(fileSha(join(folder, 'video.mp4'))).toBe(fileSha(vertical));
		const receipt = JSON.parse(readFileSync(join(folder, 'receipt.json'), 'utf8'));
		expect(receipt).toMatchObject({ idempotencyKey: post.idempotencyKey, marker: idempotencyMarker(post.idempotencyKey), fingerprint: captionFingerprint(`${post.caption}\n\n#morning #routine`), media: { sha256: fileSha(vertical), width: 360, height: 640 } });

		const racer = postFor(vertical);
		const results = await Promise.all(Array.from({ length: 6 }, () => pub.publish(racer)));
		expect(new Set(results.map((r) => r.publishedAt)).size).toBe(1);
		expect(readdirSync(outboxDir).filter((f) => !f.startsWith('.'))).toHaveLength(2);
		expect(readdirSync(outboxDir).filter((f) => f.startsWith('.'))).toHaveLength(0);
		expect(await pub.list()).toHaveLength(2);

		await expect(pub.findExisting({ idempotencyKey: post.idempotencyKey })).resolves.toMatchObject({ ref: first.ref, matchedBy: 'receipt', state: 'published' });
		await expect(pub.findExisting({ idempotencyKey: 'never' })).resolves.toBeNull();
		await expect(pub.metrics(first.ref)).resolves.toMatchObject({ views: 0, likes: 0 });
		await pub.recordMetrics(first.ref, { views: 40, likes: 6, shares: 1, comments: 2 });
		await expect(pub.metrics(first.ref)).resolves.toMatchObject({ views: 40, likes: 6, shares: 1, comments: 2 });
		await expect(pub.status(first.ref)).resolves.toMatchObject({ state: 'published' });
	});

	it('a crash after the rename is found by findExisting; emulate applies a platform’s spec', async () => {
		const outboxDir = join(dir, 'outbox2');
		const pub = new OutboxPublisher({ outboxDir, emulate: 'tiktok' });
		const rec = recorder('accepted');
		const post = postFor(vertical);
		await expect(pub.publish(post, { onCheckpoint: rec.onCheckpoint })).rejects.toThrow(/simulated crash/);
		await expect(pub.findExisting({ idempotencyKey: post.idempotencyKey, checkpoint: rec.last() })).resolves.toMatchObject({ ref: outboxPostId(post.idempotencyKey) });
		expect((await rejection(pub.publish(postFor(landscape)), ValidationError)).field).toBe('aspect');
		expect(existsSync(join(outboxDir, outboxPostId(post.idempotencyKey), 'receipt.json'))).toBe(true);
		expect(await pub.list()).toHaveLength(1);
	});
});

// ---------------------------------------------------------------------------------------- registry

describe('createPublisher', () => {
	it('builds each publisher and names what is missing', () => {
		const cases: [Parameters<typeof createPublisher>[0], string][] = [
			[{ platform: 'youtube', accessToken: 't' }, 'youtube'],
			[{ platform: 'tiktok', accessToken: 't' }, 'tiktok'],
			[{ platform: 'instagram', accessToken: 't', igUserId: '1784' }, 'instagram'],
			[{ platform: 'linkedin', accessToken: 't', authorUrn: 'urn:li:person:abc' }, 'linkedin'],
			[{ platform: 'blotato', accessToken: 'k', targetPlatform: 'instagram' }, 'blotato'],
			[{ platform: 'outbox', outboxDir: dir }, 'outbox'],
		];
		for (const [config, platform] of cases) {
			const p: Publisher = createPublisher(config);
			expect(p.platform).toBe(platform);
		}
		expect((createPublisher({ platform: 'blotato', accessToken: 'k', targetPlatform: 'instagram' }) as BlotatoPublisher).spec).toBe(PLATFORM_SPECS.instagram);
		const missing = (config: Parameters<typeof createPublisher>[0]) => {
			try {
				createPublisher(config);
			} catch (err) {
				expect(err).toBeInstanceOf(ValidationError);
				return (err as ValidationError).field;
			}
			return null;
		};
		expect(missing({ platform: 'youtube' })).toBe('accessToken');
		expect(missing({ platform: 'instagram', accessToken: 't' })).toBe('igUserId');
		expect(missing({ platform: 'linkedin', accessToken: 't' })).toBe('authorUrn');
		expect(missing({ platform: 'blotato', accessToken: 't' })).toBe('targetPlatform');
		expect(missing({ platform: 'outbox' })).toBe('outboxDir');
		expect(missing({ platform: 'myspace' as never })).toBe('platform');
		expect(new YouTubePublisher({ accessToken: 't' }).spec.maxDurationSeconds).toBe(180);
	});
});
