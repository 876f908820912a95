/**
 * The better offline voice: Festival (Debian `festival`) with the CMU US SLT Arctic HTS voice
 * (Debian `festvox-us-slt-hts`, 32 kHz, an HMM-based statistical voice of a US English woman). It
 * is still a synthetic voice from 2010, clearly not a person, but far more natural than espeak-ng's
 * formant synthesis: real vocal tract, real prosody. It says what it is (`provider: "local"`,
 * model `festival/<voice>`). The registry puts it first in the `local` chain, with espeak-ng
 * behind it for machines without Festival (see registry.ts).
 *
 * Festival runs through `text2wave` with an argument array (alignment.ts `runTool`), never a shell; the text goes in a
 * private temporary .txt file (never on the command line, never into Scheme), with control
 * characters replaced by spaces. The voice name is checked (lower-case letters, digits and _)
 * because it is the one value that reaches a Scheme expression. The speaking rate reaches HTS
 * voices as hts_engine's `-r` (speech speed: 1.25 speaks in 1/1.25 of the time) and other Festival
 * voices as `Duration_Stretch` (1/speed); both resynthesise, so the pitch stays natural.
 *
 * text2wave exits 0 even when the voice is not installed ("SIOD ERROR: unbound variable"), so
 * success is judged by the WAV it wrote. A missing binary or voice is a ProviderError with a known
 * outcome: a fallback chain moves on to espeak-ng.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import type { SpeechRequest, SpeechResult, TtsProvider } from '../types';
import { MediaToolError, audioExtension, partPathFor, readWavInfo, runTool, type MediaTools } from './alignment';
import { localSpeechResult, moveLocalSpeech } from './local';

export const DEFAULT_FESTIVAL_VOICE = 'cmu_us_slt_arctic_hts';
/** The rates Festival is asked for; outside them HTS speech degrades audibly. */
export const FESTIVAL_SPEED_RANGE = { min: 0.5, max: 2 } as const;
const MAX_TEXT_BYTES = 100_000;
const VOICE = /^[a-z0-9][a-z0-9_]{0,63}$/;

export interface FestivalTtsOptions extends MediaTools {
	/** A Festival voice without the `voice_` prefix. Default cmu_us_slt_arctic_hts. */
	voice?: string;
	/** Default "text2wave" (PATH). */
	text2wavePath?: string;
	/** Default 120 s (HTS synthesises at about 0.3× real time on one core). */
	timeoutMs?: number;
	/** Spread the words over the measured speech only (default true). */
	trimSilence?: boolean;
	/** Parent of the private temporary folder for the text file (default: the OS temp dir). */
	tempDir?: string;
}

/** The text as a file for Festival: printable (tabs and newlines become spaces). */
export function festivalSafeText(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** Whether a voice name is a Festival one (cmu_us_slt_arctic_hts, kal_diphone) rather than espeak-ng's (en-us, en-gb+f3). */
export function isFestivalVoiceName(voice: string): boolean {
	return VOICE.test(voice) && voice.includes('_');
}

/** The Scheme that selects the voice and sets its rate (the voice name is checked before it gets here). */
export function festivalEvals(voice: string, speed: number): string[] {
	const evals = [`(voice_${voice})`];
	if (Math.abs(speed - 1) > 1e-3) {
		const s = Math.min(FESTIVAL_SPEED_RANGE.max, Math.max(FESTIVAL_SPEED_RANGE.min, speed)).toFixed(3);
		evals.push(
			voice.endsWith('_hts')
				? `(set! hts_engine_params (append hts_engine_params (list (list "-r" ${s}))))`
				: `(Parameter.set 'Duration_Stretch ${(1 / Number(s)).toFixed(3)})`,
		);
	}
	return evals;
}

export class FestivalTtsProvider implements TtsProvider {
	readonly name = 'local';
	readonly model: string;
	private readonly voice: string;

	constructor(private readonly opts: FestivalTtsOptions = {}) {
		this.voice = checkVoice(opts.voice || DEFAULT_FESTIVAL_VOICE);
		this.model = `festival/${this.voice}`;
	}

	async synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult> {
		const text = festivalSafeText(req.text ?? '');
		if (!text.trim()) throw new ValidationError('there is no text to speak', 'text');
		if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw new ValidationError(`the text is longer than ${MAX_TEXT_BYTES} bytes; split it`, 'text');
		const ext = audioExtension(destPath);
		if (ext !== 'wav' && ext !== 'mp3') throw new ValidationError(`the local voice writes .wav or .mp3, not "${destPath}"`, 'destPath');
		const voice = req.voice ? checkVoice(req.voice) : this.voice;
		const speed = req.speed !== undefined && Number.isFinite(req.speed) && req.speed > 0 ? req.speed : 1;

		await mkdir(dirname(destPath), { recursive: true });
		const work = await mkdtemp(join(this.opts.tempDir ?? tmpdir(), 'bi-festival-'));
		const wav = join(work, 'speech.wav');
		const part = partPathFor(destPath);
		try {
			const textFile = join(work, 'text.txt');
			await writeFile(textFile, text, 'utf8');
			const evals = festivalEvals(voice, speed).flatMap((e) => ['-eval', e]);
			const output = await this.text2wave([...evals, '-o', wav, textFile]);
			const info = await readWavInfo(wav).catch(() => null);
			if (!info || !(info.durationSeconds > 0)) {
				const siod = /SIOD ERROR[^\n]*/.exec(output)?.[0];
				throw new ProviderCallError(
					`local: festival wrote no audio${siod ? ` (${siod.trim()}: is the voice ${voice} installed? Debian: festvox-us-slt-hts)` : ''}`,
					'local',
					null,
					true,
					'server',
				);
			}
			await moveLocalSpeech(wav, destPath, part, this.opts);
		} finally {
			await rm(work, { recursive: true, force: true });
			await rm(part, { force: true });
		}

		return localSpeechResult(destPath, text, `festival/${voice}`, this.opts);
	}

	/** Resolves stdout + stderr (Festival prints its Scheme errors there and still exits 0). */
	private async text2wave(args: string[]): Promise<string> {
		const bin = this.opts.text2wavePath || 'text2wave';
		try {
			const { stdout, stderr } = await runTool(bin, args, { timeoutMs: this.opts.timeoutMs ?? 120_000, tool: 'festival' });
			return `${stdout}\n${stderr}`;
		} catch (err) {
			if (!(err instanceof MediaToolError)) throw err;
			const why = err.missing ? `festival is not installed (looked for "${bin}"; Debian: festival festvox-us-slt-hts)` : err.message;
			throw new ProviderCallError(`local: ${why}`, 'local', null, true, 'server');
		}
	}
}

function checkVoice(voice: string): string {
	const v = voice.startsWith('voice_') ? voice.slice(6) : voice;
	if (!VOICE.test(v)) throw new ValidationError(`"${voice}" is not a Festival voice name (e.g. cmu_us_slt_arctic_hts, kal_diphone)`, 'voice');
	return v;
}
