/**
 * The FFmpeg Assembler with the real ffmpeg/ffprobe (Debian 5.1, libx264, libass) and sharp, on tiny
 * generated fixtures (320x568 scenes of 2–3 s, ultrafast): three outputs from one render, captions
 * burned per aspect, loudness, ducking, LUT, terminal overlays, injection attempts, validation,
 * abort. Everything lives under a temporary folder whose name holds ' : , [ ] ; and spaces, so every
 * path (scenes, outputs, LUT, the ASS files) goes through the filtergraph escaping.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { ValidationError } from '../../lib/domain/errors';
import { assemble, AssemblyError, audioStreamDuration, checkOutput, type AssembleProgress } from '../../lib/media/assemble';
import { captionLayout } from '../../lib/media/captions';
import { probeMedia } from '../../lib/media/probe';
import type { CaptionStyle, Timeline } from '../../lib/media/timeline';

jest.setTimeout(180_000);

let dir: string;
const W = 320;
const H = 568;
const OUTPUTS = (name: string): Timeline['outputs'] => [
	{ aspect: '9:16', width: W, height: H, path: join(dir, name, "vertical 9'16.mp4") },
	{ aspect: '16:9', width: H, height: W, path: join(dir, name, 'wide [16,9].mp4') },
	{ aspect: '1:1', width: W, height: W, path: join(dir, name, 'square: 1;1.mp4') },
];
const STYLE: CaptionStyle = {
	fontName: 'DejaVu Sans',
	primaryColour: '#FFFFFF',
	highlightColour: '#FFD400',
	outlineColour: '#000000',
	fontSize: 64,
};
const BG = [0x20, 0x40, 0x60];

function ffmpeg(args: string[]): void {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

/** One decoded frame as RGB24. */
function frame(video: string, t: number, w: number, h: number): Buffer {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-ss', String(t), '-i', video, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
		maxBuffer: 64 * 1024 * 1024,
	});
	if (r.status !== 0) throw new Error(String(r.stderr));
	expect(r.stdout.length).toBe(w * h * 3);
	return r.stdout;
}

type Pred = (r: number, g: number, b: number) => boolean;
function count(buf: Buffer, w: number, box: { x0: number; y0: number; x1: number; y1: number }, pred: Pred): number {
	let n = 0;
	for (let y = Math.max(0, box.y0); y < box.y1; y++) {
		for (let x = Math.max(0, box.x0); x < box.x1; x++) {
			const i = (y * w + x) * 3;
			if (pred(buf[i], buf[i + 1], buf[i + 2])) n++;
		}
	}
	return n;
}
function stdev(buf: Buffer, w: number, box: { x0: number; y0: number; x1: number; y1: number }): number {
	const v: number[] = [];
	for (let y = box.y0; y < box.y1; y++) for (let x = box.x0; x < box.x1; x++) v.push(buf[(y * w + x) * 3 + 1]);
	const mean = v.reduce((a, b) => a + b, 0) / v.length;
	return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}
const captionInk: Pred = (r, g, b) => (r > 200 && g > 200 && b > 200) || (r > 200 && g > 160 && b < 110);
const terminalGreen: Pred = (r, g, b) => g > 170 && r < 140 && b < 170;

/** Integrated loudness (LUFS) by the EBU R128 meter. */
function integratedLoudness(file: string): number {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-vn', '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
	const m = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
	if (!m) throw new Error(`no loudness in ${summary}`);
	return Number(m[1]);
}

/** RMS level (dB) of the low band (< ~250 Hz: the music, not the 1 kHz "voice") between two times. */
function lowBandRms(file: string, from: number, to: number): number {
	const r = spawnSync(
		'ffmpeg',
		['-hide_banner', '-nostats', '-i', file, '-vn', '-af', `atrim=${from}:${to},lowpass=f=250,lowpass=f=250,lowpass=f=250,astats=measure_perchannel=none:measure_overall=RMS_level`, '-f', 'null', '-'],
		{ encoding: 'utf8' },
	);
	const m = /RMS level dB:\s+(-?[\d.]+|-inf)/.exec(r.stderr);
	if (!m) throw new Error(r.stderr);
	return m[1] === '-inf' ? -200 : Number(m[1]);
}

const scene = (name: string) => join(dir, `${name}.mp4`);

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "bi asm 'q': [x], y; "));
	const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
	ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=30:d=2.5`, ...enc, scene('testsrc')]);
	// Landscape, 25 fps and shorter than its slot: scaled+cropped, resampled, padded with its last frame.
	ffmpeg(['-f', 'lavfi', '-i', 'smptebars=s=640x360:r=25:d=1.5', ...enc, scene('bars')]);
	ffmpeg(['-f', 'lavfi', '-i', `color=c=0x204060:s=${W}x${H}:r=30:d=3`, ...enc, scene('plain')]);
	ffmpeg(['-f', 'lavfi', '-i', `color=c=0x204060:s=${W}x${H}:r=30:d=1`, ...enc, scene('short')]);
	// "Voice": a 1 kHz tone, speaking 0–2 s and 4–6 s, silent 2–4 s. Music: brown noise (low band), 4 s, looped.
	// (sine's amplitude is 1/8: ×2 gives −15 dBFS RMS, about a normalised TTS voice.)
	ffmpeg(['-f', 'lavfi', '-i', "sine=f=1000:d=6:sample_rate=48000,volume=2,volume=0:enable='between(t,2,4)'", join(dir, 'tone.wav')]);
	ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=c=brown:a=0.4:d=4:r=44100', join(dir, 'music.wav')]);
	if (existsSync('/usr/bin/espeak-ng')) {
		const r = spawnSync('/usr/bin/espeak-ng', ['-w', join(dir, 'voice.wav'), 'Brand Infinity makes every campaign video in one pass.']);
		if (r.status !== 0) throw new Error('espeak-ng failed');
	} else {
		ffmpeg(['-i', join(dir, 'tone.wav'), join(dir, 'voice.wav')]);
	}
	// A LUT that swaps red and blue.
	const lut = ['TITLE "swap red and blue"', 'LUT_3D_SIZE 2'];
	for (let b = 0; b < 2; b++) for (let g = 0; g < 2; g++) for (let r = 0; r < 2; r++) lut.push(`${b} ${g} ${r}`);
	await writeFile(join(dir, "brand: look, v2 [final].cube"), `${lut.join('\n')}\n`);
});

afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

test('the segments pipeline renders 9:16, 16:9 and 1:1 with the right sizes, durations, sync, loudness and thumbnails', async () => {
	const words = 'Brand Infinity makes every campaign video in one pass'.split(' ').map((word, i) => ({ word, start: 0.3 + i * 0.45, end: 0.65 + i * 0.45 }));
	const progress: AssembleProgress[] = [];
	const r = await assemble(
		{
			scenes: [
				{ path: scene('testsrc'), durationSeconds: 2 },
				{ path: scene('bars'), durationSeconds: 2, transition: 'fade', transitionSeconds: 0.5 },
				{ path: scene('plain'), durationSeconds: 2, transition: 'wipeleft', transitionSeconds: 0.4 },
			],
			voiceover: { path: join(dir, 'voice.wav'), words },
			music: { path: join(dir, 'music.wav'), gainDb: -8 },
			captions: { words, style: STYLE },
			outputs: OUTPUTS('full'),
			thumbnails: { atSeconds: [1, 3.5], width: 320, height: 180, dir: join(dir, 'full', 'thumbs') },
			preset: 'ultrafast',
		},
		{ onProgress: (p) => progress.push(p), tempDir: dir, parallel: 2 },
	);

	// Segments: one per scene here (2 cores' worth, 3 × 2 asked, 3 scenes), longest first, then the audio once and the join.
	expect(r.processes.map((p) => p.role)).toEqual(['segment', 'segment', 'segment', 'audio', 'join']);
	const segments = r.processes.filter((p) => p.role === 'segment');
	// 75 frames (scene 0 and the fade out of it), 57 (scene 1 and the wipe), 48.
	expect(segments.map((p) => p.range)).toEqual([
		{ firstScene: 0, endScene: 1 },
		{ firstScene: 1, endScene: 2 },
		{ firstScene: 2, endScene: 3 },
	]);
	// Each segment reads its own scene and the next one only for the transition into it.
	const inputsOf = (args: string[]) => args.flatMap((a, i) => (a === '-i' ? [args[i + 1]] : []));
	expect(segments.map((p) => inputsOf(p.args))).toEqual([
		[scene('testsrc'), scene('bars')],
		[scene('bars'), scene('plain')],
		[scene('plain')],
	]);
	for (const p of r.processes) {
		// One x264 per output in each segment (1 thread each: 2 cores over 2 segments × 3 encoders); no video encode in the join.
		expect(p.args.filter((a) => a === 'libx264')).toHaveLength(p.role === 'segment' ? 3 : 0);
		if (p.role === 'segment') expect(p.args.join(' ')).toContain('-threads 1');
		// ffmpeg's -benchmark report was read: every process cost some CPU and memory.
		expect(p.cpuSeconds).toBeGreaterThan(0);
		expect(p.maxRssMb).toBeGreaterThan(1);
	}
	expect(r.processes.find((p) => p.role === 'join')!.args.filter((a) => a.includes('.partial-'))).toEqual(r.outputs.map(() => expect.stringContaining('.partial-')));
	// Every output has all 180 frames, the segments' keyframes where they were cut.
	for (const o of r.outputs) {
		const frames = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', o.path], { encoding: 'utf8' });
		expect(Number(frames.stdout.trim())).toBe(180);
	}
	expect(r.totalSeconds).toBe(6);
	expect(r.outputs.map((o) => [o.aspect, o.width, o.height])).toEqual([
		['9:16', W, H],
		['16:9', H, W],
		['1:1', W, W],
	]);
	for (const o of r.outputs) {
		// Checked again here, independently of assemble()'s own validation.
		const info = await probeMedia(o.path);
		const audio = (await audioStreamDuration(o.path))!;
		expect(info.videoCodec).toBe('h264');
		expect(info.audioCodec).toBe('aac');
		expect(Math.abs(info.durationSeconds - 6)).toBeLessThan(0.1);
		expect(Math.abs(info.videoDurationSeconds! - 6)).toBeLessThan(0.1);
		expect(Math.abs(info.videoDurationSeconds! - audio)).toBeLessThan(0.1);
		expect(info.frameRate).toBe(30);
		expect(o.sizeBytes).toBeGreaterThan(10_000);
		const lufs = integratedLoudness(o.path);
		expect(lufs).toBeGreaterThan(-15.5);
		expect(lufs).toBeLessThan(-12.5);
	}
	// No partial files are left next to the outputs.
	expect((await readdir(join(dir, 'full'))).filter((f) => f.includes('.partial-'))).toEqual([]);
	expect((await readdir(dir)).filter((f) => f.startsWith('bi-assemble-'))).toEqual([]);

	expect(r.thumbnails.map((t) => t.atSeconds)).toEqual([1, 3.5]);
	for (const t of r.thumbnails) {
		const meta = await sharp(t.path).metadata();
		expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 180]);
	}

	const render = progress.filter((p) => p.phase === 'render');
	expect(render.length).toBeGreaterThan(0);
	expect(render[render.length - 1].fraction).toBe(1);
	for (let i = 1; i < render.length; i++) expect(render[i].fraction).toBeGreaterThanOrEqual(render[i - 1].fraction);
	expect(progress[progress.length - 1].phase).toBe('done');
});

test('the segments pipeline and the single process make the same pictures and sound', async () => {
	const words = 'one render two ways'.split(' ').map((word, i) => ({ word, start: 0.2 + i * 0.5, end: 0.6 + i * 0.5 }));
	const timeline = (name: string): Timeline => ({
		scenes: [
			{ path: scene('testsrc'), durationSeconds: 1.5 },
			{ path: scene('bars'), durationSeconds: 1.5, transition: 'fade', transitionSeconds: 0.5 },
		],
		voiceover: { path: join(dir, 'voice.wav'), words },
		music: { path: join(dir, 'music.wav') },
		captions: { words, style: STYLE },
		outputs: OUTPUTS(name),
		preset: 'ultrafast',
	});
	// Two segments, cut where the second scene is shown alone (2.0 s).
	const segmented = await assemble(timeline('same-segments'), { tempDir: dir, parallel: 2 });
	expect(segmented.processes.filter((p) => p.role === 'segment')).toHaveLength(2);
	const single = await assemble(timeline('same-single'), { tempDir: dir, pipeline: 'single' });
	expect(single.processes.map((p) => p.role)).toEqual(['single']);
	expect(single.args.filter((a) => a === 'libx264')).toHaveLength(3);
	for (let k = 0; k < 3; k++) {
		const [a, b] = [segmented.outputs[k], single.outputs[k]];
		expect([a.width, a.height]).toEqual([b.width, b.height]);
		expect(Math.abs(a.durationSeconds - b.durationSeconds)).toBeLessThan(0.05);
		expect(Math.abs(a.audioDurationSeconds - b.audioDurationSeconds)).toBeLessThan(0.05);
		expect(Math.abs(integratedLoudness(a.path) - integratedLoudness(b.path))).toBeLessThan(0.2);
		for (const at of [0.5, 1.6, 1.95, 2.05, 2.5]) {
			const fa = frame(a.path, at, a.width, a.height);
			const fb = frame(b.path, at, b.width, b.height);
			let diff = 0;
			for (let i = 0; i < fa.length; i++) diff += Math.abs(fa[i] - fb[i]);
			// Same filters on the same frames, same encoder settings: at most encoder noise.
			expect(diff / fa.length).toBeLessThan(1);
		}
	}
});

test('captions are burned in every output inside its frame, and injected ASS/filter syntax stays text', async () => {
	const evil = ['{\\pos(0,0)}', 'hello', '\\N', 'there}', "it's:", 'a,', '[test];', '{\\fs200\\c&H0000FF&}', 'end'];
	const words = evil.map((word, i) => ({ word, start: 0.1 + i * 0.25, end: 0.3 + i * 0.25 }));
	const fontFile = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
	const style = existsSync(fontFile) ? { ...STYLE, fontFile } : STYLE;
	const r = await assemble(
		{
			scenes: [{ path: scene('plain'), durationSeconds: 3 }],
			captions: { words, style },
			outputs: OUTPUTS('captions'),
			preset: 'ultrafast',
		},
		{ tempDir: dir },
	);
	// Caption text never reaches the filtergraph, only the (escaped) .ass paths do.
	for (const w of ['pos(0', 'hello', 'there', 'fs200', '[test]']) expect(r.filtergraph).not.toContain(w);
	expect(r.filtergraph).toMatch(/ass=filename=.*output-0\.ass/);
	// The brand font file reaches libass through a fonts directory.
	if (style.fontFile) expect(r.filtergraph).toMatch(/output-0\.ass:fontsdir=.*?\/fonts,setsar=1/);

	for (const o of r.outputs) {
		const layout = captionLayout(o.aspect, o.width, o.height, STYLE.fontSize);
		const whole = { x0: 0, y0: 0, x1: o.width, y1: o.height };
		const lowerHalf = { x0: 0, y0: Math.floor(o.height / 2), x1: o.width, y1: o.height };
		const topLeft = { x0: 0, y0: 0, x1: Math.floor(o.width / 2), y1: Math.floor(o.height / 3) };
		const during = frame(o.path, 0.7, o.width, o.height);
		expect(count(during, o.width, lowerHalf, captionInk)).toBeGreaterThan(150);
		// \pos(0,0) did not move the caption to the corner; \fs200 did not blow it up.
		expect(count(during, o.width, topLeft, captionInk)).toBe(0);
		expect(count(during, o.width, { x0: 0, y0: 0, x1: o.width, y1: Math.floor(o.height / 2) }, captionInk)).toBe(0);
		// Inside the frame: nothing in the bottom safe margin, nothing touching the side edges.
		expect(count(during, o.width, { x0: 0, y0: o.height - Math.floor(layout.marginV / 2), x1: o.width, y1: o.height }, captionInk)).toBe(0);
		expect(count(during, o.width, { x0: 0, y0: 0, x1: 3, y1: o.height }, captionInk)).toBe(0);
		expect(count(during, o.width, { x0: o.width - 3, y0: 0, x1: o.width, y1: o.height }, captionInk)).toBe(0);
		// The spoken word is highlighted in the brand colour.
		expect(count(during, o.width, lowerHalf, (rr, g, b) => rr > 200 && g > 160 && g < 235 && b < 110)).toBeGreaterThan(10);
		// After the last word (and its hold) the frame is clean again.
		const after = frame(o.path, 2.9, o.width, o.height);
		expect(count(after, o.width, whole, captionInk)).toBe(0);
	}
});

test('the brand LUT changes the colours (path with quotes, colons, commas, brackets)', async () => {
	const base = { scenes: [{ path: scene('plain'), durationSeconds: 2 }], preset: 'ultrafast' as const };
	const plain = await assemble({ ...base, outputs: [{ aspect: '9:16', width: W, height: H, path: join(dir, 'lut', 'plain.mp4') }] }, { tempDir: dir });
	const graded = await assemble(
		{ ...base, lut: { path: join(dir, "brand: look, v2 [final].cube") }, outputs: [{ aspect: '9:16', width: W, height: H, path: join(dir, 'lut', "graded 'v2'.mp4") }] },
		{ tempDir: dir },
	);
	const px = (buf: Buffer) => {
		const i = (Math.floor(H / 2) * W + Math.floor(W / 2)) * 3;
		return [buf[i], buf[i + 1], buf[i + 2]];
	};
	const before = px(frame(plain.outputs[0].path, 1, W, H));
	const after = px(frame(graded.outputs[0].path, 1, W, H));
	before.forEach((v, i) => expect(Math.abs(v - BG[i])).toBeLessThan(12));
	// Red and blue swapped.
	expect(Math.abs(after[0] - before[2])).toBeLessThan(12);
	expect(Math.abs(after[2] - before[0])).toBeLessThan(12);
	expect(after[0] - after[2]).toBeGreaterThan(40);
});

test('terminal overlays: typing, cursor blink, glitch bursts and static render in the overlay window only', async () => {
	const text = 'booting brand infinity';
	const r = await assemble(
		{
			scenes: [{ path: scene('plain'), durationSeconds: 3 }],
			terminal: { effects: ['typing', 'cursor', 'glitch', 'static'], text, startSeconds: 0.2, endSeconds: 2.5 },
			outputs: OUTPUTS('terminal'),
			preset: 'ultrafast',
		},
		{ tempDir: dir },
	);
	const o = r.outputs[0];
	const panel = { x0: 0, y0: 0, x1: W, y1: Math.floor(H / 3) };
	const green = (t: number) => count(frame(o.path, t, W, H), W, panel, terminalGreen);
	// Typing: at 18 characters a second the text grows; done by ~1.45 s, then the cursor blinks (0.5 s).
	const rightmost = (t: number) => {
		const f = frame(o.path, t, W, H);
		let max = -1;
		for (let x = 0; x < W; x++) if (count(f, W, { ...panel, x0: x, x1: x + 1 }, terminalGreen) > 0) max = x;
		return max;
	};
	const early = green(0.55);
	const typed = green(1.7); // cursor on
	const blinkOff = green(2.2); // cursor off
	expect(early).toBeGreaterThan(0);
	expect(rightmost(1.0)).toBeGreaterThan(rightmost(0.55) + 20);
	expect(rightmost(1.7)).toBeGreaterThan(rightmost(1.0) + 20);
	expect(typed).toBeGreaterThan(blinkOff + 20);
	expect(green(2.8)).toBe(0);
	// Static: noise in the window, a flat frame after it; a glitch burst (0.2–0.36 s) is stronger still.
	const centre = { x0: 40, y0: Math.floor(H / 2), x1: W - 40, y1: Math.floor(H / 2) + 100 };
	const inWindow = stdev(frame(o.path, 1.0, W, H), W, centre);
	const outside = stdev(frame(o.path, 2.8, W, H), W, centre);
	const burst = stdev(frame(o.path, 0.27, W, H), W, centre);
	expect(inWindow).toBeGreaterThan(outside + 1.5);
	expect(burst).toBeGreaterThan(inWindow);
	// Every output has its own panel, inside its frame.
	for (const out of r.outputs.slice(1)) {
		const f = frame(out.path, 1.7, out.width, out.height);
		expect(count(f, out.width, { x0: 0, y0: 0, x1: out.width, y1: Math.floor(out.height / 2) }, terminalGreen)).toBeGreaterThan(20);
	}
});

test('music is ducked under the voice, and two-pass loudness (the default) lands on −14 LUFS', async () => {
	const r = await assemble(
		{
			scenes: [{ path: scene('plain'), durationSeconds: 3 }, { path: scene('plain'), durationSeconds: 3, transition: 'dissolve' }],
			voiceover: { path: join(dir, 'tone.wav') },
			music: { path: join(dir, 'music.wav'), gainDb: -6 },
			outputs: [{ aspect: '9:16', width: W, height: H, path: join(dir, 'duck', 'duck.mp4') }],
			preset: 'ultrafast',
		},
		{ tempDir: dir },
	);
	expect(r.loudness && Number(r.loudness.input_i)).toBeLessThan(0);
	expect(r.filtergraph).toContain('linear=true');
	const out = r.outputs[0].path;
	const whileVoice = lowBandRms(out, 0.7, 1.7);
	const whileSilent = lowBandRms(out, 2.7, 3.7);
	expect(whileSilent - whileVoice).toBeGreaterThan(10);
	const lufs = integratedLoudness(out);
	expect(Math.abs(lufs + 14)).toBeLessThan(1.5);
});

test('validation catches a wrong duration, a size mismatch and audio out of sync', async () => {
	const ok = await assemble(
		{
			scenes: [{ path: scene('short'), durationSeconds: 2 }],
			music: { path: join(dir, 'music.wav') },
			loudness: { twoPass: false },
			outputs: [{ aspect: '1:1', width: W, height: W, path: join(dir, 'check', 'ok.mp4') }],
			preset: 'ultrafast',
		},
		{ tempDir: dir },
	);
	// Single-pass loudness: no analysis run, dynamic loudnorm.
	expect(ok.loudness).toBeUndefined();
	expect(ok.filtergraph).toMatch(/loudnorm=I=-14:TP=-1\.5:LRA=11,/);
	const file = ok.outputs[0].path;
	expect((await checkOutput(file, { width: W, height: W, durationSeconds: 2 })).problems).toEqual([]);
	expect((await checkOutput(file, { width: W, height: W, durationSeconds: 2.5 })).problems.join(' ')).toMatch(/duration 2\.0\d+ s, expected 2\.500 s/);
	expect((await checkOutput(file, { width: W, height: H, durationSeconds: 2 })).problems.join(' ')).toMatch(/size 320x320, expected 320x568/);

	const unsynced = join(dir, 'check', 'unsynced.mp4');
	ffmpeg(['-f', 'lavfi', '-i', `color=c=black:s=${W}x${W}:r=30:d=2`, '-f', 'lavfi', '-i', 'sine=d=1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', unsynced]);
	const check = await checkOutput(unsynced, { width: W, height: W, durationSeconds: 2 });
	expect(check.problems.join(' ')).toMatch(/audio \(1\.5\d* s\) and video \(2\.000 s\) durations differ/);

	// Inside assemble(): an output that fails validation is an error, and no file is left behind.
	const target = join(dir, 'check', 'strict.mp4');
	const err = await assemble(
		{ scenes: [{ path: scene('short'), durationSeconds: 2 }], outputs: [{ aspect: '1:1', width: W, height: W, path: target }], preset: 'ultrafast' },
		{ tempDir: dir, toleranceSeconds: 0 },
	).catch((e: unknown) => e);
	expect(err).toBeInstanceOf(AssemblyError);
	expect((err as AssemblyError).reason).toBe('output_invalid');
	expect(existsSync(target)).toBe(false);
	expect((await readdir(join(dir, 'check'))).filter((f) => f.includes('.partial-'))).toEqual([]);
});

test('inputs are checked before ffmpeg runs: errors name the field', async () => {
	const missing = await assemble({
		scenes: [{ path: scene('plain'), durationSeconds: 2 }, { path: join(dir, 'nope.mp4'), durationSeconds: 2 }],
		outputs: [{ aspect: '1:1', width: W, height: W, path: join(dir, 'x', 'x.mp4') }],
	}).catch((e: unknown) => e);
	expect(missing).toBeInstanceOf(ValidationError);
	expect((missing as ValidationError).field).toBe('scenes[1].path');
	const audioAsScene = await assemble({
		scenes: [{ path: join(dir, 'tone.wav'), durationSeconds: 2 }],
		outputs: [{ aspect: '1:1', width: W, height: W, path: join(dir, 'x', 'x.mp4') }],
	}).catch((e: unknown) => e);
	expect((audioAsScene as ValidationError).field).toBe('scenes[0].path');
	expect((audioAsScene as Error).message).toMatch(/no video stream/);
});

test('an abort kills ffmpeg and leaves no output behind', async () => {
	const controller = new AbortController();
	const target = join(dir, 'abort', 'long.mp4');
	const err = await assemble(
		{
			// 40 s from one 1 s clip (padded), three outputs: long enough to be aborted mid-render.
			scenes: [{ path: scene('short'), durationSeconds: 40 }],
			music: { path: join(dir, 'music.wav') },
			outputs: [{ aspect: '9:16', width: W, height: H, path: target }, ...OUTPUTS('abort').slice(1)],
			preset: 'ultrafast',
		},
		{
			tempDir: dir,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.phase === 'render') controller.abort();
			},
		},
	).catch((e: unknown) => e);
	expect(err).toBeInstanceOf(AssemblyError);
	expect((err as AssemblyError).reason).toBe('aborted');
	expect(existsSync(target)).toBe(false);
	expect((await readdir(join(dir, 'abort'))).filter((f) => f.endsWith('.mp4'))).toEqual([]);
});

test('a failing segment stops the others: its error is the one reported, and no output is left behind', async () => {
	// An ffmpeg that fails on the segment reading `bars` and otherwise runs until killed (a marker says if it was not).
	const fake = join(dir, 'fake-ffmpeg.js');
	const finished = join(dir, 'fake-finished');
	await writeFile(
		fake,
		`#!${process.execPath}\n` +
			`if (process.argv.some((a) => a.endsWith('bars.mp4'))) { console.error('bars.mp4: Invalid data found when processing input'); process.exit(1); }\n` +
			`setTimeout(() => require('node:fs').writeFileSync(${JSON.stringify(finished)}, 'not killed'), 20000);\n`,
		{ mode: 0o755 },
	);
	const target = join(dir, 'failing', 'out.mp4');
	const err = await assemble(
		{
			// Equal segments start in scene order: testsrc and bars together (bars fails second in order), plain waiting.
			scenes: [
				{ path: scene('testsrc'), durationSeconds: 2 },
				{ path: scene('bars'), durationSeconds: 2 },
				{ path: scene('plain'), durationSeconds: 2 },
			],
			loudness: { twoPass: false },
			outputs: [{ aspect: '9:16', width: W, height: H, path: target }],
			preset: 'ultrafast',
		},
		{ tempDir: dir, ffmpegPath: fake, parallel: 2 },
	).catch((e: unknown) => e);
	expect(err).toBeInstanceOf(AssemblyError);
	expect((err as AssemblyError).reason).toBe('ffmpeg_failed');
	expect((err as Error).message).toContain('bars.mp4: Invalid data');
	expect(existsSync(finished)).toBe(false);
	expect(existsSync(target)).toBe(false);
	expect((await readdir(dir)).filter((f) => f.startsWith('bi-assemble-'))).toEqual([]);
});
