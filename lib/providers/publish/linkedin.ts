/**
 * LinkedIn video posts (Videos API + Posts API; headers Authorization: Bearer, LinkedIn-Version: YYYYMM,
 * X-Restli-Protocol-Version: 2.0.0):
 *
 *   init      POST /rest/videos?action=initializeUpload {initializeUploadRequest{owner, fileSizeBytes,
 *             uploadCaptions:false, uploadThumbnail:false}} → value{video (urn:li:video:…), uploadToken,
 *             uploadUrlsExpireAt, uploadInstructions[{uploadUrl, firstByte, lastByte}]}
 *   parts     PUT each byte range to its uploadUrl (application/octet-stream) → 200 + ETag (collected in order)
 *   finalize  POST /rest/videos?action=finalizeUpload {finalizeUploadRequest{video, uploadToken, uploadedPartIds}}
 *   poll      GET /rest/videos/{urn} → status WAITING_UPLOAD | PROCESSING | AVAILABLE | PROCESSING_FAILED
 *   post      POST /rest/posts {author, commentary, visibility, distribution{feedDistribution:"MAIN_FEED"},
 *             content{media{id, title}}, lifecycleState:"PUBLISHED"} → 201, the post URN in `x-restli-id` ⚠
 *   list      GET /rest/posts?author={urn}&q=author&count=…&sortBy=LAST_MODIFIED (needs r_member_social or
 *             r_organization_social)
 *   metrics   GET /rest/socialActions/{post urn} → likesSummary.totalLikes, commentsSummary.aggregatedTotalComments
 *   errors    {status, serviceErrorCode, code, message}; an expired token is 401 (EXPIRED_ACCESS_TOKEN)
 *
 * Nothing is posted until `POST /rest/posts`; parts are re-sent freely. A finalize whose answer was
 * lost is resolved by the video's status (WAITING_UPLOAD: finalize again). A post call whose answer
 * was lost is resolved by the author's posts holding this video URN (a video is used once), or
 * surfaced with `outcomeKnown: false`. Commentary is in LinkedIn's "little text" format (reserved
 * characters escaped, hashtags as {hashtag|\#|tag}).
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import {
	assertHttpUrl,
	captionFingerprint,
	neverReachedPublishing,
	PublishFailedError,
	PublishUnverifiableError,
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

export const LINKEDIN_BASE_URL = 'https://api.linkedin.com';
/** LinkedIn-Version header (YYYYMM); versions are sunset after about a year, so keep it current. */
export const DEFAULT_LINKEDIN_VERSION = '202510';

export interface LinkedInOptions extends RemotePublisherOptions {
	/** urn:li:person:… or urn:li:organization:… (the post's author and the video's owner). */
	authorUrn: string;
	linkedinVersion?: string;
	/** finalizeUpload attempts after LinkedIn says the video still waits for it. Default 3. */
	maxFinalizeAttempts?: number;
}

interface UploadInstruction {
	uploadUrl?: string;
	firstByte?: number;
	lastByte?: number;
}

interface LinkedInVideo {
	id?: string;
	status?: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED' | string;
	processingFailureReason?: string;
	owner?: string;
}

interface LinkedInPost {
	id?: string;
	author?: string;
	commentary?: string;
	lifecycleState?: string;
	content?: { media?: { id?: string; title?: string } };
}

const enc = encodeURIComponent;

export class LinkedInPublisher extends RemotePublisher {
	private readonly authorUrn: string;
	private readonly version: string;

	constructor(private readonly li: LinkedInOptions) {
		super('linkedin', 'LinkedIn', li, LINKEDIN_BASE_URL, 'linkedin');
		if (!li.authorUrn || !/^urn:li:(person|organization|organizationBrand):[A-Za-z0-9_-]+$/.test(li.authorUrn)) {
			throw new ValidationError('LinkedIn needs authorUrn (urn:li:person:… or urn:li:organization:…)', 'authorUrn');
		}
		this.authorUrn = li.authorUrn;
		this.version = li.linkedinVersion ?? DEFAULT_LINKEDIN_VERSION;
		if (!/^\d{6}(\.\d{2})?$/.test(this.version)) throw new ValidationError('LinkedIn: linkedinVersion is YYYYMM', 'linkedinVersion');
	}

	private get headers() {
		return { authorization: `Bearer ${this.opts.accessToken}`, 'linkedin-version': this.version, 'x-restli-protocol-version': '2.0.0' };
	}

	private postUrl(urn: string): string {
		return `https://www.linkedin.com/feed/update/${urn}/`;
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const prep = await this.prepare(post, opts);
		const visibility = post.privacy === undefined || post.privacy === 'public' ? 'PUBLIC' : post.privacy === 'followers' || post.privacy === 'friends' ? 'CONNECTIONS' : null;
		if (!visibility) throw new ValidationError(`LinkedIn has no "${post.privacy}" posts (public, followers or friends)`, 'privacy');
		await this.checkpoint(opts, post, prep, 'prepared', {});

		const init = await this.call<{ value?: { video?: string; uploadToken?: string; uploadInstructions?: UploadInstruction[] } }>(
			'safe',
			`${this.baseUrl}/rest/videos?action=initializeUpload`,
			{
				method: 'POST',
				headers: this.headers,
				json: { initializeUploadRequest: { owner: this.authorUrn, fileSizeBytes: prep.size, uploadCaptions: false, uploadThumbnail: false } },
			},
		);
		const videoUrn = init.body.value?.video;
		const instructions = init.body.value?.uploadInstructions ?? [];
		if (!videoUrn || !instructions.length) throw new ProviderCallError('LinkedIn: initializeUpload answered without a video or upload instructions', this.platform, null, true, 'invalid_output');
		await this.checkpoint(opts, post, prep, 'uploading', { videoUrn });

		const etags: string[] = [];
		for (const [i, ins] of instructions.entries()) {
			etags.push(await this.uploadPart(ins, i, instructions.length, post.videoPath, prep.size));
			opts.onProgress?.(Number(ins.lastByte) + 1, prep.size);
		}
		await this.finalize(videoUrn, init.body.value?.uploadToken ?? '', etags);

		const ready = await this.poll(async () => {
			const v = await this.video(videoUrn);
			return v.status === 'AVAILABLE' || v.status === 'PROCESSING_FAILED' ? v : undefined;
		});
		if (!ready) throw new ProviderCallError(`LinkedIn: video ${videoUrn} is still processing after ${this.maxWaitMs} ms; nothing was posted`, this.platform, null, true, 'timeout');
		if (ready.status === 'PROCESSING_FAILED') {
			throw new PublishFailedError(`LinkedIn could not process video ${videoUrn} (${ready.processingFailureReason ?? 'no reason given'}); nothing was posted`, this.platform, ready.processingFailureReason ?? 'PROCESSING_FAILED');
		}

		await this.checkpoint(opts, post, prep, 'publishing', { videoUrn });
		const body = {
			author: this.authorUrn,
			commentary: prep.text.text,
			visibility,
			distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
			content: { media: { id: videoUrn, ...(post.title ? { title: post.title.slice(0, 400) } : {}) } },
			lifecycleState: 'PUBLISHED',
			isReshareDisabledByAuthor: false,
		};
		const notes: string[] = [];
		let postUrn: string | undefined;
		try {
			const res = await this.call<unknown>('once', `${this.baseUrl}/rest/posts`, { method: 'POST', headers: this.headers, json: body });
			postUrn = res.headers.get('x-restli-id') ?? res.headers.get('x-linkedin-id') ?? undefined;
			if (!postUrn) throw new ProviderCallError('LinkedIn: the post was created without an x-restli-id header', this.platform, res.status, false, 'invalid_output');
		} catch (err) {
			if (!(err instanceof ProviderCallError) || err.outcomeKnown) throw err;
			// The answer was lost: does the author have a post holding this video?
			const found = await this.postWithVideo(videoUrn).catch(() => undefined);
			if (!found?.id) {
				throw new ProviderCallError(
					`LinkedIn: creating the post ended without an answer (${err.message}) and no post with ${videoUrn} is listed yet; not re-sent: call findExisting later`,
					this.platform,
					err.status,
					false,
					err.kind,
				);
			}
			notes.push(`creating the post ended without an answer (${err.message}); the author's posts hold it`);
			postUrn = found.id;
		}
		await this.checkpoint(opts, post, prep, 'accepted', { videoUrn, postUrn });
		return {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			ref: postUrn,
			platformPostId: postUrn,
			url: this.postUrl(postUrn),
			status: 'published',
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			publishedAt: new Date().toISOString(),
			notes,
			raw: { postUrn, videoUrn },
		};
	}

	/** One part; re-sent after a failure (the upload publishes nothing). Returns its ETag. */
	private async uploadPart(ins: UploadInstruction, index: number, count: number, path: string, size: number): Promise<string> {
		const url = assertHttpUrl(ins.uploadUrl, `upload URL of part ${index + 1}`, this.platform);
		const first = Number(ins.firstByte);
		const last = Number(ins.lastByte);
		if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last < first || last >= size) {
			throw new ProviderCallError(`LinkedIn: part ${index + 1} has an invalid byte range ${ins.firstByte}-${ins.lastByte}`, this.platform, null, true, 'invalid_output');
		}
		const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin;
		for (let attempt = 1; ; attempt++) {
			try {
				const res = await this.sendOnce(url, {
					method: 'PUT',
					headers: { 'content-type': 'application/octet-stream', ...(sameOrigin ? { authorization: `Bearer ${this.opts.accessToken}` } : {}) },
					body: { path, start: first, end: last },
				});
				const etag = res.headers.get('etag');
				if (!etag) throw new ProviderCallError(`LinkedIn: part ${index + 1} was accepted without an ETag`, this.platform, res.status, true, 'invalid_output');
				return etag;
			} catch (err) {
				const retryable =
					err instanceof ProviderCallError && (err.kind === 'network' || err.kind === 'timeout' || err.kind === 'server' || err.kind === 'rate_limited');
				if (!retryable || attempt >= this.maxUploadAttempts) {
					if (err instanceof ProviderCallError && retryable) {
						throw new ProviderCallError(`LinkedIn: part ${index + 1}/${count} failed ${attempt} times (${err.message}); nothing was posted`, this.platform, err.status, true, err.kind);
					}
					throw err;
				}
				const wait = (err as ProviderCallError).retryAfterSeconds;
				await sleep(wait !== undefined ? wait * 1000 : Math.min((this.opts.retryBaseDelayMs ?? 500) * 2 ** (attempt - 1), 8000));
			}
		}
	}

	/** finalizeUpload; an unknown outcome is resolved by the video's status, never by a blind re-send. */
	private async finalize(videoUrn: string, uploadToken: string, etags: string[]): Promise<void> {
		const max = Math.max(1, this.li.maxFinalizeAttempts ?? 3);
		for (let attempt = 1; ; attempt++) {
			try {
				await this.call('once', `${this.baseUrl}/rest/videos?action=finalizeUpload`, {
					method: 'POST',
					headers: this.headers,
					json: { finalizeUploadRequest: { video: videoUrn, uploadToken, uploadedPartIds: etags } },
				});
				return;
			} catch (err) {
				if (!(err instanceof ProviderCallError) || err.outcomeKnown) throw err;
				const v = await this.video(videoUrn);
				if (v.status === 'PROCESSING' || v.status === 'AVAILABLE' || v.status === 'PROCESSING_FAILED') return;
				if (v.status !== 'WAITING_UPLOAD' || attempt >= max) {
					throw new ProviderCallError(`LinkedIn: finalizeUpload ended without an answer (${err.message}) and the video is ${v.status ?? 'unknown'}; nothing was posted`, this.platform, err.status, true, err.kind);
				}
			}
		}
	}

	private async video(urn: string): Promise<LinkedInVideo> {
		return (await this.call<LinkedInVideo>('safe', `${this.baseUrl}/rest/videos/${enc(urn)}`, { method: 'GET', headers: this.headers })).body;
	}

	private async recentPosts(): Promise<LinkedInPost[]> {
		const res = await this.call<{ elements?: LinkedInPost[] }>('safe', `${this.baseUrl}/rest/posts?author=${enc(this.authorUrn)}&q=author&count=50&sortBy=LAST_MODIFIED`, {
			method: 'GET',
			headers: { ...this.headers, 'x-restli-method': 'FINDER' },
		});
		return res.body.elements ?? [];
	}

	private async postWithVideo(videoUrn: string): Promise<LinkedInPost | undefined> {
		return (await this.recentPosts()).find((p) => p.content?.media?.id === videoUrn);
	}

	async status(ref: string): Promise<PublishStatus> {
		if (!/^urn:li:(share|ugcPost):\d+$/.test(ref)) throw new ValidationError(`not a LinkedIn post URN: ${ref.slice(0, 80)}`, 'ref');
		try {
			const p = (await this.call<LinkedInPost>('safe', `${this.baseUrl}/rest/posts/${enc(ref)}`, { method: 'GET', headers: this.headers })).body;
			if (p.lifecycleState === 'PUBLISHED') return { state: 'published', ref, platformPostId: ref, url: this.postUrl(ref), raw: p };
			return { state: 'processing', ref, platformPostId: ref, raw: p };
		} catch (err) {
			if (err instanceof ProviderCallError && err.status === 404) return { state: 'failed', ref, error: `LinkedIn has no post ${ref} (deleted, or never created)` };
			throw err;
		}
	}

	/**
	 * 1. checkpoint postUrn → the post; 2. videoUrn → the author's posts holding that video (a video
	 * is posted once); 3. the author's posts by commentary fingerprint. The list needs
	 * r_member_social / r_organization_social: without it, PublishUnverifiableError.
	 */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		if (neverReachedPublishing(q.checkpoint)) return null;
		const h = q.checkpoint?.handles ?? {};
		if (h.postUrn) {
			const s = await this.status(h.postUrn);
			if (s.state !== 'failed') return { platform: this.platform, ref: h.postUrn, platformPostId: h.postUrn, url: this.postUrl(h.postUrn), state: s.state, matchedBy: 'handle', raw: s.raw };
		}
		let posts: LinkedInPost[];
		try {
			posts = await this.recentPosts();
		} catch (err) {
			if (err instanceof ProviderCallError && (err.status === 403 || err.status === 401)) {
				throw new PublishUnverifiableError(`LinkedIn: cannot list the author's posts (${err.message}); hold the post for a person`, this.platform);
			}
			throw err;
		}
		const fingerprint = this.queryFingerprint(q);
		const byVideo = h.videoUrn ? posts.find((p) => p.content?.media?.id === h.videoUrn) : undefined;
		const byText = !byVideo && fingerprint ? posts.find((p) => typeof p.commentary === 'string' && captionFingerprint(p.commentary) === fingerprint) : undefined;
		const hit = byVideo ?? byText;
		if (hit?.id) {
			return { platform: this.platform, ref: hit.id, platformPostId: hit.id, url: this.postUrl(hit.id), state: 'published', matchedBy: byVideo ? 'handle' : 'caption', raw: hit };
		}
		return this.absentAfterListing(q, 'the author’s latest 50 posts');
	}

	async metrics(platformPostId: string): Promise<PostMetrics> {
		const res = await this.call<{ likesSummary?: { totalLikes?: number }; commentsSummary?: { aggregatedTotalComments?: number; totalFirstLevelComments?: number } }>(
			'safe',
			`${this.baseUrl}/rest/socialActions/${enc(platformPostId)}`,
			{ method: 'GET', headers: this.headers },
		);
		const b = res.body;
		const n = (x: unknown) => (typeof x === 'number' ? x : null);
		return {
			views: null,
			likes: n(b.likesSummary?.totalLikes),
			comments: n(b.commentsSummary?.aggregatedTotalComments ?? b.commentsSummary?.totalFirstLevelComments),
			shares: null,
			fetchedAt: new Date().toISOString(),
			note: 'socialActions gives likes and comments; views and shares need the organization analytics APIs',
			raw: b,
		};
	}
}
