/**
 * Instagram Reels through the Graph API (host graph.facebook.com/v24.0; Bearer user token):
 *
 *   limit     GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config → data[{quota_usage,
 *             config{quota_total, quota_duration}}] (a rolling 24 h; read at runtime, sources differ on 25/50/100)
 *   container POST /{ig-user-id}/media {media_type:"REELS", video_url (public: Meta fetches it), caption,
 *             share_to_feed, thumb_offset?} → {id}
 *   poll      GET /{container-id}?fields=status_code,status → IN_PROGRESS | FINISHED | ERROR | EXPIRED | PUBLISHED
 *   publish   POST /{ig-user-id}/media_publish {creation_id} → {id} (the media id)
 *   media     GET /{media-id}?fields=id,permalink,timestamp; GET /{ig-user-id}/media?fields=id,caption,… (newest first)
 *   metrics   GET /{media-id}/insights?metric=views,likes,comments,shares
 *   errors    {error{message, type, code, error_subcode, fbtrace_id}}: code 190 = the token expired or was
 *             revoked (HTTP 400 or 401); 4/17/32/613 = throttled; 9 + 2207042 = the publishing limit.
 *
 * The container is the idempotency token: it becomes at most one media, and its status_code says
 * PUBLISHED once it has. So when `media_publish` ends without an answer, the adapter asks the
 * container: PUBLISHED → done (the media is found by its caption); FINISHED → certainly not
 * published, and only then is `media_publish` sent again (on the same container).
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import { HttpStatusError } from '../video/common';
import {
	captionFingerprint,
	neverReachedPublishing,
	PublishFailedError,
	RemotePublisher,
	type ExistingPost,
	type FindQuery,
	type PostMetrics,
	type PublishOptions,
	type PublishPost,
	type PublishResult,
	type PublishStatus,
	type RemotePublisherOptions,
} from './types';

export const INSTAGRAM_BASE_URL = 'https://graph.facebook.com/v24.0';

export interface InstagramOptions extends RemotePublisherOptions {
	/** The Instagram professional account's user id. */
	igUserId: string;
	/** Also show the Reel in the feed. Default true. */
	shareToFeed?: boolean;
	/** Cover frame, ms into the video. */
	thumbOffsetMs?: number;
	/** media_publish attempts on one container after the container says it is not published. Default 3. */
	maxPublishAttempts?: number;
}

interface GraphError {
	error?: { message?: string; type?: string; code?: number; error_subcode?: number; is_transient?: boolean; fbtrace_id?: string };
}

interface Container {
	id?: string;
	status_code?: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED' | string;
	status?: string;
}

interface Media {
	id?: string;
	caption?: string;
	permalink?: string;
	timestamp?: string;
	media_product_type?: string;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613]);
const CONTAINER_PREFIX = 'container:';

export class InstagramPublisher extends RemotePublisher {
	private readonly igUserId: string;

	constructor(private readonly ig: InstagramOptions) {
		super('instagram', 'Instagram', ig, INSTAGRAM_BASE_URL, 'instagram');
		if (!ig.igUserId || !/^\d+$/.test(ig.igUserId)) throw new ValidationError('Instagram needs igUserId (the numeric Instagram user id)', 'igUserId');
		this.igUserId = ig.igUserId;
	}

	private get auth() {
		return { authorization: `Bearer ${this.opts.accessToken}` };
	}

	/** Meta answers most errors with HTTP 400 and a code: give them their HTTP meaning. */
	protected refineHttpError(err: HttpStatusError): HttpStatusError {
		const e = (err.body as GraphError | undefined)?.error;
		if (!e || typeof e.code !== 'number') return err;
		const text = `${e.type ?? 'GraphError'} ${e.code}${e.error_subcode ? `/${e.error_subcode}` : ''}: ${e.message ?? ''}`;
		if (e.code === 190 || e.code === 102) return new HttpStatusError(401, text, err.headers, err.body);
		if (e.code === 9 && e.error_subcode === 2207042) {
			return new HttpStatusError(400, `the Instagram publishing limit (posts per 24 h) is reached: ${text}`, err.headers, err.body);
		}
		if (THROTTLE_CODES.has(e.code)) return new HttpStatusError(429, text, err.headers, err.body);
		if (e.is_transient || e.code === 1 || e.code === 2) return new HttpStatusError(err.status >= 500 ? err.status : 503, text, err.headers, err.body);
		return err.status === 400 || err.status === 401 || err.status === 403 ? new HttpStatusError(err.status, text, err.headers, err.body) : err;
	}

	private get(path: string) {
		return this.call<unknown>('safe', `${this.baseUrl}/${path}`, { method: 'GET', headers: this.auth }).then((r) => r.body);
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const prep = await this.prepare(post, opts);
		if (!post.videoUrl || !/^https?:\/\//i.test(post.videoUrl)) {
			throw new ValidationError('Instagram fetches the video itself: videoUrl must be a public http(s) URL of the file', 'videoUrl');
		}
		await this.checkpoint(opts, post, prep, 'prepared', {});
		await this.assertQuota();

		const created = (await this.call<{ id?: string }>('safe', `${this.baseUrl}/${this.igUserId}/media`, {
			method: 'POST',
			headers: this.auth,
			json: {
				media_type: 'REELS',
				video_url: post.videoUrl,
				caption: prep.text.text,
				share_to_feed: this.ig.shareToFeed ?? true,
				...(this.ig.thumbOffsetMs !== undefined ? { thumb_offset: this.ig.thumbOffsetMs } : {}),
			},
		})).body;
		const containerId = created.id;
		if (!containerId) throw new ProviderCallError('Instagram: the container was answered without an id', this.platform, null, true, 'invalid_output');
		await this.checkpoint(opts, post, prep, 'uploading', { containerId });

		const ready = await this.poll(async () => {
			const c = await this.container(containerId);
			return c.status_code === 'IN_PROGRESS' || !c.status_code ? undefined : c;
		});
		if (!ready) {
			throw new ProviderCallError(
				`Instagram: container ${containerId} is still processing after ${this.maxWaitMs} ms; nothing was published`,
				this.platform,
				null,
				true,
				'timeout',
			);
		}
		if (ready.status_code === 'ERROR' || ready.status_code === 'EXPIRED') {
			throw new PublishFailedError(`Instagram could not process the video (container ${containerId} ${ready.status_code}: ${ready.status ?? 'no detail'}); nothing was published`, this.platform, ready.status ?? ready.status_code);
		}

		await this.checkpoint(opts, post, prep, 'publishing', { containerId });
		const published = await this.publishContainer(containerId, prep.fingerprint);
		await this.checkpoint(opts, post, prep, 'accepted', { containerId, ...(published.mediaId ? { mediaId: published.mediaId } : {}) });

		const notes = [...published.notes];
		let url: string | undefined;
		let raw: unknown = published.raw;
		if (published.mediaId) {
			try {
				const media = (await this.get(`${published.mediaId}?fields=id,permalink,timestamp,media_product_type`)) as Media;
				url = media.permalink;
				raw = media;
			} catch (err) {
				notes.push(`permalink not read: ${(err as Error).message}`);
			}
		}
		return {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			ref: published.mediaId ?? `${CONTAINER_PREFIX}${containerId}`,
			platformPostId: published.mediaId,
			url,
			status: 'published',
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			publishedAt: new Date().toISOString(),
			notes,
			raw,
		};
	}

	/** Refuses (known outcome) when the rolling 24 h quota is used up. */
	private async assertQuota(): Promise<void> {
		const body = (await this.get(`${this.igUserId}/content_publishing_limit?fields=quota_usage,config`)) as {
			data?: { quota_usage?: number; config?: { quota_total?: number; quota_duration?: number } }[];
		};
		const row = body.data?.[0];
		const used = row?.quota_usage;
		const total = row?.config?.quota_total;
		if (typeof used === 'number' && typeof total === 'number' && used >= total) {
			throw new ProviderCallError(
				`Instagram's publishing limit is reached (${used} of ${total} posts in ${Math.round((row?.config?.quota_duration ?? 86400) / 3600)} h); nothing was published: try again later`,
				this.platform,
				429,
				true,
				'rate_limited',
			);
		}
	}

	private async container(id: string): Promise<Container> {
		return (await this.get(`${encodeURIComponent(id)}?fields=status_code,status`)) as Container;
	}

	/** media_publish on one container; an unknown outcome is resolved by the container's status_code. */
	private async publishContainer(containerId: string, fingerprint: string): Promise<{ mediaId: string | null; notes: string[]; raw: unknown }> {
		const notes: string[] = [];
		const max = Math.max(1, this.ig.maxPublishAttempts ?? 3);
		for (let attempt = 1; ; attempt++) {
			try {
				const res = await this.call<{ id?: string }>('once', `${this.baseUrl}/${this.igUserId}/media_publish`, {
					method: 'POST',
					headers: this.auth,
					json: { creation_id: containerId },
				});
				if (!res.body.id) throw new ProviderCallError('Instagram: media_publish answered without a media id', this.platform, null, false, 'invalid_output');
				return { mediaId: res.body.id, notes, raw: res.body };
			} catch (err) {
				if (!(err instanceof ProviderCallError) || err.outcomeKnown) throw err;
				// Unknown outcome: ask the container, never publish blindly.
				const c = await this.container(containerId);
				if (c.status_code === 'PUBLISHED') {
					notes.push(`media_publish ended without an answer (${err.message}); the container says PUBLISHED`);
					const media = await this.findMediaByFingerprint(fingerprint);
					if (!media?.id) notes.push('the media id was not found in the latest media; ref is the container');
					return { mediaId: media?.id ?? null, notes, raw: media ?? c };
				}
				if (c.status_code !== 'FINISHED' || attempt >= max) {
					throw new ProviderCallError(
						`Instagram: media_publish ended without an answer (${err.message}) and container ${containerId} is ${c.status_code ?? 'unknown'}; not re-sent: call findExisting later`,
						this.platform,
						err.status,
						false,
						err.kind,
					);
				}
				notes.push(`media_publish ended without an answer (${err.message}); the container says FINISHED (not published), so it was sent again`);
			}
		}
	}

	private async recentMedia(): Promise<Media[]> {
		const body = (await this.get(`${this.igUserId}/media?fields=id,caption,permalink,timestamp,media_product_type&limit=25`)) as { data?: Media[] };
		return body.data ?? [];
	}

	private async findMediaByFingerprint(fingerprint: string): Promise<Media | undefined> {
		return (await this.recentMedia()).find((m) => typeof m.caption === 'string' && captionFingerprint(m.caption) === fingerprint);
	}

	async status(ref: string): Promise<PublishStatus> {
		if (ref.startsWith(CONTAINER_PREFIX)) {
			const c = await this.container(ref.slice(CONTAINER_PREFIX.length));
			if (c.status_code === 'PUBLISHED') return { state: 'published', ref, platformPostId: null, raw: c };
			if (c.status_code === 'ERROR' || c.status_code === 'EXPIRED') return { state: 'failed', ref, error: `${c.status_code}: ${c.status ?? ''}`, raw: c };
			return { state: 'processing', ref, raw: c };
		}
		if (!/^\d+$/.test(ref)) throw new ValidationError(`not an Instagram media id: ${ref.slice(0, 80)}`, 'ref');
		try {
			const m = (await this.get(`${ref}?fields=id,permalink,timestamp,media_product_type`)) as Media;
			return { state: 'published', ref, platformPostId: ref, url: m.permalink, raw: m };
		} catch (err) {
			if (err instanceof ProviderCallError && err.status === 400) return { state: 'failed', ref, error: `Instagram has no media ${ref}: ${err.message}` };
			throw err;
		}
	}

	/**
	 * 1. checkpoint mediaId → the media; 2. containerId → its status_code (PUBLISHED: the media,
	 * found by caption; anything else: not published → null); 3. the account's latest media by
	 * caption fingerprint.
	 */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		if (neverReachedPublishing(q.checkpoint)) return null;
		const h = q.checkpoint?.handles ?? {};
		const fingerprint = this.queryFingerprint(q);
		if (h.mediaId) {
			const s = await this.status(h.mediaId);
			if (s.state === 'published') return { platform: this.platform, ref: h.mediaId, platformPostId: h.mediaId, url: s.url, state: 'published', matchedBy: 'handle', raw: s.raw };
		}
		if (h.containerId) {
			let c: Container | undefined;
			try {
				c = await this.container(h.containerId);
			} catch (err) {
				if (!(err instanceof ProviderCallError && err.status === 400)) throw err;
			}
			if (c?.status_code === 'PUBLISHED') {
				const media = fingerprint ? await this.findMediaByFingerprint(fingerprint) : undefined;
				return {
					platform: this.platform,
					ref: media?.id ?? `${CONTAINER_PREFIX}${h.containerId}`,
					platformPostId: media?.id ?? null,
					url: media?.permalink,
					state: 'published',
					matchedBy: 'handle',
					raw: media ?? c,
				};
			}
			// The container says it was not published (and a container makes at most one media).
			if (c?.status_code) return null;
		}
		if (!fingerprint) return this.absentAfterListing(q, 'nothing to match (no caption and no handles)');
		const media = await this.findMediaByFingerprint(fingerprint);
		if (media?.id) return { platform: this.platform, ref: media.id, platformPostId: media.id, url: media.permalink, state: 'published', matchedBy: 'caption', raw: media };
		return this.absentAfterListing(q, 'the account’s latest 25 media');
	}

	async metrics(platformPostId: string): Promise<PostMetrics> {
		if (!/^\d+$/.test(platformPostId)) throw new ValidationError(`not an Instagram media id: ${platformPostId.slice(0, 80)}`, 'platformPostId');
		const body = (await this.get(`${platformPostId}/insights?metric=views,likes,comments,shares`)) as { data?: { name?: string; values?: { value?: number }[]; total_value?: { value?: number } }[] };
		const value = (name: string): number | null => {
			const row = body.data?.find((d) => d.name === name);
			const v = row?.values?.[0]?.value ?? row?.total_value?.value;
			return typeof v === 'number' ? v : null;
		};
		return { views: value('views'), likes: value('likes'), comments: value('comments'), shares: value('shares'), fetchedAt: new Date().toISOString(), raw: body };
	}
}
