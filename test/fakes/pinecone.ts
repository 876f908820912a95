/**
 * A loopback Pinecone (one dense, cosine index) that the real @pinecone-database/pinecone SDK runs
 * against, both planes on one port:
 *   - control plane `GET /indexes/{name}` (describe_index, what the SDK calls to resolve a host
 *     from an index name). Real Pinecone answers a host without a scheme, which the SDK turns into
 *     https://; this fake answers `http://127.0.0.1:port` so the SDK stays on plain HTTP;
 *   - data plane `POST /vectors/upsert` (≤1000 vectors, ≤2 MB, dimension checked, metadata values
 *     string|number|boolean|string[]), `POST /query` (topK, vector, filter, includeMetadata,
 *     includeValues; cosine scores, best first), `POST /vectors/delete` (ids | deleteAll | filter);
 *   - auth `Api-Key` header; data-plane errors `{code, message, details}` (gRPC-style codes),
 *     control-plane errors `{error:{code,message}, status}`.
 * Filters support bare equality, $eq, $ne, $in, $nin, $and, $or. Faults as in ./openai.
 */
import { HttpError, startLoopback, type LoggedRequest, type Loopback, type Reply } from './openai';

export interface PineconeFakeOptions {
	apiKey?: string;
	indexName?: string;
	dimension?: number;
}

type Metadata = Record<string, string | number | boolean | string[]>;

export interface StoredVector {
	id: string;
	values: number[];
	metadata?: Metadata;
}

export interface PineconeFake extends Loopback {
	/** namespace → id → vector: the index's contents, for assertions. */
	namespaces: Map<string, Map<string, StoredVector>>;
	indexName: string;
	dimension: number;
}

const dataError = (code: number, message: string) => ({ code, message, details: [] });

function cosine(a: number[], b: number[]): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function matches(meta: Metadata | undefined, filter: Record<string, unknown>): boolean {
	for (const [key, cond] of Object.entries(filter)) {
		if (key === '$and') {
			if (!(cond as Record<string, unknown>[]).every((f) => matches(meta, f))) return false;
			continue;
		}
		if (key === '$or') {
			if (!(cond as Record<string, unknown>[]).some((f) => matches(meta, f))) return false;
			continue;
		}
		const value = meta?.[key];
		const ops = cond && typeof cond === 'object' && !Array.isArray(cond) ? (cond as Record<string, unknown>) : { $eq: cond };
		for (const [op, arg] of Object.entries(ops)) {
			const ok =
				op === '$eq'
					? value === arg || (Array.isArray(value) && value.includes(arg as string))
					: op === '$ne'
						? value !== arg
						: op === '$in'
							? (arg as unknown[]).includes(value)
							: op === '$nin'
								? !(arg as unknown[]).includes(value)
								: (() => {
										throw new HttpError(400, dataError(3, `Unsupported filter operator ${op}`));
									})();
			if (!ok) return false;
		}
	}
	return true;
}

export async function startPineconeFake(opts: PineconeFakeOptions = {}): Promise<PineconeFake> {
	const indexName = opts.indexName ?? 'brand-guidelines';
	const dimension = opts.dimension ?? 1536;
	const namespaces = new Map<string, Map<string, StoredVector>>();
	let url = '';

	const ns = (name: unknown) => {
		const key = typeof name === 'string' ? name : '';
		let m = namespaces.get(key);
		if (!m) namespaces.set(key, (m = new Map()));
		return m;
	};

	const route = (req: LoggedRequest): Reply => {
		const control = req.path.startsWith('/indexes');
		if (opts.apiKey !== undefined && req.headers['api-key'] !== opts.apiKey) {
			throw new HttpError(401, control ? { error: { code: 'UNAUTHENTICATED', message: 'Invalid API Key' }, status: 401 } : dataError(16, 'Invalid API Key'));
		}
		if (!req.headers['x-pinecone-api-version']) throw new HttpError(400, dataError(3, 'Missing X-Pinecone-Api-Version header'));
		const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;

		if (req.method === 'GET' && control) {
			const name = decodeURIComponent(req.path.slice('/indexes/'.length));
			if (name !== indexName) throw new HttpError(404, { error: { code: 'NOT_FOUND', message: `Resource ${name} not found` }, status: 404 });
			return {
				status: 200,
				body: {
					name: indexName,
					vector_type: 'dense',
					metric: 'cosine',
					dimension,
					status: { ready: true, state: 'Ready' },
					host: url,
					spec: { serverless: { region: 'us-east-1', cloud: 'aws' } },
					deletion_protection: 'disabled',
					tags: null,
				},
			};
		}
		if (req.method !== 'POST') throw new HttpError(404, dataError(5, 'Not Found'));

		if (req.path === '/vectors/upsert') {
			if (req.rawBody.length > 2 * 1024 * 1024) {
				throw new HttpError(400, dataError(3, `Request size ${(req.rawBody.length / 1024 / 1024).toFixed(1)}MB exceeds the maximum supported size of 2MB`));
			}
			const vectors = body.vectors;
			if (!Array.isArray(vectors) || vectors.length === 0) throw new HttpError(400, dataError(3, 'No vectors provided'));
			if (vectors.length > 1000) throw new HttpError(400, dataError(3, `Exceeded max batch size of 1000, got ${vectors.length}`));
			for (const v of vectors as StoredVector[]) {
				if (!Array.isArray(v.values) || v.values.length !== dimension) {
					throw new HttpError(400, dataError(3, `Vector dimension ${Array.isArray(v.values) ? v.values.length : 0} does not match the dimension of the index ${dimension}`));
				}
				for (const [k, val] of Object.entries(v.metadata ?? {})) {
					const ok = ['string', 'number', 'boolean'].includes(typeof val) || (Array.isArray(val) && val.every((x) => typeof x === 'string'));
					if (!ok) throw new HttpError(400, dataError(3, `Metadata value for field ${k} must be a string, number, boolean or list of strings`));
				}
			}
			const target = ns(body.namespace);
			for (const v of vectors as StoredVector[]) target.set(v.id, { id: v.id, values: v.values, metadata: v.metadata });
			return { status: 200, body: { upsertedCount: vectors.length } };
		}

		if (req.path === '/query') {
			const topK = body.topK;
			if (typeof topK !== 'number' || topK < 1 || topK > 10000) throw new HttpError(400, dataError(3, 'topK must be between 1 and 10000'));
			const vector = body.vector as number[] | undefined;
			if (!Array.isArray(vector) || vector.length !== dimension) {
				throw new HttpError(400, dataError(3, `Query vector dimension ${Array.isArray(vector) ? vector.length : 0} does not match the dimension of the index ${dimension}`));
			}
			const filter = body.filter as Record<string, unknown> | undefined;
			const namespace = typeof body.namespace === 'string' ? body.namespace : '';
			const scored = [...(namespaces.get(namespace)?.values() ?? [])]
				.filter((v) => !filter || matches(v.metadata, filter))
				.map((v) => ({ v, score: cosine(vector, v.values) }))
				.sort((a, b) => b.score - a.score)
				.slice(0, topK);
			return {
				status: 200,
				body: {
					results: [],
					matches: scored.map(({ v, score }) => ({
						id: v.id,
						score,
						values: body.includeValues ? v.values : [],
						...(body.includeMetadata && v.metadata ? { metadata: v.metadata } : {}),
					})),
					namespace,
					usage: { readUnits: 5 },
				},
			};
		}

		if (req.path === '/vectors/delete') {
			const target = namespaces.get(typeof body.namespace === 'string' ? body.namespace : '');
			const given = ['ids', 'deleteAll', 'filter'].filter((k) => body[k] !== undefined && body[k] !== false);
			if (given.length !== 1) throw new HttpError(400, dataError(3, 'Exactly one of ids, deleteAll or filter must be provided'));
			if (target) {
				if (Array.isArray(body.ids)) for (const id of body.ids as string[]) target.delete(id);
				else if (body.deleteAll) target.clear();
				else for (const [id, v] of [...target]) if (matches(v.metadata, body.filter as Record<string, unknown>)) target.delete(id);
			}
			return { status: 200, body: {} };
		}
		throw new HttpError(404, dataError(5, 'Not Found'));
	};

	const loop = await startLoopback({
		route,
		errorBody: (status, kind) =>
			kind === 'rate_limit'
				? dataError(8, "Request failed. You've reached the max request units per second limit (RATE_LIMIT_EXCEEDED).")
				: status === 503
					? dataError(14, 'Service unavailable')
					: dataError(13, 'Internal error'),
	});
	url = loop.url;
	return { ...loop, namespaces, indexName, dimension };
}
