/**
 * A loopback Blotato API (base `${url}/v2`, header `blotato-api-key`):
 *
 *   GET  /v2/users/me/accounts?platform=  → {items[{id, platform, fullname, username}]}
 *   POST /v2/posts {post{accountId, content{text, mediaUrls[], platform}, target{targetType, …}}, scheduledTime?}
 *        → 201 {postSubmissionId}; checks the account and the target's required fields (tiktok:
 *        privacyLevel + six booleans; youtube: title, privacyStatus, shouldNotifySubscribers)
 *   GET  /v2/posts/{id}  in-progress for `processingPolls` polls, then published {publicUrl} or failed
 *        {errorMessage}; like Blotato, an id it has no record of answers in-progress (never 404)
 * Blotato fetches mediaUrls from the media host: a URL not served fails the post ("Media could not be
 * fetched"). Errors as {message}; a wrong key → 401. `publishedCount()` counts submissions not failed.
 */
import { randomUUID } from 'node:crypto';

import { HttpError, type Reply } from './openai';
import { startMediaHost, type MediaHost } from './media-host';
import { startPlatformServer, type PlatformRequest, type PlatformServer } from './youtube';

export interface BlotatoAccount {
	id: string;
	platform: string;
	fullname: string;
	username: string;
}

export interface BlotatoFakeOptions {
	apiKey: string;
	accounts?: BlotatoAccount[];
	processingPolls?: number;
	media?: MediaHost;
}

export interface FakeBlotatoSubmission {
	id: string;
	post: { accountId: string; content: { text: string; mediaUrls: string[]; platform: string }; target: Record<string, unknown> };
	status: 'in-progress' | 'published' | 'failed';
	polls: number;
	publicUrl?: string;
	errorMessage?: string;
	failWith?: string;
}

export interface BlotatoFake extends PlatformServer {
	media: MediaHost;
	/** Base URL with /v2, as the adapter takes it. */
	apiUrl: string;
	submissions: Map<string, FakeBlotatoSubmission>;
	publishedCount(): number;
	revokeKey(): void;
	failProcessingNext(message?: string): void;
}

const REQUIRED: Record<string, [string, 'string' | 'boolean'][]> = {
	tiktok: [
		['privacyLevel', 'string'],
		['disabledComments', 'boolean'],
		['disabledDuet', 'boolean'],
		['disabledStitch', 'boolean'],
		['isBrandedContent', 'boolean'],
		['isYourBrand', 'boolean'],
		['isAiGenerated', 'boolean'],
	],
	youtube: [
		['title', 'string'],
		['privacyStatus', 'string'],
		['shouldNotifySubscribers', 'boolean'],
	],
	instagram: [],
	linkedin: [],
};

export async function startBlotatoFake(opts: BlotatoFakeOptions): Promise<BlotatoFake> {
	let key: string | null = opts.apiKey;
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const accounts = opts.accounts ?? ['tiktok', 'instagram', 'youtube', 'linkedin'].map((platform, i) => ({ id: String(1000 + i), platform, fullname: 'Brand Infinity', username: `brandinfinity_${platform}` }));
	const submissions = new Map<string, FakeBlotatoSubmission>();
	const polls = opts.processingPolls ?? 1;
	let failNext: string | null = null;
	const bad = (message: string, status = 400) => new HttpError(status, { message });

	const requireKey = (req: PlatformRequest) => {
		if (!key || req.headers['blotato-api-key'] !== key) throw bad('Authorization failed - please check your credentials', 401);
	};

	const server = await startPlatformServer({
		errorBody: (status, kind) => ({ message: kind === 'rate_limit' ? 'Too many requests, please slow down' : `Internal server error (${status})` }),
		route: async (req): Promise<Reply> => {
			requireKey(req);
			const p = req.url.pathname;
			if (p === '/v2/users/me/accounts' && req.method === 'GET') {
				const platform = req.url.searchParams.get('platform');
				return { status: 200, body: { items: accounts.filter((a) => !platform || a.platform === platform) } };
			}
			if (p === '/v2/posts' && req.method === 'POST') {
				const post = ((req.body ?? {}) as { post?: FakeBlotatoSubmission['post'] }).post;
				if (!post) throw bad('body.post is required');
				const account = accounts.find((a) => a.id === String(post.accountId));
				if (!account) throw bad('Wrong Account ID');
				const platform = post.content?.platform;
				if (platform !== account.platform || post.target?.targetType !== platform) throw bad(`content.platform and target.targetType must be ${account.platform} for account ${account.id}`);
				if (typeof post.content.text !== 'string') throw bad('content.text is required');
				if (!Array.isArray(post.content.mediaUrls)) throw bad('content.mediaUrls is required');
				for (const [field, type] of REQUIRED[platform] ?? []) {
					if (typeof post.target[field] !== type) throw bad(`target.${field} is required (${type}) for ${platform}`);
				}
				const id = randomUUID();
				const sub: FakeBlotatoSubmission = { id, post, status: 'in-progress', polls: 0 };
				const urls = post.content.mediaUrls;
				if (!urls.length || !urls[0]) sub.failWith = 'URL is empty';
				else {
					const bytes = urls[0].startsWith(media.url) ? await media.read(urls[0]) : null;
					if (!bytes) sub.failWith = `Media could not be fetched from ${urls[0]}`;
				}
				if (!sub.failWith && failNext) sub.failWith = failNext;
				failNext = null;
				submissions.set(id, sub);
				return { status: 201, body: { postSubmissionId: id } };
			}
			const one = /^\/v2\/posts\/([^/]+)$/.exec(p);
			if (one && req.method === 'GET') {
				const sub = submissions.get(one[1]);
				if (!sub) return { status: 200, body: { postSubmissionId: one[1], status: 'in-progress' } };
				if (sub.status === 'in-progress' && ++sub.polls > polls) {
					if (sub.failWith) {
						sub.status = 'failed';
						sub.errorMessage = sub.failWith;
					} else {
						sub.status = 'published';
						sub.publicUrl = `https://www.${sub.post.content.platform}.com/p/${sub.id.slice(0, 8)}`;
					}
				}
				return {
					status: 200,
					body: {
						postSubmissionId: sub.id,
						status: sub.status,
						...(sub.publicUrl ? { publicUrl: sub.publicUrl } : {}),
						...(sub.errorMessage ? { errorMessage: sub.errorMessage } : {}),
					},
				};
			}
			throw bad(`Cannot ${req.method} ${p}`, 404);
		},
	});

	return {
		...server,
		media,
		apiUrl: `${server.url}/v2`,
		submissions,
		publishedCount: () => [...submissions.values()].filter((s) => s.status !== 'failed' && !s.failWith).length,
		revokeKey() {
			key = null;
		},
		failProcessingNext(message = 'Invalid Video Dimensions') {
			failNext = message;
		},
		async close() {
			await server.close();
			if (ownMedia) await media.close();
		},
	};
}
