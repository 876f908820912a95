/**
 * The contact sheet (issue 11): real ffmpeg frames from real files, tiled by sharp. Three outputs
 * (9:16, 16:9, 1:1) of a video whose scenes are solid colours; the sheet has one row per format
 * and one column per scene, and the middle of every cell has that scene's colour.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { makeContactSheet } from '../../lib/media/contact-sheet';

jest.setTimeout(120_000);

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'bi-sheet-'));
});
afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

const COLOURS = [
	[255, 107, 0],
	[10, 37, 64],
	[40, 200, 90],
	[245, 245, 240],
];
const DURATIONS = [2, 1.5, 2.5, 2];

function video(name: string, w: number, h: number): string {
	const path = join(dir, `${name}.mp4`);
	const inputs = COLOURS.flatMap((c, k) => ['-f', 'lavfi', '-i', `color=c=0x${c.map((x) => x.toString(16).padStart(2, '0')).join('')}:s=${w}x${h}:r=30:d=${DURATIONS[k]}`]);
	const graph = `${COLOURS.map((_, k) => `[${k}:v]`).join('')}concat=n=${COLOURS.length}:v=1:a=0,format=yuv420p[v]`;
	const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', path], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(r.stderr);
	return path;
}

test('one row per format, one frame per scene from its middle, each cell showing its scene', async () => {
	const outputs = [
		{ aspect: '9:16', path: video('v', 180, 320) },
		{ aspect: '16:9', path: video('w', 320, 180) },
		{ aspect: '1:1', path: video('s', 240, 240) },
	];
	let t = 0;
	const scenes = DURATIONS.map((d) => {
		const s = { startSeconds: t, durationSeconds: d };
		t += d;
		return s;
	});
	const dest = join(dir, 'out', 'contact-sheet.png');
	const sheet = await makeContactSheet({ outputs, scenes, dest, frameHeight: 120, title: 'Stride · test' });
	expect(sheet).toMatchObject({ path: dest, rows: 3, columns: 4, atSeconds: [1, 2.75, 4.75, 7] });
	const { data, info } = await sharp(dest).removeAlpha().raw().toBuffer({ resolveWithObject: true });
	expect([info.width, info.height]).toEqual([sheet.width, sheet.height]);
	// Layout (contact-sheet.ts): title 56 px, rows of 120 + 34 px caption + 16 px gap; label column
	// 120 px; columns as wide as their widest frame (the 16:9 one: 213 px at 120 px high) + 16 px.
	const colW = 214;
	for (let r = 0; r < 3; r++) {
		for (let c = 0; c < 4; c++) {
			const x = 120 + 16 + c * (colW + 16) + Math.round(colW / 2);
			const y = 56 + r * (120 + 34 + 16) + 60;
			const i = (y * info.width + x) * 3;
			const got = [data[i], data[i + 1], data[i + 2]];
			COLOURS[c].forEach((v, k) => expect(Math.abs(got[k] - v)).toBeLessThan(24));
		}
	}
	await expect(makeContactSheet({ outputs: [], scenes, dest })).rejects.toThrow(/output/);
	await expect(makeContactSheet({ outputs, scenes: [], dest })).rejects.toThrow(/scene/);
});
