/**
 * A loopback ElevenLabs API for text-to-speech with timestamps, answering the way
 * api.elevenlabs.io does (elevenlabs-js `textToSpeech.convertWithTimestamps`):
 *   - POST /v1/text-to-speech/{voice_id}/with-timestamps?output_format=mp3_44100_128 | pcm_16000…44100
 *     with `xi-api-key`; body `{text, model_id, voice_settings?, language_code?}`;
 *   - 200 `{audio_base64, alignment, normalized_alignment}`: the audio is real (ffmpeg, via
 *     `fakeAudio`: a tone as long as the alignment says the text is spoken, with a little silence
 *     after it), and the alignment has one entry per character of the text, spaces included, with
 *     times from `fakeAlignment` (letters and digits take longer than spaces; punctuation adds a
 *     pause), so a test can compute where each word is;
 *   - errors as ElevenLabs sends them: 401 `{detail:{status:"invalid_api_key",message}}`, 404
 *     voice_not_found, 400 for an unknown model or output format, 422 `{detail:[{type,loc,msg}]}`
 *     for a missing text.
 * Faults on demand through the shared `startLoopback` (`setFault`): 429 with Retry-After, 5xx, a
 * request that never answers, a dropped connection, a malformed 200.
 */
import { HttpError, fakeAudio, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';

export const ELEVENLABS_FAKE_MODELS = ['eleven_v3', 'eleven_multilingual_v2', 'eleven_flash_v2_5', 'eleven_turbo_v2_5'];

export interface ElevenLabsAlignment {
	characters: string[];
	character_start_times_seconds: number[];
	character_end_times_seconds: number[];
}

export interface ElevenLabsFakeOptions {
	/** The accepted key; others get 401. */
	apiKey?: string;
	/** Voice ids that exist; others get 404. Default: any id. */
	voices?: string[];
	/** Which alignments the answers carry. Default both. */
	alignments?: 'both' | 'alignment-only' | 'normalized-only' | 'none';
	/** Echo the key given in 401 messages (a misbehaving proxy), to prove the adapter redacts it. */
	echoKeyInErrors?: boolean;
}

export interface ElevenLabsFake extends Loopback {
	/** The adapter's baseUrl (no /v1). */
	baseUrl: string;
	ttsRequests(): LoggedRequest[];
}

/** Seconds before the first character (the voice breathes in). */
export const FAKE_LEAD_SECONDS = 0.1;
/** Silence after the last character, in the audio only. */
export const FAKE_TAIL_SECONDS = 0.2;

/**
 * The fake's character alignment of a text: 0.07 s per letter or digit, 0.04 s per space or other
 * character, plus 0.15 s after , ; : and 0.3 s after . ! ? (the pause belongs to the mark), starting
 * at FAKE_LEAD_SECONDS. Times are rounded to milliseconds, like ElevenLabs'.
 */
export function fakeAlignment(text: string): ElevenLabsAlignment {
	const characters = Array.from(text);
	const starts: number[] = [];
	const ends: number[] = [];
	let t = FAKE_LEAD_SECONDS;
	for (const c of characters) {
		const base = /[\p{L}\p{N}]/u.test(c) ? 0.07 : 0.04;
		const pause = /[.!?]/.test(c) ? 0.3 : /[,;:]/.test(c) ? 0.15 : 0;
		starts.push(Math.round(t * 1000) / 1000);
		t += base + pause;
		ends.push(Math.round(t * 1000) / 1000);
	}
	return { characters, character_start_times_seconds: starts, character_end_times_seconds: ends };
}

const detail = (status: string, message: string) => ({ detail: { status, message } });

export async function startElevenLabsFake(opts: ElevenLabsFakeOptions = {}): Promise<ElevenLabsFake> {
	const route = async (req: LoggedRequest): Promise<Reply> => {
		const url = new URL(req.path, 'http://fake');
		const m = /^\/v1\/text-to-speech\/([^/]+)\/with-timestamps$/.exec(url.pathname);
		if (req.method !== 'POST' || !m) throw new HttpError(404, { detail: 'Not Found' });
		const given = String(req.headers['xi-api-key'] ?? '');
		if (opts.apiKey !== undefined && given !== opts.apiKey) {
			const message = opts.echoKeyInErrors ? `Invalid API key: ${given}` : 'Invalid API key';
			throw new HttpError(401, detail(given ? 'invalid_api_key' : 'needs_authorization', given ? message : 'Neither authorization header nor xi-api-key received, please provide one.'));
		}
		const voiceId = decodeURIComponent(m[1]);
		if (opts.voices && !opts.voices.includes(voiceId)) {
			throw new HttpError(404, detail('voice_not_found', `A voice with the voice_id ${voiceId} was not found.`));
		}
		const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
		if (typeof body.text !== 'string') {
			throw new HttpError(422, { detail: [{ type: 'missing', loc: ['body', 'text'], msg: 'Field required', input: body }] });
		}
		if (body.text.trim() === '') throw new HttpError(400, detail('empty_text', 'The text must not be empty.'));
		const model = body.model_id ?? 'eleven_multilingual_v2';
		if (typeof model !== 'string' || !ELEVENLABS_FAKE_MODELS.includes(model)) {
			throw new HttpError(400, detail('model_not_found', `A model with model ID ${String(model)} does not exist.`));
		}
		const speed = (body.voice_settings as { speed?: unknown } | undefined)?.speed;
		if (speed !== undefined && !(typeof speed === 'number' && speed >= 0.7 && speed <= 1.2)) {
			throw new HttpError(400, detail('invalid_voice_settings', 'speed must be between 0.7 and 1.2.'));
		}
		const outputFormat = url.searchParams.get('output_format') ?? 'mp3_44100_128';
		const mp3 = /^mp3_(22050|24000|44100)_(32|64|96|128|192)$/.exec(outputFormat);
		const pcm = /^pcm_(8000|16000|22050|24000|44100|48000)$/.exec(outputFormat);
		if (!mp3 && !pcm) throw new HttpError(400, detail('invalid_output_format', `Invalid output format: ${outputFormat}.`));

		const alignment = fakeAlignment(body.text);
		const spokenUntil = alignment.character_end_times_seconds[alignment.character_end_times_seconds.length - 1] ?? FAKE_LEAD_SECONDS;
		const audio = await fakeAudio({
			leadSilence: FAKE_LEAD_SECONDS,
			speechSeconds: Math.max(0.05, spokenUntil - FAKE_LEAD_SECONDS),
			tailSilence: FAKE_TAIL_SECONDS,
			format: mp3 ? 'mp3' : 'pcm',
			sampleRate: Number((mp3 ?? pcm)?.[1]),
		});
		const which = opts.alignments ?? 'both';
		return {
			status: 200,
			headers: { 'request-id': `req-${Math.random().toString(36).slice(2, 12)}` },
			body: {
				audio_base64: audio.toString('base64'),
				alignment: which === 'both' || which === 'alignment-only' ? alignment : null,
				normalized_alignment: which === 'both' || which === 'normalized-only' ? alignment : null,
			},
		};
	};

	const loop = await startLoopback({
		route,
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? detail('too_many_concurrent_requests', 'Too many concurrent requests. Your current subscription allows 2 concurrent requests.')
				: detail('internal_server_error', `The server encountered an error (${status}).`),
	});
	return {
		...loop,
		baseUrl: loop.url,
		ttsRequests() {
			return loop.requests.filter((r) => r.path.startsWith('/v1/text-to-speech/'));
		},
	};
}
