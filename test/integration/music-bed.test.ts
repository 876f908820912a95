/**
 * The music bed the project makes itself (issue 11), measured with the real ffmpeg: a chord
 * progression with a pulse (energy across the bass, mid and high bands, chords that change bar by
 * bar, never a gap), written at a steady loudness; and a whole video with it: a Festival voice
 * fitted to its scenes over the ducked bed, assembled by the real assembler, then measured by the
 * Judge's media analysis: −14 LUFS ± 1 integrated, no silence of 1 s anywhere, music under the
 * last two seconds.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { assemble } from '../../lib/media/assemble';
import { ensureMusicBed, renderMusicBed, writeMusicBed } from '../../lib/media/music';
import { fitVoiceToScenes } from '../../lib/production/voice-fit';
import { createTtsProvider } from '../../lib/providers/tts/registry';
import { analyzeMedia } from '../../lib/strategy/judge/media';

jest.setTimeout(240_000);

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'bi-music-'));
});
afterAll(async () => {
	if (dir) await rm(dir, { recursive: true, force: true });
});

function ffmpeg(args: string[]): string {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
	return r.stderr;
}

/** RMS level (dB) of a file after a filter chain (e.g. a band), optionally between two times. */
function rms(file: string, filters: string, from?: number, to?: number): number {
	const trim = from === undefined ? '' : `atrim=${from}:${to},`;
	const log = ffmpeg(['-i', file, '-vn', '-af', `${trim}${filters ? `${filters},` : ''}astats=measure_perchannel=none:measure_overall=RMS_level`, '-f', 'null', '-']);
	const m = /RMS level dB:\s+(-?[\d.]+|-inf)/.exec(log);
	if (!m) throw new Error(log);
	return m[1] === '-inf' ? -200 : Number(m[1]);
}

function integrated(file: string): number {
	const log = ffmpeg(['-i', file, '-vn', '-af', 'ebur128', '-f', 'null', '-']);
	return Number(/I:\s+(-?[\d.]+) LUFS/.exec(log.slice(log.lastIndexOf('Summary:')))![1]);
}

function silences(file: string, noiseDb: number, minSeconds: number): number {
	return (ffmpeg(['-i', file, '-vn', '-af', `silencedetect=n=${noiseDb}dB:d=${minSeconds}`, '-f', 'null', '-']).match(/silence_start/g) ?? []).length;
}

/**
 * Pitch-class profile of a stretch of the bed's left channel: DFT power at every note from G3 to
 * D6 (where the pad and arpeggio play; the kick and bass sit below), summed per pitch class 0–11.
 */
function pitchClassPower(samples: Float32Array, sr: number, from: number, seconds: number): number[] {
	const n0 = Math.floor(from * sr);
	const n = Math.floor(seconds * sr);
	const power = new Array<number>(12).fill(0);
	for (let m = 55; m <= 86; m++) {
		const f = 440 * 2 ** ((m - 69) / 12);
		let re = 0;
		let im = 0;
		for (let i = 0; i < n; i += 2) {
			const x = samples[2 * (n0 + i)];
			re += x * Math.cos((2 * Math.PI * f * i) / sr);
			im += x * Math.sin((2 * Math.PI * f * i) / sr);
		}
		power[m % 12] += re * re + im * im;
	}
	return power;
}

describe('renderMusicBed', () => {
	test('four diatonic chords in the key, chosen from the seed, the same every time', () => {
		const a = renderMusicBed({ durationSeconds: 6, seed: 'Stride Running Co.' });
		const b = renderMusicBed({ durationSeconds: 6, seed: 'Stride Running Co.' });
		expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
		const d = renderMusicBed({ durationSeconds: 6, key: 2, progression: [1, 5, 6, 4], bpm: 96 });
		expect(d.chords).toEqual(['D', 'A', 'Bm', 'G']);
		expect(renderMusicBed({ durationSeconds: 2, key: 0, progression: [6, 4, 1, 5, 7] }).chords).toEqual(['Am', 'F', 'C', 'G', 'Bdim']);
		const others = ['Northbound Outfitters', 'Brand Infinity', 'Acme'].map((seed) => renderMusicBed({ durationSeconds: 2, seed }));
		const signatures = new Set([a, ...others].map((x) => `${x.key}/${x.bpm}/${x.progression.join('')}`));
		expect(signatures.size).toBeGreaterThan(1);
		expect(a.samples.length).toBe(6 * 48000 * 2);
	});

	test('never drops out: every 50 ms window has sound, nothing clips', () => {
		const bed = renderMusicBed({ durationSeconds: 12, seed: 'gaps?' });
		const win = bed.sampleRate / 20;
		let quietest = Infinity;
		let peak = 0;
		for (let w = 0; w + win <= bed.samples.length / 2; w += win) {
			let s = 0;
			for (let i = w; i < w + win; i++) {
				s += bed.samples[2 * i] ** 2 + bed.samples[2 * i + 1] ** 2;
				peak = Math.max(peak, Math.abs(bed.samples[2 * i]), Math.abs(bed.samples[2 * i + 1]));
			}
			quietest = Math.min(quietest, 10 * Math.log10(s / (2 * win)));
		}
		expect(quietest).toBeGreaterThan(-35);
		expect(peak).toBeLessThanOrEqual(0.71);
	});

	test('the harmony moves: each bar of I–V–vi–IV in C sounds its own chord (its three pitch classes are the strongest)', () => {
		const bed = renderMusicBed({ durationSeconds: 11, key: 0, progression: [1, 5, 6, 4], bpm: 96 });
		const bar = (4 * 60) / 96;
		const chords = [
			[0, 4, 7],
			[7, 11, 2],
			[9, 0, 4],
			[5, 9, 0],
		];
		chords.forEach((chord, k) => {
			const p = pitchClassPower(bed.samples, bed.sampleRate, k * bar + 0.6, 1.2);
			const top3 = p
				.map((v, pc) => ({ v, pc }))
				.sort((a, b) => b.v - a.v)
				.slice(0, 3)
				.map((x) => x.pc);
			expect(top3.sort((a, b) => a - b)).toEqual([...chord].sort((a, b) => a - b));
		});
	});

	test('bad parameters name the field', () => {
		expect(() => renderMusicBed({ durationSeconds: 0 })).toThrow(/durationSeconds/);
		expect(() => renderMusicBed({ durationSeconds: 5, bpm: 300 })).toThrow(/bpm/);
		expect(() => renderMusicBed({ durationSeconds: 5, key: 12 })).toThrow(/key/);
		expect(() => renderMusicBed({ durationSeconds: 5, progression: [1, 8] })).toThrow(/progression/);
	});
});

describe('writeMusicBed / ensureMusicBed', () => {
	test('a file at −16 LUFS with no silence and energy across the bass, mid and high bands (not a beep)', async () => {
		const path = join(dir, 'bed.mp3');
		const r = await writeMusicBed(path, { durationSeconds: 20, seed: 'Stride Running Co.' });
		expect(r).toMatchObject({ path, provider: 'local', loudnessLufs: -16 });
		expect(integrated(path)).toBeGreaterThan(-17);
		expect(integrated(path)).toBeLessThan(-15);
		expect(silences(path, -50, 0.5)).toBe(0);
		const low = rms(path, 'lowpass=f=150,lowpass=f=150');
		const mid = rms(path, 'highpass=f=150,highpass=f=150,lowpass=f=2000,lowpass=f=2000');
		const high = rms(path, 'highpass=f=2000,highpass=f=2000');
		expect(low).toBeGreaterThan(-32);
		expect(mid).toBeGreaterThan(-28);
		expect(high).toBeGreaterThan(-45);
		await expect(writeMusicBed(join(dir, 'bed.ogg'), { durationSeconds: 5 })).rejects.toThrow(/\.wav, \.flac, \.mp3 or \.m4a/);
	});

	test('ensureMusicBed makes a bed once per parameter set and reuses it', async () => {
		const folder = join(dir, 'cache');
		const a = await ensureMusicBed(folder, { durationSeconds: 8.4, seed: 'x' });
		const mtime = statSync(a).mtimeMs;
		expect(await ensureMusicBed(folder, { durationSeconds: 8.4, seed: 'x' })).toBe(a);
		expect(statSync(a).mtimeMs).toBe(mtime);
		const b = await ensureMusicBed(folder, { durationSeconds: 8.4, seed: 'y' });
		expect(b).not.toBe(a);
		const seconds = Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', a], { encoding: 'utf8' }).stdout);
		expect(seconds).toBeGreaterThanOrEqual(9);
	});
});

describe('a video with the fitted voice over the bed', () => {
	test('−14 LUFS ± 1, no silence of 1 s or more, music under the last two seconds', async () => {
		const W = 320;
		const H = 568;
		const durations = [3.5, 4.5, 4, 4.5];
		const lines = [
			'Meet the Cloudline.',
			'A light and springy daily trainer for the miles before work.',
			'Cushioned where you land, quick where you push off.',
			'Find your pair at Stride.',
		];
		const scenes = durations.map((d, k) => {
			const path = join(dir, `scene-${k}.mp4`);
			ffmpeg(['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=30:d=${d + 0.5}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
			return { path, durationSeconds: d };
		});
		const total = durations.reduce((a, b) => a + b, 0);
		const voice = await fitVoiceToScenes(
			createTtsProvider({ provider: 'local' }),
			lines.map((text, k) => ({ text, durationSeconds: durations[k] })),
			join(dir, 'voice.wav'),
		);
		const music = await ensureMusicBed(join(dir, 'music'), { durationSeconds: total, seed: 'Stride Running Co.' });
		const master = join(dir, 'out', 'master.mp4');
		await assemble({
			scenes: scenes.map((s, k) => ({ ...s, transition: k ? 'fade' : 'none', transitionSeconds: 0.4 })),
			voiceover: { path: voice.path, words: voice.words },
			music: { path: music },
			outputs: [{ aspect: '9:16', width: W, height: H, path: master }],
			preset: 'ultrafast',
		});
		const a = await analyzeMedia(master, { expect: { silenceMinSeconds: 1, minDurationSeconds: 10 } });
		expect(a.silence).toEqual([]);
		expect(a.integratedLufs!).toBeGreaterThanOrEqual(-15);
		expect(a.integratedLufs!).toBeLessThanOrEqual(-13);
		// The end: the voice has stopped, the music is still clearly there (it fades only at the very end).
		const lastLine = voice.fit.at(-1)!;
		expect(lastLine.end).toBeLessThan(total);
		expect(rms(master, '', total - 2, total - 0.6)).toBeGreaterThan(-40);
		// Ducking: the bed's bass band (where the voice has almost nothing) is quieter under the voice
		// than in the pause after the short first line.
		const gapStart = voice.fit[0].end + 0.4;
		const gapEnd = voice.fit[1].start - 0.05;
		expect(gapEnd - gapStart).toBeGreaterThan(0.6);
		const underVoice = rms(master, 'lowpass=f=150,lowpass=f=150', voice.fit[1].start + 0.5, voice.fit[1].end - 0.3);
		const alone = rms(master, 'lowpass=f=150,lowpass=f=150', gapStart, gapEnd);
		expect(alone - underVoice).toBeGreaterThan(3);
	});
});
