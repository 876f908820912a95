/**
 * Word timings for speech that came without them (OpenAI, espeak-ng), and the audio measurements
 * the TTS adapters share: the duration of a file (ffprobe, or the WAV header) and where its speech
 * starts and ends (ffmpeg `silencedetect`).
 *
 * `proportionalAlignment` spreads the spoken time over the words by their length in letters and
 * digits, with a short pause after a comma-like mark and a longer one after a sentence end. It is
 * an estimate, good enough for word-by-word captions of one voice at one pace; a provider that
 * returns real timings (ElevenLabs with-timestamps) is always preferred.
 *
 * ffmpeg and ffprobe run with argument arrays (no shell); the file path is the only input.
 */
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';

import type { WordTiming } from '../types';

export interface AlignmentOptions {
	/**
	 * Measured speech bounds (from `speechBounds`): the words are spread over [start, end] instead
	 * of [0, duration], so leading and trailing silence gets no word.
	 */
	bounds?: { start: number; end: number } | null;
	/** Pause after , ; : and dashes, in letter-equivalents. Default 2. */
	commaPause?: number;
	/** Pause after . ! ? and …, in letter-equivalents. Default 4. */
	sentencePause?: number;
	/** Weight of a word without letters or digits (a lone dash, an emoji). Default 1. */
	minWordWeight?: number;
}

const SPOKEN = /[\p{L}\p{N}]/gu;
const SENTENCE_END = /[.!?…]["'”’)\]]*$/u;
const CLAUSE_END = /[,;:—–-]["'”’)\]]*$/u;

/** Milliseconds: what captions need, and it keeps the numbers readable. */
const round = (x: number) => Math.round(x * 1000) / 1000;

/** The words of a text the way captions show them: split on whitespace, punctuation kept on its word. */
export function splitWords(text: string): string[] {
	return text.split(/\s+/u).filter((w) => w.length > 0);
}

/**
 * Word timings by proportional alignment. Monotonic (each word starts at or after the previous
 * one's end), the first start is ≥ 0 (the speech start when bounds are given), and the last end
 * is exactly the duration (or the speech end).
 */
export function proportionalAlignment(text: string, durationSeconds: number, opts: AlignmentOptions = {}): WordTiming[] {
	const words = splitWords(text);
	if (words.length === 0 || !(durationSeconds > 0)) return [];
	const commaPause = opts.commaPause ?? 2;
	const sentencePause = opts.sentencePause ?? 4;
	const minWeight = opts.minWordWeight ?? 1;

	let from = 0;
	let to = durationSeconds;
	const b = opts.bounds;
	// Bounds are used only when they make sense inside the file; otherwise the whole file is spoken time.
	if (b && Number.isFinite(b.start) && Number.isFinite(b.end) && b.start >= 0 && b.end <= durationSeconds + 1e-6 && b.end - b.start > 0.05) {
		from = b.start;
		to = Math.min(b.end, durationSeconds);
	}

	const weights = words.map((w) => Math.max(minWeight, w.match(SPOKEN)?.length ?? 0));
	// The pause after each word; none after the last (the speech ends there).
	const pauses = words.map((w, i) => (i === words.length - 1 ? 0 : SENTENCE_END.test(w) ? sentencePause : CLAUSE_END.test(w) ? commaPause : 0));
	const total = weights.reduce((a, x) => a + x, 0) + pauses.reduce((a, x) => a + x, 0);
	const unit = (to - from) / total;

	const out: WordTiming[] = [];
	let t = from;
	let prevEnd = round(from);
	for (let i = 0; i < words.length; i++) {
		const start = Math.max(prevEnd, round(t));
		t += weights[i] * unit;
		const end = i === words.length - 1 ? round(to) : Math.max(start, round(t));
		out.push({ word: words[i], start, end });
		prevEnd = end;
		t += pauses[i] * unit;
	}
	// Exactly the end of the speech, unrounded, so "last end = duration" holds for any duration.
	out[out.length - 1].end = Math.max(out[out.length - 1].start, to);
	return out;
}

// ---------------------------------------------------------------------------------------- measuring

export interface MediaTools {
	/** Default "ffmpeg" (PATH). */
	ffmpegPath?: string;
	/** Default "ffprobe" (PATH). */
	ffprobePath?: string;
}

/** A media tool could not run (missing binary) or could not read the file. */
export class MediaToolError extends Error {
	constructor(
		message: string,
		readonly tool: string,
		/** The binary is not installed (or not at the configured path). */
		readonly missing: boolean,
	) {
		super(message);
		this.name = 'MediaToolError';
	}
}

/** Runs a tool with an argument array (never a shell); resolves stdout and stderr. */
export function runTool(bin: string, args: string[], opts: { timeoutMs?: number; tool?: string } = {}): Promise<{ stdout: string; stderr: string }> {
	const tool = opts.tool ?? bin;
	return new Promise((resolve, reject) => {
		execFile(bin, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
			if (err) {
				const code = (err as NodeJS.ErrnoException).code;
				if (code === 'ENOENT') return reject(new MediaToolError(`${tool} is not installed (looked for "${bin}")`, tool, true));
				const last = String(stderr ?? '')
					.trim()
					.split('\n')
					.slice(-3)
					.join(' | ');
				return reject(new MediaToolError(`${tool} failed${err.killed ? ' (timed out)' : ''}: ${last || err.message}`.slice(0, 600), tool, false));
			}
			resolve({ stdout: String(stdout), stderr: String(stderr) });
		});
	});
}

/** The duration of an audio or video file by ffprobe (container duration, else the first stream's). */
export async function probeDurationSeconds(path: string, tools: MediaTools = {}): Promise<number> {
	const { stdout } = await runTool(
		tools.ffprobePath || 'ffprobe',
		['-v', 'error', '-show_entries', 'format=duration:stream=duration', '-of', 'json', '--', path],
		{ tool: 'ffprobe', timeoutMs: 30_000 },
	);
	let parsed: { format?: { duration?: string }; streams?: { duration?: string }[] };
	try {
		parsed = JSON.parse(stdout) as typeof parsed;
	} catch {
		throw new MediaToolError('ffprobe printed no JSON', 'ffprobe', false);
	}
	const candidates = [parsed.format?.duration, ...(parsed.streams ?? []).map((s) => s.duration)];
	for (const c of candidates) {
		const d = Number.parseFloat(c ?? '');
		if (Number.isFinite(d) && d > 0) return d;
	}
	throw new MediaToolError(`ffprobe found no duration in ${path}`, 'ffprobe', false);
}

export interface WavInfo {
	sampleRate: number;
	channels: number;
	bitsPerSample: number;
	dataBytes: number;
	durationSeconds: number;
}

/**
 * Reads a WAV (RIFF/WAVE, PCM) header: the duration is the data chunk's size over the byte rate.
 * A streamed WAV whose sizes were never filled in (0 or 0xFFFFFFFF) is measured by the file size.
 * null when the file is not a WAV this can read.
 */
export async function readWavInfo(path: string): Promise<WavInfo | null> {
	const fh = await open(path, 'r');
	try {
		const { size } = await fh.stat();
		const head = Buffer.alloc(Math.min(size, 64 * 1024));
		await fh.read(head, 0, head.length, 0);
		if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
		let pos = 12;
		let fmt: { channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | null = null;
		while (pos + 8 <= head.length) {
			const id = head.toString('ascii', pos, pos + 4);
			const len = head.readUInt32LE(pos + 4);
			const body = pos + 8;
			if (id === 'fmt ' && body + 16 <= head.length) {
				fmt = {
					channels: head.readUInt16LE(body + 2),
					sampleRate: head.readUInt32LE(body + 4),
					blockAlign: head.readUInt16LE(body + 12),
					bitsPerSample: head.readUInt16LE(body + 14),
				};
			} else if (id === 'data') {
				if (!fmt || fmt.sampleRate <= 0 || fmt.blockAlign <= 0) return null;
				const available = size - body;
				const dataBytes = len === 0 || len === 0xffffffff || len > available ? available : len;
				const frames = Math.floor(dataBytes / fmt.blockAlign);
				return { ...fmt, dataBytes, durationSeconds: frames / fmt.sampleRate };
			}
			pos = body + len + (len % 2);
		}
		return null;
	} finally {
		await fh.close();
	}
}

/** WAV header for 16-bit little-endian PCM (what ElevenLabs' pcm_* formats and OpenAI's pcm send). */
export function wavHeader(dataBytes: number, sampleRate: number, channels = 1, bitsPerSample = 16): Buffer {
	const blockAlign = (channels * bitsPerSample) / 8;
	const h = Buffer.alloc(44);
	h.write('RIFF', 0, 'ascii');
	h.writeUInt32LE(36 + dataBytes, 4);
	h.write('WAVE', 8, 'ascii');
	h.write('fmt ', 12, 'ascii');
	h.writeUInt32LE(16, 16);
	h.writeUInt16LE(1, 20);
	h.writeUInt16LE(channels, 22);
	h.writeUInt32LE(sampleRate, 24);
	h.writeUInt32LE(sampleRate * blockAlign, 28);
	h.writeUInt16LE(blockAlign, 32);
	h.writeUInt16LE(bitsPerSample, 34);
	h.write('data', 36, 'ascii');
	h.writeUInt32LE(dataBytes, 40);
	return h;
}

export interface SpeechBounds {
	/** Seconds: where the first sound begins and the last one ends. */
	start: number;
	end: number;
	durationSeconds: number;
}

export interface SpeechBoundsOptions extends MediaTools {
	/** Measured already (saves a probe). */
	durationSeconds?: number;
	/** Below this level is silence. Default -40 dB (synthetic speech has a clean noise floor). */
	noiseDb?: number;
	/** Shortest silence that counts. Default 0.1 s. */
	minSilenceSeconds?: number;
}

/**
 * Where speech starts and ends in an audio file, by ffmpeg `silencedetect`: a silence that begins
 * at 0 moves the start to its end; a silence that runs to the end of the file moves the end to its
 * start. null when the file is silent throughout.
 */
export async function speechBounds(path: string, opts: SpeechBoundsOptions = {}): Promise<SpeechBounds | null> {
	const duration = opts.durationSeconds ?? (await probeDurationSeconds(path, opts));
	const noise = opts.noiseDb ?? -40;
	const minSilence = opts.minSilenceSeconds ?? 0.1;
	const { stderr } = await runTool(
		opts.ffmpegPath || 'ffmpeg',
		['-hide_banner', '-nostats', '-i', path, '-af', `silencedetect=noise=${noise}dB:d=${minSilence}`, '-f', 'null', '-'],
		{ tool: 'ffmpeg', timeoutMs: 120_000 },
	);
	const silences: { start: number; end?: number }[] = [];
	for (const line of stderr.split('\n')) {
		const s = /silence_start:\s*(-?[\d.]+)/.exec(line);
		if (s) silences.push({ start: Math.max(0, Number.parseFloat(s[1])) });
		const e = /silence_end:\s*([\d.]+)/.exec(line);
		if (e && silences.length > 0) silences[silences.length - 1].end = Number.parseFloat(e[1]);
	}
	const edge = 0.02;
	let start = 0;
	let end = duration;
	const first = silences[0];
	if (first && first.start <= edge) {
		if (first.end === undefined || first.end >= duration - edge) return null;
		start = first.end;
	}
	const last = silences[silences.length - 1];
	if (last && last.start > start && (last.end === undefined || last.end >= duration - edge)) end = last.start;
	if (!(end - start > 0.05)) return null;
	return { start: round(start), end: round(end), durationSeconds: duration };
}

// ---------------------------------------------------------------------------------------- files

export type AudioExtension = 'mp3' | 'wav' | 'flac' | 'opus' | 'aac';

/** The audio format a destination path asks for, by its extension (lower-cased, .ogg counts as opus). */
export function audioExtension(destPath: string): AudioExtension | null {
	const ext = /\.([A-Za-z0-9]+)$/.exec(destPath)?.[1]?.toLowerCase();
	if (ext === 'mp3' || ext === 'wav' || ext === 'flac' || ext === 'opus' || ext === 'aac') return ext;
	if (ext === 'ogg') return 'opus';
	return null;
}

/**
 * A sibling of `destPath` to write into before renaming over it, so a failed or interrupted
 * synthesis never leaves a partial file where the caller expects audio. Keeps the extension (the
 * media tools read the format from it).
 */
export function partPathFor(destPath: string): string {
	const dot = destPath.lastIndexOf('.');
	const tag = `.part-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
	return dot > destPath.lastIndexOf('/') ? `${destPath.slice(0, dot)}${tag}${destPath.slice(dot)}` : `${destPath}${tag}`;
}
