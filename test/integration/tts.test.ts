/**
 * Text-to-speech: the real adapters write real audio (checked with ffprobe) through their normal
 * base-URL settings against the loopback OpenAI and ElevenLabs fakes, and espeak-ng runs for real.
 * Word timings come from ElevenLabs' alignment or, for OpenAI and the local voice, from a
 * proportional alignment over the measured speech. The fallback chain moves on from failures and
 * never calls a paid provider twice after an unknown outcome; the rate limiter spaces requests.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValidationError } from '../../lib/domain/errors';
import { ProviderCallError } from '../../lib/providers/llm/openai';
import { ProviderError, type SpeechResult, type WordTiming } from '../../lib/providers/types';
import { proportionalAlignment, readWavInfo, speechBounds, splitWords } from '../../lib/providers/tts/alignment';
import { ElevenLabsTtsProvider, wordsFromAlignment } from '../../lib/providers/tts/elevenlabs';
import { FallbackTtsProvider, RateLimiter, TtsChainError } from '../../lib/providers/tts/fallback';
import { FestivalTtsProvider, festivalEvals, festivalSafeText, isFestivalVoiceName } from '../../lib/providers/tts/festival';
import { LocalTtsProvider, espeakSafeText } from '../../lib/providers/tts/local';
import { OpenAiTtsProvider } from '../../lib/providers/tts/openai';
import { createTtsChain, createTtsProvider } from '../../lib/providers/tts/registry';
import { FAKE_LEAD_SECONDS, fakeAlignment, startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs';
import { fakeAudio, startOpenAiFake, type OpenAiFake } from '../fakes/openai';

// Real ffmpeg, espeak-ng and the openai SDK (loaded on its first call): jest's 5 s default is not a bound
// on them when the machine is busy (tests never time things; speed lives in bench/).
jest.setTimeout(60_000);

// Random per run: test keys, never real ones.
const OPENAI_KEY = `sk-test-${randomBytes(12).toString('hex')}`;
const ELEVEN_KEY = `xi-test-${randomBytes(12).toString('hex')}`;

let dir: string;
let openai: OpenAiFake;
let eleven: ElevenLabsFake;
beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'bi-tts-'));
	openai = await startOpenAiFake({ apiKey: OPENAI_KEY });
	eleven = await startElevenLabsFake({ apiKey: ELEVEN_KEY });
});
afterAll(async () => {
	await openai?.close();
	await eleven?.close();
	rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
	openai.clearFaults();
	eleven.clearFaults();
});

let n = 0;
const out = (ext: string) => join(dir, `speech-${++n}.${ext}`);

function probe(path: string): { duration: number; codec: string; sampleRate: number } {
	const json = JSON.parse(
		execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,sample_rate', '-of', 'json', path], { encoding: 'utf8' }),
	) as { format: { duration: string }; streams: { codec_name: string; sample_rate: string }[] };
	return { duration: Number(json.format.duration), codec: json.streams[0].codec_name, sampleRate: Number(json.streams[0].sample_rate) };
}

/** What every result's word list must satisfy. */
function expectWellFormed(words: WordTiming[], durationSeconds: number) {
	expect(words.length).toBeGreaterThan(0);
	expect(words[0].start).toBeGreaterThanOrEqual(0);
	for (let i = 0; i < words.length; i++) {
		expect(words[i].end).toBeGreaterThanOrEqual(words[i].start);
		if (i > 0) expect(words[i].start).toBeGreaterThanOrEqual(words[i - 1].end);
	}
	expect(words[words.length - 1].end).toBeLessThanOrEqual(durationSeconds + 1e-6);
}

const span = (w: WordTiming) => w.end - w.start;
const word = (r: SpeechResult, text: string) => {
	const w = r.words.find((x) => x.word === text);
	if (!w) throw new Error(`no word ${text} in ${r.words.map((x) => x.word).join(' ')}`);
	return w;
};

const openaiTts = (extra: Partial<ConstructorParameters<typeof OpenAiTtsProvider>[0]> = {}) =>
	new OpenAiTtsProvider({ apiKey: OPENAI_KEY, baseURL: openai.baseURL, retryBaseDelayMs: 10, ...extra });
const elevenTts = (extra: Partial<ConstructorParameters<typeof ElevenLabsTtsProvider>[0]> = {}) =>
	new ElevenLabsTtsProvider({ apiKey: ELEVEN_KEY, baseUrl: eleven.baseUrl, retryBaseDelayMs: 10, ...extra });

// ---------------------------------------------------------------------------------------- alignment

describe('proportional alignment', () => {
	const text = 'Go, extraordinary people. Run now!';

	test('monotonic, from 0 to exactly the duration, longer words get more time, pauses after punctuation', () => {
		const words = proportionalAlignment(text, 3.7);
		expect(words.map((w) => w.word)).toEqual(['Go,', 'extraordinary', 'people.', 'Run', 'now!']);
		expectWellFormed(words, 3.7);
		expect(words[0].start).toBe(0);
		expect(words[words.length - 1].end).toBe(3.7);
		expect(span(words[1])).toBeGreaterThan(span(words[2]));
		expect(span(words[2])).toBeGreaterThan(span(words[3]));
		// Run and now have the same letters, so the same time (to the millisecond).
		expect(Math.abs(span(words[3]) - span(words[4]))).toBeLessThanOrEqual(0.002);
		const gapAfterComma = words[1].start - words[0].end;
		const gapAfterPeriod = words[3].start - words[2].end;
		const gapPlain = words[4].start - words[3].end;
		expect(gapAfterComma).toBeGreaterThan(0);
		expect(gapAfterPeriod).toBeGreaterThan(gapAfterComma);
		expect(gapPlain).toBeLessThanOrEqual(0.001);
	});

	test('speech bounds keep the words out of the leading and trailing silence', () => {
		const words = proportionalAlignment(text, 4, { bounds: { start: 0.5, end: 3.25 } });
		expect(words[0].start).toBe(0.5);
		expect(words[words.length - 1].end).toBe(3.25);
		expectWellFormed(words, 4);
		// Nonsense bounds are ignored rather than trusted.
		expect(proportionalAlignment(text, 4, { bounds: { start: 3, end: 9 } })[4].end).toBe(4);
	});

	test('empty text or no duration gives no words', () => {
		expect(proportionalAlignment('  \n ', 2)).toEqual([]);
		expect(proportionalAlignment('hello', 0)).toEqual([]);
		expect(splitWords(' a  b\nc\t')).toEqual(['a', 'b', 'c']);
	});

	test('speechBounds finds the sound inside a real file (ffmpeg silencedetect)', async () => {
		const path = out('wav');
		const { writeFileSync } = await import('node:fs');
		writeFileSync(path, await fakeAudio({ speechSeconds: 1.5, leadSilence: 0.5, tailSilence: 0.6, format: 'wav' }));
		const b = await speechBounds(path);
		expect(b).not.toBeNull();
		expect(b!.start).toBeCloseTo(0.5, 1);
		expect(b!.end).toBeCloseTo(2.0, 1);
		expect(b!.durationSeconds).toBeCloseTo(2.6, 1);
		const silent = out('wav');
		execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=24000:cl=mono', '-t', '1', silent]);
		expect(await speechBounds(silent)).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------- OpenAI

describe('OpenAI TTS', () => {
	test('streams a WAV to the file; duration by ffprobe; proportional words over the measured speech', async () => {
		const text = 'Meet the quietest, most comfortable running shoe. Ever.';
		const dest = out('wav');
		const r = await openaiTts().synthesize({ text }, dest);
		const p = probe(dest);
		expect(p.codec).toBe('pcm_s16le');
		expect(r).toMatchObject({ path: dest, provider: 'openai', model: 'tts-1', wordsFrom: 'proportional', usage: { characters: text.length } });
		expect(r.usage.input_tokens).toBeUndefined();
		expect(r.durationSeconds).toBeCloseTo(p.duration, 2);
		// The fake: 0.25 s silence, 0.06 s a character of sound, 0.35 s silence.
		expect(r.durationSeconds).toBeCloseTo(0.25 + text.length * 0.06 + 0.35, 1);
		expectWellFormed(r.words, r.durationSeconds);
		expect(r.words.map((w) => w.word)).toEqual(splitWords(text));
		// Cover the speech: from where the sound starts to where it ends.
		expect(r.words[0].start).toBeGreaterThan(0.2);
		expect(r.words[0].start).toBeLessThan(0.3);
		expect(r.words[r.words.length - 1].end).toBeCloseTo(r.durationSeconds - 0.35, 1);
		expect(span(word(r, 'comfortable'))).toBeGreaterThan(span(word(r, 'running')));
		expect(span(word(r, 'running'))).toBeGreaterThan(span(word(r, 'the')));

		const sent = openai.speechRequests().at(-1)!;
		expect(sent.body).toEqual({ model: 'tts-1', input: text, voice: 'alloy', response_format: 'wav' });
		expect(sent.headers.accept).toBe('application/octet-stream');
		expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		// Nothing left behind but the audio.
		expect(readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
	});

	test('.mp3 asks for mp3; gpt-4o-mini-tts gets instructions and a token estimate; tts-1-hd never gets instructions', async () => {
		const text = 'Built for the long run.';
		const dest = out('mp3');
		const r = await openaiTts({ model: 'gpt-4o-mini-tts', voice: 'coral', instructions: 'Warm and upbeat.' }).synthesize({ text, speed: 1.25 }, dest);
		expect(probe(dest).codec).toBe('mp3');
		expect(r.durationSeconds).toBeCloseTo(probe(dest).duration, 2);
		expect(openai.speechRequests().at(-1)!.body).toEqual({
			model: 'gpt-4o-mini-tts',
			input: text,
			voice: 'coral',
			response_format: 'mp3',
			speed: 1.25,
			instructions: 'Warm and upbeat.',
		});
		expect(r.model).toBe('gpt-4o-mini-tts');
		expect(r.usage.input_tokens).toBe(Math.ceil(text.length / 4) + Math.ceil('Warm and upbeat.'.length / 4));
		// 1250 audio tokens a minute.
		expect(r.usage.audio_output_tokens).toBe(Math.ceil((r.durationSeconds * 1250) / 60));

		await openaiTts({ model: 'tts-1-hd', instructions: 'Whisper.' }).synthesize({ text, voice: 'voice_abc123' }, out('wav'));
		expect(openai.speechRequests().at(-1)!.body).toEqual({ model: 'tts-1-hd', input: text, voice: { id: 'voice_abc123' }, response_format: 'wav' });
	});

	test('the fake validates like the API: model, voice, input length, instructions, speed (400, OpenAI error shape)', async () => {
		const post = async (body: object) => {
			const res = await fetch(`${openai.baseURL}/audio/speech`, {
				method: 'POST',
				headers: { authorization: `Bearer ${OPENAI_KEY}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			return { status: res.status, body: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
		};
		const ok = { model: 'tts-1', voice: 'alloy', input: 'hi' };
		const tooLong = await post({ ...ok, input: 'x'.repeat(4097) });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.error).toMatchObject({ type: 'invalid_request_error', param: 'input', code: 'string_above_max_length' });
		expect((await post({ ...ok, model: 'tts-2' })).body.error.param).toBe('model');
		expect((await post({ ...ok, voice: 'darth' })).body.error.param).toBe('voice');
		expect((await post({ ...ok, instructions: 'x' })).body.error.param).toBe('instructions');
		expect((await post({ ...ok, speed: 5 })).body.error.param).toBe('speed');
		expect((await post({ ...ok, input: '' })).status).toBe(400);
		const exact = await fetch(`${openai.baseURL}/audio/speech`, {
			method: 'POST',
			headers: { authorization: `Bearer ${OPENAI_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ ...ok, input: 'y'.repeat(4096), speed: 4, response_format: 'flac' }),
		});
		expect(exact.status).toBe(200);
		expect(exact.headers.get('content-type')).toBe('audio/flac');
	});

	test('a 400 from the API is a known-outcome bad_request; too-long text is refused before sending', async () => {
		const before = openai.speechRequests().length;
		const err = await openaiTts({ model: 'tts-2' })
			.synthesize({ text: 'Hello there.' }, out('wav'))
			.catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ProviderCallError);
		expect(err).toMatchObject({ kind: 'bad_request', status: 400, outcomeKnown: true });
		expect((err as Error).message).toContain("Invalid value for 'model'");
		expect(openai.speechRequests().length).toBe(before + 1);

		const long = await openaiTts()
			.synthesize({ text: 'z'.repeat(4097) }, out('wav'))
			.catch((e: unknown) => e);
		expect(long).toMatchObject({ kind: 'bad_request', outcomeKnown: true });
		expect(openai.speechRequests().length).toBe(before + 1);
		// Bad input that no provider could speak is not a provider failure.
		await expect(openaiTts().synthesize({ text: '  ' }, out('wav'))).rejects.toBeInstanceOf(ValidationError);
		await expect(openaiTts().synthesize({ text: 'hi', voice: 'darth' }, out('wav'))).rejects.toBeInstanceOf(ValidationError);
		await expect(openaiTts().synthesize({ text: 'hi' }, out('txt'))).rejects.toBeInstanceOf(ValidationError);
	});

	test('a bad key: 401, auth, the key appears in no message even when the server echoes it', async () => {
		const wrong = `sk-test-${randomBytes(12).toString('hex')}`;
		const echoing = await startOpenAiFake({ apiKey: OPENAI_KEY, echoFullKeyInErrors: true });
		try {
			const err = (await new OpenAiTtsProvider({ apiKey: wrong, baseURL: echoing.baseURL })
				.synthesize({ text: 'Hello.' }, out('wav'))
				.catch((e: unknown) => e)) as ProviderCallError;
			expect(err).toMatchObject({ kind: 'auth', status: 401, outcomeKnown: true });
			expect(err.message).toContain('Incorrect API key');
			expect(err.message).not.toContain(wrong);
			expect(JSON.stringify(err)).not.toContain(wrong);
			expect(String(err.stack)).not.toContain(wrong);
		} finally {
			await echoing.close();
		}
	});

	test('429 with Retry-After and a 503 are retried; the answer comes on the third attempt', async () => {
		const before = openai.speechRequests().length;
		openai.setFault({ kind: 'rate_limit', retryAfter: '0.05' }, 1);
		openai.setFault({ kind: 'server_error', status: 503 }, 1);
		const r = await openaiTts().synthesize({ text: 'Third time lucky.' }, out('wav'));
		expect(r.provider).toBe('openai');
		const tries = openai.speechRequests().slice(before);
		expect(tries.map((t) => t.status)).toEqual([429, 503, 200]);
		expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(45);
	});

	test('a dropped connection is an unknown outcome: not retried, no file left', async () => {
		const before = openai.speechRequests().length;
		openai.setFault({ kind: 'drop' }, 1);
		const dest = out('wav');
		const err = await openaiTts({ maxRetries: 3 })
			.synthesize({ text: 'Gone.' }, dest)
			.catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'network', outcomeKnown: false });
		expect(openai.speechRequests().length).toBe(before + 1);
		expect(existsSync(dest)).toBe(false);
		expect(readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
	});

	test('a request that never answers times out as an unknown outcome', async () => {
		openai.setFault({ kind: 'hang' }, 1);
		const err = await openaiTts({ timeoutMs: 300 })
			.synthesize({ text: 'Still there?' }, out('wav'))
			.catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'timeout', outcomeKnown: false });
	});
});

// ---------------------------------------------------------------------------------------- ElevenLabs

describe('ElevenLabs TTS (with-timestamps)', () => {
	const text = 'Hello, brave new world! It’s 5 o’clock.';

	test('decodes the MP3; word timings are the alignment: first character start to last character end', async () => {
		const dest = out('mp3');
		const r = await elevenTts().synthesize({ text }, dest);
		const p = probe(dest);
		expect(p.codec).toBe('mp3');
		expect(p.sampleRate).toBe(44100);
		expect(r).toMatchObject({ path: dest, provider: 'elevenlabs', model: 'eleven_multilingual_v2', wordsFrom: 'provider', usage: { characters: Array.from(text).length } });
		expect(r.durationSeconds).toBeCloseTo(p.duration, 2);
		expectWellFormed(r.words, r.durationSeconds + 0.05);
		expect(r.words.map((w) => w.word)).toEqual(['Hello,', 'brave', 'new', 'world!', 'It’s', '5', 'o’clock.']);

		// From the fake's alignment: "Hello," is characters 0–5, "brave" 7–11.
		const a = fakeAlignment(text);
		expect(word(r, 'Hello,')).toEqual({ word: 'Hello,', start: a.character_start_times_seconds[0], end: a.character_end_times_seconds[5] });
		expect(word(r, 'brave')).toEqual({ word: 'brave', start: a.character_start_times_seconds[7], end: a.character_end_times_seconds[11] });
		// The same in plain numbers: 0.1 s lead; H,e,l,l,o at 0.07 s; "," 0.04 s + 0.15 s pause; a space 0.04 s.
		expect(word(r, 'Hello,').start).toBe(FAKE_LEAD_SECONDS);
		expect(word(r, 'Hello,').end).toBeCloseTo(0.1 + 5 * 0.07 + 0.04 + 0.15, 3);
		expect(word(r, 'brave').start).toBeCloseTo(0.64 + 0.04, 3);
		expect(word(r, 'brave').end).toBeCloseTo(0.68 + 5 * 0.07, 3);
		// The last word ends where the speech ends, before the audio's trailing silence.
		expect(r.words.at(-1)!.end).toBe(a.character_end_times_seconds.at(-1));
		// 0.2 s of silence, plus up to one MP3 frame of padding or so.
		expect(r.durationSeconds - r.words.at(-1)!.end).toBeGreaterThan(0.15);
		expect(r.durationSeconds - r.words.at(-1)!.end).toBeLessThan(0.3);

		const sent = eleven.ttsRequests().at(-1)!;
		expect(sent.path).toBe('/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/with-timestamps?output_format=mp3_44100_128');
		expect(sent.headers['xi-api-key']).toBe(ELEVEN_KEY);
		expect(sent.body).toEqual({ text, model_id: 'eleven_multilingual_v2' });
	});

	test('.wav asks for pcm_24000 and writes a WAV header around it', async () => {
		const dest = out('wav');
		const r = await elevenTts({ model: 'eleven_flash_v2_5', voice: 'voice-xyz' }).synthesize({ text: 'Short and sweet.', speed: 2 }, dest);
		const p = probe(dest);
		expect(p).toMatchObject({ codec: 'pcm_s16le', sampleRate: 24000 });
		expect((await readWavInfo(dest))!.durationSeconds).toBeCloseTo(p.duration, 3);
		expect(r.durationSeconds).toBeCloseTo(p.duration, 3);
		const sent = eleven.ttsRequests().at(-1)!;
		expect(sent.path).toBe('/v1/text-to-speech/voice-xyz/with-timestamps?output_format=pcm_24000');
		// Speed kept inside ElevenLabs' 0.7–1.2.
		expect(sent.body).toEqual({ text: 'Short and sweet.', model_id: 'eleven_flash_v2_5', voice_settings: { speed: 1.2 } });
		expect(r.model).toBe('eleven_flash_v2_5');
	});

	test('without normalized_alignment, or with only it, or with neither', async () => {
		const only = await startElevenLabsFake({ apiKey: ELEVEN_KEY, alignments: 'alignment-only' });
		const norm = await startElevenLabsFake({ apiKey: ELEVEN_KEY, alignments: 'normalized-only' });
		const none = await startElevenLabsFake({ apiKey: ELEVEN_KEY, alignments: 'none' });
		try {
			const a = await elevenTts({ baseUrl: only.baseUrl }).synthesize({ text: 'One two.' }, out('mp3'));
			expect(a.wordsFrom).toBe('provider');
			expect(a.words.map((w) => w.word)).toEqual(['One', 'two.']);
			const b = await elevenTts({ baseUrl: norm.baseUrl }).synthesize({ text: 'One two.' }, out('mp3'));
			expect(b.wordsFrom).toBe('provider');
			expect(b.words).toEqual(a.words);
			const c = await elevenTts({ baseUrl: none.baseUrl }).synthesize({ text: 'One two.' }, out('mp3'));
			expect(c.wordsFrom).toBe('proportional');
			expectWellFormed(c.words, c.durationSeconds);
			expect(c.words.at(-1)!.end).toBeCloseTo(c.durationSeconds, 6);
		} finally {
			await Promise.all([only.close(), norm.close(), none.close()]);
		}
	});

	test('wordsFromAlignment: whitespace splits, punctuation stays, inconsistent arrays are ignored', () => {
		const a = { characters: [' ', 'H', 'i', ',', ' ', '\n', 'y', 'o', '!'], character_start_times_seconds: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], character_end_times_seconds: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] };
		expect(wordsFromAlignment(a)).toEqual([
			{ word: 'Hi,', start: 0.1, end: 0.4 },
			{ word: 'yo!', start: 0.6, end: 0.9 },
		]);
		expect(wordsFromAlignment({ ...a, character_end_times_seconds: [0.1] })).toBeNull();
		expect(wordsFromAlignment(null)).toBeNull();
	});

	test('bad key: 401 auth error without the key, even when the server echoes it', async () => {
		const echoing = await startElevenLabsFake({ apiKey: ELEVEN_KEY, echoKeyInErrors: true });
		const wrong = `xi-test-${randomBytes(12).toString('hex')}`;
		try {
			const err = (await new ElevenLabsTtsProvider({ apiKey: wrong, baseUrl: echoing.baseUrl })
				.synthesize({ text: 'Hi.' }, out('mp3'))
				.catch((e: unknown) => e)) as ProviderCallError;
			expect(err).toMatchObject({ kind: 'auth', status: 401, outcomeKnown: true });
			expect(err.message).toContain('invalid_api_key');
			expect(err.message).not.toContain(wrong);
			expect(String(err.stack)).not.toContain(wrong);
			expect(echoing.ttsRequests()).toHaveLength(1);
		} finally {
			await echoing.close();
		}
	});

	test('429 + Retry-After and 500 are retried; after the retries a 5xx is a known-outcome server error', async () => {
		const before = eleven.ttsRequests().length;
		eleven.setFault({ kind: 'rate_limit', retryAfter: '0.05' }, 1);
		eleven.setFault({ kind: 'server_error', status: 500 }, 1);
		const r = await elevenTts().synthesize({ text: 'Persistence.' }, out('mp3'));
		expect(r.wordsFrom).toBe('provider');
		expect(eleven.ttsRequests().slice(before).map((q) => q.status)).toEqual([429, 500, 200]);

		eleven.setFault({ kind: 'server_error', status: 502 }, 2);
		const err = await elevenTts({ maxRetries: 1 })
			.synthesize({ text: 'Nope.' }, out('mp3'))
			.catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'server', status: 502, outcomeKnown: true });
		expect((err as Error).message).toContain('internal_server_error');
	});

	test('a malformed 200 is an unknown outcome (it may be billed); a 422 is a bad request', async () => {
		eleven.setFault({ kind: 'malformed', body: '{"audio_base64": "SUQz' }, 1);
		const err = await elevenTts()
			.synthesize({ text: 'Cut off.' }, out('mp3'))
			.catch((e: unknown) => e);
		expect(err).toMatchObject({ kind: 'invalid_output', outcomeKnown: false });

		eleven.setFault({ kind: 'status', status: 422, body: { detail: [{ type: 'missing', loc: ['body', 'text'], msg: 'Field required' }] } }, 1);
		const bad = await elevenTts()
			.synthesize({ text: 'x' }, out('mp3'))
			.catch((e: unknown) => e);
		expect(bad).toMatchObject({ kind: 'bad_request', status: 422, outcomeKnown: true });
		expect((bad as Error).message).toContain('body.text: Field required');
	});
});

// ---------------------------------------------------------------------------------------- local

describe('local TTS (espeak-ng)', () => {
	test('writes a real WAV: header duration = ffprobe; provider local; proportional words', async () => {
		const text = 'This is a robotic draft voice, for offline previews only.';
		const dest = out('wav');
		const r = await new LocalTtsProvider().synthesize({ text }, dest);
		const p = probe(dest);
		expect(r).toMatchObject({ path: dest, provider: 'local', model: 'espeak-ng', wordsFrom: 'proportional', usage: { characters: text.length } });
		expect(r.durationSeconds).toBeCloseTo(p.duration, 2);
		expect(r.durationSeconds).toBeGreaterThan(2);
		expectWellFormed(r.words, r.durationSeconds);
		expect(r.words.map((w) => w.word)).toEqual(splitWords(text));
		// Covers the speech: starts at the first sound, ends at the last.
		const bounds = await speechBounds(dest);
		expect(r.words[0].start).toBe(bounds!.start);
		expect(r.words.at(-1)!.end).toBe(bounds!.end);
		expect(span(word(r, 'previews'))).toBeGreaterThan(span(word(r, 'is')));
		expect(span(word(r, 'offline'))).toBeGreaterThan(span(word(r, 'a')));
	});

	test('speed changes the pace; .mp3 is encoded from the WAV', async () => {
		const text = 'One two three four five six seven eight.';
		const slow = await new LocalTtsProvider().synthesize({ text, speed: 0.7 }, out('wav'));
		const fast = await new LocalTtsProvider({ wordsPerMinute: 200 }).synthesize({ text, speed: 1.5 }, out('wav'));
		expect(slow.durationSeconds).toBeGreaterThan(fast.durationSeconds * 1.5);
		const dest = out('mp3');
		const mp3 = await new LocalTtsProvider({ voice: 'en-gb' }).synthesize({ text }, dest);
		expect(probe(dest).codec).toBe('mp3');
		expect(mp3.durationSeconds).toBeCloseTo(probe(dest).duration, 2);
	});

	test('text is spoken, never parsed: leading dashes, --help, quotes, $(), backticks, newlines', async () => {
		const canary = join(dir, 'pwned');
		const texts = [
			'-rf / --help',
			'--help',
			`-w ${join(dir, 'hijack.wav')} hello`,
			`He said "stop" and 'go'; $(touch ${canary}) \`touch ${canary}\` && touch ${canary}`,
			'line one\nline two\r\n-line three',
			"[[h@'l@U]] bracketed",
		];
		for (const text of texts) {
			const dest = out('wav');
			const r = await new LocalTtsProvider().synthesize({ text }, dest);
			expect(existsSync(dest)).toBe(true);
			expect(r.durationSeconds).toBeGreaterThan(0.3);
			expect(r.words.map((w) => w.word)).toEqual(splitWords(espeakSafeText(text)));
		}
		expect(existsSync(canary)).toBe(false);
		expect(existsSync(join(dir, 'hijack.wav'))).toBe(false);
		// "--help" was spoken, not answered with usage text (which would leave no WAV).
		expect(espeakSafeText('a\u0000b\u0007c[[x]]')).toBe('a b c[ [x] ]');
	});

	test('voice names are checked; an espeak-ng that is not installed is a provider error', async () => {
		expect(() => new LocalTtsProvider({ voice: '-x' })).toThrow(ValidationError);
		await expect(new LocalTtsProvider().synthesize({ text: 'hi', voice: 'en; rm -rf /' }, out('wav'))).rejects.toBeInstanceOf(ValidationError);
		const err = await new LocalTtsProvider({ espeakPath: join(dir, 'no-such-espeak') })
			.synthesize({ text: 'hi' }, out('wav'))
			.catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ProviderError);
		expect((err as Error).message).toContain('not installed');
	});
});

/** Festival's HTS voice synthesises at about 0.3x real time on one core, slower on a busy machine. */
const FESTIVAL_TIMEOUT_MS = 60_000;

describe('local TTS (Festival, SLT HTS voice)', () => {
	test('writes a real 32 kHz WAV: provider local, model festival/<voice>, words over the measured speech', async () => {
		const text = 'Meet the Cloudline, a light and springy daily trainer.';
		const dest = out('wav');
		const r = await new FestivalTtsProvider().synthesize({ text }, dest);
		const p = probe(dest);
		expect(r).toMatchObject({ path: dest, provider: 'local', model: 'festival/cmu_us_slt_arctic_hts', wordsFrom: 'proportional' });
		expect(p).toMatchObject({ codec: 'pcm_s16le', sampleRate: 32000 });
		expect(r.durationSeconds).toBeCloseTo(p.duration, 2);
		expect(r.durationSeconds).toBeGreaterThan(2);
		expectWellFormed(r.words, r.durationSeconds);
		expect(r.words.map((w) => w.word)).toEqual(splitWords(text));
		const bounds = await speechBounds(dest);
		expect(r.words[0].start).toBe(bounds!.start);
		expect(r.words.at(-1)!.end).toBe(bounds!.end);
	}, FESTIVAL_TIMEOUT_MS);

	test("speed reaches the HTS engine (-r): 1.25 speaks in about 1/1.25 of the time, 0.85 in about 1/0.85; .mp3 works", async () => {
		const text = 'One two three four five six seven eight nine ten.';
		const tts = new FestivalTtsProvider();
		const [normal, fast, slow] = await Promise.all([1, 1.25, 0.85].map((speed) => tts.synthesize({ text, speed }, out('wav'))));
		expect(normal.durationSeconds / fast.durationSeconds).toBeGreaterThan(1.15);
		expect(normal.durationSeconds / fast.durationSeconds).toBeLessThan(1.35);
		expect(slow.durationSeconds / normal.durationSeconds).toBeGreaterThan(1.1);
		expect(slow.durationSeconds / normal.durationSeconds).toBeLessThan(1.3);
		const dest = out('mp3');
		await tts.synthesize({ text }, dest);
		expect(probe(dest).codec).toBe('mp3');
		expect(festivalEvals('kal_diphone', 1.25)).toEqual(['(voice_kal_diphone)', "(Parameter.set 'Duration_Stretch 0.800)"]);
		expect(festivalEvals('cmu_us_slt_arctic_hts', 1)).toEqual(['(voice_cmu_us_slt_arctic_hts)']);
	}, FESTIVAL_TIMEOUT_MS);

	test('text goes through a file, never Scheme or a shell; voice names are checked', async () => {
		const canary = join(dir, 'festival-pwned');
		const text = `-o ${join(dir, 'hijack.wav')} "quoted" (system "touch ${canary}") $(touch ${canary})\nnext line`;
		const dest = out('wav');
		const r = await new FestivalTtsProvider().synthesize({ text }, dest);
		expect(r.durationSeconds).toBeGreaterThan(1);
		expect(r.words.map((w) => w.word)).toEqual(splitWords(festivalSafeText(text)));
		expect(existsSync(canary)).toBe(false);
		expect(existsSync(join(dir, 'hijack.wav'))).toBe(false);
		expect(() => new FestivalTtsProvider({ voice: 'slt) (system "x"' })).toThrow(ValidationError);
		expect(isFestivalVoiceName('cmu_us_slt_arctic_hts')).toBe(true);
		expect(isFestivalVoiceName('en-us')).toBe(false);
	}, FESTIVAL_TIMEOUT_MS);

	test('a voice that is not installed, or no Festival, is a provider error with a known outcome', async () => {
		const noVoice = await new FestivalTtsProvider({ voice: 'cmu_us_nobody_hts' }).synthesize({ text: 'hi there' }, out('wav')).catch((e: unknown) => e);
		expect(noVoice).toBeInstanceOf(ProviderError);
		expect((noVoice as ProviderError).outcomeKnown).toBe(true);
		expect((noVoice as Error).message).toMatch(/cmu_us_nobody_hts/);
		const noBinary = await new FestivalTtsProvider({ text2wavePath: join(dir, 'no-such-text2wave') }).synthesize({ text: 'hi' }, out('wav')).catch((e: unknown) => e);
		expect(noBinary).toBeInstanceOf(ProviderError);
		expect((noBinary as Error).message).toContain('not installed');
	}, FESTIVAL_TIMEOUT_MS);

	test('the registry\'s local voice is Festival first, espeak-ng when Festival is missing or an espeak voice is asked for', async () => {
		const dflt = createTtsProvider({ provider: 'local' });
		expect(dflt).toMatchObject({ name: 'local', model: 'festival/cmu_us_slt_arctic_hts' });
		const spoken = await dflt.synthesize({ text: 'The better voice.' }, out('wav'));
		expect(spoken.model).toBe('festival/cmu_us_slt_arctic_hts');
		const without = createTtsProvider({ provider: 'local', text2wavePath: join(dir, 'no-such-text2wave') });
		const fellBack = await without.synthesize({ text: 'The draft voice.' }, out('wav'));
		expect(fellBack).toMatchObject({ provider: 'local', model: 'espeak-ng', fellBack: true });
		expect(createTtsProvider({ provider: 'local', voice: 'en-gb' }).model).toBe('espeak-ng');
		expect(createTtsProvider({ provider: 'local', engine: 'espeak-ng' }).model).toBe('espeak-ng');
		expect(createTtsProvider({ provider: 'local', engine: 'festival', voice: 'kal_diphone' }).model).toBe('festival/kal_diphone');
		expect(() => createTtsProvider({ provider: 'local', engine: 'say' as never })).toThrow(/engine/);
	}, FESTIVAL_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------- fallback

describe('fallback chain (seed 001)', () => {
	test('primary 5xx → the secondary answers, and the result says so', async () => {
		const openaiBefore = openai.speechRequests().length;
		openai.setFault({ kind: 'server_error', status: 500 });
		const events: unknown[] = [];
		const chain = new FallbackTtsProvider([openaiTts({ maxRetries: 1 }), elevenTts()], { onFallback: (e) => events.push(e) });
		const r = await chain.synthesize({ text: 'Back up voice.', voice: 'nova' }, out('mp3'));
		expect(r).toMatchObject({ provider: 'elevenlabs', answeredBy: 'elevenlabs', fellBack: true, wordsFrom: 'provider' });
		expect(r.failures).toEqual([
			expect.objectContaining({ provider: 'openai', model: 'tts-1', kind: 'server', status: 500, outcomeKnown: true }),
		]);
		expect(events).toEqual([expect.objectContaining({ from: 'openai', to: 'elevenlabs', kind: 'server', outcomeKnown: true })]);
		// The primary retried once (500 is safe to retry); the OpenAI voice name did not go to ElevenLabs.
		expect(openai.speechRequests().length - openaiBefore).toBe(2);
		expect(eleven.ttsRequests().at(-1)!.path).toContain('/JBFqnCBsd6RMkjVDRZzb/');
	});

	test('an unknown outcome moves on but never calls the same paid provider again', async () => {
		const before = openai.speechRequests().length;
		openai.setFault({ kind: 'drop' });
		const primary = openaiTts({ maxRetries: 3 });
		const sameModelOtherEntry = openaiTts({ voice: 'echo' });
		const chain = new FallbackTtsProvider([primary, sameModelOtherEntry, primary, elevenTts()]);
		const r = await chain.synthesize({ text: 'Only once, please.' }, out('wav'));
		expect(openai.speechRequests().length - before).toBe(1);
		expect(r.answeredBy).toBe('elevenlabs');
		expect(r.failures.map((f) => [f.provider, f.kind, f.outcomeKnown])).toEqual([
			['openai', 'network', false],
			['openai', 'skipped', true],
			['openai', 'skipped', true],
		]);
	});

	test('a known-outcome failure lets a different model of the same vendor answer', async () => {
		openai.setFault({ kind: 'status', status: 400, body: { error: { message: 'nope', type: 'invalid_request_error', param: null, code: null } } }, 1);
		const r = await new FallbackTtsProvider([openaiTts({ model: 'tts-1-hd' }), openaiTts({ model: 'tts-1' })]).synthesize({ text: 'Again.' }, out('wav'));
		expect(r).toMatchObject({ provider: 'openai', model: 'tts-1', fellBack: true });
	});

	test('every provider failing gives one error listing them, with no key in it; input errors are not fallen back on', async () => {
		openai.setFault({ kind: 'server_error', status: 503 });
		eleven.setFault({ kind: 'rate_limit', retryAfter: '999' });
		const chain = new FallbackTtsProvider([openaiTts({ maxRetries: 0 }), elevenTts()]);
		const err = (await chain.synthesize({ text: 'Nobody home.' }, out('mp3')).catch((e: unknown) => e)) as TtsChainError;
		expect(err).toBeInstanceOf(TtsChainError);
		expect(err.failures.map((f) => [f.provider, f.kind, f.status])).toEqual([
			['openai', 'server', 503],
			['elevenlabs', 'rate_limited', 429],
		]);
		expect(err.outcomeKnown).toBe(true);
		expect(err.message).not.toContain(OPENAI_KEY);
		expect(err.message).not.toContain(ELEVEN_KEY);
		expect(JSON.stringify(err)).not.toContain(ELEVEN_KEY);

		const before = eleven.ttsRequests().length;
		await expect(chain.synthesize({ text: '   ' }, out('mp3'))).rejects.toBeInstanceOf(ValidationError);
		expect(eleven.ttsRequests().length).toBe(before);
	});

	test('a registry chain ending in the local voice always produces audio', async () => {
		openai.setFault({ kind: 'server_error', status: 500 });
		const chain = createTtsChain([
			{ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.baseURL, model: 'tts-1-hd', voice: 'onyx', maxRetries: 0 },
			{ provider: 'elevenlabs', apiKey: `xi-test-${randomBytes(8).toString('hex')}`, baseUrl: eleven.baseUrl },
			{ provider: 'local', voice: 'en-us' },
		]);
		const dest = out('wav');
		const r = await chain.synthesize({ text: 'The show goes on.' }, dest);
		expect(r).toMatchObject({ provider: 'local', model: 'espeak-ng', answeredBy: 'local', fellBack: true });
		expect(r.failures.map((f) => f.kind)).toEqual(['server', 'auth']);
		expect(probe(dest).duration).toBeCloseTo(r.durationSeconds, 2);
	});
});

// ---------------------------------------------------------------------------------------- rate limits

describe('per-provider rate limits (seed 001)', () => {
	test('the token bucket grants in arrival order, one interval apart', async () => {
		const limiter = new RateLimiter({ requestsPerMinute: 600 }); // one every 100 ms
		const granted: number[] = [];
		const order: number[] = [];
		const t0 = performance.now();
		await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => (order.push(i), granted.push(performance.now() - t0)))));
		expect(order).toEqual([0, 1, 2, 3]);
		for (let i = 1; i < granted.length; i++) expect(granted[i] - granted[i - 1]).toBeGreaterThanOrEqual(99);
	});

	test('the ElevenLabs adapter spaces its requests: the fake sees them at least the interval apart', async () => {
		const fake = await startElevenLabsFake({ apiKey: ELEVEN_KEY });
		try {
			const tts = elevenTts({ baseUrl: fake.baseUrl, requestsPerMinute: 600 });
			await Promise.all(['One.', 'Two.', 'Three.', 'Four.'].map((text) => tts.synthesize({ text }, out('mp3'))));
			const at = fake.ttsRequests().map((q) => q.at);
			expect(at).toHaveLength(4);
			// 100 ms apart at the limiter; a few ms of loopback scheduling either way.
			for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(90);
		} finally {
			await fake.close();
		}
	});

	test('the bucket is shared per account; a 429 Retry-After pauses it for every caller', async () => {
		const key = `sk-test-${randomBytes(12).toString('hex')}`;
		const fake = await startOpenAiFake({ apiKey: key });
		try {
			// Two providers (two nodes, say) on one account: one bucket, one request every 500 ms.
			const a = createTtsProvider({ provider: 'openai', apiKey: key, baseUrl: fake.baseURL, requestsPerMinute: 120 });
			const b = createTtsProvider({ provider: 'openai', apiKey: key, baseUrl: fake.baseURL, requestsPerMinute: 120, voice: 'echo' });
			fake.setFault({ kind: 'rate_limit', retryAfter: '0.8' }, 1);
			const [ra, rb] = await Promise.all([a.synthesize({ text: 'First.' }, out('wav')), b.synthesize({ text: 'Second.' }, out('wav'))]);
			expect([ra.provider, rb.provider]).toEqual(['openai', 'openai']);
			const reqs = fake.speechRequests();
			// Whichever caller reached the bucket first was refused; the other went next; then the retry.
			const first = (reqs[0].body as { voice: string }).voice;
			const other = first === 'alloy' ? 'echo' : 'alloy';
			expect(reqs.map((q) => [q.status, (q.body as { voice: string }).voice])).toEqual([
				[429, first],
				[200, other],
				[200, first],
			]);
			// b waited out a's Retry-After too, though b was never refused itself; then a's retry
			// waited its turn in the bucket (a few ms of loopback scheduling allowed).
			expect(reqs[1].at - reqs[0].at).toBeGreaterThanOrEqual(790);
			expect(reqs[2].at - reqs[1].at).toBeGreaterThanOrEqual(490);
		} finally {
			await fake.close();
		}
	});

	test('registry validation', () => {
		expect(() => createTtsProvider({ provider: 'openai' })).toThrow(ValidationError);
		expect(() => createTtsProvider({ provider: 'elevenlabs', apiKey: ' ' })).toThrow(/apiKey/);
		expect(() => createTtsProvider({ provider: 'openai', apiKey: 'k', requestsPerMinute: 0 })).toThrow(/requestsPerMinute/);
		expect(() => createTtsProvider({ provider: 'sora' as never })).toThrow(/unknown TTS provider/);
		expect(() => createTtsChain([])).toThrow(ValidationError);
		expect(createTtsProvider({ provider: 'local', engine: 'espeak-ng' })).toMatchObject({ name: 'local', model: 'espeak-ng' });
	});
});
