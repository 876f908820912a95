/**
 * The Assembler's input: scenes fitted to the script's durations, voiceover, music, captions,
 * brand LUT, terminal overlays (seed 001) and the outputs to render. `validateTimeline` checks the
 * shape and ranges (errors name the field, e.g. `scenes[2].durationSeconds`) and fills the
 * defaults; it does not touch the file system (assemble() checks that the files exist).
 *
 * Timing model. Scene i lasts `durationSeconds` on the output timeline, starting at the sum of the
 * durations before it, so the output lasts exactly the sum of the scene durations — the script's
 * duration, to which the voiceover and the word timings are aligned. A transition into scene i
 * (`scenes[i].transition`, i ≥ 1; ignored on the first scene) starts at scene i's start and
 * takes `transitionSeconds` of extra footage from the end of scene i−1: the previous clip is fitted
 * to its duration plus that overlap (trimmed, or padded by repeating its last frame when the clip is
 * too short). In xfade terms, offset_i = (length of the chain so far) − overlap_i = start of scene i.
 */
import type { WordTiming } from '../providers/types';
import { ValidationError } from '../domain/errors';

export type Transition = 'fade' | 'wipeleft' | 'slideup' | 'dissolve' | 'none';
export type OutputAspect = '9:16' | '16:9' | '1:1';
export type TerminalEffect = 'typing' | 'glitch' | 'static' | 'cursor';
export type X264Preset =
	| 'ultrafast'
	| 'superfast'
	| 'veryfast'
	| 'faster'
	| 'fast'
	| 'medium'
	| 'slow'
	| 'slower'
	| 'veryslow';

export interface CaptionStyle {
	/** Font family name as fontconfig / the font file knows it (e.g. "DejaVu Sans"). */
	fontName: string;
	/** A .ttf/.otf file holding `fontName`; handed to libass through a fonts directory. */
	fontFile?: string;
	/** Text colour, #RRGGBB. */
	primaryColour: string;
	/** Colour of the spoken word (highlight) or of the sung part (karaoke), #RRGGBB. */
	highlightColour: string;
	outlineColour: string;
	/** Pixels on a frame whose short side is 1080 (scaled per output). Default 64. */
	fontSize?: number;
	/** 'highlight': only the spoken word takes the highlight colour (default). 'karaoke': `\k` fill, spoken words stay highlighted. */
	mode?: 'highlight' | 'karaoke';
}

export interface TimelineScene {
	path: string;
	durationSeconds: number;
	/** Transition INTO this scene from the previous one (ignored on the first scene). Default 'none' (a cut). */
	transition?: Transition;
	/** Default 0.5 s when a transition is set. */
	transitionSeconds?: number;
}

export interface TimelineOutput {
	aspect: OutputAspect;
	width: number;
	height: number;
	/** .mp4 or .mov */
	path: string;
}

export interface Timeline {
	scenes: TimelineScene[];
	voiceover?: { path: string; words?: WordTiming[] };
	/** Looped to the timeline's length and ducked under the voice. gainDb default −10 (before ducking). */
	music?: { path: string; gainDb?: number };
	/** Word-timed captions; an empty `words` uses `voiceover.words`. */
	captions?: { words: WordTiming[]; style: CaptionStyle };
	/** A .cube 3D LUT applied to the master (once, before the per-aspect reframes). */
	lut?: { path: string };
	/** Terminal-style overlays (seed 001). Shown from startSeconds (default 0.2) to endSeconds (default: end of the first scene). */
	terminal?: {
		effects: TerminalEffect[];
		text?: string;
		startSeconds?: number;
		endSeconds?: number;
		/** #RRGGBB, default #33FF66 (phosphor green). */
		colour?: string;
	};
	outputs: TimelineOutput[];
	thumbnails?: { atSeconds: number[]; width: number; height: number; dir: string };
	/** Background of the 16:9 reframe around the 9:16 master: 'blur' (default; blurred low-res copy, upscaled) or 'colour' (pad with `backgroundColour`). */
	background?: 'blur' | 'colour';
	backgroundColour?: string;
	/**
	 * Integrated loudness target (default −14 LUFS, true peak −1.5 dBTP). twoPass (default true): an
	 * audio-only first pass measures the mix, then loudnorm applies one linear gain (falling back to its
	 * dynamic mode only when that gain would break the true-peak limit). twoPass false: one dynamic
	 * loudnorm pass, no analysis, but short videos can land 1–2 LU off the target.
	 */
	loudness?: { targetLufs?: number; truePeakDb?: number; twoPass?: boolean };
	fps?: number;
	crf?: number;
	preset?: X264Preset;
}

export interface NormalizedScene {
	path: string;
	durationSeconds: number;
	transition: Transition;
	transitionSeconds: number;
	/** Start on the output timeline. */
	startSeconds: number;
	/** Length the clip is fitted to: its duration plus the overlap of the transition into the next scene. */
	clipSeconds: number;
	/** The same in frames at the timeline's fps (what the filtergraph uses, so no rounding drifts). */
	startFrame: number;
	frames: number;
	transitionFrames: number;
	clipFrames: number;
}

export interface NormalizedTimeline {
	scenes: NormalizedScene[];
	voiceover?: { path: string; words: WordTiming[] };
	music?: { path: string; gainDb: number };
	captions?: { words: WordTiming[]; style: Required<Omit<CaptionStyle, 'fontFile'>> & { fontFile?: string } };
	lut?: { path: string };
	terminal?: { effects: TerminalEffect[]; text: string; startSeconds: number; endSeconds: number; colour: string };
	outputs: TimelineOutput[];
	thumbnails?: { atSeconds: number[]; width: number; height: number; dir: string };
	background: 'blur' | 'colour';
	backgroundColour: string;
	loudness: { targetLufs: number; truePeakDb: number; twoPass: boolean };
	fps: number;
	crf: number;
	preset: X264Preset;
	/** Sum of the scene durations, rounded to whole frames: the length of every output. */
	totalSeconds: number;
	totalFrames: number;
	/** The master canvas (9:16) every scene is scaled and cropped to. */
	master: { width: number; height: number };
}

export const TRANSITIONS: readonly Transition[] = ['fade', 'wipeleft', 'slideup', 'dissolve', 'none'];
export const ASPECTS: readonly OutputAspect[] = ['9:16', '16:9', '1:1'];
export const TERMINAL_EFFECTS: readonly TerminalEffect[] = ['typing', 'glitch', 'static', 'cursor'];
export const PRESETS: readonly X264Preset[] = [
	'ultrafast',
	'superfast',
	'veryfast',
	'faster',
	'fast',
	'medium',
	'slow',
	'slower',
	'veryslow',
];
const ASPECT_RATIO: Record<OutputAspect, number> = { '9:16': 9 / 16, '16:9': 16 / 9, '1:1': 1 };
const HEX = /^#[0-9a-fA-F]{6}$/;
// Control characters (C0, DEL, C1) have no business in a path or a font name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function fail(field: string, message: string, detail: Record<string, unknown> = {}): never {
	throw new ValidationError(`${field}: ${message}`, field, detail);
}

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown, field: string, min: number, max: number, opts: { integer?: boolean; exclusiveMin?: boolean } = {}): number {
	if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'must be a finite number', { value: v });
	if (opts.integer && !Number.isInteger(v)) fail(field, 'must be an integer', { value: v });
	if (opts.exclusiveMin ? v <= min : v < min) fail(field, `must be ${opts.exclusiveMin ? '>' : '≥'} ${min}`, { value: v });
	if (v > max) fail(field, `must be ≤ ${max}`, { value: v });
	return v;
}

function optNum(v: unknown, field: string, min: number, max: number, dflt: number, opts: { integer?: boolean } = {}): number {
	return v === undefined ? dflt : num(v, field, min, max, opts);
}

function path(v: unknown, field: string, extensions?: string[]): string {
	if (typeof v !== 'string' || v.trim() === '') fail(field, 'must be a non-empty path');
	if (CONTROL.test(v)) fail(field, 'must not contain control characters (newlines, tabs…)');
	if (extensions && !extensions.some((e) => v.toLowerCase().endsWith(e))) {
		fail(field, `must end with ${extensions.join(' or ')}`, { value: v });
	}
	return v;
}

function colour(v: unknown, field: string): string {
	if (typeof v !== 'string' || !HEX.test(v)) fail(field, 'must be a colour #RRGGBB', { value: v });
	return v.toUpperCase();
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
	if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
		fail(field, `must be one of ${allowed.join(', ')}`, { value: v });
	}
	return v as T;
}

function words(v: unknown, field: string): WordTiming[] {
	if (!Array.isArray(v)) fail(field, 'must be an array of {word, start, end}');
	if (v.length > 20000) fail(field, 'has more than 20000 words');
	const out = v.map((w: unknown, i): WordTiming => {
		const f = `${field}[${i}]`;
		if (!isObject(w)) fail(f, 'must be an object {word, start, end}');
		if (typeof w.word !== 'string') fail(`${f}.word`, 'must be a string');
		if (w.word.length > 200) fail(`${f}.word`, 'is longer than 200 characters');
		const start = num(w.start, `${f}.start`, 0, 86400);
		const end = num(w.end, `${f}.end`, 0, 86400);
		if (end < start) fail(`${f}.end`, 'must not be before start', { start, end });
		return { word: w.word, start, end };
	});
	return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** The 9:16 canvas every scene is fitted to: the largest 9:16 output, or one big enough for the others. */
export function masterSize(outputs: readonly TimelineOutput[]): { width: number; height: number } {
	const portrait = outputs.filter((o) => o.aspect === '9:16').sort((a, b) => b.height - a.height)[0];
	if (portrait) return { width: portrait.width, height: portrait.height };
	// 1:1 is a centred square crop of the master (its width); 16:9 shows the master at full height.
	const h = Math.max(
		...outputs.map((o) => (o.aspect === '1:1' ? Math.ceil((o.width * 16) / 9) : o.height)),
	);
	const height = h + (h % 2);
	const w = Math.round((height * 9) / 16);
	return { width: w + (w % 2), height };
}

/** Checks a timeline and fills its defaults. Throws ValidationError (BI400) naming the first bad field. */
export function validateTimeline(input: unknown): NormalizedTimeline {
	if (!isObject(input)) fail('timeline', 'must be an object');
	const t = input as Partial<Timeline> & Record<string, unknown>;

	// Scenes
	if (!Array.isArray(t.scenes) || t.scenes.length === 0) fail('scenes', 'must be a non-empty array');
	if (t.scenes.length > 200) fail('scenes', 'has more than 200 scenes');
	const raw = t.scenes.map((s: unknown, i) => {
		const f = `scenes[${i}]`;
		if (!isObject(s)) fail(f, 'must be an object {path, durationSeconds}');
		const transition = i === 0 || s.transition === undefined ? 'none' : oneOf(s.transition, `${f}.transition`, TRANSITIONS);
		const transitionSeconds =
			transition === 'none' ? 0 : optNum(s.transitionSeconds, `${f}.transitionSeconds`, 0.04, 5, 0.5);
		return {
			path: path(s.path, `${f}.path`),
			durationSeconds: num(s.durationSeconds, `${f}.durationSeconds`, 0.1, 3600),
			transition,
			transitionSeconds,
		};
	});
	const fps = optNum(t.fps, 'fps', 1, 120, 30, { integer: true });
	let start = 0;
	const startFrames: number[] = [];
	for (const s of raw) {
		startFrames.push(Math.round(start * fps));
		start += s.durationSeconds;
	}
	const totalFrames = Math.round(start * fps);
	const scenes: NormalizedScene[] = raw.map((s, i) => {
		const next = raw[i + 1];
		if (s.transitionSeconds >= s.durationSeconds) {
			fail(`scenes[${i}].transitionSeconds`, 'must be shorter than the scene', {
				transitionSeconds: s.transitionSeconds,
				durationSeconds: s.durationSeconds,
			});
		}
		const frames = (startFrames[i + 1] ?? totalFrames) - startFrames[i];
		if (frames < 2) fail(`scenes[${i}].durationSeconds`, `is shorter than two frames at ${fps} fps`);
		const transitionFrames = s.transition === 'none' ? 0 : Math.max(1, Math.round(s.transitionSeconds * fps));
		if (transitionFrames >= frames) fail(`scenes[${i}].transitionSeconds`, 'must be shorter than the scene');
		const nextFrames = next && next.transition !== 'none' ? Math.max(1, Math.round(next.transitionSeconds * fps)) : 0;
		return {
			...s,
			startSeconds: startFrames[i] / fps,
			clipSeconds: (frames + nextFrames) / fps,
			startFrame: startFrames[i],
			frames,
			transitionFrames,
			clipFrames: frames + nextFrames,
		};
	});
	const totalSeconds = totalFrames / fps;

	// Outputs
	if (!Array.isArray(t.outputs) || t.outputs.length === 0) fail('outputs', 'must be a non-empty array');
	if (t.outputs.length > 6) fail('outputs', 'has more than 6 outputs');
	const seen = new Set<string>();
	const outputs = t.outputs.map((o: unknown, i): TimelineOutput => {
		const f = `outputs[${i}]`;
		if (!isObject(o)) fail(f, 'must be an object {aspect, width, height, path}');
		const aspect = oneOf(o.aspect, `${f}.aspect`, ASPECTS);
		const width = num(o.width, `${f}.width`, 16, 4096, { integer: true });
		const height = num(o.height, `${f}.height`, 16, 4096, { integer: true });
		if (width % 2 || height % 2) fail(`${f}.width`, 'width and height must be even (yuv420p)', { width, height });
		if (Math.abs(width / height / ASPECT_RATIO[aspect] - 1) > 0.01) {
			fail(`${f}.height`, `${width}x${height} is not ${aspect}`, { width, height, aspect });
		}
		const p = path(o.path, `${f}.path`, ['.mp4', '.mov']);
		if (seen.has(p)) fail(`${f}.path`, 'is used by another output');
		seen.add(p);
		return { aspect, width, height, path: p };
	});

	// Audio
	let voiceover: NormalizedTimeline['voiceover'];
	if (t.voiceover !== undefined) {
		if (!isObject(t.voiceover)) fail('voiceover', 'must be an object {path, words?}');
		voiceover = {
			path: path(t.voiceover.path, 'voiceover.path'),
			words: t.voiceover.words === undefined ? [] : words(t.voiceover.words, 'voiceover.words'),
		};
	}
	let music: NormalizedTimeline['music'];
	if (t.music !== undefined) {
		if (!isObject(t.music)) fail('music', 'must be an object {path, gainDb?}');
		music = { path: path(t.music.path, 'music.path'), gainDb: optNum(t.music.gainDb, 'music.gainDb', -60, 12, -10) };
	}

	// Captions
	let captions: NormalizedTimeline['captions'];
	if (t.captions !== undefined) {
		if (!isObject(t.captions)) fail('captions', 'must be an object {words, style}');
		const s = t.captions.style;
		if (!isObject(s)) fail('captions.style', 'must be an object');
		if (typeof s.fontName !== 'string' || s.fontName.trim() === '' || s.fontName.length > 64) {
			fail('captions.style.fontName', 'must be a font family name of 1–64 characters');
		}
		// The name goes into the ASS Style line (comma-separated) and the override tags.
		if (CONTROL.test(s.fontName) || /[,{}\\]/.test(s.fontName)) {
			fail('captions.style.fontName', 'must not contain , { } \\ or control characters', { value: s.fontName });
		}
		const captionWords = words(t.captions.words, 'captions.words');
		captions = {
			// No words of their own: caption the voiceover's word timings.
			words: captionWords.length === 0 && voiceover ? voiceover.words : captionWords,
			style: {
				fontName: s.fontName.trim(),
				fontFile: s.fontFile === undefined ? undefined : path(s.fontFile, 'captions.style.fontFile', ['.ttf', '.otf', '.ttc']),
				primaryColour: colour(s.primaryColour, 'captions.style.primaryColour'),
				highlightColour: colour(s.highlightColour, 'captions.style.highlightColour'),
				outlineColour: colour(s.outlineColour, 'captions.style.outlineColour'),
				fontSize: optNum(s.fontSize, 'captions.style.fontSize', 8, 400, 64),
				mode: s.mode === undefined ? 'highlight' : oneOf(s.mode, 'captions.style.mode', ['highlight', 'karaoke'] as const),
			},
		};
	}

	let lut: NormalizedTimeline['lut'];
	if (t.lut !== undefined) {
		if (!isObject(t.lut)) fail('lut', 'must be an object {path}');
		lut = { path: path(t.lut.path, 'lut.path', ['.cube']) };
	}

	let terminal: NormalizedTimeline['terminal'];
	if (t.terminal !== undefined) {
		const term = t.terminal;
		if (!isObject(term)) fail('terminal', 'must be an object {effects, text?}');
		if (!Array.isArray(term.effects) || term.effects.length === 0) fail('terminal.effects', 'must be a non-empty array');
		const effects = [...new Set(term.effects.map((e: unknown, i) => oneOf(e, `terminal.effects[${i}]`, TERMINAL_EFFECTS)))];
		const text = term.text === undefined ? '' : term.text;
		if (typeof text !== 'string') fail('terminal.text', 'must be a string');
		if (text.length > 400) fail('terminal.text', 'is longer than 400 characters');
		if (effects.includes('typing') && text.trim() === '') fail('terminal.text', "is required by the 'typing' effect");
		const firstEnd = scenes[0].durationSeconds;
		const startSeconds = optNum(term.startSeconds, 'terminal.startSeconds', 0, totalSeconds, Math.min(0.2, totalSeconds / 2));
		const endSeconds = optNum(term.endSeconds, 'terminal.endSeconds', 0, totalSeconds, Math.max(firstEnd, startSeconds));
		if (endSeconds <= startSeconds) fail('terminal.endSeconds', 'must be after terminal.startSeconds', { startSeconds, endSeconds });
		terminal = {
			effects,
			text,
			startSeconds,
			endSeconds,
			colour: term.colour === undefined ? '#33FF66' : colour(term.colour, 'terminal.colour'),
		};
	}

	let thumbnails: NormalizedTimeline['thumbnails'];
	if (t.thumbnails !== undefined) {
		const th = t.thumbnails;
		if (!isObject(th)) fail('thumbnails', 'must be an object {atSeconds, width, height, dir}');
		if (!Array.isArray(th.atSeconds) || th.atSeconds.length === 0) fail('thumbnails.atSeconds', 'must be a non-empty array');
		if (th.atSeconds.length > 20) fail('thumbnails.atSeconds', 'has more than 20 times');
		thumbnails = {
			atSeconds: th.atSeconds.map((s: unknown, i) => {
				const v = num(s, `thumbnails.atSeconds[${i}]`, 0, totalSeconds);
				if (v >= totalSeconds) fail(`thumbnails.atSeconds[${i}]`, `must be before the end of the video (${totalSeconds} s)`, { value: v });
				return v;
			}),
			width: num(th.width, 'thumbnails.width', 16, 4096, { integer: true }),
			height: num(th.height, 'thumbnails.height', 16, 4096, { integer: true }),
			dir: path(th.dir, 'thumbnails.dir'),
		};
	}

	const background = t.background === undefined ? 'blur' : oneOf(t.background, 'background', ['blur', 'colour'] as const);
	const backgroundColour = t.backgroundColour === undefined ? '#000000' : colour(t.backgroundColour, 'backgroundColour');

	let loudness: NormalizedTimeline['loudness'] = { targetLufs: -14, truePeakDb: -1.5, twoPass: true };
	if (t.loudness !== undefined) {
		const l = t.loudness;
		if (!isObject(l)) fail('loudness', 'must be an object {targetLufs?, truePeakDb?, twoPass?}');
		if (l.twoPass !== undefined && typeof l.twoPass !== 'boolean') fail('loudness.twoPass', 'must be a boolean');
		loudness = {
			targetLufs: optNum(l.targetLufs, 'loudness.targetLufs', -70, -5, -14),
			truePeakDb: optNum(l.truePeakDb, 'loudness.truePeakDb', -9, 0, -1.5),
			twoPass: l.twoPass !== false,
		};
	}

	const crf = optNum(t.crf, 'crf', 0, 51, 21, { integer: true });
	const preset = t.preset === undefined ? 'veryfast' : oneOf(t.preset, 'preset', PRESETS);

	return {
		scenes,
		voiceover,
		music,
		captions,
		lut,
		terminal,
		outputs,
		thumbnails,
		background,
		backgroundColour,
		loudness,
		fps,
		crf,
		preset,
		totalSeconds,
		totalFrames,
		master: masterSize(outputs),
	};
}
