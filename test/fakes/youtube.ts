/**
 * A loopback YouTube Data API v3 for uploads, plus `startPlatformServer`: the binary-safe HTTP
 * plumbing every publishing fake shares (the JSON loopback of openai.ts reads bodies as UTF-8 and
 * decides faults before routing, so it can neither keep uploaded bytes intact nor let a platform
 * act and THEN lose the answer — the case idempotency is about).
 *
 * Faults (`fail(fault, {method, path, times})`, matched per request):
 *   rate_limit (429 + Retry-After) · server_error (5xx) · status (any answer) · hang (no answer) ·
 *   drop_before (connection closed, the platform did nothing) · drop_after (the platform acted,
 *   the answer is lost) · drop_mid_body (the connection breaks after `afterBytes` body bytes; the
 *   route sees the partial body with `truncated: true`, as a server keeps what arrived).
 *
 * YouTube (base = `url`):
 *   POST /upload/youtube/v3/videos?uploadType=resumable&part=…  checks X-Upload-Content-Length,
 *        X-Upload-Content-Type (video/* or application/octet-stream), snippet.title (1–100, no <>),
 *        description (≤5000 bytes, no <>), tags (≤500 characters), privacyStatus → 200 + Location
 *   PUT  {session}  Content-Range: bytes a-b/T (a must be what was received; non-final chunks a
 *        multiple of 256 KiB) → 308 + Range: bytes=0-N, or 201 + the video when complete;
 *        Content-Range: bytes *\/T → 308 (+ Range when anything arrived) or 200 + the video;
 *        an expired session → 404. The session keeps what arrived before a broken connection.
 *   GET  /youtube/v3/videos?part=&id=a,b       snippet, status, processingDetails, statistics
 *        (uploadStatus "uploaded" for `processingPolls` polls, then "processed", or "failed")
 *   GET  /youtube/v3/channels?part=contentDetails&mine=true · /youtube/v3/playlistItems?playlistId=UU…
 *   POST /upload/youtube/v3/thumbnails/set?videoId=
 * Auth: Bearer token on the API (the session URI is its own credential); an expired token → 401
 * UNAUTHENTICATED in Google's error shape. `publishedCount()` counts videos made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { HttpError, type Reply } from './openai';

// ---------------------------------------------------------------------------------------- shared plumbing

export type PlatformFault =
	| { kind: 'rate_limit'; retryAfter?: string }
	| { kind: 'server_error'; status?: number }
	| { kind: 'status'; status: number; body: unknown; headers?: Record<string, string> }
	| { kind: 'hang' }
	| { kind: 'drop_before' }
	| { kind: 'drop_after' }
	| { kind: 'drop_mid_body'; afterBytes: number };

export interface FaultTarget {
	method?: string;
	/** A substring of the path (with query), or a RegExp. */
	path?: string | RegExp;
	/** Also required to match (sees the request line and headers before the body). */
	when?: (req: { method: string; path: string; headers: IncomingMessage['headers'] }) => boolean;
	/** Default 1. */
	times?: number;
}

export interface PlatformRequest {
	method: string;
	/** pathname + search. */
	path: string;
	url: URL;
	headers: IncomingMessage['headers'];
	raw: Buffer;
	/** Parsed JSON when the body is JSON, else undefined. */
	body: unknown;
	at: number;
	fault?: PlatformFault['kind'];
	status?: number;
	/** The connection broke before the whole body arrived. */
	truncated?: boolean;
}

export interface PlatformServer {
	url: string;
	requests: PlatformRequest[];
	fail(fault: PlatformFault, target?: FaultTarget): void;
	clearFaults(): void;
	close(): Promise<void>;
}

export async function startPlatformServer(opts: {
	route: (req: PlatformRequest) => Reply | Promise<Reply>;
	errorBody: (status: number, kind: 'rate_limit' | 'server_error') => unknown;
}): Promise<PlatformServer> {
	const started = Date.now();
	const requests: PlatformRequest[] = [];
	const faults: { fault: PlatformFault; target: FaultTarget; left: number }[] = [];
	const sockets = new Set<Socket>();

	const take = (method: string, path: string, headers: IncomingMessage['headers']): PlatformFault | undefined => {
		const i = faults.findIndex(
			(f) =>
				(!f.target.method || f.target.method.toUpperCase() === method) &&
				(!f.target.path || (typeof f.target.path === 'string' ? path.includes(f.target.path) : f.target.path.test(path))) &&
				(!f.target.when || f.target.when({ method, path, headers })),
		);
		if (i < 0) return undefined;
		const f = faults[i];
		if (--f.left <= 0) faults.splice(i, 1);
		return f.fault;
	};

	const send = (res: ServerResponse, logged: PlatformRequest, reply: Reply) => {
		logged.status = reply.status;
		const body = reply.body === undefined ? '' : typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
		res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...(reply.headers ?? {}) });
		res.end(body);
	};

	const run = async (logged: PlatformRequest): Promise<Reply> => {
		try {
			return await opts.route(logged);
		} catch (err) {
			if (err instanceof HttpError) return { status: err.status, body: err.body, headers: err.headers };
			return { status: 500, body: { error: String(err) } };
		}
	};

	const server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://fake');
		const logged: PlatformRequest = {
			method: req.method ?? 'GET',
			path: url.pathname + url.search,
			url,
			headers: req.headers,
			raw: Buffer.alloc(0),
			body: undefined,
			at: Date.now() - started,
		};
		requests.push(logged);
		const fault = take(logged.method, logged.path, req.headers);
		if (fault) logged.fault = fault.kind;
		const chunks: Buffer[] = [];
		let received = 0;
		let done = false;

		const finish = (truncated: boolean) => {
			if (done) return;
			done = true;
			logged.raw = Buffer.concat(chunks);
			logged.truncated = truncated || undefined;
			if (logged.raw.length && /json/i.test(String(req.headers['content-type'] ?? ''))) {
				try {
					logged.body = JSON.parse(logged.raw.toString('utf8'));
				} catch {
					logged.body = undefined;
				}
			}
			void (async () => {
				if (fault?.kind === 'drop_before') return req.socket.destroy();
				if (fault?.kind === 'hang') return;
				if (fault?.kind === 'drop_after' || fault?.kind === 'drop_mid_body') {
					await run(logged);
					return req.socket.destroy();
				}
				if (fault?.kind === 'rate_limit') {
					return send(res, logged, { status: 429, body: opts.errorBody(429, 'rate_limit'), headers: fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {} });
				}
				if (fault?.kind === 'server_error') {
					const status = fault.status ?? 500;
					return send(res, logged, { status, body: opts.errorBody(status, 'server_error') });
				}
				if (fault?.kind === 'status') return send(res, logged, { status: fault.status, body: fault.body, headers: fault.headers });
				send(res, logged, await run(logged));
			})();
		};

		req.on('data', (c: Buffer) => {
			if (done) return;
			if (fault?.kind === 'drop_mid_body' && received + c.length >= fault.afterBytes) {
				chunks.push(c.subarray(0, Math.max(0, fault.afterBytes - received)));
				received = fault.afterBytes;
				finish(true);
				return;
			}
			chunks.push(c);
			received += c.length;
		});
		req.on('end', () => finish(false));
		req.on('error', () => finish(true));
	});
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		fail(fault, target = {}) {
			faults.push({ fault, target, left: target.times ?? 1 });
		},
		clearFaults() {
			faults.length = 0;
		},
		close() {
			for (const s of sockets) s.destroy();
			return new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** The Bearer token of a request, or null. */
export function bearer(req: PlatformRequest): string | null {
	const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
	return m ? m[1] : null;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------------------------------- YouTube

export interface YouTubeFakeOptions {
	token: string;
	/** Polls answering uploadStatus "uploaded" before "processed". Default 1. */
	processingPolls?: number;
	channelId?: string;
}

export interface FakeYouTubeVideo {
	id: string;
	snippet: { title: string; description: string; tags: string[]; categoryId: string; channelId: string; publishedAt: string };
	status: { uploadStatus: string; privacyStatus: string; failureReason?: string; selfDeclaredMadeForKids?: boolean; containsSyntheticMedia?: boolean };
	statistics: { viewCount: string; likeCount: string; commentCount: string; favoriteCount: string };
	bytes: Buffer;
	polls: number;
	failWith?: string;
	thumbnail?: Buffer;
}

interface Session {
	id: string;
	total: number;
	contentType: string;
	chunks: Buffer[];
	received: number;
	metadata: { snippet: Record<string, unknown>; status: Record<string, unknown> };
	videoId?: string;
	expired?: boolean;
}

export interface YouTubeFake extends PlatformServer {
	videos: Map<string, FakeYouTubeVideo>;
	sessions: Map<string, Session>;
	/** Videos made (uploads completed). */
	publishedCount(): number;
	expireToken(): void;
	/** The next completed upload fails processing with this reason (default "codec"). */
	failProcessingNext(reason?: string): void;
	/** Forget a session, as Google does after a week. */
	expireSession(sessionUri: string): void;
	setStatistics(videoId: string, stats: { views?: number; likes?: number; comments?: number }): void;
}

const googleError = (code: number, status: string, message: string, reason: string) => ({
	error: { code, message, errors: [{ message, domain: 'global', reason }], status },
});

export async function startYouTubeFake(opts: YouTubeFakeOptions): Promise<YouTubeFake> {
	let token: string | null = opts.token;
	const videos = new Map<string, FakeYouTubeVideo>();
	const sessions = new Map<string, Session>();
	const order: string[] = [];
	const channelId = opts.channelId ?? `UC${randomBytes(11).toString('hex').slice(0, 22)}`;
	const uploads = `UU${channelId.slice(2)}`;
	const polls = opts.processingPolls ?? 1;
	let failNext: string | null = null;
	let base = '';

	const requireAuth = (req: PlatformRequest) => {
		if (!token || bearer(req) !== token) {
			throw new HttpError(
				401,
				googleError(
					401,
					'UNAUTHENTICATED',
					'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
					'authError',
				),
			);
		}
	};
	const bad = (message: string, reason = 'badRequest') => new HttpError(400, googleError(400, 'INVALID_ARGUMENT', message, reason));

	const resource = (v: FakeYouTubeVideo, parts: string[]) => {
		const out: Record<string, unknown> = { kind: 'youtube#video', id: v.id };
		if (parts.includes('snippet')) out.snippet = v.snippet;
		if (parts.includes('status')) out.status = v.status;
		if (parts.includes('processingDetails')) {
			out.processingDetails = {
				processingStatus: v.status.uploadStatus === 'processed' ? 'succeeded' : v.status.uploadStatus === 'failed' ? 'failed' : 'processing',
				...(v.failWith ? { processingFailureReason: 'transcodeFailed' } : {}),
			};
		}
		if (parts.includes('statistics')) out.statistics = v.statistics;
		return out;
	};

	const complete = (s: Session): FakeYouTubeVideo => {
		const id = randomBytes(8).toString('base64url').slice(0, 11);
		const snippet = s.metadata.snippet;
		const status = s.metadata.status;
		const v: FakeYouTubeVideo = {
			id,
			snippet: {
				title: String(snippet.title),
				description: String(snippet.description ?? ''),
				tags: Array.isArray(snippet.tags) ? (snippet.tags as string[]) : [],
				categoryId: String(snippet.categoryId ?? '22'),
				channelId,
				publishedAt: new Date().toISOString(),
			},
			status: {
				uploadStatus: 'uploaded',
				privacyStatus: String(status.privacyStatus ?? 'public'),
				selfDeclaredMadeForKids: Boolean(status.selfDeclaredMadeForKids),
				containsSyntheticMedia: Boolean(status.containsSyntheticMedia),
			},
			statistics: { viewCount: '0', likeCount: '0', commentCount: '0', favoriteCount: '0' },
			bytes: Buffer.concat(s.chunks),
			polls: 0,
			failWith: failNext ?? undefined,
		};
		failNext = null;
		videos.set(id, v);
		order.unshift(id);
		s.videoId = id;
		return v;
	};

	const route = (req: PlatformRequest): Reply => {
		const p = req.url.pathname;
		const q = req.url.searchParams;
		if (p === '/upload/youtube/v3/videos' && req.method === 'POST') {
			requireAuth(req);
			if (q.get('uploadType') !== 'resumable') throw bad('this fake only does uploadType=resumable');
			const total = Number(req.headers['x-upload-content-length']);
			if (!Number.isInteger(total) || total <= 0) throw bad('X-Upload-Content-Length is required');
			const type = String(req.headers['x-upload-content-type'] ?? '');
			if (!/^video\/[\w.+-]+$/.test(type) && type !== 'application/octet-stream') throw bad(`Media type '${type}' is not supported.`, 'mediaBodyRequired');
			const meta = (req.body ?? {}) as { snippet?: Record<string, unknown>; status?: Record<string, unknown> };
			const title = meta.snippet?.title;
			if (typeof title !== 'string' || !title.trim()) throw bad('The request metadata does not specify a valid video title.', 'invalidTitle');
			if ([...title].length > 100 || /[<>]/.test(title)) throw bad('The request metadata specifies an invalid video title.', 'invalidTitle');
			const desc = String(meta.snippet?.description ?? '');
			if (Buffer.byteLength(desc) > 5000 || /[<>]/.test(desc)) throw bad('The request metadata specifies an invalid video description.', 'invalidDescription');
			const tags = (meta.snippet?.tags as string[] | undefined) ?? [];
			if (tags.reduce((n, t) => n + t.length, 0) + Math.max(0, tags.length - 1) > 500) throw bad('The request metadata specifies invalid video keywords.', 'invalidTags');
			if (!['public', 'unlisted', 'private'].includes(String(meta.status?.privacyStatus ?? 'public'))) throw bad('invalid privacyStatus', 'invalidVideoMetadata');
			const id = randomBytes(12).toString('hex');
			sessions.set(id, { id, total, contentType: type, chunks: [], received: 0, metadata: { snippet: meta.snippet ?? {}, status: meta.status ?? {} } });
			return { status: 200, headers: { location: `${base}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}` } };
		}
		if (p === '/upload/youtube/v3/videos' && req.method === 'PUT') {
			const s = sessions.get(q.get('upload_id') ?? '');
			if (!s || s.expired) throw new HttpError(404, googleError(404, 'NOT_FOUND', 'Not Found', 'notFound'));
			const video = () => (s.videoId ? videos.get(s.videoId) : undefined);
			const range = String(req.headers['content-range'] ?? '');
			const query = /^bytes \*\/(\d+|\*)$/.exec(range);
			const rangeHeader = (): Record<string, string> => (s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {});
			if (query) {
				if (query[1] !== '*' && Number(query[1]) !== s.total) throw bad('Failed to parse Content-Range header.');
				const v = video();
				if (v) return { status: 200, body: resource(v, ['snippet', 'status']) };
				return { status: 308, headers: rangeHeader(), body: '' };
			}
			const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
			if (!m) throw bad('Failed to parse Content-Range header.');
			const [a, b, t] = [Number(m[1]), Number(m[2]), Number(m[3])];
			if (t !== s.total || b >= t || a > b) throw bad('Failed to parse Content-Range header.');
			if (video()) return { status: 200, body: resource(video()!, ['snippet', 'status']) };
			if (a !== s.received) throw bad(`Invalid request: the upload continues at byte ${s.received}, not ${a}.`);
			if (req.truncated) {
				// The connection broke: the session keeps what arrived.
				s.chunks.push(req.raw);
				s.received += req.raw.length;
				return { status: 308, headers: rangeHeader(), body: '' };
			}
			if (req.raw.length !== b - a + 1) throw bad('The request body length does not match Content-Range.');
			if (b + 1 < s.total && req.raw.length % (256 * 1024) !== 0) throw bad('Chunk size must be a multiple of 256 KiB (262144 bytes), except the last.');
			s.chunks.push(req.raw);
			s.received += req.raw.length;
			if (s.received === s.total) return { status: 201, body: resource(complete(s), ['snippet', 'status']) };
			return { status: 308, headers: rangeHeader(), body: '' };
		}
		if (p === '/upload/youtube/v3/thumbnails/set' && req.method === 'POST') {
			requireAuth(req);
			const v = videos.get(q.get('videoId') ?? '');
			if (!v) throw new HttpError(404, googleError(404, 'NOT_FOUND', 'The video that you are trying to update cannot be found.', 'videoNotFound'));
			v.thumbnail = req.raw;
			return { status: 200, body: { kind: 'youtube#thumbnailSetResponse', items: [{ default: { url: `https://i.ytimg.com/vi/${v.id}/default.jpg` } }] } };
		}
		if (p === '/youtube/v3/videos' && req.method === 'GET') {
			requireAuth(req);
			const parts = (q.get('part') ?? '').split(',');
			const ids = (q.get('id') ?? '').split(',').filter(Boolean);
			const items = ids
				.map((id) => videos.get(id))
				.filter((v): v is FakeYouTubeVideo => Boolean(v))
				.map((v) => {
					if (parts.includes('status') && v.status.uploadStatus === 'uploaded' && ++v.polls > polls) {
						if (v.failWith) {
							v.status.uploadStatus = 'failed';
							v.status.failureReason = v.failWith;
						} else v.status.uploadStatus = 'processed';
					}
					return resource(v, parts);
				});
			return { status: 200, body: { kind: 'youtube#videoListResponse', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } } };
		}
		if (p === '/youtube/v3/channels' && req.method === 'GET') {
			requireAuth(req);
			if (q.get('mine') !== 'true') throw bad('this fake answers mine=true only');
			return { status: 200, body: { kind: 'youtube#channelListResponse', items: [{ id: channelId, contentDetails: { relatedPlaylists: { likes: '', uploads } } }] } };
		}
		if (p === '/youtube/v3/playlistItems' && req.method === 'GET') {
			requireAuth(req);
			if (q.get('playlistId') !== uploads) throw new HttpError(404, googleError(404, 'NOT_FOUND', 'The playlist identified with the request\'s playlistId parameter cannot be found.', 'playlistNotFound'));
			const max = Math.min(50, Number(q.get('maxResults') ?? 5));
			return { status: 200, body: { items: order.slice(0, max).map((videoId) => ({ kind: 'youtube#playlistItem', contentDetails: { videoId } })) } };
		}
		throw new HttpError(404, googleError(404, 'NOT_FOUND', `no route ${req.method} ${p}`, 'notFound'));
	};

	const server = await startPlatformServer({
		route,
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? googleError(429, 'RESOURCE_EXHAUSTED', 'Too many requests.', 'rateLimitExceeded')
				: googleError(status, status === 503 ? 'UNAVAILABLE' : 'INTERNAL', 'Backend Error', 'backendError'),
	});
	base = server.url;
	return {
		...server,
		videos,
		sessions,
		publishedCount: () => videos.size,
		expireToken() {
			token = null;
		},
		failProcessingNext(reason = 'codec') {
			failNext = reason;
		},
		expireSession(sessionUri) {
			const s = sessions.get(new URL(sessionUri).searchParams.get('upload_id') ?? '');
			if (s) s.expired = true;
		},
		setStatistics(videoId, stats) {
			const v = videos.get(videoId);
			if (!v) throw new Error(`no video ${videoId}`);
			if (stats.views !== undefined) v.statistics.viewCount = String(stats.views);
			if (stats.likes !== undefined) v.statistics.likeCount = String(stats.likes);
			if (stats.comments !== undefined) v.statistics.commentCount = String(stats.comments);
		},
	};
}
