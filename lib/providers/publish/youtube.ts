/**
 * YouTube Data API v3 (Shorts: a vertical or square upload of ≤3 min becomes a Short):
 *
 *   init     POST {base}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status
 *            X-Upload-Content-Length, X-Upload-Content-Type, JSON {snippet{title,description,tags,categoryId},
 *            status{privacyStatus,selfDeclaredMadeForKids,containsSyntheticMedia}} → 200, session URI in Location
 *   upload   PUT {session} Content-Range: bytes a-b/TOTAL, streamed from the file in chunks (multiples of
 *            256 KiB but the last) → 308 + Range: bytes=0-N (more), 200/201 + the video resource (done)
 *   resume   PUT {session} Content-Range: bytes *\/TOTAL (empty body) → 308 + Range (continue after N) or
 *            200/201 (already complete); 404/410: the session is gone, a new one starts
 *   status   GET {base}/youtube/v3/videos?part=status,processingDetails&id=
 *   metrics  GET {base}/youtube/v3/videos?part=statistics&id= (views, likes, comments; no shares)
 *   list     GET channels?part=contentDetails&mine=true → uploads playlist → playlistItems → videos (tags)
 *
 * The upload session makes at most one video, so a chunk is re-sent freely: after a broken
 * connection or a 5xx the adapter ASKS the session where to continue (`bytes *\/TOTAL`) and resumes
 * from the byte it reports; a final chunk whose answer was lost is found complete by the same
 * question. The idempotency marker travels as a tag (tags are not shown to viewers), so
 * `findExisting` can find the video in the channel's uploads even without the session URI.
 */
import { stat } from 'node:fs/promises';

import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import {
	assertHttpUrl,
	captionFingerprint,
	idempotencyMarker,
	neverReachedPublishing,
	PublishFailedError,
	RemotePublisher,
	sleep,
	type ExistingPost,
	type FindQuery,
	type PostMetrics,
	type PublishOptions,
	type PublishPost,
	type PublishResult,
	type PublishStatus,
	type RemotePublisherOptions,
} from './types';

export const YOUTUBE_BASE_URL = 'https://www.googleapis.com';
/** Google's resumable uploads take chunks in multiples of 256 KiB (all but the last). */
export const YOUTUBE_CHUNK_UNIT = 256 * 1024;
export const DEFAULT_YOUTUBE_CHUNK_BYTES = 8 * 1024 * 1024;

export interface YouTubeOptions extends RemotePublisherOptions {
	/** Bytes per PUT, a multiple of 256 KiB. Default 8 MiB. */
	chunkSizeBytes?: number;
	/** snippet.categoryId. Default "22" (People & Blogs). */
	categoryId?: string;
	/** status.containsSyntheticMedia (altered or synthetic content disclosure). Default true: these videos are generated. */
	containsSyntheticMedia?: boolean;
	/** Privacy when the post says none. Default "public" (unaudited API projects get private regardless). */
	defaultPrivacy?: 'public' | 'unlisted' | 'private';
}

interface YouTubeVideo {
	id?: string;
	snippet?: { title?: string; description?: string; tags?: string[]; publishedAt?: string };
	status?: { uploadStatus?: string; privacyStatus?: string; failureReason?: string; rejectionReason?: string };
	processingDetails?: { processingStatus?: string; processingFailureReason?: string };
	statistics?: { viewCount?: string; likeCount?: string; commentCount?: string; favoriteCount?: string };
}

interface ListResponse<T> {
	items?: T[];
	nextPageToken?: string;
}

type SessionState = { done: true; video: YouTubeVideo } | { done: false; received: number } | { gone: true };

const num = (v: unknown): number | null => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

export class YouTubePublisher extends RemotePublisher {
	private readonly chunkBytes: number;

	constructor(private readonly yt: YouTubeOptions) {
		super('youtube', 'YouTube', yt, YOUTUBE_BASE_URL, 'youtube');
		const chunk = yt.chunkSizeBytes ?? DEFAULT_YOUTUBE_CHUNK_BYTES;
		if (!Number.isInteger(chunk) || chunk <= 0 || chunk % YOUTUBE_CHUNK_UNIT !== 0) {
			throw new ValidationError(`YouTube: chunkSizeBytes must be a positive multiple of ${YOUTUBE_CHUNK_UNIT} (256 KiB)`, 'chunkSizeBytes');
		}
		this.chunkBytes = chunk;
	}

	private get auth() {
		return { authorization: `Bearer ${this.opts.accessToken}` };
	}

	/** Authorization goes to the session URI only when it is on the API's own origin. */
	private sessionHeaders(sessionUri: string): Record<string, string> {
		return new URL(sessionUri).origin === new URL(this.baseUrl).origin ? this.auth : {};
	}

	private watchUrl(id: string): string {
		return `https://www.youtube.com/shorts/${encodeURIComponent(id)}`;
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const prep = await this.prepare(post, opts);
		const privacy = post.privacy ?? this.yt.defaultPrivacy ?? 'public';
		if (!['public', 'unlisted', 'private'].includes(privacy)) {
			throw new ValidationError(`YouTube: privacy ${privacy} is not public, unlisted or private`, 'privacy');
		}
		const notes: string[] = [];
		await this.checkpoint(opts, post, prep, 'prepared', {});
		let sessionUri = await this.startSession(post, prep.size, prep.text, privacy);
		// The last chunk makes the video: from here on a video may exist.
		await this.checkpoint(opts, post, prep, 'publishing', { sessionUri });
		let video: YouTubeVideo | undefined;
		for (let restarts = 0; !video; restarts++) {
			const outcome = await this.upload(sessionUri, post.videoPath, prep.size, post.mimeType, opts);
			if ('video' in outcome) {
				video = outcome.video;
				break;
			}
			// The session is gone (expired or lost) with the video incomplete: nothing was made; start again.
			if (restarts >= 2) {
				throw new ProviderCallError('YouTube: the upload session was lost three times; nothing was published', this.platform, 404, true, 'server');
			}
			notes.push('the upload session was lost; a new session restarted the upload');
			sessionUri = await this.startSession(post, prep.size, prep.text, privacy);
			await this.checkpoint(opts, post, prep, 'publishing', { sessionUri });
		}
		const videoId = video.id;
		if (!videoId) throw new ProviderCallError('YouTube: the upload completed without a video id', this.platform, null, false, 'invalid_output');
		await this.checkpoint(opts, post, prep, 'accepted', { sessionUri, videoId });

		if (post.thumbnailPath) {
			try {
				await this.call('safe', `${this.baseUrl}/upload/youtube/v3/thumbnails/set?videoId=${encodeURIComponent(videoId)}`, {
					method: 'POST',
					headers: { ...this.auth, 'content-type': /\.png$/i.test(post.thumbnailPath) ? 'image/png' : 'image/jpeg' },
					body: { path: post.thumbnailPath, start: 0, end: (await stat(post.thumbnailPath)).size - 1 },
				});
			} catch (err) {
				notes.push(`thumbnail not set: ${(err as Error).message}`);
			}
		}

		let status: 'published' | 'processing' = 'processing';
		let raw: unknown = video;
		if (opts.waitForProcessing !== false) {
			const final = await this.poll(async () => {
				const s = await this.status(videoId);
				return s.state === 'processing' ? undefined : s;
			});
			if (final?.state === 'failed') {
				throw new PublishFailedError(`YouTube: video ${videoId} was uploaded but failed processing: ${final.error}`, this.platform, final.error ?? 'failed', videoId);
			}
			if (final) {
				status = 'published';
				raw = final.raw;
			} else notes.push(`still processing after ${this.maxWaitMs} ms: poll status(${videoId})`);
		}
		return {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			ref: videoId,
			platformPostId: videoId,
			url: this.watchUrl(videoId),
			status,
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			publishedAt: new Date().toISOString(),
			notes,
			raw,
		};
	}

	private async startSession(post: PublishPost, size: number, text: { title?: string; text: string; tags?: string[] }, privacy: string): Promise<string> {
		const res = await this.call<unknown>('safe', `${this.baseUrl}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
			method: 'POST',
			headers: {
				...this.auth,
				'content-type': 'application/json; charset=UTF-8',
				'x-upload-content-length': String(size),
				'x-upload-content-type': post.mimeType,
			},
			json: {
				snippet: { title: text.title, description: text.text, tags: text.tags, categoryId: this.yt.categoryId ?? '22' },
				status: { privacyStatus: privacy, selfDeclaredMadeForKids: false, containsSyntheticMedia: this.yt.containsSyntheticMedia ?? true },
			},
		});
		return assertHttpUrl(res.headers.get('location'), 'the upload session (Location header)', this.platform);
	}

	/** Where the session stands: complete (with the video), bytes received so far, or gone. */
	private async querySession(sessionUri: string, size: number): Promise<SessionState> {
		try {
			const res = await this.call<YouTubeVideo>('safe', sessionUri, {
				method: 'PUT',
				headers: { ...this.sessionHeaders(sessionUri), 'content-range': `bytes */${size}` },
				body: Buffer.alloc(0),
				accept: [308],
			});
			if (res.status === 308) return { done: false, received: receivedFromRange(res.headers.get('range')) };
			return { done: true, video: res.body };
		} catch (err) {
			if (err instanceof ProviderCallError && (err.status === 404 || err.status === 410)) return { gone: true };
			throw err;
		}
	}

	/** Uploads from wherever the session stands to the end; returns the video, or `gone` when the session expired. */
	private async upload(sessionUri: string, path: string, size: number, mimeType: string, opts: PublishOptions): Promise<{ video: YouTubeVideo } | { gone: true }> {
		let offset = 0;
		let failures = 0;
		for (;;) {
			if (offset >= size) {
				// Every byte was sent but the answer was lost: the session says whether the video exists.
				const s = await this.querySession(sessionUri, size);
				if ('gone' in s) return s;
				if (s.done) return { video: s.video };
				offset = s.received;
				continue;
			}
			const end = Math.min(offset + this.chunkBytes, size) - 1;
			try {
				const res = await this.sendOnce<YouTubeVideo>(sessionUri, {
					method: 'PUT',
					headers: { ...this.sessionHeaders(sessionUri), 'content-type': mimeType, 'content-range': `bytes ${offset}-${end}/${size}` },
					body: { path, start: offset, end },
					accept: [308],
				});
				if (res.status !== 308) return { video: res.body };
				const received = receivedFromRange(res.headers.get('range'));
				if (received <= offset) {
					if (++failures >= this.maxUploadAttempts) {
						throw new ProviderCallError(`YouTube: the session accepted none of ${failures} chunks at byte ${offset}; nothing was published`, this.platform, 308, true, 'server');
					}
				} else failures = 0;
				offset = received;
				opts.onProgress?.(offset, size);
			} catch (err) {
				if (err instanceof ProviderCallError && (err.status === 404 || err.status === 410)) return { gone: true };
				const resumable =
					err instanceof ProviderCallError &&
					(err.kind === 'network' || err.kind === 'timeout' || err.kind === 'server' || err.kind === 'rate_limited' || (err.status !== null && err.status >= 500));
				if (!resumable) throw err;
				failures++;
				if (failures >= this.maxUploadAttempts) {
					throw new ProviderCallError(
						`YouTube: the upload failed ${failures} times in a row without progress (${(err as Error).message}); the session ${sessionUri.replace(/upload_id=[^&]+/, 'upload_id=…')} can be resumed later`,
						this.platform,
						(err as ProviderCallError).status,
						// The session makes at most one video and the last answer is unknown: ask before posting again.
						false,
						'network',
					);
				}
				const wait = (err as ProviderCallError).retryAfterSeconds;
				await sleep(wait !== undefined ? wait * 1000 : Math.min((this.opts.retryBaseDelayMs ?? 500) * 2 ** (failures - 1), 8000));
				// Ask where to continue: the server keeps what it received before the break.
				const s = await this.querySession(sessionUri, size);
				if ('gone' in s) return s;
				if (s.done) return { video: s.video };
				offset = s.received;
				opts.onProgress?.(offset, size);
			}
		}
	}

	async status(ref: string): Promise<PublishStatus> {
		const video = await this.getVideo(ref, 'status,processingDetails');
		if (!video) return { state: 'failed', ref, error: `YouTube has no video ${ref} (deleted, or never created)` };
		const up = video.status?.uploadStatus;
		const url = this.watchUrl(ref);
		if (up === 'processed') return { state: 'published', ref, platformPostId: ref, url, raw: video };
		if (up === 'failed') return { state: 'failed', ref, platformPostId: ref, error: `processing failed: ${video.status?.failureReason ?? video.processingDetails?.processingFailureReason ?? 'unknown'}`, raw: video };
		if (up === 'rejected') return { state: 'failed', ref, platformPostId: ref, error: `rejected: ${video.status?.rejectionReason ?? 'unknown'}`, raw: video };
		if (up === 'deleted') return { state: 'failed', ref, platformPostId: ref, error: 'deleted', raw: video };
		return { state: 'processing', ref, platformPostId: ref, url, raw: video };
	}

	private async getVideo(id: string, part: string): Promise<YouTubeVideo | null> {
		if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ValidationError(`not a YouTube video id: ${id.slice(0, 80)}`, 'ref');
		const res = await this.call<ListResponse<YouTubeVideo>>('safe', `${this.baseUrl}/youtube/v3/videos?part=${part}&id=${encodeURIComponent(id)}`, { method: 'GET', headers: this.auth });
		return res.body.items?.[0] ?? null;
	}

	private existing(video: YouTubeVideo, matchedBy: ExistingPost['matchedBy']): ExistingPost {
		const id = String(video.id);
		const up = video.status?.uploadStatus;
		const state = up === 'processed' ? 'published' : up === 'failed' || up === 'rejected' || up === 'deleted' ? 'failed' : 'processing';
		return { platform: this.platform, ref: id, platformPostId: id, url: this.watchUrl(id), state, matchedBy, raw: video };
	}

	/**
	 * 1. checkpoint videoId → videos.list; 2. session URI → `bytes *\/TOTAL` (complete: the video;
	 * incomplete: null, nothing was made); 3. the channel's latest uploads, matched by the marker tag
	 * or the description fingerprint.
	 */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		const h = q.checkpoint?.handles ?? {};
		if (neverReachedPublishing(q.checkpoint)) return null;
		if (h.videoId) {
			const v = await this.getVideo(h.videoId, 'snippet,status');
			if (v) return this.existing(v, 'handle');
		}
		if (h.sessionUri && q.checkpoint) {
			const s = await this.querySession(h.sessionUri, q.checkpoint.sizeBytes);
			if ('done' in s && s.done && s.video?.id) return this.existing(s.video, 'handle');
			// Incomplete: the session makes the video only with its last byte, so none exists.
			if ('done' in s && !s.done) return null;
		}
		const marker = q.checkpoint?.marker ?? idempotencyMarker(q.idempotencyKey);
		const fingerprint = this.queryFingerprint(q);
		for (const v of await this.recentUploads()) {
			if (v.snippet?.tags?.includes(marker)) return this.existing(v, 'marker');
			if (fingerprint && v.snippet?.description !== undefined && captionFingerprint(v.snippet.description) === fingerprint) return this.existing(v, 'caption');
		}
		return this.absentAfterListing(q, 'the channel’s latest uploads');
	}

	/** The newest 50 videos of the channel's uploads playlist (private and processing ones included for the owner). */
	private async recentUploads(): Promise<YouTubeVideo[]> {
		const ch = await this.call<ListResponse<{ contentDetails?: { relatedPlaylists?: { uploads?: string } } }>>('safe', `${this.baseUrl}/youtube/v3/channels?part=contentDetails&mine=true`, {
			method: 'GET',
			headers: this.auth,
		});
		const uploads = ch.body.items?.[0]?.contentDetails?.relatedPlaylists?.uploads;
		if (!uploads) return [];
		const items = await this.call<ListResponse<{ contentDetails?: { videoId?: string } }>>(
			'safe',
			`${this.baseUrl}/youtube/v3/playlistItems?part=contentDetails&maxResults=50&playlistId=${encodeURIComponent(uploads)}`,
			{ method: 'GET', headers: this.auth },
		);
		const ids = (items.body.items ?? []).map((i) => i.contentDetails?.videoId).filter((x): x is string => Boolean(x));
		if (!ids.length) return [];
		const videos = await this.call<ListResponse<YouTubeVideo>>('safe', `${this.baseUrl}/youtube/v3/videos?part=snippet,status&id=${ids.map(encodeURIComponent).join(',')}`, {
			method: 'GET',
			headers: this.auth,
		});
		return videos.body.items ?? [];
	}

	async metrics(platformPostId: string): Promise<PostMetrics> {
		const v = await this.getVideo(platformPostId, 'statistics');
		if (!v) throw new ProviderCallError(`YouTube has no video ${platformPostId}`, this.platform, 404, true, 'bad_request');
		const s = v.statistics ?? {};
		return {
			views: num(s.viewCount),
			likes: num(s.likeCount),
			comments: num(s.commentCount),
			shares: null,
			fetchedAt: new Date().toISOString(),
			note: 'the Data API reports no share count',
			raw: v,
		};
	}
}

/** "bytes=0-N" → N+1 bytes received; no header → 0 (nothing received yet). */
export function receivedFromRange(range: string | null): number {
	const m = /bytes=(\d+)-(\d+)/.exec(range ?? '');
	return m ? Number(m[2]) + 1 : 0;
}
