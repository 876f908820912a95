/**
 * A loopback Kie.ai (api.kie.ai + the file upload host), answering the way docs.kie.ai describes:
 * HTTP 200 with a `code` in the body ({code:200,msg:"success",data}; errors {code:401|402|404|422|…,msg}).
 *   - POST /api/v1/veo/generate {prompt, model veo3|veo3_fast, aspect_ratio 16:9|9:16|Auto,
 *     imageUrls[] (public http(s), live on the media host), generationType, callBackUrl?} → data{taskId}
 *   - GET /api/v1/veo/record-info?taskId=: successFlag 0 for `pollsRunning` polls, then 1 with
 *     response{resultUrls:[…]} (a real 8 s 720p mp4 on the media host, expiring after `resultTtlMs`),
 *     or 3 with errorMessage for a prompt with a block word; unknown → code 404
 *   - POST /api/v1/jobs/createTask {model, input{prompt, image_urls?, aspect_ratio, duration}} and
 *     GET /api/v1/jobs/recordInfo?taskId=: state waiting → generating → success with resultJson
 *     (a JSON string {"resultUrls":[…]}) or fail {failCode, failMsg}
 *   - POST /api/file-base64-upload {base64Data, uploadPath, fileName} → data{downloadUrl}
 * Faults from startLoopback (those answer with real HTTP statuses).
 */
import { randomBytes } from 'node:crypto';

import { HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';
import { shapeFor, startMediaHost, testClip, type MediaHost } from './media-host';

export const FAKE_KIE_MARKET_MODELS = ['kling-3.0/video'];

export interface KieFakeOptions {
	apiKey: string;
	/** Polls before a task finishes. Default 2. */
	pollsRunning?: number;
	blockWords?: string[];
	/** Lifetime of result URLs. Default 14 days. */
	resultTtlMs?: number;
	media?: MediaHost;
}

interface KieTask {
	id: string;
	kind: 'veo' | 'market';
	model: string;
	prompt: string;
	polls: number;
	aspect: string;
	seconds: number;
	resolution: string;
	blocked: boolean;
	resultUrl?: string;
}

export interface KieFake extends Loopback {
	media: MediaHost;
	baseUrl: string;
	uploadBaseUrl: string;
	tasks: Map<string, KieTask>;
	submitRequests(): LoggedRequest[];
	uploadRequests(): LoggedRequest[];
}

const ok = (data: unknown): Reply => ({ status: 200, body: { code: 200, msg: 'success', data } });
const fail = (code: number, msg: string): Reply => ({ status: 200, body: { code, msg, data: null } });

export async function startKieFake(opts: KieFakeOptions): Promise<KieFake> {
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const tasks = new Map<string, KieTask>();
	const blockWords = opts.blockWords ?? ['forbidden'];
	const running = opts.pollsRunning ?? 2;

	/** null when fine, else the failure reply. */
	const checkImages = async (urls: unknown, field: string): Promise<Reply | null> => {
		if (urls === undefined) return null;
		if (!Array.isArray(urls) || urls.length === 0) return fail(422, `${field} must be a non-empty array of URLs`);
		for (const u of urls) {
			if (typeof u !== 'string' || !/^https?:\/\//.test(u)) return fail(422, `${field} must contain public http(s) URLs`);
			if (u.startsWith(media.url) && !(await media.read(u))) return fail(422, `image could not be downloaded: ${u}`);
		}
		return null;
	};

	const veoGenerate = async (body: Record<string, unknown>): Promise<Reply> => {
		if (typeof body.prompt !== 'string' || !body.prompt.trim()) return fail(422, 'prompt is required');
		const model = String(body.model ?? 'veo3_fast');
		if (!['veo3', 'veo3_fast'].includes(model)) return fail(422, `model must be veo3 or veo3_fast`);
		const aspect = String(body.aspect_ratio ?? '16:9');
		if (!['16:9', '9:16', 'Auto'].includes(aspect)) return fail(422, 'aspect_ratio must be 16:9, 9:16 or Auto');
		const imageFail = await checkImages(body.imageUrls, 'imageUrls');
		if (imageFail) return imageFail;
		const type = String(body.generationType ?? (body.imageUrls ? 'FIRST_AND_LAST_FRAMES_2_VIDEO' : 'TEXT_2_VIDEO'));
		if (!['TEXT_2_VIDEO', 'FIRST_AND_LAST_FRAMES_2_VIDEO', 'REFERENCE_2_VIDEO'].includes(type)) return fail(422, 'invalid generationType');
		if (type !== 'TEXT_2_VIDEO' && !body.imageUrls) return fail(422, `${type} needs imageUrls`);
		const id = `veo_task_${randomBytes(8).toString('hex')}`;
		tasks.set(id, { id, kind: 'veo', model, prompt: body.prompt, polls: 0, aspect: aspect === 'Auto' ? '16:9' : aspect, seconds: 8, resolution: '720p', blocked: blockWords.some((w) => String(body.prompt).toLowerCase().includes(w)) });
		return ok({ taskId: id });
	};

	const createTask = async (body: Record<string, unknown>): Promise<Reply> => {
		const model = String(body.model ?? '');
		if (!FAKE_KIE_MARKET_MODELS.includes(model)) return fail(422, `model ${model} is not supported`);
		const input = (body.input ?? {}) as Record<string, unknown>;
		if (typeof input.prompt !== 'string' || !input.prompt.trim()) return fail(422, 'input.prompt is required');
		const seconds = Number(input.duration ?? '5');
		if (!Number.isInteger(seconds) || seconds < 3 || seconds > 15) return fail(422, 'input.duration must be "3" … "15"');
		const aspect = String(input.aspect_ratio ?? '16:9');
		if (!['16:9', '9:16', '1:1'].includes(aspect)) return fail(422, 'input.aspect_ratio must be 16:9, 9:16 or 1:1');
		const imageFail = await checkImages(input.image_urls, 'input.image_urls');
		if (imageFail) return imageFail;
		const id = `task_${randomBytes(8).toString('hex')}`;
		tasks.set(id, { id, kind: 'market', model, prompt: input.prompt, polls: 0, aspect, seconds, resolution: '720p', blocked: blockWords.some((w) => String(input.prompt).toLowerCase().includes(w)) });
		return ok({ taskId: id });
	};

	const resultUrl = async (t: KieTask) => {
		if (!t.resultUrl) {
			const clip = await testClip({ ...shapeFor(t.aspect, t.resolution), seconds: t.seconds, fps: 24 });
			t.resultUrl = media.publish({ file: clip, contentType: 'video/mp4', name: `${t.id}.mp4`, ttlMs: opts.resultTtlMs ?? 14 * 86_400_000 });
		}
		return t.resultUrl;
	};

	const veoRecord = async (id: string): Promise<Reply> => {
		const t = tasks.get(id);
		if (!t || t.kind !== 'veo') return fail(404, 'task not found');
		t.polls++;
		const base = { taskId: t.id, paramJson: JSON.stringify({ prompt: t.prompt, model: t.model }), completeTime: null, createTime: Date.now(), fallbackFlag: false };
		if (t.polls <= running) return ok({ ...base, successFlag: 0, response: null, errorCode: null, errorMessage: '' });
		if (t.blocked) return ok({ ...base, successFlag: 3, response: null, errorCode: 400, errorMessage: 'Your prompt was flagged as violating content policies.' });
		return ok({ ...base, successFlag: 1, completeTime: Date.now(), response: { taskId: t.id, resultUrls: [await resultUrl(t)], originUrls: null, resolution: '720p' }, errorCode: null, errorMessage: '' });
	};

	const marketRecord = async (id: string): Promise<Reply> => {
		const t = tasks.get(id);
		if (!t || t.kind !== 'market') return fail(404, 'task not found');
		t.polls++;
		const base = { taskId: t.id, model: t.model, param: JSON.stringify({ prompt: t.prompt }), costTime: null, createTime: Date.now(), completeTime: null };
		if (t.polls === 1) return ok({ ...base, state: 'waiting', resultJson: '', failCode: '', failMsg: '' });
		if (t.polls <= running) return ok({ ...base, state: 'generating', resultJson: '', failCode: '', failMsg: '' });
		if (t.blocked) return ok({ ...base, state: 'fail', resultJson: '', failCode: '500', failMsg: 'content policy violation: the prompt is not allowed' });
		return ok({ ...base, state: 'success', resultJson: JSON.stringify({ resultUrls: [await resultUrl(t)] }), failCode: '', failMsg: '', costTime: 61, completeTime: Date.now() });
	};

	const upload = (body: Record<string, unknown>): Reply => {
		const data = String(body.base64Data ?? '');
		const m = /^(?:data:([^;]+);base64,)?([A-Za-z0-9+/=\s]+)$/.exec(data);
		if (!m) return fail(400, 'base64Data is required');
		const bytes = Buffer.from(m[2], 'base64');
		const mimeType = m[1] ?? 'application/octet-stream';
		const fileName = String(body.fileName ?? `${randomBytes(6).toString('hex')}.bin`);
		const url = media.publish({ bytes, contentType: mimeType, name: fileName, ttlMs: 86_400_000 });
		return { status: 200, body: { success: true, code: 200, msg: 'File uploaded successfully', data: { fileName, filePath: `${body.uploadPath ?? ''}/${fileName}`, downloadUrl: url, fileSize: bytes.length, mimeType, uploadedAt: new Date().toISOString() } } };
	};

	const loop = await startLoopback({
		route: async (req) => {
			const url = new URL(req.path, 'http://x');
			if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return fail(401, 'You do not have access permissions');
			const body = (req.body ?? {}) as Record<string, unknown>;
			if (req.method === 'POST' && url.pathname === '/api/v1/veo/generate') return veoGenerate(body);
			if (req.method === 'GET' && url.pathname === '/api/v1/veo/record-info') return veoRecord(url.searchParams.get('taskId') ?? '');
			if (req.method === 'POST' && url.pathname === '/api/v1/jobs/createTask') return createTask(body);
			if (req.method === 'GET' && url.pathname === '/api/v1/jobs/recordInfo') return marketRecord(url.searchParams.get('taskId') ?? '');
			if (req.method === 'POST' && url.pathname === '/api/file-base64-upload') return upload(body);
			throw new HttpError(404, { code: 404, msg: `${req.method} ${url.pathname} not found` });
		},
		errorBody: (status, kind) => ({ code: status, msg: kind === 'rate_limit' ? 'Rate limited: too many requests' : 'Server error' }),
	});

	return {
		...loop,
		media,
		baseUrl: loop.url,
		uploadBaseUrl: loop.url,
		tasks,
		submitRequests() {
			return loop.requests.filter((r) => r.method === 'POST' && (r.path === '/api/v1/veo/generate' || r.path === '/api/v1/jobs/createTask'));
		},
		uploadRequests() {
			return loop.requests.filter((r) => r.path === '/api/file-base64-upload');
		},
		async close() {
			await loop.close();
			if (ownMedia) await media.close();
		},
	};
}
