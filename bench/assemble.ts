/**
 * The FFmpeg Assembler against its floor and against a naive chain, in one run on one fixture.
 *
 *   npm run bench:assemble -- [--rounds=3] [--with-single] [--quick]
 *
 * Fixture (deterministic, generated once and cached in the OS temp dir): six 5 s 1080x1920 30 fps
 * H.264 scenes, four made by the library generator from the demo brand's media (photo push-in,
 * photo pan, kinetic typography, logo end card) and two from ffmpeg's busy seeded sources; a ~30 s
 * voice (espeak-ng when installed, else tones), a 30 s music bed, ~60 words timed over the voice.
 * Outputs: 1080x1920 (9:16), 1920x1080 (16:9), 1080x1080 (1:1), libx264 veryfast CRF 21 in every method.
 *
 *   assembler  lib/media/assemble.ts as users get it (the segments pipeline: one segment process
 *              per core at a time, each rendering all three outputs of its part of the timeline,
 *              the audio once, a stream-copy join; xfade, ASS captions per output, ducked music,
 *              loudnorm two-pass, cheap blurred 16:9 background) + validation (ffprobe) + two
 *              thumbnails (sharp).
 *   floor      one process: concat the six clips, split, 1080x1920 / 1920x1080 scale / 1080x1080
 *              crop, three encodes, no other filters. The bare encode cost of the same outputs.
 *   naive      one ffmpeg pass per operation, like chained Execute Command nodes: normalise each
 *              clip (6 encodes), xfade (1), burn captions (1), mix audio, mux, then one transcode per
 *              output with a full-resolution blurred 16:9 background (3): 11 video encodes.
 *   --with-single adds the assembler with `pipeline: 'single'` (everything in one ffmpeg process)
 *              as a fourth contender.
 *
 * The contenders run interleaved (floor, assembler, naive, floor, …) for --rounds rounds, so a change
 * in the machine's load hits all alike; the ratios are of the medians. Then each stage runs once on
 * its own (see stages()). The last line is one JSON object: medians and ratios in wall and CPU time
 * (CPU: the ffmpeg children's, from /proc/self/stat), the assembler's processes (ffmpeg -benchmark),
 * peak_rss_mb (this Node process), ffmpeg_peak_rss_mb / ffmpeg_concurrent_rss_mb (the largest
 * ffmpeg process; the largest segments as many as ran together) and the stages.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

import { assemble, checkOutput, runFfmpeg, type AssembleProcess } from '../lib/media/assemble';
import { buildLoudnessAnalysisArgs, buildSegmentPlan, masterChains, reframeChains } from '../lib/media/filtergraph';
import { buildAss } from '../lib/media/captions';
import { probeMedia, runTool } from '../lib/media/probe';
import { validateTimeline, type Timeline } from '../lib/media/timeline';
import { subjectFraming } from '../lib/library/ingest';
import type { SceneSource, WordTiming } from '../lib/providers/types';
import { LIBRARY_ASSET_MODEL, LibraryVideoProvider } from '../lib/providers/video/library';

const FIXTURE_VERSION = 'v4';
/** `--quick`: 1 s scenes at a quarter of the size, to check the bench itself runs (numbers mean nothing). */
const QUICK = process.argv.includes('--quick');
const SCENE_SECONDS = QUICK ? 1 : 5;
const TOTAL = 6 * SCENE_SECONDS; // six scenes (SCENES)
const Q = QUICK ? 4 : 1;
const FPS = 30;
const PRESET = 'veryfast' as const;
const CRF = 21;
const X264 = ['-c:v', 'libx264', '-preset', PRESET, '-crf', String(CRF), '-pix_fmt', 'yuv420p'];
const SIZES = { '9:16': [1080 / Q, 1920 / Q], '16:9': [1920 / Q, 1080 / Q], '1:1': [1080 / Q, 1080 / Q] } as const;
const MASTER = `${SIZES['9:16'][0]}x${SIZES['9:16'][1]}`;
const HALF = `${SIZES['9:16'][0] / 2}x${SIZES['9:16'][1] / 2}`;

/** The demo brand's own media (examples/stride/media), rendered by the library generator. */
const STRIDE_MEDIA = join(__dirname, '..', 'examples', 'stride', 'media');
const STRIDE_PALETTE = ['#0A2540', '#FF6B00', '#F5F5F0'];

/**
 * The six scenes: three from the `library` generator as the demo makes them (a photo pushed in on
 * its subject, a photo panned, kinetic typography) and the logo end card; and two of ffmpeg's busy
 * seeded sources, which stand in for generated or stock footage (detail and motion x264 must work for).
 */
type SceneSpec = { lavfi: string } | { library: SceneSource; prompt: string };
const SCENES: SceneSpec[] = [
	{ library: { type: 'library_asset', kind: 'image', path: join(STRIDE_MEDIA, 'images', 'cloudline-hero.jpg'), motion: 'push_in' }, prompt: 'The Cloudline hero shot' },
	{ lavfi: `testsrc2=s=${MASTER}:r=${FPS}` },
	{ library: { type: 'library_asset', kind: 'image', path: join(STRIDE_MEDIA, 'images', 'cloudline-city-dawn.jpg'), motion: 'pan_right' }, prompt: 'A morning city run' },
	{ lavfi: `life=s=${HALF}:r=${FPS}:seed=42:ratio=0.2:mold=10:life_color=#40E0A0:death_color=#202040,scale=${MASTER.replace('x', ':')}:flags=neighbor` },
	{ library: { type: 'typography', text: 'Plan it Monday. Post it by lunch.', palette: STRIDE_PALETTE }, prompt: 'Plan it Monday. Post it by lunch.' },
	{ library: { type: 'end_card', kind: 'logo', path: join(STRIDE_MEDIA, 'logo', 'stride-logo.png'), text: 'One request in, every format out.', palette: STRIDE_PALETTE }, prompt: 'End card' },
];

/** One scene by the library generator, at the fixture's size (a quarter in --quick). */
async function renderLibraryScene(dir: string, spec: { library: SceneSource; prompt: string }, dest: string): Promise<void> {
	const provider = new LibraryVideoProvider({ workDir: join(dir, 'library-work'), renderScale: 1 / Q });
	const source = spec.library.kind === 'image' ? { ...spec.library, focus: await subjectFraming(spec.library.path!) } : spec.library;
	const job = await provider.submit({ prompt: spec.prompt, model: LIBRARY_ASSET_MODEL, durationSeconds: SCENE_SECONDS, aspectRatio: '9:16', resolution: '1080p', palette: STRIDE_PALETTE, source });
	const status = await provider.waitFor(job.jobId);
	if (status.state !== 'completed') throw new Error(`library render of ${spec.prompt} failed: ${status.state === 'failed' ? status.error : status.state}`);
	await provider.download(status, dest);
}

const SCRIPT =
	'Every brand has a story worth telling, but most teams never find the time to tell it well. ' +
	'Brand Infinity turns one campaign request into finished videos for every platform, with captions, music and a voice that sounds like you. ' +
	'Plan it on Monday, approve it on Tuesday, and watch it publish itself before lunch. One request in, every format out.';

function log(line: string): void {
	process.stdout.write(`${line}\n`);
}

/** CPU seconds of the reaped children (utime + stime of waited-for processes), Linux only. */
function childrenCpuSeconds(): number | null {
	try {
		const stat = readFileSync('/proc/self/stat', 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// After the command: state(0) … cutime is field 16 and cstime 17 of the full line (1-based) → 13, 14 here.
		return (Number(fields[13]) + Number(fields[14])) / 100;
	} catch {
		return null;
	}
}

async function ff(args: string[]): Promise<number> {
	const r = await runFfmpeg(['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { totalSeconds: 1 });
	return r.seconds;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: number | null }> {
	const cpu0 = childrenCpuSeconds();
	const t0 = process.hrtime.bigint();
	const value = await fn();
	const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
	const cpu1 = childrenCpuSeconds();
	return { value, seconds, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

export interface Fixture {
	scenes: string[];
	voice: string;
	music: string;
	words: WordTiming[];
	voiceFrom: string;
}

export async function makeFixture(dir: string): Promise<Fixture> {
	await mkdir(dir, { recursive: true });
	const scenes = SCENES.map((_, i) => join(dir, `scene-${i}.mp4`));
	for (let i = 0; i < SCENES.length; i++) {
		if (existsSync(scenes[i])) continue;
		log(`fixture: scene ${i + 1}/${SCENES.length}`);
		const tmp = `${scenes[i]}.tmp.mp4`;
		const spec = SCENES[i];
		if ('lavfi' in spec) {
			await ff(['-f', 'lavfi', '-i', `${spec.lavfi},format=yuv420p`, '-t', String(SCENE_SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', tmp]);
		} else await renderLibraryScene(dir, spec, tmp);
		await rename(tmp, scenes[i]);
	}
	const voice = join(dir, 'voice.wav');
	const voiceNote = join(dir, 'voice.source');
	let voiceFrom = existsSync(voiceNote) ? readFileSync(voiceNote, 'utf8') : 'unknown';
	if (!existsSync(voice)) {
		if (existsSync('/usr/bin/espeak-ng')) {
			const raw = join(dir, 'voice-raw.wav');
			await runTool('/usr/bin/espeak-ng', ['-s', '125', '-w', raw, SCRIPT], { timeoutMs: 60_000 });
			await ff(['-i', raw, '-af', `apad=whole_dur=${TOTAL}`, '-t', String(TOTAL), '-ar', '48000', voice]);
			voiceFrom = 'espeak-ng';
		} else {
			await ff(['-f', 'lavfi', '-i', `sine=f=300:d=${TOTAL}:sample_rate=48000,volume=2,volume=0:enable='lt(mod(t,3),0.6)'`, voice]);
			voiceFrom = 'tones';
		}
		await writeFile(voiceNote, voiceFrom);
	}
	const music = join(dir, 'music.wav');
	if (!existsSync(music)) {
		await ff([
			'-f', 'lavfi', '-i', `anoisesrc=c=pink:a=0.15:seed=7:d=${TOTAL}:r=48000`,
			'-f', 'lavfi', '-i', `sine=f=110:d=${TOTAL}:sample_rate=48000`,
			'-f', 'lavfi', '-i', `sine=f=165:d=${TOTAL}:sample_rate=48000`,
			'-filter_complex', '[0][1][2]amix=inputs=3:normalize=0,lowpass=f=3000', music,
		]);
	}
	// ~60 words spread over the voiced part in proportion to their length.
	const info = await probeMedia(join(dir, existsSync(join(dir, 'voice-raw.wav')) ? 'voice-raw.wav' : 'voice.wav'));
	const spoken = Math.min(TOTAL, info.durationSeconds);
	const tokens = SCRIPT.split(/\s+/).filter(Boolean);
	const weight = tokens.map((w) => w.length + 2);
	const total = weight.reduce((a, b) => a + b, 0);
	let at = 0;
	const words = tokens.map((word, i) => {
		const d = (weight[i] / total) * spoken;
		const w = { word, start: at, end: at + d * 0.9 };
		at += d;
		return w;
	});
	return { scenes, voice, music, words, voiceFrom };
}

async function floor(f: Fixture, out: string): Promise<string[]> {
	const [w9, h9] = SIZES['9:16'];
	const inputs = f.scenes.flatMap((s) => ['-i', s]);
	const concat = `${f.scenes.map((_, i) => `[${i}:v]`).join('')}concat=n=${f.scenes.length}:v=1:a=0,split=3[a][b][c]`;
	const graph = `${concat};[b]scale=${SIZES['16:9'][0]}:${SIZES['16:9'][1]}[bs];[c]crop=${SIZES['1:1'][0]}:${SIZES['1:1'][1]}[cs]`;
	const paths = ['9x16', '16x9', '1x1'].map((n) => join(out, `floor-${n}.mp4`));
	const v = f.scenes.length;
	await ff([
		...inputs, '-i', f.voice, '-filter_complex', graph,
		'-map', '[a]', '-map', `${v}:a`, ...X264, '-c:a', 'aac', '-s', `${w9}x${h9}`, paths[0],
		'-map', '[bs]', '-map', `${v}:a`, ...X264, '-c:a', 'aac', paths[1],
		'-map', '[cs]', '-map', `${v}:a`, ...X264, '-c:a', 'aac', paths[2],
	]);
	return paths;
}

async function naive(f: Fixture, out: string, work: string): Promise<string[]> {
	const [W, H] = SIZES['9:16'];
	const fade = 0.5;
	// 1. Normalise each clip (fps, scale+crop, length incl. the transition overlap): one encode each.
	const norm: string[] = [];
	for (let i = 0; i < f.scenes.length; i++) {
		const len = SCENE_SECONDS + (i < f.scenes.length - 1 ? fade : 0);
		const p = join(work, `norm-${i}.mp4`);
		await ff(['-i', f.scenes[i], '-vf', `fps=${FPS},scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,tpad=stop_mode=clone:stop_duration=${len},trim=duration=${len}`, '-an', ...X264, p]);
		norm.push(p);
	}
	// 2. Crossfades: one encode.
	const chain: string[] = [];
	let acc = '0:v';
	for (let i = 1; i < norm.length; i++) {
		chain.push(`[${acc}][${i}:v]xfade=transition=fade:duration=${fade}:offset=${i * SCENE_SECONDS}[x${i}]`);
		acc = `x${i}`;
	}
	const xfaded = join(work, 'xfaded.mp4');
	await ff([...norm.flatMap((p) => ['-i', p]), '-filter_complex', chain.join(';'), '-map', `[${acc}]`, ...X264, xfaded]);
	// 3. Captions burned on the 9:16 video (the same ASS as the Assembler's 9:16): one encode.
	const t = validateTimeline({
		scenes: f.scenes.map((p) => ({ path: p, durationSeconds: SCENE_SECONDS })),
		captions: { words: f.words, style: { fontName: 'DejaVu Sans', primaryColour: '#FFFFFF', highlightColour: '#FFD400', outlineColour: '#000000' } },
		outputs: [{ aspect: '9:16', width: W, height: H, path: join(out, 'x.mp4') }],
	});
	const assFile = join(work, 'captions.ass');
	await writeFile(assFile, buildAss({ aspect: '9:16', width: W, height: H, totalSeconds: t.totalSeconds, captions: t.captions })!);
	const captioned = join(work, 'captioned.mp4');
	await ff(['-i', xfaded, '-vf', `ass=filename=${assFile}`, ...X264, captioned]);
	// 4. Audio: duck the music under the voice, normalise: audio only.
	const mixed = join(work, 'mixed.m4a');
	await ff([
		'-i', f.voice, '-stream_loop', '-1', '-t', String(TOTAL + 1), '-i', f.music, '-filter_complex',
		`[0:a]aresample=48000,aformat=channel_layouts=stereo,apad=whole_dur=${TOTAL},atrim=duration=${TOTAL},asplit=2[v][k];` +
			`[1:a]aresample=48000,aformat=channel_layouts=stereo,volume=-10dB,atrim=duration=${TOTAL}[m];` +
			'[m][k]sidechaincompress=threshold=0.015:ratio=10:attack=20:release=350[d];[v][d]amix=inputs=2:normalize=0:duration=first,loudnorm=I=-14:TP=-1.5:LRA=11,aresample=48000[a]',
		'-map', '[a]', '-c:a', 'aac', '-b:a', '160k', '-ac', '2', '-ar', '48000', mixed,
	]);
	// 5. Mux.
	const master = join(work, 'master.mp4');
	await ff(['-i', captioned, '-i', mixed, '-map', '0:v', '-map', '1:a', '-c', 'copy', '-shortest', master]);
	// 6. One transcode per output; the 16:9 background blurred at full resolution.
	const paths = ['9x16', '16x9', '1x1'].map((n) => join(out, `naive-${n}.mp4`));
	await ff(['-i', master, ...X264, '-c:a', 'copy', paths[0]]);
	const [w16, h16] = SIZES['16:9'];
	await ff([
		'-i', master, '-filter_complex',
		`[0:v]split=2[bg][fg];[bg]scale=${w16}:${h16}:force_original_aspect_ratio=increase,crop=${w16}:${h16},boxblur=20:2[b];[fg]scale=-2:${h16}[f];[b][f]overlay=(W-w)/2:0[v]`,
		'-map', '[v]', '-map', '0:a', ...X264, '-c:a', 'copy', paths[1],
	]);
	await ff(['-i', master, '-vf', `crop=${SIZES['1:1'][0]}:${SIZES['1:1'][1]}`, ...X264, '-c:a', 'copy', paths[2]]);
	return paths;
}

type Contender = 'floor' | 'assembler' | 'assembler_single' | 'naive';

interface Measured {
	wall: number[];
	cpu: number[];
	/** The last run's processes (assembler only): role, wall, CPU, peak RSS. */
	processes?: AssembleProcess[];
	paths?: string[];
}

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall and CPU seconds of one ffmpeg run (a stage measured on its own). */
async function stage(args: string[]): Promise<{ wall_s: number; cpu_s: number | null }> {
	const r = await timed(() => ff(args));
	return { wall_s: round(r.seconds), cpu_s: r.cpu === null ? null : round(r.cpu) };
}

const minus = (a: { wall_s: number; cpu_s: number | null }, b: { wall_s: number; cpu_s: number | null }) => ({
	wall_s: round(Math.max(0, a.wall_s - b.wall_s)),
	cpu_s: a.cpu_s === null || b.cpu_s === null ? null : round(Math.max(0, a.cpu_s - b.cpu_s)),
});

/**
 * Where the time goes, each stage run on its own (once, after the timed rounds; wall and CPU):
 * decode (the six clips), transitions (fit + xfade on top of decode), per output the reframe and the
 * captions (on a flat master-size source, so the source costs nothing) and its x264 encode (re-encoding
 * the assembler's own output, minus decoding it), and the audio (mix + loudnorm + AAC, after the analysis).
 */
async function stages(timeline: Timeline, outputs: string[], work: string) {
	const t = validateTimeline(timeline);
	const assFiles = await Promise.all(
		t.outputs.map(async (o, k) => {
			const file = join(work, `stage-${k}.ass`);
			await writeFile(file, buildAss({ aspect: o.aspect, width: o.width, height: o.height, totalSeconds: t.totalSeconds, captions: t.captions })!);
			return file;
		}),
	);
	const whole = buildSegmentPlan(t, { segments: 1, segmentDir: work, audioPath: join(work, 'stage-audio.m4a') });
	const segment = whole.segments[0];
	const sceneInputs = segment.args.slice(segment.args.indexOf('-benchmark') + 1, segment.args.indexOf('-filter_complex'));
	const master = masterChains(t);
	const masterGraph = [...master.graph, `[${master.last}]split=${t.outputs.length}${t.outputs.map((_, k) => `[m${k}]`).join('')}`].join(';');
	const nulls = (labels: string[]) => labels.flatMap((l) => ['-map', l, '-f', 'null', '-']);

	const decode = await stage([...sceneInputs, ...nulls(t.scenes.map((_, i) => `${i}:v`))]);
	const fitted = await stage([...sceneInputs, '-filter_complex', masterGraph, ...nulls(t.outputs.map((_, k) => `[m${k}]`))]);
	const flat = ['-f', 'lavfi', '-i', `color=c=0x336699:s=${t.master.width}x${t.master.height}:r=${t.fps}:d=${t.totalSeconds}`];
	const source = await stage([...flat, '-f', 'null', '-']);
	const perOutput: Record<string, unknown> = {};
	for (let k = 0; k < t.outputs.length; k++) {
		const reframe = await stage([...flat, '-filter_complex', reframeChains(t, k, '0:v', {}).join(';'), ...nulls([`[v${k}]`])]);
		const withCaptions = await stage([...flat, '-filter_complex', reframeChains(t, k, '0:v', { assFiles }).join(';'), ...nulls([`[v${k}]`])]);
		const decodeOut = await stage(['-i', outputs[k], '-map', '0:v', '-f', 'null', '-']);
		const encode = await stage(['-i', outputs[k], '-map', '0:v', ...X264, '-f', 'null', '-']);
		perOutput[t.outputs[k].aspect] = { reframe: minus(reframe, source), captions: minus(withCaptions, reframe), encode: minus(encode, decodeOut) };
	}
	const analysis = buildLoudnessAnalysisArgs(t)!;
	const loudness = await stage(analysis.slice(analysis.indexOf('-nostats') + 1));
	const audioRender = await stage(whole.audio.args.slice(whole.audio.args.indexOf('-benchmark') + 1));
	return { decode, transitions: minus(fitted, decode), ...perOutput, audio: { loudness_analysis: loudness, mix_and_aac: audioRender } };
}

async function main(): Promise<void> {
	const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
	const withSingle = process.argv.includes('--with-single');
	const fixtureDir = join(tmpdir(), `bi-bench-assemble-fixture-${FIXTURE_VERSION}${QUICK ? '-quick' : ''}`);
	// The fixture is made in a child process: its library renders load sharp with 4K canvases, which
	// would stay in this process's peak RSS (peak_rss_mb is what the assembler itself costs Node).
	if (!fixtureComplete(fixtureDir)) {
		const made = spawnSync(process.execPath, ['-r', join(__dirname, '..', 'test', 'helpers', 'ts-register.js'), __filename, '--make-fixture', fixtureDir, ...(QUICK ? ['--quick'] : [])], { stdio: 'inherit' });
		if (made.status !== 0) throw new Error(`making the fixture failed (exit ${made.status})`);
	}
	const fixture = await makeFixture(fixtureDir);
	const run = await mkdtemp(join(tmpdir(), 'bi-bench-assemble-'));
	try {
		const out = join(run, 'out');
		const work = join(run, 'work');
		await mkdir(out, { recursive: true });
		await mkdir(work, { recursive: true });
		log(`fixture: ${fixtureDir} (voice: ${fixture.voiceFrom}, ${fixture.words.length} words)`);

		const timeline = (name: string): Timeline => ({
			scenes: fixture.scenes.map((path, i) => ({ path, durationSeconds: SCENE_SECONDS, ...(i ? { transition: 'fade' as const, transitionSeconds: 0.5 } : {}) })),
			voiceover: { path: fixture.voice, words: fixture.words },
			music: { path: fixture.music, gainDb: -10 },
			captions: { words: fixture.words, style: { fontName: 'DejaVu Sans', primaryColour: '#FFFFFF', highlightColour: '#FFD400', outlineColour: '#000000' } },
			outputs: (Object.keys(SIZES) as (keyof typeof SIZES)[]).map((aspect) => ({
				aspect,
				width: SIZES[aspect][0],
				height: SIZES[aspect][1],
				path: join(out, `${name}-${aspect.replace(':', 'x')}.mp4`),
			})),
			thumbnails: { atSeconds: [1, TOTAL * 0.4], width: 1280 / Q, height: 720 / Q, dir: join(out, `${name}-thumbs`) },
			fps: FPS,
			crf: CRF,
			preset: PRESET,
		});
		const contenders: Contender[] = ['floor', 'assembler', ...(withSingle ? ['assembler_single' as const] : []), 'naive'];
		const runOnce: Record<Contender, () => Promise<{ paths: string[]; processes?: AssembleProcess[] }>> = {
			floor: async () => ({ paths: await floor(fixture, out) }),
			assembler: async () => {
				const r = await assemble(timeline('assembler'), { tempDir: work });
				return { paths: r.outputs.map((o) => o.path), processes: r.processes };
			},
			assembler_single: async () => {
				const r = await assemble(timeline('single'), { tempDir: work, pipeline: 'single' });
				return { paths: r.outputs.map((o) => o.path) };
			},
			naive: async () => ({ paths: await naive(fixture, out, work) }),
		};
		// Interleaved (ABCABC…) so a change in the machine's load hits every contender alike; medians.
		const m = Object.fromEntries(contenders.map((c) => [c, { wall: [], cpu: [] } as Measured])) as Record<Contender, Measured>;
		for (let r = 0; r < rounds; r++) {
			for (const c of contenders) {
				const x = await timed(runOnce[c]);
				m[c].wall.push(x.seconds);
				if (x.cpu !== null) m[c].cpu.push(x.cpu);
				m[c].paths = x.value.paths;
				m[c].processes = x.value.processes ?? m[c].processes;
				log(`round ${r + 1}/${rounds}  ${c.padEnd(16)} ${x.seconds.toFixed(1)} s wall, ${x.cpu?.toFixed(1) ?? '?'} s CPU`);
			}
		}

		// Every method made what it should (durations within 0.15 s of the timeline, sizes).
		const expectSize = [SIZES['9:16'], SIZES['16:9'], SIZES['1:1']];
		for (const c of contenders) {
			for (let k = 0; k < 3; k++) {
				const check = await checkOutput(m[c].paths![k], { width: expectSize[k][0], height: expectSize[k][1], durationSeconds: TOTAL, toleranceSeconds: 0.15 });
				if (check.problems.length) log(`warning: ${c} output ${k}: ${check.problems.join('; ')}`);
			}
		}
		log('stages: each on its own, once');
		const stageTimes = await stages(timeline('stage'), m.assembler.paths!, work);

		const wall = (c: Contender) => median(m[c].wall);
		const cpu = (c: Contender) => (m[c].cpu.length === m[c].wall.length ? median(m[c].cpu) : null);
		const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a / b));
		const procs = m.assembler.processes ?? [];
		// The segments that ran side by side: as many as the render's cores (the largest, to be safe).
		const concurrent = procs
			.filter((p) => p.role === 'segment')
			.map((p) => p.maxRssMb ?? 0)
			.sort((a, b) => b - a)
			.slice(0, availableParallelism());
		const result = {
			bench: 'assemble',
			quick: QUICK,
			rounds,
			fixture:
				`${SCENES.length} x ${SCENE_SECONDS} s ${MASTER} scenes (4 by the library generator), ${TOTAL} s voice + music, ${fixture.words.length} words; ` +
				`outputs ${Object.values(SIZES).map(([w, h]) => `${w}x${h}`).join(', ')}; libx264 ${PRESET} crf ${CRF}`,
			voice: fixture.voiceFrom,
			floor_s: round(wall('floor')),
			assembler_s: round(wall('assembler')),
			naive_s: round(wall('naive')),
			assembler_over_floor: ratio(wall('assembler'), wall('floor')),
			naive_over_assembler: ratio(wall('naive'), wall('assembler')),
			naive_over_floor: ratio(wall('naive'), wall('floor')),
			floor_cpu_s: cpu('floor') === null ? null : round(cpu('floor')!),
			assembler_cpu_s: cpu('assembler') === null ? null : round(cpu('assembler')!),
			naive_cpu_s: cpu('naive') === null ? null : round(cpu('naive')!),
			assembler_over_floor_cpu: ratio(cpu('assembler'), cpu('floor')),
			naive_over_assembler_cpu: ratio(cpu('naive'), cpu('assembler')),
			...(withSingle
				? {
						single_process_s: round(wall('assembler_single')),
						single_process_over_floor: ratio(wall('assembler_single'), wall('floor')),
						naive_over_single_process: ratio(wall('naive'), wall('assembler_single')),
						single_process_cpu_s: cpu('assembler_single') === null ? null : round(cpu('assembler_single')!),
					}
				: {}),
			walls_s: Object.fromEntries(contenders.map((c) => [c, m[c].wall.map(round)])),
			assembler_processes: procs.map((p) => ({ role: p.range ? `${p.role}:scenes ${p.range.firstScene}-${p.range.endScene - 1}` : p.role, wall_s: round(p.wallSeconds), cpu_s: p.cpuSeconds === null ? null : round(p.cpuSeconds), max_rss_mb: p.maxRssMb === null ? null : round(p.maxRssMb) })),
			// This Node process (ffmpeg runs as children); the ffmpeg processes' own peaks from their -benchmark.
			peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
			// npm run bench:assemble transpiles first, so the compiler (about 50 MB) is not counted above.
			typescript_loaded: require.cache[require.resolve('typescript')] !== undefined,
			ffmpeg_peak_rss_mb: round(Math.max(0, ...procs.map((p) => p.maxRssMb ?? 0))),
			ffmpeg_concurrent_rss_mb: round(concurrent.reduce((a, b) => a + b, 0)),
			stages: stageTimes,
		};
		log(JSON.stringify(result));
	} finally {
		await rm(run, { recursive: true, force: true });
	}
}

function round(x: number): number {
	return Math.round(x * 100) / 100;
}

/** Every file makeFixture writes is there (it then only reads the voice's length). */
function fixtureComplete(dir: string): boolean {
	return [...SCENES.map((_, i) => `scene-${i}.mp4`), 'voice.wav', 'voice.source', 'music.wav'].every((f) => existsSync(join(dir, f)));
}

if (require.main === module) {
	const at = process.argv.indexOf('--make-fixture');
	(at > 0 ? makeFixture(process.argv[at + 1]).then(() => undefined) : main()).catch((err: unknown) => {
		process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
		process.exit(1);
	});
}

export { FIXTURE_VERSION, SCENE_SECONDS, SIZES };
