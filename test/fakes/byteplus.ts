/**
 * A loopback BytePlus ModelArk (base `${url}/api/v3`), answering the way the ARK runtime does:
 *   - POST /api/v3/contents/generations/tasks (Bearer): {model, content[{type:text,text},
 *     {type:image_url,image_url:{url},role:first_frame}], ratio, resolution, duration, seed?,
 *     generate_audio?, watermark?, callback_url?} checked per model (Seedance 2.0: 4-15 s, fast/mini
 *     up to 720p; 1.x: up to 12 s, no generate_audio); images as https (must be live on the media
 *     host), data: base64 or asset:// → {id}
 *   - GET /api/v3/contents/generations/tasks/{id}: queued → running → succeeded after
 *     `pollsQueued`/`pollsRunning` polls, with content.video_url on the media host (a real mp4,
 *     expiring after `videoTtlMs`, 403 afterwards like a presigned TOS URL) and usage.completion_tokens
 *     (w×h×24×s/1024); a prompt with a block word ends failed {code:"OutputVideoSensitiveContentDetected"};
 *     unknown → 404 ResourceNotFound
 *   - POST /api/v3/images/generations (Seedream): synchronous {data:[{url|b64_json,size}], usage};
 *     a blocked prompt → 400 InputTextSensitiveContentDetected
 * Errors as {error:{code,message,type}}. Faults from startLoopback.
 */
import { randomBytes } from 'node:crypto';

import { HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';
import { shapeFor, startMediaHost, testClip, testImage, type MediaHost } from './media-host';

export const FAKE_SEEDANCE_MODELS = ['dreamina-seedance-2-0-260128', 'dreamina-seedance-2-0-fast-260128', 'dreamina-seedance-2-0-mini-260615', 'dreamina-seedance-2-5-260628', 'seedance-1-5-pro-251215'];
export const FAKE_SEEDREAM_MODELS = ['seedream-4-0-250828', 'seedream-4-5-251128'];

export interface BytePlusFakeOptions {
	apiKey: string;
	pollsQueued?: number;
	pollsRunning?: number;
	blockWords?: string[];
	/** Lifetime of video_url. Default 24 h. */
	videoTtlMs?: number;
	/** Lifetime of Seedream image URLs. Default 24 h. */
	imageTtlMs?: number;
	media?: MediaHost;
}

interface Task {
	id: string;
	model: string;
	prompt: string;
	polls: number;
	ratio: string;
	resolution: string;
	duration: number;
	imageUrl?: string;
	blocked: boolean;
	videoUrl?: string;
	createdAt: number;
}

export interface BytePlusFake extends Loopback {
	/** `${url}/api/v3` */
	baseUrl: string;
	media: MediaHost;
	tasks: Map<string, Task>;
	taskRequests(): LoggedRequest[];
}

const arkError = (code: string, message: string, type = 'BadRequest') => ({ error: { code, message, param: '', type } });

export async function startBytePlusFake(opts: BytePlusFakeOptions): Promise<BytePlusFake> {
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const tasks = new Map<string, Task>();
	const blockWords = opts.blockWords ?? ['forbidden'];
	const bad = (param: string, message: string) => new HttpError(400, { error: { code: 'InvalidParameter', message, param, type: 'BadRequest' } });

	const checkImage = async (url: unknown) => {
		if (typeof url !== 'string') throw bad('content.image_url.url', 'image_url.url is required');
		if (url.startsWith('data:')) {
			if (!/^data:image\/(png|jpeg|webp);base64,/.test(url)) throw bad('content.image_url.url', 'unsupported data URL');
			return;
		}
		if (url.startsWith('asset://')) return;
		if (!/^https?:\/\//.test(url)) throw bad('content.image_url.url', 'image url must be http(s), data: or asset://');
		if (url.startsWith(media.url) && !(await media.read(url))) throw bad('content.image_url.url', 'Failed to download the image: the URL has expired or is not accessible');
	};

	const createTask = async (body: Record<string, unknown>): Promise<Reply> => {
		const model = String(body.model ?? '');
		if (!FAKE_SEEDANCE_MODELS.includes(model)) throw new HttpError(404, arkError('InvalidEndpointOrModel.NotFound', `The model ${model} does not exist or you do not have access to it.`, 'NotFound'));
		const content = body.content as Record<string, unknown>[] | undefined;
		if (!Array.isArray(content) || content.length === 0) throw bad('content', 'content is required');
		const text = content.find((c) => c.type === 'text');
		if (!text || typeof text.text !== 'string' || !text.text.trim()) throw bad('content', 'a text item is required');
		const image = content.find((c) => c.type === 'image_url');
		if (image) {
			if (!['first_frame', 'last_frame', 'reference_image'].includes(String(image.role ?? 'first_frame'))) throw bad('content.role', 'invalid role');
			await checkImage((image.image_url as { url?: unknown } | undefined)?.url);
		}
		const v2 = model.includes('seedance-2');
		const [min, max] = v2 ? [4, 15] : [4, 12];
		const duration = Number(body.duration ?? 5);
		if (!Number.isInteger(duration) || duration < min || duration > max) throw bad('duration', `duration must be an integer from ${min} to ${max}`);
		const resolution = String(body.resolution ?? '720p');
		const top = /fast|mini/.test(model) ? ['480p', '720p'] : ['480p', '720p', '1080p'];
		if (!top.includes(resolution)) throw bad('resolution', `resolution must be one of ${top.join(', ')}`);
		const ratio = String(body.ratio ?? '16:9');
		if (!['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'adaptive'].includes(ratio)) throw bad('ratio', 'invalid ratio');
		if (body.generate_audio !== undefined && !v2) throw bad('generate_audio', `generate_audio is not supported by ${model}`);
		const id = `cgt-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}${randomBytes(5).toString('hex')}`;
		tasks.set(id, {
			id,
			model,
			prompt: text.text,
			polls: 0,
			ratio,
			resolution,
			duration,
			imageUrl: (image?.image_url as { url?: string } | undefined)?.url,
			blocked: blockWords.some((w) => String(text.text).toLowerCase().includes(w)),
			createdAt: Math.floor(Date.now() / 1000),
		});
		return { status: 200, body: { id } };
	};

	const getTask = async (id: string): Promise<Reply> => {
		const t = tasks.get(id);
		if (!t) throw new HttpError(404, arkError('ResourceNotFound', `The specified task ${id} is not found.`, 'NotFound'));
		t.polls++;
		const base = { id: t.id, model: t.model, ratio: t.ratio, resolution: t.resolution, duration: t.duration, framespersecond: 24, created_at: t.createdAt, updated_at: Math.floor(Date.now() / 1000) };
		if (t.polls <= (opts.pollsQueued ?? 1)) return { status: 200, body: { ...base, status: 'queued' } };
		if (t.polls <= (opts.pollsQueued ?? 1) + (opts.pollsRunning ?? 1)) return { status: 200, body: { ...base, status: 'running' } };
		if (t.blocked) {
			return { status: 200, body: { ...base, status: 'failed', error: { code: 'OutputVideoSensitiveContentDetected', message: 'The request failed because the output video may contain sensitive information.' } } };
		}
		const shape = shapeFor(t.ratio === 'adaptive' ? '16:9' : t.ratio, t.resolution);
		if (!t.videoUrl) {
			const clip = await testClip({ ...shape, seconds: t.duration, fps: 24 });
			t.videoUrl = media.publish({ file: clip, contentType: 'video/mp4', name: `${t.id}.mp4`, ttlMs: opts.videoTtlMs ?? 86_400_000, expiredStatus: 403 });
		}
		const tokens = Math.round((shape.width * shape.height * 24 * t.duration) / 1024);
		return { status: 200, body: { ...base, status: 'succeeded', content: { video_url: t.videoUrl }, usage: { completion_tokens: tokens, total_tokens: tokens }, seed: 42 } };
	};

	const images = async (body: Record<string, unknown>): Promise<Reply> => {
		const model = String(body.model ?? '');
		if (!FAKE_SEEDREAM_MODELS.includes(model)) throw new HttpError(404, arkError('InvalidEndpointOrModel.NotFound', `The model ${model} does not exist.`, 'NotFound'));
		if (typeof body.prompt !== 'string' || !body.prompt.trim()) throw bad('prompt', 'prompt is required');
		if (blockWords.some((w) => String(body.prompt).toLowerCase().includes(w))) {
			throw new HttpError(400, arkError('InputTextSensitiveContentDetected', 'The request failed because the input text may contain sensitive information.'));
		}
		const size = String(body.size ?? '2048x2048');
		const m = /^(\d+)x(\d+)$/.exec(size);
		if (!m && !['1K', '2K', '4K'].includes(size)) throw bad('size', 'size must be WxH or 1K/2K/4K');
		const format = String(body.response_format ?? 'url');
		if (!['url', 'b64_json'].includes(format)) throw bad('response_format', 'response_format must be url or b64_json');
		// A smaller PNG of the same aspect keeps the tests fast.
		const [w, h] = m ? [Number(m[1]), Number(m[2])] : [2048, 2048];
		const scale = 512 / Math.max(w, h);
		const png = await testImage(2 * Math.round((w * scale) / 2), 2 * Math.round((h * scale) / 2));
		const item =
			format === 'url'
				? { url: media.publish({ bytes: png, contentType: 'image/png', name: 'seedream.png', ttlMs: opts.imageTtlMs ?? 86_400_000, expiredStatus: 403 }), size }
				: { b64_json: png.toString('base64'), size };
		return { status: 200, body: { model, created: Math.floor(Date.now() / 1000), data: [item], usage: { generated_images: 1, output_tokens: 16384, total_tokens: 16384 } } };
	};

	const loop = await startLoopback({
		route: async (req) => {
			const path = new URL(req.path, 'http://x').pathname;
			if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
				throw new HttpError(401, arkError('AuthenticationError', 'The API key in the request is missing or invalid.', 'Unauthorized'));
			}
			const body = (req.body ?? {}) as Record<string, unknown>;
			if (req.method === 'POST' && path === '/api/v3/contents/generations/tasks') return createTask(body);
			const m = /^\/api\/v3\/contents\/generations\/tasks\/([^/]+)$/.exec(path);
			if (m && req.method === 'GET') return getTask(m[1]);
			if (req.method === 'POST' && path === '/api/v3/images/generations') return images(body);
			throw new HttpError(404, arkError('NotFound', `${req.method} ${path} not found`, 'NotFound'));
		},
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? arkError('RateLimitExceeded.EndpointRPMExceeded', 'Request rate limit exceeded; retry later.', 'TooManyRequests')
				: arkError(status === 503 ? 'ServiceUnavailable' : 'InternalServiceError', 'The service encountered an unexpected internal error.', 'InternalServerError'),
	});

	return {
		...loop,
		baseUrl: `${loop.url}/api/v3`,
		media,
		tasks,
		taskRequests() {
			return loop.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/contents/generations/tasks');
		},
		async close() {
			await loop.close();
			if (ownMedia) await media.close();
		},
	};
}
