/**
 * Real, distinct media for the stock fakes, looking like the stock footage its tags describe
 * (stock-scenes.ts draws each shot): a clip is a moving shot built from SVG layers rendered by
 * sharp and animated by ffmpeg (each layer panning at its own speed for parallax, runners with a
 * run cycle crossing the frame, a slow push-in), H.264 in an mp4 at an HD size (720×1280 portrait,
 * 1280×720 landscape) so the library generator's 1080×1920 reframe is not blocky; a photo is the
 * still illustration as a JPEG. Deterministic, and two ids are never the same bytes. Rendered once
 * per item and size into the OS temp dir.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { photoSvg, videoShot, type Shot } from './stock-scenes';

/** v2: illustrated footage (v1 was ffmpeg's test pattern). */
const DIR = join(tmpdir(), 'bi-test-stock-v2');
const FPS = 25;

export interface StockItem {
	id: number;
	kind: 'video' | 'photo';
	tags: string[];
	width: number;
	height: number;
	/** Videos. */
	seconds?: number;
	author: string;
	slug: string;
}

/** The default catalogue: running, city, trail and park scenes in both shapes. */
export const DEFAULT_STOCK: StockItem[] = [
	{ id: 1001, kind: 'video', tags: ['city', 'running', 'runner', 'street', 'night'], width: 720, height: 1280, seconds: 4, author: 'Ana Lopez', slug: 'runner-on-a-city-street' },
	{ id: 1002, kind: 'video', tags: ['city', 'running', 'sunrise', 'bridge'], width: 1280, height: 720, seconds: 6, author: 'Ben Okafor', slug: 'sunrise-run-over-a-bridge' },
	{ id: 1003, kind: 'video', tags: ['trail', 'running', 'mountain', 'forest'], width: 720, height: 1280, seconds: 5, author: 'Chen Wei', slug: 'trail-runner-in-the-forest' },
	{ id: 1004, kind: 'video', tags: ['park', 'group', 'running', 'friends'], width: 720, height: 1280, seconds: 4, author: 'Dara Singh', slug: 'friends-running-in-the-park' },
	{ id: 2001, kind: 'photo', tags: ['shoe', 'sneaker', 'running', 'product'], width: 1200, height: 1600, author: 'Eve Martin', slug: 'running-shoe-on-concrete' },
	{ id: 2002, kind: 'photo', tags: ['city', 'skyline', 'dusk', 'running'], width: 1600, height: 1000, author: 'Femi Adeyemi', slug: 'city-skyline-at-dusk' },
];

function ffmpeg(args: string[]): Promise<void> {
	return new Promise((resolve, reject) =>
		execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { maxBuffer: 8 * 1024 * 1024 }, (err, _o, stderr) => (err ? reject(new Error(`ffmpeg failed: ${stderr || err.message}`)) : resolve())),
	);
}

const n3 = (v: number) => (Math.round(v * 1000) / 1000).toString();

/**
 * The filtergraph of a shot: every layer overlaid on a black canvas in order, its left edge
 * moving linearly over the shot (a still layer is one frame the overlay repeats; a figure is its
 * looping pose sequence), then the push-in: the frame scaled up a little more each frame about its
 * centre and cut back to size.
 */
export function shotFilter(shot: Shot): string {
	const D = shot.seconds;
	const parts: string[] = [];
	let last = '0:v';
	for (const [k, layer] of shot.layers.entries()) {
		const x = layer.x[0] === layer.x[1] ? n3(layer.x[0]) : `${n3(layer.x[0])}+${n3(layer.x[1] - layer.x[0])}*t/${n3(D)}`;
		parts.push(`[${last}][${k + 1}:v]overlay=x='${x}':y=${Math.round(layer.y)}:eof_action=repeat[l${k}]`);
		last = `l${k}`;
	}
	const grow = n3(shot.push - 1);
	parts.push(
		`[${last}]scale=w='2*trunc(${shot.width}*(1+${grow}*t/${n3(D)})/2)':h=-2:eval=frame:flags=bicubic,` +
			`crop=${shot.width}:${shot.height}:'(iw-${shot.width})/2':'(ih-${shot.height})/2',setsar=1,format=yuv420p[v]`,
	);
	return parts.join(';');
}

/** Renders a shot: its layers to PNG with sharp, the motion with ffmpeg, into `out` (an mp4). */
export async function renderShot(shot: Shot, out: string): Promise<void> {
	const dir = await mkdtemp(join(tmpdir(), 'bi-stock-layers-'));
	try {
		const inputs: string[] = ['-f', 'lavfi', '-i', `color=c=black:s=${shot.width}x${shot.height}:r=${FPS}:d=${shot.seconds}`];
		await Promise.all(
			shot.layers.map(async (layer, k) => {
				if (layer.kind === 'still') await sharp(Buffer.from(layer.svg)).png({ compressionLevel: 1 }).toFile(join(dir, `layer${k}.png`));
				else await Promise.all(layer.poses.map((svg, j) => sharp(Buffer.from(svg)).png({ compressionLevel: 1 }).toFile(join(dir, `pose${k}-${String(j).padStart(2, '0')}.png`))));
			}),
		);
		for (const [k, layer] of shot.layers.entries()) {
			if (layer.kind === 'still') inputs.push('-i', join(dir, `layer${k}.png`));
			else inputs.push('-framerate', String(layer.fps), '-loop', '1', '-i', join(dir, `pose${k}-%02d.png`));
		}
		await ffmpeg([
			...inputs,
			'-filter_complex',
			shotFilter(shot),
			'-map',
			'[v]',
			'-t',
			String(shot.seconds),
			'-r',
			String(FPS),
			'-c:v',
			'libx264',
			'-preset',
			'veryfast',
			'-crf',
			'20',
			'-pix_fmt',
			'yuv420p',
			'-movflags',
			'+faststart',
			out,
		]);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

const pending = new Map<string, Promise<string>>();

/** The file of a catalogue item (mp4 or jpg), rendered on first use. */
export function stockFile(item: StockItem): Promise<string> {
	const name = `${item.kind}-${item.id}-${item.width}x${item.height}${item.kind === 'video' ? `-${item.seconds ?? 4}s.mp4` : '.jpg'}`;
	const path = join(DIR, name);
	if (!pending.has(name)) {
		pending.set(
			name,
			(async () => {
				if (existsSync(path)) return path;
				await mkdir(DIR, { recursive: true });
				const tmp = `${path}.${process.pid}.tmp${item.kind === 'video' ? '.mp4' : '.jpg'}`;
				try {
					if (item.kind === 'video') await renderShot(videoShot(item), tmp);
					else await sharp(Buffer.from(photoSvg(item))).jpeg({ quality: 86 }).toFile(tmp);
					await rename(tmp, path);
				} finally {
					await rm(tmp, { force: true });
				}
				return path;
			})(),
		);
		pending.get(name)!.catch(() => pending.delete(name));
	}
	return pending.get(name)!;
}

/**
 * Renders every item's file now (one after another; cached), so a fake answers its first search
 * as fast as the real API instead of rendering footage inside a test. A cold cache takes a few
 * seconds per clip; the fakes call this when they start.
 */
export async function prepareStock(items: StockItem[]): Promise<void> {
	for (const item of items) await stockFile(item);
}

/** Items matching a query: every query word among the item's tags (the way both APIs narrow). */
export function matching(items: StockItem[], kind: 'video' | 'photo', query: string): StockItem[] {
	const words = query.toLowerCase().split(/[\s+]+/).filter(Boolean);
	return items.filter((i) => i.kind === kind && words.length > 0 && words.some((w) => i.tags.includes(w)));
}
