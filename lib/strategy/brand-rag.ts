/**
 * Brand RAG: guideline documents in, grounded answers out. Vectors live in the store (pgvector,
 * the default) or in a VectorStore such as Pinecone; the guideline rows (text, category) are in
 * the store either way. Guideline queries are cached per process (TTL one hour by default) and the
 * cache of a brand is dropped when one of its documents is re-ingested.
 */
import { DEFAULT_VARIANT_COUNT, parseOrThrow, campaignRequestSchema, VARIANT_TYPES, type CampaignRequest, type CreativeBrief } from '../domain/schemas';
import type { GuidelineMatch, Json, Store } from '../store/store';
import type { EmbeddingProvider, LlmProvider, VectorStore } from '../providers/types';
import { chunkDocument } from './ingest';
import { brandAlignment, brandProfileSchema, briefText, synthesizeBrief } from './brief';

export class GuidelineCache {
	private readonly entries = new Map<string, { at: number; matches: GuidelineMatch[] }>();

	constructor(private readonly now: () => number = Date.now) {}

	get(key: string, ttlMs: number): GuidelineMatch[] | undefined {
		const hit = this.entries.get(key);
		if (!hit) return undefined;
		if (this.now() - hit.at >= ttlMs) {
			this.entries.delete(key);
			return undefined;
		}
		return hit.matches;
	}

	set(key: string, matches: GuidelineMatch[]): void {
		this.entries.set(key, { at: this.now(), matches });
	}

	invalidateBrand(brandId: string): void {
		for (const key of this.entries.keys()) if (key.startsWith(`${brandId}|`)) this.entries.delete(key);
	}
}

/** One cache per process: every node execution of every workflow shares it. */
export const guidelineCache = new GuidelineCache();

export interface BrandRagDeps {
	store: Store;
	embedder: EmbeddingProvider;
	/** null: vectors in the store's pgvector. */
	vectors?: VectorStore | null;
	cache?: GuidelineCache;
	cacheTtlMs?: number;
}

export async function ingestGuidelines(
	deps: BrandRagDeps,
	input: { brandId: string; documentId: string; text: string; chunkSize?: number; overlap?: number },
): Promise<Json> {
	const chunks = chunkDocument(input.text, { chunkSize: input.chunkSize, overlap: input.overlap });
	const embedded = await deps.embedder.embed(chunks.map((c) => c.content));
	const rows = chunks.map((c, i) => ({
		content: c.content,
		category: c.category,
		content_hash: c.content_hash,
		embedding: deps.vectors ? null : embedded.vectors[i],
	}));
	const result = await deps.store.replaceGuidelineDocument(input.brandId, input.documentId, rows);
	if (deps.vectors) {
		const ids = result.guideline_ids as string[];
		await deps.vectors.deleteByDocument(input.brandId, input.documentId);
		await deps.vectors.upsert(
			input.brandId,
			ids.map((id, i) => ({
				id,
				values: embedded.vectors[i],
				metadata: { document_id: input.documentId, category: chunks[i].category, content: chunks[i].content },
			})),
		);
	}
	(deps.cache ?? guidelineCache).invalidateBrand(input.brandId);
	const categories: Record<string, number> = {};
	for (const c of chunks) categories[c.category] = (categories[c.category] ?? 0) + 1;
	return {
		...result,
		categories,
		vector_store: deps.vectors?.name ?? 'pgvector',
		embedding: { provider: embedded.provider, model: embedded.model, usage: embedded.usage },
	};
}

export async function queryGuidelines(
	deps: BrandRagDeps,
	input: { brandId: string; query: string; topK?: number; minSimilarity?: number },
): Promise<{ matches: GuidelineMatch[]; cached: boolean }> {
	const topK = input.topK ?? 5;
	const minSimilarity = input.minSimilarity ?? 0;
	const cache = deps.cache ?? guidelineCache;
	const ttl = deps.cacheTtlMs ?? 3_600_000;
	const key = [input.brandId, input.query, topK, minSimilarity, deps.embedder.model, deps.vectors?.name ?? 'pgvector'].join('|');
	const hit = ttl > 0 ? cache.get(key, ttl) : undefined;
	if (hit) return { matches: hit, cached: true };
	const [vector] = (await deps.embedder.embed([input.query])).vectors;
	const matches = deps.vectors
		? (await deps.vectors.query(input.brandId, vector, topK, minSimilarity)).map((m) => ({
				guideline_id: m.id,
				content: String(m.metadata.content ?? ''),
				category: (m.metadata.category as string | undefined) ?? null,
				similarity: m.score,
			}))
		: await deps.store.matchBrandGuidelines(input.brandId, vector, topK, minSimilarity);
	if (ttl > 0) cache.set(key, matches);
	return { matches, cached: false };
}

export interface BriefOptions {
	campaignId?: string | null;
	/** Without a campaign ID: create the campaign (name and budget from the request) once the request is valid. */
	createCampaign?: boolean;
	alignmentThreshold?: number;
	autoApprove?: boolean;
	actor?: string;
}

/**
 * The A/B variants a campaign makes: the ones the request names, else as many as it asks for
 * (default 2), taken from the brief's suggestions in order and then from the other types.
 */
export function requestedVariants(request: CampaignRequest, brief: CreativeBrief): (typeof VARIANT_TYPES)[number][] {
	if (Array.isArray(request.variants)) return [...new Set(request.variants)];
	const count = request.variants ?? DEFAULT_VARIANT_COUNT;
	const ordered = [...new Set([...brief.variant_suggestions.map((v) => v.variant_type), ...VARIANT_TYPES])];
	return ordered.slice(0, count);
}

/**
 * Pillar 1: a validated campaign request → a creative brief grounded on the brand's retrieved
 * guidelines, recent trends and competitor ads, scored for brand alignment and stored behind
 * the gate (≥ threshold proceeds; below waits for a person).
 */
export async function generateBrief(
	// llmFor: the LLM once the campaign is known (paid calls are charged to it).
	deps: BrandRagDeps & ({ llm: LlmProvider; llmFor?: undefined } | { llm?: undefined; llmFor: (campaignId: string | null) => Promise<LlmProvider> }),
	rawRequest: unknown,
	opts: BriefOptions = {},
): Promise<Json> {
	const request: CampaignRequest = parseOrThrow(campaignRequestSchema, rawRequest, 'campaign_request');
	const brand = await deps.store.getBrand(request.brand_id);
	// Written only after the request and its brand checked out: a bad request leaves nothing behind.
	let campaignId = opts.campaignId ?? null;
	if (!campaignId && opts.createCampaign) {
		const campaign = await deps.store.createCampaign({
			campaign_name: request.campaign_name ?? `${request.product_category} (${request.campaign_objective})`,
			brand_id: request.brand_id,
			budget_limit_usd: request.budget_limit_usd === undefined ? null : String(request.budget_limit_usd),
			actor: opts.actor,
		});
		campaignId = campaign.campaign_id as string;
	}
	const llm = deps.llmFor ? await deps.llmFor(campaignId) : deps.llm;
	const query = `${request.product_category} for ${request.target_demographic}: ${request.campaign_objective}; brand tone, visual style and restrictions`;
	const { matches: guidelines } = await queryGuidelines(deps, { brandId: request.brand_id, query, topK: 5 });
	const trends = await deps.store.recentTrends(10);
	const competitorAds = await deps.store.recentCompetitorAds(request.brand_id, 5);
	const { brief, llm: llmCall } = await synthesizeBrief({
		request,
		brand: brandProfileSchema.parse(brand),
		guidelines,
		trends: trends.map((t) => ({ topic: String(t.topic), engagement_score: t.engagement_score as number | string | null })) as never,
		competitorAds: competitorAds as never,
		llm,
	});
	const alignment = await brandAlignment({ text: briefText(brief), brand: brandProfileSchema.parse(brand), guidelines, embedder: deps.embedder });
	const threshold = opts.alignmentThreshold ?? 0.85;
	const row = await deps.store.createBrief({
		brand_id: request.brand_id,
		campaign_id: campaignId,
		campaign_request: request,
		creative_brief: brief,
		brand_alignment_score: Math.round(alignment.score * 10_000) / 10_000,
		alignment,
		alignment_threshold: threshold,
		auto_approve: opts.autoApprove ?? false,
		actor: opts.actor,
		variant_tags: requestedVariants(request, brief),
	});
	return { ...row, llm: llmCall, guidelines_used: guidelines.map((g) => ({ guideline_id: g.guideline_id, category: g.category, similarity: g.similarity })) };
}
