/**
 * A music bed the project makes itself (issue 11), for videos whose brand has no music of its own:
 * a four-chord progression with a pulse, synthesised here sample by sample (no samples, no
 * network, nothing to license), then given a little room (ffmpeg `aecho`) and a steady level
 * (`loudnorm`) by ffmpeg.
 *
 * The arrangement, all in one key and tempo chosen from the seed (so one brand always gets the same
 * bed, and two brands usually different ones):
 *   - pad: the chord, voiced close to the previous one (smooth voice leading), two slightly
 *     detuned soft-saw oscillators per note panned left and right, slow attack, releases that
 *     overlap the next chord so the bed never drops out; it "pumps" gently on every beat;
 *   - bass: the chord's root on every eighth note, plucked (fast attack, exponential decay);
 *   - arpeggio: the chord's tones an octave up on sixteenths, quiet, alternating sides;
 *   - drums: a soft kick (a sine falling from 110 to 45 Hz) on every beat and a short high-passed
 *     noise hat on the off-beats.
 * Everything is a wavetable oscillator (phase accumulation, no per-sample Math.sin per harmonic), so
 * a minute of stereo 48 kHz renders in well under a second.
 *
 * `renderMusicBed` is pure (numbers in, samples out); `writeMusicBed` writes the file (.wav, .mp3,
 * .m4a or .flac) through ffmpeg with an argument array; `ensureMusicBed` caches a bed by its
 * parameters in a folder (the media folder's music/), so re-assembling a video reuses it.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ValidationError } from '../domain/errors';
import { partPathFor, runTool, wavHeader } from '../providers/tts/alignment';

export interface MusicBedOptions {
	durationSeconds: number;
	/** Picks key, progression and tempo when they are not given (a brand name or id works). Default "brand-infinity". */
	seed?: string;
	/** 70–140. Default from the seed: 88–104. */
	bpm?: number;
	/** Tonic as a MIDI note number 0–11 (0 = C). Default from the seed. */
	key?: number;
	/** Scale degrees (1–7) of the chords, one per bar. Default from the seed: I–V–vi–IV, vi–IV–I–V or I–vi–IV–V. */
	progression?: number[];
	sampleRate?: number;
}

export interface MusicBed {
	sampleRate: number;
	/** Interleaved stereo, −1…1. */
	samples: Float32Array;
	durationSeconds: number;
	bpm: number;
	key: number;
	progression: number[];
	/** The chords as names, bar by bar for one round of the progression (e.g. ["D", "A", "Bm", "G"]). */
	chords: string[];
}

const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'];
const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const PROGRESSIONS = [
	[1, 5, 6, 4],
	[6, 4, 1, 5],
	[1, 6, 4, 5],
];
const KEYS = [0, 2, 3, 5, 7, 9];
const TABLE = 4096;

const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/** A single-cycle wavetable with harmonic amplitudes `amps[h-1]`, normalised to peak 1. */
function wavetable(amps: number[]): Float32Array {
	const t = new Float32Array(TABLE + 1);
	let peak = 0;
	for (let i = 0; i <= TABLE; i++) {
		let v = 0;
		for (let h = 1; h <= amps.length; h++) v += amps[h - 1] * Math.sin((2 * Math.PI * h * i) / TABLE);
		t[i] = v;
		peak = Math.max(peak, Math.abs(v));
	}
	for (let i = 0; i <= TABLE; i++) t[i] /= peak;
	return t;
}

const SOFT_SAW = wavetable([1, 0.5, 0.33, 0.25, 0.2, 0.16, 0.12, 0.1, 0.08, 0.06]);
const PLUCK = wavetable([1, 0.3, 0.12, 0.05]);
const BELL = wavetable([1, 0.5, 0.3, 0.2, 0.12, 0.08]);

/** Deterministic 32-bit PRNG (mulberry32). */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function seedNumber(seed: string): number {
	return createHash('sha256').update(seed).digest().readUInt32LE(0);
}

/** The pitch classes of the diatonic triad on a scale degree. */
function triad(key: number, degree: number): { root: number; pcs: number[]; name: string } {
	const d = degree - 1;
	const pcs = [0, 2, 4].map((step) => (key + MAJOR[(d + step) % 7]) % 12);
	const third = (pcs[1] - pcs[0] + 12) % 12;
	const fifth = (pcs[2] - pcs[0] + 12) % 12;
	const quality = third === 4 ? '' : fifth === 6 ? 'dim' : 'm';
	return { root: pcs[0], pcs, name: `${NOTE_NAMES[pcs[0]]}${quality}` };
}

/** Notes for the pitch classes in [lo, hi], each as close as possible to the previous voicing (smooth voice leading). */
function voice(pcs: number[], previous: number[] | null, lo = 55, hi = 74): number[] {
	const candidates = (pc: number) => {
		const out: number[] = [];
		for (let m = lo; m <= hi; m++) if (m % 12 === pc) out.push(m);
		return out;
	};
	if (!previous) return pcs.map((pc) => candidates(pc)[0]).sort((a, b) => a - b);
	const centre = previous.reduce((a, b) => a + b, 0) / previous.length;
	return pcs
		.map((pc) => candidates(pc).reduce((best, m) => (Math.abs(m - centre) < Math.abs(best - centre) ? m : best)))
		.sort((a, b) => a - b);
}

/** Adds one wavetable note into a stereo buffer with an attack / hold / exponential-or-linear release envelope. */
function addNote(
	out: Float32Array,
	sr: number,
	table: Float32Array,
	freq: number,
	start: number,
	length: number,
	opts: { gain: number; pan: number; attack: number; decay?: number; release: number },
): void {
	const i0 = Math.max(0, Math.floor(start * sr));
	const frames = out.length / 2;
	const i1 = Math.min(frames, Math.ceil((start + length + opts.release) * sr));
	const step = (freq * TABLE) / sr;
	const l = opts.gain * Math.cos(((opts.pan + 1) * Math.PI) / 4);
	const r = opts.gain * Math.sin(((opts.pan + 1) * Math.PI) / 4);
	let phase = 0;
	const decayPerSample = opts.decay ? Math.exp(-1 / (opts.decay * sr)) : 1;
	let decay = opts.decay ? Math.exp(-Math.max(0, i0 / sr - start) / opts.decay) : 1;
	for (let i = i0; i < i1; i++) {
		const t = i / sr - start;
		let env = (t < opts.attack ? t / opts.attack : 1) * decay;
		decay *= decayPerSample;
		if (t > length) env *= Math.max(0, 1 - (t - length) / opts.release);
		const k = phase | 0;
		const s = table[k] + (table[k + 1] - table[k]) * (phase - k);
		phase += step;
		if (phase >= TABLE) phase -= TABLE;
		out[2 * i] += s * env * l;
		out[2 * i + 1] += s * env * r;
	}
}

/** Renders the bed (pure; see the module comment). */
export function renderMusicBed(opts: MusicBedOptions): MusicBed {
	const duration = opts.durationSeconds;
	if (!(Number.isFinite(duration) && duration >= 1 && duration <= 600)) throw new ValidationError('durationSeconds must be between 1 and 600', 'durationSeconds');
	const rand = prng(seedNumber(opts.seed ?? 'brand-infinity'));
	const bpm = opts.bpm ?? 88 + Math.floor(rand() * 5) * 4;
	if (!(bpm >= 70 && bpm <= 140)) throw new ValidationError('bpm must be between 70 and 140', 'bpm');
	const key = opts.key ?? KEYS[Math.floor(rand() * KEYS.length)];
	if (!(Number.isInteger(key) && key >= 0 && key <= 11)) throw new ValidationError('key must be an integer 0–11 (0 = C)', 'key');
	const progression = opts.progression ?? PROGRESSIONS[Math.floor(rand() * PROGRESSIONS.length)];
	if (!progression.length || progression.some((d) => !(Number.isInteger(d) && d >= 1 && d <= 7))) {
		throw new ValidationError('progression must be scale degrees 1–7', 'progression');
	}
	const sr = opts.sampleRate ?? 48000;
	const frames = Math.round(duration * sr);
	const out = new Float32Array(frames * 2);
	const beat = 60 / bpm;
	const bar = 4 * beat;
	const bars = Math.ceil(duration / bar) + 1;

	const chords = progression.map((d) => triad(key, d));
	let previous: number[] | null = null;
	for (let b = 0; b < bars; b++) {
		const chord = chords[b % chords.length];
		const notes = voice(chord.pcs, previous);
		previous = notes;
		const t0 = b * bar;
		// Pad: overlapping releases keep the bed continuous.
		for (const m of notes) {
			for (const [detune, pan] of [
				[-4, -0.6],
				[4, 0.6],
			]) {
				addNote(out, sr, SOFT_SAW, hz(m) * 2 ** (detune / 1200), t0, bar, { gain: 0.075, pan, attack: 0.35, release: 0.6 });
			}
		}
		// Bass: the root on every eighth, plucked.
		const bassNote = 36 + ((chord.root - 36 + 120) % 12);
		for (let e = 0; e < 8; e++) {
			addNote(out, sr, PLUCK, hz(bassNote), t0 + e * (beat / 2), beat / 2, { gain: e % 2 ? 0.09 : 0.13, pan: 0, attack: 0.006, decay: 0.18, release: 0.05 });
		}
		// Arpeggio: chord tones an octave up on sixteenths, quiet, alternating sides.
		const arp = [...notes, notes[1] + 12].map((m) => m + 12);
		for (let s = 0; s < 16; s++) {
			addNote(out, sr, BELL, hz(arp[s % arp.length]), t0 + s * (beat / 4), beat / 4, {
				gain: 0.06,
				pan: s % 2 ? 0.5 : -0.5,
				attack: 0.004,
				decay: 0.12,
				release: 0.04,
			});
		}
	}

	// Drums and the pad's pulse: one beat's envelopes, computed once (they repeat every beat).
	const beatFrames = Math.ceil(beat * sr) + 1;
	const pump = new Float32Array(beatFrames);
	const kick = new Float32Array(beatFrames);
	const hatEnv = new Float32Array(beatFrames);
	for (let j = 0; j < beatFrames; j++) {
		const u = j / sr;
		// Pulse: everything ducks a little on each beat (a side-chained feel), recovering within ~0.2 s.
		pump[j] = 1 - 0.3 * Math.exp(-u / 0.09);
		// Kick on every beat: a sine whose pitch falls from 110 to 45 Hz.
		kick[j] = 0.2 * Math.sin(2 * Math.PI * (45 * u + 65 * 0.03 * (1 - Math.exp(-u / 0.03)))) * Math.exp(-u / 0.12);
		// Hat on the off-beat: a few milliseconds of high-passed noise.
		const off = u < beat / 2 ? u + beat / 2 : u - beat / 2;
		hatEnv[j] = 0.14 * Math.exp(-off / 0.035);
	}
	const noise = prng(seedNumber(`${opts.seed ?? 'brand-infinity'}:hat`));
	let hp = 0;
	let lastNoise = 0;
	for (let i = 0; i < frames; i++) {
		const j = Math.min(beatFrames - 1, Math.floor((i / sr) % beat * sr));
		out[2 * i] *= pump[j];
		out[2 * i + 1] *= pump[j];
		const w = noise() * 2 - 1;
		hp = 0.85 * (hp + w - lastNoise);
		lastNoise = w;
		const hat = hatEnv[j] * hp;
		out[2 * i] += kick[j] + hat * 0.8;
		out[2 * i + 1] += kick[j] + hat;
	}

	// Soft clip, then peak at −3 dBFS.
	let peak = 0;
	for (let i = 0; i < out.length; i++) {
		out[i] = Math.tanh(out[i] * 1.2);
		peak = Math.max(peak, Math.abs(out[i]));
	}
	const g = peak > 0 ? 0.708 / peak : 1;
	for (let i = 0; i < out.length; i++) out[i] *= g;

	return {
		sampleRate: sr,
		samples: out,
		durationSeconds: frames / sr,
		bpm,
		key,
		progression,
		chords: chords.map((c) => c.name),
	};
}

/** The bed as a 16-bit stereo WAV file's bytes. */
export function musicBedWav(bed: MusicBed): Buffer {
	const pcm = Buffer.alloc(bed.samples.length * 2);
	for (let i = 0; i < bed.samples.length; i++) pcm.writeInt16LE(Math.round(Math.max(-1, Math.min(1, bed.samples[i])) * 32767), 2 * i);
	return Buffer.concat([wavHeader(pcm.length, bed.sampleRate, 2, 16), pcm]);
}

const CODECS: Record<string, string[]> = {
	wav: ['-c:a', 'pcm_s16le'],
	flac: ['-c:a', 'flac'],
	mp3: ['-c:a', 'libmp3lame', '-b:a', '160k'],
	m4a: ['-c:a', 'aac', '-b:a', '160k'],
};

export interface WrittenMusicBed extends Omit<MusicBed, 'samples'> {
	path: string;
	/** Integrated loudness the file was normalised to (LUFS). */
	loudnessLufs: number;
	provider: 'local';
	generator: 'brand-infinity-music-bed';
}

/** Renders the bed and writes it (format by extension: .wav .flac .mp3 .m4a), with room and a steady level. */
export async function writeMusicBed(destPath: string, opts: MusicBedOptions & { loudnessLufs?: number; ffmpegPath?: string }): Promise<WrittenMusicBed> {
	const ext = /\.([a-z0-9]+)$/i.exec(destPath)?.[1]?.toLowerCase() ?? '';
	const codec = CODECS[ext];
	if (!codec) throw new ValidationError(`a music bed is written as .wav, .flac, .mp3 or .m4a, not "${destPath}"`, 'destPath');
	const lufs = opts.loudnessLufs ?? -16;
	const bed = renderMusicBed(opts);
	await mkdir(dirname(destPath), { recursive: true });
	const raw = partPathFor(`${destPath}.raw.wav`);
	const part = partPathFor(destPath);
	try {
		await writeFile(raw, musicBedWav(bed));
		const af = `aecho=0.85:0.6:70|140:0.22|0.12,highpass=f=35,loudnorm=I=${lufs}:TP=-2:LRA=11,aresample=48000`;
		await runTool(opts.ffmpegPath || 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', raw, '-af', af, '-ac', '2', '-t', String(bed.durationSeconds), ...codec, part], {
			tool: 'ffmpeg',
		});
		await rename(part, destPath);
	} finally {
		await rm(raw, { force: true });
		await rm(part, { force: true });
	}
	const { samples: _samples, ...meta } = bed;
	void _samples;
	return { ...meta, path: destPath, loudnessLufs: lufs, provider: 'local', generator: 'brand-infinity-music-bed' };
}

/** A bed of at least `durationSeconds` in `dir`, made once per parameter set and reused (the file name is their hash). */
export async function ensureMusicBed(dir: string, opts: MusicBedOptions & { ffmpegPath?: string }): Promise<string> {
	const seconds = Math.ceil(opts.durationSeconds + 1);
	const id = createHash('sha256')
		.update(JSON.stringify({ v: 1, seconds, seed: opts.seed ?? null, bpm: opts.bpm ?? null, key: opts.key ?? null, progression: opts.progression ?? null }))
		.digest('hex')
		.slice(0, 16);
	const path = join(dir, `bed-${id}.wav`);
	const st = await stat(path).catch(() => null);
	if (st?.isFile() && st.size > 44) return path;
	await writeMusicBed(path, { ...opts, durationSeconds: seconds });
	return path;
}
