/**
 * What a media file really is, from ffprobe (`-v error -print_format json -show_format
 * -show_streams`), and a check that a clip matches what was asked for. ffprobe runs with an
 * argument array (no shell), so a path can hold any character.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';

export interface MediaInfo {
	/** Container duration (seconds); falls back to the longest stream. */
	durationSeconds: number;
	/** First video stream; 0 when there is none. */
	width: number;
	height: number;
	videoCodec: string | null;
	audioCodec: string | null;
	hasVideo: boolean;
	hasAudio: boolean;
	/** Average frame rate of the first video stream (e.g. 30, 23.976); 0 when unknown. */
	frameRate: number;
	/** Duration of the first video stream alone, when ffprobe reports it. */
	videoDurationSeconds: number | null;
	/** Pixel format of the first video stream (yuv420p…). */
	pixelFormat: string | null;
	formatName: string | null;
	sizeBytes: number;
}

export interface ProbeOptions {
	/** Default "ffprobe" (on PATH). */
	ffprobePath?: string;
	/** Default 60 s. */
	timeoutMs?: number;
}

/** ffprobe failed or the file is not media. */
export class MediaProbeError extends Error {
	constructor(
		message: string,
		readonly path: string,
	) {
		super(message);
		this.name = 'MediaProbeError';
	}
}

/** A clip that does not match what was asked for; `problems` lists every mismatch. */
export class ClipCheckError extends Error {
	constructor(
		readonly path: string,
		readonly problems: string[],
		readonly info: MediaInfo,
	) {
		super(`clip ${path} does not match: ${problems.join('; ')}`);
		this.name = 'ClipCheckError';
	}
}

/** Runs a program with an argument array; resolves stdout, rejects with stderr's tail. */
export function runTool(
	program: string,
	args: string[],
	opts: { timeoutMs?: number; signal?: AbortSignal; maxOutputBytes?: number } = {},
): Promise<{ stdout: string; stderr: string }> {
	const maxOut = opts.maxOutputBytes ?? 16 * 1024 * 1024;
	return new Promise((resolve, reject) => {
		const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal, windowsHide: true });
		const out: Buffer[] = [];
		let outBytes = 0;
		let err = '';
		let timedOut = false;
		const timer = opts.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					child.kill('SIGKILL');
				}, opts.timeoutMs)
			: undefined;
		child.stdout.on('data', (c: Buffer) => {
			outBytes += c.length;
			if (outBytes <= maxOut) out.push(c);
		});
		child.stderr.on('data', (c: Buffer) => {
			err = (err + c.toString('utf8')).slice(-8000);
		});
		child.on('error', (e: NodeJS.ErrnoException) => {
			clearTimeout(timer);
			reject(e.code === 'ENOENT' ? new Error(`${program} is not installed or not on PATH`) : e);
		});
		child.on('close', (code, sig) => {
			clearTimeout(timer);
			const stdout = Buffer.concat(out).toString('utf8');
			if (timedOut) reject(new Error(`${program} timed out after ${opts.timeoutMs} ms`));
			else if (code === 0) resolve({ stdout, stderr: err });
			else reject(new Error(`${program} exited with ${code ?? sig}: ${err.trim().split('\n').slice(-5).join(' | ') || '(no output)'}`));
		});
	});
}

interface FfprobeStream {
	codec_type?: string;
	codec_name?: string;
	width?: number;
	height?: number;
	avg_frame_rate?: string;
	r_frame_rate?: string;
	duration?: string;
	pix_fmt?: string;
	disposition?: { attached_pic?: number };
}

interface FfprobeOutput {
	streams?: FfprobeStream[];
	format?: { duration?: string; size?: string; format_name?: string };
}

function rate(text: string | undefined): number {
	if (!text) return 0;
	const [n, d] = text.split('/').map(Number);
	if (!Number.isFinite(n)) return 0;
	const r = d ? n / d : n;
	return Number.isFinite(r) ? Math.round(r * 1000) / 1000 : 0;
}

const num = (text: string | undefined): number | null => {
	const v = Number.parseFloat(text ?? '');
	return Number.isFinite(v) ? v : null;
};

/** Probes a local media file. Throws MediaProbeError when ffprobe cannot read it. */
export async function probeMedia(path: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
	let stdout: string;
	try {
		({ stdout } = await runTool(opts.ffprobePath ?? 'ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', path], {
			timeoutMs: opts.timeoutMs ?? 60_000,
		}));
	} catch (err) {
		throw new MediaProbeError(`cannot probe ${path}: ${(err as Error).message}`, path);
	}
	let parsed: FfprobeOutput;
	try {
		parsed = JSON.parse(stdout) as FfprobeOutput;
	} catch {
		throw new MediaProbeError(`ffprobe gave no readable output for ${path}`, path);
	}
	const streams = parsed.streams ?? [];
	// A cover image in an audio file is a "video" stream with attached_pic: not video.
	const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
	const audio = streams.find((s) => s.codec_type === 'audio');
	const streamMax = Math.max(0, ...streams.map((s) => num(s.duration) ?? 0));
	const durationSeconds = num(parsed.format?.duration) ?? streamMax;
	let sizeBytes = num(parsed.format?.size) ?? 0;
	if (!sizeBytes) sizeBytes = (await stat(path)).size;
	return {
		durationSeconds,
		width: video?.width ?? 0,
		height: video?.height ?? 0,
		videoCodec: video?.codec_name ?? null,
		audioCodec: audio?.codec_name ?? null,
		hasVideo: Boolean(video),
		hasAudio: Boolean(audio),
		frameRate: video ? rate(video.avg_frame_rate) || rate(video.r_frame_rate) : 0,
		videoDurationSeconds: num(video?.duration),
		pixelFormat: video?.pix_fmt ?? null,
		formatName: parsed.format?.format_name ?? null,
		sizeBytes,
	};
}

export interface ClipExpectation {
	minDuration?: number;
	maxDuration?: number;
	width?: number;
	height?: number;
	/** Default true: a clip needs a video stream. */
	requireVideo?: boolean;
	requireAudio?: boolean;
}

/**
 * Probes `path` and throws ClipCheckError listing every mismatch (no video stream, duration out of
 * range, wrong size); returns the probe when it matches.
 */
export async function checkClip(path: string, expect: ClipExpectation = {}, opts: ProbeOptions = {}): Promise<MediaInfo> {
	const info = await probeMedia(path, opts);
	const problems: string[] = [];
	if (expect.requireVideo !== false && !info.hasVideo) problems.push('it has no video stream');
	if (expect.requireAudio && !info.hasAudio) problems.push('it has no audio stream');
	if (expect.minDuration !== undefined && info.durationSeconds < expect.minDuration) {
		problems.push(`duration ${info.durationSeconds.toFixed(3)} s is under the minimum ${expect.minDuration} s`);
	}
	if (expect.maxDuration !== undefined && info.durationSeconds > expect.maxDuration) {
		problems.push(`duration ${info.durationSeconds.toFixed(3)} s is over the maximum ${expect.maxDuration} s`);
	}
	if ((expect.width !== undefined && info.width !== expect.width) || (expect.height !== undefined && info.height !== expect.height)) {
		problems.push(`size ${info.width}x${info.height} is not ${expect.width ?? info.width}x${expect.height ?? info.height}`);
	}
	if (problems.length) throw new ClipCheckError(path, problems, info);
	return info;
}
