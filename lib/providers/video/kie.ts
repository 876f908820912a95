/**
 * Kie.ai (docs.kie.ai), two APIs behind one Bearer key:
 *
 *   Veo 3.1 (model veo3 | veo3_fast)
 *     submit  POST {base}/api/v1/veo/generate {prompt, model, aspect_ratio, imageUrls?, generationType, callBackUrl?}
 *             → {code:200, msg, data:{taskId}}
 *     status  GET {base}/api/v1/veo/record-info?taskId= → data{successFlag 0 running | 1 ok | 2 failed | 3 generation failed,
 *             response{resultUrls[]}, errorCode, errorMessage}
 *   Market (every other model id, e.g. kling-3.0/video)
 *     submit  POST {base}/api/v1/jobs/createTask {model, callBackUrl?, input{prompt, image_urls?, aspect_ratio, duration}}
 *     status  GET {base}/api/v1/jobs/recordInfo?taskId= → data{state waiting|queuing|generating|success|fail,
 *             resultJson: '{"resultUrls":[…]}', failCode, failMsg}
 *   Upload    POST {upload}/api/file-base64-upload {base64Data, uploadPath, fileName} → data{downloadUrl}
 *             (temporary files, deleted after about 24 h).
 *
 * Kie answers errors as HTTP 200 with `code` ≠ 200 in the body (401, 402 no credits, 404, 422, 429,
 * 455 maintenance, 500, 501 generation failed, 505 feature disabled): mapped to the HTTP meaning.
 * Images must be public URLs: an inline data: image is uploaded through the file API first.
 */
import { randomBytes } from 'node:crypto';

import { ValidationError } from '../../domain/errors';
import { downloadToFile, fetchSmallFile, sniffImageType, toDataUrl } from '../../media/download';
import { ProviderCallError } from '../llm/openai';
import type { DownloadOptions, VideoJobRequest, VideoJobStatus, VideoProvider } from '../types';
import {
	assertVideoRequest,
	clampSeconds,
	HttpStatusError,
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

export const KIE_BASE_URL = 'https://api.kie.ai';
export const KIE_UPLOAD_BASE_URL = 'https://kieai.redpandaai.co';
export const KIE_VEO_MODELS = ['veo3', 'veo3_fast'] as const;

export interface KieOptions extends RemoteProviderOptions {
	/** Default https://api.kie.ai. */
	baseUrl?: string;
	/** File upload API. Default https://kieai.redpandaai.co. */
	uploadBaseUrl?: string;
	/** Extra market input fields per model id (e.g. {"kling-3.0/video": {mode: "std"}}). */
	marketInput?: Record<string, Record<string, unknown>>;
}

interface KieEnvelope<T> {
	code?: number;
	msg?: string;
	data?: T | null;
}

interface VeoRecord {
	taskId?: string;
	successFlag?: number;
	response?: { resultUrls?: string[] | string | null; resolution?: string } | null;
	errorCode?: string | number | null;
	errorMessage?: string | null;
}

interface MarketRecord {
	taskId?: string;
	model?: string;
	state?: 'waiting' | 'queuing' | 'generating' | 'success' | 'fail' | string;
	resultJson?: string | null;
	failCode?: string | null;
	failMsg?: string | null;
}

const isVeo = (model: string) => (KIE_VEO_MODELS as readonly string[]).includes(model);

/** Kie's body codes as the HTTP statuses they mean (for the shared retry policy and error kinds). */
function httpStatusOf(code: number): number {
	if (code === 455) return 503; // service unavailable (maintenance): not processed
	if (code === 501) return 422; // generation failed: answered, known
	if (code === 505) return 403; // feature disabled
	if (code >= 400 && code < 600) return code;
	return 502;
}

function checkEnvelope(body: KieEnvelope<unknown>): void {
	if (body && typeof body === 'object' && typeof body.code === 'number' && body.code !== 200) {
		throw new HttpStatusError(httpStatusOf(body.code), `Kie code ${body.code}: ${body.msg ?? 'no message'}`, new Headers(), body);
	}
}

/** URLs in a Kie result: an array, or a JSON string holding one (or {resultUrls}). */
function resultUrls(value: unknown): string[] {
	if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
	if (typeof value === 'string' && value.trim()) {
		try {
			const parsed: unknown = JSON.parse(value);
			if (Array.isArray(parsed)) return resultUrls(parsed);
			if (parsed && typeof parsed === 'object') return resultUrls((parsed as { resultUrls?: unknown }).resultUrls);
		} catch {
			return /^https?:\/\//.test(value) ? [value] : [];
		}
	}
	return [];
}

export class KieVideoProvider extends RemoteVendor implements VideoProvider, ImageInputPreparer {
	readonly name = 'kie';
	readonly baseUrl: string;
	readonly uploadBaseUrl: string;

	constructor(opts: KieOptions) {
		super(opts);
		this.baseUrl = trimSlash(opts.baseUrl || KIE_BASE_URL);
		this.uploadBaseUrl = trimSlash(opts.uploadBaseUrl || KIE_UPLOAD_BASE_URL);
	}

	private get auth() {
		return { authorization: `Bearer ${this.opts.apiKey}` };
	}

	plan(req: VideoJobRequest): VideoPlan {
		const notes: string[] = [];
		if (isVeo(req.model)) {
			if (req.aspectRatio === '1:1') throw new ValidationError('Kie Veo renders 16:9 or 9:16, not 1:1', 'aspectRatio');
			noteDuration(notes, req.durationSeconds, 8, 'Kie Veo 3.1 renders 8 s clips');
			if (req.resolution !== '720p') notes.push(`resolution ${req.resolution} → 720p: Kie Veo returns 720p (1080p is a separate call)`);
			return { model: req.model, durationSeconds: 8, aspectRatio: req.aspectRatio, resolution: '720p', imageToVideo: Boolean(req.imageUrl), notes };
		}
		const duration = clampSeconds(req.durationSeconds, 3, 15);
		noteDuration(notes, req.durationSeconds, duration, 'market models take 3-15 whole seconds');
		return { model: req.model, durationSeconds: duration, aspectRatio: req.aspectRatio, resolution: req.resolution, imageToVideo: Boolean(req.imageUrl), notes };
	}

	async submit(req: VideoJobRequest): Promise<PlannedSubmission> {
		assertVideoRequest(req, this.name);
		const plan = this.plan(req);
		if (req.imageUrl && !/^https?:\/\//.test(req.imageUrl)) {
			throw new ValidationError('Kie takes public image URLs only: upload the image first (prepareImageInput)', 'imageUrl');
		}
		let res: KieEnvelope<{ taskId?: string }>;
		if (isVeo(req.model)) {
			const body: Record<string, unknown> = {
				prompt: req.prompt,
				model: req.model,
				aspect_ratio: plan.aspectRatio,
				generationType: req.imageUrl ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO',
			};
			if (req.imageUrl) body.imageUrls = [req.imageUrl];
			if (req.callbackUrl) body.callBackUrl = req.callbackUrl;
			res = await this.call<KieEnvelope<{ taskId?: string }>>(`${this.baseUrl}/api/v1/veo/generate`, { method: 'POST', headers: this.auth, json: body }, checkEnvelope);
		} else {
			const input: Record<string, unknown> = {
				prompt: req.prompt,
				aspect_ratio: plan.aspectRatio,
				duration: String(plan.durationSeconds),
				...((this.opts as KieOptions).marketInput?.[req.model] ?? {}),
			};
			if (req.imageUrl) input.image_urls = [req.imageUrl];
			if (req.negativePrompt) input.negative_prompt = req.negativePrompt;
			const body: Record<string, unknown> = { model: req.model, input };
			if (req.callbackUrl) body.callBackUrl = req.callbackUrl;
			res = await this.call<KieEnvelope<{ taskId?: string }>>(`${this.baseUrl}/api/v1/jobs/createTask`, { method: 'POST', headers: this.auth, json: body }, checkEnvelope);
		}
		const taskId = res.data?.taskId;
		if (!taskId) throw new ProviderCallError(`${this.name}: the task was answered without a taskId`, this.name, null, false, 'invalid_output', { model: req.model });
		return { jobId: taskId, plan, raw: res };
	}

	async status(jobId: string, model: string): Promise<VideoJobStatus> {
		if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new ValidationError(`not a Kie task id: ${jobId.slice(0, 80)}`, 'jobId');
		const q = `taskId=${encodeURIComponent(jobId)}`;
		try {
			if (isVeo(model)) {
				const res = await this.call<KieEnvelope<VeoRecord>>(`${this.baseUrl}/api/v1/veo/record-info?${q}`, { method: 'GET', headers: this.auth }, checkEnvelope);
				const rec = res.data;
				if (!rec) return unknownJob(jobId, this.name);
				if (rec.successFlag === 0 || rec.successFlag === undefined) return { state: 'processing', jobId, raw: rec };
				if (rec.successFlag === 1) {
					const url = resultUrls(rec.response?.resultUrls)[0];
					if (!url) return { state: 'failed', jobId, providerConfirmedFailure: true, error: 'kie: succeeded without a result URL', raw: rec };
					return { state: 'completed', jobId, resultUrl: url, usage: { seconds: 8 }, progress: 100, raw: rec };
				}
				return this.failed(jobId, `${rec.successFlag === 3 ? 'generation failed' : 'failed'}${rec.errorCode ? ` (${rec.errorCode})` : ''}: ${rec.errorMessage ?? 'no message'}`, rec);
			}
			const res = await this.call<KieEnvelope<MarketRecord>>(`${this.baseUrl}/api/v1/jobs/recordInfo?${q}`, { method: 'GET', headers: this.auth }, checkEnvelope);
			const rec = res.data;
			if (!rec) return unknownJob(jobId, this.name);
			switch (rec.state) {
				case 'waiting':
				case 'queuing':
					return { state: 'queued', jobId, raw: rec };
				case 'generating':
					return { state: 'processing', jobId, raw: rec };
				case 'success': {
					const url = resultUrls(rec.resultJson)[0];
					if (!url) return { state: 'failed', jobId, providerConfirmedFailure: true, error: 'kie: success without a result URL', raw: rec };
					return { state: 'completed', jobId, resultUrl: url, progress: 100, raw: rec };
				}
				case 'fail':
					return this.failed(jobId, `failed${rec.failCode ? ` (${rec.failCode})` : ''}: ${rec.failMsg ?? 'no message'}`, rec);
				default:
					throw new ProviderCallError(`${this.name}: unknown task state ${String(rec.state)}`, this.name, null, true, 'invalid_output');
			}
		} catch (err) {
			if (isUnknownJob(err)) return unknownJob(jobId, this.name);
			throw err;
		}
	}

	private failed(jobId: string, error: string, raw: unknown): VideoJobStatus {
		const safety = /safety|sensitive|policy|prohibited|violat/i.test(error);
		return { state: 'failed', jobId, providerConfirmedFailure: true, error: `kie: ${safety ? 'blocked by the content policy: ' : ''}${error}`.slice(0, 600), raw };
	}

	async download(status: VideoJobStatus, destPath: string, opts: DownloadOptions = {}) {
		if (!status.resultUrl) throw new ValidationError(`Kie task ${status.jobId} has no result URL (state ${status.state})`, 'resultUrl');
		const base = this.downloadOptions();
		return downloadToFile(status.resultUrl, destPath, {
			...base,
			allowPrivateNetwork: opts.allowPrivateNetwork ?? base.allowPrivateNetwork,
			maxBytes: opts.maxBytes ?? base.maxBytes,
			headers: opts.headers,
		});
	}

	/** Uploads bytes through Kie's file API (a temporary public URL, about 24 h). */
	async upload(bytes: Buffer, mimeType: string): Promise<string> {
		const ext = mimeType.split('/')[1]?.split(/[+;]/)[0] || 'bin';
		const res = await this.call<KieEnvelope<{ downloadUrl?: string; fileUrl?: string }>>(
			`${this.uploadBaseUrl}/api/file-base64-upload`,
			{
				method: 'POST',
				headers: this.auth,
				json: { base64Data: toDataUrl(bytes, mimeType), uploadPath: 'brand-infinity', fileName: `bi-${randomBytes(6).toString('hex')}.${ext}` },
			},
			checkEnvelope,
		);
		const url = res.data?.downloadUrl ?? res.data?.fileUrl;
		if (!url) throw new ProviderCallError(`${this.name}: the upload answered without a downloadUrl`, this.name, null, true, 'invalid_output');
		return url;
	}

	/** Kie reads public http(s) URLs; an inline data: image is uploaded through Kie's file API first. */
	async prepareImageInput(image: string): Promise<PreparedImage> {
		if (/^https?:\/\//.test(image)) return { imageUrl: image, reuploaded: false, note: 'kie: public URLs are fetched by Kie' };
		const { bytes, mimeType } = await fetchSmallFile(image, this.downloadOptions());
		const url = await this.upload(bytes, sniffImageType(bytes) ?? mimeType);
		return { imageUrl: url, reuploaded: true, note: 'kie: inline image uploaded through the Kie file API' };
	}
}
