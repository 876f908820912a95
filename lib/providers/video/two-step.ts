/**
 * Two-step routes (seed 004): an image model makes the first frame, then an image-to-video model
 * animates it. Between the two, the image is handed over in the form the video provider accepts:
 * seed 004's LTX Studio refused generated "artifacts" until they were re-uploaded as its own
 * "image" assets; the same happens here with inline images and expiring URLs.
 *
 * Hand-over (what `prepareImageInput` of each video adapter does; `IMAGE_HANDOFF` below):
 *
 *   image from →            Gemini image (data:)        Seedream (https, expires ~24 h)   local (data:)
 *   video on ↓
 *   gemini (Veo)            inline bytes                fetched now, inlined as bytes      inline bytes
 *   fal                     RE-UPLOAD to fal storage    RE-UPLOAD to fal storage           RE-UPLOAD
 *   byteplus (Seedance)     data: accepted inline       URL passed (same vendor)           data: inline
 *   kie                     RE-UPLOAD via Kie file API  URL passed (Kie fetches it now)    RE-UPLOAD
 *   local                   read directly               downloaded (SSRF-checked)          read directly
 *
 * Veo with an API key takes only inline bytes (no URLs, no asset ids). fal reads data: URIs too, but
 * they bloat the queued payload and a foreign URL may expire before a queued job starts, so
 * everything not already on fal's CDN is copied there. Kie reads only public URLs.
 *
 * Failure between the steps: the image is paid for once. A TwoStepError carries the generated
 * image, so `resume(image, req)` continues without generating it again.
 */
import type { ImageProvider, ImageResult, VideoJobRequest, VideoProvider } from '../types';
import { ProviderError } from '../types';
import { isImageInputPreparer, type PlannedSubmission, type PreparedImage } from './common';

export type HandoffAction = 'pass' | 'inline' | 'fetch_inline' | 'reupload' | 'download';

/** The hand-over table above, as data: video provider → image source kind → action. */
export const IMAGE_HANDOFF: Readonly<Record<'gemini' | 'fal' | 'byteplus' | 'kie' | 'local', Readonly<Record<'data_url' | 'https_url', HandoffAction>>>> = {
	gemini: { data_url: 'inline', https_url: 'fetch_inline' },
	fal: { data_url: 'reupload', https_url: 'reupload' },
	byteplus: { data_url: 'pass', https_url: 'pass' },
	kie: { data_url: 'reupload', https_url: 'pass' },
	local: { data_url: 'pass', https_url: 'download' },
};

export interface ImageToVideoRequest extends Omit<VideoJobRequest, 'imageUrl'> {
	/** The image model (e.g. gemini-2.5-flash-image, seedream-4-0-250828). */
	imageModel: string;
	/** Prompt for the still; default the video prompt. */
	imagePrompt?: string;
	/** Image size for providers that take one (Seedream "WxH"). */
	imageSize?: string;
}

export interface TwoStepSubmission extends PlannedSubmission {
	/** The generated still (its usage is what the image step cost). */
	image: ImageResult;
	/** How it reached the video provider. */
	imageInput: PreparedImage;
}

export type TwoStepStage = 'image' | 'handoff' | 'video';

/**
 * A failure in one step. `image` is set once the still exists (it was paid for): pass it to
 * `resume`. `outcomeKnown` is the failing call's: false after a video submission whose outcome is
 * unknown (do not resubmit; poll or reconcile first).
 */
export class TwoStepError extends ProviderError {
	constructor(
		readonly stage: TwoStepStage,
		readonly image: ImageResult | undefined,
		readonly cause: unknown,
		provider: string,
	) {
		const inner = cause instanceof Error ? cause.message : String(cause);
		super(
			`image-to-video ${stage} step failed${image ? ' (the image was generated; resume with it)' : ''}: ${inner}`,
			cause instanceof ProviderError ? cause.provider : provider,
			cause instanceof ProviderError ? cause.status : null,
			cause instanceof ProviderError ? cause.outcomeKnown : stage !== 'video',
			cause instanceof ProviderError ? cause.retryAfterSeconds : undefined,
		);
		this.name = 'TwoStepError';
	}
}

export class ImageToVideoRoute {
	constructor(
		readonly imageProvider: ImageProvider,
		readonly videoProvider: VideoProvider,
	) {}

	/** Generates the still, hands it over, submits the video job. */
	async submit(req: ImageToVideoRequest): Promise<TwoStepSubmission> {
		let image: ImageResult;
		try {
			image = await this.imageProvider.generate({
				prompt: req.imagePrompt ?? req.prompt,
				model: req.imageModel,
				aspectRatio: req.aspectRatio,
				size: req.imageSize,
				palette: req.palette,
			});
		} catch (err) {
			throw new TwoStepError('image', undefined, err, this.imageProvider.name);
		}
		return this.resume(image, req);
	}

	/** Steps two and three with an image already generated (after a TwoStepError, or from elsewhere). */
	async resume(image: ImageResult, req: Omit<ImageToVideoRequest, 'imageModel'> & { imageModel?: string }): Promise<TwoStepSubmission> {
		let imageInput: PreparedImage;
		try {
			imageInput = isImageInputPreparer(this.videoProvider)
				? await this.videoProvider.prepareImageInput(image.url)
				: { imageUrl: image.url, reuploaded: false, note: `${this.videoProvider.name}: passed as returned` };
		} catch (err) {
			throw new TwoStepError('handoff', image, err, this.videoProvider.name);
		}
		const videoReq: VideoJobRequest = {
			prompt: req.prompt,
			model: req.model,
			durationSeconds: req.durationSeconds,
			aspectRatio: req.aspectRatio,
			resolution: req.resolution,
			imageUrl: imageInput.imageUrl,
			negativePrompt: req.negativePrompt,
			seed: req.seed,
			palette: req.palette,
			callbackUrl: req.callbackUrl,
		};
		let submission: PlannedSubmission;
		try {
			const s = await this.videoProvider.submit(videoReq);
			submission = 'plan' in s ? (s as PlannedSubmission) : { ...s, plan: { model: req.model, durationSeconds: req.durationSeconds, aspectRatio: req.aspectRatio, resolution: req.resolution, imageToVideo: true, notes: [] } };
		} catch (err) {
			throw new TwoStepError('video', image, err, this.videoProvider.name);
		}
		return { ...submission, image, imageInput };
	}
}
