/**
 * TikTok Content Posting API, direct post (base https://open.tiktokapis.com, Bearer user token):
 *
 *   creator  POST /v2/post/publish/creator_info/query/ → data{creator_username, privacy_level_options[],
 *            comment_disabled, duet_disabled, stitch_disabled, max_video_post_duration_sec}
 *   init     POST /v2/post/publish/video/init/ {post_info{title, privacy_level, disable_*, is_aigc…},
 *            source_info{source:"FILE_UPLOAD", video_size, chunk_size, total_chunk_count}} → data{publish_id, upload_url}
 *            (6 requests/min per token)
 *   upload   PUT upload_url, Content-Type, Content-Length, Content-Range: bytes a-b/total, chunks in order
 *            → 206 (more expected), 201 (all received). Chunks 5–64 MB, the last up to 128 MB; a file under
 *            5 MB is one chunk; over 64 MB at least two; total_chunk_count = floor(size / chunk_size), 1–1000.
 *   status   POST /v2/post/publish/status/fetch/ {publish_id} → data{status PROCESSING_UPLOAD|PROCESSING_DOWNLOAD|
 *            SEND_TO_USER_INBOX|PUBLISH_COMPLETE|FAILED, fail_reason, publicaly_available_post_id[], uploaded_bytes}
 *   list     POST /v2/video/list/?fields=… {max_count} (Display API, scope video.list): public posts only
 *   metrics  POST /v2/video/query/?fields=id,view_count,like_count,comment_count,share_count {filters{video_ids}}
 *   errors   {data, error{code, message, log_id}}: access_token_invalid 401, rate_limit_exceeded 429, …
 *
 * The post is made when the last chunk arrives. A chunk whose answer was lost is not blindly
 * re-sent: the status call's `uploaded_bytes` says where TikTok stands and the upload continues
 * from there (one publish_id makes at most one post). An init whose outcome is unknown is repeated:
 * a publish_id that gets no bytes never posts.
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import { HttpStatusError } from '../video/common';
import {
	captionFingerprint,
	neverReachedPublishing,
	PublishFailedError,
	PublishUnverifiableError,
	RemotePublisher,
	sleep,
	assertHttpUrl,
	type ExistingPost,
	type FindQuery,
	type PostMetrics,
	type Privacy,
	type PublishOptions,
	type PublishPost,
	type PublishResult,
	type PublishStatus,
	type RemotePublisherOptions,
} from './types';

export const TIKTOK_BASE_URL = 'https://open.tiktokapis.com';
const MB = 1024 * 1024;
export const TIKTOK_MIN_CHUNK = 5 * MB;
export const TIKTOK_MAX_CHUNK = 64 * MB;
export const TIKTOK_MAX_FINAL_CHUNK = 128 * MB;
export const TIKTOK_MAX_CHUNKS = 1000;
export const DEFAULT_TIKTOK_CHUNK = 10 * MB;

export type TikTokPrivacyLevel = 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY';

const PRIVACY: Record<Privacy, TikTokPrivacyLevel | null> = {
	public: 'PUBLIC_TO_EVERYONE',
	followers: 'FOLLOWER_OF_CREATOR',
	friends: 'MUTUAL_FOLLOW_FRIENDS',
	private: 'SELF_ONLY',
	unlisted: null,
};

export interface TikTokOptions extends RemotePublisherOptions {
	/** Preferred chunk size (5–64 MB). Default 10 MB. */
	chunkSizeBytes?: number;
	disableComment?: boolean;
	disableDuet?: boolean;
	disableStitch?: boolean;
	/** Cover frame (ms into the video). Default 1000. */
	videoCoverTimestampMs?: number;
	/** Marks the video as AI-generated content (is_aigc). Default true: these videos are generated. */
	isAigc?: boolean;
	brandContentToggle?: boolean;
	brandOrganicToggle?: boolean;
}

export interface TikTokChunkPlan {
	chunkSize: number;
	totalChunkCount: number;
	/** Inclusive byte ranges, in upload order. */
	ranges: [number, number][];
}

/** TikTok's chunk rules for a file of `size` bytes (reference/provider-apis.md §7). */
export function planTikTokChunks(size: number, preferred = DEFAULT_TIKTOK_CHUNK): TikTokChunkPlan {
	if (!Number.isInteger(size) || size <= 0) throw new ValidationError('TikTok: the video is empty', 'sizeBytes');
	if (size < TIKTOK_MIN_CHUNK) return { chunkSize: size, totalChunkCount: 1, ranges: [[0, size - 1]] };
	let chunk = Math.min(TIKTOK_MAX_CHUNK, Math.max(TIKTOK_MIN_CHUNK, Math.floor(preferred)));
	if (size <= chunk) return { chunkSize: size, totalChunkCount: 1, ranges: [[0, size - 1]] };
	// Over 64 MB takes at least two chunks; at most 1000 chunks.
	if (size > TIKTOK_MAX_CHUNK) chunk = Math.min(chunk, Math.floor(size / 2));
	if (Math.floor(size / chunk) > TIKTOK_MAX_CHUNKS) chunk = Math.ceil(size / TIKTOK_MAX_CHUNKS);
	if (chunk > TIKTOK_MAX_CHUNK) throw new ValidationError(`TikTok: ${size} bytes cannot be sent in ${TIKTOK_MAX_CHUNKS} chunks of at most 64 MB`, 'sizeBytes');
	const count = Math.floor(size / chunk);
	const ranges: [number, number][] = [];
	for (let i = 0; i < count; i++) ranges.push([i * chunk, i === count - 1 ? size - 1 : (i + 1) * chunk - 1]);
	const last = ranges[ranges.length - 1];
	if (last[1] - last[0] + 1 > TIKTOK_MAX_FINAL_CHUNK) throw new ValidationError('TikTok: the final chunk would exceed 128 MB', 'sizeBytes');
	return { chunkSize: chunk, totalChunkCount: count, ranges };
}

interface Envelope<T> {
	data?: T;
	error?: { code?: string; message?: string; log_id?: string };
}

interface CreatorInfo {
	creator_username?: string;
	creator_nickname?: string;
	privacy_level_options?: string[];
	comment_disabled?: boolean;
	duet_disabled?: boolean;
	stitch_disabled?: boolean;
	max_video_post_duration_sec?: number;
}

interface StatusData {
	status?: string;
	fail_reason?: string;
	publicaly_available_post_id?: (string | number)[];
	uploaded_bytes?: number;
	downloaded_bytes?: number;
}

interface ListedVideo {
	id?: string;
	title?: string;
	video_description?: string;
	create_time?: number;
	share_url?: string;
	view_count?: number;
	like_count?: number;
	comment_count?: number;
	share_count?: number;
}

/** TikTok error codes as HTTP statuses, for an error envelope on a 200. */
function statusOfCode(code: string): number {
	if (code === 'access_token_invalid' || code === 'scope_not_authorized') return 401;
	if (code === 'rate_limit_exceeded') return 429;
	if (code === 'internal_error') return 500;
	if (code.startsWith('spam_risk') || code.includes('permission') || code.startsWith('unaudited')) return 403;
	return 400;
}

export class TikTokPublisher extends RemotePublisher {
	constructor(private readonly tt: TikTokOptions) {
		super('tiktok', 'TikTok', tt, TIKTOK_BASE_URL, 'tiktok');
	}

	private get headers() {
		return { authorization: `Bearer ${this.opts.accessToken}`, 'content-type': 'application/json; charset=UTF-8' };
	}

	/** A JSON call; an error envelope on a 2xx is mapped to its HTTP meaning. */
	private async api<T>(mode: 'safe' | 'once', path: string, json?: unknown): Promise<T> {
		const res = await this.call<Envelope<T>>(mode, `${this.baseUrl}${path}`, { method: 'POST', headers: this.headers, json: json ?? {} });
		const code = res.body.error?.code;
		if (code && code !== 'ok') {
			throw this.finalError(new HttpStatusError(statusOfCode(code), `TikTok ${code}: ${res.body.error?.message ?? ''}`, res.headers, res.body));
		}
		return (res.body.data ?? {}) as T;
	}

	private postUrl(id: string, username?: string): string | undefined {
		return username ? `https://www.tiktok.com/@${encodeURIComponent(username)}/video/${encodeURIComponent(id)}` : undefined;
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const prep = await this.prepare(post, opts);
		await this.checkpoint(opts, post, prep, 'prepared', {});
		const creator = await this.api<CreatorInfo>('safe', '/v2/post/publish/creator_info/query/');
		// What this creator allows, before anything is uploaded.
		const options = (creator.privacy_level_options ?? []) as TikTokPrivacyLevel[];
		let privacy: TikTokPrivacyLevel | undefined;
		if (post.privacy) {
			const wanted = PRIVACY[post.privacy];
			if (!wanted) throw new ValidationError(`TikTok has no "${post.privacy}" privacy`, 'privacy');
			if (!options.includes(wanted)) {
				throw new ValidationError(
					`TikTok: this creator can post as ${options.join(', ') || '(nothing)'}, not ${wanted} (apps that have not passed TikTok's audit can post only SELF_ONLY)`,
					'privacy',
					{ options },
				);
			}
			privacy = wanted;
		} else {
			privacy = (['PUBLIC_TO_EVERYONE', 'FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] as const).find((p) => options.includes(p));
			if (!privacy) throw new ValidationError('TikTok: the creator offers no privacy level to post with', 'privacy');
		}
		const maxDuration = creator.max_video_post_duration_sec;
		if (typeof maxDuration === 'number' && maxDuration > 0 && prep.info.durationSeconds > maxDuration + 0.05) {
			throw new ValidationError(`TikTok refuses this post before upload: duration: ${prep.info.durationSeconds.toFixed(2)} s is over this creator's maximum ${maxDuration} s`, 'duration', {
				max_video_post_duration_sec: maxDuration,
			});
		}
		const plan = planTikTokChunks(prep.size, this.tt.chunkSizeBytes);
		const init = await this.api<{ publish_id?: string; upload_url?: string }>('safe', '/v2/post/publish/video/init/', {
			post_info: {
				title: prep.text.text,
				privacy_level: privacy,
				disable_duet: Boolean(this.tt.disableDuet || creator.duet_disabled),
				disable_comment: Boolean(this.tt.disableComment || creator.comment_disabled),
				disable_stitch: Boolean(this.tt.disableStitch || creator.stitch_disabled),
				video_cover_timestamp_ms: this.tt.videoCoverTimestampMs ?? 1000,
				brand_content_toggle: Boolean(this.tt.brandContentToggle),
				brand_organic_toggle: Boolean(this.tt.brandOrganicToggle),
				is_aigc: this.tt.isAigc ?? true,
			},
			source_info: { source: 'FILE_UPLOAD', video_size: prep.size, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount },
		});
		const publishId = init.publish_id;
		if (!publishId) throw new ProviderCallError('TikTok: init answered without a publish_id', this.platform, null, true, 'invalid_output');
		const uploadUrl = assertHttpUrl(init.upload_url, 'upload_url', this.platform);
		// The last chunk makes the post.
		await this.checkpoint(opts, post, prep, 'publishing', { publishId });
		await this.upload(publishId, uploadUrl, post, plan, prep.size, opts);
		await this.checkpoint(opts, post, prep, 'accepted', { publishId });

		const notes: string[] = [];
		let final: StatusData | undefined;
		if (opts.waitForProcessing !== false) {
			final = await this.poll(async () => {
				const s = await this.fetchStatus(publishId);
				return s.status === 'PUBLISH_COMPLETE' || s.status === 'FAILED' ? s : undefined;
			});
			if (final?.status === 'FAILED') {
				throw new PublishFailedError(`TikTok failed post ${publishId}: ${final.fail_reason ?? 'no reason given'}`, this.platform, final.fail_reason ?? 'failed', publishId);
			}
			if (!final) notes.push(`still processing after ${this.maxWaitMs} ms: poll status(${publishId})`);
		}
		const postId = final?.publicaly_available_post_id?.[0];
		if (final && postId === undefined) notes.push('TikTok gives the post id only after moderation, and never for private posts');
		return {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			ref: publishId,
			platformPostId: postId !== undefined ? String(postId) : null,
			url: postId !== undefined ? this.postUrl(String(postId), creator.creator_username) : undefined,
			status: final ? 'published' : 'processing',
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			publishedAt: new Date().toISOString(),
			notes,
			raw: { publish_id: publishId, status: final, creator: { username: creator.creator_username, privacy } },
		};
	}

	private fetchStatus(publishId: string): Promise<StatusData> {
		return this.api<StatusData>('safe', '/v2/post/publish/status/fetch/', { publish_id: publishId });
	}

	/** Sends the chunks in order; after a failure, continues from the `uploaded_bytes` TikTok reports. */
	private async upload(publishId: string, uploadUrl: string, post: PublishPost, plan: TikTokChunkPlan, size: number, opts: PublishOptions): Promise<void> {
		let index = 0;
		let attempts = 0;
		while (index < plan.ranges.length) {
			const [start, end] = plan.ranges[index];
			try {
				await this.sendOnce(uploadUrl, {
					method: 'PUT',
					headers: { 'content-type': post.mimeType, 'content-range': `bytes ${start}-${end}/${size}` },
					body: { path: post.videoPath, start, end },
				});
				index++;
				attempts = 0;
				opts.onProgress?.(end + 1, size);
				continue;
			} catch (err) {
				const retryable =
					err instanceof ProviderCallError && (err.kind === 'network' || err.kind === 'timeout' || err.kind === 'server' || err.kind === 'rate_limited');
				if (!retryable) throw err;
				if (++attempts >= this.maxUploadAttempts) {
					throw new ProviderCallError(
						`TikTok: chunk ${index + 1}/${plan.ranges.length} failed ${attempts} times (${(err as Error).message}); ask status(${publishId}) before posting again`,
						this.platform,
						(err as ProviderCallError).status,
						// A last chunk may have arrived; an earlier one cannot have made a post.
						index < plan.ranges.length - 1,
						'network',
					);
				}
				const wait = (err as ProviderCallError).retryAfterSeconds;
				await sleep(wait !== undefined ? wait * 1000 : Math.min((this.opts.retryBaseDelayMs ?? 500) * 2 ** (attempts - 1), 8000));
			}
			// Where does TikTok stand? (A chunk may have arrived although its answer was lost.)
			const s = await this.fetchStatus(publishId);
			if (s.status === 'FAILED') throw new PublishFailedError(`TikTok failed post ${publishId} during upload: ${s.fail_reason ?? 'no reason'}`, this.platform, s.fail_reason ?? 'failed', publishId);
			const got = typeof s.uploaded_bytes === 'number' ? s.uploaded_bytes : null;
			if (s.status && s.status !== 'PROCESSING_UPLOAD') return; // every byte arrived; TikTok is past the upload
			if (got !== null) {
				if (got >= size) return;
				// Continue with the chunk holding the next missing byte (a partial chunk is sent again whole).
				const next = plan.ranges.findIndex(([a, b]) => got >= a && got <= b);
				if (next >= 0) index = next;
			}
		}
	}

	async status(ref: string): Promise<PublishStatus> {
		const s = await this.fetchStatus(ref);
		const postId = s.publicaly_available_post_id?.[0];
		if (s.status === 'PUBLISH_COMPLETE') return { state: 'published', ref, platformPostId: postId !== undefined ? String(postId) : null, raw: s };
		if (s.status === 'FAILED') return { state: 'failed', ref, error: s.fail_reason ?? 'failed', raw: s };
		return { state: 'processing', ref, platformPostId: null, raw: s };
	}

	/**
	 * 1. checkpoint publish_id → status fetch (authoritative: complete or processing = exists;
	 * FAILED or an upload that never finished = none); 2. without it, the creator's public posts
	 * (Display API video.list) by caption fingerprint. Private posts and posts still in moderation
	 * are never listed, so a miss there cannot prove absence: PublishUnverifiableError.
	 */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		if (neverReachedPublishing(q.checkpoint)) return null;
		const publishId = q.checkpoint?.handles.publishId;
		if (publishId) {
			let s: StatusData | undefined;
			try {
				s = await this.fetchStatus(publishId);
			} catch (err) {
				if (!(err instanceof ProviderCallError && err.status === 400)) throw err;
			}
			if (s) {
				const postId = s.publicaly_available_post_id?.[0];
				if (s.status === 'FAILED') return null;
				const size = q.checkpoint?.sizeBytes ?? Number.POSITIVE_INFINITY;
				if (s.status === 'PROCESSING_UPLOAD' && typeof s.uploaded_bytes === 'number' && s.uploaded_bytes < size) return null;
				return {
					platform: this.platform,
					ref: publishId,
					platformPostId: postId !== undefined ? String(postId) : null,
					state: s.status === 'PUBLISH_COMPLETE' ? 'published' : 'processing',
					matchedBy: 'handle',
					raw: s,
				};
			}
		}
		const fingerprint = this.queryFingerprint(q);
		if (!fingerprint) throw new PublishUnverifiableError('TikTok: no publish_id and no caption to look for; hold the post for a person', this.platform);
		let videos: ListedVideo[];
		try {
			const data = await this.api<{ videos?: ListedVideo[] }>('safe', '/v2/video/list/?fields=id,title,video_description,create_time,share_url', { max_count: 20 });
			videos = data.videos ?? [];
		} catch (err) {
			if (err instanceof ProviderCallError && (err.status === 401 || err.status === 403)) {
				throw new PublishUnverifiableError(`TikTok: cannot list the creator's posts (${err.message}); hold the post for a person`, this.platform);
			}
			throw err;
		}
		const hit = videos.find((v) => [v.video_description, v.title].some((t) => typeof t === 'string' && t && captionFingerprint(t) === fingerprint));
		if (hit?.id) {
			return { platform: this.platform, ref: String(hit.id), platformPostId: String(hit.id), url: hit.share_url, state: 'published', matchedBy: 'caption', raw: hit };
		}
		throw new PublishUnverifiableError(
			`TikTok: no public post matches ${q.idempotencyKey}, but private posts and posts in moderation are not listed; hold the post for a person (or check the TikTok app)`,
			this.platform,
		);
	}

	async metrics(platformPostId: string): Promise<PostMetrics> {
		const data = await this.api<{ videos?: ListedVideo[] }>('safe', '/v2/video/query/?fields=id,view_count,like_count,comment_count,share_count', {
			filters: { video_ids: [platformPostId] },
		});
		const v = data.videos?.find((x) => String(x.id) === platformPostId);
		if (!v) throw new ProviderCallError(`TikTok has no video ${platformPostId} for this creator`, this.platform, 404, true, 'bad_request');
		const n = (x: unknown) => (typeof x === 'number' ? x : null);
		return { views: n(v.view_count), likes: n(v.like_count), shares: n(v.share_count), comments: n(v.comment_count), fetchedAt: new Date().toISOString(), raw: v };
	}
}
