/**
 * OpenAI text-to-speech (`POST /v1/audio/speech`) through the `openai` SDK: models tts-1, tts-1-hd
 * and gpt-4o-mini-tts; the answer is the audio itself, streamed to a file beside the destination
 * and renamed over it when complete (never the whole audio in memory). The format follows the
 * destination's extension (.mp3, .wav, .flac, .opus/.ogg, .aac).
 *
 * OpenAI returns no timestamps, so the word timings are a proportional alignment over the speech
 * measured in the file (ffmpeg `silencedetect` trims the leading and trailing silence), and
 * `durationSeconds` is ffprobe's reading of the written file.
 *
 * Usage: `characters` (what tts-1 and tts-1-hd bill); for gpt-4o-mini-tts, which bills tokens, an
 * estimate: text tokens ≈ characters / 4 (input and instructions), audio tokens ≈ 1250 a minute
 * of audio (OpenAI's "$0.015 a minute" at $12 per 1M audio tokens). The response carries no usage.
 *
 * Retries: the SDK's own loop is off (`maxRetries: 0`); `callTtsWithRetries` retries only when
 * OpenAI certainly did not do the work (429 after Retry-After, 500/502/503, connection refused),
 * taking a rate-limiter token before each attempt when a rate is configured. A timeout, a dropped
 * connection or a body cut off midway is an unknown outcome: not retried, and reported so.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

import type OpenAI from 'openai';

import { ValidationError, secretRedactor } from '../../domain/errors';
import { OPENAI_BASE_URL, ProviderCallError, loadOnce, openAiClient, type RetryPolicy } from '../llm/openai';
import type { SpeechRequest, SpeechResult, TtsProvider } from '../types';
import { audioExtension, partPathFor, probeDurationSeconds, proportionalAlignment, speechBounds, type MediaTools } from './alignment';
import { callTtsWithRetries, limiterFor, type RateLimiter } from './fallback';

export const OPENAI_TTS_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15'] as const;
export const OPENAI_TTS_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;
export const DEFAULT_OPENAI_TTS_MODEL = 'tts-1';
export const DEFAULT_OPENAI_TTS_VOICE = 'alloy';
/** The API refuses longer input. */
export const OPENAI_TTS_MAX_INPUT = 4096;
/** gpt-4o-mini-tts audio tokens per second of audio (estimate, see the file comment). */
const AUDIO_TOKENS_PER_SECOND = 1250 / 60;

export interface OpenAiTtsOptions extends RetryPolicy, MediaTools {
	apiKey: string;
	/** Default https://api.openai.com/v1. */
	baseURL?: string;
	/** Default tts-1. */
	model?: string;
	/** A built-in voice name or a custom voice id (voice_…). Default alloy. */
	voice?: string;
	/** gpt-4o-mini-tts only: how to speak (tone, pace). Ignored for tts-1 / tts-1-hd, which refuse it. */
	instructions?: string;
	/** Per attempt, including the download of the audio. Default 120 s. */
	timeoutMs?: number;
	/** In-process rate limit for this account (seed 001). */
	requestsPerMinute?: number;
	burst?: number;
	/** A limiter to share explicitly (overrides requestsPerMinute). */
	rateLimiter?: RateLimiter;
	/** Spread the words over the measured speech only (default true). */
	trimSilence?: boolean;
}

type SpeechBody = OpenAI.Audio.SpeechCreateParams;

export class OpenAiTtsProvider implements TtsProvider {
	readonly name = 'openai';
	readonly model: string;
	private readonly voice: string;
	private readonly client: () => Promise<OpenAI>;
	private readonly redact: (s: string) => string;
	private readonly limiter?: RateLimiter;

	constructor(private readonly opts: OpenAiTtsOptions) {
		if (!opts.apiKey) throw new ValidationError('OpenAI TTS needs an API key', 'apiKey');
		this.model = opts.model || DEFAULT_OPENAI_TTS_MODEL;
		this.voice = opts.voice || DEFAULT_OPENAI_TTS_VOICE;
		voiceParam(this.voice);
		this.client = loadOnce(() => openAiClient({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: opts.timeoutMs }));
		this.redact = secretRedactor([opts.apiKey]);
		this.limiter = limiterFor(opts, this.name, opts.baseURL || OPENAI_BASE_URL, opts.apiKey);
	}

	async synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult> {
		const text = req.text ?? '';
		if (!text.trim()) throw new ValidationError('there is no text to speak', 'text');
		const format = audioExtension(destPath);
		if (!format) throw new ValidationError(`OpenAI TTS writes .mp3, .wav, .flac, .opus or .aac, not "${destPath}"`, 'destPath');
		const model = req.model || this.model;
		const characters = Array.from(text).length;
		if (text.length > OPENAI_TTS_MAX_INPUT) {
			// What the API would answer with a 400, without sending (or paying for) anything.
			throw new ProviderCallError(
				`${this.name}/${model}: the text has ${text.length} characters; the speech API takes at most ${OPENAI_TTS_MAX_INPUT}`,
				this.name,
				null,
				true,
				'bad_request',
			);
		}
		const instructions = this.opts.instructions && !model.startsWith('tts-1') ? this.opts.instructions : undefined;
		const body: SpeechBody = {
			model,
			input: text,
			voice: voiceParam(req.voice || this.voice),
			response_format: format,
			...(req.speed !== undefined ? { speed: clamp(req.speed, 0.25, 4) } : {}),
			...(instructions ? { instructions } : {}),
		};

		await mkdir(dirname(destPath), { recursive: true });
		const part = partPathFor(destPath);
		try {
			await callTtsWithRetries(
				async (signal) => {
					const res = await (await this.client()).audio.speech.create(body, { signal });
					await this.download(res, part, model);
				},
				{ ...this.opts, provider: this.name, redact: this.redact, limiter: this.limiter },
			);
			await rename(part, destPath);
		} finally {
			await rm(part, { force: true });
		}

		let durationSeconds: number;
		try {
			durationSeconds = await probeDurationSeconds(destPath, this.opts);
		} catch (err) {
			await rm(destPath, { force: true });
			throw new ProviderCallError(`${this.name}/${model}: the audio returned cannot be read (${(err as Error).message})`, this.name, null, false, 'invalid_output');
		}
		const bounds = this.opts.trimSilence === false ? null : await speechBounds(destPath, { ...this.opts, durationSeconds }).catch(() => null);
		const usage: SpeechResult['usage'] = { characters };
		if (model.startsWith('gpt-4o-mini-tts')) {
			usage.input_tokens = Math.ceil(characters / 4) + (instructions ? Math.ceil(Array.from(instructions).length / 4) : 0);
			usage.audio_output_tokens = Math.ceil(durationSeconds * AUDIO_TOKENS_PER_SECOND);
		}
		return {
			path: destPath,
			provider: this.name,
			// The configured name, not a dated snapshot: it is the price table's key.
			model,
			durationSeconds,
			words: proportionalAlignment(text, durationSeconds, { bounds }),
			wordsFrom: 'proportional',
			usage,
		};
	}

	/** Streams the binary answer to `part`. A body that breaks off midway is an unknown outcome (billed, unusable). */
	private async download(res: Response, part: string, model: string): Promise<void> {
		if (!res.body) throw new ProviderCallError(`${this.name}/${model}: the response has no audio`, this.name, null, false, 'invalid_output');
		try {
			await pipeline(Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>), createWriteStream(part));
		} catch (err) {
			throw new ProviderCallError(
				this.redact(`${this.name}/${model}: the connection broke while receiving the audio (${(err as Error).message}); the request may have been billed`),
				this.name,
				null,
				false,
				'network',
			);
		}
		const { size } = await stat(part);
		if (size === 0) throw new ProviderCallError(`${this.name}/${model}: the response has no audio`, this.name, null, false, 'invalid_output');
	}
}

function clamp(x: number, lo: number, hi: number): number {
	if (!Number.isFinite(x)) return 1;
	return Math.min(hi, Math.max(lo, x));
}

/** A built-in voice by name, or a custom voice as `{id}`; anything else is refused before sending. */
function voiceParam(voice: string): SpeechBody['voice'] {
	if ((OPENAI_TTS_VOICES as readonly string[]).includes(voice)) return voice;
	if (/^voice_[A-Za-z0-9_-]+$/.test(voice)) return { id: voice };
	throw new ValidationError(`"${voice}" is not an OpenAI voice; use one of ${OPENAI_TTS_VOICES.join(', ')} or a custom voice id (voice_…)`, 'voice');
}
