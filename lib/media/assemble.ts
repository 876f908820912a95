/**
 * The FFmpeg Assembler: a timeline in, the 9:16 master plus its 16:9 and 1:1 versions and
 * thumbnails out. By default the timeline is cut in time into segments that independent ffmpeg
 * processes render side by side (one per core), each to one file per output, then joined by stream
 * copy with the audio rendered once (see buildSegmentPlan): ffmpeg 5.1 runs a filtergraph on one
 * thread, so one process, or a chain of processes joined by pipes, left cores idle, most of all on
 * a loaded machine. `pipeline: 'single'` keeps the one-process render.
 *
 *   1. validate the timeline (field-named errors) and probe every input (it exists and has the
 *      stream it is used for);
 *   2. write one ASS file per output (captions + terminal text laid out for that output) and the
 *      brand font into a private temporary folder;
 *   3. optional first loudness pass (audio only, no video decoded) when `loudness.twoPass`;
 *   4. run ffmpeg (argument arrays, never a shell) with `-progress pipe:1`; an abort, or a failure of
 *      one of the concurrent processes, kills them all;
 *   5. probe every output and check it: streams (H.264 + AAC), size, duration within 0.1 s of the
 *      timeline, |video − audio duration| < 0.1 s. Outputs are written under temporary names next to
 *      their destination and renamed only when valid, so a failed run leaves no half file behind;
 *   6. thumbnails: the frames ffmpeg extracted in the same run, made into JPEGs by sharp.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';

import { mapLimit } from '../domain/concurrency';
import { BrandInfinityError, ValidationError } from '../domain/errors';
import { buildAss } from './captions';
import {
	buildAssemblePlan,
	buildLoudnessAnalysisArgs,
	buildSegmentPlan,
	parseBenchmark,
	parseLoudnormJson,
	rangeFrames,
	type LoudnormMeasurement,
	type PlanOutput,
	type ProcessPlan,
	type SceneRange,
} from './filtergraph';
import { probeMedia, runTool, type MediaInfo } from './probe';
import { makeThumbnail, type ThumbnailInfo } from './thumbnails';
import { validateTimeline, type NormalizedTimeline, type OutputAspect, type Timeline } from './timeline';

export interface AssembleProgress {
	/** 0…1 of the timeline rendered. */
	fraction: number;
	outTimeSeconds: number;
	totalSeconds: number;
	/** ffmpeg's speed (× real time), when reported. */
	speed?: number;
	phase: 'loudness' | 'render' | 'validate' | 'thumbnails' | 'done';
}

export interface AssembleOptions {
	onProgress?: (p: AssembleProgress) => void;
	signal?: AbortSignal;
	ffmpegPath?: string;
	ffprobePath?: string;
	/** Parent of the private temporary folder (default: the OS temp dir). */
	tempDir?: string;
	/** Keep the temporary folder (ASS files, frames) for debugging. */
	keepTemp?: boolean;
	/** Allowed |actual − expected| for durations (default 0.1 s). */
	toleranceSeconds?: number;
	/**
	 * 'segments' (default): the timeline cut in time into segments rendered by independent processes,
	 * then joined by stream copy (see buildSegmentPlan). 'single': everything in one ffmpeg process.
	 */
	pipeline?: 'segments' | 'single';
	/** Cores this render may keep busy: segment processes at once (default: the machine's cores). */
	parallel?: number;
	/** Segments to cut the timeline into (default: 3 × parallel, at most one per scene). */
	segments?: number;
	/** x264 threads per encoder in the segments pipeline (default: the render's cores shared out among its encoders, at least 1). */
	encoderThreads?: number;
}

/** One ffmpeg process of a render, with what it cost (CPU and memory from ffmpeg's -benchmark). */
export interface AssembleProcess {
	role: ProcessPlan['role'] | 'single';
	/** A segment's scenes (segments pipeline). */
	range?: SceneRange;
	args: string[];
	filtergraph: string;
	wallSeconds: number;
	cpuSeconds: number | null;
	maxRssMb: number | null;
}

export interface AssembledOutput {
	aspect: OutputAspect;
	path: string;
	durationSeconds: number;
	videoDurationSeconds: number;
	audioDurationSeconds: number;
	width: number;
	height: number;
	sizeBytes: number;
}

export interface AssembleResult {
	outputs: AssembledOutput[];
	thumbnails: ThumbnailInfo[];
	/** Wall time of the ffmpeg runs (render + loudness analysis). */
	ffmpegSeconds: number;
	/** Every process's filtergraph, joined by ";\n" (segments pipeline: the audio's, then the segments'). */
	filtergraph: string;
	/** The arguments of the render's first ffmpeg process (the single process, or the first segment). */
	args: string[];
	/** The render's ffmpeg processes, in start order (the loudness analysis is not among them). */
	processes: AssembleProcess[];
	totalSeconds: number;
	loudness?: LoudnormMeasurement;
}

export type AssemblyFailure = 'ffmpeg_failed' | 'output_invalid' | 'aborted';

/** The render failed, was aborted, or produced an output that does not match the timeline. */
export class AssemblyError extends BrandInfinityError {
	constructor(
		readonly reason: AssemblyFailure,
		message: string,
		detail: Record<string, unknown> = {},
	) {
		super(reason === 'aborted' ? 'ABORTED' : 'MEDIA', message, { ...detail, reason });
	}
}

export interface OutputExpectation {
	width: number;
	height: number;
	durationSeconds: number;
	toleranceSeconds?: number;
}

export interface OutputCheck {
	info: MediaInfo;
	audioDurationSeconds: number | null;
	problems: string[];
}

/** Duration of the first audio stream (probe.ts reports the video stream's and the container's). */
export async function audioStreamDuration(path: string, ffprobePath = 'ffprobe'): Promise<number | null> {
	const { stdout } = await runTool(
		ffprobePath,
		['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=duration', '-of', 'default=noprint_wrappers=1:nokey=1', '--', path],
		{ timeoutMs: 60_000 },
	);
	const v = Number.parseFloat(stdout.trim());
	return Number.isFinite(v) ? v : null;
}

/**
 * Probes a rendered file and lists every way it differs from what the timeline asked for: missing
 * H.264 video or AAC audio, wrong size, duration off by `toleranceSeconds` or more (default 0.1),
 * or video and audio durations more than 0.1 s apart (audio-video sync).
 */
export async function checkOutput(path: string, expect: OutputExpectation, ffprobePath?: string): Promise<OutputCheck> {
	const tol = expect.toleranceSeconds ?? 0.1;
	const info = await probeMedia(path, { ffprobePath });
	const audioDurationSeconds = info.hasAudio ? await audioStreamDuration(path, ffprobePath) : null;
	const problems: string[] = [];
	if (!info.hasVideo) problems.push('no video stream');
	else if (info.videoCodec !== 'h264') problems.push(`video codec ${info.videoCodec}, expected h264`);
	if (!info.hasAudio) problems.push('no audio stream');
	else if (info.audioCodec !== 'aac') problems.push(`audio codec ${info.audioCodec}, expected aac`);
	if (info.width !== expect.width || info.height !== expect.height) {
		problems.push(`size ${info.width}x${info.height}, expected ${expect.width}x${expect.height}`);
	}
	const video = info.videoDurationSeconds ?? info.durationSeconds;
	if (Math.abs(info.durationSeconds - expect.durationSeconds) >= tol) {
		problems.push(`duration ${info.durationSeconds.toFixed(3)} s, expected ${expect.durationSeconds.toFixed(3)} s (±${tol})`);
	}
	if (info.hasVideo && Math.abs(video - expect.durationSeconds) >= tol) {
		problems.push(`video stream lasts ${video.toFixed(3)} s, expected ${expect.durationSeconds.toFixed(3)} s (±${tol})`);
	}
	if (audioDurationSeconds !== null && info.hasVideo && Math.abs(video - audioDurationSeconds) >= 0.1) {
		problems.push(`audio (${audioDurationSeconds.toFixed(3)} s) and video (${video.toFixed(3)} s) durations differ by 0.1 s or more`);
	}
	return { info, audioDurationSeconds, problems };
}

/** Every input file exists and has the stream it is used for; errors name the timeline field. */
async function checkInputs(t: NormalizedTimeline, ffprobePath?: string): Promise<void> {
	const media: { field: string; path: string; need: 'video' | 'audio' }[] = [
		...t.scenes.map((s, i) => ({ field: `scenes[${i}].path`, path: s.path, need: 'video' as const })),
		...(t.voiceover ? [{ field: 'voiceover.path', path: t.voiceover.path, need: 'audio' as const }] : []),
		...(t.music ? [{ field: 'music.path', path: t.music.path, need: 'audio' as const }] : []),
	];
	const plain = [
		...(t.lut ? [{ field: 'lut.path', path: t.lut.path }] : []),
		...(t.captions?.style.fontFile ? [{ field: 'captions.style.fontFile', path: t.captions.style.fontFile }] : []),
	];
	for (const f of [...media, ...plain]) {
		const st = await stat(f.path).catch(() => null);
		if (!st?.isFile()) throw new ValidationError(`${f.field}: no such file: ${f.path}`, f.field, { path: f.path });
	}
	await mapLimit(media, 4, async (m) => {
		let info: MediaInfo;
		try {
			info = await probeMedia(m.path, { ffprobePath });
		} catch (err) {
			throw new ValidationError(`${m.field}: not a readable media file (${(err as Error).message})`, m.field, { path: m.path });
		}
		if (m.need === 'video' && !info.hasVideo) throw new ValidationError(`${m.field}: has no video stream`, m.field, { path: m.path });
		if (m.need === 'audio' && !info.hasAudio) throw new ValidationError(`${m.field}: has no audio stream`, m.field, { path: m.path });
	});
}

function throwIfAborted(signal?: AbortSignal): void {
	if (signal?.aborted) throw new AssemblyError('aborted', 'the assembly was aborted');
}

interface FfmpegRun {
	seconds: number;
	stderr: string;
}

/**
 * Runs ffmpeg with an argument array, reading `-progress pipe:1` from stdout. Rejects with an
 * AssemblyError (stderr's tail in the detail); an abort kills the process.
 */
export function runFfmpeg(
	args: string[],
	opts: { ffmpegPath?: string; signal?: AbortSignal; totalSeconds: number; onProgress?: (p: AssembleProgress) => void; phase?: AssembleProgress['phase'] },
): Promise<FfmpegRun> {
	const started = process.hrtime.bigint();
	return new Promise((resolve, reject) => {
		if (opts.signal?.aborted) {
			reject(new AssemblyError('aborted', 'the assembly was aborted'));
			return;
		}
		const child = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
		let stderr = '';
		let pending = '';
		let aborted = false;
		const block: Record<string, string> = {};
		const onAbort = (): void => {
			aborted = true;
			child.kill('SIGKILL');
		};
		opts.signal?.addEventListener('abort', onAbort, { once: true });
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			pending += chunk;
			let nl: number;
			while ((nl = pending.indexOf('\n')) >= 0) {
				const line = pending.slice(0, nl).trim();
				pending = pending.slice(nl + 1);
				const eq = line.indexOf('=');
				if (eq <= 0) continue;
				const key = line.slice(0, eq);
				block[key] = line.slice(eq + 1);
				if (key === 'progress' && opts.onProgress) {
					// out_time_us (and, despite its name, out_time_ms) are microseconds.
					const us = Number(block.out_time_us ?? block.out_time_ms);
					const out = Number.isFinite(us) && us > 0 ? us / 1e6 : 0;
					const speed = Number.parseFloat(block.speed ?? '');
					opts.onProgress({
						fraction: block.progress === 'end' ? 1 : Math.min(1, out / Math.max(opts.totalSeconds, 1e-6)),
						outTimeSeconds: out,
						totalSeconds: opts.totalSeconds,
						speed: Number.isFinite(speed) ? speed : undefined,
						phase: opts.phase ?? 'render',
					});
				}
			}
		});
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (c: string) => {
			stderr = (stderr + c).slice(-64 * 1024);
		});
		child.on('error', (e: NodeJS.ErrnoException) => {
			opts.signal?.removeEventListener('abort', onAbort);
			reject(
				new AssemblyError('ffmpeg_failed', e.code === 'ENOENT' ? `${opts.ffmpegPath ?? 'ffmpeg'} is not installed or not on PATH` : e.message),
			);
		});
		child.on('close', (code, sig) => {
			opts.signal?.removeEventListener('abort', onAbort);
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			if (aborted) reject(new AssemblyError('aborted', 'the assembly was aborted; ffmpeg was killed', { seconds }));
			else if (code === 0) resolve({ seconds, stderr });
			else {
				const tail = stderr.trim().split('\n').slice(-12).join('\n');
				reject(new AssemblyError('ffmpeg_failed', `ffmpeg exited with ${code ?? sig}: ${tail.split('\n').slice(-3).join(' | ')}`, { stderr: tail }));
			}
		});
	});
}

type RunOptions = { ffmpegPath?: string; signal?: AbortSignal; totalSeconds: number; onProgress?: (p: AssembleProgress) => void };

async function runProcess(p: ProcessPlan, opts: RunOptions): Promise<AssembleProcess> {
	const run = await runFfmpeg(p.args, { ...opts, phase: 'render' });
	const bench = parseBenchmark(run.stderr);
	return { ...p, wallSeconds: run.seconds, cpuSeconds: bench?.cpuSeconds ?? null, maxRssMb: bench?.maxRssMb ?? null };
}

/**
 * Runs independent processes, `parallel` at a time, in order. When one fails the running ones are
 * killed and no other starts; the first failure is the error. `onProgress` hears the fraction of
 * the timeline's frames in finished segments.
 */
async function runQueued(plans: ProcessPlan[], parallel: number, frames: (p: ProcessPlan) => number, opts: RunOptions): Promise<AssembleProcess[]> {
	const stop = new AbortController();
	const onAbort = (): void => stop.abort();
	opts.signal?.addEventListener('abort', onAbort, { once: true });
	const total = plans.reduce((a, p) => a + frames(p), 0);
	let done = 0;
	// The failure that stopped the others (theirs are only "killed").
	let firstFailure: unknown;
	try {
		return await mapLimit(plans, parallel, async (p) => {
			try {
				const run = await runProcess(p, { ...opts, signal: stop.signal, onProgress: undefined });
				done += frames(p);
				if (total > 0) {
					opts.onProgress?.({ fraction: done / total, outTimeSeconds: (done / total) * opts.totalSeconds, totalSeconds: opts.totalSeconds, phase: 'render' });
				}
				return run;
			} catch (err) {
				if (!stop.signal.aborted) firstFailure ??= err;
				stop.abort();
				throw err;
			}
		});
	} catch (err) {
		if (opts.signal?.aborted) throw new AssemblyError('aborted', 'the assembly was aborted; ffmpeg was killed');
		throw firstFailure ?? err;
	} finally {
		opts.signal?.removeEventListener('abort', onAbort);
	}
}

function partialPath(finalPath: string): string {
	const ext = extname(finalPath);
	return join(dirname(finalPath), `.${basename(finalPath, ext)}.partial-${randomBytes(4).toString('hex')}${ext}`);
}

/** Renders a timeline. See the module comment for the steps. */
export async function assemble(timeline: Timeline, options: AssembleOptions = {}): Promise<AssembleResult> {
	const t = validateTimeline(timeline);
	const { signal, onProgress } = options;
	throwIfAborted(signal);
	await checkInputs(t, options.ffprobePath);
	throwIfAborted(signal);

	const tmp = await mkdtemp(join(options.tempDir ?? tmpdir(), 'bi-assemble-'));
	const partials: string[] = [];
	try {
		// One ASS per output, laid out for its own size and aspect.
		const assFiles = await Promise.all(
			t.outputs.map(async (o, k) => {
				const ass = buildAss({ aspect: o.aspect, width: o.width, height: o.height, totalSeconds: t.totalSeconds, captions: t.captions, terminal: t.terminal });
				if (!ass) return null;
				const file = join(tmp, `output-${k}.ass`);
				await writeFile(file, ass, 'utf8');
				return file;
			}),
		);
		let fontsDir: string | undefined;
		if (t.captions?.style.fontFile) {
			fontsDir = join(tmp, 'fonts');
			await mkdir(fontsDir);
			await copyFile(t.captions.style.fontFile, join(fontsDir, `brand${extname(t.captions.style.fontFile).toLowerCase()}`));
		}
		const framesDir = join(tmp, 'frames');
		if (t.thumbnails) await mkdir(framesDir);
		for (const o of t.outputs) await mkdir(dirname(o.path), { recursive: true });
		const outputPaths = t.outputs.map((o) => partialPath(o.path));
		partials.push(...outputPaths);

		let ffmpegSeconds = 0;
		let loudness: LoudnormMeasurement | undefined;
		const analysis = t.loudness.twoPass ? buildLoudnessAnalysisArgs(t) : null;
		if (analysis) {
			onProgress?.({ fraction: 0, outTimeSeconds: 0, totalSeconds: t.totalSeconds, phase: 'loudness' });
			const run = await runFfmpeg(analysis, { ffmpegPath: options.ffmpegPath, signal, totalSeconds: t.totalSeconds });
			ffmpegSeconds += run.seconds;
			try {
				loudness = parseLoudnormJson(run.stderr);
			} catch (err) {
				throw new AssemblyError('ffmpeg_failed', `loudness analysis: ${(err as Error).message}`);
			}
		}

		const planOptions = {
			assFiles,
			fontsDir,
			outputPaths,
			thumbnailPattern: t.thumbnails ? join(framesDir, 'frame-%03d.png') : undefined,
			loudness,
		};
		let plan: { outputs: PlanOutput[]; thumbnailFrames: number[] };
		let args: string[];
		let filtergraph: string;
		const processes: AssembleProcess[] = [];
		const pipeline = options.pipeline ?? 'segments';
		const run = { ffmpegPath: options.ffmpegPath, signal, totalSeconds: t.totalSeconds };
		const started = process.hrtime.bigint();
		if (pipeline === 'single') {
			const single = buildAssemblePlan(t, planOptions);
			const r = await runFfmpeg(single.args, { ...run, onProgress, phase: 'render' });
			processes.push({ role: 'single', args: single.args, filtergraph: single.filtergraph, wallSeconds: r.seconds, cpuSeconds: null, maxRssMb: null });
			({ args, filtergraph } = single);
			plan = single;
		} else {
			const parallel = Math.max(1, Math.floor(options.parallel ?? availableParallelism()));
			const segmentDir = join(tmp, 'segments');
			await mkdir(segmentDir);
			const segments = buildSegmentPlan(t, {
				...planOptions,
				audioPath: join(tmp, 'audio.m4a'),
				segmentDir,
				segments: options.segments ?? 3 * parallel,
				encoderThreads: options.encoderThreads,
				parallel,
			});
			const frames = (p: ProcessPlan): number => {
				if (!p.range) return 0;
				const { startFrame, endFrame } = rangeFrames(t, p.range);
				return endFrame - startFrame;
			};
			// Longest segments first, so the last to finish is a short one; the audio fills a gap.
			const queue = [...segments.segments].sort((a, b) => frames(b) - frames(a));
			processes.push(...(await runQueued([...queue, segments.audio], parallel, frames, { ...run, onProgress })));
			await Promise.all(segments.lists.map((l) => writeFile(l.path, l.text, 'utf8')));
			processes.push(await runProcess(segments.join, run));
			args = segments.segments[0].args;
			filtergraph = [segments.audio, ...segments.segments].map((p) => p.filtergraph).join(';\n');
			plan = segments;
		}
		ffmpegSeconds += Number(process.hrtime.bigint() - started) / 1e9;
		throwIfAborted(signal);

		onProgress?.({ fraction: 1, outTimeSeconds: t.totalSeconds, totalSeconds: t.totalSeconds, phase: 'validate' });
		const checks = await Promise.all(
			plan.outputs.map((o) =>
				checkOutput(o.path, { width: o.width, height: o.height, durationSeconds: t.totalSeconds, toleranceSeconds: options.toleranceSeconds }, options.ffprobePath),
			),
		);
		const bad = checks.map((c, k) => ({ output: k, aspect: t.outputs[k].aspect, problems: c.problems })).filter((c) => c.problems.length);
		if (bad.length) {
			throw new AssemblyError(
				'output_invalid',
				`rendered output does not match the timeline: ${bad.map((b) => `outputs[${b.output}] (${b.aspect}): ${b.problems.join('; ')}`).join(' / ')}`,
				{ outputs: bad },
			);
		}
		const outputs: AssembledOutput[] = [];
		for (let k = 0; k < t.outputs.length; k++) {
			await rename(outputPaths[k], t.outputs[k].path);
			const c = checks[k];
			outputs.push({
				aspect: t.outputs[k].aspect,
				path: t.outputs[k].path,
				durationSeconds: c.info.durationSeconds,
				videoDurationSeconds: c.info.videoDurationSeconds ?? c.info.durationSeconds,
				audioDurationSeconds: c.audioDurationSeconds ?? 0,
				width: c.info.width,
				height: c.info.height,
				sizeBytes: c.info.sizeBytes,
			});
		}
		partials.length = 0;

		const thumbnails: ThumbnailInfo[] = [];
		if (t.thumbnails) {
			onProgress?.({ fraction: 1, outTimeSeconds: t.totalSeconds, totalSeconds: t.totalSeconds, phase: 'thumbnails' });
			const th = t.thumbnails;
			await mkdir(th.dir, { recursive: true });
			for (let i = 0; i < th.atSeconds.length; i++) {
				const frame = Math.min(t.totalFrames - 1, Math.round(th.atSeconds[i] * t.fps));
				const index = plan.thumbnailFrames.indexOf(frame);
				const png = join(framesDir, `frame-${String(index + 1).padStart(3, '0')}.png`);
				if (!(await stat(png).catch(() => null))) {
					throw new AssemblyError('output_invalid', `thumbnails.atSeconds[${i}]: ffmpeg extracted no frame at ${th.atSeconds[i]} s`);
				}
				const dest = join(th.dir, `thumbnail-${String(i + 1).padStart(2, '0')}.jpg`);
				thumbnails.push({ ...(await makeThumbnail(png, dest, { width: th.width, height: th.height })), atSeconds: th.atSeconds[i] });
			}
		}
		onProgress?.({ fraction: 1, outTimeSeconds: t.totalSeconds, totalSeconds: t.totalSeconds, phase: 'done' });
		return { outputs, thumbnails, ffmpegSeconds, filtergraph, args, processes, totalSeconds: t.totalSeconds, loudness };
	} finally {
		await Promise.all(partials.map((p) => rm(p, { force: true })));
		if (!options.keepTemp) await rm(tmp, { recursive: true, force: true });
	}
}
