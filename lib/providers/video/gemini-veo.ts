/**
 * Veo 3.x through the Gemini API, over REST with fetch (no SDK: three calls do not need
 * @google/genai, and its download helper buffers whole files).
 *
 *   submit   POST {base}/models/{model}:predictLongRunning  (x-goog-api-key)
 *            {instances:[{prompt, image?:{bytesBase64Encoded,mimeType}}],
 *             parameters:{aspectRatio, durationSeconds, resolution, negativePrompt?, personGeneration?, sampleCount:1}}
 *            → {name: "models/{model}/operations/{id}"}: the job id
 *   status   GET {base}/{name} → {done, error?, response.generateVideoResponse.generatedSamples[].video.uri}
 *            done with no samples = blocked by a safety filter: a confirmed failure, not charged.
 *   download GET {uri} with the key header (only to the API's own origin), following redirects.
 *
 * Veo renders 4, 6 or 8 s, 16:9 or 9:16, 720p/1080p/4k; 1080p and 4k need 8 s. `plan()` says what
 * a request becomes (5 s → 6 s; 1080p → 8 s) so the estimate prices what will be rendered. With a
 * Gemini API key Veo takes an input image only as inline bytes: an http(s) image is fetched (with
 * the SSRF checks of lib/media/download.ts) and inlined.
 */
import { ValidationError } from '../../domain/errors';
import { downloadToFile, fetchSmallFile, sniffImageType, toDataUrl } from '../../media/download';
import { ProviderCallError } from '../llm/openai';
import type { DownloadOptions, Resolution, VideoJobRequest, VideoJobStatus, VideoProvider } from '../types';
import {
	assertVideoRequest,
	coveringValue,
	isUnknownJob,
	noteDuration,
	RemoteVendor,
	trimSlash,
	unknownJob,
	type ImageInputPreparer,
	type PlannedSubmission,
	type PreparedImage,
	type RemoteProviderOptions,
	type VideoPlan,
} from './common';

export const GEMINI_API_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';
export const VEO_DURATIONS = [4, 6, 8] as const;
export const DEFAULT_VEO_MODEL = 'veo-3.1-fast-generate-001';

export interface GeminiVeoOptions extends RemoteProviderOptions {
	/** Default https://generativelanguage.googleapis.com/v1beta. */
	baseUrl?: string;
	/**
	 * Sent only when set. Text-to-video accepts allow_all; with an input image Veo accepts only
	 * allow_adult (sent instead); in the EU/UK/CH/MENA only allow_adult.
	 */
	personGeneration?: 'allow_all' | 'allow_adult' | 'dont_allow';
}

interface VeoOperation {
	name?: string;
	done?: boolean;
	error?: { code?: number; message?: string };
	metadata?: unknown;
	response?: {
		generateVideoResponse?: {
			generatedSamples?: { video?: { uri?: string; mimeType?: string } }[];
			raiMediaFilteredCount?: number;
			raiMediaFilteredReasons?: string[];
		};
	};
}

/** The resolutions a Veo model renders (Lite and 3.0 have no 4k). */
function veoResolutions(model: string): Resolution[] {
	return /lite|veo-3\.0/.test(model) ? ['720p', '1080p'] : ['720p', '1080p', '4k'];
}

export class GeminiVeoProvider extends RemoteVendor implements VideoProvider, ImageInputPreparer {
	readonly name = 'gemini';
	readonly baseUrl: string;

	constructor(opts: GeminiVeoOptions) {
		super(opts);
		this.baseUrl = trimSlash(opts.baseUrl || GEMINI_API_BASE_URL);
	}

	private get options(): GeminiVeoOptions {
		return this.opts as GeminiVeoOptions;
	}

	/** What Veo will render for `req`; throws ValidationError for what it cannot (1:1). */
	plan(req: VideoJobRequest): VideoPlan {
		const notes: string[] = [];
		if (req.aspectRatio !== '16:9' && req.aspectRatio !== '9:16') {
			throw new ValidationError(`Veo renders 16:9 or 9:16, not ${req.aspectRatio}: render 9:16 and crop, or route to another model`, 'aspectRatio');
		}
		let resolution = req.resolution;
		const allowed = veoResolutions(req.model);
		if (!allowed.includes(resolution)) {
			notes.push(`resolution ${resolution} → 1080p: ${req.model} renders ${allowed.join('/')}`);
			resolution = '1080p';
		}
		let duration: number;
		if (resolution !== '720p') {
			duration = 8;
			noteDuration(notes, req.durationSeconds, duration, `Veo renders ${resolution} only at 8 s`);
		} else {
			duration = coveringValue(req.durationSeconds, VEO_DURATIONS);
			noteDuration(notes, req.durationSeconds, duration, 'Veo renders 4, 6 or 8 s');
		}
		if (req.seed !== undefined) notes.push('seed ignored: the Gemini API does not take a Veo seed');
		return { model: req.model, durationSeconds: duration, aspectRatio: req.aspectRatio, resolution, imageToVideo: Boolean(req.imageUrl), notes };
	}

	/** Veo takes an image as inline bytes: an http(s) image is fetched now (before a Seedream URL expires) and inlined. */
	async prepareImageInput(image: string): Promise<PreparedImage> {
		if (image.startsWith('data:')) return { imageUrl: image, reuploaded: false, note: 'gemini: inline image bytes' };
		const { bytes, mimeType } = await fetchSmallFile(image, { ...this.downloadOptions(), maxBytes: 20 * 1024 * 1024 });
		return {
			imageUrl: toDataUrl(bytes, sniffImageType(bytes) ?? mimeType),
			reuploaded: false,
			note: 'gemini: fetched and inlined (Veo with an API key takes image bytes, not URLs)',
		};
	}

	async submit(req: VideoJobRequest): Promise<PlannedSubmission> {
		assertVideoRequest(req, this.name);
		const plan = this.plan(req);
		const instance: Record<string, unknown> = { prompt: req.prompt };
		if (req.imageUrl) {
			const { bytes, mimeType } = await fetchSmallFile(req.imageUrl, { ...this.downloadOptions(), maxBytes: 20 * 1024 * 1024 });
			const type = sniffImageType(bytes) ?? mimeType;
			if (type !== 'image/png' && type !== 'image/jpeg') throw new ValidationError(`Veo takes PNG or JPEG input images, not ${type}`, 'imageUrl');
			instance.image = { bytesBase64Encoded: bytes.toString('base64'), mimeType: type };
		}
		const parameters: Record<string, unknown> = {
			aspectRatio: plan.aspectRatio,
			durationSeconds: plan.durationSeconds,
			resolution: plan.resolution,
			sampleCount: 1,
		};
		if (req.negativePrompt) parameters.negativePrompt = req.negativePrompt;
		const person = this.options.personGeneration;
		if (person) parameters.personGeneration = req.imageUrl && person === 'allow_all' ? 'allow_adult' : person;
		const model = encodeURIComponent(req.model.replace(/^models\//, ''));
		const op = await this.call<VeoOperation>(`${this.baseUrl}/models/${model}:predictLongRunning`, {
			method: 'POST',
			headers: { 'x-goog-api-key': this.opts.apiKey },
			json: { instances: [instance], parameters },
		});
		if (!op.name) {
			throw new ProviderCallError(`${this.name}: predictLongRunning answered without an operation name`, this.name, null, false, 'invalid_output', { model: req.model });
		}
		return { jobId: op.name, plan, raw: op };
	}

	async status(jobId: string): Promise<VideoJobStatus> {
		if (!/^[A-Za-z0-9._\-/]+$/.test(jobId) || jobId.includes('..')) throw new ValidationError(`not a Veo operation name: ${jobId.slice(0, 80)}`, 'jobId');
		let op: VeoOperation;
		try {
			op = await this.call<VeoOperation>(`${this.baseUrl}/${jobId}`, { method: 'GET', headers: { 'x-goog-api-key': this.opts.apiKey } });
		} catch (err) {
			if (isUnknownJob(err)) return unknownJob(jobId, this.name);
			throw err;
		}
		if (!op.done) return { state: 'processing', jobId, raw: op };
		if (op.error) {
			return { state: 'failed', jobId, providerConfirmedFailure: true, error: `Veo failed (${op.error.code ?? '?'}): ${op.error.message ?? 'no message'}`, raw: op };
		}
		const res = op.response?.generateVideoResponse;
		const uri = res?.generatedSamples?.find((s) => s.video?.uri)?.video?.uri;
		if (!uri) {
			const reasons = res?.raiMediaFilteredReasons?.join('; ');
			return {
				state: 'failed',
				jobId,
				providerConfirmedFailure: true,
				error: `Veo returned no video: blocked by a safety filter${reasons ? ` (${reasons})` : ''}; blocked videos are not charged`,
				raw: op,
			};
		}
		return { state: 'completed', jobId, resultUrl: uri, progress: 100, raw: op };
	}

	async download(status: VideoJobStatus, destPath: string, opts: DownloadOptions = {}) {
		if (!status.resultUrl) throw new ValidationError(`Veo job ${status.jobId} has no result URL (state ${status.state})`, 'resultUrl');
		// The key goes only to the API's own origin (download.ts drops it on a cross-origin redirect too).
		const own = new URL(status.resultUrl).origin === new URL(this.baseUrl).origin;
		const base = this.downloadOptions();
		return downloadToFile(status.resultUrl, destPath, {
			...base,
			allowPrivateNetwork: opts.allowPrivateNetwork ?? base.allowPrivateNetwork,
			maxBytes: opts.maxBytes ?? base.maxBytes,
			headers: { ...(own ? { 'x-goog-api-key': this.opts.apiKey } : {}), ...(opts.headers ?? {}) },
		});
	}
}
