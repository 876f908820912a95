/**
 * A loopback LinkedIn REST API for video posts, with the part uploads on a second host (as LinkedIn
 * hands out www.linkedin.com/dms-uploads/… URLs):
 *
 *   every /rest call: Authorization Bearer, LinkedIn-Version YYYYMM and X-Restli-Protocol-Version 2.0.0
 *   POST /rest/videos?action=initializeUpload {initializeUploadRequest{owner, fileSizeBytes, uploadCaptions,
 *        uploadThumbnail}} → value{video, uploadToken, uploadUrlsExpireAt, uploadInstructions[{uploadUrl,
 *        firstByte, lastByte}]} in parts of `partSize` (LinkedIn uses 4 MiB); the owner must be the author
 *   PUT  {uploadUrl}  the exact bytes of the part → 201 + ETag (a broken connection stores nothing)
 *   POST /rest/videos?action=finalizeUpload {finalizeUploadRequest{video, uploadToken, uploadedPartIds}}
 *        → 200; the ETags must be every part's, in order; the video goes WAITING_UPLOAD → PROCESSING
 *   GET  /rest/videos/{urn}  PROCESSING for `processingPolls` polls, then AVAILABLE (or PROCESSING_FAILED)
 *   POST /rest/posts {author, commentary (≤3000), visibility, distribution, content{media{id}}, lifecycleState}
 *        → 201 with the post URN in x-restli-id (the video must be AVAILABLE and the author's)
 *   GET  /rest/posts?author=&q=author&count=  newest first (403 when `listAllowed` is false)
 *   GET  /rest/posts/{urn} · GET /rest/socialActions/{urn}
 * Errors as {status, serviceErrorCode, code, message}: an expired token is 401 EXPIRED_ACCESS_TOKEN.
 * `publishedCount()` counts posts made.
 */
import { createHash, randomBytes } from 'node:crypto';

import { HttpError, type Reply } from './openai';
import { bearer, startPlatformServer, type PlatformRequest, type PlatformServer } from './youtube';

export interface LinkedInFakeOptions {
	token: string;
	authorUrn: string;
	/** Bytes per upload part. Default 4 MiB. */
	partSize?: number;
	processingPolls?: number;
	/** The token may read the author's posts (r_member_social / r_organization_social). Default true. */
	listAllowed?: boolean;
}

export interface FakeLinkedInVideo {
	urn: string;
	key: string;
	owner: string;
	size: number;
	uploadToken: string;
	parts: { first: number; last: number; etag?: string; bytes?: Buffer }[];
	status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
	failWith?: string;
	polls: number;
}

export interface FakeLinkedInPost {
	id: string;
	author: string;
	commentary: string;
	visibility: string;
	content: { media?: { id?: string; title?: string } };
	lifecycleState: string;
	createdAt: number;
	likes: number;
	comments: number;
}

export interface LinkedInFake extends PlatformServer {
	upload: PlatformServer;
	videos: Map<string, FakeLinkedInVideo>;
	posts: Map<string, FakeLinkedInPost>;
	publishedCount(): number;
	expireToken(): void;
	failProcessingNext(reason?: string): void;
	setSocial(postUrn: string, m: { likes?: number; comments?: number }): void;
}

/** A post as the API shows it (without the fake's engagement counters). */
const publicPost = (p: FakeLinkedInPost) => ({ id: p.id, author: p.author, commentary: p.commentary, visibility: p.visibility, content: p.content, lifecycleState: p.lifecycleState, createdAt: p.createdAt });

const liError = (status: number, code: string, message: string, serviceErrorCode = 100) => new HttpError(status, { status, serviceErrorCode, code, message });

export async function startLinkedInFake(opts: LinkedInFakeOptions): Promise<LinkedInFake> {
	let token: string | null = opts.token;
	const partSize = opts.partSize ?? 4 * 1024 * 1024;
	const polls = opts.processingPolls ?? 1;
	const videos = new Map<string, FakeLinkedInVideo>();
	const byKey = new Map<string, FakeLinkedInVideo>();
	const posts = new Map<string, FakeLinkedInPost>();
	let failNext: string | null = null;
	let uploadBase = '';
	let seq = 7_300_000_000_000_000_000n;

	const check = (req: PlatformRequest) => {
		if (!token || bearer(req) !== token) throw liError(401, 'EXPIRED_ACCESS_TOKEN', 'The token used in the request has expired', 65601);
		if (!/^\d{6}(\.\d{2})?$/.test(String(req.headers['linkedin-version'] ?? ''))) throw liError(400, 'VERSION_MISSING', 'A version must be present. Please specify a version by adding the LinkedIn-Version header.');
		if (req.headers['x-restli-protocol-version'] !== '2.0.0') throw liError(400, 'ILLEGAL_ARGUMENT', 'X-Restli-Protocol-Version 2.0.0 is required by this fake');
	};

	const advance = (v: FakeLinkedInVideo) => {
		if (v.status !== 'PROCESSING' || ++v.polls <= polls) return;
		v.status = v.failWith ? 'PROCESSING_FAILED' : 'AVAILABLE';
	};

	const api = await startPlatformServer({
		errorBody: (status, kind) => ({ status, message: kind === 'rate_limit' ? 'Resource level throttle limit for calls to this resource is reached.' : 'Internal Server Error' }),
		route: (req): Reply => {
			check(req);
			const p = req.url.pathname;
			const q = req.url.searchParams;
			const body = (req.body ?? {}) as Record<string, Record<string, unknown>>;
			if (p === '/rest/videos' && req.method === 'POST' && q.get('action') === 'initializeUpload') {
				const r = body.initializeUploadRequest ?? {};
				if (r.owner !== opts.authorUrn) throw liError(403, 'ACCESS_DENIED', `Not enough permissions to upload for owner ${String(r.owner)}`);
				const size = Number(r.fileSizeBytes);
				if (!Number.isInteger(size) || size <= 0) throw liError(422, 'UNPROCESSABLE_ENTITY', 'fileSizeBytes must be a positive integer');
				const key = randomBytes(9).toString('base64url');
				const urn = `urn:li:video:C5F10AQ${key}`;
				const parts: FakeLinkedInVideo['parts'] = [];
				for (let first = 0; first < size; first += partSize) parts.push({ first, last: Math.min(first + partSize, size) - 1 });
				const v: FakeLinkedInVideo = { urn, key, owner: opts.authorUrn, size, uploadToken: parts.length > 1 ? randomBytes(12).toString('hex') : '', parts, status: 'WAITING_UPLOAD', polls: 0 };
				videos.set(urn, v);
				byKey.set(key, v);
				return {
					status: 200,
					body: {
						value: {
							uploadUrlsExpireAt: Date.now() + 24 * 3600_000,
							video: urn,
							uploadInstructions: parts.map((part, i) => ({ uploadUrl: `${uploadBase}/dms-uploads/${key}/uploadedVideo?part=${i}&sig=${randomBytes(6).toString('hex')}`, firstByte: part.first, lastByte: part.last })),
							uploadToken: v.uploadToken,
						},
					},
				};
			}
			if (p === '/rest/videos' && req.method === 'POST' && q.get('action') === 'finalizeUpload') {
				const r = body.finalizeUploadRequest ?? {};
				const v = videos.get(String(r.video));
				if (!v) throw liError(404, 'NOT_FOUND', `video ${String(r.video)} not found`);
				if (v.status !== 'WAITING_UPLOAD') throw liError(400, 'ILLEGAL_ARGUMENT', `video ${v.urn} is already finalized`);
				if (String(r.uploadToken ?? '') !== v.uploadToken) throw liError(400, 'ILLEGAL_ARGUMENT', 'uploadToken does not match');
				const ids = (r.uploadedPartIds ?? []) as string[];
				if (ids.length !== v.parts.length || v.parts.some((part, i) => !part.etag || part.etag !== ids[i])) {
					throw liError(400, 'ILLEGAL_ARGUMENT', 'uploadedPartIds must list the ETag of every part, in order');
				}
				v.status = 'PROCESSING';
				v.failWith = failNext ?? undefined;
				failNext = null;
				return { status: 200, body: {} };
			}
			const videoPath = /^\/rest\/videos\/(.+)$/.exec(p);
			if (videoPath && req.method === 'GET') {
				const v = videos.get(decodeURIComponent(videoPath[1]));
				if (!v) throw liError(404, 'NOT_FOUND', 'video not found');
				advance(v);
				return {
					status: 200,
					body: { id: v.urn, owner: v.owner, status: v.status, ...(v.status === 'PROCESSING_FAILED' ? { processingFailureReason: v.failWith } : {}), duration: 3000, aspectRatioWidth: 9, aspectRatioHeight: 16 },
				};
			}
			if (p === '/rest/posts' && req.method === 'POST') {
				const b = req.body as Record<string, unknown>;
				if (b.author !== opts.authorUrn) throw liError(403, 'ACCESS_DENIED', 'Not enough permissions to post as this author');
				const commentary = String(b.commentary ?? '');
				if ([...commentary].length > 3000) throw liError(422, 'UNPROCESSABLE_ENTITY', 'commentary is longer than 3000 characters');
				const mediaId = ((b.content as { media?: { id?: string } } | undefined)?.media?.id ?? '') as string;
				const v = videos.get(mediaId);
				if (!v || v.owner !== opts.authorUrn) throw liError(422, 'UNPROCESSABLE_ENTITY', `media ${mediaId} is not a video of this author`);
				if (v.status !== 'AVAILABLE') throw liError(422, 'UNPROCESSABLE_ENTITY', `video ${mediaId} is ${v.status}, not AVAILABLE`);
				const id = `urn:li:share:${(seq += BigInt(1 + Math.floor(Math.random() * 1000))).toString()}`;
				posts.set(id, {
					id,
					author: opts.authorUrn,
					commentary,
					visibility: String(b.visibility),
					content: b.content as FakeLinkedInPost['content'],
					lifecycleState: String(b.lifecycleState ?? 'PUBLISHED'),
					createdAt: Date.now(),
					likes: 0,
					comments: 0,
				});
				return { status: 201, body: '', headers: { 'x-restli-id': id, 'x-linkedin-id': id } };
			}
			if (p === '/rest/posts' && req.method === 'GET' && q.get('q') === 'author') {
				if (opts.listAllowed === false) throw liError(403, 'ACCESS_DENIED', 'Not enough permissions to access: partnerApiPostsExternal.FINDER-author');
				if (q.get('author') !== opts.authorUrn) throw liError(403, 'ACCESS_DENIED', 'Not enough permissions for this author');
				const count = Math.min(100, Number(q.get('count') ?? 10));
				const elements = [...posts.values()]
					.sort((a, b) => b.createdAt - a.createdAt)
					.slice(0, count)
					.map((post) => ({ ...publicPost(post), lastModifiedAt: post.createdAt, publishedAt: post.createdAt }));
				return { status: 200, body: { elements, paging: { start: 0, count, links: [] } } };
			}
			const postPath = /^\/rest\/posts\/(.+)$/.exec(p);
			if (postPath && req.method === 'GET') {
				const post = posts.get(decodeURIComponent(postPath[1]));
				if (!post) throw liError(404, 'NOT_FOUND', 'post not found');
				return { status: 200, body: publicPost(post) };
			}
			const social = /^\/rest\/socialActions\/(.+)$/.exec(p);
			if (social && req.method === 'GET') {
				const post = posts.get(decodeURIComponent(social[1]));
				if (!post) throw liError(404, 'NOT_FOUND', 'not found');
				return {
					status: 200,
					body: {
						likesSummary: { totalLikes: post.likes, likedByCurrentUser: false, aggregatedTotalLikes: post.likes },
						commentsSummary: { totalFirstLevelComments: post.comments, aggregatedTotalComments: post.comments },
						target: post.id,
					},
				};
			}
			throw liError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
		},
	});

	const upload = await startPlatformServer({
		errorBody: (status) => `<html><body>HTTP ${status}</body></html>`,
		route: (req): Reply => {
			const m = /^\/dms-uploads\/([^/]+)\/uploadedVideo$/.exec(req.url.pathname);
			const v = m ? byKey.get(m[1]) : undefined;
			const part = v?.parts[Number(req.url.searchParams.get('part'))];
			if (req.method !== 'PUT' || !v || !part) return { status: 404, body: '' };
			if (req.truncated) return { status: 400, body: '' };
			if (req.raw.length !== part.last - part.first + 1) return { status: 400, body: 'the part has the wrong length' };
			part.bytes = req.raw;
			part.etag = `/ambry-video/signedId/${createHash('sha1').update(req.raw).digest('hex')}`;
			return { status: 201, body: '', headers: { etag: part.etag } };
		},
	});
	uploadBase = upload.url;

	return {
		...api,
		upload,
		videos,
		posts,
		publishedCount: () => posts.size,
		expireToken() {
			token = null;
		},
		failProcessingNext(reason = 'VIDEO_CODEC_NOT_SUPPORTED') {
			failNext = reason;
		},
		setSocial(postUrn, m) {
			const post = posts.get(postUrn);
			if (!post) throw new Error(`no post ${postUrn}`);
			if (m.likes !== undefined) post.likes = m.likes;
			if (m.comments !== undefined) post.comments = m.comments;
		},
		async close() {
			await upload.close();
			await api.close();
		},
	};
}
