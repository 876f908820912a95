/**
 * One interface per provider kind. Every kind has a `local` implementation that works offline and
 * says so (`provider: 'local'`). Remote ones take every base URL from their options, which is how
 * the loopback fakes, proxies and OpenAI-compatible servers plug in. Secrets arrive as options;
 * lib/ never reads them from the environment.
 */
import type { z } from 'zod';

export interface Usage {
	input_tokens: number;
	output_tokens: number;
}

/**
 * What a structured generation is for: the local provider fills its templates from this.
 * `media_description` (a vision model describing an image of the brand media library) has no
 * local template: without a vision model the library describes a file from its name and tags.
 */
export type LlmTask = 'creative_brief' | 'hooks' | 'script' | 'caption' | 'rubric' | 'media_description';

/** An image sent with a request (vision input): the bytes, in a format every vision vendor accepts. */
export interface LlmImage {
	mimeType: 'image/jpeg' | 'image/png';
	data: Buffer;
	/** Pixels, for the cost estimate (vendors count image tokens from the size). */
	width: number;
	height: number;
}

export interface LlmRequest<T> {
	task: LlmTask;
	system: string;
	prompt: string;
	/** Validated on the way out; its JSON Schema goes to providers with structured output. */
	schema: z.ZodType<T>;
	schemaName: string;
	/** Structured inputs of the task (brief, brand, hook…), for the local templates. */
	context: Record<string, unknown>;
	/** Images that go with the prompt (vision models only): OpenAI `image_url` data URLs, Anthropic base64 `image` blocks. */
	images?: LlmImage[];
	maxOutputTokens?: number;
	temperature?: number;
}

export interface LlmResult<T> {
	data: T;
	provider: string;
	model: string;
	usage: Usage;
}

export interface LlmProvider {
	readonly name: string;
	readonly model: string;
	generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>>;
}

export interface EmbeddingResult {
	vectors: number[][];
	provider: string;
	model: string;
	usage: { input_tokens: number };
}

export interface EmbeddingProvider {
	readonly name: string;
	readonly model: string;
	readonly dimensions: number;
	embed(texts: string[]): Promise<EmbeddingResult>;
}

export interface ModerationCategoryResult {
	flagged: boolean;
	categories: Record<string, boolean>;
	category_scores: Record<string, number>;
}

export interface ModerationResult {
	provider: string;
	model: string;
	results: ModerationCategoryResult[];
}

export interface ModerationProvider {
	readonly name: string;
	moderate(texts: string[]): Promise<ModerationResult>;
}

export interface VectorRecord {
	id: string;
	values: number[];
	metadata: Record<string, string | number | boolean>;
}

export interface VectorMatch {
	id: string;
	score: number;
	metadata: Record<string, unknown>;
}

/** Where brand guideline vectors live: the store's pgvector (default) or Pinecone. */
export interface VectorStore {
	readonly name: string;
	upsert(namespace: string, records: VectorRecord[]): Promise<void>;
	deleteByDocument(namespace: string, documentId: string): Promise<void>;
	query(namespace: string, vector: number[], topK: number, minScore: number): Promise<VectorMatch[]>;
}

/** Failure of a remote provider call, with whether its outcome is known (never repeat a paid call on an unknown one). */
export class ProviderError extends Error {
	constructor(
		message: string,
		readonly provider: string,
		readonly status: number | null,
		/** true: the provider certainly did not do (or charge) the work, so a retry or fallback is safe. */
		readonly outcomeKnown: boolean,
		readonly retryAfterSeconds?: number,
	) {
		super(message);
		this.name = 'ProviderError';
	}
}

// ---------------------------------------------------------------- production house (video, image, speech)

export type AspectRatio = '9:16' | '16:9' | '1:1';
export type Resolution = '720p' | '1080p' | '4k';

export interface VideoJobRequest {
	prompt: string;
	/** The provider's model or endpoint id (e.g. veo-3.1-fast-generate-001, fal-ai/kling-video/v3/standard/text-to-video). */
	model: string;
	durationSeconds: number;
	aspectRatio: AspectRatio;
	resolution: Resolution;
	/** Image-to-video: the first frame, as an https URL, a data: URL, or a provider asset id. */
	imageUrl?: string;
	negativePrompt?: string;
	seed?: number;
	/** Brand colours; the local renderer paints with them. */
	palette?: string[];
	/** Where the provider should call back when done, if it supports callbacks. */
	callbackUrl?: string;
	/** The library generator: what the scene is made from (lib/library/sources.ts chooses it). */
	source?: SceneSource;
}

// ---------------------------------------------------------------- stock footage (issue 11)

export type StockMediaKind = 'video' | 'photo';
export type StockOrientation = 'portrait' | 'landscape' | 'square';

/** One search hit, normalised across vendors; `download_url` goes through the SSRF-safe downloader. */
export interface StockResult {
	provider: string;
	/** The vendor's id of the video or photo. */
	id: string;
	kind: StockMediaKind;
	width: number;
	height: number;
	duration_seconds?: number;
	/** The file to download (the vendor's CDN). */
	download_url: string;
	/** The human page of the item. */
	page_url: string;
	author?: string;
	author_url?: string;
	tags: string[];
	description: string;
	licence: string;
	/** "Video by X on Pexels": recorded on the asset. */
	attribution: string;
	/** The licence asks for the credit to be shown (Pexels and Pixabay do not). */
	attribution_required: boolean;
}

export interface StockSearchOptions {
	kind: StockMediaKind;
	orientation?: StockOrientation;
	perPage?: number;
	page?: number;
}

/** A stock footage search API (Pexels, Pixabay). */
export interface StockProvider {
	readonly name: string;
	search(query: string, opts: StockSearchOptions): Promise<StockResult[]>;
}

/** Subject framing of a library image or clip (fractions of the source), from sharp's attention crop. */
export interface SceneSourceFocus {
	x: number;
	y: number;
}

/**
 * Where a scene's pictures come from, recorded on its generation job (and shown in the campaign
 * report): a library asset (the brand's own, or stock footage fetched into the library), kinetic
 * typography when nothing fits, or the brand's logo end card.
 */
export interface SceneSource {
	type: 'library_asset' | 'stock' | 'typography' | 'end_card';
	/** brand_media row (library_asset, stock, and the logo of an end card). */
	media_id?: string;
	kind?: 'image' | 'video' | 'logo';
	/** The file in the media store. */
	path?: string;
	width?: number | null;
	height?: number | null;
	duration_seconds?: number | null;
	focus?: SceneSourceFocus | null;
	origin?: string;
	/** Stock: the provider's id of the photo or video. */
	stock_id?: string | null;
	licence?: string | null;
	attribution?: string | null;
	attribution_required?: boolean;
	/** Typography and end card: the words on screen; font file and colours. */
	text?: string;
	font_path?: string | null;
	palette?: string[];
	/** Photo motion. */
	motion?: 'push_in' | 'pan_left' | 'pan_right';
	/** How well it fits the scene (similarity + tag bonus). */
	score?: number;
}

export interface VideoSubmission {
	/** The provider's own job id: stored before anything else happens. */
	jobId: string;
	raw?: unknown;
}

export type VideoJobState = 'queued' | 'processing' | 'completed' | 'failed';

export interface VideoJobStatus {
	state: VideoJobState;
	jobId: string;
	/** When completed: where to download the clip (may expire). */
	resultUrl?: string;
	error?: string;
	/** Failed and the provider says so: nothing to download, safe to resubmit; blocked-by-safety included. */
	providerConfirmedFailure?: boolean;
	/** What the provider billed, when it says (seconds of video, tokens). */
	usage?: { seconds?: number; tokens?: number };
	progress?: number;
	raw?: unknown;
}

export interface DownloadOptions {
	/** Tests allow loopback fakes; production refuses private and loopback addresses (SSRF). */
	allowPrivateNetwork?: boolean;
	maxBytes?: number;
	headers?: Record<string, string>;
}

export interface VideoProvider {
	readonly name: string;
	submit(req: VideoJobRequest): Promise<VideoSubmission>;
	/** Asks the provider; never resubmits. An unknown job id is reported as a confirmed failure. */
	status(jobId: string, model: string): Promise<VideoJobStatus>;
	/** Streams the finished clip to `destPath` (never the whole file in memory). */
	download(status: VideoJobStatus, destPath: string, opts?: DownloadOptions): Promise<{ path: string; bytes: number; contentType: string | null }>;
}

export interface ImageRequest {
	prompt: string;
	model: string;
	aspectRatio: AspectRatio;
	size?: string;
	palette?: string[];
}

export interface ImageResult {
	/** Provider-hosted URL, or a data: URL when the image came inline. */
	url: string;
	provider: string;
	model: string;
	usage: { images: number; tokens?: number };
}

export interface ImageProvider {
	readonly name: string;
	generate(req: ImageRequest): Promise<ImageResult>;
}

export interface WordTiming {
	word: string;
	start: number;
	end: number;
}

export interface SpeechRequest {
	text: string;
	voice?: string;
	model?: string;
	speed?: number;
}

export interface SpeechResult {
	path: string;
	provider: string;
	model: string;
	durationSeconds: number;
	/** Word timings from the provider, or by proportional alignment when it gives none. */
	words: WordTiming[];
	wordsFrom: 'provider' | 'proportional';
	usage: { characters: number; input_tokens?: number; audio_output_tokens?: number };
}

export interface TtsProvider {
	readonly name: string;
	readonly model: string;
	/** Writes the audio to `destPath` (WAV or MP3 by extension). */
	synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult>;
}
