/**
 * ElevenLabs text-to-speech with character timestamps:
 * `POST {baseUrl}/v1/text-to-speech/{voice_id}/with-timestamps?output_format=…` with the key in
 * `xi-api-key`. The answer is JSON: `audio_base64` plus `alignment` (per character of the text as
 * sent: `characters`, `character_start_times_seconds`, `character_end_times_seconds`) and
 * `normalized_alignment` (the same over the text as ElevenLabs normalised it, e.g. numbers spelled
 * out). Either may be null.
 *
 * Word timings come from `alignment` (the text captions show), else `normalized_alignment`, else
 * (neither sent) a proportional alignment: split on whitespace, a word starts at its first
 * character's start and ends at its last character's end, punctuation stays on its word.
 *
 * The audio is base64 inside JSON, so it is decoded in memory (ElevenLabs caps a request at a few
 * thousand characters: a few MB at most) and written beside the destination, then renamed over
 * it. .mp3 asks for `mp3_44100_128`; .wav asks for `pcm_24000` (raw 16-bit mono, available on
 * every plan) and gets a WAV header. `outputFormat` overrides the mp3 choice.
 *
 * Retries and rate limits as the OpenAI adapters: `callTtsWithRetries` (429 after Retry-After,
 * 500/502/503, connection refused; never after an unknown outcome) with a token bucket when
 * `requestsPerMinute` is set. Error messages never contain the key.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ValidationError, secretRedactor } from '../../domain/errors';
import { ProviderCallError, type RetryPolicy } from '../llm/openai';
import type { SpeechRequest, SpeechResult, TtsProvider, WordTiming } from '../types';
import { audioExtension, partPathFor, probeDurationSeconds, proportionalAlignment, wavHeader, type MediaTools } from './alignment';
import { callTtsWithRetries, limiterFor, type RateLimiter } from './fallback';

export const ELEVENLABS_BASE_URL = 'https://api.elevenlabs.io';
export const DEFAULT_ELEVENLABS_MODEL = 'eleven_multilingual_v2';
/** "George", the voice of ElevenLabs' own SDK examples (a premade voice every account has). */
export const DEFAULT_ELEVENLABS_VOICE = 'JBFqnCBsd6RMkjVDRZzb';
export const ELEVENLABS_MODELS = ['eleven_v3', 'eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_turbo_v2_5'] as const;

export interface ElevenLabsTtsOptions extends RetryPolicy, MediaTools {
	apiKey: string;
	/** Default https://api.elevenlabs.io. */
	baseUrl?: string;
	/** Default eleven_multilingual_v2. */
	model?: string;
	/** A voice id. Default JBFqnCBsd6RMkjVDRZzb. */
	voice?: string;
	/** For .mp3 destinations. Default mp3_44100_128. */
	outputFormat?: string;
	/** ISO 639-1, for the models that take it. */
	languageCode?: string;
	voiceSettings?: { stability?: number; similarity_boost?: number; style?: number; use_speaker_boost?: boolean };
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
	/** In-process rate limit for this account (seed 001). */
	requestsPerMinute?: number;
	burst?: number;
	rateLimiter?: RateLimiter;
}

interface Alignment {
	characters: string[];
	character_start_times_seconds: number[];
	character_end_times_seconds: number[];
}

interface WithTimestampsResponse {
	audio_base64?: unknown;
	alignment?: Alignment | null;
	normalized_alignment?: Alignment | null;
}

/** An HTTP error answer, in the shape `toProviderError` maps (status, headers, message). */
class ElevenLabsHttpError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly headers: Headers,
	) {
		super(message);
	}
}

/** The message inside ElevenLabs' error bodies: `{detail:{status,message}}`, `{detail:[{msg,loc}]}` (422) or `{detail:"…"}`. */
function errorMessage(body: string): string {
	try {
		const parsed = JSON.parse(body) as { detail?: unknown };
		const d = parsed.detail;
		if (typeof d === 'string') return d;
		if (Array.isArray(d)) {
			return d
				.map((x: { msg?: unknown; loc?: unknown }) => `${Array.isArray(x.loc) ? x.loc.join('.') + ': ' : ''}${String(x.msg ?? '')}`)
				.join('; ');
		}
		if (d && typeof d === 'object') {
			const { status, message } = d as { status?: unknown; message?: unknown };
			return [status, message].filter((x) => typeof x === 'string' && x).join(': ');
		}
	} catch {
		// not JSON: the raw text below
	}
	return body.slice(0, 300);
}

/** Word timings from a character alignment. null when the arrays are missing or inconsistent. */
export function wordsFromAlignment(alignment: Alignment | null | undefined): WordTiming[] | null {
	if (!alignment) return null;
	const { characters: chars, character_start_times_seconds: starts, character_end_times_seconds: ends } = alignment;
	if (!Array.isArray(chars) || !Array.isArray(starts) || !Array.isArray(ends)) return null;
	if (chars.length === 0 || chars.length !== starts.length || chars.length !== ends.length) return null;
	const words: WordTiming[] = [];
	let word = '';
	let start = 0;
	let end = 0;
	const flush = () => {
		if (word) words.push({ word, start, end: Math.max(start, end) });
		word = '';
	};
	for (let i = 0; i < chars.length; i++) {
		const c = String(chars[i] ?? '');
		const s = Number(starts[i]);
		const e = Number(ends[i]);
		if (!Number.isFinite(s) || !Number.isFinite(e)) return null;
		if (c.trim() === '') {
			flush();
			continue;
		}
		if (!word) start = s;
		word += c;
		end = e;
	}
	flush();
	// Monotonic whatever the vendor sent: a word never starts before the previous one ended.
	for (let i = 1; i < words.length; i++) {
		if (words[i].start < words[i - 1].end) words[i].start = words[i - 1].end;
		if (words[i].end < words[i].start) words[i].end = words[i].start;
	}
	return words.length ? words : null;
}

export class ElevenLabsTtsProvider implements TtsProvider {
	readonly name = 'elevenlabs';
	readonly model: string;
	private readonly voice: string;
	private readonly baseUrl: string;
	private readonly redact: (s: string) => string;
	private readonly limiter?: RateLimiter;

	constructor(private readonly opts: ElevenLabsTtsOptions) {
		if (!opts.apiKey) throw new ValidationError('ElevenLabs needs an API key', 'apiKey');
		this.model = opts.model || DEFAULT_ELEVENLABS_MODEL;
		this.voice = opts.voice || DEFAULT_ELEVENLABS_VOICE;
		this.baseUrl = (opts.baseUrl || ELEVENLABS_BASE_URL).replace(/\/+$/, '');
		this.redact = secretRedactor([opts.apiKey]);
		this.limiter = limiterFor(opts, this.name, this.baseUrl, opts.apiKey);
	}

	async synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult> {
		const text = req.text ?? '';
		if (!text.trim()) throw new ValidationError('there is no text to speak', 'text');
		const ext = audioExtension(destPath);
		if (ext !== 'mp3' && ext !== 'wav') throw new ValidationError(`ElevenLabs writes .mp3 or .wav, not "${destPath}"`, 'destPath');
		const model = req.model || this.model;
		const voice = req.voice || this.voice;
		const outputFormat = ext === 'wav' ? 'pcm_24000' : this.opts.outputFormat || 'mp3_44100_128';
		if (ext === 'mp3' && !outputFormat.startsWith('mp3_')) throw new ValidationError(`output format ${outputFormat} does not make an .mp3 file`, 'outputFormat');

		const url = `${this.baseUrl}/v1/text-to-speech/${encodeURIComponent(voice)}/with-timestamps?output_format=${encodeURIComponent(outputFormat)}`;
		const voiceSettings = {
			...(this.opts.voiceSettings ?? {}),
			// ElevenLabs accepts 0.7–1.2; a chain's speed is kept within it rather than refused.
			...(req.speed !== undefined ? { speed: Math.min(1.2, Math.max(0.7, Number.isFinite(req.speed) ? req.speed : 1)) } : {}),
		};
		const body = JSON.stringify({
			text,
			model_id: model,
			...(this.opts.languageCode ? { language_code: this.opts.languageCode } : {}),
			...(Object.keys(voiceSettings).length ? { voice_settings: voiceSettings } : {}),
		});

		const parsed = await callTtsWithRetries(
			async (signal) => {
				const res = await fetch(url, {
					method: 'POST',
					headers: { 'xi-api-key': this.opts.apiKey, 'content-type': 'application/json', accept: 'application/json' },
					body,
					signal,
				});
				// An error status says what happened even when its body cannot be read.
				const raw = await this.readBody(res, model).catch((err: unknown) => {
					if (res.ok) throw err;
					return '';
				});
				if (!res.ok) throw new ElevenLabsHttpError(this.redact(errorMessage(raw)), res.status, res.headers);
				try {
					return JSON.parse(raw) as WithTimestampsResponse;
				} catch {
					throw new ProviderCallError(`${this.name}/${model}: the response body is not valid JSON`, this.name, res.status, false, 'invalid_output');
				}
			},
			{ ...this.opts, provider: this.name, redact: this.redact, limiter: this.limiter },
		);

		const audio = typeof parsed.audio_base64 === 'string' ? Buffer.from(parsed.audio_base64, 'base64') : Buffer.alloc(0);
		if (audio.length === 0) throw new ProviderCallError(`${this.name}/${model}: the response has no audio`, this.name, 200, false, 'invalid_output');
		const pcmRate = /^pcm_(\d+)$/.exec(outputFormat)?.[1];

		await mkdir(dirname(destPath), { recursive: true });
		const part = partPathFor(destPath);
		try {
			await writeFile(part, pcmRate ? Buffer.concat([wavHeader(audio.length - (audio.length % 2), Number(pcmRate)), audio.subarray(0, audio.length - (audio.length % 2))]) : audio);
			await rename(part, destPath);
		} finally {
			await rm(part, { force: true });
		}

		let durationSeconds: number;
		try {
			durationSeconds = await probeDurationSeconds(destPath, this.opts);
		} catch (err) {
			await rm(destPath, { force: true });
			throw new ProviderCallError(`${this.name}/${model}: the audio returned cannot be read (${(err as Error).message})`, this.name, 200, false, 'invalid_output');
		}
		const fromProvider = wordsFromAlignment(parsed.alignment) ?? wordsFromAlignment(parsed.normalized_alignment);
		return {
			path: destPath,
			provider: this.name,
			model,
			durationSeconds,
			words: fromProvider ?? proportionalAlignment(text, durationSeconds),
			wordsFrom: fromProvider ? 'provider' : 'proportional',
			usage: { characters: Array.from(text).length },
		};
	}

	/** The whole body as text; a connection that breaks while reading it is an unknown outcome. */
	private async readBody(res: Response, model: string): Promise<string> {
		try {
			return await res.text();
		} catch (err) {
			if ((err as Error).name === 'AbortError') throw err;
			throw new ProviderCallError(
				this.redact(`${this.name}/${model}: the connection broke while receiving the answer (${(err as Error).message}); the request may have been billed`),
				this.name,
				res.status,
				false,
				'network',
			);
		}
	}
}
