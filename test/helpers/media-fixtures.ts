/** Real media files for library tests: images drawn with sharp, clips and music encoded by ffmpeg. */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';

import { runTool } from '../../lib/media/probe';

/** A photo with one bright subject (a disc) off-centre on a plain background. */
export async function productPhoto(path: string, opts: { width?: number; height?: number; colour?: string; subjectAt?: [number, number] } = {}): Promise<string> {
	const width = opts.width ?? 1600;
	const height = opts.height ?? 1000;
	const [sx, sy] = opts.subjectAt ?? [0.75, 0.6];
	const r = Math.round(Math.min(width, height) * 0.15);
	const svg = `<svg width="${width}" height="${height}"><circle cx="${Math.round(sx * width)}" cy="${Math.round(sy * height)}" r="${r}" fill="${opts.colour ?? '#FF6B00'}"/></svg>`;
	await sharp({ create: { width, height, channels: 3, background: '#3A5F7F' } })
		.composite([{ input: Buffer.from(svg) }])
		.jpeg({ quality: 85 })
		.toFile(path);
	return path;
}

export async function logoPng(path: string): Promise<string> {
	const svg = '<svg width="800" height="240"><rect x="20" y="20" width="760" height="200" rx="60" fill="#FF6B00"/><rect x="80" y="90" width="640" height="60" fill="#F5F5F0"/></svg>';
	await sharp({ create: { width: 800, height: 240, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
		.composite([{ input: Buffer.from(svg) }])
		.png()
		.toFile(path);
	return path;
}

export async function clipMp4(path: string, seconds = 3, size = '640x360', codec: 'libx264' | 'ffv1' = 'libx264'): Promise<string> {
	await runTool('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:d=${seconds}`, '-c:v', codec, ...(codec === 'libx264' ? ['-pix_fmt', 'yuv420p', '-preset', 'ultrafast'] : []), path]);
	return path;
}

export async function musicM4a(path: string, seconds = 4): Promise<string> {
	await runTool('ffmpeg', ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=330:duration=${seconds}`, '-c:a', 'aac', '-b:a', '96k', path]);
	return path;
}

export function fontTtf(path: string): string {
	copyFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', path);
	return path;
}

/** The first part of a real JPEG: a corrupt image. */
export function truncated(src: string, path: string, keep = 0.4): string {
	const bytes = readFileSync(src);
	writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * keep)));
	return path;
}

/** A small brand folder: photos, a clip, a logo, a font, music and a media.json. */
export async function brandFolder(dir: string): Promise<string> {
	mkdirSync(dir, { recursive: true });
	await productPhoto(join(dir, 'trail-shoe.jpg'), { subjectAt: [0.7, 0.55] });
	await productPhoto(join(dir, 'city-runner.jpg'), { subjectAt: [0.3, 0.4], colour: '#F5F5F0' });
	await clipMp4(join(dir, 'park-loop.mp4'), 3);
	await logoPng(join(dir, 'stride-logo.png'));
	fontTtf(join(dir, 'brand-font.ttf'));
	await musicM4a(join(dir, 'music-bed.m4a'), 4);
	writeFileSync(join(dir, 'LICENSE'), 'Made for the tests; CC0.\n');
	writeFileSync(
		join(dir, 'media.json'),
		JSON.stringify({
			licence: 'CC0-1.0 (made by the test suite)',
			attribution: null,
			files: [
				{ file: 'trail-shoe.jpg', kind: 'image', tags: ['product', 'shoe', 'trail'], description: 'The Stride trail running shoe on wet rock, product shot' },
				{ file: 'city-runner.jpg', kind: 'image', tags: ['runner', 'city', 'street'], description: 'A runner on a city street at golden hour' },
				{ file: 'park-loop.mp4', kind: 'video', tags: ['park', 'running', 'group'], description: 'Runners in the park, a group run' },
				{ file: 'stride-logo.png', kind: 'logo', tags: ['logo'] },
				{ file: 'brand-font.ttf', kind: 'font', tags: ['headline'] },
			],
		}),
	);
	return dir;
}
