/**
 * The publish gate's media half with the real ffmpeg/ffprobe on tiny generated files: a good video
 * passes; black, silent, too short, frozen, partly black, wrong-size and unreadable files are
 * flagged with the check that caught them and routed by judge.ts's aggregation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { judgeText, type JudgeCheck } from '../../lib/strategy/judge/judge';
import {
	analysisArgs,
	combineJudgements,
	DEFAULT_MEDIA_EXPECTATIONS,
	judgeMedia,
	mediaChecks,
	parseDetections,
	parseLoudnessSummary,
	type MediaJudgeResult,
} from '../../lib/strategy/judge/media';
import { ValidationError } from '../../lib/domain/errors';

jest.setTimeout(180_000);

let dir: string;
const W = 360;
const H = 640;
const SMALL = { minShortSide: 360 };
// A 440 Hz tone at this gain measures about −14 LUFS (the target).
const TONE = (d: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${d}`];
const MOTION = (d: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=24:duration=${d}`];

function ffmpeg(args: string[]): void {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

const ENCODE = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '32', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-t', '17'];

async function make(name: string, inputs: string[], filter: string): Promise<string> {
	const out = join(dir, name);
	ffmpeg([...inputs, '-filter_complex', filter, '-map', '[v]', '-map', '[a]', ...ENCODE, out]);
	return out;
}

const byName = (r: { checks: JudgeCheck[] }) => Object.fromEntries(r.checks.map((c) => [c.name, c]));
const failed = (r: { checks: JudgeCheck[] }) => r.checks.filter((c) => !c.passed).map((c) => c.name);

let good: MediaJudgeResult;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "bi judge media ' ; [x] "));
	await make('good.mp4', [...MOTION(16), ...TONE(16)], '[0:v]null[v];[1:a]volume=8dB[a]');
	good = await judgeMedia(join(dir, 'good.mp4'), { expect: SMALL });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a good video passes every check', () => {
	expect(failed(good)).toEqual([]);
	expect(good.route).toBe('pass');
	expect(good.confidence).toBeGreaterThanOrEqual(0.95);
	expect(good.checks.map((c) => c.name)).toEqual(['media_probe', 'media_duration', 'media_resolution', 'media_black_frames', 'media_frozen_frames', 'media_silence', 'media_loudness']);
	for (const c of good.checks) expect(Object.keys(c).sort()).toEqual(expect.arrayContaining(['name', 'passed', 'reason', 'score', 'severity']));
	expect(good.analysis.integratedLufs).toBeGreaterThan(-16);
	expect(good.analysis.integratedLufs).toBeLessThan(-12);
	expect(good.analysis.info).toMatchObject({ width: W, height: H, hasAudio: true });
	expect(good.analysis.black).toEqual([]);
	expect(good.analysis.silence).toEqual([]);
	expect(byName(good).media_resolution.reason).toBe('360x640 (9:16)');
	// The default floor is 720 px on the short side: the same file fails it.
	expect(mediaChecks(good.analysis).find((c) => c.name === 'media_resolution')).toMatchObject({ passed: false, reason: 'short side 360 px is under 720 px' });
});

test('a black video is rejected (black frames are a blocker when they fill the video)', async () => {
	const r = await judgeMedia(await make('black.mp4', ['-f', 'lavfi', '-i', `color=black:size=${W}x${H}:rate=24:duration=16`, ...TONE(16)], '[0:v]null[v];[1:a]volume=8dB[a]'), { expect: SMALL });
	expect(r.route).toBe('reject');
	expect(byName(r).media_black_frames).toMatchObject({ passed: false, severity: 'blocker' });
	expect(byName(r).media_black_frames.score).toBeLessThan(0.05);
	expect(r.reasons[0]).toMatch(/^media_black_frames: 1[56](\.\d+)? s of black \((9\d(\.\d)?|100) % of the video\): 0–1[56](\.\d+)? s$/);
	expect(failed(r)).toEqual(expect.arrayContaining(['media_black_frames', 'media_frozen_frames']));
	expect(failed(r)).not.toContain('media_silence');
});

test('a silent video is flagged for a person (silence and no loudness)', async () => {
	const r = await judgeMedia(await make('silent.mp4', [...MOTION(16), '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono:d=16'], '[0:v]null[v];[1:a]anull[a]'), { expect: SMALL });
	expect(r.route).toBe('human_review');
	expect(failed(r).sort()).toEqual(['media_loudness', 'media_silence']);
	expect(byName(r).media_silence).toMatchObject({ score: 0, severity: 'major', reason: 'the audio is silent' });
	expect(r.reasons).toEqual(expect.arrayContaining(['media_silence: the audio is silent']));
	// A video with no audio stream at all is flagged the same way.
	const mute = join(dir, 'mute.mp4');
	ffmpeg([...MOTION(16), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '32', '-pix_fmt', 'yuv420p', mute]);
	const m = await judgeMedia(mute, { expect: SMALL });
	expect(m.route).toBe('human_review');
	expect(byName(m).media_silence).toMatchObject({ passed: false, reason: 'no audio stream' });
	expect(m.analysis.integratedLufs).toBeNull();
	expect((await judgeMedia(mute, { expect: { ...SMALL, requireAudio: false } })).route).toBe('pass');
});

test('a too-short video is flagged; a platform limit can be passed in', async () => {
	const path = await make('short.mp4', [...MOTION(4), ...TONE(4)], '[0:v]null[v];[1:a]volume=8dB[a]');
	const r = await judgeMedia(path, { expect: SMALL });
	expect(r.route).toBe('human_review');
	expect(failed(r)).toEqual(['media_duration']);
	expect(byName(r).media_duration.reason).toMatch(/^4(\.\d+)? s is shorter than the minimum 15 s$/);
	expect(byName(r).media_duration.score).toBeCloseTo(4 / 15, 1);
	expect((await judgeMedia(path, { expect: { ...SMALL, minDurationSeconds: 3 } })).route).toBe('pass');
	// Too long for a platform that allows at most 10 s.
	expect(mediaChecks(good.analysis, { ...SMALL, minDurationSeconds: 5, maxDurationSeconds: 10 }).find((c) => c.name === 'media_duration')).toMatchObject({ passed: false, reason: expect.stringContaining('longer than the maximum 10 s') });
});

test('a stretch of black, a frozen picture, a gap in the audio and the wrong size are each flagged', async () => {
	const partly = await judgeMedia(
		await make('partly-black.mp4', [...MOTION(16), ...TONE(16)], "[0:v]drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,6,9)'[v];[1:a]volume=8dB[a]"),
		{ expect: SMALL },
	);
	expect(partly.route).toBe('human_review');
	expect(byName(partly).media_black_frames).toMatchObject({ passed: false, severity: 'major' });
	expect(partly.analysis.black).toHaveLength(1);
	expect(partly.analysis.black[0].start).toBeCloseTo(6, 0);
	expect(partly.analysis.black[0].duration).toBeGreaterThan(2.9);

	const frozen = await judgeMedia(await make('frozen.mp4', [...MOTION(2), ...TONE(16)], '[0:v]tpad=stop_mode=clone:stop_duration=14[v];[1:a]volume=8dB[a]'), { expect: SMALL });
	expect(frozen.route).toBe('human_review');
	expect(failed(frozen)).toEqual(['media_frozen_frames']);
	// One stretch from the end of the motion to the end, although the keyframe at 10.4 s breaks it for a frame.
	expect(frozen.analysis.frozen).toHaveLength(1);
	expect(frozen.analysis.frozen[0].start).toBeCloseTo(2, 0);
	expect(frozen.analysis.frozen[0].end).toBeGreaterThan(15.5);

	const gap = await judgeMedia(await make('gap.mp4', [...MOTION(16), ...TONE(16)], "[0:v]null[v];[1:a]volume=8dB,volume=enable='between(t,5,9)':volume=0[a]"), { expect: SMALL });
	expect(gap.route).toBe('human_review');
	expect(byName(gap).media_silence).toMatchObject({ passed: false, severity: 'major', reason: expect.stringMatching(/^(3\.9\d|4(\.\d+)?) s of silence \(2\d\.\d % of the audio\): 5\.\d+–9(\.\d+)? s$/) });

	const sized = mediaChecks(good.analysis, { width: 1080, height: 1920 });
	expect(sized.find((c) => c.name === 'media_resolution')).toMatchObject({ passed: false, reason: '360x640, expected 1080x1920' });
	expect(mediaChecks(good.analysis, { width: W, height: H }).find((c) => c.name === 'media_resolution')).toMatchObject({ passed: true });
	expect(mediaChecks(good.analysis, { ...SMALL, aspects: ['16:9'] }).find((c) => c.name === 'media_resolution')).toMatchObject({ passed: false });
});

test('loudness off target is a minor finding; an unreadable file is rejected', async () => {
	const quiet = await judgeMedia(await make('quiet.mp4', [...MOTION(16), ...TONE(16)], '[0:v]null[v];[1:a]volume=-12dB[a]'), { expect: SMALL });
	expect(failed(quiet)).toEqual(['media_loudness']);
	expect(byName(quiet).media_loudness.severity).toBe('minor');
	expect(byName(quiet).media_loudness.reason).toMatch(/LUFS is \d+(\.\d)? LU from the target -14 LUFS/);
	expect(quiet.route).toBe('pass');

	const junk = join(dir, 'not-a-video.mp4');
	await writeFile(junk, 'hello, I am text');
	const r = await judgeMedia(junk);
	expect(r.route).toBe('reject');
	expect(r.checks).toHaveLength(1);
	expect(r.checks[0]).toMatchObject({ name: 'media_probe', passed: false, severity: 'blocker' });
	expect((await judgeMedia(join(dir, 'missing.mp4'))).route).toBe('reject');
	await expect(judgeMedia(junk, { expect: { minDurationSeconds: -1 } })).rejects.toBeInstanceOf(ValidationError);
});

test('the publish gate combines the media checks with the caption checks under one route', async () => {
	const caption: { checks: JudgeCheck[] } = {
		checks: [{ name: 'restricted_keywords', score: 0, passed: false, severity: 'blocker', reason: 'restricted keyword "cheap"' }],
	};
	const gate = combineJudgements([good, caption]);
	expect(gate.route).toBe('reject');
	expect(gate.reasons).toEqual(['restricted_keywords: restricted keyword "cheap"']);
	expect(gate.checks).toHaveLength(good.checks.length + 1);
	expect(combineJudgements([good]).route).toBe('pass');

	// With judgeText's own output on a real caption (local providers, offline).
	const { LocalEmbeddingProvider } = await import('../../lib/providers/embeddings/local');
	const moderation = { moderate: async (texts: string[]) => ({ provider: 'local', model: 'none', results: texts.map(() => ({ flagged: false, categories: {}, category_scores: {} })) }) };
	const text = await judgeText({
		text: 'So cheap you will laugh #tea',
		kind: 'caption',
		brand: { brand_name: 'Acme', tone: 'warm', restricted_keywords: ['cheap'], color_palette: [], visual_style: '' },
		embedder: new LocalEmbeddingProvider(),
		moderation: moderation as never,
	});
	const both = combineJudgements([good, text]);
	expect(both.route).toBe('reject');
	expect(both.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['media_probe', 'restricted_keywords', 'completeness']));
});

test('the detection and loudness parsers, and the ffmpeg arguments', () => {
	const metadata = [
		'frame:60   pts:30720   pts_time:2',
		'lavfi.black_start=2',
		'frame:61   pts:31232   pts_time:2.04167',
		'lavfi.black_end=2.04167',
		'frame:90   pts:46080   pts_time:3',
		'lavfi.freezedetect.freeze_start=2',
		'frame:97   pts:49664   pts_time:4.04167',
		'lavfi.black_start=4.04167',
		'frame:121  pts:61952   pts_time:4.03333',
		'lavfi.freezedetect.freeze_duration=2.03333',
		'lavfi.freezedetect.freeze_end=4.03333',
		'lavfi.freezedetect.freeze_start=4.1',
		'lavfi.silence_start=-0.01',
		'lavfi.silence_end=5.5',
		'lavfi.silence_duration=5.51',
	].join('\n');
	const p = parseDetections(metadata, 10);
	// The one-frame black stretch is listed; the open one runs to the end.
	expect(p.black).toEqual([
		{ start: 2, end: 2.04167, duration: 0.04167 },
		{ start: 4.04167, end: 10, duration: 5.95833 },
	]);
	// 4.03333 → 4.1 is under 0.1 s: one frozen stretch to the end.
	expect(p.frozen).toEqual([{ start: 2, end: 10, duration: 8 }]);
	expect(p.silence).toEqual([{ start: 0, end: 5.5, duration: 5.5 }]);
	expect(parseDetections('', 5)).toEqual({ black: [], frozen: [], silence: [] });

	const log =
		'[Parsed_ebur128_2 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -70.0 LUFS\n  True peak:\n    Peak:       -inf dBFS\n' +
		'[silencedetect @ 0x3] silence_end: 5.5 | silence_duration: 5.51\n' +
		'[Parsed_ebur128_2 @ 0x5] Summary:\n\n  Integrated loudness:\n    I:         -14.2 LUFS\n    Threshold: -24.3 LUFS\n\n  Loudness range:\n    LRA:         7.5 LU\n\n  True peak:\n    Peak:       -9.2 dBFS';
	expect(parseLoudnessSummary(log)).toEqual({ integratedLufs: -14.2, loudnessRangeLu: 7.5, truePeakDbfs: -9.2 });
	expect(parseLoudnessSummary(log.slice(0, log.lastIndexOf('[Parsed')))).toEqual({ integratedLufs: -70, loudnessRangeLu: null, truePeakDbfs: -Infinity });
	expect(parseLoudnessSummary('nothing')).toEqual({ integratedLufs: null, loudnessRangeLu: null, truePeakDbfs: null });

	const path = "/tmp/a b;'c.mp4";
	const args = analysisArgs(path, DEFAULT_MEDIA_EXPECTATIONS);
	expect(args.video[args.video.indexOf('-i') + 1]).toBe(path);
	expect(args.audio[args.audio.indexOf('-i') + 1]).toBe(path);
	expect(args.video.join(' ')).toContain('blackdetect=d=1:pix_th=0.1:pic_th=0.98,freezedetect=n=-60dB:d=2,metadata=mode=print:file=pipe\\\\:1');
	expect(args.audio.join(' ')).toContain('silencedetect=n=-50dB:d=2,ametadata=mode=print:file=pipe\\\\:1,ebur128=peak=true:framelog=verbose');
});
