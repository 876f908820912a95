/**
 * A loopback Gemini API for Veo and image generation, answering the way
 * generativelanguage.googleapis.com/v1beta does:
 *   - POST /v1beta/models/{model}:predictLongRunning (x-goog-api-key or ?key=): checks the body the
 *     way the API does (one instance with a prompt; image only as {bytesBase64Encoded, mimeType}
 *     PNG/JPEG; aspectRatio 16:9|9:16; durationSeconds 4|6|8; resolution 720p|1080p|4k, and 1080p/4k
 *     only at 8 s; personGeneration allow_all refused with an image; unknown parameters such as
 *     seed/generateAudio refused like the Gemini API does) → {name: models/{model}/operations/{id}}
 *   - GET /v1beta/models/{model}/operations/{id}: done after `pollsUntilDone` polls; then a sample
 *     whose uri is this fake's files endpoint, or (prompt with a block word) no sample and
 *     raiMediaFilteredCount 1, or (prompt with a fail word) an operation error; unknown → 404
 *   - GET /v1beta/files/{id}:download?alt=media: needs the key, then 302 to the media host (a real
 *     mp4 of the requested shape, expiring after `fileTtlMs`); a deleted file answers 404
 *   - POST /v1beta/models/gemini-2.5-flash-image:generateContent: a real PNG inline
 *     (candidates[0].content.parts[].inlineData), or promptFeedback.blockReason SAFETY
 * Errors use Google's shape {error:{code,message,status}}. Faults from startLoopback.
 */
import { randomBytes } from 'node:crypto';

import { HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';
import { shapeFor, startMediaHost, testClip, testImage, type MediaHost } from './media-host';

export const FAKE_VEO_MODELS = [
	'veo-3.1-generate-001',
	'veo-3.1-generate-preview',
	'veo-3.1-fast-generate-001',
	'veo-3.1-fast-generate-preview',
	'veo-3.1-lite-generate-preview',
	'veo-3.0-generate-001',
	'veo-3.0-fast-generate-001',
];
export const FAKE_GEMINI_IMAGE_MODELS = ['gemini-2.5-flash-image'];
const VEO_PARAMETERS = new Set(['aspectRatio', 'durationSeconds', 'resolution', 'negativePrompt', 'personGeneration', 'sampleCount', 'enhancePrompt']);

export interface GeminiFakeOptions {
	apiKey: string;
	/** Status polls before an operation is done. Default 2. */
	pollsUntilDone?: number;
	/** A prompt containing one of these is blocked by the safety filter. Default ["forbidden"]. */
	blockWords?: string[];
	/** A prompt containing one of these ends in an operation error. Default ["explode"]. */
	failWords?: string[];
	/** Lifetime of a download link on the media host. Default 2 days (Google deletes files after 2 days). */
	fileTtlMs?: number;
	media?: MediaHost;
	/** Every status poll takes this long to answer (to catch two pollers asking at once). Default 0. */
	pollDelayMs?: number;
}

interface Operation {
	model: string;
	prompt: string;
	params: { aspectRatio: string; durationSeconds: number; resolution: string };
	polls: number;
	fileId?: string;
}

export interface GeminiFake extends Loopback {
	/** `${url}/v1beta` */
	baseUrl: string;
	media: MediaHost;
	operations: Map<string, Operation>;
	/** Makes a finished file's download answer 404 (deleted after 2 days). */
	deleteFile(fileId: string): void;
	predictRequests(): LoggedRequest[];
	/** Polls that arrived while another poll of the same operation was still being answered. */
	overlappingPolls(): Array<{ name: string; at: number }>;
}

const googleError = (code: number, status: string, message: string) => ({ error: { code, message, status } });

export async function startGeminiFake(opts: GeminiFakeOptions): Promise<GeminiFake> {
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const operations = new Map<string, Operation>();
	const files = new Map<string, { url?: string; spec: { width: number; height: number; seconds: number }; deleted?: boolean }>();
	const blockWords = opts.blockWords ?? ['forbidden'];
	const failWords = opts.failWords ?? ['explode'];
	const bad = (message: string) => new HttpError(400, googleError(400, 'INVALID_ARGUMENT', message));

	const authorised = (req: LoggedRequest) => {
		const header = req.headers['x-goog-api-key'];
		const query = new URL(req.path, 'http://x').searchParams.get('key');
		return header === opts.apiKey || query === opts.apiKey;
	};

	const predict = (model: string, body: Record<string, unknown>): Reply => {
		if (!FAKE_VEO_MODELS.includes(model)) {
			throw new HttpError(404, googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for predictLongRunning.`));
		}
		const instances = body.instances as Record<string, unknown>[] | undefined;
		if (!Array.isArray(instances) || instances.length !== 1) throw bad('instances must hold exactly one instance.');
		const inst = instances[0];
		if (typeof inst.prompt !== 'string' || !inst.prompt.trim()) throw bad('Prompt is required.');
		const params = (body.parameters ?? {}) as Record<string, unknown>;
		for (const k of Object.keys(params)) {
			if (!VEO_PARAMETERS.has(k)) throw bad(`Invalid JSON payload received. Unknown name "${k}" at 'parameters': Cannot find field.`);
		}
		for (const k of Object.keys(inst)) {
			if (!['prompt', 'image', 'lastFrame', 'referenceImages', 'video'].includes(k)) throw bad(`Invalid JSON payload received. Unknown name "${k}" at 'instances[0]'.`);
		}
		const aspect = (params.aspectRatio as string | undefined) ?? '16:9';
		if (!['16:9', '9:16'].includes(aspect)) throw bad(`Aspect ratio ${aspect} is not supported. Supported: 16:9, 9:16.`);
		const duration = Number(params.durationSeconds ?? 8);
		if (![4, 6, 8].includes(duration)) throw bad(`durationSeconds must be 4, 6 or 8; got ${String(params.durationSeconds)}.`);
		const resolution = (params.resolution as string | undefined) ?? '720p';
		if (!['720p', '1080p', '4k'].includes(resolution)) throw bad(`Resolution ${resolution} is not supported.`);
		if (resolution !== '720p' && duration !== 8) throw bad(`Resolution ${resolution} requires durationSeconds 8.`);
		if (resolution === '4k' && /lite|veo-3\.0/.test(model)) throw bad(`${model} does not support 4k.`);
		if (inst.image !== undefined) {
			const img = inst.image as Record<string, unknown>;
			if (typeof img.bytesBase64Encoded !== 'string' || typeof img.mimeType !== 'string') {
				throw bad('image must have bytesBase64Encoded and mimeType (gcsUri is not supported with an API key).');
			}
			const bytes = Buffer.from(img.bytesBase64Encoded, 'base64');
			const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
			const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
			if (!(png && img.mimeType === 'image/png') && !(jpeg && img.mimeType === 'image/jpeg')) throw bad('Unable to process input image: unsupported or mismatched mimeType.');
			if (params.personGeneration === 'allow_all') throw bad('allow_all for personGeneration is not supported for image-to-video; use allow_adult.');
		}
		const id = randomBytes(6).toString('hex');
		const name = `models/${model}/operations/${id}`;
		operations.set(name, { model, prompt: inst.prompt, params: { aspectRatio: aspect, durationSeconds: duration, resolution }, polls: 0 });
		return { status: 200, body: { name } };
	};

	const inFlight = new Map<string, number>();
	const overlaps: Array<{ name: string; at: number }> = [];
	const started = Date.now();
	const poll = async (name: string): Promise<Reply> => {
		const now = inFlight.get(name) ?? 0;
		if (now > 0) overlaps.push({ name, at: Date.now() - started });
		inFlight.set(name, now + 1);
		try {
			if (opts.pollDelayMs) await new Promise((r) => setTimeout(r, opts.pollDelayMs));
			return answerPoll(name);
		} finally {
			inFlight.set(name, (inFlight.get(name) ?? 1) - 1);
		}
	};

	const answerPoll = (name: string): Reply => {
		const op = operations.get(name);
		if (!op) throw new HttpError(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.'));
		op.polls++;
		if (op.polls < (opts.pollsUntilDone ?? 2)) return { status: 200, body: { name, done: false, metadata: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata' } } };
		const lower = op.prompt.toLowerCase();
		if (failWords.some((w) => lower.includes(w))) return { status: 200, body: { name, done: true, error: { code: 13, message: 'Video generation failed due to an internal error.' } } };
		if (blockWords.some((w) => lower.includes(w))) {
			return {
				status: 200,
				body: {
					name,
					done: true,
					response: {
						'@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
						generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['The prompt could not be submitted: it may violate our policies.'] },
					},
				},
			};
		}
		if (!op.fileId) {
			op.fileId = randomBytes(6).toString('hex');
			// 4k is delivered at 1080p to keep tests fast.
			const shape = shapeFor(op.params.aspectRatio, op.params.resolution === '4k' ? '1080p' : op.params.resolution);
			files.set(op.fileId, { spec: { ...shape, seconds: op.params.durationSeconds } });
		}
		return {
			status: 200,
			body: {
				name,
				done: true,
				response: {
					'@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
					generateVideoResponse: { generatedSamples: [{ video: { uri: `${loop.url}/v1beta/files/${op.fileId}:download?alt=media` } }] },
				},
			},
		};
	};

	const download = async (fileId: string): Promise<Reply> => {
		const f = files.get(fileId);
		if (!f || f.deleted) throw new HttpError(404, googleError(404, 'NOT_FOUND', `File ${fileId} was not found.`));
		if (!f.url) {
			const clip = await testClip({ ...f.spec, fps: 24 });
			f.url = media.publish({ file: clip, contentType: 'video/mp4', name: `${fileId}.mp4`, ttlMs: opts.fileTtlMs ?? 2 * 86_400_000, expiredStatus: 403 });
		}
		return { status: 302, headers: { location: f.url }, body: '' };
	};

	const generateContent = async (model: string, body: Record<string, unknown>): Promise<Reply> => {
		if (!FAKE_GEMINI_IMAGE_MODELS.includes(model)) throw new HttpError(404, googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta.`));
		const contents = body.contents as { parts?: { text?: string }[] }[] | undefined;
		const text = contents?.flatMap((c) => c.parts ?? []).map((p) => p.text ?? '').join(' ') ?? '';
		if (!text.trim()) throw bad('contents must hold a text part.');
		const config = (body.generationConfig ?? {}) as { responseModalities?: string[]; imageConfig?: { aspectRatio?: string } };
		if (!config.responseModalities?.map((m) => m.toUpperCase()).includes('IMAGE')) throw bad('responseModalities must include IMAGE for this model.');
		const aspect = config.imageConfig?.aspectRatio ?? '1:1';
		const sizes: Record<string, [number, number]> = { '1:1': [1024, 1024], '9:16': [768, 1344], '16:9': [1344, 768] };
		if (!sizes[aspect]) throw bad(`Unsupported aspect ratio: ${aspect}`);
		const usageMetadata = { promptTokenCount: Math.ceil(text.length / 4), candidatesTokenCount: 1290, totalTokenCount: Math.ceil(text.length / 4) + 1290 };
		if (blockWords.some((w) => text.toLowerCase().includes(w))) {
			return { status: 200, body: { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { ...usageMetadata, candidatesTokenCount: 0 } } };
		}
		const png = await testImage(...sizes[aspect]);
		return {
			status: 200,
			body: {
				candidates: [{ content: { role: 'model', parts: [{ text: 'Here is the image.' }, { inlineData: { mimeType: 'image/png', data: png.toString('base64') } }] }, finishReason: 'STOP' }],
				usageMetadata,
			},
		};
	};

	const loop = await startLoopback({
		route: async (req) => {
			const path = new URL(req.path, 'http://x').pathname;
			if (!authorised(req)) throw new HttpError(400, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'));
			let m = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(path);
			if (m && req.method === 'POST') return predict(decodeURIComponent(m[1]), (req.body ?? {}) as Record<string, unknown>);
			m = /^\/v1beta\/(models\/[^/]+\/operations\/[^/]+)$/.exec(path);
			if (m && req.method === 'GET') return poll(m[1]);
			m = /^\/v1beta\/files\/([^/:]+):download$/.exec(path);
			if (m && req.method === 'GET') return download(m[1]);
			m = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
			if (m && req.method === 'POST') return generateContent(decodeURIComponent(m[1]), (req.body ?? {}) as Record<string, unknown>);
			throw new HttpError(404, googleError(404, 'NOT_FOUND', `${req.method} ${path} is not an endpoint of this fake`));
		},
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).')
				: googleError(status, status === 503 ? 'UNAVAILABLE' : 'INTERNAL', 'An internal error has occurred.'),
	});

	return {
		...loop,
		baseUrl: `${loop.url}/v1beta`,
		media,
		operations,
		deleteFile(fileId) {
			const f = files.get(fileId);
			if (f) f.deleted = true;
		},
		predictRequests() {
			return loop.requests.filter((r) => r.path.includes(':predictLongRunning'));
		},
		overlappingPolls() {
			return [...overlaps];
		},
		async close() {
			await loop.close();
			if (ownMedia) await media.close();
		},
	};
}
