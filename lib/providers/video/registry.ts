/**
 * Video and image providers from plain config objects, and VIDEO_MODELS / IMAGE_MODELS: the one
 * catalogue of generators the Model Router chooses from (typed data, no logic).
 *
 * A catalogue entry is structurally a `RoutableModel` of lib/strategy/router.ts (provider, model,
 * tier, roles, durations, aspects, resolutions, imageToVideo, retired) plus what people and the
 * Production House need (styles, seed roles, labels, audio, price status). Durations are the clip
 * lengths at 720p; `durationsByResolution` lists the exceptions (Veo renders 1080p and 4k only at
 * 8 s). An adapter's `plan(req)` gives the exact clip a request becomes; price that.
 *
 * OpenAI retired Sora 2 and its Videos API on 2026-09-24: its entries stay (retired: true) so old
 * jobs and the seed's "sora" route resolve to a reason, but `liveVideoModels()` never returns them
 * and there is no adapter.
 */
import { ValidationError } from '../../domain/errors';
import type { RetryPolicy } from '../llm/openai';
import type { AspectRatio, ImageProvider, Resolution, VideoJobRequest, VideoProvider } from '../types';
import { GeminiImageProvider } from '../image/gemini-image';
import { LocalImageProvider } from '../image/local';
import { SeedreamImageProvider } from '../image/seedream';
import { BytePlusSeedanceProvider } from './byteplus';
import type { FetchFn, ImageInputPreparer, VideoPlan } from './common';
import { FalVideoProvider } from './fal';
import { GeminiVeoProvider } from './gemini-veo';
import { KieVideoProvider } from './kie';
import { LibraryVideoProvider } from './library';
import { LocalVideoProvider } from './local';

export const VIDEO_PROVIDERS = ['gemini', 'fal', 'byteplus', 'kie', 'local'] as const;
export type VideoProviderName = (typeof VIDEO_PROVIDERS)[number];
/**
 * Generators that make a scene from existing pictures (issue 11), not from a model: the brand's
 * media library and stock footage fetched into it. All render offline with LibraryVideoProvider
 * from the source chosen at routing (lib/library/sources.ts); stock is searched and downloaded then.
 */
export const SOURCE_PROVIDERS = ['library', 'pexels', 'pixabay'] as const;
export type SourceProviderName = (typeof SOURCE_PROVIDERS)[number];
export const IMAGE_PROVIDERS = ['gemini', 'byteplus', 'local'] as const;
export type ImageProviderName = (typeof IMAGE_PROVIDERS)[number];

/** Every adapter here also plans requests and knows which image inputs it accepts. */
export type PlanningVideoProvider = VideoProvider & ImageInputPreparer & { plan(req: VideoJobRequest): VideoPlan };

export interface VideoProviderConfig extends RetryPolicy {
	provider: VideoProviderName | SourceProviderName;
	/** Required for every provider but local. */
	apiKey?: string;
	/**
	 * gemini: API base (https://generativelanguage.googleapis.com/v1beta); fal: queue base
	 * (https://queue.fal.run); byteplus: ModelArk base (https://ark.ap-southeast.bytepluses.com/api/v3);
	 * kie: https://api.kie.ai.
	 */
	baseUrl?: string;
	/** fal: storage REST base (https://rest.fal.ai); kie: file upload base (https://kieai.redpandaai.co). */
	uploadBaseUrl?: string;
	/** Per HTTP attempt (local: per render). */
	timeoutMs?: number;
	/** Downloads may reach private/loopback addresses: tests and local fakes only. */
	allowPrivateNetwork?: boolean;
	maxDownloadBytes?: number;
	/** fal, byteplus: ask for native audio. */
	generateAudio?: boolean;
	/** gemini: Veo's personGeneration (sent only when set). */
	personGeneration?: 'allow_all' | 'allow_adult' | 'dont_allow';
	/** fal: origins fal reads as they are (besides *.fal.media). */
	hostedOrigins?: string[];
	/** kie: extra market input per model id. */
	marketInput?: Record<string, Record<string, unknown>>;
	/** local: where clips are rendered (default <tmp>/brand-infinity-local-video). */
	workDir?: string;
	/** local: default "ffmpeg". */
	ffmpegPath?: string;
	/** local: 24 or 30 (default 30). */
	fps?: 24 | 30;
	/** local: output size multiplier (0 < s ≤ 1; default 1). */
	renderScale?: number;
	/** local: renders at a time (default 1). */
	maxConcurrent?: number;
	/** Replaces global fetch for API calls (proxies, tests). */
	fetchImpl?: FetchFn;
}

export interface ImageProviderConfig extends RetryPolicy {
	provider: ImageProviderName;
	apiKey?: string;
	/** gemini: API base; byteplus: ModelArk base. */
	baseUrl?: string;
	timeoutMs?: number;
	/** byteplus: url (default, expires ~24 h) or b64_json. */
	responseFormat?: 'url' | 'b64_json';
	/** local */
	ffmpegPath?: string;
	workDir?: string;
	renderScale?: number;
	fetchImpl?: FetchFn;
}

function key(config: { apiKey?: string }, what: string): string {
	if (!config.apiKey || !config.apiKey.trim()) throw new ValidationError(`${what} needs apiKey`, 'apiKey');
	return config.apiKey.trim();
}

export function createVideoProvider(config: VideoProviderConfig): PlanningVideoProvider {
	const common = {
		maxRetries: config.maxRetries,
		maxRetryAfterSeconds: config.maxRetryAfterSeconds,
		retryBaseDelayMs: config.retryBaseDelayMs,
		timeoutMs: config.timeoutMs,
		allowPrivateNetwork: config.allowPrivateNetwork,
		maxDownloadBytes: config.maxDownloadBytes,
		fetchImpl: config.fetchImpl,
	};
	switch (config.provider) {
		case 'gemini':
			return new GeminiVeoProvider({ ...common, apiKey: key(config, 'Veo (Gemini API)'), baseUrl: config.baseUrl || undefined, personGeneration: config.personGeneration });
		case 'fal':
			return new FalVideoProvider({
				...common,
				apiKey: key(config, 'fal'),
				queueBaseUrl: config.baseUrl || undefined,
				restBaseUrl: config.uploadBaseUrl || undefined,
				generateAudio: config.generateAudio,
				hostedOrigins: config.hostedOrigins,
			});
		case 'byteplus':
			return new BytePlusSeedanceProvider({ ...common, apiKey: key(config, 'BytePlus ModelArk'), baseUrl: config.baseUrl || undefined, generateAudio: config.generateAudio });
		case 'kie':
			return new KieVideoProvider({
				...common,
				apiKey: key(config, 'Kie'),
				baseUrl: config.baseUrl || undefined,
				uploadBaseUrl: config.uploadBaseUrl || undefined,
				marketInput: config.marketInput,
			});
		case 'local':
			return new LocalVideoProvider({
				workDir: config.workDir,
				ffmpegPath: config.ffmpegPath,
				fps: config.fps,
				renderScale: config.renderScale,
				maxConcurrent: config.maxConcurrent,
				timeoutMs: config.timeoutMs,
				allowPrivateNetwork: config.allowPrivateNetwork,
			});
		case 'library':
		case 'pexels':
		case 'pixabay':
			// Stock was fetched into the library when the scene was routed: rendering needs no key.
			return new LibraryVideoProvider({
				workDir: config.workDir,
				ffmpegPath: config.ffmpegPath,
				fps: config.fps,
				renderScale: config.renderScale,
				maxConcurrent: config.maxConcurrent,
				timeoutMs: config.timeoutMs,
				allowPrivateNetwork: config.allowPrivateNetwork,
			}) as unknown as PlanningVideoProvider;
		default:
			throw new ValidationError(
				`unknown video provider "${String((config as { provider?: unknown }).provider)}"; use one of ${[...VIDEO_PROVIDERS, ...SOURCE_PROVIDERS].join(', ')} (OpenAI Sora was retired on 2026-09-24)`,
				'provider',
			);
	}
}

export function createImageProvider(config: ImageProviderConfig): ImageProvider {
	const common = {
		maxRetries: config.maxRetries,
		maxRetryAfterSeconds: config.maxRetryAfterSeconds,
		retryBaseDelayMs: config.retryBaseDelayMs,
		timeoutMs: config.timeoutMs,
		fetchImpl: config.fetchImpl,
	};
	switch (config.provider) {
		case 'gemini':
			return new GeminiImageProvider({ ...common, apiKey: key(config, 'Gemini image'), baseUrl: config.baseUrl || undefined });
		case 'byteplus':
			return new SeedreamImageProvider({ ...common, apiKey: key(config, 'Seedream (BytePlus ModelArk)'), baseUrl: config.baseUrl || undefined, responseFormat: config.responseFormat });
		case 'local':
			return new LocalImageProvider({ ffmpegPath: config.ffmpegPath, workDir: config.workDir, renderScale: config.renderScale });
		default:
			throw new ValidationError(`unknown image provider "${String((config as { provider?: unknown }).provider)}"; use one of ${IMAGE_PROVIDERS.join(', ')}`, 'provider');
	}
}

// ---------------------------------------------------------------------------------------- catalogue

export type VideoTier = 'premium' | 'standard' | 'volume';
/** Same values as GeneratorRole in lib/strategy/router.ts. */
export type VideoRole = 'photoreal' | 'dynamic' | 'abstract' | 'image_to_video';
/** Visual styles a model suits (the seed's visual_cues.style values and scene types). */
export type VideoStyle = 'hyper_realistic' | 'cinematic' | 'abstract' | 'animation' | 'fast_paced' | 'product_shot' | 'social_montage' | 'artistic';
/** The seed's `model_used` routes a model can fill (sora's role goes to live models). */
export type SeedRoute = 'sora' | 'veo3' | 'seedream' | 'nano_b';

export interface VideoModelEntry {
	/** `${provider}:${model}`, unique. */
	id: string;
	provider: VideoProviderName | SourceProviderName | 'openai';
	/** What goes into VideoJobRequest.model (fal: the text-to-video endpoint). */
	model: string;
	/** The endpoint used with an input image when it differs (fal). */
	imageToVideoModel?: string;
	family: 'veo' | 'kling' | 'seedance' | 'sora' | 'local' | 'library' | 'stock';
	/** Only for a scene that has a fitting asset of this provider (library, stock): RouteContext.fitting. */
	needsAsset?: boolean;
	label: string;
	tier: VideoTier;
	roles: VideoRole[];
	styles: VideoStyle[];
	seedRoutes: SeedRoute[];
	/** Clip lengths (seconds) it renders at 720p, ascending. */
	durations: number[];
	/** Exceptions by resolution (Veo: 1080p and 4k only at 8 s). */
	durationsByResolution?: Partial<Record<Resolution, number[]>>;
	maxDurationSeconds: number;
	aspects: AspectRatio[];
	resolutions: Resolution[];
	textToVideo: boolean;
	imageToVideo: boolean;
	nativeAudio: boolean;
	/** An offline renderer (local), not a generative model. */
	offline: boolean;
	/** In the price table with a vendor-confirmed price (false: estimate; set a Price Override). */
	priceVerified: boolean;
	retired: boolean;
	retiredOn?: string;
	/** Catalogue id of the live model that takes over its role. */
	replacedBy?: string;
	notes?: string;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const VEO_CLIPS = { durations: [4, 6, 8], durationsByResolution: { '1080p': [8], '4k': [8] }, maxDurationSeconds: 8 };
const BOTH: AspectRatio[] = ['16:9', '9:16'];
const ALL: AspectRatio[] = ['9:16', '16:9', '1:1'];

type Entry = Omit<VideoModelEntry, 'id' | 'retired' | 'offline'> & { retired?: boolean; offline?: boolean };
const entry = (e: Entry): VideoModelEntry => ({ ...e, id: `${e.provider}:${e.model}`, retired: e.retired ?? false, offline: e.offline ?? false });

/** A stock footage search (Pexels, Pixabay): free, any length and shape, needs a found asset. */
const stockEntry = (provider: 'pexels' | 'pixabay', label: string): VideoModelEntry =>
	entry({
		provider,
		model: `${provider}-stock`,
		family: 'stock',
		label,
		tier: 'volume',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['cinematic', 'hyper_realistic', 'social_montage', 'fast_paced', 'product_shot'],
		seedRoutes: ['veo3'],
		durations: range(1, 60),
		maxDurationSeconds: 60,
		aspects: ALL,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: false,
		nativeAudio: false,
		needsAsset: true,
		priceVerified: true,
		notes: 'searched when the scene is routed, results cached by query, downloaded into the library with its attribution',
	});

export const VIDEO_MODELS: readonly VideoModelEntry[] = Object.freeze([
	// Veo 3.1 via the Gemini API
	entry({
		provider: 'gemini',
		model: 'veo-3.1-generate-001',
		family: 'veo',
		label: 'Veo 3.1 (Gemini API)',
		tier: 'premium',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['hyper_realistic', 'cinematic', 'product_shot'],
		seedRoutes: ['sora', 'veo3'],
		...VEO_CLIPS,
		aspects: BOTH,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: true,
		notes: 'takes over the retired Sora 2 premium/photoreal route',
	}),
	entry({
		provider: 'gemini',
		model: 'veo-3.1-fast-generate-001',
		family: 'veo',
		label: 'Veo 3.1 Fast (Gemini API)',
		tier: 'standard',
		roles: ['dynamic', 'photoreal', 'image_to_video'],
		styles: ['fast_paced', 'social_montage', 'cinematic', 'hyper_realistic'],
		seedRoutes: ['veo3'],
		...VEO_CLIPS,
		aspects: BOTH,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'gemini',
		model: 'veo-3.1-lite-generate-preview',
		family: 'veo',
		label: 'Veo 3.1 Lite (preview, Gemini API)',
		tier: 'volume',
		roles: ['dynamic'],
		styles: ['fast_paced', 'social_montage'],
		seedRoutes: ['veo3'],
		...VEO_CLIPS,
		durationsByResolution: { '1080p': [8] },
		aspects: BOTH,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'preview model',
	}),
	// fal queue
	entry({
		provider: 'fal',
		model: 'fal-ai/veo3.1',
		imageToVideoModel: 'fal-ai/veo3.1/image-to-video',
		family: 'veo',
		label: 'Veo 3.1 (fal)',
		tier: 'premium',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['hyper_realistic', 'cinematic', 'product_shot'],
		seedRoutes: ['sora', 'veo3'],
		...VEO_CLIPS,
		aspects: BOTH,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'fal',
		model: 'fal-ai/veo3.1/fast',
		imageToVideoModel: 'fal-ai/veo3.1/fast/image-to-video',
		family: 'veo',
		label: 'Veo 3.1 Fast (fal)',
		tier: 'standard',
		roles: ['dynamic', 'photoreal', 'image_to_video'],
		styles: ['fast_paced', 'social_montage', 'cinematic'],
		seedRoutes: ['veo3'],
		...VEO_CLIPS,
		aspects: BOTH,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'fal',
		model: 'fal-ai/kling-video/v3/pro/text-to-video',
		imageToVideoModel: 'fal-ai/kling-video/v3/pro/image-to-video',
		family: 'kling',
		label: 'Kling 3.0 Pro (fal)',
		tier: 'standard',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['cinematic', 'hyper_realistic', 'animation'],
		seedRoutes: ['veo3', 'nano_b'],
		durations: range(3, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'image-to-video takes its aspect ratio from the image',
	}),
	entry({
		provider: 'fal',
		model: 'fal-ai/kling-video/v3/standard/text-to-video',
		imageToVideoModel: 'fal-ai/kling-video/v3/standard/image-to-video',
		family: 'kling',
		label: 'Kling 3.0 Standard (fal)',
		tier: 'volume',
		roles: ['image_to_video', 'dynamic', 'abstract'],
		styles: ['animation', 'cinematic', 'artistic'],
		seedRoutes: ['nano_b'],
		durations: range(3, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'image-to-video takes its aspect ratio from the image',
	}),
	entry({
		provider: 'fal',
		model: 'bytedance/seedance-2.0/text-to-video',
		imageToVideoModel: 'bytedance/seedance-2.0/image-to-video',
		family: 'seedance',
		label: 'Seedance 2.0 (fal)',
		tier: 'standard',
		roles: ['abstract', 'dynamic', 'image_to_video'],
		styles: ['abstract', 'cinematic', 'animation', 'artistic'],
		seedRoutes: ['seedream'],
		durations: range(4, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'fal',
		model: 'bytedance/seedance-2.0/fast/text-to-video',
		imageToVideoModel: 'bytedance/seedance-2.0/fast/image-to-video',
		family: 'seedance',
		label: 'Seedance 2.0 Fast (fal)',
		tier: 'volume',
		roles: ['abstract', 'dynamic', 'image_to_video'],
		styles: ['abstract', 'animation', 'fast_paced', 'artistic'],
		seedRoutes: ['seedream', 'nano_b'],
		durations: range(4, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	// BytePlus ModelArk (model ids ⚠: from provider-apis.md, not confirmed against a live account)
	entry({
		provider: 'byteplus',
		model: 'dreamina-seedance-2-0-260128',
		family: 'seedance',
		label: 'Seedance 2.0 (BytePlus)',
		tier: 'standard',
		roles: ['abstract', 'dynamic', 'image_to_video'],
		styles: ['abstract', 'cinematic', 'animation', 'artistic'],
		seedRoutes: ['seedream'],
		durations: range(4, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'billed per completion token; keys are region-bound (ap-southeast)',
	}),
	entry({
		provider: 'byteplus',
		model: 'dreamina-seedance-2-0-fast-260128',
		family: 'seedance',
		label: 'Seedance 2.0 Fast (BytePlus)',
		tier: 'volume',
		roles: ['abstract', 'dynamic', 'image_to_video'],
		styles: ['abstract', 'animation', 'fast_paced', 'artistic'],
		seedRoutes: ['seedream', 'nano_b'],
		durations: range(4, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'billed per completion token',
	}),
	entry({
		provider: 'byteplus',
		model: 'seedance-1-5-pro-251215',
		family: 'seedance',
		label: 'Seedance 1.5 Pro (BytePlus)',
		tier: 'volume',
		roles: ['abstract', 'image_to_video'],
		styles: ['abstract', 'animation', 'artistic'],
		seedRoutes: ['seedream'],
		durations: range(4, 12),
		maxDurationSeconds: 12,
		aspects: ALL,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: false,
		priceVerified: false,
		notes: 'billed per completion token',
	}),
	// Kie
	entry({
		provider: 'kie',
		model: 'veo3',
		family: 'veo',
		label: 'Veo 3.1 Quality (Kie)',
		tier: 'premium',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['hyper_realistic', 'cinematic', 'product_shot'],
		seedRoutes: ['sora', 'veo3'],
		durations: [8],
		maxDurationSeconds: 8,
		aspects: BOTH,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'kie',
		model: 'veo3_fast',
		family: 'veo',
		label: 'Veo 3.1 Fast (Kie)',
		tier: 'volume',
		roles: ['dynamic', 'photoreal', 'image_to_video'],
		styles: ['fast_paced', 'social_montage', 'cinematic'],
		seedRoutes: ['veo3'],
		durations: [8],
		maxDurationSeconds: 8,
		aspects: BOTH,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
	}),
	entry({
		provider: 'kie',
		model: 'kling-3.0/video',
		family: 'kling',
		label: 'Kling 3.0 (Kie market)',
		tier: 'standard',
		roles: ['photoreal', 'dynamic', 'image_to_video'],
		styles: ['cinematic', 'hyper_realistic', 'animation'],
		seedRoutes: ['veo3', 'nano_b'],
		durations: range(3, 15),
		maxDurationSeconds: 15,
		aspects: ALL,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		notes: 'market model id ⚠ (third-party recipe); extra input such as {mode:"pro"} via marketInput',
	}),
	// Offline
	entry({
		provider: 'local',
		model: 'local-ffmpeg',
		family: 'local',
		label: 'Local render (ffmpeg, not AI)',
		tier: 'volume',
		roles: ['photoreal', 'dynamic', 'abstract', 'image_to_video'],
		styles: ['abstract', 'animation', 'fast_paced', 'artistic', 'cinematic', 'hyper_realistic', 'product_shot', 'social_montage'],
		seedRoutes: ['sora', 'veo3', 'seedream', 'nano_b'],
		durations: range(1, 60),
		maxDurationSeconds: 600,
		aspects: ALL,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: false,
		offline: true,
		priceVerified: true,
		notes: 'renders any duration exactly; durations lists whole seconds for routing',
	}),
	// The brand's own media and stock footage (issue 11): free, rendered offline by the library generator.
	entry({
		provider: 'library',
		model: 'library-asset',
		family: 'library',
		label: "Brand media library (the brand's own photos and clips, not AI)",
		tier: 'volume',
		roles: ['photoreal', 'dynamic', 'abstract', 'image_to_video'],
		styles: ['product_shot', 'cinematic', 'hyper_realistic', 'social_montage', 'fast_paced', 'abstract', 'animation', 'artistic'],
		seedRoutes: ['sora', 'veo3', 'seedream', 'nano_b'],
		durations: range(1, 60),
		maxDurationSeconds: 600,
		aspects: ALL,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: false,
		offline: true,
		needsAsset: true,
		priceVerified: true,
		notes: 'a photo becomes a push-in or pan framed on its subject, a clip is trimmed and reframed; the logo end card closes the video',
	}),
	entry({
		provider: 'library',
		model: 'library-kinetic-type',
		family: 'library',
		label: "Kinetic typography in the brand's font and palette (not AI)",
		tier: 'volume',
		roles: ['abstract', 'dynamic', 'photoreal', 'image_to_video'],
		styles: ['abstract', 'animation', 'artistic', 'fast_paced', 'social_montage', 'cinematic', 'hyper_realistic', 'product_shot'],
		seedRoutes: ['seedream', 'nano_b'],
		durations: range(1, 60),
		maxDurationSeconds: 600,
		aspects: ALL,
		resolutions: ['720p', '1080p', '4k'],
		textToVideo: true,
		imageToVideo: false,
		nativeAudio: false,
		offline: true,
		priceVerified: true,
		notes: 'for a scene with no fitting asset when no paid generator is configured; the gradient render stays the last fallback',
	}),
	stockEntry('pexels', 'Pexels stock video and photos (free licence)'),
	stockEntry('pixabay', 'Pixabay stock video and photos (Content License)'),
	// Retired: never routed.
	entry({
		provider: 'openai',
		model: 'sora-2',
		family: 'sora',
		label: 'Sora 2 (retired)',
		tier: 'standard',
		roles: ['photoreal'],
		styles: ['hyper_realistic', 'cinematic'],
		seedRoutes: ['sora'],
		durations: [4, 8, 12],
		maxDurationSeconds: 12,
		aspects: BOTH,
		resolutions: ['720p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		retired: true,
		retiredOn: '2026-09-24',
		replacedBy: 'gemini:veo-3.1-generate-001',
		notes: 'OpenAI shut down the Videos API on 2026-09-24; no adapter',
	}),
	entry({
		provider: 'openai',
		model: 'sora-2-pro',
		family: 'sora',
		label: 'Sora 2 Pro (retired)',
		tier: 'premium',
		roles: ['photoreal'],
		styles: ['hyper_realistic', 'cinematic'],
		seedRoutes: ['sora'],
		durations: [4, 8, 12],
		maxDurationSeconds: 12,
		aspects: BOTH,
		resolutions: ['720p', '1080p'],
		textToVideo: true,
		imageToVideo: true,
		nativeAudio: true,
		priceVerified: false,
		retired: true,
		retiredOn: '2026-09-24',
		replacedBy: 'gemini:veo-3.1-generate-001',
		notes: 'OpenAI shut down the Videos API on 2026-09-24; no adapter',
	}),
]);

export interface VideoModelFilter {
	provider?: string;
	tier?: VideoTier;
	role?: VideoRole;
	style?: VideoStyle;
	aspect?: AspectRatio;
	resolution?: Resolution;
	imageToVideo?: boolean;
	/** Only providers in this set (credentials configured). */
	providers?: ReadonlySet<string> | readonly string[];
}

/** Live (not retired) models, optionally filtered. Never returns a retired model. */
export function liveVideoModels(filter: VideoModelFilter = {}): VideoModelEntry[] {
	const providers = filter.providers ? new Set(filter.providers) : null;
	return VIDEO_MODELS.filter(
		(m) =>
			!m.retired &&
			(!filter.provider || m.provider === filter.provider) &&
			(!providers || providers.has(m.provider)) &&
			(!filter.tier || m.tier === filter.tier) &&
			(!filter.role || m.roles.includes(filter.role)) &&
			(!filter.style || m.styles.includes(filter.style)) &&
			(!filter.aspect || m.aspects.includes(filter.aspect)) &&
			(!filter.resolution || m.resolutions.includes(filter.resolution)) &&
			(filter.imageToVideo === undefined || m.imageToVideo === filter.imageToVideo),
	);
}

/** An entry by id (`provider:model`) or by provider and model (also matching a fal image-to-video endpoint). */
export function findVideoModel(providerOrId: string, model?: string): VideoModelEntry | undefined {
	if (model === undefined) return VIDEO_MODELS.find((m) => m.id === providerOrId);
	return VIDEO_MODELS.find((m) => m.provider === providerOrId && (m.model === model || m.imageToVideoModel === model));
}

/** Clip lengths a model renders at a resolution. */
export function durationsAt(entry: VideoModelEntry, resolution: Resolution): number[] {
	return entry.durationsByResolution?.[resolution] ?? entry.durations;
}

export interface ImageModelEntry {
	id: string;
	provider: ImageProviderName;
	model: string;
	label: string;
	/** Inline data: URL or an expiring https URL: decides the hand-over in two-step.ts. */
	returns: 'data_url' | 'https_url';
	/** Days or hours the returned URL lives (https only). */
	urlLifetimeHours?: number;
	tier: VideoTier;
	seedRoutes: SeedRoute[];
	aspects: AspectRatio[];
	offline: boolean;
	priceVerified: boolean;
	retired: boolean;
	notes?: string;
}

export const IMAGE_MODELS: readonly ImageModelEntry[] = Object.freeze([
	{
		id: 'gemini:gemini-2.5-flash-image',
		provider: 'gemini',
		model: 'gemini-2.5-flash-image',
		label: 'Gemini 2.5 Flash Image ("Nano Banana")',
		returns: 'data_url',
		tier: 'volume',
		seedRoutes: ['nano_b'],
		aspects: ALL,
		offline: false,
		priceVerified: false,
		retired: false,
	},
	{
		id: 'byteplus:seedream-4-0-250828',
		provider: 'byteplus',
		model: 'seedream-4-0-250828',
		label: 'Seedream 4.0 (BytePlus)',
		returns: 'https_url',
		urlLifetimeHours: 24,
		tier: 'volume',
		seedRoutes: ['seedream'],
		aspects: ALL,
		offline: false,
		priceVerified: false,
		retired: false,
		notes: 'model id ⚠ not confirmed against a live account',
	},
	{
		id: 'local:local-ffmpeg-still',
		provider: 'local',
		model: 'local-ffmpeg-still',
		label: 'Local still (ffmpeg, not AI)',
		returns: 'data_url',
		tier: 'volume',
		seedRoutes: ['seedream', 'nano_b'],
		aspects: ALL,
		offline: true,
		priceVerified: true,
		retired: false,
	},
] satisfies ImageModelEntry[]);
