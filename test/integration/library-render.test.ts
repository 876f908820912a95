/**
 * How the library generator frames what it is given, on real files with real ffmpeg and sharp:
 * a square product shot in the 9:16 master keeps the whole product (a cover crop would cut it off
 * at both ends), and a clip somewhat shorter than its scene plays through once, slowed, instead
 * of jumping back to its first frame.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { probeMedia, runTool } from '../../lib/media/probe';
import type { SceneSource } from '../../lib/providers/types';
import { LibraryVideoProvider } from '../../lib/providers/video/library';

const dir = mkdtempSync(join(tmpdir(), 'bi-librender-'));
const library = new LibraryVideoProvider({ workDir: join(dir, 'work'), renderScale: 0.5 });

async function render(name: string, source: SceneSource, seconds: number): Promise<string> {
	const job = await library.submit({ prompt: name, model: 'library-asset', durationSeconds: seconds, aspectRatio: '9:16', resolution: '720p', palette: ['#0A2540', '#FF6B00'], source });
	const done = await library.waitFor(job.jobId);
	return (await library.download(done, join(dir, `${name}.mp4`))).path;
}

async function frame(video: string, at: number): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
	const png = join(dir, `f-${Math.random().toString(36).slice(2)}.png`);
	await runTool('ffmpeg', ['-v', 'error', '-y', '-ss', at.toFixed(2), '-i', video, '-frames:v', '1', png]);
	const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
	return { data, width: info.width, height: info.height, channels: info.channels };
}

const isOrange = (f: { data: Buffer; width: number; channels: number }, x: number, y: number) => {
	const i = (y * f.width + x) * f.channels;
	return f.data[i] > 200 && f.data[i + 1] > 60 && f.data[i + 1] < 160 && f.data[i + 2] < 80;
};

test('a square product shot in 9:16 shows the whole product, from the first frame to the last of the push-in', async () => {
	// A "shoe": an orange bar across 10–90 % of a square navy photo.
	const photo = join(dir, 'wide-product.jpg');
	await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#0A2540' } })
		.composite([{ input: Buffer.from('<svg width="1200" height="1200"><rect x="120" y="540" width="960" height="120" fill="#FF6B00"/></svg>') }])
		.jpeg({ quality: 90 })
		.toFile(photo);
	const video = await render('square', { type: 'library_asset', kind: 'image', path: photo, width: 1200, height: 1200, focus: { x: 0.5, y: 0.5 }, motion: 'push_in' }, 4);
	for (const at of [0.05, 3.9]) {
		const f = await frame(video, at);
		const y = Math.round(f.height / 2);
		const orange = Array.from({ length: f.width }, (_, x) => isOrange(f, x, y));
		const first = orange.indexOf(true);
		const last = orange.lastIndexOf(true);
		// Both ends of the bar are inside the frame, with the ground beyond them.
		expect(first).toBeGreaterThan(0);
		expect(last).toBeLessThan(f.width - 1);
		expect(orange[0] || orange[f.width - 1]).toBe(false);
		// ...and the bar still spans most of the frame's width (not a thumbnail in the middle).
		expect((last - first) / f.width).toBeGreaterThan(0.6);
	}
}, 120_000);

test('a clip a little shorter than its scene plays once through, slowed, with no jump back to its start', async () => {
	// A white square crossing a black frame in 4 s: a loop would jump it back to the left edge.
	const clip = join(dir, 'crossing.mp4');
	await runTool('ffmpeg', [
		'-v', 'error', '-y',
		'-f', 'lavfi', '-i', 'color=c=black:s=360x640:r=25:d=4',
		'-f', 'lavfi', '-i', 'color=c=white:s=60x60:r=25:d=4',
		'-filter_complex', "[0:v][1:v]overlay=x='10+t*70':y=290:shortest=1,format=yuv420p",
		'-c:v', 'libx264', '-preset', 'ultrafast', clip,
	]);
	const video = await render('clip', { type: 'stock', kind: 'video', path: clip, width: 360, height: 640, duration_seconds: 4, focus: { x: 0.5, y: 0.5 } }, 5);
	expect((await probeMedia(video)).durationSeconds).toBeCloseTo(5, 1);
	// The square's left edge, sampled through the scene, only ever moves right.
	const xs: number[] = [];
	for (const at of [0.2, 1.2, 2.2, 3.2, 4.2, 4.9]) {
		const f = await frame(video, at);
		const y = Math.round(f.height * (320 / 640));
		let x = 0;
		while (x < f.width && f.data[(y * f.width + x) * f.channels] < 128) x++;
		xs.push(x);
	}
	for (let k = 1; k < xs.length; k++) expect(xs[k]).toBeGreaterThan(xs[k - 1]);
}, 120_000);
