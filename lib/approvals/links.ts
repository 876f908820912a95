/**
 * Signed approval links (seed 000: signed short-TTL tokens; issue 5: HMAC, audience = the approval,
 * single use). A token is `base64url(payload).base64url(HMAC-SHA256(secret, "bi-approval.v1." +
 * base64url(payload)))`; the payload is `{ v: 1, aud: <approval id>, exp: <unix seconds>, iat,
 * nonce }`. The store keeps only `tokenHash(token)` (SHA-256), which makes a link single use and
 * keeps links out of the database. The secret comes from the caller (an n8n credential), never from
 * the environment.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { BrandInfinityError, ValidationError } from '../domain/errors';

export const APPROVAL_TOKEN_VERSION = 1;
const DOMAIN = 'bi-approval.v1.';
const MAX_TOKEN_LENGTH = 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A secret shorter than this is refused: HMAC-SHA256 wants 32 bytes of key to be worth its name. */
export const MIN_SECRET_BYTES = 32;

export interface ApprovalTokenPayload {
	v: 1;
	/** The approval the token is for (its audience). */
	aud: string;
	/** Expiry, unix seconds. */
	exp: number;
	/** Issued at, unix seconds. */
	iat: number;
	nonce: string;
}

/**
 * Why a link is refused. `malformed`, `tampered` and `wrong_audience` come from the signature
 * check; `expired` from the token or the store's clock; the rest from the store.
 */
export type ApprovalLinkFailure =
	| 'malformed'
	| 'tampered'
	| 'wrong_audience'
	| 'expired'
	| 'reused'
	| 'cancelled'
	| 'changed'
	| 'not_found';

const MESSAGES: Record<ApprovalLinkFailure, string> = {
	malformed: 'This approval link is not valid: it is incomplete or damaged.',
	tampered: 'This approval link is not valid: its signature does not match.',
	wrong_audience: 'This approval link belongs to a different approval.',
	expired: 'This approval link has expired. Ask for a new one.',
	reused: 'This approval link has already been used: the decision was recorded.',
	cancelled: 'This approval link was replaced by a newer one.',
	changed: 'The item changed after this link was sent. Ask for a new approval link.',
	not_found: 'This approval does not exist.',
};

const HTTP_STATUS: Record<ApprovalLinkFailure, number> = {
	malformed: 400,
	tampered: 403,
	wrong_audience: 403,
	expired: 410,
	reused: 409,
	cancelled: 410,
	changed: 409,
	not_found: 404,
};

/** A refused approval link; `reason` says why, `httpStatus` what a webhook should answer. */
export class ApprovalLinkError extends BrandInfinityError {
	constructor(
		readonly reason: ApprovalLinkFailure,
		message: string = MESSAGES[reason],
		detail: Record<string, unknown> = {},
	) {
		super('APPROVAL_LINK', message, { ...detail, reason });
	}

	get httpStatus(): number {
		return HTTP_STATUS[this.reason];
	}

	/** A sentence for the person holding the link (no internals). */
	get publicMessage(): string {
		return MESSAGES[this.reason];
	}
}

function b64url(buf: Buffer): string {
	return buf.toString('base64url');
}

function keyOf(secret: string | Buffer): Buffer {
	const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
	if (!Buffer.isBuffer(key) || key.length < MIN_SECRET_BYTES) {
		throw new ValidationError(`the approval link secret must be at least ${MIN_SECRET_BYTES} bytes`, 'secret');
	}
	return key;
}

function mac(key: Buffer, body: string): Buffer {
	return createHmac('sha256', key).update(DOMAIN).update(body).digest();
}

function toMillis(value: Date | string | number, field: string): number {
	const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
	if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be a date`, field);
	return ms;
}

/** Signs a link token for one approval, valid until `expiresAt` (rounded down to the second). */
export function signApprovalToken(
	input: { approvalId: string; expiresAt: Date | string | number; issuedAt?: Date | string | number; nonce?: string },
	secret: string | Buffer,
): string {
	if (typeof input.approvalId !== 'string' || !UUID.test(input.approvalId)) {
		throw new ValidationError('approvalId must be a UUID', 'approval_id');
	}
	const key = keyOf(secret);
	const payload: ApprovalTokenPayload = {
		v: APPROVAL_TOKEN_VERSION,
		aud: input.approvalId.toLowerCase(),
		exp: Math.floor(toMillis(input.expiresAt, 'expires_at') / 1000),
		iat: Math.floor(toMillis(input.issuedAt ?? Date.now(), 'issued_at') / 1000),
		nonce: input.nonce ?? b64url(randomBytes(16)),
	};
	const body = b64url(Buffer.from(JSON.stringify(payload), 'utf8'));
	return `${body}.${b64url(mac(key, body))}`;
}

/** Shape and signature (constant time); the payload, expiry not checked yet. */
function decodeSigned(token: unknown, key: Buffer): ApprovalTokenPayload {
	if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw new ApprovalLinkError('malformed');
	const parts = token.split('.');
	if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1])) throw new ApprovalLinkError('malformed');
	const [body, sig] = parts;
	const expected = mac(key, body);
	const given = Buffer.from(sig, 'base64url');
	// Equal lengths first (timingSafeEqual needs them); the length of a SHA-256 MAC is public anyway.
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApprovalLinkError('tampered');
	let payload: ApprovalTokenPayload;
	try {
		payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ApprovalTokenPayload;
	} catch {
		throw new ApprovalLinkError('malformed');
	}
	if (
		!payload ||
		typeof payload !== 'object' ||
		payload.v !== APPROVAL_TOKEN_VERSION ||
		typeof payload.aud !== 'string' ||
		!UUID.test(payload.aud) ||
		!Number.isSafeInteger(payload.exp) ||
		!Number.isSafeInteger(payload.iat) ||
		typeof payload.nonce !== 'string'
	) {
		throw new ApprovalLinkError('malformed');
	}
	return payload;
}

function checkExpiry(payload: ApprovalTokenPayload, now: Date | number | undefined): ApprovalTokenPayload {
	const at = now === undefined ? Date.now() : toMillis(now, 'now');
	if (at >= payload.exp * 1000) {
		throw new ApprovalLinkError('expired', MESSAGES.expired, { expires_at: new Date(payload.exp * 1000).toISOString() });
	}
	return payload;
}

/**
 * Checks a token's shape, signature (constant time) and expiry; returns the payload. Does not
 * check the audience: use verifyApprovalToken when the approval id is known (from the URL).
 */
export function readApprovalToken(token: unknown, secret: string | Buffer, opts: { now?: Date | number } = {}): ApprovalTokenPayload {
	return checkExpiry(decodeSigned(token, keyOf(secret)), opts.now);
}

/**
 * Verifies a token for one approval: signature (constant time), audience = `approvalId`, expiry.
 * Throws ApprovalLinkError (malformed / tampered / wrong_audience / expired).
 */
export function verifyApprovalToken(token: unknown, secret: string | Buffer, opts: { approvalId: string; now?: Date | number }): ApprovalTokenPayload {
	const key = keyOf(secret);
	// Signature before audience, audience before expiry: a forged token learns nothing.
	const payload = decodeSigned(token, key);
	const audience = typeof opts?.approvalId === 'string' ? opts.approvalId.trim().toLowerCase() : '';
	if (payload.aud !== audience) throw new ApprovalLinkError('wrong_audience');
	return checkExpiry(payload, opts.now);
}

/** SHA-256 of a token in lowercase hex: what the store keeps for the single-use check. */
export function tokenHash(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}
