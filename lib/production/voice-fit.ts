/**
 * A voiceover fitted to its scenes (issue 11): each scene's line is spoken on its own, at a rate
 * within bounds (default 0.85–1.25×) chosen so it fills the scene, and placed at the scene's start;
 * the lines are mixed into one track exactly as long as the script, with word timings on that
 * track. The voice follows the cut, and a video never ends in seconds of silence because one long
 * take at a fixed pace ran out before the pictures did.
 *
 * Rate changes: a local voice (provider "local", free) is asked again at the new speed (Festival's
 * HTS resynthesises at that rate, espeak-ng changes words per minute), which sounds more natural
 * than stretching; a paid voice is never billed twice: its audio is time-stretched by ffmpeg's
 * `atempo` (pitch kept) and its word timings scaled the same way.
 *
 * Placement: a line starts `leadSeconds` into its scene, or just after the previous line when that
 * one ran over (a line may only run over when even the fastest rate cannot fit it). A line that
 * still does not fit at the end of the track is cut there and reported as `overflow_seconds`.
 *
 * The mix is one ffmpeg run (argument array, no shell): each line trimmed to its speech, stretched
 * when needed, delayed to its start, summed, padded and cut to the script's length.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ValidationError } from '../domain/errors';
import { n } from '../media/filtergraph';
import type { SpeechResult, TtsProvider, WordTiming } from '../providers/types';
import { partPathFor, runTool, speechBounds, type MediaTools } from '../providers/tts/alignment';

export const DEFAULT_SPEED_BOUNDS = { min: 0.85, max: 1.25 } as const;

export interface SceneLine {
	/** What is said over the scene (may be empty: the scene gets no voice). */
	text: string;
	durationSeconds: number;
	sequence?: number;
}

export interface FitOptions extends MediaTools {
	voice?: string;
	/** The caller's base speed (default 1); the fitted rate multiplies it. */
	speed?: number;
	minSpeed?: number;
	maxSpeed?: number;
	/** Where a line starts inside its scene. Default 0.15 s. */
	leadSeconds?: number;
	/** Room left after a line before the scene ends (a breath before the cut). Default 0.25 s. */
	tailSeconds?: number;
	/** A rate this close to 1 is left alone. Default 0.03. */
	toleranceRatio?: number;
	/** Parent of the private folder for the per-scene takes (default the OS temp dir). */
	tempDir?: string;
}

export interface FittedLine {
	sequence: number;
	text: string;
	/** Scene slot on the track. */
	slot_start: number;
	slot_end: number;
	/** Speech on the track. */
	start: number;
	end: number;
	/** The rate relative to the base speed (1 = as spoken). */
	rate: number;
	method: 'as-spoken' | 'resynthesised' | 'atempo';
	provider: string;
	model: string;
	/** Speech cut off at the end of the track (0 when it fits). */
	overflow_seconds: number;
}

export interface FittedSpeech extends SpeechResult {
	fit: FittedLine[];
}

interface Take {
	line: FittedLine;
	path: string;
	/** Speech inside the take's file. */
	from: number;
	to: number;
	atempo: number;
	words: WordTiming[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

async function speechSpan(r: SpeechResult, tools: MediaTools): Promise<{ from: number; to: number }> {
	const b = await speechBounds(r.path, { ...tools, durationSeconds: r.durationSeconds }).catch(() => null);
	return b ? { from: b.start, to: b.end } : { from: 0, to: r.durationSeconds };
}

/** Speaks each scene's line fitted to the scene and writes one track of the scenes' total length to `destPath` (.wav). */
export async function fitVoiceToScenes(tts: TtsProvider, lines: readonly SceneLine[], destPath: string, opts: FitOptions = {}): Promise<FittedSpeech> {
	if (!lines.length) throw new ValidationError('there are no scenes to voice', 'scenes');
	if (!destPath.toLowerCase().endsWith('.wav')) throw new ValidationError(`a fitted voiceover is written as .wav, not "${destPath}"`, 'destPath');
	const minSpeed = opts.minSpeed ?? DEFAULT_SPEED_BOUNDS.min;
	const maxSpeed = opts.maxSpeed ?? DEFAULT_SPEED_BOUNDS.max;
	if (!(minSpeed > 0 && minSpeed <= 1 && maxSpeed >= 1 && maxSpeed <= 4)) throw new ValidationError('speed bounds must satisfy 0 < min ≤ 1 ≤ max ≤ 4', 'minSpeed');
	const base = opts.speed !== undefined && Number.isFinite(opts.speed) && opts.speed > 0 ? opts.speed : 1;
	const lead = opts.leadSeconds ?? 0.15;
	const tail = opts.tailSeconds ?? 0.25;
	const tolerance = opts.toleranceRatio ?? 0.03;
	const tools: MediaTools = { ffmpegPath: opts.ffmpegPath, ffprobePath: opts.ffprobePath };
	const total = round(lines.reduce((a, l) => a + l.durationSeconds, 0));

	await mkdir(dirname(destPath), { recursive: true });
	const work = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'bi-voice-fit-'));
	try {
		const takes: Take[] = [];
		let slotStart = 0;
		let cursor = 0;
		for (const [k, l] of lines.entries()) {
			const slotEnd = slotStart + l.durationSeconds;
			const sequence = l.sequence ?? k + 1;
			const text = l.text.trim();
			if (text) {
				const file = join(work, `scene-${k}.wav`);
				let r = await tts.synthesize({ text, voice: opts.voice, speed: base }, file);
				let span = await speechSpan(r, tools);
				const start = Math.max(slotStart + lead, cursor);
				// The room is the slot; a line that already runs late may use the next scene's lead too.
				const room = Math.max(0.3, slotEnd - tail - start);
				const wanted = (span.to - span.from) / room;
				const rate = clamp(wanted, minSpeed, maxSpeed);
				let method: FittedLine['method'] = 'as-spoken';
				let atempo = 1;
				if (Math.abs(rate - 1) > tolerance) {
					if (r.provider === 'local') {
						const again = await tts.synthesize({ text, voice: opts.voice, speed: base * rate }, join(work, `scene-${k}-fitted.wav`));
						r = again;
						span = await speechSpan(again, tools);
						method = 'resynthesised';
					} else {
						atempo = rate;
						method = 'atempo';
					}
				}
				const spoken = (span.to - span.from) / atempo;
				const end = start + spoken;
				const shift = (t: number) => round(start + (clamp(t, span.from, span.to) - span.from) / atempo);
				const words = r.words.map((w) => ({ word: w.word, start: shift(w.start), end: shift(w.end) })).filter((w) => w.start < total);
				takes.push({
					path: r.path,
					from: span.from,
					to: span.to,
					atempo,
					words: words.map((w) => ({ ...w, end: Math.min(w.end, total) })),
					line: {
						sequence,
						text,
						slot_start: round(slotStart),
						slot_end: round(slotEnd),
						start: round(start),
						end: round(Math.min(end, total)),
						rate: round(method === 'resynthesised' ? rate : atempo),
						method,
						provider: r.provider,
						model: r.model,
						overflow_seconds: round(Math.max(0, end - total)),
					},
				});
				cursor = end + 0.12;
			}
			slotStart = slotEnd;
		}
		if (!takes.length) throw new ValidationError('no scene has a line to speak', 'voiceover_text');
		await mixTakes(takes, total, destPath, tools);
		const first = takes[0].line;
		return {
			path: destPath,
			provider: first.provider,
			model: first.model,
			durationSeconds: total,
			words: takes.flatMap((t) => t.words),
			wordsFrom: 'proportional',
			usage: { characters: takes.reduce((a, t) => a + Array.from(t.line.text).length, 0) },
			fit: takes.map((t) => t.line),
		};
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

/** ffmpeg arguments of the mix: each take trimmed to its speech, stretched, delayed, summed; the track cut to `total`. */
export function mixArgs(takes: readonly { path: string; from: number; to: number; atempo: number; start: number }[], total: number, out: string): string[] {
	const inputs = takes.flatMap((t) => ['-i', t.path]);
	const chains = takes.map((t, k) => {
		const stretch = Math.abs(t.atempo - 1) > 1e-6 ? `,atempo=${n(round(t.atempo))}` : '';
		const delay = Math.round(t.start * 1000);
		return (
			`[${k}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=mono,atrim=start=${n(round(t.from))}:end=${n(round(t.to))},` +
			`asetpts=PTS-STARTPTS${stretch},adelay=delays=${delay}:all=1[t${k}]`
		);
	});
	const labels = takes.map((_, k) => `[t${k}]`).join('');
	const sum = takes.length > 1 ? `${labels}amix=inputs=${takes.length}:duration=longest:dropout_transition=0:normalize=0` : `${labels}anull`;
	const graph = [...chains, `${sum},apad=whole_dur=${n(total)},atrim=duration=${n(total)}[voice]`].join(';');
	return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[voice]', '-c:a', 'pcm_s16le', '-ar', '48000', '-ac', '1', out];
}

async function mixTakes(takes: Take[], total: number, destPath: string, tools: MediaTools): Promise<void> {
	const part = partPathFor(destPath);
	try {
		await runTool(
			tools.ffmpegPath || 'ffmpeg',
			mixArgs(
				takes.map((t) => ({ path: t.path, from: t.from, to: t.to, atempo: t.atempo, start: t.line.start })),
				total,
				part,
			),
			{ tool: 'ffmpeg' },
		);
		await rename(part, destPath);
	} finally {
		await rm(part, { force: true });
	}
}
