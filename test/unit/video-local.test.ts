/**
 * The local provider renders real clips with ffmpeg: exact duration, size per aspect and
 * resolution, H.264 yuv420p + AAC, at 24 or 30 fps; hostile prompt text and paths never break the
 * filtergraph; jobs survive a new provider instance; probe/checkClip report what a file is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValidationError } from '../../lib/domain/errors';
import { checkClip, ClipCheckError, probeMedia, runTool } from '../../lib/media/probe';
import { LocalImageProvider } from '../../lib/providers/image/local';
import type { VideoJobRequest } from '../../lib/providers/types';
import { escapeFilterValue, findFont, frameSize, LocalVideoProvider, paletteColours, wrapText } from '../../lib/providers/video/local';
import { testImage } from '../fakes/media-host';

jest.setTimeout(120_000);

let root: string;
beforeAll(() => {
	root = mkdtempSync(join(tmpdir(), 'bi-local-video-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOSTILE = `It's 100% "real": C:\\temp\\new; [0:v] {y}, a=b\nsecond line %{pts} \\n %{localtime} ' ; [x] \u0007bell\ttab`;

function req(over: Partial<VideoJobRequest>): VideoJobRequest {
	return { prompt: 'A bottle on a pedestal', model: 'local-ffmpeg', durationSeconds: 2, aspectRatio: '9:16', resolution: '720p', ...over };
}

async function render(provider: LocalVideoProvider, r: VideoJobRequest, name: string) {
	const sub = await provider.submit(r);
	const st = await provider.waitFor(sub.jobId);
	expect(st).toMatchObject({ state: 'completed', jobId: sub.jobId });
	const out = await provider.download(st, join(root, 'out', name));
	return { sub, st, out, info: await probeMedia(out.path) };
}

describe('LocalVideoProvider', () => {
	test('9:16 at 720p and 30 fps: exact duration and size, H.264 yuv420p with a silent AAC track', async () => {
		const provider = new LocalVideoProvider({ workDir: join(root, 'w1') });
		const sub = await provider.submit(req({ durationSeconds: 3, palette: ['#FF5500', '#112233'] }));
		expect(sub.plan).toMatchObject({ model: 'local-ffmpeg', durationSeconds: 3, aspectRatio: '9:16', resolution: '720p', notes: [] });
		expect(['queued', 'processing']).toContain((await provider.status(sub.jobId)).state);
		const st = await provider.waitFor(sub.jobId);
		expect(st).toMatchObject({ state: 'completed', usage: { seconds: 3 }, resultUrl: expect.stringMatching(/^file:\/\//) });
		const out = await provider.download(st, join(root, 'out', 'a.mp4'));
		expect(out).toMatchObject({ contentType: 'video/mp4', bytes: expect.any(Number) });
		const info = await probeMedia(out.path);
		expect(info).toMatchObject({ width: 720, height: 1280, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true, frameRate: 30, pixelFormat: 'yuv420p' });
		expect(info.videoDurationSeconds).toBeCloseTo(3, 3);
		expect(info.durationSeconds).toBeGreaterThanOrEqual(3);
		expect(info.durationSeconds).toBeLessThan(3.05);
		expect(info.sizeBytes).toBe(out.bytes);
	});

	test('16:9 and 1:1 at 1080p (half scale), 24 fps, fractional duration', async () => {
		const provider = new LocalVideoProvider({ workDir: join(root, 'w2'), fps: 24, renderScale: 0.5, maxConcurrent: 2 });
		const [wide, square] = await Promise.all([
			render(provider, req({ aspectRatio: '16:9', resolution: '1080p', durationSeconds: 2.5 }), 'wide.mp4'),
			render(provider, req({ aspectRatio: '1:1', resolution: '1080p', durationSeconds: 1.5 }), 'square.mp4'),
		]);
		expect(wide.info).toMatchObject({ width: 960, height: 540, frameRate: 24 });
		expect(wide.info.videoDurationSeconds).toBeCloseTo(2.5, 3);
		expect(square.info).toMatchObject({ width: 540, height: 540 });
		expect(square.info.videoDurationSeconds).toBeCloseTo(1.5, 3);
		expect(wide.sub.plan.notes).toContain('rendered at 0.5× size (renderScale)');
	});

	test('full-size frames: 9:16 1080p is 1080x1920, 16:9 720p is 1280x720', () => {
		expect(frameSize('9:16', '1080p')).toEqual({ width: 1080, height: 1920 });
		expect(frameSize('9:16', '720p')).toEqual({ width: 720, height: 1280 });
		expect(frameSize('16:9', '720p')).toEqual({ width: 1280, height: 720 });
		expect(frameSize('1:1', '1080p')).toEqual({ width: 1080, height: 1080 });
		expect(() => frameSize('4:3' as never, '720p')).toThrow(ValidationError);
	});

	test('hostile prompt text (quotes, colons, %, backslashes, ;, [ ], newlines, control characters) renders', async () => {
		expect(await findFont()).toEqual(expect.stringMatching(/\.(ttf|otf|ttc)$/));
		const provider = new LocalVideoProvider({ workDir: join(root, 'w3'), renderScale: 0.5 });
		const { info } = await render(provider, req({ prompt: HOSTILE, durationSeconds: 1 }), 'hostile.mp4');
		expect(info).toMatchObject({ width: 360, height: 640 });
	});

	test('a work dir with quotes, colons, %, ; , [ ] and spaces in its path renders (escaped file paths in the filtergraph)', async () => {
		const provider = new LocalVideoProvider({ workDir: join(root, "we'ird: dir %[x];,y"), renderScale: 0.25 });
		const { info } = await render(provider, req({ prompt: HOSTILE, durationSeconds: 1 }), 'weird.mp4');
		expect(info).toMatchObject({ width: 180, height: 320 });
	});

	test('escapeFilterValue makes any text a safe drawtext value; unescaped, the same text breaks ffmpeg', async () => {
		const font = (await findFont())!;
		const draw = (text: string) =>
			runTool('ffmpeg', [
				'-v',
				'error',
				'-f',
				'lavfi',
				'-i',
				'color=c=black:s=320x240:d=0.1',
				'-vf',
				`drawtext=fontfile=${escapeFilterValue(font)}:text=${text}:expansion=none:fontcolor=white`,
				'-frames:v',
				'1',
				'-f',
				'null',
				'-',
			]);
		for (const text of [HOSTILE, "'", ':', '\\', '%{pts}', ';', '[', ']', ',', "a'b:c\\d;e[f]g,h\ni"]) {
			await expect(draw(escapeFilterValue(text))).resolves.toBeDefined();
		}
		await expect(draw("it's: [broken]; yes")).rejects.toThrow(/ffmpeg exited/);
	});

	test('no font: the clip renders without text', async () => {
		const provider = new LocalVideoProvider({ workDir: join(root, 'w4'), fontFile: null, renderScale: 0.25 });
		const { info } = await render(provider, req({ durationSeconds: 1, aspectRatio: '16:9' }), 'nofont.mp4');
		expect(info).toMatchObject({ width: 320, height: 180 });
	});

	test('image-to-video pans over the input image at the requested shape', async () => {
		const png = await testImage(512, 512);
		const provider = new LocalVideoProvider({ workDir: join(root, 'w5'), renderScale: 0.5 });
		const { info, sub } = await render(provider, req({ imageUrl: `data:image/png;base64,${png.toString('base64')}`, durationSeconds: 2 }), 'i2v.mp4');
		expect(sub.plan.imageToVideo).toBe(true);
		expect(info).toMatchObject({ width: 360, height: 640, hasAudio: true });
		expect(info.videoDurationSeconds).toBeCloseTo(2, 3);
		await expect(provider.submit(req({ imageUrl: 'http://169.254.169.254/latest/meta-data' })).then((s) => provider.waitFor(s.jobId))).resolves.toMatchObject({
			state: 'failed',
			providerConfirmedFailure: true,
			error: expect.stringMatching(/private/),
		});
	});

	test('a new provider instance (another execution, a restart) sees finished jobs; unknown ids are confirmed failures', async () => {
		const workDir = join(root, 'w6');
		const first = new LocalVideoProvider({ workDir, renderScale: 0.25 });
		const sub = await first.submit(req({ durationSeconds: 1 }));
		await first.waitFor(sub.jobId);
		const second = new LocalVideoProvider({ workDir });
		expect(await second.status(sub.jobId)).toMatchObject({ state: 'completed', usage: { seconds: 1 } });
		expect(await second.status('local-00000000-0000-4000-8000-000000000000')).toMatchObject({ state: 'failed', providerConfirmedFailure: true });
		await expect(second.status('../../etc/passwd')).rejects.toThrow(ValidationError);
	});

	test('palette and text helpers', () => {
		expect(paletteColours(['#ff5500', 'nope', 'abc'])).toEqual(['0xFF5500', '0xAABBCC']);
		expect(paletteColours([])).toHaveLength(2);
		expect(wrapText('one two three four five six', 9, 10)).toBe('one two\nthree\nfour five\nsix');
		expect(wrapText('abcdefghijklmnop', 5, 10)).toBe('abcde\nfghij\nklmno\np');
		expect(wrapText('a b c d e f', 1, 3).split('\n')).toHaveLength(3);
		expect(wrapText('x\u0000y\r\nz', 10, 5)).toBe('x y\nz');
	});
});

describe('probe and checkClip', () => {
	test('checkClip passes a matching clip and lists every mismatch', async () => {
		const provider = new LocalVideoProvider({ workDir: join(root, 'w7'), renderScale: 0.25 });
		const { out } = await render(provider, req({ durationSeconds: 2 }), 'check.mp4');
		await expect(checkClip(out.path, { minDuration: 1.9, maxDuration: 2.1, width: 180, height: 320, requireAudio: true })).resolves.toMatchObject({ width: 180 });
		const err = (await checkClip(out.path, { minDuration: 5, width: 1080, height: 1920 }).catch((e: unknown) => e)) as ClipCheckError;
		expect(err).toBeInstanceOf(ClipCheckError);
		expect(err.problems).toEqual([expect.stringMatching(/under the minimum 5 s/), 'size 180x320 is not 1080x1920']);
		await expect(probeMedia(join(root, 'missing.mp4'))).rejects.toThrow(/cannot probe/);
	});
});

describe('LocalImageProvider', () => {
	test('a PNG still in the aspect asked for, as a data: URL', async () => {
		const provider = new LocalImageProvider({ renderScale: 0.25, workDir: join(root, 'img') });
		const img = await provider.generate({ prompt: HOSTILE, model: 'local-ffmpeg-still', aspectRatio: '9:16', palette: ['#00AA88'] });
		expect(img).toMatchObject({ provider: 'local', model: 'local-ffmpeg-still', usage: { images: 1 } });
		const png = Buffer.from(img.url.replace(/^data:image\/png;base64,/, ''), 'base64');
		expect(png.readUInt32BE(16)).toBe(270);
		expect(png.readUInt32BE(20)).toBe(480);
	});
});
