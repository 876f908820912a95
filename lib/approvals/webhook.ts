/**
 * The approval webhook's two requests, independent of n8n: GET shows the page (or streams the
 * asset's video for the page's player), POST records the decision. Each returns what an HTTP
 * responder needs (status, headers, an HTML page); a refused link is an answer, not an exception.
 * Only failures of the machinery itself (the store unreachable, a bug) throw.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute } from 'node:path';

import { ValidationError } from '../domain/errors';
import type { Store } from '../store/store';
import { ApprovalLinkError, MIN_SECRET_BYTES } from './links';
import {
	approvalPage,
	approvalPageHeaders,
	decide,
	httpStatusOf,
	readDecisionForm,
	resultPage,
	viewApproval,
	type ApprovalEntity,
	type ApprovalView,
	type DecisionResult,
	DEFAULT_APPROVAL_TTL_SECONDS,
} from './service';

export interface ApprovalEndpoint {
	/** HMAC key (the Brand Infinity Approvals credential), at least 32 bytes. */
	secret: string | Buffer;
	/** The public URL of the approval webhook: the page's form posts here, the video is served from here. */
	publicUrl: string;
	now?: Date | number;
}

/** An HTML answer: the page, its status and headers (the page's own CSP is in a meta tag). */
export interface PageAnswer {
	status_code: number;
	headers: Record<string, string>;
	html: string;
}

export type ShowPageAnswer =
	| (PageAnswer & { kind: 'page'; approval_id: string; entity: ApprovalEntity; entity_id: string; status: string; video: 'served' | 'linked' | 'none' })
	| (PageAnswer & { kind: 'refused'; reason: string; message: string })
	| {
			kind: 'media';
			approval_id: string;
			/** A local file to stream (the caller turns it into the response body). */
			path: string;
			file_name: string;
			content_type: string;
			size: number;
			status_code: number;
			headers: Record<string, string>;
	  };

export type DecisionAnswer =
	| (PageAnswer & { kind: 'approved' | 'rejected'; result: DecisionResult })
	| (PageAnswer & { kind: 'refused'; reason: string; message: string });

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

/**
 * The Brand Infinity Approvals credential's fields, checked: a key shorter than 32 bytes or a
 * relative URL is refused (ValidationError naming the field) before anything is signed.
 */
export function approvalEndpoint(c: Record<string, unknown>): ApprovalEndpoint & { ttlSeconds: number; notifyUrl: string } {
	const secret = typeof c.secret === 'string' ? c.secret : '';
	if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
		throw new ValidationError(`the signing secret must be at least ${MIN_SECRET_BYTES} bytes (generate one with: openssl rand -base64 48)`, 'secret');
	}
	const publicUrl = String(c.publicUrl ?? '').trim();
	if (!isHttpUrl(publicUrl)) {
		throw new ValidationError('the approval page URL must be an absolute http(s) URL, e.g. https://n8n.example.com/webhook/brand-infinity/approval', 'publicUrl');
	}
	const notifyUrl = String(c.notifyUrl ?? '').trim();
	if (notifyUrl && !isHttpUrl(notifyUrl)) throw new ValidationError('the notification webhook URL must be an absolute http(s) URL', 'notifyUrl');
	const ttl = Number(c.ttlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS);
	return { secret, publicUrl, notifyUrl, ttlSeconds: Number.isInteger(ttl) && ttl > 0 ? ttl : DEFAULT_APPROVAL_TTL_SECONDS };
}

const VIDEO_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm' };

const first = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** The answer to a refused link or a bad request: the plain-words page and its status. Other errors rethrow. */
export function refusal(err: unknown): PageAnswer & { kind: 'refused'; reason: string; message: string } {
	if (!(err instanceof ApprovalLinkError) && !(err instanceof ValidationError)) throw err;
	return {
		kind: 'refused',
		reason: err instanceof ApprovalLinkError ? err.reason : 'invalid_request',
		message: err instanceof ApprovalLinkError ? err.publicMessage : err.message,
		status_code: httpStatusOf(err),
		headers: approvalPageHeaders(),
		html: resultPage(err),
	};
}

/** Where the asset's video is: a URL the browser can load directly, a local file to serve, or nothing. */
export function videoOf(view: ApprovalView): { url: string } | { path: string; size: number } | null {
	const asset = (view.asset ?? {}) as Record<string, unknown>;
	const where = view.entity === 'video' ? asset.master_mp4_url : view.entity === 'platform_post' ? asset.formatted_video_url : null;
	if (typeof where !== 'string' || where === '') return null;
	if (/^https?:\/\//i.test(where)) return { url: where };
	const path = where.startsWith('file://') ? decodeURIComponent(new URL(where).pathname) : where;
	if (!isAbsolute(path) || !VIDEO_TYPES[extname(path).toLowerCase()] || !existsSync(path)) return null;
	const stat = statSync(path);
	return stat.isFile() ? { path, size: stat.size } : null;
}

function mediaUrl(publicUrl: string, approvalId: string, token: string): string {
	const url = new URL(publicUrl);
	url.searchParams.set('approval', approvalId);
	url.searchParams.set('token', token);
	url.searchParams.set('media', 'video');
	return url.toString();
}

/**
 * GET on the approval webhook. `query` is the request's query: `approval`, `token`, and
 * `media=video` for the player's source. The page shows the asset, its scores and the cost so far,
 * and (while the approval is pending) Approve / Reject with a feedback field. A video is served
 * only while the approval is pending and only to a genuine, unexpired link for that approval.
 */
export async function showApprovalPage(store: Store, query: unknown, endpoint: ApprovalEndpoint): Promise<ShowPageAnswer> {
	const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
	const token = first(q.token);
	const approvalId = first(q.approval) || null;
	const media = first(q.media);
	try {
		if (!token) throw new ValidationError('the link has no token', 'token');
		if (media !== '' && media !== 'video') throw new ValidationError('media must be "video"', 'media');
		const view = await viewApproval(store, { token, secret: endpoint.secret, approvalId, now: endpoint.now });
		const status = String(view.effective_status ?? view.status);
		const video = status === 'pending' ? videoOf(view) : null;
		if (media === 'video') {
			if (status === 'expired') throw new ApprovalLinkError('expired');
			if (status !== 'pending') throw new ApprovalLinkError(status === 'cancelled' ? 'cancelled' : 'reused');
			if (!video || !('path' in video)) throw new ValidationError('this approval has no video file to show', 'media');
			const ext = extname(video.path).toLowerCase();
			return {
				kind: 'media',
				approval_id: view.approval_id,
				path: video.path,
				file_name: `${view.entity}-${view.entity_id}${ext}`,
				content_type: VIDEO_TYPES[ext],
				size: video.size,
				status_code: 200,
				headers: { 'Content-Type': VIDEO_TYPES[ext], 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
			};
		}
		const videoSrc = video ? ('url' in video ? video.url : mediaUrl(endpoint.publicUrl, view.approval_id, token)) : null;
		return {
			kind: 'page',
			approval_id: view.approval_id,
			entity: view.entity,
			entity_id: view.entity_id,
			status,
			video: video ? ('url' in video ? 'linked' : 'served') : 'none',
			// A link that can no longer decide says so with its status too: used 409, expired or replaced 410.
			status_code: status === 'pending' ? 200 : status === 'approved' || status === 'rejected' ? 409 : 410,
			headers: approvalPageHeaders(),
			html: approvalPage(view, { actionUrl: endpoint.publicUrl, token, videoSrc }),
		};
	} catch (err) {
		return refusal(err);
	}
}

/**
 * POST on the approval webhook: the page's form (`approval`, `token`, `decision`, `feedback`),
 * parsed or as the raw urlencoded string. Records the decision (single use, OCC on the asset) and
 * answers with the result page; a refused link changes nothing and says why.
 */
export async function decideFromForm(store: Store, body: unknown, endpoint: ApprovalEndpoint & { actor?: string | null }): Promise<DecisionAnswer> {
	try {
		const form = readDecisionForm(body);
		const result = await decide(store, {
			token: form.token,
			decision: form.decision,
			feedback: form.feedback,
			approvalId: form.approvalId,
			actor: endpoint.actor ?? null,
			secret: endpoint.secret,
			now: endpoint.now,
		});
		return { kind: result.decision, result, status_code: 200, headers: approvalPageHeaders(), html: resultPage(result) };
	} catch (err) {
		return refusal(err);
	}
}

/** The message an approval request sends to a notification webhook (Slack-compatible `text`). */
export function approvalNotice(request: { approval_id: string; url: string; expires_at: string; entity: string; entity_id: string; campaign_id?: string | null }): Record<string, unknown> {
	const label = request.entity.replace(/_/g, ' ');
	return {
		text: `Approval needed: ${label} ${request.entity_id}. Open ${request.url} (single use, expires ${request.expires_at}).`,
		approval_id: request.approval_id,
		url: request.url,
		expires_at: request.expires_at,
		entity: request.entity,
		entity_id: request.entity_id,
		campaign_id: request.campaign_id ?? null,
	};
}
