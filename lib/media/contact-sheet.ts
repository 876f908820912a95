/**
 * A contact sheet of an assembled video (issue 11): one frame from the middle of every scene, for
 * each output format (9:16, 16:9, 1:1), tiled into one PNG by sharp, so a person sees the whole cut
 * at a glance. Rows are the formats, columns the scenes; each row is labelled with its format and
 * each frame with its scene number and time.
 *
 * Frames are read by ffmpeg with an input seek to the scene's middle (argument array, no shell)
 * into a private temporary folder, at most two at a time; labels are SVG text rendered by sharp (librsvg, DejaVu Sans).
 */
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { OverlayOptions } from 'sharp';

import { ValidationError } from '../domain/errors';
import { n } from './filtergraph';
import { runTool } from './probe';
import { loadSharp } from './sharp';

export interface ContactSheetInput {
	/** The rendered files, one row each (in this order). */
	outputs: { aspect: string; path: string }[];
	/** The scenes on the output timeline: one frame each, from its middle. */
	scenes: { startSeconds: number; durationSeconds: number; label?: string }[];
	/** Where the PNG goes. */
	dest: string;
	/** Height of every frame on the sheet, in pixels. Default 360. */
	frameHeight?: number;
	/** Sheet background, #RRGGBB. Default #111111. */
	background?: string;
	/** A title printed above the rows. */
	title?: string;
	ffmpegPath?: string;
}

export interface ContactSheet {
	path: string;
	width: number;
	height: number;
	rows: number;
	columns: number;
	/** The time each column's frames were taken at. */
	atSeconds: number[];
}

const GAP = 16;
const LABEL_W = 120;
const CAPTION_H = 34;
const TITLE_H = 56;

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

function textSvg(width: number, height: number, text: string, size: number, opts: { anchor?: 'start' | 'middle'; colour?: string; weight?: string } = {}): Buffer {
	const x = opts.anchor === 'middle' ? width / 2 : 8;
	return Buffer.from(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
			`<text x="${x}" y="${Math.round(height / 2 + size * 0.36)}" font-family="DejaVu Sans" font-size="${size}" font-weight="${opts.weight ?? 'normal'}" ` +
			`fill="${opts.colour ?? '#EEEEEE'}" text-anchor="${opts.anchor ?? 'start'}">${xml(text)}</text></svg>`,
	);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await fn(items[i]);
			}
		}),
	);
	return out;
}

/** One frame of a video at `t` seconds, scaled to `height`, written as a PNG file and read back. */
async function frameAt(path: string, t: number, height: number, file: string, ffmpegPath?: string): Promise<Buffer> {
	await runTool(
		ffmpegPath || 'ffmpeg',
		['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', n(Math.max(0, t)), '-i', path, '-frames:v', '1', '-vf', `scale=-2:${height}`, file],
		{ timeoutMs: 120_000 },
	);
	const png = await readFile(file).catch(() => null);
	if (!png?.length) throw new ValidationError(`no frame at ${t.toFixed(2)} s in ${path}`, 'outputs');
	return png;
}

/** Makes the sheet (see the module comment). */
export async function makeContactSheet(input: ContactSheetInput): Promise<ContactSheet> {
	if (!input.outputs.length) throw new ValidationError('a contact sheet needs at least one output', 'outputs');
	if (!input.scenes.length) throw new ValidationError('a contact sheet needs at least one scene', 'scenes');
	const sharp = await loadSharp();
	const h = input.frameHeight ?? 360;
	const atSeconds = input.scenes.map((s) => Math.round((s.startSeconds + s.durationSeconds / 2) * 1000) / 1000);
	const jobs = input.outputs.flatMap((o, r) => atSeconds.map((t, c) => ({ o, r, c, t })));
	const work = await mkdtemp(join(tmpdir(), 'bi-contact-sheet-'));
	let frames: Array<(typeof jobs)[number] & { png: Buffer; width: number }>;
	try {
		frames = await mapLimit(jobs, 2, async (j) => {
			const png = await frameAt(j.o.path, j.t, h, join(work, `r${j.r}-c${j.c}.png`), input.ffmpegPath);
			const meta = await sharp(png).metadata();
			return { ...j, png, width: meta.width ?? h };
		});
	} finally {
		await rm(work, { recursive: true, force: true });
	}
	// Every row as wide as its widest frame per column, so columns line up across formats.
	const colW = atSeconds.map((_, c) => Math.max(...frames.filter((f) => f.c === c).map((f) => f.width)));
	const rowH = h + CAPTION_H;
	const top = input.title ? TITLE_H : GAP;
	const width = LABEL_W + colW.reduce((a, w) => a + w + GAP, 0) + GAP;
	const height = top + input.outputs.length * (rowH + GAP);
	const composites: OverlayOptions[] = [];
	if (input.title) composites.push({ input: textSvg(width, TITLE_H, input.title, 26, { weight: 'bold' }), left: 0, top: 0 });
	input.outputs.forEach((o, r) => {
		const y = top + r * (rowH + GAP);
		composites.push({ input: textSvg(LABEL_W, h, o.aspect, 30, { weight: 'bold' }), left: GAP, top: y });
	});
	for (const f of frames) {
		const y = top + f.r * (rowH + GAP);
		const x0 = LABEL_W + colW.slice(0, f.c).reduce((a, w) => a + w + GAP, 0) + GAP;
		composites.push({ input: f.png, left: x0 + Math.round((colW[f.c] - f.width) / 2), top: y });
		const scene = input.scenes[f.c];
		const label = scene.label ?? `scene ${f.c + 1} · ${scene.startSeconds.toFixed(1)}–${(scene.startSeconds + scene.durationSeconds).toFixed(1)} s`;
		composites.push({ input: textSvg(colW[f.c], CAPTION_H, label, 18, { anchor: 'middle', colour: '#BBBBBB' }), left: x0, top: y + h });
	}
	await mkdir(dirname(input.dest), { recursive: true });
	const part = `${input.dest}.part-${process.pid}.png`;
	try {
		await sharp({ create: { width, height, channels: 3, background: input.background ?? '#111111' } })
			.composite(composites)
			.png({ compressionLevel: 8 })
			.toFile(part);
		await rename(part, input.dest);
	} finally {
		await rm(part, { force: true });
	}
	return { path: input.dest, width, height, rows: input.outputs.length, columns: atSeconds.length, atSeconds };
}
