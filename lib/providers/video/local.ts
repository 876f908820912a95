/**
 * The offline video provider: ffmpeg renders a real clip of the requested duration and aspect (a
 * moving gradient in the brand palette with the prompt written on it, or a slow pan over the input
 * image for image-to-video), H.264 yuv420p + a silent AAC track, `+faststart`. It says what it is:
 * the clip carries a "local render" label and metadata, and `provider` is "local". Never a model.
 *
 * Jobs: `submit` starts the render in the background and returns at once; the output and a small
 * manifest live in `workDir` (default `<tmp>/brand-infinity-local-video`), so a new provider
 * instance (the next n8n execution, the poller) or a restarted process still finds the result.
 *
 * Safety: ffmpeg runs with an argument array (no shell). The prompt never enters the filtergraph:
 * drawtext reads it from a file (`textfile=`, `expansion=none`, so `%{…}` is not expanded); the
 * only strings in the filtergraph are file paths, escaped with `escapeFilterValue` for both levels
 * of ffmpeg's quoting. Palette colours are validated hex.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Semaphore } from '../../domain/concurrency';
import { ValidationError } from '../../domain/errors';
import { fetchSmallFile, sniffImageType } from '../../media/download';
import { runTool } from '../../media/probe';
import type { AspectRatio, Resolution, VideoJobRequest, VideoJobStatus, VideoProvider } from '../types';
import { assertVideoRequest, type PlannedSubmission, type PreparedImage, type VideoPlan } from './common';

export const LOCAL_VIDEO_MODEL = 'local-ffmpeg';
/** Brand Infinity's own colours, used when the brand gives none. */
export const DEFAULT_PALETTE = ['#0B1F3A', '#1F6FEB', '#00B894', '#FDCB6E'];
export const LOCAL_MAX_DURATION_SECONDS = 600;

const SIZES: Record<AspectRatio, Record<Resolution, [number, number]>> = {
	'9:16': { '720p': [720, 1280], '1080p': [1080, 1920], '4k': [2160, 3840] },
	'16:9': { '720p': [1280, 720], '1080p': [1920, 1080], '4k': [3840, 2160] },
	'1:1': { '720p': [720, 720], '1080p': [1080, 1080], '4k': [2160, 2160] },
};

/** Output size for an aspect and resolution (9:16 at 1080p is 1080x1920), scaled and kept even. */
export function frameSize(aspect: AspectRatio, resolution: Resolution, scale = 1): { width: number; height: number } {
	const row = SIZES[aspect];
	if (!row) throw new ValidationError(`unknown aspect ratio "${aspect}"; use 9:16, 16:9 or 1:1`, 'aspectRatio');
	const size = row[resolution];
	if (!size) throw new ValidationError(`unknown resolution "${resolution}"; use 720p, 1080p or 4k`, 'resolution');
	const even = (n: number) => Math.max(2, 2 * Math.round((n * scale) / 2));
	return { width: even(size[0]), height: even(size[1]) };
}

/**
 * Escapes a value for a filter option inside a filtergraph (`-filter_complex`, `-vf`): first the
 * option level (\ ' : get a backslash), then the graph level (\ ' [ ] , ; get one). See ffmpeg's
 * "Notes on filtergraph escaping".
 */
export function escapeFilterValue(value: string): string {
	const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
	return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** `#RRGGBB` / `RRGGBB` / `#RGB` → `0xRRGGBB`; anything else is dropped. At least two colours. */
export function paletteColours(palette?: string[]): string[] {
	const out: string[] = [];
	for (const raw of palette ?? []) {
		const hex = String(raw).trim().replace(/^#/, '');
		if (/^[0-9a-f]{6}$/i.test(hex)) out.push(`0x${hex.toUpperCase()}`);
		else if (/^[0-9a-f]{3}$/i.test(hex)) out.push(`0x${hex.replace(/./g, (c) => c + c).toUpperCase()}`);
	}
	const defaults = DEFAULT_PALETTE.map((c) => `0x${c.slice(1)}`);
	while (out.length < 2) out.push(defaults[out.length]);
	return out.slice(0, 8);
}

/** Control characters out, whitespace folded, words wrapped at `perLine`, at most `maxLines`. */
export function wrapText(text: string, perLine: number, maxLines: number): string {
	const lines: string[] = [];
	const paragraphs = text
		.replace(/\r\n?/g, '\n')
		// eslint-disable-next-line no-control-regex
		.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029]/g, ' ')
		.split('\n');
	for (const para of paragraphs) {
		let line = '';
		const flush = () => {
			if (line) lines.push(line);
			line = '';
		};
		for (const word of para.split(/\s+/).filter(Boolean)) {
			let chars = Array.from(word);
			while (chars.length > perLine) {
				flush();
				lines.push(chars.slice(0, perLine).join(''));
				chars = chars.slice(perLine);
			}
			if (!chars.length) continue;
			if (line && Array.from(line).length + 1 + chars.length > perLine) flush();
			line = line ? `${line} ${chars.join('')}` : chars.join('');
		}
		flush();
	}
	if (lines.length > maxLines) {
		const kept = lines.slice(0, maxLines);
		const last = Array.from(kept[maxLines - 1]);
		kept[maxLines - 1] = `${last.slice(0, Math.max(0, perLine - 1)).join('')}…`;
		return kept.join('\n');
	}
	return lines.join('\n');
}

const FONT_CANDIDATES = [
	'/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
	'/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
	'/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
	'/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf',
	'/usr/share/fonts/opentype/noto/NotoSans-Bold.ttf',
	'/System/Library/Fonts/Supplemental/Arial Bold.ttf',
	'C:\\Windows\\Fonts\\arialbd.ttf',
];

let fontLookup: Promise<string | null> | undefined;

/** A TrueType font file for drawtext: a known path, else `fc-match`; null when the system has none. */
export function findFont(): Promise<string | null> {
	fontLookup ??= (async () => {
		for (const f of FONT_CANDIDATES) {
			try {
				await access(f, fsConstants.R_OK);
				return f;
			} catch {
				// next candidate
			}
		}
		try {
			const { stdout } = await runTool('fc-match', ['-f', '%{file}', 'sans:bold'], { timeoutMs: 5000 });
			const file = stdout.trim();
			if (file && /\.(ttf|otf|ttc)$/i.test(file)) return file;
		} catch {
			// no fontconfig
		}
		return null;
	})();
	return fontLookup;
}

export interface LocalVideoOptions {
	/** Where clips and manifests live. Default `<os tmpdir>/brand-infinity-local-video`. */
	workDir?: string;
	/** Default "ffmpeg" on PATH. */
	ffmpegPath?: string;
	/** Default 30. */
	fps?: 24 | 30;
	/** Multiplies the output size (0 < s ≤ 1), e.g. 0.25 for fast tests. Default 1 (1080x1920 at 9:16 1080p). */
	renderScale?: number;
	/** Renders at a time; more wait as "queued". Default 1. */
	maxConcurrent?: number;
	/** A font for the prompt text; default: found on the system; null: no text. */
	fontFile?: string | null;
	/** Per render. Default 10 minutes. */
	timeoutMs?: number;
	/** Image inputs may be fetched from private addresses (tests). */
	allowPrivateNetwork?: boolean;
}

interface Manifest {
	jobId: string;
	state: 'processing' | 'failed';
	error?: string;
	durationSeconds: number;
	width: number;
	height: number;
	updatedAt: string;
}

interface LiveJob {
	state: 'queued' | 'processing' | 'completed' | 'failed';
	error?: string;
	done: Promise<void>;
}

/** The encode of one rendered clip: `seconds` long, H.264 + AAC mp4, labelled with `comment`. */
export function clipEncodeArgs(seconds: number, fps: number, comment: string): string[] {
	return ['-t', String(seconds), '-r', String(fps), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', '-metadata', `comment=${comment}`, '-f', 'mp4'];
}

/** Renders in this process, by output path: any provider instance sees them. */
const LIVE = new Map<string, LiveJob>();
const JOB_ID = /^(local|library)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const semaphores = new Map<string, Semaphore>();

export class LocalVideoProvider implements VideoProvider {
	/** The library generator (library.ts) shares this job machinery under its own name. */
	readonly name: string = 'local';
	protected readonly model: string = LOCAL_VIDEO_MODEL;
	readonly workDir: string;
	protected readonly ffmpeg: string;
	protected readonly fps: number;
	protected readonly scale: number;
	protected readonly timeoutMs: number;
	private readonly semaphore: Semaphore;

	constructor(protected readonly opts: LocalVideoOptions = {}) {
		this.workDir = resolve(opts.workDir ?? join(tmpdir(), 'brand-infinity-local-video'));
		this.ffmpeg = opts.ffmpegPath ?? 'ffmpeg';
		this.fps = opts.fps ?? 30;
		if (this.fps !== 24 && this.fps !== 30) throw new ValidationError('local video fps must be 24 or 30', 'fps');
		this.scale = opts.renderScale ?? 1;
		if (!(this.scale > 0 && this.scale <= 1)) throw new ValidationError('renderScale must be in (0, 1]', 'renderScale');
		this.timeoutMs = opts.timeoutMs ?? 600_000;
		const key = `${this.workDir}|${opts.maxConcurrent ?? 1}`;
		if (!semaphores.has(key)) semaphores.set(key, new Semaphore(Math.max(1, opts.maxConcurrent ?? 1)));
		this.semaphore = semaphores.get(key)!;
	}

	/** Exactly what will be rendered: the requested duration and aspect, at the configured scale. */
	plan(req: VideoJobRequest): VideoPlan {
		const notes: string[] = [];
		let duration = Math.round(req.durationSeconds * this.fps) / this.fps;
		if (duration > LOCAL_MAX_DURATION_SECONDS) {
			notes.push(`duration ${req.durationSeconds} s → ${LOCAL_MAX_DURATION_SECONDS} s (local limit)`);
			duration = LOCAL_MAX_DURATION_SECONDS;
		} else if (Math.abs(duration - req.durationSeconds) > 1e-9) {
			notes.push(`duration ${req.durationSeconds} s → ${duration} s (whole frames at ${this.fps} fps)`);
		}
		frameSize(req.aspectRatio, req.resolution, this.scale);
		if (this.scale !== 1) notes.push(`rendered at ${this.scale}× size (renderScale)`);
		return { model: this.model, durationSeconds: duration, aspectRatio: req.aspectRatio, resolution: req.resolution, imageToVideo: Boolean(req.imageUrl), notes };
	}

	/** The local renderer takes data: and http(s) images as they are: nothing to re-upload. */
	async prepareImageInput(image: string): Promise<PreparedImage> {
		return { imageUrl: image, reuploaded: false, note: 'local: data: and http(s) images are read directly' };
	}

	protected paths(jobId: string) {
		if (!JOB_ID.test(jobId)) throw new ValidationError(`not a local video job id: ${jobId.slice(0, 60)}`, 'jobId');
		const base = join(this.workDir, jobId);
		return { out: `${base}.mp4`, part: `${base}.part.mp4`, manifest: `${base}.json`, text: `${base}.txt`, label: `${base}.label.txt`, image: `${base}.image` };
	}

	async submit(req: VideoJobRequest): Promise<PlannedSubmission> {
		assertVideoRequest(req, this.name);
		const plan = this.plan(req);
		const { width, height } = frameSize(req.aspectRatio, req.resolution, this.scale);
		const jobId = `${this.name === 'local' ? 'local' : 'library'}-${randomUUID()}`;
		const p = this.paths(jobId);
		await mkdir(this.workDir, { recursive: true });
		const manifest: Manifest = { jobId, state: 'processing', durationSeconds: plan.durationSeconds, width, height, updatedAt: new Date().toISOString() };
		await writeFile(p.manifest, JSON.stringify(manifest));
		const live: LiveJob = { state: 'queued', done: Promise.resolve() };
		LIVE.set(p.out, live);
		live.done = (async () => {
			const release = await this.semaphore.acquire(() => (live.state = 'processing'));
			try {
				// Fresh timestamp: another process polling this work dir sees the render as alive.
				await writeFile(p.manifest, JSON.stringify({ ...manifest, updatedAt: new Date().toISOString() }));
				await this.render(req, plan, { width, height }, p);
				live.state = 'completed';
			} catch (err) {
				live.state = 'failed';
				live.error = `local render failed: ${(err as Error).message}`;
				await writeFile(p.manifest, JSON.stringify({ ...manifest, state: 'failed', error: live.error, updatedAt: new Date().toISOString() })).catch(() => undefined);
			} finally {
				release();
				await Promise.all([rm(p.part, { force: true }), rm(p.text, { force: true }), rm(p.label, { force: true }), rm(p.image, { force: true })]);
				// The output or the manifest now says how it ended: the disk is the record from here on.
				LIVE.delete(p.out);
			}
		})();
		return { jobId, plan, raw: { provider: this.name, model: this.model, width, height, fps: this.fps } };
	}

	protected async render(req: VideoJobRequest, plan: VideoPlan, size: { width: number; height: number }, p: ReturnType<LocalVideoProvider['paths']>): Promise<void> {
		const { width, height } = size;
		const d = plan.durationSeconds;
		const font = this.opts.fontFile === undefined ? await findFont() : this.opts.fontFile;
		const fontSize = Math.max(12, Math.round(Math.min(width, height) / 16));
		const perLine = Math.max(8, Math.floor((width * 0.84) / (fontSize * 0.62)));
		const colours = paletteColours(req.palette);
		const seed = Number.parseInt(jobSeed(req.prompt), 16);
		const inputs: string[] = [];
		let base: string;
		if (req.imageUrl) {
			const img = await fetchSmallFile(req.imageUrl, { allowPrivateNetwork: this.opts.allowPrivateNetwork, provider: this.name });
			if (!sniffImageType(img.bytes)) throw new Error('the input image is not PNG, JPEG, WebP or GIF');
			await writeFile(p.image, img.bytes);
			inputs.push('-loop', '1', '-framerate', String(this.fps), '-i', p.image);
			// Cover the frame, then pan slowly across the overflow.
			const sw = 2 * Math.ceil((width * 1.08) / 2);
			const sh = 2 * Math.ceil((height * 1.08) / 2);
			base = `[0:v]scale=${sw}:${sh}:force_original_aspect_ratio=increase,crop=${width}:${height}:(in_w-out_w)*t/${d}:(in_h-out_h)/2,setsar=1`;
		} else {
			inputs.push('-f', 'lavfi', '-i', `gradients=s=${width}x${height}:r=${this.fps}:${colours.map((c, i) => `c${i}=${c}`).join(':')}:n=${colours.length}:x0=0:y0=0:x1=${width}:y1=${height}:speed=0.015:seed=${seed}`);
			base = '[0:v]setsar=1';
		}
		inputs.push('-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000');
		const filters = [base];
		if (font) {
			const fontArg = escapeFilterValue(font);
			await writeFile(p.text, wrapText(req.prompt, perLine, req.imageUrl ? 3 : 7));
			await writeFile(p.label, 'LOCAL RENDER - not AI-generated');
			const y = req.imageUrl ? `h-text_h-${fontSize * 3}` : '(h-text_h)/2';
			filters.push(
				`drawtext=fontfile=${fontArg}:textfile=${escapeFilterValue(p.text)}:expansion=none:fontsize=${fontSize}:fontcolor=white:line_spacing=${Math.round(fontSize / 4)}:box=1:boxcolor=black@0.35:boxborderw=${Math.round(fontSize / 2)}:x=(w-text_w)/2:y=${y}`,
				`drawtext=fontfile=${fontArg}:textfile=${escapeFilterValue(p.label)}:expansion=none:fontsize=${Math.max(10, Math.round(fontSize / 2))}:fontcolor=white@0.85:x=(w-text_w)/2:y=h-text_h-${fontSize}`,
			);
		}
		filters.push('format=yuv420p[v]');
		const args = [
			'-hide_banner',
			'-nostdin',
			'-v',
			'error',
			'-y',
			...inputs,
			'-filter_complex',
			filters.join(','),
			'-map',
			'[v]',
			'-map',
			'1:a',
			...clipEncodeArgs(d, this.fps, 'Brand Infinity local render (ffmpeg), not AI-generated'),
			p.part,
		];
		await runTool(this.ffmpeg, args, { timeoutMs: this.timeoutMs });
		await rename(p.part, p.out);
	}

	async status(jobId: string): Promise<VideoJobStatus> {
		const p = this.paths(jobId);
		const live = LIVE.get(p.out);
		if (live && (live.state === 'queued' || live.state === 'processing')) return { state: live.state, jobId, raw: { provider: this.name } };
		if (live?.state === 'failed') return { state: 'failed', jobId, error: live.error, providerConfirmedFailure: true };
		try {
			await stat(p.out);
			const manifest = await readManifest(p.manifest);
			return {
				state: 'completed',
				jobId,
				resultUrl: pathToFileURL(p.out).toString(),
				usage: manifest ? { seconds: manifest.durationSeconds } : undefined,
				progress: 100,
				raw: { provider: this.name, model: this.model },
			};
		} catch {
			// not rendered (yet)
		}
		const manifest = await readManifest(p.manifest);
		if (!manifest) return { state: 'failed', jobId, providerConfirmedFailure: true, error: `${this.name}: no job ${jobId} in ${this.workDir}` };
		if (manifest.state === 'failed') return { state: 'failed', jobId, providerConfirmedFailure: true, error: manifest.error };
		// Rendering in another process, or interrupted when its process ended.
		const age = Date.now() - Date.parse(manifest.updatedAt);
		if (age < this.timeoutMs) return { state: 'processing', jobId, raw: { provider: this.name } };
		return { state: 'failed', jobId, providerConfirmedFailure: true, error: 'local: the render was interrupted (its process ended); submit again' };
	}

	/** Copies the finished clip (from this provider's work dir, by job id; the URL is not trusted). */
	async download(status: VideoJobStatus, destPath: string): Promise<{ path: string; bytes: number; contentType: string | null }> {
		const p = this.paths(status.jobId);
		const live = LIVE.get(p.out);
		if (live) await live.done;
		try {
			await stat(p.out);
		} catch {
			throw new ValidationError(`local job ${status.jobId} has no finished clip (state ${status.state})`, 'jobId');
		}
		await mkdir(resolve(destPath, '..'), { recursive: true });
		if (resolve(destPath) !== p.out) await copyFile(p.out, destPath);
		const { size } = await stat(destPath);
		return { path: destPath, bytes: size, contentType: 'video/mp4' };
	}

	/** Waits for a render started by this process (tests, the demo). */
	async waitFor(jobId: string): Promise<VideoJobStatus> {
		await LIVE.get(this.paths(jobId).out)?.done;
		return this.status(jobId);
	}
}

async function readManifest(path: string): Promise<Manifest | null> {
	try {
		return JSON.parse(await readFile(path, 'utf8')) as Manifest;
	} catch {
		return null;
	}
}

/** Eight hex digits from the prompt: the same prompt paints the same gradient. */
function jobSeed(prompt: string): string {
	let h = 0x811c9dc5;
	for (const ch of prompt) {
		h ^= ch.codePointAt(0)!;
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16).padStart(8, '0');
}

/**
 * One still frame (PNG) in the same style: the local image provider's renderer. Returns the PNG
 * bytes. Same escaping rules as the clips.
 */
export async function renderLocalStill(opts: {
	prompt: string;
	width: number;
	height: number;
	palette?: string[];
	ffmpegPath?: string;
	fontFile?: string | null;
	workDir?: string;
}): Promise<Buffer> {
	const dir = resolve(opts.workDir ?? join(tmpdir(), 'brand-infinity-local-image'));
	await mkdir(dir, { recursive: true });
	const id = randomUUID();
	const out = join(dir, `${id}.png`);
	const textFile = join(dir, `${id}.txt`);
	const font = opts.fontFile === undefined ? await findFont() : opts.fontFile;
	const colours = paletteColours(opts.palette);
	const fontSize = Math.max(12, Math.round(Math.min(opts.width, opts.height) / 16));
	const perLine = Math.max(8, Math.floor((opts.width * 0.84) / (fontSize * 0.62)));
	const filters = ['[0:v]setsar=1'];
	try {
		if (font) {
			await writeFile(textFile, wrapText(opts.prompt, perLine, 7));
			filters.push(
				`drawtext=fontfile=${escapeFilterValue(font)}:textfile=${escapeFilterValue(textFile)}:expansion=none:fontsize=${fontSize}:fontcolor=white:box=1:boxcolor=black@0.35:boxborderw=${Math.round(fontSize / 2)}:x=(w-text_w)/2:y=(h-text_h)/2`,
			);
		}
		filters.push('format=rgb24[v]');
		const seed = Number.parseInt(jobSeed(opts.prompt), 16);
		await runTool(
			opts.ffmpegPath ?? 'ffmpeg',
			[
				'-hide_banner',
				'-nostdin',
				'-v',
				'error',
				'-y',
				'-f',
				'lavfi',
				'-i',
				`gradients=s=${opts.width}x${opts.height}:${colours.map((c, i) => `c${i}=${c}`).join(':')}:n=${colours.length}:x0=0:y0=0:x1=${opts.width}:y1=${opts.height}:seed=${seed}`,
				'-filter_complex',
				filters.join(','),
				'-map',
				'[v]',
				'-frames:v',
				'1',
				'-f',
				'image2',
				'-c:v',
				'png',
				out,
			],
			{ timeoutMs: 60_000 },
		);
		return await readFile(out);
	} finally {
		await Promise.all([rm(out, { force: true }), rm(textFile, { force: true })]);
	}
}
