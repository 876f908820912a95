/**
 * Brand guideline vectors in Pinecone, through @pinecone-database/pinecone. One namespace per brand
 * (the brand id). `deleteByDocument` deletes by the metadata filter `document_id = <id>`, so every
 * record must carry `metadata.document_id` (lib/strategy/brand-rag.ts does). Scores are the index's
 * metric (cosine for guideline search); `minScore` is applied here since Pinecone has no threshold.
 *
 * Where requests go: `indexHost` (the index's data-plane host, from the console or describe_index)
 * is used directly; otherwise `indexName` is resolved once through the control plane at
 * `controllerHostUrl`. Both accept http:// URLs, which is how the loopback fake plugs in.
 *
 * Retries: the SDK retries 5xx itself (`maxRetries`, set explicitly); it does not retry 429, so the
 * fetch given to it does, honouring Retry-After. Every call here is idempotent (upsert by id, query,
 * delete by filter), so repeating one is safe.
 */
import type { Index } from '@pinecone-database/pinecone';

import { secretRedactor } from '../../domain/errors';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER_SECONDS, loadOnce, ProviderCallError, retryAfterSeconds } from '../llm/openai';
import { ProviderError, type VectorMatch, type VectorRecord, type VectorStore } from '../types';

export const PINECONE_CONTROLLER_HOST = 'https://api.pinecone.io';
/** Pinecone refuses upsert requests over 2 MB or 1000 records; batches stay below both. */
const MAX_UPSERT_BYTES = 1_800_000;
const MAX_UPSERT_RECORDS = 1000;

export interface PineconeOptions {
	apiKey: string;
	/** The index's data-plane host, e.g. https://brand-abc123.svc.aped-4627-b74a.pinecone.io. Preferred. */
	indexHost?: string;
	/** Resolved to a host through the control plane when `indexHost` is not given. */
	indexName?: string;
	/** Control plane. Default https://api.pinecone.io. */
	controllerHostUrl?: string;
	/** 5xx retries by the SDK. Default 2. */
	maxRetries?: number;
	/** 429: a Retry-After longer than this is not waited for. Default 60. */
	maxRetryAfterSeconds?: number;
	/** Per HTTP attempt. Default 30 s. */
	timeoutMs?: number;
}

const STATUS_OF: Record<string, number> = {
	PineconeBadRequestError: 400,
	PineconeAuthorizationError: 401,
	PineconeNotFoundError: 404,
	PineconeMethodNotAllowedError: 405,
	PineconeConflictError: 409,
	PineconeUnprocessableEntityError: 422,
	PineconeInternalServerError: 500,
	PineconeNotImplementedError: 501,
	PineconeUnavailableError: 503,
	PineconeMaxRetriesExceededError: 503,
};

function errorChain(err: unknown): { name: string; code?: string; message: string }[] {
	const out: { name: string; code?: string; message: string }[] = [];
	let cur: unknown = err;
	for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
		const e = cur as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
		out.push({ name: String(e.name ?? ''), code: typeof e.code === 'string' ? e.code : undefined, message: String(e.message ?? '') });
		cur = e.cause;
	}
	return out;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Maps a Pinecone SDK error to a ProviderCallError, secrets redacted. */
export function pineconeError(err: unknown, redact: (s: string) => string): unknown {
	if (err instanceof ProviderError) return err;
	const chain = errorChain(err);
	if (chain.length === 0) return err;
	const top = chain[0];
	const message = redact(`pinecone: ${top.message}`).slice(0, 500);
	if (chain.some((c) => c.name === 'TimeoutError')) {
		return new ProviderCallError('pinecone: request timed out', 'pinecone', null, false, 'timeout');
	}
	if (top.name === 'PineconeConnectionError') {
		const notSent = chain.some((c) => c.code && NOT_SENT.has(c.code));
		return new ProviderCallError(message, 'pinecone', null, notSent, 'network');
	}
	const status = STATUS_OF[top.name] ?? Number(/status(?: code)?:? (\d{3})/i.exec(top.message)?.[1] ?? NaN);
	if (!Number.isFinite(status)) return err;
	const kind = status === 429 ? 'rate_limited' : status === 401 || status === 403 ? 'auth' : status >= 500 ? 'server' : 'bad_request';
	return new ProviderCallError(message, 'pinecone', status, true, kind);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** fetch with a per-attempt timeout and 429 retries that honour Retry-After. */
function pineconeFetch(opts: { timeoutMs: number; maxRetries: number; maxRetryAfterSeconds: number }) {
	return async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
		for (let attempt = 0; ; attempt++) {
			const signal = init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
			const res = await fetch(url, { ...init, signal });
			if (res.status !== 429 || attempt >= opts.maxRetries) return res;
			const wait = retryAfterSeconds(res.headers) ?? Math.min(0.5 * 2 ** attempt, 8);
			if (wait > opts.maxRetryAfterSeconds) return res;
			await res.body?.cancel();
			await sleep(wait * 1000);
		}
	};
}

export class PineconeVectorStore implements VectorStore {
	readonly name = 'pinecone';
	/** The SDK loads on the first call. */
	private readonly index: () => Promise<Index>;
	private readonly redact: (s: string) => string;

	constructor(opts: PineconeOptions) {
		if (!opts.apiKey) throw new Error('Pinecone needs an API key');
		if (!opts.indexHost && !opts.indexName) throw new Error('Pinecone needs an index host or an index name');
		const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
		this.index = loadOnce(async () => {
			const { Pinecone } = await import('@pinecone-database/pinecone');
			const client = new Pinecone({
				apiKey: opts.apiKey,
				controllerHostUrl: opts.controllerHostUrl || PINECONE_CONTROLLER_HOST,
				maxRetries,
				fetchApi: pineconeFetch({
					timeoutMs: opts.timeoutMs ?? 30_000,
					maxRetries,
					maxRetryAfterSeconds: opts.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
				}),
			});
			return client.index(opts.indexHost ? { host: opts.indexHost, name: opts.indexName } : { name: opts.indexName });
		});
		this.redact = secretRedactor([opts.apiKey]);
	}

	private async call<R>(fn: (index: Index) => Promise<R>): Promise<R> {
		try {
			return await fn(await this.index());
		} catch (err) {
			throw pineconeError(err, this.redact);
		}
	}

	async upsert(namespace: string, records: VectorRecord[]): Promise<void> {
		let batch: VectorRecord[] = [];
		let bytes = 0;
		const flush = async () => {
			if (batch.length === 0) return;
			const out = batch;
			batch = [];
			bytes = 0;
			await this.call((index) => index.upsert({ records: out, namespace }));
		};
		for (const r of records) {
			const size = JSON.stringify(r).length + 1;
			if (batch.length > 0 && (bytes + size > MAX_UPSERT_BYTES || batch.length >= MAX_UPSERT_RECORDS)) await flush();
			batch.push(r);
			bytes += size;
		}
		await flush();
	}

	async deleteByDocument(namespace: string, documentId: string): Promise<void> {
		await this.call((index) => index.deleteMany({ filter: { document_id: { $eq: documentId } }, namespace }));
	}

	async query(namespace: string, vector: number[], topK: number, minScore: number): Promise<VectorMatch[]> {
		const res = await this.call((index) => index.query({ vector, topK, namespace, includeMetadata: true, includeValues: false }));
		return (res.matches ?? [])
			.filter((m) => typeof m.score === 'number' && m.score >= minScore)
			.map((m) => ({ id: m.id, score: m.score as number, metadata: { ...(m.metadata ?? {}) } }));
	}
}
