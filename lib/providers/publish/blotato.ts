/**
 * Blotato (base https://backend.blotato.com/v2, header `blotato-api-key`): one API in front of the
 * social platforms; it pulls the video from a public URL.
 *
 *   accounts  GET /users/me/accounts?platform= → {items[{id, platform, fullname, username}]}
 *   post      POST /posts {post{accountId, content{text, mediaUrls[], platform}, target{targetType, …}},
 *             scheduledTime?} → {postSubmissionId} (30 requests/min)
 *   status    GET /posts/{postSubmissionId} → {postSubmissionId, status in-progress|scheduled|published|failed,
 *             publicUrl?, errorMessage?}. Blotato answers in-progress for ANY id it has no record of,
 *             so only an id from its own create answer means something.
 *
 * Target fields: tiktok {privacyLevel, disabledComments, disabledDuet, disabledStitch, isBrandedContent,
 * isYourBrand, isAiGenerated}; youtube {title, privacyStatus, shouldNotifySubscribers,
 * containsSyntheticMedia}; instagram {mediaType:"reel"}; linkedin {}.
 *
 * Blotato documents no way to list posts, and `POST /posts` is the step that posts: when its answer
 * is lost there is no handle to ask with, so `findExisting` throws PublishUnverifiableError (hold
 * for a person; Blotato's dashboard shows the post). The postSubmissionId, once answered, resolves
 * everything later. Blotato reports no engagement metrics here: `metrics` returns nulls.
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import {
	neverReachedPublishing,
	PublishFailedError,
	PublishUnverifiableError,
	RemotePublisher,
	youtubeTitle,
	type ExistingPost,
	type FindQuery,
	type PostMetrics,
	type PublishOptions,
	type PublishPost,
	type PublishResult,
	type PublishStatus,
	type RemotePublisherOptions,
	type SocialPlatform,
} from './types';

export const BLOTATO_BASE_URL = 'https://backend.blotato.com/v2';
export const BLOTATO_TARGETS: readonly SocialPlatform[] = ['tiktok', 'instagram', 'youtube', 'linkedin'];

export interface BlotatoOptions extends RemotePublisherOptions {
	/** Where Blotato posts. */
	targetPlatform: SocialPlatform;
	/** The connected account (default: the post's accountId, else the only account of that platform). */
	accountId?: string;
}

interface BlotatoPost {
	postSubmissionId?: string;
	status?: 'in-progress' | 'scheduled' | 'published' | 'failed' | string;
	publicUrl?: string;
	errorMessage?: string;
}

function checkTarget(target: unknown): SocialPlatform {
	if (!BLOTATO_TARGETS.includes(target as SocialPlatform)) {
		throw new ValidationError(`Blotato: targetPlatform must be one of ${BLOTATO_TARGETS.join(', ')}`, 'targetPlatform');
	}
	return target as SocialPlatform;
}

const TIKTOK_PRIVACY: Record<string, string> = { public: 'PUBLIC_TO_EVERYONE', followers: 'FOLLOWER_OF_CREATOR', friends: 'MUTUAL_FOLLOW_FRIENDS', private: 'SELF_ONLY' };

export class BlotatoPublisher extends RemotePublisher {
	readonly target: SocialPlatform;

	constructor(private readonly bl: BlotatoOptions) {
		// The target platform's spec: Blotato passes the file on unchanged.
		super('blotato', 'Blotato', bl, BLOTATO_BASE_URL, checkTarget(bl?.targetPlatform));
		this.target = bl.targetPlatform;
	}

	protected override authAdvice(): string {
		return 'The API key is wrong or was revoked: re-authorise by setting a current Blotato API key (Blotato settings → API), then try again.';
	}

	private get headers() {
		return { 'blotato-api-key': this.opts.accessToken };
	}

	private textPlatform() {
		return this.target === 'youtube' ? 'youtube' : 'blotato';
	}

	private targetFields(post: PublishPost): Record<string, unknown> {
		switch (this.target) {
			case 'tiktok': {
				const privacyLevel = TIKTOK_PRIVACY[post.privacy ?? 'public'];
				if (!privacyLevel) throw new ValidationError(`TikTok (through Blotato) has no "${post.privacy}" privacy`, 'privacy');
				return {
					targetType: 'tiktok',
					privacyLevel,
					disabledComments: false,
					disabledDuet: false,
					disabledStitch: false,
					isBrandedContent: false,
					isYourBrand: false,
					isAiGenerated: true,
				};
			}
			case 'youtube': {
				const privacyStatus = post.privacy ?? 'public';
				if (!['public', 'unlisted', 'private'].includes(privacyStatus)) throw new ValidationError(`YouTube (through Blotato) has no "${privacyStatus}" privacy`, 'privacy');
				return { targetType: 'youtube', title: youtubeTitle(post), privacyStatus, shouldNotifySubscribers: false, containsSyntheticMedia: true };
			}
			case 'instagram':
				return { targetType: 'instagram', mediaType: 'reel' };
			default:
				return { targetType: 'linkedin' };
		}
	}

	private async accountFor(post: PublishPost): Promise<string> {
		const given = post.accountId ?? this.bl.accountId;
		if (given) return given;
		const res = await this.call<{ items?: { id?: string | number; platform?: string; username?: string }[] }>(
			'safe',
			`${this.baseUrl}/users/me/accounts?platform=${encodeURIComponent(this.target)}`,
			{ method: 'GET', headers: this.headers },
		);
		const items = (res.body.items ?? []).filter((a) => !a.platform || a.platform === this.target);
		if (items.length === 1 && items[0].id !== undefined) return String(items[0].id);
		if (!items.length) throw new ValidationError(`Blotato has no connected ${this.target} account: connect one in Blotato first`, 'accountId');
		throw new ValidationError(
			`Blotato has ${items.length} ${this.target} accounts (${items.map((a) => `${a.id}${a.username ? ` @${a.username}` : ''}`).join(', ')}): set accountId`,
			'accountId',
		);
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const prep = await this.prepare(post, opts, this.spec, this.textPlatform());
		if (!post.videoUrl || !/^https?:\/\//i.test(post.videoUrl)) {
			throw new ValidationError('Blotato fetches the video itself: videoUrl must be a public http(s) URL of the file', 'videoUrl');
		}
		const target = this.targetFields(post);
		await this.checkpoint(opts, post, prep, 'prepared', {});
		const accountId = await this.accountFor(post);
		// POST /posts is the step that posts, and Blotato gives no handle before it.
		await this.checkpoint(opts, post, prep, 'publishing', {});
		const res = await this.call<{ postSubmissionId?: string }>('once', `${this.baseUrl}/posts`, {
			method: 'POST',
			headers: this.headers,
			json: { post: { accountId, content: { text: prep.text.text, mediaUrls: [post.videoUrl], platform: this.target }, target } },
		});
		const id = res.body.postSubmissionId;
		if (!id) throw new ProviderCallError('Blotato accepted the post without a postSubmissionId; check the Blotato dashboard before posting again', this.platform, res.status, false, 'invalid_output');
		await this.checkpoint(opts, post, prep, 'accepted', { postSubmissionId: id });

		const notes: string[] = [];
		let final: BlotatoPost | undefined;
		if (opts.waitForProcessing !== false) {
			final = await this.poll(async () => {
				const p = await this.getPost(id);
				return p.status === 'published' || p.status === 'failed' ? p : undefined;
			});
			if (final?.status === 'failed') throw new PublishFailedError(`Blotato failed post ${id}: ${final.errorMessage ?? 'no message'}`, this.platform, final.errorMessage ?? 'failed', id);
			if (!final) notes.push(`still in progress after ${this.maxWaitMs} ms: poll status(${id})`);
		}
		return {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			ref: id,
			platformPostId: id,
			url: final?.publicUrl,
			status: final ? 'published' : 'processing',
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			publishedAt: new Date().toISOString(),
			notes,
			raw: { submission: res.body, final, target: this.target, accountId },
		};
	}

	private async getPost(id: string): Promise<BlotatoPost> {
		if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new ValidationError(`not a Blotato postSubmissionId: ${id.slice(0, 80)}`, 'ref');
		return (await this.call<BlotatoPost>('safe', `${this.baseUrl}/posts/${encodeURIComponent(id)}`, { method: 'GET', headers: this.headers })).body;
	}

	async status(ref: string): Promise<PublishStatus> {
		const p = await this.getPost(ref);
		if (p.status === 'published') return { state: 'published', ref, platformPostId: ref, url: p.publicUrl, raw: p };
		if (p.status === 'failed') return { state: 'failed', ref, error: p.errorMessage ?? 'failed', raw: p };
		return { state: 'processing', ref, platformPostId: ref, raw: p };
	}

	/** Only a postSubmissionId can be asked about; without one, hold for a person. */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		if (neverReachedPublishing(q.checkpoint)) return null;
		const id = q.checkpoint?.handles.postSubmissionId;
		if (!id) {
			throw new PublishUnverifiableError(
				`Blotato: the post for ${q.idempotencyKey} may have been submitted, but Blotato offers no way to look it up without its postSubmissionId; hold it for a person (check the Blotato dashboard and the ${this.target} account)`,
				this.platform,
			);
		}
		const s = await this.status(id);
		if (s.state === 'failed') return null;
		return { platform: this.platform, ref: id, platformPostId: id, url: s.url, state: s.state, matchedBy: 'handle', raw: s.raw };
	}

	async metrics(): Promise<PostMetrics> {
		return {
			views: null,
			likes: null,
			shares: null,
			comments: null,
			fetchedAt: new Date().toISOString(),
			note: `Blotato reports no engagement metrics through this API: read them from ${this.target} with its own publisher`,
		};
	}
}
