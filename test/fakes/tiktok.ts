/**
 * A loopback TikTok Content Posting API (direct post) and Display API, on two servers like the
 * real ones (open.tiktokapis.com and the upload host of `upload_url`):
 *
 *   POST /v2/post/publish/creator_info/query/  → data{creator_username, privacy_level_options,
 *        comment_disabled, duet_disabled, stitch_disabled, max_video_post_duration_sec}
 *   POST /v2/post/publish/video/init/          checks privacy_level against the creator's options,
 *        title ≤ 2200 UTF-16 units, and the chunk rules: a file under 5 MB is one chunk of its own size;
 *        otherwise chunk_size 5–64 MB, total_chunk_count = floor(video_size / chunk_size) in 1–1000,
 *        over 64 MB at least two chunks, the last ≤ 128 MB → data{publish_id, upload_url}
 *   PUT  {upload_url}  Content-Range bytes a-b/total, chunks in order, exactly the planned ranges,
 *        Content-Type video/mp4|quicktime|webm → 206 (more), 201 (all received); a chunk cut off by a
 *        broken connection is discarded; a range other than the next one → 416
 *   POST /v2/post/publish/status/fetch/        PROCESSING_UPLOAD (uploaded_bytes) → after the upload,
 *        `processingPolls` polls → PUBLISH_COMPLETE (publicaly_available_post_id as 19-digit JSON
 *        numbers, as TikTok sends int64; empty for SELF_ONLY) or FAILED (fail_reason)
 *   POST /v2/video/list/?fields=…                public posts, newest first (scope video.list)
 *   POST /v2/video/query/?fields=…               {filters{video_ids}} → counts
 * Errors as {data:{}, error{code, message, log_id}}: access_token_invalid 401, rate_limit_exceeded 429,
 * invalid_params 400, privacy_level_option_mismatch 400, internal_error 500, scope_not_authorized 401.
 * `publishedCount()` counts posts made (uploads completed and not failed).
 */
import { randomBytes } from 'node:crypto';

import { HttpError, type Reply } from './openai';
import { bearer, startPlatformServer, type PlatformRequest, type PlatformServer } from './youtube';

const MB = 1024 * 1024;
export const TIKTOK_PRIVACY_LEVELS = ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'];

export interface TikTokFakeOptions {
	token: string;
	/** Default all four (an audited app). An unaudited app: ["SELF_ONLY"]. */
	privacyLevelOptions?: string[];
	maxVideoPostDurationSec?: number;
	username?: string;
	/** Status polls in PROCESSING_UPLOAD after the upload, before the verdict. Default 1. */
	processingPolls?: number;
	/** The token may list videos (scope video.list). Default true. */
	listScope?: boolean;
}

export interface FakeTikTokPublish {
	publishId: string;
	uploadId: string;
	postInfo: Record<string, unknown>;
	videoSize: number;
	chunkSize: number;
	totalChunkCount: number;
	chunks: Buffer[];
	uploaded: number;
	status: 'PROCESSING_UPLOAD' | 'PUBLISH_COMPLETE' | 'FAILED';
	failReason?: string;
	failWith?: string;
	polls: number;
	postId?: string;
	createdAt: number;
	metrics: { view_count: number; like_count: number; comment_count: number; share_count: number };
}

export interface TikTokFake extends PlatformServer {
	/** The upload host (faults on chunk uploads go here). */
	upload: PlatformServer;
	publishes: Map<string, FakeTikTokPublish>;
	publishedCount(): number;
	expireToken(): void;
	failProcessingNext(reason?: string): void;
	setMetrics(postId: string, m: Partial<FakeTikTokPublish['metrics']>): void;
}

const logId = () => `2026${randomBytes(10).toString('hex').toUpperCase()}`;
const err = (status: number, code: string, message: string) => new HttpError(status, { data: {}, error: { code, message, log_id: logId() } });
const ok = (data: unknown) => ({ data, error: { code: 'ok', message: '', log_id: logId() } });

export async function startTikTokFake(opts: TikTokFakeOptions): Promise<TikTokFake> {
	let token: string | null = opts.token;
	const options = opts.privacyLevelOptions ?? TIKTOK_PRIVACY_LEVELS;
	const maxDuration = opts.maxVideoPostDurationSec ?? 600;
	const username = opts.username ?? 'brand.infinity.test';
	const polls = opts.processingPolls ?? 1;
	const publishes = new Map<string, FakeTikTokPublish>();
	const byUpload = new Map<string, FakeTikTokPublish>();
	let failNext: string | null = null;
	let uploadBase = '';

	const requireAuth = (req: PlatformRequest) => {
		if (!token || bearer(req) !== token) throw err(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
	};

	/** The chunk rules of the media-transfer guide; null when they hold. */
	const chunkProblem = (size: number, chunk: number, count: number): string | null => {
		if (!Number.isInteger(size) || size <= 0) return 'video_size must be a positive integer';
		if (!Number.isInteger(chunk) || chunk <= 0 || !Number.isInteger(count)) return 'chunk_size and total_chunk_count must be positive integers';
		if (size < 5 * MB) return chunk === size && count === 1 ? null : 'a video under 5 MB must be uploaded whole: chunk_size = video_size, total_chunk_count = 1';
		if (chunk < 5 * MB || chunk > 64 * MB) return 'chunk_size must be between 5 MB and 64 MB';
		if (count !== Math.floor(size / chunk)) return `total_chunk_count must be floor(video_size / chunk_size) = ${Math.floor(size / chunk)}`;
		if (count < 1 || count > 1000) return 'total_chunk_count must be 1–1000';
		if (size > 64 * MB && count < 2) return 'a video over 64 MB must be uploaded in several chunks';
		if (size - (count - 1) * chunk > 128 * MB) return 'the final chunk may not exceed 128 MB';
		return null;
	};

	const expectedRange = (p: FakeTikTokPublish): [number, number] => {
		const i = Math.floor(p.uploaded / p.chunkSize);
		return [p.uploaded, i >= p.totalChunkCount - 1 ? p.videoSize - 1 : (i + 1) * p.chunkSize - 1];
	};

	const statusBody = (p: FakeTikTokPublish): string => {
		// TikTok's post ids are int64: sent as bare JSON numbers of 19 digits (beyond a double's precision).
		const ids = p.postId ? `[${p.postId}]` : '[]';
		return `{"data":{"status":"${p.status}",${p.failReason ? `"fail_reason":${JSON.stringify(p.failReason)},` : ''}"publicaly_available_post_id":${ids},"uploaded_bytes":${p.uploaded}},"error":{"code":"ok","message":"","log_id":"${logId()}"}}`;
	};

	const api = await startPlatformServer({
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? { data: {}, error: { code: 'rate_limit_exceeded', message: 'The API rate limit was exceeded. Please try again later.', log_id: logId() } }
				: { data: {}, error: { code: 'internal_error', message: 'Something went wrong. Please try again later.', log_id: logId() } },
		route: (req): Reply => {
			const p = req.url.pathname;
			if (req.method !== 'POST') throw err(404, 'invalid_params', `no route ${req.method} ${p}`);
			requireAuth(req);
			const body = (req.body ?? {}) as Record<string, unknown>;
			if (p === '/v2/post/publish/creator_info/query/') {
				return {
					status: 200,
					body: ok({
						creator_avatar_url: 'https://p16.tiktokcdn.example/avatar.jpeg',
						creator_username: username,
						creator_nickname: 'Brand Infinity',
						privacy_level_options: options,
						comment_disabled: false,
						duet_disabled: false,
						stitch_disabled: false,
						max_video_post_duration_sec: maxDuration,
					}),
				};
			}
			if (p === '/v2/post/publish/video/init/') {
				const post = (body.post_info ?? {}) as Record<string, unknown>;
				const src = (body.source_info ?? {}) as Record<string, unknown>;
				if (!options.includes(String(post.privacy_level))) {
					throw err(400, 'privacy_level_option_mismatch', `privacy_level ${String(post.privacy_level)} is not in the creator's options`);
				}
				if (typeof post.title === 'string' && post.title.length > 2200) throw err(400, 'invalid_params', 'title is longer than 2200 runes');
				if (src.source !== 'FILE_UPLOAD') throw err(400, 'invalid_params', 'this fake takes source FILE_UPLOAD');
				const size = Number(src.video_size);
				const chunk = Number(src.chunk_size);
				const count = Number(src.total_chunk_count);
				const problem = chunkProblem(size, chunk, count);
				if (problem) throw err(400, 'invalid_params', problem);
				const publishId = `v_pub_file~v2-1.${BigInt(`0x${randomBytes(7).toString('hex')}`).toString()}`;
				const uploadId = randomBytes(12).toString('hex');
				const rec: FakeTikTokPublish = {
					publishId,
					uploadId,
					postInfo: post,
					videoSize: size,
					chunkSize: chunk,
					totalChunkCount: count,
					chunks: [],
					uploaded: 0,
					status: 'PROCESSING_UPLOAD',
					polls: 0,
					createdAt: Date.now(),
					metrics: { view_count: 0, like_count: 0, comment_count: 0, share_count: 0 },
				};
				publishes.set(publishId, rec);
				byUpload.set(uploadId, rec);
				return { status: 200, body: ok({ publish_id: publishId, upload_url: `${uploadBase}/upload/?upload_id=${uploadId}&upload_token=${randomBytes(8).toString('hex')}` }) };
			}
			if (p === '/v2/post/publish/status/fetch/') {
				const rec = publishes.get(String(body.publish_id ?? ''));
				if (!rec) throw err(400, 'invalid_params', 'publish_id is invalid');
				if (rec.status === 'PROCESSING_UPLOAD' && rec.uploaded === rec.videoSize && ++rec.polls > polls) {
					if (rec.failWith) {
						rec.status = 'FAILED';
						rec.failReason = rec.failWith;
					} else {
						rec.status = 'PUBLISH_COMPLETE';
						if (rec.postInfo.privacy_level !== 'SELF_ONLY') rec.postId = `73${BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(17, '0').slice(0, 17)}`;
					}
				}
				return { status: 200, body: statusBody(rec) };
			}
			if (p === '/v2/video/list/') {
				if (opts.listScope === false) throw err(401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request.');
				const max = Math.min(20, Number(body.max_count ?? 10));
				const videos = [...publishes.values()]
					.filter((r) => r.postId)
					.sort((a, b) => b.createdAt - a.createdAt)
					.slice(0, max)
					.map((r) => ({
						id: r.postId,
						title: '',
						video_description: String(r.postInfo.title ?? ''),
						create_time: Math.floor(r.createdAt / 1000),
						share_url: `https://www.tiktok.com/@${username}/video/${r.postId}`,
					}));
				return { status: 200, body: ok({ videos, cursor: 0, has_more: false }) };
			}
			if (p === '/v2/video/query/') {
				const ids = (((body.filters ?? {}) as { video_ids?: string[] }).video_ids ?? []).map(String);
				const videos = [...publishes.values()].filter((r) => r.postId && ids.includes(r.postId)).map((r) => ({ id: r.postId, ...r.metrics }));
				return { status: 200, body: ok({ videos }) };
			}
			throw err(404, 'invalid_params', `no route ${p}`);
		},
	});

	const upload = await startPlatformServer({
		errorBody: (status, kind) => ({ error: { code: kind === 'rate_limit' ? 'rate_limit_exceeded' : 'internal_error', message: `HTTP ${status}` } }),
		route: (req): Reply => {
			if (req.method !== 'PUT' || req.url.pathname !== '/upload/') throw err(404, 'invalid_params', 'no such upload route');
			const rec = byUpload.get(req.url.searchParams.get('upload_id') ?? '');
			if (!rec) throw err(404, 'invalid_params', 'upload_url is invalid or expired');
			const type = String(req.headers['content-type'] ?? '');
			if (!['video/mp4', 'video/quicktime', 'video/webm'].includes(type)) throw err(400, 'invalid_file_upload', `Content-Type ${type} is not a supported video type`);
			const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
			if (!m) throw err(400, 'invalid_params', 'Content-Range is required: bytes {first}-{last}/{total}');
			const [a, b, t] = [Number(m[1]), Number(m[2]), Number(m[3])];
			if (t !== rec.videoSize) throw err(400, 'invalid_params', 'the total in Content-Range is not video_size');
			if (rec.uploaded >= rec.videoSize) throw err(416, 'invalid_params', 'the upload is already complete');
			const [ea, eb] = expectedRange(rec);
			if (a !== ea || b !== eb) throw err(416, 'invalid_params', `expected the chunk bytes ${ea}-${eb}, got ${a}-${b}`);
			if (req.truncated) return { status: 400, body: { error: { code: 'invalid_params', message: 'incomplete chunk discarded' } } };
			if (req.raw.length !== b - a + 1) throw err(400, 'invalid_params', 'Content-Length does not match Content-Range');
			rec.chunks.push(req.raw);
			rec.uploaded = b + 1;
			if (rec.uploaded === rec.videoSize) {
				rec.failWith = failNext ?? undefined;
				failNext = null;
				return { status: 201, body: '' };
			}
			return { status: 206, body: '' };
		},
	});
	uploadBase = upload.url;

	return {
		...api,
		upload,
		publishes,
		publishedCount: () => [...publishes.values()].filter((r) => r.uploaded === r.videoSize && r.status !== 'FAILED').length,
		expireToken() {
			token = null;
		},
		failProcessingNext(reason = 'file_format_check_failed') {
			failNext = reason;
		},
		setMetrics(postId, m) {
			const rec = [...publishes.values()].find((r) => r.postId === postId);
			if (!rec) throw new Error(`no post ${postId}`);
			Object.assign(rec.metrics, m);
		},
		async close() {
			await upload.close();
			await api.close();
		},
	};
}
