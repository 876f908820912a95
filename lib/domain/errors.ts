/**
 * Typed errors of the state API. SQL functions raise stable SQLSTATEs (BI400/BI402/BI404/BI409/BI422)
 * with a JSON `detail`; every transport maps them here, so callers never parse driver errors.
 */
export type ErrorDetail = Record<string, unknown>;

export class BrandInfinityError extends Error {
	readonly code: string;
	readonly detail: ErrorDetail;
	readonly hint?: string;

	constructor(code: string, message: string, detail: ErrorDetail = {}, hint?: string) {
		super(message);
		this.name = new.target.name;
		this.code = code;
		this.detail = detail;
		this.hint = hint || undefined;
	}

	/** The input field the error is about, when there is one. */
	get field(): string | undefined {
		return typeof this.detail.field === 'string' ? this.detail.field : undefined;
	}

	toJSON(): Record<string, unknown> {
		return { name: this.name, code: this.code, message: this.message, detail: this.detail, hint: this.hint };
	}
}

/** BI400: an argument is missing, of the wrong type or out of range. */
export class ValidationError extends BrandInfinityError {
	constructor(message: string, field: string, detail: ErrorDetail = {}) {
		super('BI400', message, { ...detail, field });
	}
}

/** BI404: the row does not exist. */
export class NotFoundError extends BrandInfinityError {}

/** BI409: optimistic concurrency; the row changed since it was read. */
export class VersionConflictError extends BrandInfinityError {
	get currentVersion(): number | undefined {
		const v = this.detail.current_version;
		return typeof v === 'number' ? v : undefined;
	}
}

/** BI422: the status graph does not allow this change. */
export class IllegalTransitionError extends BrandInfinityError {}

/** BI402: the campaign's budget does not cover the request, or the campaign is paused. */
export class BudgetExceededError extends BrandInfinityError {}

/** Any other failure of the store (connection, missing migration, driver error). */
export class StoreError extends BrandInfinityError {}

/** The embedded data directory is held by another process. */
export class StoreLockedError extends BrandInfinityError {}

const BY_CODE: Record<string, new (code: string, message: string, detail?: ErrorDetail, hint?: string) => BrandInfinityError> = {
	BI402: BudgetExceededError,
	BI404: NotFoundError,
	BI409: VersionConflictError,
	BI422: IllegalTransitionError,
};

/** Parses a SQL error's detail: the state API always sends a JSON object there. */
function parseDetail(detail: unknown): ErrorDetail {
	if (detail && typeof detail === 'object') return detail as ErrorDetail;
	if (typeof detail !== 'string' || detail === '') return {};
	try {
		const parsed: unknown = JSON.parse(detail);
		return parsed && typeof parsed === 'object' ? (parsed as ErrorDetail) : { text: detail };
	} catch {
		return { text: detail };
	}
}

/**
 * Maps an error from PGlite, pg or PostgREST (`{code, message, details, hint}`) to a typed error.
 * Only code, message, detail and hint are kept: driver errors also carry the query and its
 * parameters, which must not reach items or logs.
 */
export function fromSqlError(err: unknown, redact: (s: string) => string = (s) => s): BrandInfinityError {
	if (err instanceof BrandInfinityError) return err;
	const e = (err ?? {}) as { code?: unknown; message?: unknown; detail?: unknown; details?: unknown; hint?: unknown };
	const code = typeof e.code === 'string' ? e.code : 'STORE';
	const message = redact(typeof e.message === 'string' ? e.message : String(err));
	const detail = parseDetail(e.detail ?? e.details);
	const hint = typeof e.hint === 'string' ? redact(e.hint) : undefined;
	if (code === 'BI400') {
		return new ValidationError(message, typeof detail.field === 'string' ? detail.field : 'unknown', detail);
	}
	const Cls = BY_CODE[code];
	if (Cls) return new Cls(code, message, detail, hint);
	return new StoreError(code, message, detail, hint);
}

/**
 * A function that hides secrets in text. The SQL API echoes bad values cut to 40 or 60 characters,
 * so the leading 40 and 60 characters of a long secret are hidden too.
 */
export function secretRedactor(secrets: string[]): (s: string) => string {
	const parts = secrets
		.filter((x) => x.length >= 4)
		.flatMap((x) => [x, x.slice(0, 60), x.slice(0, 40)])
		.sort((a, b) => b.length - a.length);
	return (s) => parts.reduce((out, part) => out.split(part).join('[redacted]'), s);
}
