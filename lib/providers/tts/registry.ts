/**
 * TTS providers from plain config objects (what a node builds from its parameters and
 * credential), and fallback chains of them (seed 001). Secrets arrive in the config; nothing here
 * reads the environment. A missing or wrong setting is a ValidationError naming the field.
 */
import { ValidationError } from '../../domain/errors';
import type { RetryPolicy } from '../llm/openai';
import type { TtsProvider } from '../types';
import { ElevenLabsTtsProvider } from './elevenlabs';
import { FallbackTtsProvider, type FallbackTtsOptions } from './fallback';
import { FestivalTtsProvider, isFestivalVoiceName } from './festival';
import { LocalTtsProvider } from './local';
import { OpenAiTtsProvider } from './openai';

export const TTS_PROVIDERS = ['openai', 'elevenlabs', 'local'] as const;
export type TtsProviderName = (typeof TTS_PROVIDERS)[number];

export interface TtsConfig extends RetryPolicy {
	provider: TtsProviderName;
	/** Required for openai and elevenlabs. */
	apiKey?: string;
	/** openai: default https://api.openai.com/v1; elevenlabs: https://api.elevenlabs.io. */
	baseUrl?: string;
	/** openai: tts-1 (or tts-1-hd, gpt-4o-mini-tts); elevenlabs: eleven_multilingual_v2; local: set by `engine`. */
	model?: string;
	/**
	 * openai: alloy…; elevenlabs: a voice id; local: a Festival voice (cmu_us_slt_arctic_hts, the
	 * default) or an espeak-ng voice (en-us, en-gb+f3: then espeak-ng speaks).
	 */
	voice?: string;
	/**
	 * local: 'auto' (default): Festival with the SLT HTS voice, espeak-ng when Festival or the voice
	 * is not installed; 'festival' or 'espeak-ng': that engine only.
	 */
	engine?: 'auto' | 'festival' | 'espeak-ng';
	/** local: path of text2wave (Festival). */
	text2wavePath?: string;
	/** Remote providers: in-process requests per minute for this account (seed 001). */
	requestsPerMinute?: number;
	/** Remote providers: requests allowed at once after a quiet period. Default 1. */
	burst?: number;
	timeoutMs?: number;
	/** openai gpt-4o-mini-tts: speaking instructions. */
	instructions?: string;
	/** elevenlabs: output format for .mp3 files (default mp3_44100_128). */
	outputFormat?: string;
	/** elevenlabs: ISO 639-1 language code. */
	languageCode?: string;
	/** local: speaking rate at speed 1 (default 165). */
	wordsPerMinute?: number;
	ffmpegPath?: string;
	ffprobePath?: string;
	/** local: path of the espeak-ng binary. */
	espeakPath?: string;
}

function required(value: string | undefined, field: string, what: string): string {
	if (!value || !value.trim()) throw new ValidationError(`${what} needs ${field}`, field);
	return value.trim();
}

function rate(config: TtsConfig): { requestsPerMinute?: number; burst?: number } {
	const rpm = config.requestsPerMinute;
	if (rpm !== undefined && rpm !== null && !(Number.isFinite(rpm) && rpm > 0)) {
		throw new ValidationError('requestsPerMinute must be a positive number', 'requestsPerMinute');
	}
	if (config.burst !== undefined && !(Number.isFinite(config.burst) && config.burst >= 1)) throw new ValidationError('burst must be at least 1', 'burst');
	return { requestsPerMinute: rpm ?? undefined, burst: config.burst };
}

const retry = (config: RetryPolicy): RetryPolicy => ({
	maxRetries: config.maxRetries,
	maxRetryAfterSeconds: config.maxRetryAfterSeconds,
	retryBaseDelayMs: config.retryBaseDelayMs,
});

const tools = (config: TtsConfig) => ({ ffmpegPath: config.ffmpegPath || undefined, ffprobePath: config.ffprobePath || undefined });

export function createTtsProvider(config: TtsConfig): TtsProvider {
	switch (config.provider) {
		case 'openai':
			return new OpenAiTtsProvider({
				apiKey: required(config.apiKey, 'apiKey', 'OpenAI TTS'),
				baseURL: config.baseUrl || undefined,
				model: config.model || undefined,
				voice: config.voice || undefined,
				instructions: config.instructions || undefined,
				timeoutMs: config.timeoutMs,
				...rate(config),
				...retry(config),
				...tools(config),
			});
		case 'elevenlabs':
			return new ElevenLabsTtsProvider({
				apiKey: required(config.apiKey, 'apiKey', 'ElevenLabs'),
				baseUrl: config.baseUrl || undefined,
				model: config.model || undefined,
				voice: config.voice || undefined,
				outputFormat: config.outputFormat || undefined,
				languageCode: config.languageCode || undefined,
				timeoutMs: config.timeoutMs,
				...rate(config),
				...retry(config),
				...tools(config),
			});
		case 'local':
			return createLocalTts(config);
		default:
			throw new ValidationError(
				`unknown TTS provider "${String((config as { provider?: unknown }).provider)}"; use one of ${TTS_PROVIDERS.join(', ')}`,
				'provider',
			);
	}
}

/**
 * The offline voice. Festival (SLT HTS) is the default and espeak-ng answers when Festival is not
 * installed (a chain, so the result says which one spoke: `model` festival/… or espeak-ng). An
 * espeak-ng voice name (en-us) or engine 'espeak-ng' gives espeak-ng alone; engine 'festival'
 * gives Festival alone.
 */
function createLocalTts(config: TtsConfig): TtsProvider {
	const engine = config.engine ?? 'auto';
	if (engine !== 'auto' && engine !== 'festival' && engine !== 'espeak-ng') {
		throw new ValidationError(`engine must be auto, festival or espeak-ng (got "${String(engine)}")`, 'engine');
	}
	const voice = config.voice?.trim() || undefined;
	const festivalVoice = voice && isFestivalVoiceName(voice.replace(/^voice_/, '')) ? voice : undefined;
	const espeak = () =>
		new LocalTtsProvider({
			voice: festivalVoice ? undefined : voice,
			wordsPerMinute: config.wordsPerMinute,
			espeakPath: config.espeakPath || undefined,
			timeoutMs: config.timeoutMs,
			...tools(config),
		});
	const festival = () =>
		new FestivalTtsProvider({ voice: festivalVoice, text2wavePath: config.text2wavePath || undefined, timeoutMs: config.timeoutMs, ...tools(config) });
	if (engine === 'espeak-ng' || (engine === 'auto' && voice && !festivalVoice)) return espeak();
	if (engine === 'festival') return festival();
	return new FallbackTtsProvider([festival(), espeak()]);
}

/**
 * A fallback chain (seed 001): the first config is the primary, the rest answer in order when it
 * fails. Put `{ provider: 'local' }` last for a chain that always produces a draft voice.
 */
export function createTtsChain(configs: TtsConfig[], opts: FallbackTtsOptions = {}): FallbackTtsProvider {
	if (!Array.isArray(configs) || configs.length === 0) throw new ValidationError('a TTS chain needs at least one provider', 'providers');
	return new FallbackTtsProvider(
		configs.map((c) => createTtsProvider(c)),
		opts,
	);
}
