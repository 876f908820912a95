/**
 * Real, distinct media for the stock fakes: each catalogue item gets its own clip or photo (a
 * different hue per id), so two stock ids are never the same bytes. Rendered once per id and
 * shape into the OS temp dir.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

const DIR = join(tmpdir(), 'bi-test-stock-v1');

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
	{ id: 1001, kind: 'video', tags: ['city', 'running', 'runner', 'street', 'night'], width: 360, height: 640, seconds: 4, author: 'Ana Lopez', slug: 'runner-on-a-city-street' },
	{ id: 1002, kind: 'video', tags: ['city', 'running', 'sunrise', 'bridge'], width: 640, height: 360, seconds: 6, author: 'Ben Okafor', slug: 'sunrise-run-over-a-bridge' },
	{ id: 1003, kind: 'video', tags: ['trail', 'running', 'mountain', 'forest'], width: 360, height: 640, seconds: 5, author: 'Chen Wei', slug: 'trail-runner-in-the-forest' },
	{ id: 1004, kind: 'video', tags: ['park', 'group', 'running', 'friends'], width: 360, height: 640, seconds: 4, author: 'Dara Singh', slug: 'friends-running-in-the-park' },
	{ id: 2001, kind: 'photo', tags: ['shoe', 'sneaker', 'running', 'product'], width: 1200, height: 1600, author: 'Eve Martin', slug: 'running-shoe-on-concrete' },
	{ id: 2002, kind: 'photo', tags: ['city', 'skyline', 'dusk', 'running'], width: 1600, height: 1000, author: 'Femi Adeyemi', slug: 'city-skyline-at-dusk' },
];

function ffmpeg(args: string[]): Promise<void> {
	return new Promise((resolve, reject) =>
		execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], (err, _o, stderr) => (err ? reject(new Error(`ffmpeg failed: ${stderr || err.message}`)) : resolve())),
	);
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
				const hue = (item.id * 47) % 360;
				if (item.kind === 'video') {
					await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${item.width}x${item.height}:r=25:d=${item.seconds ?? 4}`, '-vf', `hue=h=${hue}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', tmp]);
				} else {
					const r = Math.round(Math.min(item.width, item.height) * 0.2);
					const svg = `<svg width="${item.width}" height="${item.height}"><circle cx="${Math.round(item.width * 0.6)}" cy="${Math.round(item.height * 0.45)}" r="${r}" fill="hsl(${hue},80%,55%)"/></svg>`;
					await sharp({ create: { width: item.width, height: item.height, channels: 3, background: { r: 40, g: 50 + (item.id % 100), b: 70 } } })
						.composite([{ input: Buffer.from(svg) }])
						.jpeg({ quality: 82 })
						.toFile(tmp);
				}
				await rename(tmp, path);
				return path;
			})(),
		);
	}
	return pending.get(name)!;
}

/** Items matching a query: every query word among the item's tags (the way both APIs narrow). */
export function matching(items: StockItem[], kind: 'video' | 'photo', query: string): StockItem[] {
	const words = query.toLowerCase().split(/[\s+]+/).filter(Boolean);
	return items.filter((i) => i.kind === kind && words.length > 0 && words.some((w) => i.tags.includes(w)));
}
