/**
 * The timeline as ffmpeg argument arrays and filtergraphs (pure functions, no I/O): one process for
 * the whole timeline (buildAssemblePlan), or segments of it rendered side by side and joined
 * (buildSegmentPlan), both from the same chains. Shape of the graph:
 *
 *   scene_i ─ fps, scale+crop to the 9:16 master, pad (clone last frame) / trim to its clip length
 *        └─ head | body | tail; xfade(tail_i−1, head_i) at transitions; concat of the pieces
 *           ─ [lut3d] ─ [glitch/static] ─ split
 *             ├─ 9:16: [scale] ─ ass(captions laid out for 9:16) ─ encode
 *             ├─ 16:9: master scaled to full height over a blurred low-res copy (or a brand-colour
 *             │        pad) ─ ass(16:9 layout) ─ encode
 *             ├─ 1:1 : centred square crop ─ ass(1:1 layout) ─ encode
 *             └─ thumbnails: select the frames at the requested times ─ PNG (sharp makes JPEGs)
 *   voice ─ asplit ─────────────────────────────┬─ amix ─ loudnorm (−14 LUFS) ─ asplit ─ AAC per output
 *   music (looped, gain) ─ sidechaincompress(voice) ┘
 *
 * Captions are burned after each output's reframe, one ASS per output, because captions placed for
 * 9:16 are cut off by a centred 1:1 crop (measurements.md). Everything shared (decode, fitting,
 * transitions, LUT, effects) happens once on the master before the split, and the 16:9 background is blurred at 1/8 size then scaled up (the
 * full-resolution boxblur costs about as much as an encode).
 *
 * Every user-supplied string that reaches the graph is a file path, escaped by
 * `escapeFilterValue` for both levels of ffmpeg's parsing; text (captions, terminal) only ever
 * reaches libass through an .ass file.
 */
import { join } from 'node:path';

import type { NormalizedTimeline, OutputAspect } from './timeline';

/** Values measured by loudnorm's first pass (print_format=json). */
export interface LoudnormMeasurement {
	input_i: string;
	input_tp: string;
	input_lra: string;
	input_thresh: string;
	target_offset: string;
}

export interface PlanOptions {
	/** Per output (same order as timeline.outputs): the .ass file to burn, or null. */
	assFiles?: (string | null)[];
	/** Directory with the brand font file, handed to libass. */
	fontsDir?: string;
	/** Where ffmpeg writes each output (default: the outputs' paths; assemble() uses temporary names). */
	outputPaths?: string[];
	/** image2 pattern for the thumbnail frames, e.g. /tmp/x/frame-%03d.png (needs timeline.thumbnails). */
	thumbnailPattern?: string;
	/** First-pass measurement: loudnorm then applies one linear gain (two-pass mode). */
	loudness?: LoudnormMeasurement;
	/** Adds `-progress pipe:1 -nostats` (default true). */
	progress?: boolean;
}

export interface PlanInput {
	index: number;
	kind: 'scene' | 'voiceover' | 'music';
	path: string;
}

export interface PlanXfade {
	/** The scene the transition leads into. */
	scene: number;
	transition: string;
	offsetSeconds: number;
	durationSeconds: number;
}

export interface PlanOutput {
	aspect: OutputAspect;
	width: number;
	height: number;
	path: string;
	videoLabel: string;
	audioLabel: string;
}

export interface AssemblePlan {
	args: string[];
	filtergraph: string;
	inputs: PlanInput[];
	outputs: PlanOutput[];
	xfades: PlanXfade[];
	/** Frame numbers (at the timeline's fps) extracted as thumbnails. */
	thumbnailFrames: number[];
	totalSeconds: number;
}

/**
 * Escapes a value for an option inside a filtergraph given as one argument (no shell): first for the
 * option parser (`key=value:key=value`, special: \ ' :), then for the graph parser (special: \ ' [ ] , ;).
 * Whitespace and `=` are escaped too, so leading/trailing spaces survive.
 */
export function escapeFilterValue(value: string): string {
	const level1 = value.replace(/[\\':=\s]/g, (c) => `\\${c}`);
	return level1.replace(/[\\'[\],;\s]/g, (c) => `\\${c}`);
}

/** A number as ffmpeg reads it: no exponent, at most 6 decimals. */
export function n(x: number): string {
	return Number.isInteger(x) ? String(x) : x.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

const even = (x: number): number => {
	const r = Math.round(x);
	return r + (r % 2);
};

/** The audio chain up to the mixed signal (label `mix`), shared by the render and the loudness analysis. */
function audioMix(t: NormalizedTimeline, inputs: PlanInput[]): string[] {
	const T = n(t.totalSeconds);
	const fmt = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
	const fit = `atrim=duration=${T},asetpts=PTS-STARTPTS,apad=whole_dur=${T}`;
	const parts: string[] = [];
	const voice = inputs.find((i) => i.kind === 'voiceover');
	const music = inputs.find((i) => i.kind === 'music');
	if (voice) parts.push(`[${voice.index}:a]${fmt},${fit}[voice]`);
	if (music) {
		const fadeOut = Math.min(1.5, t.totalSeconds / 4);
		parts.push(
			`[${music.index}:a]${fmt},volume=${n(t.music?.gainDb ?? -10)}dB,${fit},` +
				`afade=t=in:d=${n(Math.min(0.5, t.totalSeconds / 4))},afade=t=out:st=${n(t.totalSeconds - fadeOut)}:d=${n(fadeOut)}[music]`,
		);
	}
	if (voice && music) {
		// Ducking: the voice keys a compressor on the music (RMS detection, threshold −36.5 dBFS, ratio
		// 10): the music drops by ~8 dB under a quiet voice (−27 dBFS RMS) and ~18 dB under a normal
		// TTS level (−15…−20 dBFS RMS), comes back within ~0.35 s of a pause.
		parts.push('[voice]asplit=2[vmix][vkey]');
		parts.push('[music][vkey]sidechaincompress=threshold=0.015:ratio=10:attack=20:release=350:makeup=1[ducked]');
		parts.push('[vmix][ducked]amix=inputs=2:duration=first:dropout_transition=0:normalize=0[mix]');
	} else if (voice) parts.push('[voice]anull[mix]');
	else if (music) parts.push('[music]anull[mix]');
	return parts;
}

function loudnorm(t: NormalizedTimeline, measured?: LoudnormMeasurement, printJson = false): string {
	const base = `loudnorm=I=${n(t.loudness.targetLufs)}:TP=${n(t.loudness.truePeakDb)}:LRA=11`;
	if (printJson) return `${base}:print_format=json`;
	if (!measured) return base;
	const num = (s: string): string => {
		const v = Number(s);
		// loudnorm reports -inf for silence; clamp to the option's range.
		return n(Number.isFinite(v) ? Math.max(-99, Math.min(99, v)) : -99);
	};
	return (
		`${base}:measured_I=${num(measured.input_i)}:measured_TP=${num(measured.input_tp)}` +
		`:measured_LRA=${n(Math.max(0, Math.min(99, Number(measured.input_lra) || 0)))}` +
		`:measured_thresh=${num(measured.input_thresh)}:offset=${num(measured.target_offset)}:linear=true`
	);
}

function audioInputArgs(t: NormalizedTimeline, firstIndex: number): { args: string[]; inputs: PlanInput[] } {
	const args: string[] = [];
	const inputs: PlanInput[] = [];
	let index = firstIndex;
	if (t.voiceover) {
		args.push('-i', t.voiceover.path);
		inputs.push({ index: index++, kind: 'voiceover', path: t.voiceover.path });
	}
	if (t.music) {
		// Loop the track and read no more than the timeline needs.
		args.push('-stream_loop', '-1', '-t', n(t.totalSeconds + 1), '-i', t.music.path);
		inputs.push({ index: index++, kind: 'music', path: t.music.path });
	}
	return { args, inputs };
}

/** Arguments of the cheap, audio-only first loudnorm pass (null when there is no audio to measure). */
export function buildLoudnessAnalysisArgs(t: NormalizedTimeline): string[] | null {
	const { args, inputs } = audioInputArgs(t, 0);
	if (!inputs.length) return null;
	const graph = [...audioMix(t, inputs), `[mix]${loudnorm(t, undefined, true)}[out]`].join(';');
	return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...args, '-filter_complex', graph, '-map', '[out]', '-f', 'null', '-'];
}

/** Parses loudnorm's JSON block from the first pass's stderr. */
export function parseLoudnormJson(stderr: string): LoudnormMeasurement {
	const start = stderr.lastIndexOf('{');
	const end = stderr.lastIndexOf('}');
	if (start < 0 || end < start) throw new Error('loudnorm printed no measurement');
	const parsed = JSON.parse(stderr.slice(start, end + 1)) as Partial<LoudnormMeasurement>;
	for (const k of ['input_i', 'input_tp', 'input_lra', 'input_thresh', 'target_offset'] as const) {
		if (typeof parsed[k] !== 'string') throw new Error(`loudnorm measurement lacks ${k}`);
	}
	return parsed as LoudnormMeasurement;
}

/** Times (seconds) of the glitch bursts: the overlay's start and end and every scene change in between. */
export function glitchTimes(t: NormalizedTimeline): number[] {
	if (!t.terminal) return [];
	const { startSeconds, endSeconds } = t.terminal;
	const cuts = t.scenes.slice(1).map((s) => s.startSeconds);
	const times = [startSeconds, ...cuts.filter((c) => c > startSeconds && c < endSeconds), endSeconds]
		.filter((x) => x < t.totalSeconds)
		.map((x) => Math.round(x * 1000) / 1000);
	return [...new Set(times)];
}

/**
 * Which part of the timeline a process renders: the scenes shown alone from `firstScene` up to
 * (not including) `endScene`, with the transitions between them and the one into `endScene`. The whole
 * timeline is {firstScene: 0, endScene: scenes.length}. Frames are output-timeline frame numbers.
 */
export interface SceneRange {
	firstScene: number;
	endScene: number;
}

/** First and end frame (exclusive) of a scene range on the output timeline. */
export function rangeFrames(t: NormalizedTimeline, r: SceneRange): { startFrame: number; endFrame: number } {
	const bodyStart = (i: number): number => (i >= t.scenes.length ? t.totalFrames : t.scenes[i].startFrame + headFrames(t, i));
	return { startFrame: bodyStart(r.firstScene), endFrame: bodyStart(r.endScene) };
}

/** Frames of scene i blended with the end of scene i−1 (its transition), 0 for a cut or the first scene. */
function headFrames(t: NormalizedTimeline, i: number): number {
	return i > 0 && t.scenes[i].transition !== 'none' ? t.scenes[i].transitionFrames : 0;
}

/**
 * Scenes fitted to the master canvas and joined by their transitions (the chains up to `[joined]`), and the master look.
 *
 * Each fitted clip is cut into its head (blended with the previous clip's tail), its body (shown
 * alone) and its tail (blended with the next clip's head); only the overlaps go through xfade and the
 * pieces are concatenated. xfade in ffmpeg 5.1 takes no yuv420p, so a chain of xfades over whole clips
 * converted every later frame to 4:4:4 (and the outputs back), which cost CPU in every filter after
 * it and made the frames differ with where a render started; now only transition frames are 4:4:4.
 * A `range` renders part of the timeline, with frame times (and so captions and effects) kept
 * absolute until the outputs' chains.
 */
export function masterChains(
	t: NormalizedTimeline,
	range: SceneRange = { firstScene: 0, endScene: t.scenes.length },
): { args: string[]; inputs: PlanInput[]; graph: string[]; xfades: PlanXfade[]; look: string[]; last: string } {
	const fps = t.fps;
	const { width: W, height: H } = t.master;
	const { firstScene: a, endScene: b } = range;
	const args: string[] = [];
	const inputs: PlanInput[] = [];
	const graph: string[] = [];
	const xfades: PlanXfade[] = [];
	const pieces: string[] = [];
	// Scene b is read only for its head when the transition into it belongs to this range.
	const last = b < t.scenes.length && headFrames(t, b) > 0 ? b : b - 1;

	for (let i = a; i <= last; i++) {
		const s = t.scenes[i];
		const head = i > a ? headFrames(t, i) : 0;
		const onlyHead = i === b;
		const tail = onlyHead ? 0 : s.clipFrames - s.frames;
		const readFrames = onlyHead ? headFrames(t, i) : s.clipFrames;
		const input = inputs.length;
		// Read at most what the clip needs, fit it to the master canvas and to its length.
		args.push('-t', n(readFrames / fps + 1), '-i', s.path);
		inputs.push({ index: input, kind: 'scene', path: s.path });
		const fit =
			`[${input}:v]setpts=PTS-STARTPTS,fps=${fps},scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},` +
			`setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration=${n(readFrames / fps)},trim=end_frame=${readFrames},setpts=PTS-STARTPTS`;
		const parts: { label: string; from: number; to: number }[] = [];
		if (head) parts.push({ label: `h${i}`, from: 0, to: head });
		if (!onlyHead) parts.push({ label: `b${i}`, from: headFrames(t, i), to: s.frames });
		if (tail) parts.push({ label: `t${i}`, from: s.frames, to: s.clipFrames });
		const cut = (p: { from: number; to: number }): string =>
			p.from === 0 && p.to === readFrames ? '' : `,trim=start_frame=${p.from}:end_frame=${p.to},setpts=PTS-STARTPTS`;
		if (parts.length === 1) graph.push(`${fit}${cut(parts[0])}[${parts[0].label}]`);
		else {
			graph.push(`${fit},split=${parts.length}${parts.map((p) => `[${p.label}r]`).join('')}`);
			for (const p of parts) graph.push(`[${p.label}r]${cut(p).slice(1)}[${p.label}]`);
		}
		if (head) {
			// The transition into scene i: the previous clip's tail into this clip's head.
			xfades.push({ scene: i, transition: s.transition, offsetSeconds: s.startFrame / fps, durationSeconds: head / fps });
			graph.push(`[t${i - 1}][h${i}]xfade=transition=${s.transition}:duration=${n(head / fps)}:offset=0,format=yuv420p[x${i}]`);
			pieces.push(`[x${i}]`);
		}
		if (!onlyHead) pieces.push(`[b${i}]`);
	}
	const { startFrame } = rangeFrames(t, range);
	graph.push(
		`${pieces.join('')}${pieces.length > 1 ? `concat=n=${pieces.length}:v=1:a=0,` : 'null,'}settb=1/${fps}` +
			`${startFrame ? `,setpts=PTS-STARTPTS+${startFrame}` : ''}[joined]`,
	);

	// Master look: brand LUT, then the terminal effects that are filters (glitch bursts, static).
	const look: string[] = [];
	if (t.lut) look.push(`lut3d=file=${escapeFilterValue(t.lut.path)}:interp=tetrahedral`, 'format=yuv420p');
	if (t.terminal?.effects.includes('glitch')) {
		const burst = 0.16;
		const on = glitchTimes(t)
			.map((x) => `between(t,${n(x)},${n(x + burst)})`)
			.join('+');
		const shift = Math.max(2, Math.round(W / 90));
		look.push(
			`chromashift=cbh=${-shift}:crh=${shift}:cbv=${Math.round(shift / 2)}:crv=${-Math.round(shift / 2)}:edge=wrap:enable=${escapeFilterValue(on)}`,
			`noise=c0s=48:c0f=t+u:enable=${escapeFilterValue(on)}`,
		);
	}
	if (t.terminal?.effects.includes('static')) {
		const win = `between(t,${n(t.terminal.startSeconds)},${n(t.terminal.endSeconds)})`;
		look.push(`noise=alls=14:allf=t+u:enable=${escapeFilterValue(win)}`);
	}
	return { args, inputs, graph, xfades, look, last: 'joined' };
}

/**
 * One output's video from the master frames on `input`: reframe (9:16 scale, 1:1 centred crop,
 * 16:9 full height over a cheap blurred background or a brand-colour pad), then its own captions,
 * ending in `[v${k}]`.
 */
export function reframeChains(t: NormalizedTimeline, k: number, input: string, opts: Pick<PlanOptions, 'assFiles' | 'fontsDir'>, rebase = false): string[] {
	const { width: W, height: H } = t.master;
	const o = t.outputs[k];
	const ow = o.width;
	const oh = o.height;
	const m = `[${input}]`;
	const graph: string[] = [];
	let chain: string;
	if (o.aspect === '9:16') {
		chain = ow === W && oh === H ? `${m}null` : `${m}scale=${ow}:${oh}`;
	} else if (o.aspect === '1:1') {
		chain = `${m}crop=iw:iw:0:(ih-iw)/2${ow === W ? '' : `,scale=${ow}:${oh}`}`;
	} else if (t.background === 'colour') {
		const c = t.backgroundColour.replace('#', '0x');
		chain = `${m}scale=-2:${oh},pad=${ow}:${oh}:(ow-iw)/2:0:color=${c}`;
	} else {
		// Cheap blurred background: blur a 1/8-size copy, then scale it up under the full-height master.
		const bw = Math.max(16, even(ow / 8));
		const bh = Math.max(16, even(oh / 8));
		const r = Math.max(1, Math.min(Math.floor(Math.min(bw, bh) / 4) - 1, 10));
		graph.push(`${m}split=2[bg${k}][fg${k}]`);
		graph.push(
			`[bg${k}]scale=${bw}:${bh}:force_original_aspect_ratio=increase:flags=fast_bilinear,crop=${bw}:${bh},boxblur=${r}:2,` +
				`scale=${ow}:${oh}:flags=fast_bilinear,setsar=1[bb${k}]`,
		);
		graph.push(`[fg${k}]scale=-2:${oh}[ff${k}]`);
		chain = `[bb${k}][ff${k}]overlay=(W-w)/2:0`;
	}
	const ass = opts.assFiles?.[k];
	if (ass) {
		chain += `,ass=filename=${escapeFilterValue(ass)}`;
		if (opts.fontsDir) chain += `:fontsdir=${escapeFilterValue(opts.fontsDir)}`;
	}
	// A segment's frames carry their timeline times for the captions; its file starts at zero.
	graph.push(`${chain},setsar=1,format=yuv420p${rebase ? ',setpts=PTS-STARTPTS' : ''}[v${k}]`);
	return graph;
}

/** The audio chains ending in `[${label}]`: the mix normalised to the target, or silence. */
function finalAudio(t: NormalizedTimeline, inputs: PlanInput[], loudness: LoudnormMeasurement | undefined, label: string): string[] {
	const mixParts = audioMix(t, inputs);
	const T = n(t.totalSeconds);
	if (!mixParts.length) return [`anullsrc=r=48000:cl=stereo,atrim=duration=${T}${label}`];
	return [...mixParts, `[mix]${loudnorm(t, loudness)},aresample=48000,atrim=duration=${T}${label}`];
}

function thumbnailFrameNumbers(t: NormalizedTimeline): number[] {
	if (!t.thumbnails) return [];
	return [...new Set(t.thumbnails.atSeconds.map((s) => Math.min(t.totalFrames - 1, Math.round(s * t.fps))))].sort((a, b) => a - b);
}

const AAC = ['-c:a', 'aac', '-b:a', '160k', '-ar', '48000', '-ac', '2'];

function x264Args(t: NormalizedTimeline, threads?: number): string[] {
	return [
		'-c:v', 'libx264',
		'-preset', t.preset,
		'-crf', String(t.crf),
		...(threads ? ['-threads', String(threads)] : []),
		'-pix_fmt', 'yuv420p',
		'-g', String(t.fps * 2),
	];
}

function containerOf(path: string): string {
	return path.toLowerCase().endsWith('.mov') ? 'mov' : 'mp4';
}

function baseArgs(opts: { progress?: boolean }, loglevel = 'warning'): string[] {
	const args: string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', loglevel];
	if (opts.progress !== false) args.push('-progress', 'pipe:1', '-nostats');
	return args;
}

function planOutputs(t: NormalizedTimeline, opts: PlanOptions): PlanOutput[] {
	return t.outputs.map((o, k) => ({
		aspect: o.aspect,
		width: o.width,
		height: o.height,
		path: opts.outputPaths?.[k] ?? o.path,
		videoLabel: `v${k}`,
		audioLabel: `a${k}`,
	}));
}

/** Builds the one-process plan: inputs, filter_complex, one encode per output (+ thumbnail frames). */
export function buildAssemblePlan(t: NormalizedTimeline, opts: PlanOptions = {}): AssemblePlan {
	const args = baseArgs(opts);
	const master = masterChains(t);
	args.push(...master.args);
	const inputs = [...master.inputs];
	const graph = [...master.graph];
	const audio = audioInputArgs(t, inputs.length);
	args.push(...audio.args);
	inputs.push(...audio.inputs);

	const thumbs = t.thumbnails && opts.thumbnailPattern ? t.thumbnails : undefined;
	const branches = t.outputs.length + (thumbs ? 1 : 0);
	const splitLabels = Array.from({ length: branches }, (_, k) => `[m${k}]`).join('');
	graph.push(`[${master.last}]${master.look.length ? `${master.look.join(',')},` : ''}split=${branches}${splitLabels}`);

	// Audio: mix, normalise, one copy per output.
	const aLabels = t.outputs.map((_, k) => `[a${k}]`).join('');
	graph.push(...finalAudio(t, audio.inputs, opts.loudness, `,asplit=${t.outputs.length}${aLabels}`));

	// Per output: reframe from the master, then its own captions.
	t.outputs.forEach((_, k) => graph.push(...reframeChains(t, k, `m${k}`, opts)));
	const outputs = planOutputs(t, opts);

	// Thumbnails: the frames at the requested times, straight from the master (before captions).
	const thumbnailFrames = thumbs ? thumbnailFrameNumbers(t) : [];
	if (thumbs) {
		const expr = thumbnailFrames.map((f) => `eq(n,${f})`).join('+');
		graph.push(`[m${t.outputs.length}]select=expr=${escapeFilterValue(expr)}[thumbs]`);
	}

	const filtergraph = graph.join(';');
	args.push('-filter_complex', filtergraph);
	const T = n(t.totalSeconds);
	for (const o of outputs) {
		args.push(
			'-map', `[${o.videoLabel}]`,
			'-map', `[${o.audioLabel}]`,
			...x264Args(t),
			...AAC,
			'-t', T,
			'-movflags', '+faststart',
			'-f', containerOf(o.path),
			o.path,
		);
	}
	if (thumbs && opts.thumbnailPattern) {
		args.push('-map', '[thumbs]', '-fps_mode', 'passthrough', '-c:v', 'png', '-f', 'image2', opts.thumbnailPattern);
	}
	return { args, filtergraph, inputs, outputs, xfades: master.xfades, thumbnailFrames, totalSeconds: t.totalSeconds };
}

/** What ffmpeg's `-benchmark` printed: CPU seconds (user + system), wall seconds, peak RSS in MB. */
export function parseBenchmark(stderr: string): { cpuSeconds: number; wallSeconds: number; maxRssMb: number } | null {
	const times = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(stderr);
	if (!times) return null;
	const rss = /bench: maxrss=(\d+)kB/.exec(stderr);
	return { cpuSeconds: Number(times[1]) + Number(times[2]), wallSeconds: Number(times[3]), maxRssMb: rss ? Number(rss[1]) / 1024 : 0 };
}

/**
 * Where to cut the timeline into `count` segments of about equal length: only where a scene is shown
 * alone (the start of a scene's body), so no transition is split. Fewer when there are fewer scenes.
 */
export function planSegments(t: NormalizedTimeline, count: number): SceneRange[] {
	const want = Math.max(1, Math.min(Math.floor(count), t.scenes.length));
	const cuts: number[] = [];
	for (let k = 1; k < want; k++) {
		const target = (k * t.totalFrames) / want;
		let best = -1;
		for (let j = (cuts.at(-1) ?? 0) + 1; j < t.scenes.length; j++) {
			const at = rangeFrames(t, { firstScene: j, endScene: j }).startFrame;
			if (best < 0 || Math.abs(at - target) < Math.abs(rangeFrames(t, { firstScene: best, endScene: best }).startFrame - target)) best = j;
		}
		if (best > 0 && !cuts.includes(best)) cuts.push(best);
	}
	const bounds = [0, ...cuts, t.scenes.length];
	return bounds.slice(1).map((end, k) => ({ firstScene: bounds[k], endScene: end }));
}

export interface SegmentPlanOptions extends PlanOptions {
	/** The finished audio track (AAC in an .m4a) that the audio process writes and the join copies. */
	audioPath: string;
	/** Folder for the segment files and their ffconcat lists. */
	segmentDir: string;
	/** How many segments to cut the timeline into (see planSegments). */
	segments: number;
	/** Segment processes that will run at once: the cores the render may use (default 1). */
	parallel?: number;
	/** x264 threads per encoder (default: see segmentEncoderThreads). */
	encoderThreads?: number;
}

/**
 * x264 threads per encoder: the render's cores shared out among the encoders running at once (each
 * segment process runs one per output), at least 1. x264's own default (1.5 × all cores per encoder)
 * multiplied by outputs and segments would run dozens of frame threads, each holding frames in
 * memory, for no more throughput once every core is busy.
 */
export function segmentEncoderThreads(parallel: number, segments: number, outputs: number): number {
	return Math.max(1, Math.round(parallel / (Math.max(1, Math.min(parallel, segments)) * outputs)));
}

/** One ffmpeg process of the segments pipeline. */
export interface ProcessPlan {
	role: 'audio' | 'segment' | 'join';
	/** A segment's place in the timeline. */
	range?: SceneRange;
	args: string[];
	filtergraph: string;
}

export interface SegmentPlan {
	/** `audio` and every `segment` are independent (run them side by side); `join` runs after all of them. */
	audio: ProcessPlan;
	segments: ProcessPlan[];
	join: ProcessPlan;
	/** The ffconcat lists the join reads: write them before it runs. */
	lists: { path: string; text: string }[];
	inputs: PlanInput[];
	outputs: PlanOutput[];
	xfades: PlanXfade[];
	thumbnailFrames: number[];
	totalSeconds: number;
}

/** A path quoted for an ffconcat `file` line. */
function ffconcatPath(path: string): string {
	return `'${path.replace(/'/g, "'\\''")}'`;
}

/**
 * The timeline cut in time into segments rendered by independent ffmpeg processes, then joined.
 *
 *   audio          voice + music → mix → loudnorm → AAC, once
 *   segment × S    its scenes decoded → fit, transitions, look → split → per output: reframe,
 *                  captions, x264 → one file per output (and the thumbnail frames in its range)
 *   join           per output: its segments concatenated (ffconcat, stream copy) + the audio track
 *
 * ffmpeg 5.1 runs a filtergraph on one thread, and a chain of processes joined by pipes moves at
 * the pace of its slowest member: both leave cores idle, most of all on a loaded machine. Segments
 * share nothing while they render, so each keeps its own filter thread and encoders busy, and the
 * work is spread by running several at once. Cuts fall where a scene is shown alone, each segment
 * starts on a keyframe, and frame times stay on the timeline's clock inside a segment, so captions,
 * effects and transitions are those of the single process.
 */
export function buildSegmentPlan(t: NormalizedTimeline, opts: SegmentPlanOptions): SegmentPlan {
	const T = n(t.totalSeconds);
	const audioInputs = audioInputArgs(t, 0);
	const audioGraph = finalAudio(t, audioInputs.inputs, opts.loudness, '[a]').join(';');
	const audio: ProcessPlan = {
		role: 'audio',
		filtergraph: audioGraph,
		args: [...baseArgs({ progress: false }, 'info'), '-benchmark', ...audioInputs.args, '-filter_complex', audioGraph, '-map', '[a]', ...AAC, '-t', T, '-f', 'mp4', opts.audioPath],
	};

	const outputs = planOutputs(t, opts);
	const thumbs = t.thumbnails && opts.thumbnailPattern ? t.thumbnails : undefined;
	const thumbnailFrames = thumbs ? thumbnailFrameNumbers(t) : [];
	const ranges = planSegments(t, opts.segments);
	const threads = opts.encoderThreads ?? segmentEncoderThreads(opts.parallel ?? 1, ranges.length, t.outputs.length);
	const segmentFile = (s: number, k: number): string => join(opts.segmentDir, `segment-${s}-output-${k}.mp4`);
	const segments = ranges.map((range, s): ProcessPlan => {
		const master = masterChains(t, range);
		const { startFrame, endFrame } = rangeFrames(t, range);
		const frames = thumbnailFrameNumbers(t).filter((f) => f >= startFrame && f < endFrame);
		const withThumbs = thumbs && frames.length > 0;
		const branches = t.outputs.length + (withThumbs ? 1 : 0);
		const graph = [...master.graph, `[${master.last}]${master.look.length ? `${master.look.join(',')},` : ''}split=${branches}${Array.from({ length: branches }, (_, k) => `[m${k}]`).join('')}`];
		t.outputs.forEach((_, k) => graph.push(...reframeChains(t, k, `m${k}`, opts, startFrame > 0)));
		if (withThumbs) {
			const expr = frames.map((f) => `eq(n,${f - startFrame})`).join('+');
			graph.push(`[m${t.outputs.length}]select=expr=${escapeFilterValue(expr)}[thumbs]`);
		}
		const filtergraph = graph.join(';');
		const args = [...baseArgs({ progress: false }, 'info'), '-benchmark', ...master.args, '-filter_complex', filtergraph];
		outputs.forEach((o, k) => {
			args.push('-map', `[${o.videoLabel}]`, ...x264Args(t, threads), '-an', '-f', 'mp4', segmentFile(s, k));
		});
		if (withThumbs && opts.thumbnailPattern) {
			const first = thumbnailFrames.indexOf(frames[0]) + 1;
			args.push('-map', '[thumbs]', '-fps_mode', 'passthrough', '-c:v', 'png', '-f', 'image2', '-start_number', String(first), opts.thumbnailPattern);
		}
		return { role: 'segment', range, filtergraph, args };
	});
	const whole = masterChains(t);

	const lists = outputs.map((_, k) => ({
		path: join(opts.segmentDir, `output-${k}.ffconcat`),
		text: `ffconcat version 1.0\n${ranges.map((_, s) => `file ${ffconcatPath(segmentFile(s, k))}\n`).join('')}`,
	}));
	const joinArgs = [...baseArgs({ progress: false }, 'info'), '-benchmark'];
	for (const l of lists) joinArgs.push('-f', 'concat', '-safe', '0', '-i', l.path);
	joinArgs.push('-i', opts.audioPath);
	outputs.forEach((o, k) => {
		joinArgs.push('-map', `${k}:v`, '-map', `${lists.length}:a`, '-c', 'copy', '-t', T, '-movflags', '+faststart', '-f', containerOf(o.path), o.path);
	});
	return {
		audio,
		segments,
		join: { role: 'join', filtergraph: '', args: joinArgs },
		lists,
		inputs: [...whole.inputs, ...audioInputs.inputs.map((i) => ({ ...i, index: i.index + whole.inputs.length }))],
		outputs,
		xfades: whole.xfades,
		thumbnailFrames,
		totalSeconds: t.totalSeconds,
	};
}
