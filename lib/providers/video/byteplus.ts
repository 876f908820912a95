/**
 * Seedance video on BytePlus ModelArk (byteplus-python-sdk-v2 `content_generation`), over REST.
 *
 *   submit   POST {base}/contents/generations/tasks  Authorization: Bearer <ARK key>
 *            {model, content:[{type:"text",text}, {type:"image_url",image_url:{url},role:"first_frame"}],
 *             ratio, resolution, duration, seed?, generate_audio?, watermark:false, callback_url?} → {id}
 *   status   GET {base}/contents/generations/tasks/{id}
 *            → {status: queued|running|succeeded|failed|cancelled|expired, content{video_url}, usage{completion_tokens}, error{code,message}}
 *
 * Images: ModelArk accepts an https URL, a base64 `data:` URL or an `asset://` id inline, so a
 * Gemini (inline) or Seedream (URL) image needs no re-upload. `video_url` expires after about 24 h.
 * Keys are region-bound; Seedance is served from ap-southeast.
 */
import { ValidationError } from '../../domain/errors';
import { downloadToFile } from '../../media/download';
import { ProviderCallError } from '../llm/openai';
import type { DownloadOptions, Resolution, VideoJobRequest, VideoJobStatus, VideoProvider } from '../types';
import {
	assertVideoRequest,
	clampSeconds,
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

export const BYTEPLUS_ARK_BASE_URL = 'https://ark.ap-southeast.bytepluses.com/api/v3';
export const DEFAULT_SEEDANCE_MODEL = 'dreamina-seedance-2-0-fast-260128';

export interface BytePlusOptions extends RemoteProviderOptions {
	/** Default https://ark.ap-southeast.bytepluses.com/api/v3. */
	baseUrl?: string;
	/** Sent only when set (Seedance 2.x renders audio natively; 1.x models reject the field). */
	generateAudio?: boolean;
}

interface ArkTask {
	id?: string;
	model?: string;
	status?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired' | string;
	error?: { code?: string; message?: string } | null;
	content?: { video_url?: string; last_frame_url?: string };
	usage?: { completion_tokens?: number; total_tokens?: number };
	duration?: number;
	resolution?: string;
	ratio?: string;
}

/** Duration range (whole seconds) of a Seedance model id. */
export function seedanceDurations(model: string): [number, number] {
	if (/seedance-2/.test(model)) return [4, 15];
	if (/seedance-1-5/.test(model)) return [4, 12];
	return [3, 12];
}

export class BytePlusSeedanceProvider extends RemoteVendor implements VideoProvider, ImageInputPreparer {
	readonly name = 'byteplus';
	readonly baseUrl: string;

	constructor(opts: BytePlusOptions) {
		super(opts);
		this.baseUrl = trimSlash(opts.baseUrl || BYTEPLUS_ARK_BASE_URL);
	}

	private get auth() {
		return { authorization: `Bearer ${this.opts.apiKey}` };
	}

	plan(req: VideoJobRequest): VideoPlan {
		const notes: string[] = [];
		const [min, max] = seedanceDurations(req.model);
		const duration = clampSeconds(req.durationSeconds, min, max);
		noteDuration(notes, req.durationSeconds, duration, `${req.model} renders ${min}-${max} whole seconds`);
		let resolution: Resolution = req.resolution;
		const top: Resolution = /fast|mini/.test(req.model) ? '720p' : '1080p';
		if (resolution === '4k' || (resolution === '1080p' && top === '720p')) {
			notes.push(`resolution ${resolution} → ${top}: the highest ${req.model} renders`);
			resolution = top;
		}
		if (req.negativePrompt) notes.push('negative prompt ignored: Seedance takes none');
		return { model: req.model, durationSeconds: duration, aspectRatio: req.aspectRatio, resolution, imageToVideo: Boolean(req.imageUrl), notes };
	}

	/** ModelArk takes https, data: and asset:// images inline: nothing to re-upload. */
	async prepareImageInput(image: string): Promise<PreparedImage> {
		if (!/^(https?:|data:|asset:\/\/)/.test(image)) throw new ValidationError('BytePlus takes https, data: or asset:// images', 'imageUrl');
		return { imageUrl: image, reuploaded: false, note: 'byteplus: https, data: and asset:// images are accepted inline' };
	}

	async submit(req: VideoJobRequest): Promise<PlannedSubmission> {
		assertVideoRequest(req, this.name);
		const plan = this.plan(req);
		const content: Record<string, unknown>[] = [{ type: 'text', text: req.prompt }];
		if (req.imageUrl) content.push({ type: 'image_url', image_url: { url: req.imageUrl }, role: 'first_frame' });
		const body: Record<string, unknown> = {
			model: req.model,
			content,
			ratio: plan.aspectRatio,
			resolution: plan.resolution,
			duration: plan.durationSeconds,
			watermark: false,
		};
		if (req.seed !== undefined) body.seed = req.seed;
		const audio = (this.opts as BytePlusOptions).generateAudio;
		if (audio !== undefined) body.generate_audio = audio;
		if (req.callbackUrl) body.callback_url = req.callbackUrl;
		const task = await this.call<ArkTask>(`${this.baseUrl}/contents/generations/tasks`, { method: 'POST', headers: this.auth, json: body });
		if (!task.id) throw new ProviderCallError(`${this.name}: the task was answered without an id`, this.name, null, false, 'invalid_output', { model: req.model });
		return { jobId: task.id, plan, raw: task };
	}

	async status(jobId: string): Promise<VideoJobStatus> {
		if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new ValidationError(`not a ModelArk task id: ${jobId.slice(0, 80)}`, 'jobId');
		let task: ArkTask;
		try {
			task = await this.call<ArkTask>(`${this.baseUrl}/contents/generations/tasks/${jobId}`, { method: 'GET', headers: this.auth });
		} catch (err) {
			if (isUnknownJob(err)) return unknownJob(jobId, this.name);
			throw err;
		}
		const usage = { seconds: task.duration, tokens: task.usage?.completion_tokens };
		switch (task.status) {
			case 'queued':
				return { state: 'queued', jobId, raw: task };
			case 'running':
				return { state: 'processing', jobId, raw: task };
			case 'succeeded':
				if (!task.content?.video_url) return { state: 'failed', jobId, providerConfirmedFailure: true, error: 'byteplus: succeeded without a video_url', usage, raw: task };
				return { state: 'completed', jobId, resultUrl: task.content.video_url, usage, progress: 100, raw: task };
			case 'failed':
			case 'cancelled':
			case 'expired': {
				const code = task.error?.code ?? task.status;
				const safety = /Sensitive|Risk|Policy/i.test(code);
				return {
					state: 'failed',
					jobId,
					providerConfirmedFailure: true,
					error: `byteplus: task ${task.status}${safety ? ' (blocked by the content filter)' : ''}: ${code}${task.error?.message ? `: ${task.error.message}` : ''}`,
					raw: task,
				};
			}
			default:
				throw new ProviderCallError(`${this.name}: unknown task status ${String(task.status)}`, this.name, null, true, 'invalid_output');
		}
	}

	async download(status: VideoJobStatus, destPath: string, opts: DownloadOptions = {}) {
		if (!status.resultUrl) throw new ValidationError(`BytePlus task ${status.jobId} has no result URL (state ${status.state})`, 'resultUrl');
		const base = this.downloadOptions();
		// A presigned object-storage URL: no key.
		return downloadToFile(status.resultUrl, destPath, {
			...base,
			allowPrivateNetwork: opts.allowPrivateNetwork ?? base.allowPrivateNetwork,
			maxBytes: opts.maxBytes ?? base.maxBytes,
			headers: opts.headers,
		});
	}
}
