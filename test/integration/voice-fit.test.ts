/**
 * A voiceover fitted to its scenes (issue 11): real Festival / espeak-ng takes and the OpenAI fake's
 * real audio, mixed by real ffmpeg. Each line sits inside its scene at a rate within the bounds,
 * the track lasts exactly the script, a local voice is asked again at the fitted rate, and a paid
 * voice is called once per line (stretched by atempo, never billed twice).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fitVoiceToScenes, mixArgs, type SceneLine } from '../../lib/production/voice-fit';
import { speechBounds } from '../../lib/providers/tts/alignment';
import { OpenAiTtsProvider } from '../../lib/providers/tts/openai';
import { createTtsProvider } from '../../lib/providers/tts/registry';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai';

const TIMEOUT_MS = 120_000;
const OPENAI_KEY = `sk-test-${randomBytes(12).toString('hex')}`;

let dir: string;
let openai: OpenAiFake;
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'bi-voice-fit-'));
	openai = await startOpenAiFake({ apiKey: OPENAI_KEY });
});
afterAll(async () => {
	await openai?.close();
	rmSync(dir, { recursive: true, force: true });
});

const LINES: SceneLine[] = [
	{ text: 'Meet the Cloudline.', durationSeconds: 3 },
	{ text: 'A light and springy daily trainer, made for the miles before work.', durationSeconds: 4.5 },
	{ text: '', durationSeconds: 3 },
	{ text: 'Cushioned where you land, quick where you push off, all the way home.', durationSeconds: 4 },
	{ text: 'Run your city in the Cloudline. Find your pair at Stride today.', durationSeconds: 5 },
];
const TOTAL = 19.5;

function duration(path: string): number {
	return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }));
}

describe('fitVoiceToScenes', () => {
	test('local voice: every line inside its scene, rate within 0.85–1.25, track as long as the script, words on the track', async () => {
		const dest = join(dir, 'local.wav');
		const r = await fitVoiceToScenes(createTtsProvider({ provider: 'local' }), LINES, dest);
		expect(r).toMatchObject({ provider: 'local', durationSeconds: TOTAL, wordsFrom: 'proportional' });
		expect(duration(dest)).toBeCloseTo(TOTAL, 1);
		// The empty scene gets no line; the others one each, in order.
		expect(r.fit.map((f) => f.sequence)).toEqual([1, 2, 4, 5]);
		for (const f of r.fit) {
			expect(f.rate).toBeGreaterThanOrEqual(0.85);
			expect(f.rate).toBeLessThanOrEqual(1.25);
			expect(f.start).toBeGreaterThanOrEqual(f.slot_start);
			expect(f.end).toBeLessThanOrEqual(f.slot_end + 0.05);
			expect(f.overflow_seconds).toBe(0);
			expect(f.method === 'as-spoken' || f.method === 'resynthesised').toBe(true);
		}
		// A short line in a long scene is slowed to the floor; the first scene's line is short.
		expect(r.fit[0]).toMatchObject({ method: 'resynthesised', rate: 0.85 });
		// The last line ends near the end of its scene: the video does not end in seconds of silence.
		const bounds = await speechBounds(dest);
		expect(TOTAL - bounds!.end).toBeLessThan(1);
		expect(bounds!.start).toBeCloseTo(0.15, 1);
		// Words: all of them, in order, each inside its line's span on the track.
		const said = LINES.flatMap((l) => l.text.split(/\s+/).filter(Boolean));
		expect(r.words.map((w) => w.word)).toEqual(said);
		for (let i = 1; i < r.words.length; i++) expect(r.words[i].start).toBeGreaterThanOrEqual(r.words[i - 1].end);
		const lineOf = (k: number) => r.fit[k];
		expect(r.words[0].start).toBeCloseTo(lineOf(0).start, 2);
		expect(r.words.at(-1)!.end).toBeCloseTo(lineOf(3).end, 2);
		expect(r.words.find((w) => w.word === 'Run')!.start).toBeGreaterThanOrEqual(lineOf(3).slot_start);
	}, TIMEOUT_MS);

	test('a paid voice is called once per line and stretched by atempo; its words are scaled with it', async () => {
		const before = openai.speechRequests().length;
		const tts = new OpenAiTtsProvider({ apiKey: OPENAI_KEY, baseURL: openai.baseURL, retryBaseDelayMs: 10 });
		const dest = join(dir, 'paid.wav');
		const r = await fitVoiceToScenes(tts, LINES, dest);
		expect(openai.speechRequests().length - before).toBe(4);
		expect(r.provider).toBe('openai');
		expect(duration(dest)).toBeCloseTo(TOTAL, 1);
		const stretched = r.fit.filter((f) => f.method === 'atempo');
		expect(stretched.length).toBeGreaterThan(0);
		for (const f of r.fit) {
			expect(f.rate).toBeGreaterThanOrEqual(0.85);
			expect(f.rate).toBeLessThanOrEqual(1.25);
		}
		// The stretched line's words span exactly its placed speech.
		const k = r.fit.indexOf(stretched[0]);
		const words = LINES.filter((l) => l.text).map((l) => l.text.split(/\s+/).length);
		const first = words.slice(0, k).reduce((a, b) => a + b, 0);
		const own = r.words.slice(first, first + words[k]);
		expect(own[0].start).toBeCloseTo(stretched[0].start, 2);
		expect(own.at(-1)!.end).toBeCloseTo(stretched[0].end, 2);
	}, TIMEOUT_MS);

	test('the mix is one ffmpeg graph: trim to the speech, stretch, delay, sum, pad and cut to the total', () => {
		const args = mixArgs(
			[
				{ path: '/a.wav', from: 0.1, to: 1.2, atempo: 1, start: 0.15 },
				{ path: '/b.wav', from: 0.05, to: 2, atempo: 1.2, start: 3.15 },
			],
			8,
			'/out.wav',
		);
		const graph = args[args.indexOf('-filter_complex') + 1];
		expect(graph).toContain('atrim=start=0.1:end=1.2,asetpts=PTS-STARTPTS,adelay=delays=150:all=1[t0]');
		expect(graph).toContain('atempo=1.2,adelay=delays=3150:all=1[t1]');
		expect(graph).toContain('[t0][t1]amix=inputs=2');
		expect(graph).toContain('apad=whole_dur=8,atrim=duration=8[voice]');
	});

	test('input errors name the field', async () => {
		const tts = createTtsProvider({ provider: 'local', engine: 'espeak-ng' });
		await expect(fitVoiceToScenes(tts, [], join(dir, 'x.wav'))).rejects.toThrow(/scenes/);
		await expect(fitVoiceToScenes(tts, [{ text: ' ', durationSeconds: 3 }], join(dir, 'x.wav'))).rejects.toThrow(/no scene has a line/);
		await expect(fitVoiceToScenes(tts, LINES, join(dir, 'x.mp3'))).rejects.toThrow(/\.wav/);
		await expect(fitVoiceToScenes(tts, LINES, join(dir, 'x.wav'), { minSpeed: 1.1 })).rejects.toThrow(/bounds/);
	});
});
