/**
 * fal.ai queue (fal-ai/fal-js `queue.ts`, `storage.ts`), over REST with fetch.
 *
 *   submit   POST {queue}/{endpoint}[?fal_webhook=URL]  Authorization: Key <key>; body = model input
 *            → {request_id, status:"IN_QUEUE", status_url, response_url, cancel_url}
 *   status   GET {queue}/{owner}/{app}/requests/{id}/status → IN_QUEUE | IN_PROGRESS | COMPLETED
 *            (status and result paths keep only owner/app of the endpoint, so they are rebuilt from
 *            the model after a restart)
 *   result   GET {queue}/{owner}/{app}/requests/{id} → {video:{url,…}}; a failed request answers
 *            4xx with {detail}, which is a confirmed failure (fal does not bill failed requests)
 *   upload   POST {rest}/storage/upload/initiate?storage_type=fal-cdn-v3 {content_type, file_name}
 *            → {upload_url, file_url}; PUT the bytes to upload_url (no key); use file_url as input.
 *
 * Endpoint families and their inputs (fal model pages, 2026-11):
 *   fal-ai/veo3.1[/fast|/lite][/image-to-video]: prompt, aspect_ratio 16:9|9:16, duration "4s|6s|8s",
 *     resolution 720p|1080p|4k, generate_audio, negative_prompt, seed, image_url
 *   fal-ai/kling-video/v3/{standard|pro}/{text|image}-to-video: prompt, duration "3".."15",
 *     aspect_ratio (text only; image-to-video follows the image), generate_audio, negative_prompt,
 *     start_image_url
 *   bytedance/seedance-2.0[/fast|/mini]/{text|image}-to-video: prompt, duration "4".."15",
 *     resolution 480p|720p|1080p (not on fast/mini), aspect_ratio, generate_audio, seed, image_url
 * A text-to-video endpoint given an image is switched to its image-to-video sibling.
 */
import { randomBytes } from 'node:crypto';

import { ValidationError } from '../../domain/errors';
import { downloadToFile, fetchSmallFile, sniffImageType } from '../../media/download';
import { ProviderCallError } from '../llm/openai';
import { ProviderError, type AspectRatio, type DownloadOptions, type Resolution, type VideoJobRequest, type VideoJobStatus, type VideoProvider } from '../types';
import {
	assertVideoRequest,
	clampSeconds,
	coveringValue,
	isUnknownJob,
	noteDuration,
	RemoteVendor,
	trimSlash,
	unknownJob,
	vendorErrorText,
	type ImageInputPreparer,
	type PlannedSubmission,
	type PreparedImage,
	type RemoteProviderOptions,
	type VideoPlan,
} from './common';

export const FAL_QUEUE_URL = 'https://queue.fal.run';
export const FAL_REST_URL = 'https://rest.fal.ai';

export interface FalOptions extends RemoteProviderOptions {
	/** Default https://queue.fal.run. */
	queueBaseUrl?: string;
	/** Storage API. Default https://rest.fal.ai. */
	restBaseUrl?: string;
	/** Native audio (costs more on Veo and Kling; the assembler lays voice and music over). Default false. */
	generateAudio?: boolean;
	/** Origins whose files fal reads as they are (besides *.fal.media); a URL elsewhere is re-uploaded. */
	hostedOrigins?: string[];
}

type Family = 'veo' | 'kling' | 'seedance' | 'other';

export function falFamily(endpoint: string): Family {
	if (/^fal-ai\/veo3/.test(endpoint)) return 'veo';
	if (/^fal-ai\/kling-video\//.test(endpoint)) return 'kling';
	if (/^(bytedance|fal-ai)\/seedance/.test(endpoint)) return 'seedance';
	return 'other';
}

const isImageEndpoint = (e: string) => /image-to-video|reference-to-video|first-last-frame/.test(e);

/** The endpoint for a request: a text-to-video endpoint given an image becomes its image-to-video sibling. */
export function falEndpointFor(model: string, withImage: boolean): string {
	const endpoint = model.replace(/^\/+|\/+$/g, '');
	if (!withImage) {
		if (isImageEndpoint(endpoint)) throw new ValidationError(`${endpoint} needs an input image (imageUrl)`, 'imageUrl');
		return endpoint;
	}
	if (isImageEndpoint(endpoint)) return endpoint;
	if (endpoint.includes('text-to-video')) return endpoint.replace('text-to-video', 'image-to-video');
	if (falFamily(endpoint) === 'veo') return `${endpoint}/image-to-video`;
	throw new ValidationError(`${endpoint} has no known image-to-video endpoint; pass one as the model`, 'model');
}

/** `{owner}/{app}` of an endpoint: status and result URLs drop the rest of the path. */
export function falAppId(endpoint: string): string {
	const parts = endpoint.replace(/^\/+/, '').split('/');
	if (parts.length < 2 || !parts[0] || !parts[1]) throw new ValidationError(`not a fal endpoint id: ${endpoint}`, 'model');
	return `${parts[0]}/${parts[1]}`;
}

interface QueueStatus {
	status?: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | string;
	request_id?: string;
	queue_position?: number;
	response_url?: string;
	error?: string | null;
	error_type?: string | null;
	metrics?: { inference_time?: number };
}

interface FalResult {
	video?: { url?: string; content_type?: string; file_name?: string; file_size?: number };
	seed?: number;
}

export class FalVideoProvider extends RemoteVendor implements VideoProvider, ImageInputPreparer {
	readonly name = 'fal';
	readonly queueBaseUrl: string;
	readonly restBaseUrl: string;

	constructor(opts: FalOptions) {
		super(opts);
		this.queueBaseUrl = trimSlash(opts.queueBaseUrl || FAL_QUEUE_URL);
		this.restBaseUrl = trimSlash(opts.restBaseUrl || FAL_REST_URL);
	}

	private get options(): FalOptions {
		return this.opts as FalOptions;
	}

	private get auth() {
		return { authorization: `Key ${this.opts.apiKey}` };
	}

	plan(req: VideoJobRequest): VideoPlan {
		const endpoint = falEndpointFor(req.model, Boolean(req.imageUrl));
		const family = falFamily(endpoint);
		const notes: string[] = [];
		if (endpoint !== req.model) notes.push(`endpoint ${req.model} → ${endpoint} (image-to-video)`);
		let duration: number;
		let resolution: Resolution = req.resolution;
		const aspect: AspectRatio = req.aspectRatio;
		if (family === 'veo') {
			if (aspect === '1:1') throw new ValidationError('Veo on fal renders 16:9 or 9:16, not 1:1', 'aspectRatio');
			if (resolution === '4k' && /\/lite/.test(endpoint)) {
				notes.push('resolution 4k → 1080p: Veo Lite has no 4k');
				resolution = '1080p';
			}
			duration = resolution === '720p' ? coveringValue(req.durationSeconds, [4, 6, 8]) : 8;
			noteDuration(notes, req.durationSeconds, duration, resolution === '720p' ? 'Veo renders 4, 6 or 8 s' : `Veo renders ${resolution} only at 8 s`);
		} else if (family === 'kling') {
			duration = clampSeconds(req.durationSeconds, 3, 15);
			noteDuration(notes, req.durationSeconds, duration, 'Kling 3 renders 3-15 whole seconds');
			const native: Resolution = /\/pro\//.test(endpoint) ? '1080p' : '720p';
			if (resolution !== native) notes.push(`resolution ${resolution} → ${native}: fixed by the Kling tier`);
			resolution = native;
			if (req.imageUrl) notes.push('aspect ratio follows the input image (Kling image-to-video)');
		} else if (family === 'seedance') {
			duration = clampSeconds(req.durationSeconds, 4, 15);
			noteDuration(notes, req.durationSeconds, duration, 'Seedance 2.0 renders 4-15 whole seconds');
			const top: Resolution = /\/(fast|mini)\//.test(`${endpoint}/`) ? '720p' : '1080p';
			if (resolution === '4k' || (resolution === '1080p' && top === '720p')) {
				notes.push(`resolution ${resolution} → ${top}: the highest this tier renders`);
				resolution = top;
			}
		} else {
			duration = clampSeconds(req.durationSeconds, 1, 60);
			noteDuration(notes, req.durationSeconds, duration, 'whole seconds');
		}
		return { model: endpoint, durationSeconds: duration, aspectRatio: aspect, resolution, imageToVideo: Boolean(req.imageUrl), notes };
	}

	/** The model input for an endpoint family. */
	private input(req: VideoJobRequest, plan: VideoPlan): Record<string, unknown> {
		const family = falFamily(plan.model);
		const audio = this.options.generateAudio ?? false;
		const input: Record<string, unknown> = { prompt: req.prompt };
		if (family === 'veo') {
			Object.assign(input, { aspect_ratio: plan.aspectRatio, duration: `${plan.durationSeconds}s`, resolution: plan.resolution, generate_audio: audio });
			if (req.imageUrl) input.image_url = req.imageUrl;
			if (req.negativePrompt) input.negative_prompt = req.negativePrompt;
			if (req.seed !== undefined) input.seed = req.seed;
		} else if (family === 'kling') {
			Object.assign(input, { duration: String(plan.durationSeconds), generate_audio: audio });
			if (req.imageUrl) input.start_image_url = req.imageUrl;
			else input.aspect_ratio = plan.aspectRatio;
			if (req.negativePrompt) input.negative_prompt = req.negativePrompt;
		} else if (family === 'seedance') {
			Object.assign(input, { duration: String(plan.durationSeconds), resolution: plan.resolution, aspect_ratio: plan.aspectRatio, generate_audio: audio });
			if (req.imageUrl) input.image_url = req.imageUrl;
			if (req.seed !== undefined) input.seed = req.seed;
		} else {
			Object.assign(input, { duration: String(plan.durationSeconds), aspect_ratio: plan.aspectRatio, resolution: plan.resolution });
			if (req.imageUrl) input.image_url = req.imageUrl;
			if (req.seed !== undefined) input.seed = req.seed;
		}
		return input;
	}

	async submit(req: VideoJobRequest): Promise<PlannedSubmission> {
		assertVideoRequest(req, this.name);
		const plan = this.plan(req);
		if (req.imageUrl && req.imageUrl.startsWith('data:')) {
			// fal reads data: URIs, but they bloat the queued payload; the two-step route uploads first.
			plan.notes.push('image sent inline as a data: URI (upload it with prepareImageInput to keep requests small)');
		}
		const webhook = req.callbackUrl ? `?fal_webhook=${encodeURIComponent(req.callbackUrl)}` : '';
		const res = await this.call<{ request_id?: string; status_url?: string; response_url?: string }>(`${this.queueBaseUrl}/${plan.model}${webhook}`, {
			method: 'POST',
			headers: this.auth,
			json: this.input(req, plan),
		});
		if (!res.request_id) {
			throw new ProviderCallError(`${this.name}: the queue answered without a request_id`, this.name, null, false, 'invalid_output', { model: plan.model });
		}
		return { jobId: res.request_id, plan, raw: res };
	}

	private requestUrl(jobId: string, model: string): string {
		if (!/^[A-Za-z0-9-]+$/.test(jobId)) throw new ValidationError(`not a fal request id: ${jobId.slice(0, 80)}`, 'jobId');
		return `${this.queueBaseUrl}/${falAppId(model)}/requests/${jobId}`;
	}

	async status(jobId: string, model: string): Promise<VideoJobStatus> {
		const base = this.requestUrl(jobId, model);
		let st: QueueStatus;
		try {
			st = await this.call<QueueStatus>(`${base}/status`, { method: 'GET', headers: this.auth });
		} catch (err) {
			if (isUnknownJob(err)) return unknownJob(jobId, this.name);
			throw err;
		}
		if (st.status === 'IN_QUEUE') return { state: 'queued', jobId, raw: st };
		if (st.status === 'IN_PROGRESS') return { state: 'processing', jobId, raw: st };
		if (st.status !== 'COMPLETED') {
			throw new ProviderCallError(`${this.name}: unknown queue status ${String(st.status)}`, this.name, null, true, 'invalid_output');
		}
		if (st.error) return this.failed(jobId, st.error, st.error_type ?? undefined, st);
		let result: FalResult;
		try {
			result = await this.call<FalResult>(base, { method: 'GET', headers: this.auth });
		} catch (err) {
			// 400 "Request is still in progress": the result is not there yet.
			if (err instanceof ProviderError && err.status === 400) return { state: 'processing', jobId, raw: st };
			if (isUnknownJob(err)) return unknownJob(jobId, this.name);
			// A request that ran and failed answers its result with 422 {detail}: a confirmed failure.
			if (err instanceof ProviderError && err.status !== null && err.status > 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 429) {
				return this.failed(jobId, err.message, /content_policy|safety/i.test(err.message) ? 'content_policy_violation' : undefined, st);
			}
			throw err;
		}
		const url = result.video?.url;
		if (!url) return this.failed(jobId, 'the result has no video URL', undefined, result);
		return { state: 'completed', jobId, resultUrl: url, progress: 100, raw: { status: st, result } };
	}

	private failed(jobId: string, error: string, type: string | undefined, raw: unknown): VideoJobStatus {
		const safety = type === 'content_policy_violation' || /content[_ ]policy|safety|sensitive/i.test(error);
		return { state: 'failed', jobId, providerConfirmedFailure: true, error: `fal: ${safety ? 'blocked by the content policy: ' : ''}${error}`.slice(0, 600), raw };
	}

	async download(status: VideoJobStatus, destPath: string, opts: DownloadOptions = {}) {
		if (!status.resultUrl) throw new ValidationError(`fal job ${status.jobId} has no result URL (state ${status.state})`, 'resultUrl');
		const base = this.downloadOptions();
		// fal.media serves results publicly: the key is never sent there.
		return downloadToFile(status.resultUrl, destPath, {
			...base,
			allowPrivateNetwork: opts.allowPrivateNetwork ?? base.allowPrivateNetwork,
			maxBytes: opts.maxBytes ?? base.maxBytes,
			headers: opts.headers,
		});
	}

	/** true when fal reads the URL as it is (its own CDN, or a configured origin). */
	isHosted(url: string): boolean {
		let u: URL;
		try {
			u = new URL(url);
		} catch {
			return false;
		}
		if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
		if (u.hostname === 'fal.media' || u.hostname.endsWith('.fal.media')) return true;
		if (u.hostname === 'storage.googleapis.com' && u.pathname.startsWith('/falserverless/')) return true;
		return (this.options.hostedOrigins ?? []).some((o) => new URL(o).origin === u.origin);
	}

	/** Copies bytes into fal storage (CDN v3) and returns the file URL fal models read. */
	async upload(bytes: Buffer, contentType: string, fileName?: string): Promise<string> {
		const ext = contentType.split('/')[1]?.split(/[+;]/)[0] || 'bin';
		const init = await this.call<{ upload_url?: string; file_url?: string }>(`${this.restBaseUrl}/storage/upload/initiate?storage_type=fal-cdn-v3`, {
			method: 'POST',
			headers: this.auth,
			json: { content_type: contentType, file_name: fileName ?? `brand-infinity-${randomBytes(6).toString('hex')}.${ext}` },
		});
		if (!init.upload_url || !init.file_url) throw new ProviderCallError(`${this.name}: storage initiate answered without upload_url/file_url`, this.name, null, true, 'invalid_output');
		const put = await this.fetchFn(init.upload_url, {
			method: 'PUT',
			headers: { 'content-type': contentType },
			body: bytes,
			signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
		}).catch((err: unknown) => {
			throw new ProviderCallError(`${this.name}: upload failed: ${(err as Error).message}`, this.name, null, true, 'network');
		});
		if (!put.ok) {
			const text = vendorErrorText(await put.text().catch(() => ''));
			throw new ProviderCallError(`${this.name}: storage upload answered HTTP ${put.status}${text ? `: ${text}` : ''}`, this.name, put.status, true, put.status >= 500 ? 'server' : 'bad_request');
		}
		return init.file_url;
	}

	/**
	 * fal models need a URL they can fetch when the job runs: an inline data: image, or a URL from
	 * another provider (a Seedream URL expires after about 24 h; a queued job may start later), is
	 * copied into fal storage first. fal's own CDN URLs pass as they are.
	 */
	async prepareImageInput(image: string): Promise<PreparedImage> {
		if (this.isHosted(image)) return { imageUrl: image, reuploaded: false, note: 'fal: already on fal storage' };
		const { bytes, mimeType } = await fetchSmallFile(image, this.downloadOptions());
		const type = sniffImageType(bytes) ?? mimeType;
		const url = await this.upload(bytes, type);
		return { imageUrl: url, reuploaded: true, note: `fal: ${image.startsWith('data:') ? 'inline image' : 'external image URL'} re-uploaded to fal storage` };
	}
}
