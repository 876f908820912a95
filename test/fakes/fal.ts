/**
 * A loopback fal.ai (queue.fal.run + rest.fal.ai storage), answering the way fal-ai/fal-js expects:
 *   - POST /{endpoint} (Authorization: Key <key>, body = model input, optional ?fal_webhook=):
 *     checks the input per endpoint family (Veo 3.1: duration "4s|6s|8s", aspect 16:9|9:16,
 *     resolution, image_url for image-to-video; Kling v3: duration "3".."15", start_image_url for
 *     image-to-video; Seedance 2.0: duration "4".."15"|"auto", resolution, image_url) → 200
 *     {request_id, status:"IN_QUEUE", queue_position, status_url, response_url, cancel_url}, whose
 *     URLs keep only {owner}/{app} of the endpoint
 *   - GET /{owner}/{app}/requests/{id}/status: IN_QUEUE (202) → IN_PROGRESS (202) → COMPLETED (200),
 *     one step per poll after `pollsInQueue`/`pollsInProgress`; unknown id → 404
 *   - GET /{owner}/{app}/requests/{id}: {video:{url,content_type,file_name,file_size}} pointing at
 *     the media host (a real mp4 of the shape asked for, expiring after `resultTtlMs`); a prompt with
 *     a block word completes with 422 {detail:[{type:"content_policy_violation"}]}
 *   - POST /storage/upload/initiate?storage_type=fal-cdn-v3 {content_type, file_name} →
 *     {upload_url (presigned PUT on the media host), file_url}
 * Input images are fetched the way fal does: an http(s) URL must be live (else 422
 * file_download_error); data: URIs are read inline. Errors as {detail}. Faults from startLoopback.
 */
import { randomUUID } from 'node:crypto';

import { HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';
import { pngSize, shapeFor, startMediaHost, testClip, type MediaHost } from './media-host';

export interface FalFakeOptions {
	apiKey: string;
	/** Polls answering IN_QUEUE, then IN_PROGRESS, before COMPLETED. Default 1 and 1. */
	pollsInQueue?: number;
	pollsInProgress?: number;
	/** Prompts containing one of these fail the content policy. Default ["forbidden"]. */
	blockWords?: string[];
	/** Lifetime of result URLs. Default 7 days. */
	resultTtlMs?: number;
	media?: MediaHost;
}

interface FalRequest {
	endpoint: string;
	input: Record<string, unknown>;
	polls: number;
	shape: { width: number; height: number; seconds: number };
	blocked: boolean;
	resultUrl?: string;
}

export interface FalFake extends Loopback {
	media: MediaHost;
	/** Queue base (the adapter's queueBaseUrl). */
	queueUrl: string;
	/** Storage REST base (the adapter's restBaseUrl). */
	restUrl: string;
	jobs: Map<string, FalRequest>;
	submitRequests(): LoggedRequest[];
	uploadRequests(): LoggedRequest[];
}

const detail = (msg: string, type = 'value_error', loc: string[] = ['body']) => ({ detail: [{ loc, msg, type }] });

export async function startFalFake(opts: FalFakeOptions): Promise<FalFake> {
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const jobs = new Map<string, FalRequest>();
	const blockWords = opts.blockWords ?? ['forbidden'];
	const inQueue = opts.pollsInQueue ?? 1;
	const inProgress = opts.pollsInProgress ?? 1;
	const invalid = (msg: string, field: string) => new HttpError(422, detail(msg, 'value_error', ['body', field]));

	/** Fetches an input image the way fal does; returns its bytes. */
	const fetchImage = async (value: unknown, field: string): Promise<Buffer> => {
		if (typeof value !== 'string' || !value) throw invalid('field required', field);
		if (value.startsWith('data:')) {
			const m = /^data:image\/(png|jpeg|webp);base64,(.+)$/s.exec(value);
			if (!m) throw invalid('Unsupported data URI', field);
			return Buffer.from(m[2], 'base64');
		}
		if (!/^https?:\/\//.test(value)) throw invalid('Input should be a valid URL', field);
		const bytes = value.startsWith(media.url) ? await media.read(value) : null;
		if (!bytes) throw new HttpError(422, detail(`Failed to download the file from ${value}`, 'file_download_error', ['body', field]));
		return bytes;
	};

	const submit = async (endpoint: string, input: Record<string, unknown>): Promise<Reply> => {
		if (typeof input.prompt !== 'string' || !input.prompt.trim()) throw invalid('field required', 'prompt');
		let shape: FalRequest['shape'];
		const i2v = /image-to-video/.test(endpoint);
		if (/^fal-ai\/veo3\.1(\/(fast|lite))?(\/image-to-video)?$/.test(endpoint)) {
			const duration = String(input.duration ?? '8s');
			if (!['4s', '6s', '8s'].includes(duration)) throw invalid("Input should be '4s', '6s' or '8s'", 'duration');
			const aspect = String(input.aspect_ratio ?? '16:9');
			if (!['16:9', '9:16'].includes(aspect)) throw invalid("Input should be '16:9' or '9:16'", 'aspect_ratio');
			const resolution = String(input.resolution ?? '720p');
			if (!['720p', '1080p', '4k'].includes(resolution)) throw invalid("Input should be '720p', '1080p' or '4k'", 'resolution');
			if (i2v) await fetchImage(input.image_url, 'image_url');
			shape = { ...shapeFor(aspect, resolution === '4k' ? '1080p' : resolution), seconds: Number.parseInt(duration, 10) };
		} else if (/^fal-ai\/kling-video\/v3\/(standard|pro)\/(text|image)-to-video$/.test(endpoint)) {
			const duration = Number(input.duration ?? '5');
			if (typeof input.duration !== 'undefined' && typeof input.duration !== 'string') throw invalid('Input should be a valid string', 'duration');
			if (!Number.isInteger(duration) || duration < 3 || duration > 15) throw invalid("Input should be '3' … '15'", 'duration');
			const resolution = endpoint.includes('/pro/') ? '1080p' : '720p';
			let aspect = String(input.aspect_ratio ?? '16:9');
			if (i2v) {
				const img = await fetchImage(input.start_image_url, 'start_image_url');
				const size = pngSize(img);
				aspect = !size ? '16:9' : size.width > size.height ? '16:9' : size.width < size.height ? '9:16' : '1:1';
			} else if (!['16:9', '9:16', '1:1'].includes(aspect)) throw invalid("Input should be '16:9', '9:16' or '1:1'", 'aspect_ratio');
			shape = { ...shapeFor(aspect, resolution), seconds: duration };
		} else if (/^bytedance\/seedance-2\.0(\/(fast|mini))?\/(text|image)-to-video$/.test(endpoint)) {
			const raw = String(input.duration ?? 'auto');
			const duration = raw === 'auto' ? 5 : Number(raw);
			if (!Number.isInteger(duration) || duration < 4 || duration > 15) throw invalid("Input should be 'auto' or '4' … '15'", 'duration');
			const resolution = String(input.resolution ?? '720p');
			const allowed = /\/(fast|mini)\//.test(`${endpoint}/`) ? ['480p', '720p'] : ['480p', '720p', '1080p'];
			if (!allowed.includes(resolution)) throw invalid(`Input should be ${allowed.map((r) => `'${r}'`).join(', ')}`, 'resolution');
			const aspect = String(input.aspect_ratio ?? '16:9');
			if (!['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'auto'].includes(aspect)) throw invalid('unsupported aspect ratio', 'aspect_ratio');
			if (i2v) await fetchImage(input.image_url, 'image_url');
			shape = { ...shapeFor(aspect === 'auto' ? '16:9' : aspect, resolution), seconds: duration };
		} else {
			throw new HttpError(404, { detail: `Application '${endpoint}' not found` });
		}
		const id = randomUUID();
		const app = endpoint.split('/').slice(0, 2).join('/');
		jobs.set(id, { endpoint, input, polls: 0, shape, blocked: blockWords.some((w) => String(input.prompt).toLowerCase().includes(w)) });
		const base = `${loop.url}/${app}/requests/${id}`;
		return { status: 200, body: { request_id: id, status: 'IN_QUEUE', queue_position: 0, status_url: `${base}/status`, response_url: base, cancel_url: `${base}/cancel` } };
	};

	const status = (app: string, id: string): Reply => {
		const job = jobs.get(id);
		if (!job || !job.endpoint.startsWith(`${app}/`)) throw new HttpError(404, { detail: 'Request not found' });
		job.polls++;
		if (job.polls <= inQueue) return { status: 202, body: { status: 'IN_QUEUE', request_id: id, queue_position: inQueue - job.polls, response_url: `${loop.url}/${app}/requests/${id}` } };
		if (job.polls <= inQueue + inProgress) return { status: 202, body: { status: 'IN_PROGRESS', request_id: id, logs: [], response_url: `${loop.url}/${app}/requests/${id}` } };
		return { status: 200, body: { status: 'COMPLETED', request_id: id, logs: [], metrics: { inference_time: 42.1 }, response_url: `${loop.url}/${app}/requests/${id}` } };
	};

	const result = async (app: string, id: string): Promise<Reply> => {
		const job = jobs.get(id);
		if (!job || !job.endpoint.startsWith(`${app}/`)) throw new HttpError(404, { detail: 'Request not found' });
		if (job.polls <= inQueue + inProgress) throw new HttpError(400, { detail: 'Request is still in progress' });
		if (job.blocked) throw new HttpError(422, detail('The content could not be processed because it violates the content policy.', 'content_policy_violation', ['body', 'prompt']));
		if (!job.resultUrl) {
			const clip = await testClip({ ...job.shape, fps: 24 });
			job.resultUrl = media.publish({ file: clip, contentType: 'video/mp4', name: `${id}.mp4`, ttlMs: opts.resultTtlMs ?? 7 * 86_400_000 });
		}
		return { status: 200, body: { video: { url: job.resultUrl, content_type: 'video/mp4', file_name: `${id}.mp4`, file_size: null }, seed: 42 } };
	};

	const initiate = (body: Record<string, unknown>): Reply => {
		if (typeof body.content_type !== 'string' || typeof body.file_name !== 'string') throw invalid('content_type and file_name are required', 'content_type');
		const slot = media.uploadSlot(body.content_type, body.file_name);
		return { status: 200, body: { upload_url: slot.uploadUrl, file_url: slot.fileUrl } };
	};

	const loop = await startLoopback({
		route: async (req) => {
			const url = new URL(req.path, 'http://x');
			if (req.headers.authorization !== `Key ${opts.apiKey}`) throw new HttpError(401, { detail: 'Invalid API key / authentication failed' });
			if (req.method === 'POST' && url.pathname === '/storage/upload/initiate') {
				return initiate((req.body ?? {}) as Record<string, unknown>);
			}
			let m = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)\/status$/.exec(url.pathname);
			if (m && req.method === 'GET') return status(m[1], m[2]);
			m = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)$/.exec(url.pathname);
			if (m && req.method === 'GET') return result(m[1], m[2]);
			if (req.method === 'POST') return submit(url.pathname.replace(/^\//, ''), (req.body ?? {}) as Record<string, unknown>);
			throw new HttpError(405, { detail: 'Method not allowed' });
		},
		errorBody: (status, kind) => ({ detail: kind === 'rate_limit' ? 'Rate limit exceeded' : `Internal server error (${status})` }),
	});

	return {
		...loop,
		media,
		queueUrl: loop.url,
		restUrl: loop.url,
		jobs,
		submitRequests() {
			return loop.requests.filter((r) => r.method === 'POST' && !r.path.startsWith('/storage/'));
		},
		uploadRequests() {
			return loop.requests.filter((r) => r.path.startsWith('/storage/upload/initiate'));
		},
		async close() {
			await loop.close();
			if (ownMedia) await media.close();
		},
	};
}
