/**
 * The offline voice: espeak-ng, a formant synthesiser, not a neural voice. It sounds robotic and
 * is meant for offline drafts: the demo, the tests and timing a cut get real speech of about the
 * right length with no key and no network. It says what it is (`provider: "local"`, model
 * `espeak-ng`). Use OpenAI or ElevenLabs for anything a viewer will hear.
 *
 * espeak-ng runs with an argument array, never a shell:
 *   espeak-ng -v <voice> -s <words per minute> -w <file.wav> -- <text>
 * `--` ends the options, so a text that starts with `-` (or is `--help`) is spoken, not parsed;
 * quotes, `$()`, backticks and newlines are plain characters with no shell in between. NUL and
 * other control characters are replaced by spaces, and `[[`, espeak's phoneme-input marker, is
 * broken up so the text is read as text. The voice name is checked against espeak's naming
 * (letters, digits, - + _ /).
 *
 * The WAV's duration comes from its header (ffprobe when the header cannot be read); .mp3
 * destinations are encoded from that WAV by ffmpeg. Word timings are a proportional alignment
 * over the speech that `silencedetect` finds in the file.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import type { SpeechRequest, SpeechResult, TtsProvider } from '../types';
import { MediaToolError, audioExtension, partPathFor, probeDurationSeconds, proportionalAlignment, readWavInfo, runTool, speechBounds, type MediaTools } from './alignment';

export const DEFAULT_LOCAL_VOICE = 'en-us';
export const DEFAULT_WORDS_PER_MINUTE = 165;
/** Linux refuses a single argument over 128 KiB; a voiceover is far shorter. */
const MAX_TEXT_BYTES = 100_000;

export interface LocalTtsOptions extends MediaTools {
	/** An espeak-ng voice (`espeak-ng --voices`), optionally with a variant: en-us, en-gb, de, en-us+f3. Default en-us. */
	voice?: string;
	/** Speaking rate at speed 1. Default 165. */
	wordsPerMinute?: number;
	/** Default "espeak-ng" (PATH). */
	espeakPath?: string;
	/** Default 60 s. */
	timeoutMs?: number;
	/** Spread the words over the measured speech only (default true). */
	trimSilence?: boolean;
}

const VOICE = /^[A-Za-z0-9][A-Za-z0-9_+/-]{0,63}$/;

/** The text as espeak-ng should get it: printable, and without its phoneme-input marker. */
export function espeakSafeText(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/\[\[/g, '[ [').replace(/\]\]/g, '] ]');
}

export class LocalTtsProvider implements TtsProvider {
	readonly name = 'local';
	readonly model = 'espeak-ng';
	private readonly voice: string;

	constructor(private readonly opts: LocalTtsOptions = {}) {
		this.voice = checkVoice(opts.voice || DEFAULT_LOCAL_VOICE);
	}

	async synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult> {
		const text = espeakSafeText(req.text ?? '');
		if (!text.trim()) throw new ValidationError('there is no text to speak', 'text');
		if (Buffer.byteLength(text) > MAX_TEXT_BYTES) throw new ValidationError(`the text is longer than ${MAX_TEXT_BYTES} bytes; split it`, 'text');
		const ext = audioExtension(destPath);
		if (ext !== 'wav' && ext !== 'mp3') throw new ValidationError(`the local voice writes .wav or .mp3, not "${destPath}"`, 'destPath');
		const voice = req.voice ? checkVoice(req.voice) : this.voice;
		const speed = req.speed !== undefined && Number.isFinite(req.speed) ? req.speed : 1;
		const wpm = Math.round(Math.min(450, Math.max(80, (this.opts.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE) * speed)));

		await mkdir(dirname(destPath), { recursive: true });
		const wav = partPathFor(ext === 'wav' ? destPath : `${destPath}.wav`);
		const part = partPathFor(destPath);
		try {
			await this.espeak(['-v', voice, '-s', String(wpm), '-w', wav, '--', text]);
			await moveLocalSpeech(wav, destPath, part, this.opts);
		} finally {
			await rm(wav, { force: true });
			await rm(part, { force: true });
		}

		return localSpeechResult(destPath, text, this.model, this.opts);
	}

	private espeak(args: string[]): Promise<void> {
		const bin = this.opts.espeakPath || 'espeak-ng';
		return new Promise((resolve, reject) => {
			execFile(bin, args, { timeout: this.opts.timeoutMs ?? 60_000, maxBuffer: 1024 * 1024, windowsHide: true }, (err, _stdout, stderr) => {
				if (!err) return resolve();
				const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
				const why = missing ? `espeak-ng is not installed (looked for "${bin}")` : `espeak-ng failed${err.killed ? ' (timed out)' : ''}: ${String(stderr).trim().slice(0, 300) || err.message}`;
				reject(new ProviderCallError(`local: ${why}`, 'local', null, true, 'server'));
			});
		});
	}
}

function checkVoice(voice: string): string {
	if (!VOICE.test(voice)) throw new ValidationError(`"${voice}" is not an espeak-ng voice name (e.g. en-us, en-gb, de, en-us+f3)`, 'voice');
	return voice;
}

/** The synthesised WAV to its destination: renamed for .wav, encoded by ffmpeg (through `part`) for .mp3. */
export async function moveLocalSpeech(wav: string, destPath: string, part: string, tools: MediaTools): Promise<void> {
	if (audioExtension(destPath) !== 'mp3') {
		await rename(wav, destPath);
		return;
	}
	await runTool(tools.ffmpegPath || 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', wav, '-codec:a', 'libmp3lame', '-q:a', '4', part], {
		tool: 'ffmpeg',
	}).catch((err: unknown) => {
		throw toLocalError(err);
	});
	await rename(part, destPath);
}

/** A local voice's result: duration from the WAV header (else ffprobe), words spread over the measured speech. */
export async function localSpeechResult(destPath: string, text: string, model: string, opts: MediaTools & { trimSilence?: boolean }): Promise<SpeechResult> {
	const header = audioExtension(destPath) === 'wav' ? await readWavInfo(destPath).catch(() => null) : null;
	let durationSeconds = header?.durationSeconds ?? 0;
	if (!(durationSeconds > 0)) {
		try {
			durationSeconds = await probeDurationSeconds(destPath, opts);
		} catch (err) {
			throw toLocalError(err);
		}
	}
	const bounds = opts.trimSilence === false ? null : await speechBounds(destPath, { ...opts, durationSeconds }).catch(() => null);
	return {
		path: destPath,
		provider: 'local',
		model,
		durationSeconds,
		words: proportionalAlignment(text, durationSeconds, { bounds }),
		wordsFrom: 'proportional',
		usage: { characters: Array.from(text).length },
	};
}

/** A media tool failure of the local voice: a ProviderError (outcome known, nothing billed), so a chain can move on. */
function toLocalError(err: unknown): unknown {
	if (err instanceof MediaToolError) return new ProviderCallError(`local: ${err.message}`, 'local', null, true, 'server');
	return err;
}
