/**
 * The remote video and image adapters against their protocol fakes (test/fakes/): submit → poll
 * until done → download → ffprobe says the clip has the planned shape; faults (429 + Retry-After
 * honoured, 5xx known vs timeout/drop unknown, safety blocks as confirmed failures, expired URLs);
 * the two-step image → video routes with re-upload; and the VIDEO_MODELS catalogue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValidationError } from '../../lib/domain/errors';
import { DownloadError } from '../../lib/media/download';
import { probeMedia } from '../../lib/media/probe';
import { estimateCost } from '../../lib/pricing/price-table';
import { GeminiImageProvider } from '../../lib/providers/image/gemini-image';
import { LocalImageProvider } from '../../lib/providers/image/local';
import { SeedreamImageProvider } from '../../lib/providers/image/seedream';
import { ProviderCallError } from '../../lib/providers/llm/openai';
import { ProviderError, type VideoJobRequest, type VideoJobStatus, type VideoProvider } from '../../lib/providers/types';
import { BytePlusSeedanceProvider } from '../../lib/providers/video/byteplus';
import { FalVideoProvider } from '../../lib/providers/video/fal';
import { GeminiVeoProvider } from '../../lib/providers/video/gemini-veo';
import { KieVideoProvider } from '../../lib/providers/video/kie';
import { LibraryVideoProvider } from '../../lib/providers/video/library';
import { LocalVideoProvider } from '../../lib/providers/video/local';
import {
	createImageProvider,
	createVideoProvider,
	durationsAt,
	findVideoModel,
	IMAGE_MODELS,
	liveVideoModels,
	VIDEO_MODELS,
	VIDEO_PROVIDERS,
} from '../../lib/providers/video/registry';
import { IMAGE_HANDOFF, ImageToVideoRoute, TwoStepError } from '../../lib/providers/video/two-step';
import type { RoutableModel } from '../../lib/strategy/router';
import { startBytePlusFake, type BytePlusFake } from '../fakes/byteplus';
import { startFalFake, type FalFake } from '../fakes/fal';
import { startGeminiFake, type GeminiFake } from '../fakes/gemini-veo';
import { startKieFake, type KieFake } from '../fakes/kie';
import { startMediaHost, testImage, type MediaHost } from '../fakes/media-host';

jest.setTimeout(120_000);

const KEY = {
	gemini: `AIza-test-${randomBytes(12).toString('hex')}`,
	fal: `fal-test-${randomBytes(12).toString('hex')}`,
	byteplus: `ark-test-${randomBytes(12).toString('hex')}`,
	kie: `kie-test-${randomBytes(12).toString('hex')}`,
};
/** Fast retries for tests; loopback fakes need allowPrivateNetwork. */
const COMMON = { allowPrivateNetwork: true, retryBaseDelayMs: 10, timeoutMs: 10_000 };

let media: MediaHost;
let gemini: GeminiFake;
let fal: FalFake;
let byteplus: BytePlusFake;
let kie: KieFake;
let dir: string;

beforeAll(async () => {
	media = await startMediaHost();
	[gemini, fal, byteplus, kie] = await Promise.all([
		startGeminiFake({ apiKey: KEY.gemini, media }),
		startFalFake({ apiKey: KEY.fal, media }),
		startBytePlusFake({ apiKey: KEY.byteplus, media }),
		startKieFake({ apiKey: KEY.kie, media }),
	]);
	dir = mkdtempSync(join(tmpdir(), 'bi-video-providers-'));
});
afterAll(async () => {
	await Promise.all([gemini.close(), fal.close(), byteplus.close(), kie.close()]);
	await media.close();
	rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
	for (const f of [gemini, fal, byteplus, kie]) f.clearFaults();
});

const veo = (over: Record<string, unknown> = {}) => new GeminiVeoProvider({ apiKey: KEY.gemini, baseUrl: gemini.baseUrl, ...COMMON, ...over });
const falProvider = (over: Record<string, unknown> = {}) => new FalVideoProvider({ apiKey: KEY.fal, queueBaseUrl: fal.queueUrl, restBaseUrl: fal.restUrl, ...COMMON, ...over });
const seedance = (over: Record<string, unknown> = {}) => new BytePlusSeedanceProvider({ apiKey: KEY.byteplus, baseUrl: byteplus.baseUrl, ...COMMON, ...over });
const kieProvider = (over: Record<string, unknown> = {}) =>
	new KieVideoProvider({ apiKey: KEY.kie, baseUrl: kie.baseUrl, uploadBaseUrl: kie.uploadBaseUrl, ...COMMON, ...over });

function request(over: Partial<VideoJobRequest>): VideoJobRequest {
	return { prompt: 'A reusable bottle on a mossy rock, morning light', model: '', durationSeconds: 5, aspectRatio: '9:16', resolution: '720p', ...over };
}

/** Polls until the job leaves queued/processing; returns every state seen. */
async function pollUntilDone(provider: VideoProvider, jobId: string, model: string, max = 10): Promise<{ final: VideoJobStatus; seen: string[] }> {
	const seen: string[] = [];
	for (let i = 0; i < max; i++) {
		const st = await provider.status(jobId, model);
		seen.push(st.state);
		if (st.state === 'completed' || st.state === 'failed') return { final: st, seen };
	}
	throw new Error(`job ${jobId} not done after ${max} polls: ${seen.join(' → ')}`);
}

async function caught(p: Promise<unknown>): Promise<ProviderError> {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(ProviderError);
		return err as ProviderError;
	}
	throw new Error('expected a ProviderError');
}

const pngDataUrl = async (w = 576, h = 1024) => `data:image/png;base64,${(await testImage(w, h)).toString('base64')}`;

// ---------------------------------------------------------------------------------------- Veo

describe('Veo 3.1 via the Gemini API', () => {
	test('submit → processing → done → download (key to the API only, redirect followed) → a real 9:16 720p clip of the planned 6 s', async () => {
		const provider = veo();
		const sub = await provider.submit(request({ model: 'veo-3.1-fast-generate-001', durationSeconds: 5, negativePrompt: 'text, logos', seed: 7 }));
		expect(sub.jobId).toMatch(/^models\/veo-3\.1-fast-generate-001\/operations\/[a-f0-9]+$/);
		expect(sub.plan).toMatchObject({ durationSeconds: 6, resolution: '720p', aspectRatio: '9:16' });
		expect(sub.plan.notes.join(' ')).toMatch(/5 s → 6 s.*4, 6 or 8/);
		const sent = gemini.predictRequests().at(-1)!;
		expect(sent.headers['x-goog-api-key']).toBe(KEY.gemini);
		expect(sent.body).toEqual({
			instances: [{ prompt: expect.any(String) }],
			parameters: { aspectRatio: '9:16', durationSeconds: 6, resolution: '720p', negativePrompt: 'text, logos', sampleCount: 1 },
		});
		const { final, seen } = await pollUntilDone(provider, sub.jobId, 'veo-3.1-fast-generate-001');
		expect(seen).toEqual(['processing', 'completed']);
		const mediaBefore = media.requests.length;
		const out = await provider.download(final, join(dir, 'veo.mp4'));
		expect(out.contentType).toBe('video/mp4');
		expect(media.requests.slice(mediaBefore).every((r) => r.headers['x-goog-api-key'] === undefined)).toBe(true);
		const info = await probeMedia(out.path);
		expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: 'h264', hasAudio: true, frameRate: 24 });
		expect(info.durationSeconds).toBeCloseTo(6, 1);
	});

	test('1080p and 4k are planned at 8 s (the API refuses them shorter); 1:1 is refused before any request', async () => {
		const provider = veo();
		const sub = await provider.submit(request({ model: 'veo-3.1-generate-001', durationSeconds: 4, resolution: '1080p', aspectRatio: '16:9' }));
		expect(sub.plan).toMatchObject({ durationSeconds: 8, resolution: '1080p' });
		expect(provider.plan(request({ model: 'veo-3.1-lite-generate-preview', resolution: '4k' }))).toMatchObject({ resolution: '1080p', durationSeconds: 8 });
		const before = gemini.predictRequests().length;
		await expect(provider.submit(request({ model: 'veo-3.1-generate-001', aspectRatio: '1:1' }))).rejects.toThrow(ValidationError);
		expect(gemini.predictRequests().length).toBe(before);
	});

	test('image-to-video: the image goes inline as bytesBase64Encoded; allow_all becomes allow_adult', async () => {
		const provider = veo({ personGeneration: 'allow_all' });
		const sub = await provider.submit(request({ model: 'veo-3.1-fast-generate-001', imageUrl: await pngDataUrl(), durationSeconds: 8 }));
		const body = gemini.predictRequests().at(-1)!.body as { instances: { image: { bytesBase64Encoded: string; mimeType: string } }[]; parameters: Record<string, unknown> };
		expect(body.instances[0].image.mimeType).toBe('image/png');
		expect(Buffer.from(body.instances[0].image.bytesBase64Encoded, 'base64').subarray(1, 4).toString()).toBe('PNG');
		expect(body.parameters.personGeneration).toBe('allow_adult');
		expect((await pollUntilDone(provider, sub.jobId, '')).final.state).toBe('completed');
	});

	test('a safety block (done, no samples) and an operation error are confirmed failures; an unknown operation too', async () => {
		const provider = veo();
		const blocked = await provider.submit(request({ model: 'veo-3.1-fast-generate-001', prompt: 'something forbidden' }));
		const { final } = await pollUntilDone(provider, blocked.jobId, '');
		expect(final).toMatchObject({ state: 'failed', providerConfirmedFailure: true, error: expect.stringMatching(/safety filter.*not charged/) });
		const failed = await provider.submit(request({ model: 'veo-3.1-fast-generate-001', prompt: 'make it explode' }));
		expect((await pollUntilDone(provider, failed.jobId, '')).final).toMatchObject({ state: 'failed', providerConfirmedFailure: true, error: expect.stringMatching(/internal error/) });
		expect(await provider.status('models/veo-3.1-fast-generate-001/operations/nope')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
	});

	test('429 with Retry-After is waited for, then the submission goes through once', async () => {
		const provider = veo();
		const before = gemini.predictRequests().length;
		gemini.setFault({ kind: 'rate_limit', retryAfter: '1' }, 1);
		const sub = await provider.submit(request({ model: 'veo-3.1-fast-generate-001' }));
		expect(sub.jobId).toBeTruthy();
		const calls = gemini.predictRequests().slice(before);
		expect(calls.map((c) => c.status)).toEqual([429, 200]);
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
		// Too long a Retry-After is not waited for: the 429 comes back with it.
		gemini.setFault({ kind: 'rate_limit', retryAfter: '120' }, 1);
		const err = await caught(provider.submit(request({ model: 'veo-3.1-fast-generate-001' })));
		expect(err).toMatchObject({ status: 429, outcomeKnown: true, retryAfterSeconds: 120 });
	});

	test('5xx on submit: 500/503 are known (nothing started, retried), 504, a timeout or a dropped connection are unknown and never repeated', async () => {
		const provider = veo({ maxRetries: 0 });
		gemini.setFault({ kind: 'server_error', status: 503 }, 1);
		expect(await caught(provider.submit(request({ model: 'veo-3.1-fast-generate-001' })))).toMatchObject({ status: 503, outcomeKnown: true });
		const retrying = veo({ maxRetries: 2 });
		gemini.setFault({ kind: 'server_error', status: 500 }, 1);
		await expect(retrying.submit(request({ model: 'veo-3.1-fast-generate-001' }))).resolves.toMatchObject({ jobId: expect.any(String) });

		for (const fault of [{ kind: 'server_error', status: 504 }, { kind: 'hang' }, { kind: 'drop' }, { kind: 'malformed', body: '{"name": "models/veo' }] as const) {
			const before = gemini.predictRequests().length;
			gemini.setFault(fault, 1);
			const err = await caught(veo({ maxRetries: 3, timeoutMs: 300 }).submit(request({ model: 'veo-3.1-fast-generate-001' })));
			expect(err.outcomeKnown).toBe(false);
			expect(gemini.predictRequests().length - before).toBe(1);
			if (fault.kind === 'hang') expect(err).toMatchObject({ kind: 'timeout' });
		}
	});

	test('an expired download link and a deleted file are named as such', async () => {
		const short = await startGeminiFake({ apiKey: KEY.gemini, media, fileTtlMs: 150, pollsUntilDone: 1 });
		try {
			const provider = new GeminiVeoProvider({ apiKey: KEY.gemini, baseUrl: short.baseUrl, ...COMMON });
			const sub = await provider.submit(request({ model: 'veo-3.1-fast-generate-001', durationSeconds: 4 }));
			const { final } = await pollUntilDone(provider, sub.jobId, '');
			await provider.download(final, join(dir, 'first.mp4'));
			await new Promise((r) => setTimeout(r, 250));
			const err = (await provider.download(final, join(dir, 'late.mp4')).catch((e: unknown) => e)) as DownloadError;
			expect(err).toBeInstanceOf(DownloadError);
			expect(err).toMatchObject({ reason: 'expired', status: 403, provider: 'gemini' });
			short.deleteFile(/files\/([^:]+):download/.exec(final.resultUrl!)![1]);
			expect(await provider.download(final, join(dir, 'gone.mp4')).catch((e: unknown) => (e as DownloadError).reason)).toBe('expired');
		} finally {
			await short.close();
		}
	});

	test('downloads refuse a private result URL unless allowed', async () => {
		const provider = veo({ allowPrivateNetwork: false });
		const err = await provider.download({ state: 'completed', jobId: 'x', resultUrl: `${gemini.baseUrl}/files/abc:download?alt=media` }, join(dir, 'ssrf.mp4')).catch((e: unknown) => e);
		expect(err).toMatchObject({ reason: 'private_address' });
	});
});

// ---------------------------------------------------------------------------------------- fal

describe('fal queue', () => {
	test('Veo 3.1 Fast: IN_QUEUE → IN_PROGRESS → COMPLETED → result URL → a real clip', async () => {
		const provider = falProvider();
		const sub = await provider.submit(request({ model: 'fal-ai/veo3.1/fast', durationSeconds: 5, seed: 3 }));
		const sent = fal.submitRequests().at(-1)!;
		expect(sent.path).toBe('/fal-ai/veo3.1/fast');
		expect(sent.headers.authorization).toBe(`Key ${KEY.fal}`);
		expect(sent.body).toEqual({ prompt: expect.any(String), aspect_ratio: '9:16', duration: '6s', resolution: '720p', generate_audio: false, seed: 3 });
		const { final, seen } = await pollUntilDone(provider, sub.jobId, 'fal-ai/veo3.1/fast');
		expect(seen).toEqual(['queued', 'processing', 'completed']);
		// Status and result URLs keep only owner/app.
		expect(fal.requests.filter((r) => r.path.includes(sub.jobId)).map((r) => r.path)).toEqual([
			`/fal-ai/veo3.1/requests/${sub.jobId}/status`,
			`/fal-ai/veo3.1/requests/${sub.jobId}/status`,
			`/fal-ai/veo3.1/requests/${sub.jobId}/status`,
			`/fal-ai/veo3.1/requests/${sub.jobId}`,
		]);
		const info = await probeMedia((await provider.download(final, join(dir, 'fal-veo.mp4'))).path);
		expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: 'h264' });
		expect(info.durationSeconds).toBeCloseTo(6, 1);
	});

	test('Seedance 2.0 1:1 and Kling 3 Pro image-to-video (endpoint switched, start_image_url, aspect from the image)', async () => {
		const provider = falProvider();
		const sd = await provider.submit(request({ model: 'bytedance/seedance-2.0/text-to-video', aspectRatio: '1:1', durationSeconds: 4.2 }));
		expect(sd.plan).toMatchObject({ durationSeconds: 5, resolution: '720p' });
		const sdInfo = await probeMedia((await provider.download((await pollUntilDone(provider, sd.jobId, sd.plan.model)).final, join(dir, 'fal-sd.mp4'))).path);
		expect(sdInfo).toMatchObject({ width: 720, height: 720 });

		const image = await provider.prepareImageInput(await pngDataUrl(288, 512));
		expect(image.reuploaded).toBe(true);
		const kl = await provider.submit(request({ model: 'fal-ai/kling-video/v3/pro/text-to-video', imageUrl: image.imageUrl, durationSeconds: 3 }));
		expect(kl.plan).toMatchObject({ model: 'fal-ai/kling-video/v3/pro/image-to-video', resolution: '1080p', durationSeconds: 3 });
		expect(fal.submitRequests().at(-1)!.body).toEqual({ prompt: expect.any(String), duration: '3', generate_audio: false, start_image_url: image.imageUrl });
		const klInfo = await probeMedia((await provider.download((await pollUntilDone(provider, kl.jobId, kl.plan.model)).final, join(dir, 'fal-kl.mp4'))).path);
		expect(klInfo).toMatchObject({ width: 1080, height: 1920 });
		expect(klInfo.durationSeconds).toBeCloseTo(3, 1);
	});

	test('content policy (COMPLETED, result 422) and unknown requests are confirmed failures', async () => {
		const provider = falProvider();
		const sub = await provider.submit(request({ model: 'fal-ai/veo3.1/fast', prompt: 'a forbidden scene' }));
		expect((await pollUntilDone(provider, sub.jobId, 'fal-ai/veo3.1/fast')).final).toMatchObject({
			state: 'failed',
			providerConfirmedFailure: true,
			error: expect.stringMatching(/content policy/),
		});
		expect(await provider.status('00000000-0000-0000-0000-000000000000', 'fal-ai/veo3.1/fast')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
	});

	test('a rejected input is a known outcome naming the field; 429 is retried after Retry-After', async () => {
		const provider = falProvider();
		const err = await caught(provider.submit(request({ model: 'fal-ai/kling-video/v3/standard/image-to-video', imageUrl: `${media.url}/files/0000/missing.png` })));
		expect(err).toMatchObject({ status: 422, outcomeKnown: true });
		expect(err.message).toMatch(/file_download_error/);
		fal.setFault({ kind: 'rate_limit', retryAfter: '1' }, 1);
		await expect(provider.submit(request({ model: 'fal-ai/veo3.1/fast' }))).resolves.toMatchObject({ jobId: expect.any(String) });
	});

	test('an expired result URL is a clear download error', async () => {
		const short = await startFalFake({ apiKey: KEY.fal, media, resultTtlMs: 100, pollsInQueue: 0, pollsInProgress: 0 });
		try {
			const provider = new FalVideoProvider({ apiKey: KEY.fal, queueBaseUrl: short.queueUrl, ...COMMON });
			const sub = await provider.submit(request({ model: 'fal-ai/veo3.1/fast', durationSeconds: 4 }));
			const { final } = await pollUntilDone(provider, sub.jobId, 'fal-ai/veo3.1/fast');
			await new Promise((r) => setTimeout(r, 200));
			const err = (await provider.download(final, join(dir, 'fal-late.mp4')).catch((e: unknown) => e)) as DownloadError;
			expect(err).toMatchObject({ reason: 'expired', status: 410 });
			expect(err.message).toMatch(/expired/);
		} finally {
			await short.close();
		}
	});
});

// ---------------------------------------------------------------------------------------- BytePlus

describe('BytePlus ModelArk', () => {
	test('Seedance: queued → running → succeeded, tokens reported, a real clip downloaded', async () => {
		const provider = seedance();
		const sub = await provider.submit(request({ model: 'dreamina-seedance-2-0-fast-260128', durationSeconds: 5, resolution: '1080p', callbackUrl: 'https://hooks.example.com/x' }));
		expect(sub.plan).toMatchObject({ resolution: '720p', durationSeconds: 5 });
		expect(sub.jobId).toMatch(/^cgt-/);
		expect(byteplus.taskRequests().at(-1)!.body).toEqual({
			model: 'dreamina-seedance-2-0-fast-260128',
			content: [{ type: 'text', text: expect.any(String) }],
			ratio: '9:16',
			resolution: '720p',
			duration: 5,
			watermark: false,
			callback_url: 'https://hooks.example.com/x',
		});
		const { final, seen } = await pollUntilDone(provider, sub.jobId, sub.plan.model);
		expect(seen).toEqual(['queued', 'processing', 'completed']);
		expect(final.usage).toEqual({ seconds: 5, tokens: Math.round((720 * 1280 * 24 * 5) / 1024) });
		const info = await probeMedia((await provider.download(final, join(dir, 'bp.mp4'))).path);
		expect(info).toMatchObject({ width: 720, height: 1280 });
		expect(info.durationSeconds).toBeCloseTo(5, 1);
	});

	test('image-to-video takes a data: image inline; duration clamped to the model range', async () => {
		const provider = seedance();
		const image = await pngDataUrl();
		expect(await provider.prepareImageInput(image)).toMatchObject({ imageUrl: image, reuploaded: false });
		const sub = await provider.submit(request({ model: 'dreamina-seedance-2-0-260128', imageUrl: image, durationSeconds: 20, aspectRatio: '16:9' }));
		expect(sub.plan.durationSeconds).toBe(15);
		const content = (byteplus.taskRequests().at(-1)!.body as { content: unknown[] }).content;
		expect(content[1]).toEqual({ type: 'image_url', image_url: { url: image }, role: 'first_frame' });
	});

	test('a sensitive-content failure and an unknown task are confirmed failures; an expired video_url is named', async () => {
		const provider = seedance();
		const sub = await provider.submit(request({ model: 'dreamina-seedance-2-0-fast-260128', prompt: 'forbidden content' }));
		expect((await pollUntilDone(provider, sub.jobId, '')).final).toMatchObject({ state: 'failed', providerConfirmedFailure: true, error: expect.stringMatching(/content filter.*OutputVideoSensitiveContentDetected/) });
		expect(await provider.status('cgt-unknown')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
		const ok = await provider.submit(request({ model: 'dreamina-seedance-2-0-fast-260128', durationSeconds: 4 }));
		const { final } = await pollUntilDone(provider, ok.jobId, '');
		media.expire(final.resultUrl!);
		expect(await provider.download(final, join(dir, 'bp-late.mp4')).catch((e: unknown) => e)).toMatchObject({ reason: 'expired', status: 403 });
	});

	test('Seedream images: a URL (expiring) or inline base64; a sensitive prompt is a known refusal', async () => {
		const images = new SeedreamImageProvider({ apiKey: KEY.byteplus, baseUrl: byteplus.baseUrl, ...COMMON });
		const img = await images.generate({ prompt: 'a bottle', model: 'seedream-4-0-250828', aspectRatio: '9:16' });
		expect(img).toMatchObject({ provider: 'byteplus', model: 'seedream-4-0-250828', usage: { images: 1, tokens: 16384 } });
		expect(img.url.startsWith(media.url)).toBe(true);
		expect(media.isLive(img.url)).toBe(true);
		const inline = await new SeedreamImageProvider({ apiKey: KEY.byteplus, baseUrl: byteplus.baseUrl, responseFormat: 'b64_json' }).generate({
			prompt: 'a bottle',
			model: 'seedream-4-0-250828',
			aspectRatio: '1:1',
		});
		expect(inline.url).toMatch(/^data:image\/jpeg;base64,/);
		const err = await caught(images.generate({ prompt: 'forbidden words', model: 'seedream-4-0-250828', aspectRatio: '1:1' }));
		expect(err).toMatchObject({ status: 400, outcomeKnown: true });
		expect(err.message).toMatch(/InputTextSensitiveContentDetected/);
	});
});

// ---------------------------------------------------------------------------------------- Kie

describe('Kie', () => {
	test('Veo 3.1 (veo3_fast): 8 s planned, successFlag 0 → 1, a real 8 s clip', async () => {
		const provider = kieProvider();
		const sub = await provider.submit(request({ model: 'veo3_fast', durationSeconds: 5 }));
		expect(sub.plan).toMatchObject({ durationSeconds: 8, resolution: '720p' });
		expect(kie.submitRequests().at(-1)!.body).toEqual({ prompt: expect.any(String), model: 'veo3_fast', aspect_ratio: '9:16', generationType: 'TEXT_2_VIDEO' });
		const { final, seen } = await pollUntilDone(provider, sub.jobId, 'veo3_fast');
		expect(seen).toEqual(['processing', 'processing', 'completed']);
		const info = await probeMedia((await provider.download(final, join(dir, 'kie-veo.mp4'))).path);
		expect(info).toMatchObject({ width: 720, height: 1280 });
		expect(info.durationSeconds).toBeCloseTo(8, 1);
	});

	test('market model: createTask → recordInfo (waiting → generating → success, resultJson string) with an uploaded image', async () => {
		const provider = kieProvider();
		await expect(provider.submit(request({ model: 'kling-3.0/video', imageUrl: await pngDataUrl() }))).rejects.toThrow(ValidationError);
		const image = await provider.prepareImageInput(await pngDataUrl());
		expect(image).toMatchObject({ reuploaded: true });
		expect(kie.uploadRequests()).toHaveLength(1);
		const sub = await provider.submit(request({ model: 'kling-3.0/video', imageUrl: image.imageUrl, aspectRatio: '16:9', durationSeconds: 4 }));
		expect((kie.submitRequests().at(-1)!.body as { input: unknown }).input).toEqual({ prompt: expect.any(String), aspect_ratio: '16:9', duration: '4', image_urls: [image.imageUrl] });
		const { final, seen } = await pollUntilDone(provider, sub.jobId, 'kling-3.0/video');
		expect(seen).toEqual(['queued', 'processing', 'completed']);
		const info = await probeMedia((await provider.download(final, join(dir, 'kie-kling.mp4'))).path);
		expect(info).toMatchObject({ width: 1280, height: 720 });
	});

	test('body codes map to HTTP meanings; blocked and unknown tasks are confirmed failures', async () => {
		const wrong = new KieVideoProvider({ apiKey: 'kie-wrong', baseUrl: kie.baseUrl, ...COMMON });
		const err = await caught(wrong.submit(request({ model: 'veo3' })));
		expect(err).toMatchObject({ status: 401, outcomeKnown: true, kind: 'auth' });
		const provider = kieProvider();
		const sub = await provider.submit(request({ model: 'veo3', prompt: 'forbidden' }));
		expect((await pollUntilDone(provider, sub.jobId, 'veo3')).final).toMatchObject({ state: 'failed', providerConfirmedFailure: true, error: expect.stringMatching(/content policy/) });
		expect(await provider.status('veo_task_nope', 'veo3')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
		expect(await provider.status('task_nope', 'kling-3.0/video')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
		await expect(provider.submit(request({ model: 'veo3', aspectRatio: '1:1' }))).rejects.toThrow(ValidationError);
	});
});

// ---------------------------------------------------------------------------------------- Gemini image

describe('Gemini image (Nano Banana)', () => {
	test('an inline PNG as a data: URL; a blocked prompt is a refusal with usage', async () => {
		const images = new GeminiImageProvider({ apiKey: KEY.gemini, baseUrl: gemini.baseUrl, ...COMMON });
		const img = await images.generate({ prompt: 'a bottle', model: 'gemini-2.5-flash-image', aspectRatio: '9:16' });
		expect(img).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash-image', usage: { images: 1, tokens: 1290 } });
		const png = Buffer.from(img.url.replace(/^data:image\/png;base64,/, ''), 'base64');
		expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([768, 1344]);
		const err = await caught(images.generate({ prompt: 'forbidden', model: 'gemini-2.5-flash-image', aspectRatio: '1:1' }));
		expect(err).toBeInstanceOf(ProviderCallError);
		expect(err).toMatchObject({ kind: 'refusal', outcomeKnown: false });
	});
});

// ---------------------------------------------------------------------------------------- two-step

describe('two-step image → video (seed 004)', () => {
	const nano = () => new GeminiImageProvider({ apiKey: KEY.gemini, baseUrl: gemini.baseUrl, ...COMMON });
	const seedream = () => new SeedreamImageProvider({ apiKey: KEY.byteplus, baseUrl: byteplus.baseUrl, ...COMMON });

	test('Gemini image (inline) → fal Kling: re-uploaded to fal storage, the model reads the file URL, the clip downloads', async () => {
		const route = new ImageToVideoRoute(nano(), falProvider());
		const uploadsBefore = fal.uploadRequests().length;
		const putsBefore = media.requests.filter((r) => r.method === 'PUT').length;
		const sub = await route.submit({ ...request({ model: 'fal-ai/kling-video/v3/standard/text-to-video', durationSeconds: 3 }), imageModel: 'gemini-2.5-flash-image' });
		expect(sub.image.url).toMatch(/^data:image\/png/);
		expect(sub.imageInput).toMatchObject({ reuploaded: true, imageUrl: expect.stringMatching(`^${media.url}/files/`) });
		expect(fal.uploadRequests().length - uploadsBefore).toBe(1);
		expect(fal.uploadRequests().at(-1)!.body).toEqual({ content_type: 'image/png', file_name: expect.stringMatching(/\.png$/) });
		expect(media.requests.filter((r) => r.method === 'PUT').length - putsBefore).toBe(1);
		expect((fal.submitRequests().at(-1)!.body as Record<string, unknown>).start_image_url).toBe(sub.imageInput.imageUrl);
		const provider = falProvider();
		const { final } = await pollUntilDone(provider, sub.jobId, sub.plan.model);
		const info = await probeMedia((await provider.download(final, join(dir, 'two-step-fal.mp4'))).path);
		expect(info).toMatchObject({ width: 720, height: 1280 });
	});

	test('Seedream URL → fal: copied to fal storage (the URL expires); → BytePlus and → Kie: passed as is', async () => {
		const toFal = await new ImageToVideoRoute(seedream(), falProvider()).submit({ ...request({ model: 'bytedance/seedance-2.0/fast/text-to-video' }), imageModel: 'seedream-4-0-250828' });
		expect(toFal.imageInput.reuploaded).toBe(true);
		expect(toFal.imageInput.imageUrl).not.toBe(toFal.image.url);
		const toBp = await new ImageToVideoRoute(seedream(), seedance()).submit({ ...request({ model: 'dreamina-seedance-2-0-fast-260128' }), imageModel: 'seedream-4-0-250828' });
		expect(toBp.imageInput).toMatchObject({ reuploaded: false, imageUrl: toBp.image.url });
		const toKie = await new ImageToVideoRoute(seedream(), kieProvider()).submit({ ...request({ model: 'veo3_fast' }), imageModel: 'seedream-4-0-250828' });
		expect(toKie.imageInput).toMatchObject({ reuploaded: false, imageUrl: toKie.image.url });
		expect(kie.submitRequests().at(-1)!.body).toMatchObject({ imageUrls: [toKie.image.url], generationType: 'FIRST_AND_LAST_FRAMES_2_VIDEO' });
	});

	test('Gemini image → Kie: uploaded through the Kie file API; → BytePlus: inline data:; → Veo: inline bytes', async () => {
		const toKie = await new ImageToVideoRoute(nano(), kieProvider()).submit({ ...request({ model: 'veo3' }), imageModel: 'gemini-2.5-flash-image' });
		expect(toKie.imageInput).toMatchObject({ reuploaded: true, imageUrl: expect.stringMatching(/^http/) });
		const toBp = await new ImageToVideoRoute(nano(), seedance()).submit({ ...request({ model: 'dreamina-seedance-2-0-fast-260128' }), imageModel: 'gemini-2.5-flash-image' });
		expect(toBp.imageInput.imageUrl).toMatch(/^data:image\/png/);
		const seedreamToVeo = await new ImageToVideoRoute(seedream(), veo()).submit({ ...request({ model: 'veo-3.1-fast-generate-001', durationSeconds: 8 }), imageModel: 'seedream-4-0-250828' });
		expect(seedreamToVeo.imageInput).toMatchObject({ reuploaded: false, imageUrl: expect.stringMatching(/^data:image\/png;base64,/) });
		expect((gemini.predictRequests().at(-1)!.body as { instances: { image?: unknown }[] }).instances[0].image).toMatchObject({ mimeType: 'image/png' });
	});

	test('local → local: the whole route offline, a real clip', async () => {
		const video = new LocalVideoProvider({ workDir: join(dir, 'local'), renderScale: 0.5 });
		const sub = await new ImageToVideoRoute(new LocalImageProvider({ renderScale: 0.25, workDir: join(dir, 'local-img') }), video).submit({
			...request({ model: 'local-ffmpeg', durationSeconds: 2 }),
			imageModel: 'local-ffmpeg-still',
		});
		expect(sub.image.provider).toBe('local');
		const st = await video.waitFor(sub.jobId);
		const info = await probeMedia((await video.download(st, join(dir, 'two-step-local.mp4'))).path);
		expect(info).toMatchObject({ width: 360, height: 640 });
	});

	test('a failure after the image was paid for carries the image; resume does not generate it again', async () => {
		const route = new ImageToVideoRoute(nano(), falProvider({ maxRetries: 0 }));
		const imageCalls = () => gemini.requests.filter((r) => r.path.includes(':generateContent')).length;
		const before = imageCalls();
		fal.setFault({ kind: 'server_error', status: 503 }, 1); // the storage initiate call
		const err = (await route.submit({ ...request({ model: 'fal-ai/veo3.1/fast' }), imageModel: 'gemini-2.5-flash-image' }).catch((e: unknown) => e)) as TwoStepError;
		expect(err).toBeInstanceOf(TwoStepError);
		expect(err).toMatchObject({ stage: 'handoff', outcomeKnown: true, status: 503 });
		expect(err.image?.url).toMatch(/^data:image\/png/);
		const resumed = await route.resume(err.image!, request({ model: 'fal-ai/veo3.1/fast' }));
		expect(resumed.jobId).toBeTruthy();
		expect(imageCalls() - before).toBe(1);

		// An unknown outcome of the video submission stays unknown (BytePlus takes the image inline: no upload first).
		const toBp = new ImageToVideoRoute(nano(), seedance({ maxRetries: 3 }));
		const tasksBefore = byteplus.taskRequests().length;
		byteplus.setFault({ kind: 'drop' }, 1);
		const unknown = (await toBp.resume(err.image!, request({ model: 'dreamina-seedance-2-0-fast-260128' })).catch((e: unknown) => e)) as TwoStepError;
		expect(unknown).toBeInstanceOf(TwoStepError);
		expect(unknown).toMatchObject({ stage: 'video', outcomeKnown: false, provider: 'byteplus' });
		expect(byteplus.taskRequests().length - tasksBefore).toBe(1);
	});

	test('an expired Seedream URL is named at the hand-over', async () => {
		const img = await seedream().generate({ prompt: 'a bottle', model: 'seedream-4-0-250828', aspectRatio: '9:16' });
		media.expire(img.url);
		const err = (await new ImageToVideoRoute(seedream(), falProvider()).resume(img, request({ model: 'fal-ai/veo3.1/fast' })).catch((e: unknown) => e)) as TwoStepError;
		expect(err).toMatchObject({ stage: 'handoff' });
		expect(err.cause).toMatchObject({ reason: 'expired' });
	});

	test('the hand-over table documents every video provider', () => {
		expect(Object.keys(IMAGE_HANDOFF).sort()).toEqual([...VIDEO_PROVIDERS].sort());
		expect(IMAGE_HANDOFF.fal).toEqual({ data_url: 'reupload', https_url: 'reupload' });
		expect(IMAGE_HANDOFF.kie.data_url).toBe('reupload');
		expect(IMAGE_HANDOFF.byteplus).toEqual({ data_url: 'pass', https_url: 'pass' });
	});
});

// ---------------------------------------------------------------------------------------- registry

describe('registry and VIDEO_MODELS', () => {
	test('no retired model is live; Sora 2 is retired (2026-09-24) and handed to a live model', () => {
		const live = liveVideoModels();
		expect(live.length).toBeGreaterThan(10);
		expect(live.some((m) => m.retired || /sora/i.test(m.model) || m.provider === 'openai')).toBe(false);
		for (const tier of ['premium', 'standard', 'volume'] as const) expect(liveVideoModels({ tier }).every((m) => !m.retired)).toBe(true);
		const sora = VIDEO_MODELS.filter((m) => m.family === 'sora');
		expect(sora.map((m) => m.model).sort()).toEqual(['sora-2', 'sora-2-pro']);
		for (const s of sora) {
			expect(s).toMatchObject({ retired: true, retiredOn: '2026-09-24' });
			expect(findVideoModel(s.replacedBy!)).toMatchObject({ retired: false });
		}
		expect(() => createVideoProvider({ provider: 'openai' as never, apiKey: 'x' })).toThrow(/retired/);
	});

	test('entries are consistent: unique ids, sorted durations, every live remote model priced for each resolution and endpoint', () => {
		const ids = VIDEO_MODELS.map((m) => m.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const m of VIDEO_MODELS) {
			expect(m.id).toBe(`${m.provider}:${m.model}`);
			expect([...m.durations].sort((a, b) => a - b)).toEqual(m.durations);
			if (!m.offline) expect(Math.max(...m.durations)).toBe(m.maxDurationSeconds);
		}
		for (const m of liveVideoModels()) {
			for (const resolution of m.resolutions) {
				for (const model of [m.model, m.imageToVideoModel].filter(Boolean) as string[]) {
					const seconds = durationsAt(m, resolution)[0];
					expect(estimateCost({ provider: m.provider, model, resolution, usage: { seconds } }).amount).toBeGreaterThanOrEqual(0);
				}
			}
		}
		for (const img of IMAGE_MODELS) expect(estimateCost({ provider: img.provider, model: img.model, usage: { images: 1 } }).amount).toBeGreaterThanOrEqual(0);
	});

	test('catalogue entries are routable by the Model Router as they are', () => {
		const catalogue: readonly RoutableModel[] = VIDEO_MODELS;
		expect(catalogue.filter((m) => !m.retired).every((m) => m.durations.length > 0 && m.aspects.length > 0)).toBe(true);
		// Each seed route has a live model; the seed's "sora" route included.
		for (const route of ['sora', 'veo3', 'seedream', 'nano_b'] as const) {
			expect(liveVideoModels().filter((m) => !m.offline && m.seedRoutes.includes(route)).length).toBeGreaterThan(0);
		}
		expect(liveVideoModels({ style: 'hyper_realistic', tier: 'premium' }).map((m) => m.id)).toContain('gemini:veo-3.1-generate-001');
		expect(liveVideoModels({ imageToVideo: true, providers: ['fal'] }).every((m) => m.imageToVideoModel)).toBe(true);
	});

	test('catalogue durations agree with what each adapter plans', () => {
		const adapters: Record<string, { plan(r: VideoJobRequest): { durationSeconds: number } }> = {
			gemini: veo(),
			fal: falProvider(),
			byteplus: seedance(),
			kie: kieProvider(),
			local: new LocalVideoProvider({ workDir: join(dir, 'plan') }),
			// Library and stock scenes are rendered by the library generator (an exact-duration renderer).
			library: new LibraryVideoProvider({ workDir: join(dir, 'plan') }),
			pexels: new LibraryVideoProvider({ workDir: join(dir, 'plan') }),
			pixabay: new LibraryVideoProvider({ workDir: join(dir, 'plan') }),
		};
		for (const m of liveVideoModels()) {
			for (const resolution of m.resolutions) {
				const aspect = m.aspects[0];
				for (const d of durationsAt(m, resolution)) {
					expect({ id: m.id, resolution, d, planned: adapters[m.provider].plan(request({ model: m.model, durationSeconds: d, resolution, aspectRatio: aspect })).durationSeconds }).toEqual({
						id: m.id,
						resolution,
						d,
						planned: d,
					});
				}
			}
		}
	});

	test('createVideoProvider / createImageProvider build each adapter and name a missing key', async () => {
		expect(createVideoProvider({ provider: 'gemini', apiKey: 'k' })).toBeInstanceOf(GeminiVeoProvider);
		expect(createVideoProvider({ provider: 'fal', apiKey: 'k' })).toBeInstanceOf(FalVideoProvider);
		expect(createVideoProvider({ provider: 'byteplus', apiKey: 'k' })).toBeInstanceOf(BytePlusSeedanceProvider);
		expect(createVideoProvider({ provider: 'kie', apiKey: 'k' })).toBeInstanceOf(KieVideoProvider);
		expect(createVideoProvider({ provider: 'local' })).toBeInstanceOf(LocalVideoProvider);
		for (const provider of ['gemini', 'fal', 'byteplus', 'kie'] as const) {
			expect(() => createVideoProvider({ provider })).toThrow(expect.objectContaining({ field: 'apiKey' }));
		}
		expect(createImageProvider({ provider: 'gemini', apiKey: 'k' })).toBeInstanceOf(GeminiImageProvider);
		expect(createImageProvider({ provider: 'byteplus', apiKey: 'k' })).toBeInstanceOf(SeedreamImageProvider);
		expect(createImageProvider({ provider: 'local' })).toBeInstanceOf(LocalImageProvider);
		expect(() => createImageProvider({ provider: 'midjourney' as never })).toThrow(expect.objectContaining({ field: 'provider' }));
		// Through the registry, against the fake: base URLs plug in.
		const provider = createVideoProvider({ provider: 'byteplus', apiKey: KEY.byteplus, baseUrl: byteplus.baseUrl, allowPrivateNetwork: true });
		const sub = await provider.submit(request({ model: 'dreamina-seedance-2-0-fast-260128' }));
		expect((await pollUntilDone(provider, sub.jobId, '')).final.state).toBe('completed');
	});
});
