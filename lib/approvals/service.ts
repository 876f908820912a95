/**
 * Durable approvals (seed 003's approval diagram; issue 5): a row plus a signed link, no n8n
 * execution held open. requestApproval stores the approval (only the token's hash) and returns the
 * link; the webhook that serves the link shows approvalPage(viewApproval(…)), and the form posts
 * back to the same webhook, which calls decide(…): the token is verified here, then one SQL call
 * (bi_decide_approval) checks it is the approval's token, unused and unexpired, and moves the
 * approval and the asset with OCC. The result names the pillar to start next (or to regenerate,
 * with the feedback). Every refusal is an ApprovalLinkError and changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';

import { BrandInfinityError, IllegalTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../domain/errors';
import type { Json, Store } from '../store/store';
import { ApprovalLinkError, readApprovalToken, signApprovalToken, tokenHash, verifyApprovalToken, type ApprovalTokenPayload } from './links';

export const APPROVAL_ENTITIES = ['creative_brief', 'script', 'video', 'platform_post'] as const;
export type ApprovalEntity = (typeof APPROVAL_ENTITIES)[number];
export type Decision = 'approved' | 'rejected';

export const DEFAULT_APPROVAL_TTL_SECONDS = 3600;
const MIN_TTL_SECONDS = 60;
/** The store refuses links that live longer than 30 days. */
const MAX_TTL_SECONDS = 30 * 86400;
export const MAX_FEEDBACK_CHARS = 5000;

export interface RequestApprovalInput {
	entity: ApprovalEntity;
	entityId: string;
	/** How long the link works; default 3600 s, 60 s to 30 days. */
	ttlSeconds?: number;
	/** The webhook URL that serves the approval page (the link adds `approval` and `token` to it). */
	baseUrl: string;
	/** HMAC key from a credential, at least 32 bytes. */
	secret: string | Buffer;
	actor?: string;
	/** Handed back with the decision (e.g. which workflow to start). */
	context?: Json;
	/** Replace a live approval of the same asset (its link stops working). */
	supersede?: boolean;
	/** For tests: the clock used for the expiry. */
	now?: Date | number;
}

export interface ApprovalRequest {
	approval_id: string;
	url: string;
	expires_at: string;
	entity: ApprovalEntity;
	entity_id: string;
	campaign_id: string | null;
	variant_id: string | null;
	entity_status: string;
}

export interface DecideInput {
	token: string;
	decision: Decision;
	feedback?: string | null;
	actor?: string | null;
	secret: string | Buffer;
	/** The approval id from the URL or form: a token for another approval is refused (wrong_audience). */
	approvalId?: string | null;
	now?: Date | number;
}

export interface DecisionResult {
	approval_id: string;
	entity: ApprovalEntity;
	entity_id: string;
	decision: Decision;
	feedback: string | null;
	campaign_id: string | null;
	variant_id: string | null;
	decided_by: string | null;
	decided_at: string;
	entity_status: string;
	entity_state_version: number;
	/** The pillar to start: the next one after an approval, the same one (regenerate) after a rejection. */
	next_pillar: 'strategist' | 'copywriter' | 'production' | 'broadcaster';
	next_action: 'continue' | 'regenerate';
	context: Json | null;
}

/** What bi_get_approval returns (the page's input). */
export interface ApprovalView extends Json {
	approval_id: string;
	entity: ApprovalEntity;
	entity_id: string;
	status: string;
	effective_status: string;
	expires_at: string | null;
	decided_at: string | null;
	decided_by: string | null;
	feedback: string | null;
	asset: Json | null;
	scores: { score: { name: string; value: number | string | null } | null; safety: Json | null };
	campaign: { campaign_id: string; campaign_name: string; status: string; brand_name: string } | null;
	cost_so_far: string | null;
	budget: Json | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function httpUrl(value: unknown, field: string): URL {
	let url: URL;
	try {
		url = new URL(String(value));
	} catch {
		throw new ValidationError(`${field} must be an absolute http(s) URL`, field);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(`${field} must be an http(s) URL`, field);
	return url;
}

/** Stores a pending approval of an asset and returns its signed, single-use link. */
export async function requestApproval(store: Store, input: RequestApprovalInput): Promise<ApprovalRequest> {
	if (!APPROVAL_ENTITIES.includes(input.entity)) {
		throw new ValidationError(`entity must be one of ${APPROVAL_ENTITIES.join(', ')}`, 'entity');
	}
	if (typeof input.entityId !== 'string' || !UUID.test(input.entityId)) throw new ValidationError('entityId must be a UUID', 'entity_id');
	const ttl = input.ttlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS;
	if (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
		throw new ValidationError(`ttlSeconds must be a whole number from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}`, 'ttl_seconds');
	}
	const url = httpUrl(input.baseUrl, 'base_url');
	const now = input.now === undefined ? Date.now() : input.now instanceof Date ? input.now.getTime() : input.now;
	// Whole seconds, so the token's exp and the row's expires_at are the same instant.
	const expiresAt = new Date(Math.floor((now + ttl * 1000) / 1000) * 1000);
	const approvalId = randomUUID();
	const token = signApprovalToken({ approvalId, expiresAt, issuedAt: now }, input.secret);
	const row = await store.createApproval({
		approval_id: approvalId,
		entity: input.entity,
		entity_id: input.entityId,
		token_hash: tokenHash(token),
		expires_at: expiresAt.toISOString(),
		actor: input.actor ?? null,
		context: input.context ?? null,
		supersede: input.supersede ?? false,
	});
	url.searchParams.set('approval', approvalId);
	url.searchParams.set('token', token);
	return {
		approval_id: approvalId,
		url: url.toString(),
		expires_at: expiresAt.toISOString(),
		entity: input.entity,
		entity_id: input.entityId,
		campaign_id: (row.campaign_id as string | null) ?? null,
		variant_id: (row.variant_id as string | null) ?? null,
		entity_status: String(row.entity_status),
	};
}

/** Store errors of bi_decide_approval / bi_get_approval → the link error the holder sees. */
function linkError(err: unknown): unknown {
	if (!(err instanceof BrandInfinityError) || err instanceof ApprovalLinkError) return err;
	const reason = err.detail.reason;
	const wrap = (r: ConstructorParameters<typeof ApprovalLinkError>[0]) => {
		const e = new ApprovalLinkError(r, undefined, { store_code: err.code, store_message: err.message });
		(e as { cause?: unknown }).cause = err;
		return e;
	};
	if (err instanceof NotFoundError) return wrap('not_found');
	if (err instanceof VersionConflictError) {
		if (reason === 'already_decided') return wrap('reused');
		if (reason === 'entity_changed') return wrap('changed');
	}
	if (err instanceof IllegalTransitionError) {
		if (reason === 'expired') return wrap('expired');
		if (reason === 'token_mismatch') return wrap('tampered');
		if (reason === 'cancelled') return wrap('cancelled');
		if (reason === 'entity_state') return wrap('changed');
	}
	return err;
}

function checkToken(token: unknown, secret: string | Buffer, approvalId: string | null | undefined, now?: Date | number): ApprovalTokenPayload {
	return approvalId === undefined || approvalId === null || approvalId === ''
		? readApprovalToken(token, secret, { now })
		: verifyApprovalToken(token, secret, { approvalId, now });
}

/**
 * Verifies the link's token and records the decision (approval and asset, one transaction).
 * Throws ApprovalLinkError when the link is malformed, tampered, for another approval, expired,
 * already used, replaced, or the asset changed since; nothing changes then.
 */
export async function decide(store: Store, input: DecideInput): Promise<DecisionResult> {
	if (input.decision !== 'approved' && input.decision !== 'rejected') {
		throw new ValidationError('decision must be approved or rejected', 'decision');
	}
	const feedback = typeof input.feedback === 'string' ? input.feedback.trim() : '';
	if (feedback.length > MAX_FEEDBACK_CHARS) throw new ValidationError(`feedback is longer than ${MAX_FEEDBACK_CHARS} characters`, 'feedback');
	const actor = typeof input.actor === 'string' && input.actor.trim() ? input.actor.trim().slice(0, 200) : 'approval-link';
	const payload = checkToken(input.token, input.secret, input.approvalId, input.now);
	try {
		return (await store.decideApproval(payload.aud, tokenHash(input.token), input.decision, actor, feedback || null)) as unknown as DecisionResult;
	} catch (err) {
		throw linkError(err);
	}
}

/**
 * The approval a link points to, for the page: the token must be valid and be this approval's.
 * A decided, expired or replaced approval is returned too (the page says so); only a bad token throws.
 */
export async function viewApproval(
	store: Store,
	input: { token: string; secret: string | Buffer; approvalId?: string | null; now?: Date | number },
): Promise<ApprovalView> {
	let payload: ApprovalTokenPayload;
	try {
		payload = checkToken(input.token, input.secret, input.approvalId, input.now);
	} catch (err) {
		if (!(err instanceof ApprovalLinkError) || err.reason !== 'expired') throw err;
		// An expired but genuine link still shows what it was for, without the buttons.
		const signed = checkToken(input.token, input.secret, input.approvalId, 0);
		const view = (await store.getApproval(signed.aud, tokenHash(input.token)).catch((e: unknown) => {
			throw linkError(e);
		})) as ApprovalView;
		return { ...view, effective_status: view.status === 'pending' ? 'expired' : view.effective_status };
	}
	try {
		return (await store.getApproval(payload.aud, tokenHash(input.token))) as ApprovalView;
	} catch (err) {
		throw linkError(err);
	}
}

/** Reads the page's form (a parsed body object, or the raw urlencoded string). */
export function readDecisionForm(body: unknown): { approvalId: string | null; token: string; decision: Decision; feedback: string } {
	const get = (k: string): string => {
		if (typeof body === 'string') return new URLSearchParams(body).get(k) ?? '';
		const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[k] : undefined;
		return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
	};
	const decision = get('decision');
	if (decision !== 'approved' && decision !== 'rejected') throw new ValidationError('decision must be approved or rejected', 'decision');
	return { approvalId: get('approval') || null, token: get('token'), decision, feedback: get('feedback') };
}

// ------------------------------------------------------------------------------- HTML

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
	const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
	// Control characters (other than tab and newlines) have no business in a page: replaced.
	// eslint-disable-next-line no-control-regex
	return text.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}

/**
 * A URL safe to put in an href/src/action: http(s) absolute, or a path on this origin. Returns
 * the CSP source it needs (its origin, or 'self').
 */
export function safeUrl(value: string, field: string): { url: string; source: string } {
	if (typeof value !== 'string' || value.length === 0 || value.length > 8000) throw new ValidationError(`${field} must be a URL`, field);
	if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return { url: value, source: "'self'" };
	const url = httpUrl(value, field);
	return { url: url.toString(), source: url.origin };
}

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45}
body{margin:0 auto;max-width:60rem;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.muted{opacity:.7}.box{border:1px solid #8884;border-radius:.5rem;padding:1rem;margin:.75rem 0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #8884;padding:.35rem .5rem;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{font-weight:600}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
ul.json{margin:0;padding-left:1.2rem}
.pass{color:#1a7f37}.fail{color:#cf222e}.warn{color:#9a6700}
video{width:100%;max-height:70vh;background:#000;border-radius:.5rem}
textarea{width:100%;min-height:6rem;font:inherit;box-sizing:border-box}
.actions{display:flex;gap:1rem;margin-top:.75rem}
button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border-radius:.4rem;border:0;cursor:pointer}
button.approve{background:#1a7f37;color:#fff}button.reject{background:#cf222e;color:#fff}
.banner{padding:1rem;border-radius:.5rem;margin:1rem 0;font-weight:600}
.banner.ok{background:#1a7f3722}.banner.bad{background:#cf222e22}.banner.info{background:#9a670022}
svg text{font-family:inherit;font-size:12px;fill:currentColor}
`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

/**
 * A complete HTML document with a strict Content-Security-Policy: no script at all, the one inline
 * stylesheet by hash, media and form targets limited to the given sources, no referrer (the link's
 * token must not leak).
 */
export function htmlPage(opts: { title: string; body: string; mediaSources?: string[]; formTargets?: string[] }): string {
	const media = [...new Set(opts.mediaSources ?? [])];
	const forms = [...new Set(opts.formTargets ?? [])];
	const csp = [
		"default-src 'none'",
		`style-src ${STYLE_HASH}`,
		'img-src data:',
		media.length ? `media-src ${media.join(' ')}` : null,
		`form-action ${forms.length ? forms.join(' ') : "'none'"}`,
		"base-uri 'none'",
	]
		.filter(Boolean)
		.join('; ');
	return [
		'<!doctype html>',
		'<html lang="en"><head><meta charset="utf-8">',
		`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
		'<meta name="referrer" content="no-referrer">',
		'<meta name="robots" content="noindex,nofollow">',
		'<meta name="viewport" content="width=device-width,initial-scale=1">',
		`<title>${escapeHtml(opts.title)}</title>`,
		`<style>${STYLE}</style>`,
		'</head><body>',
		opts.body,
		'</body></html>',
	].join('\n');
}

/** HTTP headers to send with the pages (CSP as a header also forbids framing, which a meta tag cannot). */
export function approvalPageHeaders(): Record<string, string> {
	return {
		'Content-Type': 'text/html; charset=utf-8',
		'Cache-Control': 'no-store',
		'Referrer-Policy': 'no-referrer',
		'X-Content-Type-Options': 'nosniff',
		'X-Frame-Options': 'DENY',
		'Content-Security-Policy': "frame-ancestors 'none'",
	};
}

const ENTITY_LABELS: Record<ApprovalEntity, string> = {
	creative_brief: 'Creative brief',
	script: 'Script',
	video: 'Video',
	platform_post: 'Post',
};

const labelOf = (entity: unknown): string => ENTITY_LABELS[entity as ApprovalEntity] ?? String(entity);
const humanKey = (k: string): string => k.replace(/_/g, ' ');

/** Any JSON value as nested lists, every string escaped; depth and size are bounded. */
export function renderJson(value: unknown, depth = 0): string {
	if (value === null || value === undefined) return '<span class="muted">—</span>';
	if (typeof value !== 'object') return escapeHtml(value);
	if (depth >= 6) return escapeHtml(JSON.stringify(value).slice(0, 500));
	if (Array.isArray(value)) {
		if (value.length === 0) return '<span class="muted">none</span>';
		const items = value.slice(0, 100).map((v) => `<li>${renderJson(v, depth + 1)}</li>`);
		if (value.length > 100) items.push(`<li class="muted">and ${value.length - 100} more</li>`);
		return `<ul class="json">${items.join('')}</ul>`;
	}
	const entries = Object.entries(value as Record<string, unknown>).slice(0, 200);
	if (entries.length === 0) return '<span class="muted">empty</span>';
	return `<dl>${entries.map(([k, v]) => `<dt>${escapeHtml(humanKey(k))}</dt><dd>${renderJson(v, depth + 1)}</dd>`).join('')}</dl>`;
}

function usd(value: unknown): string {
	if (value === null || value === undefined || value === '') return '—';
	const n = Number(value);
	return Number.isFinite(n) ? `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}` : escapeHtml(value);
}

function scoreText(value: unknown): string {
	const n = Number(value);
	return value === null || value === undefined || !Number.isFinite(n) ? '—' : n.toFixed(2);
}

function assetSection(view: ApprovalView, videoSrc: { url: string } | null): string {
	const a = (view.asset ?? {}) as Record<string, unknown>;
	const player = (path: unknown) =>
		videoSrc
			? `<video controls preload="metadata" playsinline src="${escapeHtml(videoSrc.url)}"></video>`
			: `<p class="muted">Video file: ${escapeHtml(path ?? 'not available')}</p>`;
	switch (view.entity) {
		case 'creative_brief':
			return `<div class="box">${renderJson(a.creative_brief ?? {})}</div>${a.review_reason ? `<p class="warn">Review note: ${escapeHtml(a.review_reason)}</p>` : ''}`;
		case 'script': {
			const hook = (a.hook ?? {}) as Record<string, unknown>;
			const scenes = Array.isArray(a.scenes) ? (a.scenes as Record<string, unknown>[]) : [];
			const rows = scenes
				.slice(0, 100)
				.map(
					(s, i) =>
						`<tr><td>${escapeHtml(s.sequence ?? i + 1)}</td><td>${escapeHtml(s.duration_seconds)} s</td><td>${escapeHtml(s.voiceover_text)}</td><td class="muted">${escapeHtml(s.visual_prompt)}</td></tr>`,
				)
				.join('');
			return [
				`<div class="box"><dl><dt>Hook</dt><dd>${escapeHtml(hook.text)}</dd><dt>Variant</dt><dd>${escapeHtml(a.variant_tag ?? '—')}</dd>`,
				`<dt>Length</dt><dd>${escapeHtml(a.total_duration_seconds)} s, ${scenes.length} scene${scenes.length === 1 ? '' : 's'}</dd><dt>Version</dt><dd>${escapeHtml(a.version ?? 1)}</dd></dl></div>`,
				`<table><thead><tr><th>#</th><th>Length</th><th>Voiceover</th><th>Visual</th></tr></thead><tbody>${rows}</tbody></table>`,
			].join('');
		}
		case 'video': {
			const outputs = a.outputs && typeof a.outputs === 'object' ? a.outputs : null;
			return [
				player(a.master_mp4_url),
				`<div class="box"><dl><dt>Length</dt><dd>${escapeHtml(a.master_duration_seconds ?? '—')} s</dd>`,
				`<dt>Production cost</dt><dd>${usd(a.total_cost_usd)}</dd>`,
				outputs ? `<dt>Outputs</dt><dd>${renderJson(outputs)}</dd>` : '',
				'</dl></div>',
			].join('');
		}
		case 'platform_post': {
			const tags = Array.isArray(a.hashtags) ? (a.hashtags as unknown[]).map((h) => `#${String(h).replace(/^#/, '')}`).join(' ') : '';
			return [
				player(a.formatted_video_url),
				`<div class="box"><dl><dt>Platform</dt><dd>${escapeHtml(a.platform)}${a.account_id ? ` (${escapeHtml(a.account_id)})` : ''}</dd>`,
				`<dt>Caption</dt><dd>${escapeHtml(a.caption ?? '')}</dd><dt>Hashtags</dt><dd>${escapeHtml(tags)}</dd>`,
				`<dt>Format</dt><dd>${escapeHtml(a.aspect_ratio ?? '—')}, ${escapeHtml(a.duration_seconds ?? '—')} s</dd></dl></div>`,
			].join('');
		}
		default:
			return `<div class="box">${renderJson(a)}</div>`;
	}
}

function scoresSection(view: ApprovalView): string {
	const score = view.scores?.score;
	const safety = view.scores?.safety as Record<string, unknown> | null | undefined;
	const parts: string[] = [];
	if (score) parts.push(`<p>${escapeHtml(humanKey(score.name))}: <strong>${scoreText(score.value)}</strong></p>`);
	if (safety) {
		const route = String(safety.route ?? '');
		const cls = route === 'pass' ? 'pass' : route === 'reject' ? 'fail' : 'warn';
		parts.push(`<p>Judge: <strong class="${cls}">${escapeHtml(humanKey(route))}</strong>, confidence ${scoreText(safety.confidence)}</p>`);
		const checks = Array.isArray(safety.checks) ? (safety.checks as Record<string, unknown>[]) : [];
		if (checks.length) {
			parts.push(
				`<table><thead><tr><th>Check</th><th>Score</th><th>Result</th><th>Why</th></tr></thead><tbody>${checks
					.slice(0, 50)
					.map(
						(c) =>
							`<tr><td>${escapeHtml(humanKey(String(c.name ?? '')))}</td><td>${scoreText(c.score)}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'passed' : `failed (${escapeHtml(c.severity)})`}</td><td>${escapeHtml(c.reason)}</td></tr>`,
					)
					.join('')}</tbody></table>`,
			);
		}
	}
	return parts.length ? parts.join('') : '<p class="muted">No scores recorded.</p>';
}

function costSection(view: ApprovalView): string {
	const b = (view.budget ?? {}) as Record<string, unknown>;
	if (view.cost_so_far === null || view.cost_so_far === undefined) return '<p class="muted">No campaign cost recorded.</p>';
	return `<p>Spent so far: <strong>${usd(view.cost_so_far)}</strong>${b.budget_limit_usd ? ` of ${usd(b.budget_limit_usd)} (${escapeHtml(b.percent_used ?? 0)} %), ${usd(b.remaining_usd)} left` : ''}</p>`;
}

const STATUS_TEXT: Record<string, string> = {
	approved: 'This was approved. The link has been used.',
	rejected: 'This was rejected. The link has been used.',
	expired: 'This approval link has expired. Ask for a new one.',
	cancelled: 'This approval link was replaced by a newer one.',
};

export interface ApprovalPageOptions {
	/** Where the form posts: the same webhook URL that served the page. */
	actionUrl: string;
	/** The link's token, posted back with the decision. */
	token: string;
	/** A route the caller serves that streams the video (for video and platform_post approvals). */
	videoSrc?: string | null;
}

/**
 * The approval page: the asset (brief fields, script scenes, or a video player), its scores, the
 * cost so far, and Approve / Reject with a feedback field, posting to `actionUrl` with the token.
 * A decided, expired or replaced approval shows its state and no buttons. Everything is escaped.
 */
export function approvalPage(view: ApprovalView, opts: ApprovalPageOptions): string {
	const action = safeUrl(opts.actionUrl, 'action_url');
	const video = opts.videoSrc ? safeUrl(opts.videoSrc, 'video_src') : null;
	const status = String(view.effective_status ?? view.status);
	const label = labelOf(view.entity);
	const campaign = view.campaign;
	const open = status === 'pending';
	const form = open
		? [
				`<form method="post" action="${escapeHtml(action.url)}">`,
				`<input type="hidden" name="approval" value="${escapeHtml(view.approval_id)}">`,
				`<input type="hidden" name="token" value="${escapeHtml(opts.token)}">`,
				`<label for="feedback"><strong>Feedback</strong> <span class="muted">(sent back to regenerate when you reject)</span></label>`,
				`<textarea id="feedback" name="feedback" maxlength="${MAX_FEEDBACK_CHARS}"></textarea>`,
				'<div class="actions"><button class="approve" type="submit" name="decision" value="approved">Approve</button>',
				'<button class="reject" type="submit" name="decision" value="rejected">Reject</button></div>',
				'</form>',
				view.expires_at ? `<p class="muted">This link works once and expires at ${escapeHtml(view.expires_at)}.</p>` : '',
			].join('\n')
		: `<div class="banner ${status === 'approved' ? 'ok' : status === 'rejected' ? 'bad' : 'info'}" role="status">${escapeHtml(STATUS_TEXT[status] ?? `This approval is ${status}.`)}</div>`;
	const body = [
		`<header><p class="muted">${escapeHtml(campaign?.brand_name ?? '')}${campaign ? ` · ${escapeHtml(campaign.campaign_name)}` : ''}</p>`,
		`<h1>Approve: ${escapeHtml(label)}</h1></header>`,
		open ? '' : form,
		`<h2>${escapeHtml(label)}</h2>`,
		assetSection(view, video),
		'<h2>Scores</h2>',
		scoresSection(view),
		'<h2>Cost so far</h2>',
		costSection(view),
		open ? '<h2>Decision</h2>' : '',
		open ? form : '',
	].join('\n');
	return htmlPage({
		title: `Approve ${label}${campaign ? ` – ${campaign.campaign_name}` : ''}`,
		body,
		mediaSources: video ? [video.source] : [],
		formTargets: open ? [action.source] : [],
	});
}

/** The page after a decision, or after a refused link (the reason in plain words, no internals). */
export function resultPage(outcome: DecisionResult | unknown): string {
	const r = outcome as Partial<DecisionResult> | null;
	if (r && typeof r === 'object' && (r.decision === 'approved' || r.decision === 'rejected') && typeof r.approval_id === 'string') {
		const label = labelOf(r.entity);
		const ok = r.decision === 'approved';
		const next = ok
			? `The ${escapeHtml(label.toLowerCase())} is approved; the ${escapeHtml(r.next_pillar ?? 'next')} step starts now.`
			: `The ${escapeHtml(label.toLowerCase())} is rejected; it goes back to the ${escapeHtml(r.next_pillar ?? 'previous')} step${r.feedback ? ' with your feedback' : ''}.`;
		return htmlPage({
			title: ok ? 'Approved' : 'Rejected',
			body: [
				`<h1>${ok ? 'Approved' : 'Rejected'}</h1>`,
				`<div class="banner ${ok ? 'ok' : 'bad'}" role="status">${next}</div>`,
				r.feedback ? `<h2>Your feedback</h2><p class="box">${escapeHtml(r.feedback)}</p>` : '',
				'<p class="muted">You can close this page. The link cannot be used again.</p>',
			].join('\n'),
		});
	}
	const message =
		outcome instanceof ApprovalLinkError
			? outcome.publicMessage
			: outcome instanceof ValidationError
				? `The request was not valid: ${outcome.message}`
				: 'Something went wrong while recording the decision. Nothing was changed; try the link again later.';
	return htmlPage({
		title: 'Approval link refused',
		body: `<h1>Approval link refused</h1>\n<div class="banner bad" role="alert">${escapeHtml(message)}</div>\n<p class="muted">Nothing was changed.</p>`,
	});
}

/** The HTTP status a webhook should answer for an outcome of decide()/viewApproval(). */
export function httpStatusOf(outcome: unknown): number {
	if (outcome instanceof ApprovalLinkError) return outcome.httpStatus;
	if (outcome instanceof ValidationError) return 400;
	if (outcome instanceof Error) return 500;
	return 200;
}
