/**
 * A loopback Instagram Graph API for Reels (paths with or without a /vNN.N prefix):
 *
 *   GET  /{ig-user-id}/content_publishing_limit?fields=quota_usage,config
 *        → {data:[{quota_usage, config{quota_total, quota_duration:86400}}]}
 *   POST /{ig-user-id}/media {media_type:"REELS", video_url, caption, share_to_feed, thumb_offset?}
 *        → {id} (a container). Meta fetches video_url: here from the media host; a URL that is not
 *        served (expired, unknown) or not an mp4 makes the container ERROR, as on Meta.
 *   GET  /{container-id}?fields=status_code,status  IN_PROGRESS for `processingPolls` polls, then
 *        FINISHED (or ERROR with `status` "Error: …" after failProcessingNext); EXPIRED via expireContainer
 *   POST /{ig-user-id}/media_publish {creation_id} → {id} (media); the container becomes PUBLISHED and
 *        can never be published again (400); a container not FINISHED → 400 code 9007/2207027;
 *        the quota used up → 400 code 9/2207042
 *   GET  /{ig-user-id}/media?fields=…&limit=   newest first ·  GET /{media-id}?fields=…
 *   GET  /{media-id}/insights?metric=views,likes,comments,shares
 * Parameters may come as JSON, form or query. Errors as {error{message, type, code, error_subcode,
 * fbtrace_id}}; an expired token is HTTP 400 OAuthException code 190 / subcode 463 (what Meta sends).
 * `publishedCount()` counts media made by media_publish.
 */
import { randomBytes } from 'node:crypto';

import { HttpError, type Reply } from './openai';
import { startMediaHost, type MediaHost } from './media-host';
import { bearer, startPlatformServer, type PlatformRequest, type PlatformServer } from './youtube';

/** Meta fetches any public URL: here any http(s) URL the test serves (a 4xx/5xx or no server: null). */
async function fetchBytes(url: string): Promise<Buffer | null> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
		return res.ok ? Buffer.from(await res.arrayBuffer()) : null;
	} catch {
		return null;
	}
}

export interface InstagramFakeOptions {
	token: string;
	igUserId: string;
	/** Container polls answering IN_PROGRESS before the verdict. Default 1. */
	processingPolls?: number;
	/** config.quota_total. Default 50. */
	quotaTotal?: number;
	/** Where video_url points (a new host when absent). */
	media?: MediaHost;
}

export interface FakeContainer {
	id: string;
	videoUrl: string;
	caption: string;
	statusCode: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';
	status: string;
	polls: number;
	fetchError?: string;
	failWith?: string;
	bytes?: Buffer;
	mediaId?: string;
}

export interface FakeMedia {
	id: string;
	caption: string;
	permalink: string;
	timestamp: string;
	containerId: string;
	insights: { views: number; likes: number; comments: number; shares: number };
}

export interface InstagramFake extends PlatformServer {
	media: MediaHost;
	/** Base URL with the API version, as the adapter takes it. */
	graphUrl: string;
	containers: Map<string, FakeContainer>;
	mediaItems: Map<string, FakeMedia>;
	publishedCount(): number;
	quotaUsage: number;
	expireToken(): void;
	failProcessingNext(message?: string): void;
	expireContainer(id: string): void;
	setInsights(mediaId: string, m: Partial<FakeMedia['insights']>): void;
}

const graphError = (message: string, code: number, subcode?: number, type = 'OAuthException') =>
	new HttpError(400, { error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: randomBytes(8).toString('base64url') } });

const numericId = (prefix: string) => `${prefix}${BigInt(`0x${randomBytes(6).toString('hex')}`).toString().padStart(15, '0').slice(0, 15)}`;

export async function startInstagramFake(opts: InstagramFakeOptions): Promise<InstagramFake> {
	let token: string | null = opts.token;
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost());
	const containers = new Map<string, FakeContainer>();
	const mediaItems = new Map<string, FakeMedia>();
	const order: string[] = [];
	const polls = opts.processingPolls ?? 1;
	const quotaTotal = opts.quotaTotal ?? 50;
	let failNext: string | null = null;
	const state = { quotaUsage: 0 };

	const requireAuth = (req: PlatformRequest) => {
		const given = bearer(req) ?? req.url.searchParams.get('access_token');
		if (!token || given !== token) {
			throw graphError('Error validating access token: Session has expired on Saturday, 21-Nov-26 10:00:00 PST. The current time is Saturday, 21-Nov-26 11:00:00 PST.', 190, 463);
		}
	};

	/** Parameters from JSON, a form body or the query string. */
	const params = (req: PlatformRequest): Record<string, string> => {
		const out: Record<string, string> = {};
		for (const [k, v] of req.url.searchParams) out[k] = v;
		if (req.body && typeof req.body === 'object') for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
		else if (req.raw.length && /x-www-form-urlencoded/.test(String(req.headers['content-type'] ?? ''))) {
			for (const [k, v] of new URLSearchParams(req.raw.toString('utf8'))) out[k] = v;
		}
		return out;
	};

	const noObject = (id: string) =>
		graphError(`Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 100, 33, 'GraphMethodException');

	const createContainer = async (p: Record<string, string>): Promise<Reply> => {
		if (p.media_type !== 'REELS') throw graphError('The parameter media_type must be REELS for this fake.', 100);
		if (!p.video_url) throw graphError('The parameter video_url is required.', 100);
		const caption = p.caption ?? '';
		if ([...caption].length > 2200) throw graphError('The caption is too long (2200 characters).', 100, 2207026);
		if ((caption.match(/#[\p{L}\p{N}_]+/gu) ?? []).length > 30) throw graphError('The caption has more than 30 hashtags.', 100);
		const id = numericId('17');
		const c: FakeContainer = { id, videoUrl: p.video_url, caption, statusCode: 'IN_PROGRESS', status: 'In Progress: Media is still being processed.', polls: 0 };
		// Meta fetches the video now; a failure shows up in the container's status.
		const bytes = p.video_url.startsWith(media.url) ? await media.read(p.video_url) : await fetchBytes(p.video_url);
		if (!bytes) c.fetchError = 'Error: Media download has failed. The media URI doesn\'t meet our requirements. (2207052)';
		else if (bytes.subarray(4, 8).toString('latin1') !== 'ftyp') c.fetchError = 'Error: The video file is not a supported format. (2207026)';
		else c.bytes = bytes;
		c.failWith = failNext ?? undefined;
		failNext = null;
		containers.set(id, c);
		return { status: 200, body: { id } };
	};

	const advance = (c: FakeContainer) => {
		if (c.statusCode !== 'IN_PROGRESS' || ++c.polls <= polls) return;
		if (c.fetchError) {
			c.statusCode = 'ERROR';
			c.status = c.fetchError;
		} else if (c.failWith) {
			c.statusCode = 'ERROR';
			c.status = `Error: ${c.failWith}`;
		} else {
			c.statusCode = 'FINISHED';
			c.status = 'Finished: Media has been uploaded and it is ready to be published.';
		}
	};

	const publish = (p: Record<string, string>): Reply => {
		const c = containers.get(p.creation_id ?? '');
		if (!c) throw graphError(`Unsupported post request. Object with ID '${p.creation_id}' does not exist.`, 100, 33, 'GraphMethodException');
		if (c.statusCode === 'PUBLISHED') throw graphError('This media container has already been published.', 100, 2207008);
		if (c.statusCode !== 'FINISHED') throw graphError('Media ID is not available', 9007, 2207027);
		if (state.quotaUsage >= quotaTotal) throw graphError('The maximum number of posts that can be published via the API in 24 hours has been reached.', 9, 2207042);
		const id = numericId('18');
		mediaItems.set(id, {
			id,
			caption: c.caption,
			permalink: `https://www.instagram.com/reel/${randomBytes(8).toString('base64url')}/`,
			timestamp: new Date().toISOString().replace(/\.\d+Z$/, '+0000'),
			containerId: c.id,
			insights: { views: 0, likes: 0, comments: 0, shares: 0 },
		});
		order.unshift(id);
		c.statusCode = 'PUBLISHED';
		c.status = 'Published: Media has been published.';
		c.mediaId = id;
		state.quotaUsage++;
		return { status: 200, body: { id } };
	};

	const pick = (obj: Record<string, unknown>, fields: string | null) => {
		if (!fields) return { id: obj.id };
		const out: Record<string, unknown> = {};
		for (const f of fields.split(',')) if (obj[f] !== undefined) out[f] = obj[f];
		return out;
	};

	const server = await startPlatformServer({
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, is_transient: true, fbtrace_id: 'x' } }
				: { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true, fbtrace_id: 'x' } },
		route: async (req): Promise<Reply> => {
			requireAuth(req);
			const parts = req.url.pathname.replace(/^\/v\d+\.\d+/, '').split('/').filter(Boolean);
			const q = req.url.searchParams;
			const [node, edge] = parts;
			if (node === opts.igUserId) {
				if (edge === 'content_publishing_limit' && req.method === 'GET') {
					return { status: 200, body: { data: [{ quota_usage: state.quotaUsage, config: { quota_total: quotaTotal, quota_duration: 86400 } }] } };
				}
				if (edge === 'media' && req.method === 'POST') return createContainer(params(req));
				if (edge === 'media_publish' && req.method === 'POST') return publish(params(req));
				if (edge === 'media' && req.method === 'GET') {
					const limit = Math.min(100, Number(q.get('limit') ?? 25));
					const data = order.slice(0, limit).map((id) => {
						const m = mediaItems.get(id)!;
						return pick({ ...m, media_product_type: 'REELS', media_type: 'VIDEO' }, q.get('fields'));
					});
					return { status: 200, body: { data, paging: { cursors: { before: 'b', after: 'a' } } } };
				}
				throw graphError(`Unknown path components: /${edge}`, 2500);
			}
			if (node && containers.has(node) && !edge && req.method === 'GET') {
				const c = containers.get(node)!;
				advance(c);
				return { status: 200, body: pick({ id: c.id, status_code: c.statusCode, status: c.status }, q.get('fields')) };
			}
			if (node && mediaItems.has(node) && req.method === 'GET') {
				const m = mediaItems.get(node)!;
				if (edge === 'insights') {
					const metrics = (q.get('metric') ?? '').split(',').filter(Boolean);
					const data = metrics.map((name) => {
						if (!(name in m.insights)) throw graphError(`(#100) metric[0] must be one of the following values: views, likes, comments, shares, saved, reach`, 100);
						return { name, period: 'lifetime', values: [{ value: m.insights[name as keyof FakeMedia['insights']] }], title: name, description: '', id: `${m.id}/insights/${name}/lifetime` };
					});
					return { status: 200, body: { data } };
				}
				if (!edge) return { status: 200, body: pick({ ...m, media_product_type: 'REELS', media_type: 'VIDEO' }, q.get('fields')) };
			}
			throw noObject(node ?? '');
		},
	});

	return {
		...server,
		media,
		graphUrl: `${server.url}/v24.0`,
		containers,
		mediaItems,
		publishedCount: () => mediaItems.size,
		get quotaUsage() {
			return state.quotaUsage;
		},
		set quotaUsage(n: number) {
			state.quotaUsage = n;
		},
		expireToken() {
			token = null;
		},
		failProcessingNext(message = 'Video processing failed: the video codec is not supported. (2207026)') {
			failNext = message;
		},
		expireContainer(id) {
			const c = containers.get(id);
			if (c) {
				c.statusCode = 'EXPIRED';
				c.status = 'Expired: the container was not published within 24 hours.';
			}
		},
		setInsights(mediaId, m) {
			const item = mediaItems.get(mediaId);
			if (!item) throw new Error(`no media ${mediaId}`);
			Object.assign(item.insights, m);
		},
		async close() {
			await server.close();
			if (ownMedia) await media.close();
		},
	};
}
