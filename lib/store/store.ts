/**
 * The Store: typed methods over the SQL state API, the same for every transport. It never reads
 * and writes a state row itself; each method is one SQL function call (one transaction).
 */
import { ValidationError } from '../domain/errors';
import { formatUsd, type Micros } from '../domain/money';
import type { Transport } from './transport';

export const ENTITIES = [
	'campaign',
	'variant',
	'creative_brief',
	'script',
	'video',
	'generation_job',
	'platform_post',
	'scheduled_post',
	'approval',
] as const;
export type Entity = (typeof ENTITIES)[number];

export const PILLARS = ['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster'] as const;
export type Pillar = (typeof PILLARS)[number];

export const COST_TYPES = ['api_cost', 'storage_cost', 'processing_cost', 'adjustment'] as const;
export type CostType = (typeof COST_TYPES)[number];

export const ASSET_TYPES = ['brief', 'script', 'video', 'audio', 'image', 'clip', 'thumbnail', 'caption', 'other'] as const;
export const CAMPAIGN_STATUSES = ['draft', 'in_production', 'completed', 'published', 'paused', 'cancelled'] as const;

export type Json = Record<string, unknown>;

export interface TransitionInput {
	entity: Entity;
	id: string;
	expectedVersion: number;
	toStatus: string;
	actor?: string;
	reason?: string;
}

export interface ReserveInput {
	campaignId: string;
	variantId?: string | null;
	pillar: Pillar;
	amount: Micros;
	/** Idempotency key: reserving again with the same ref returns the first reservation. */
	ref?: string | null;
}

export interface SettleInput {
	reservationId: string;
	actual: Micros;
	costType: CostType;
	description?: string | null;
}

export interface RecordCostInput {
	campaignId: string;
	variantId?: string | null;
	pillar: Pillar;
	costType: CostType;
	amount: Micros;
	description?: string | null;
}

export interface GuidelineMatch {
	guideline_id: string;
	content: string;
	category: string | null;
	similarity: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks a UUID argument before it reaches SQL, so the error names the field. */
export function requireUuid(value: unknown, field: string): string {
	if (typeof value !== 'string' || !UUID.test(value.trim())) {
		throw new ValidationError(`${field} must be a UUID, got ${JSON.stringify(value)?.slice(0, 60)}`, field);
	}
	return value.trim();
}

function optionalUuid(value: string | null | undefined, field: string): string | null {
	return value === undefined || value === null || value === '' ? null : requireUuid(value, field);
}

export class Store {
	constructor(readonly transport: Transport) {}

	get backend(): Transport['backend'] {
		return this.transport.backend;
	}

	private async call<T = Json>(fn: string, args: Record<string, unknown>): Promise<T> {
		return (await this.transport.rpc(fn, args)) as T;
	}

	// ------------------------------------------------------------ brands and campaigns
	createBrand(brand: Json): Promise<Json> {
		return this.call('bi_create_brand', { p_brand: brand });
	}

	getBrand(brandId: string): Promise<Json> {
		return this.call('bi_get_brand', { p_brand_id: requireUuid(brandId, 'brand_id') });
	}

	createCampaign(campaign: Json): Promise<Json> {
		return this.call('bi_create_campaign', { p_campaign: campaign });
	}

	getCampaign(campaignId: string): Promise<Json> {
		return this.call('bi_get_campaign', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}

	listCampaigns(filter: { brand_id?: string; status?: string; limit?: number; offset?: number } = {}): Promise<Json[]> {
		return this.call('bi_list_campaigns', { p_filter: filter });
	}

	setCampaignBudget(campaignId: string, expectedVersion: number, budgetLimit: Micros | null, actor?: string): Promise<Json> {
		return this.call('bi_set_campaign_budget', {
			p_campaign_id: requireUuid(campaignId, 'campaign_id'),
			p_expected_version: expectedVersion,
			p_budget_limit_usd: budgetLimit === null ? null : formatUsd(budgetLimit),
			p_actor: actor ?? null,
		});
	}

	createVariant(variant: Json): Promise<Json> {
		return this.call('bi_create_variant', { p_variant: variant });
	}

	registerAsset(asset: Json): Promise<Json> {
		return this.call('bi_register_asset', { p_asset: asset });
	}

	transition(t: TransitionInput): Promise<Json> {
		if (!Number.isInteger(t.expectedVersion) || t.expectedVersion < 1) {
			throw new ValidationError('expected_version must be a positive integer', 'expected_version');
		}
		return this.call('bi_transition', {
			p_entity: t.entity,
			p_id: requireUuid(t.id, 'id'),
			p_expected_version: t.expectedVersion,
			p_to_status: t.toStatus,
			p_actor: t.actor ?? null,
			p_reason: t.reason ?? null,
		});
	}

	auditTrail(campaignId: string, limit = 200): Promise<Json[]> {
		return this.call('bi_audit_trail', { p_campaign_id: requireUuid(campaignId, 'campaign_id'), p_limit: limit });
	}

	// ------------------------------------------------------------ budget and ledger
	reserveBudget(r: ReserveInput): Promise<Json> {
		return this.call('bi_reserve_budget', {
			p_campaign_id: requireUuid(r.campaignId, 'campaign_id'),
			p_variant_id: optionalUuid(r.variantId, 'variant_id'),
			p_pillar: r.pillar,
			p_amount_usd: formatUsd(r.amount),
			p_ref: r.ref || null,
		});
	}

	settleReservation(s: SettleInput): Promise<Json> {
		return this.call('bi_settle_reservation', {
			p_reservation_id: requireUuid(s.reservationId, 'reservation_id'),
			p_actual_usd: formatUsd(s.actual),
			p_cost_type: s.costType,
			p_description: s.description ?? null,
		});
	}

	releaseReservation(reservationId: string, reason?: string): Promise<Json> {
		return this.call('bi_release_reservation', {
			p_reservation_id: requireUuid(reservationId, 'reservation_id'),
			p_reason: reason ?? null,
		});
	}

	recordCost(c: RecordCostInput): Promise<Json> {
		return this.call('bi_record_cost', {
			p_campaign_id: requireUuid(c.campaignId, 'campaign_id'),
			p_variant_id: optionalUuid(c.variantId, 'variant_id'),
			p_pillar: c.pillar,
			p_cost_type: c.costType,
			p_amount_usd: formatUsd(c.amount),
			p_description: c.description ?? null,
		});
	}

	budgetStatus(campaignId: string): Promise<Json> {
		return this.call('bi_budget_status', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}

	costSummary(campaignId: string): Promise<Json> {
		return this.call('bi_cost_summary', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}

	recordBrandCost(brandId: string, pillar: Pillar, costType: CostType, amount: Micros, description?: string): Promise<Json> {
		return this.call('bi_record_brand_cost', {
			p_brand_id: requireUuid(brandId, 'brand_id'),
			p_pillar: pillar,
			p_cost_type: costType,
			p_amount_usd: formatUsd(amount),
			p_description: description ?? null,
		});
	}

	// ------------------------------------------------------------ strategist and copywriter
	/** Replaces every chunk of one guideline document (re-ingesting never duplicates). */
	replaceGuidelineDocument(
		brandId: string,
		documentId: string,
		chunks: { content: string; category: string; content_hash?: string; embedding?: number[] | null }[],
	): Promise<Json> {
		return this.call('bi_replace_guideline_document', {
			p_brand_id: requireUuid(brandId, 'brand_id'),
			p_document_id: documentId,
			p_chunks: chunks.map((c) => ({ ...c, embedding: c.embedding ? `[${c.embedding.join(',')}]` : null })),
		});
	}

	recordTrend(trend: Json): Promise<Json> {
		return this.call('bi_record_trend', { p_trend: trend });
	}

	recentTrends(limit = 20, sinceHours = 168): Promise<Json[]> {
		return this.call('bi_recent_trends', { p_limit: limit, p_since_hours: sinceHours });
	}

	recordCompetitorAd(ad: Json): Promise<Json> {
		return this.call('bi_record_competitor_ad', { p_ad: ad });
	}

	recentCompetitorAds(brandId: string, limit = 10): Promise<Json[]> {
		return this.call('bi_recent_competitor_ads', { p_brand_id: requireUuid(brandId, 'brand_id'), p_limit: limit });
	}

	createBrief(brief: Json): Promise<Json> {
		return this.call('bi_create_brief', { p_brief: brief });
	}

	getBrief(briefId: string): Promise<Json> {
		return this.call('bi_get_brief', { p_brief_id: requireUuid(briefId, 'brief_id') });
	}

	storeHooks(briefId: string, hooks: Json[]): Promise<Json> {
		return this.call('bi_store_hooks', { p_brief_id: requireUuid(briefId, 'brief_id'), p_hooks: hooks });
	}

	briefHooks(briefId: string, limit = 50): Promise<Json[]> {
		return this.call('bi_brief_hooks', { p_brief_id: requireUuid(briefId, 'brief_id'), p_limit: limit });
	}

	bestPastHooks(brandId: string, limit = 10): Promise<{ text: string; hook_type: string; engagement_rate: number }[]> {
		return this.call('bi_best_past_hooks', { p_brand_id: requireUuid(brandId, 'brand_id'), p_limit: limit });
	}

	createScript(input: { brief_id: string; hook_id?: string | null; script: Json; actor?: string }): Promise<Json> {
		return this.call('bi_create_script', { p_script: input });
	}

	reviseScript(scriptId: string, expectedVersion: number, script: Json, actor?: string): Promise<Json> {
		return this.call('bi_revise_script', {
			p_script_id: requireUuid(scriptId, 'script_id'),
			p_expected_version: expectedVersion,
			p_script: script,
			p_actor: actor ?? null,
		});
	}

	getScript(scriptId: string): Promise<Json> {
		return this.call('bi_get_script', { p_script_id: requireUuid(scriptId, 'script_id') });
	}

	recordSafetyReport(report: Json): Promise<Json> {
		return this.call('bi_record_safety_report', { p_report: report });
	}

	// ------------------------------------------------------------ production house
	createVideo(input: { script_id: string; variant_id?: string | null; scenes?: Json[]; actor?: string }): Promise<Json> {
		return this.call('bi_create_video', { p_video: input });
	}

	getVideo(videoId: string): Promise<Json> {
		return this.call('bi_get_video', { p_video_id: requireUuid(videoId, 'video_id') });
	}

	enqueueGenerationJob(job: Json): Promise<Json> {
		return this.call('bi_enqueue_generation_job', { p_job: job });
	}

	beginJobSubmission(jobId: string, worker: string): Promise<Json> {
		return this.call('bi_begin_job_submission', { p_job_id: requireUuid(jobId, 'job_id'), p_worker: worker });
	}

	recordJobSubmission(jobId: string, worker: string, jobApiId: string, nextPollSeconds: number): Promise<Json> {
		return this.call('bi_record_job_submission', {
			p_job_id: requireUuid(jobId, 'job_id'),
			p_worker: worker,
			p_job_api_id: jobApiId,
			p_next_poll_seconds: Math.round(nextPollSeconds),
		});
	}

	recordJobPoll(jobId: string, worker: string, nextPollSeconds: number, note?: string): Promise<Json> {
		return this.call('bi_record_job_poll', {
			p_job_id: requireUuid(jobId, 'job_id'),
			p_worker: worker,
			p_next_poll_seconds: Math.round(nextPollSeconds),
			p_note: note ?? null,
		});
	}

	jobCallback(provider: string, jobApiId: string): Promise<Json> {
		return this.call('bi_job_callback', { p_provider: provider, p_job_api_id: jobApiId });
	}

	completeJob(jobId: string, worker: string, clipUrl: string, durationSeconds: number, cost: Micros): Promise<Json> {
		return this.call('bi_complete_job', {
			p_job_id: requireUuid(jobId, 'job_id'),
			p_worker: worker,
			p_clip_url: clipUrl,
			p_duration_seconds: durationSeconds,
			p_cost_usd: formatUsd(cost),
		});
	}

	failJob(jobId: string, worker: string, reason: string, confirmed: boolean, retryAfterSeconds = 60): Promise<Json> {
		return this.call('bi_fail_job', {
			p_job_id: requireUuid(jobId, 'job_id'),
			p_worker: worker,
			p_reason: reason.slice(0, 2000),
			p_confirmed: confirmed,
			p_retry_after_seconds: Math.round(retryAfterSeconds),
		});
	}

	settleAtEstimate(reservationId: string, description: string): Promise<Json> {
		return this.call('bi_settle_at_estimate', { p_reservation_id: requireUuid(reservationId, 'reservation_id'), p_description: description });
	}

	setVideoOutputs(videoId: string, masterUrl: string, durationSeconds: number, outputs: Json, audio?: Json): Promise<Json> {
		return this.call('bi_set_video_outputs', {
			p_video_id: requireUuid(videoId, 'video_id'),
			p_master_url: masterUrl,
			p_duration: durationSeconds,
			p_outputs: outputs,
			p_audio: audio ?? null,
		});
	}

	// ------------------------------------------------------------ publishing (exactly once)
	beginPublish(post: Json, owner: string, leaseSeconds = 900): Promise<{ action: 'publish' | 'done' | 'resolve' | 'busy' | 'hold' | 'wait'; post: Json }> {
		return this.call('bi_begin_publish', { p_post: post, p_owner: owner, p_lease_seconds: leaseSeconds });
	}

	recordPublishCheckpoint(postId: string, owner: string, checkpoint: Json): Promise<Json> {
		return this.call('bi_record_publish_checkpoint', { p_post_id: requireUuid(postId, 'post_id'), p_owner: owner, p_checkpoint: checkpoint });
	}

	completePublish(
		postId: string,
		owner: string,
		platformPostId: string | null,
		url: string | null,
		via?: string,
		extra: { ref?: string | null; platformState?: 'processing' | 'published' | null } = {},
	): Promise<Json> {
		return this.call('bi_complete_publish', {
			p_post_id: requireUuid(postId, 'post_id'),
			p_owner: owner,
			p_platform_post_id: platformPostId,
			p_url: url,
			p_via: via ?? 'publish',
			p_ref: extra.ref ?? null,
			p_platform_state: extra.platformState ?? null,
		});
	}

	failPublish(postId: string, owner: string, reason: string, known: boolean): Promise<Json> {
		return this.call('bi_fail_publish', { p_post_id: requireUuid(postId, 'post_id'), p_owner: owner, p_reason: reason, p_known: known });
	}

	// ------------------------------------------------------------ broadcaster (lib/broadcast)
	/** A post stored without publishing: held for a person (requires_approval) and/or scheduled (scheduled_time). */
	preparePost(post: Json): Promise<Json> {
		return this.call('bi_prepare_post', { p_post: post });
	}

	/** A post by id (BI404 when missing), or by idempotency key (null when missing). */
	getPost(ref: { postId: string } | { idempotencyKey: string }): Promise<Json | null> {
		return 'postId' in ref
			? this.call('bi_get_post', { p_post_id: requireUuid(ref.postId, 'platform_post_id') })
			: this.call('bi_get_post', { p_idempotency_key: ref.idempotencyKey });
	}

	/** Due scheduled posts with a lease (FOR UPDATE SKIP LOCKED): [{schedule, post}]. */
	claimDuePosts(worker: string, maxPosts: number, leaseSeconds: number): Promise<Array<{ schedule: Json; post: Json }>> {
		return this.call('bi_claim_due_posts', { p_worker: worker, p_max_posts: maxPosts, p_lease_seconds: leaseSeconds });
	}

	releaseDuePost(scheduleId: string, worker: string, outcome: string, error?: string | null, maxAttempts = 3): Promise<Json> {
		return this.call('bi_release_due_post', {
			p_schedule_id: requireUuid(scheduleId, 'schedule_id'),
			p_worker: worker,
			p_outcome: outcome,
			p_error: error ?? null,
			p_max_attempts: maxAttempts,
		});
	}

	listPosts(filter: { kind: 'processing' | 'metrics'; platforms?: string[]; campaign_id?: string; limit?: number; min_age_seconds?: number }): Promise<Json[]> {
		return this.call('bi_list_posts', { p_filter: filter });
	}

	recordPostStatus(postId: string, state: 'processing' | 'published' | 'failed', platformPostId?: string | null, url?: string | null, error?: string | null, actor?: string): Promise<Json> {
		return this.call('bi_record_post_status', {
			p_post_id: requireUuid(postId, 'platform_post_id'),
			p_state: state,
			p_platform_post_id: platformPostId ?? null,
			p_url: url ?? null,
			p_error: error ?? null,
			p_actor: actor ?? null,
		});
	}

	/** One metrics snapshot: engagement_metrics rows, the post's numbers, the variant's performance_metrics. */
	ingestPostMetrics(postId: string, metrics: Json): Promise<Json> {
		return this.call('bi_ingest_post_metrics', { p_post_id: requireUuid(postId, 'platform_post_id'), p_metrics: metrics });
	}

	/** A video with its campaign, variant, script, brief and registered outputs. */
	broadcastSource(videoId: string): Promise<Json> {
		return this.call('bi_broadcast_source', { p_video_id: requireUuid(videoId, 'video_id') });
	}

	// ------------------------------------------------------------ vectors and jobs
	async matchBrandGuidelines(brandId: string, embedding: number[], matchCount = 5, minSimilarity = 0): Promise<GuidelineMatch[]> {
		if (embedding.length !== 1536 || embedding.some((x) => !Number.isFinite(x))) {
			throw new ValidationError('query embedding must be 1536 finite numbers', 'query_embedding');
		}
		return (await this.transport.rpc(
			'match_brand_guidelines',
			{
				p_brand_id: requireUuid(brandId, 'brand_id'),
				p_query_embedding: `[${embedding.join(',')}]`,
				p_match_count: matchCount,
				p_min_similarity: minSimilarity,
			},
			{ set: true },
		)) as GuidelineMatch[];
	}

	async claimGenerationJobs(worker: string, maxJobs: number, leaseSeconds: number): Promise<Json[]> {
		return (await this.transport.rpc(
			'bi_claim_generation_jobs',
			{ p_worker: worker, p_max_jobs: maxJobs, p_lease_seconds: leaseSeconds },
			{ set: true },
		)) as Json[];
	}

	// ------------------------------------------------------------ brand media library (issue 11: lib/library)
	/** One probed file into the library; the same bytes again return the existing row with duplicate: true. */
	ingestBrandMedia(media: Json): Promise<Json> {
		return this.call('bi_ingest_brand_media', { p_media: media });
	}

	async listBrandMedia(brandId: string, kinds?: string[]): Promise<Json[]> {
		return (await this.call('bi_list_brand_media', { p_brand_id: requireUuid(brandId, 'brand_id'), p_kinds: kinds ?? null })) as unknown as Json[];
	}

	getBrandMedia(mediaId: string): Promise<Json> {
		return this.call('bi_get_brand_media', { p_media_id: requireUuid(mediaId, 'media_id') });
	}

	async matchBrandMedia(brandId: string, embedding: number[], kinds: string[] | null, matchCount = 20, minSimilarity = -1): Promise<{ media_id: string; kind: string; similarity: number }[]> {
		if (embedding.length !== 1536 || embedding.some((x) => !Number.isFinite(x))) {
			throw new ValidationError('query embedding must be 1536 finite numbers', 'query_embedding');
		}
		return (await this.transport.rpc(
			'match_brand_media',
			{ p_brand_id: requireUuid(brandId, 'brand_id'), p_query_embedding: `[${embedding.join(',')}]`, p_kinds: kinds, p_match_count: matchCount, p_min_similarity: minSimilarity },
			{ set: true },
		)) as { media_id: string; kind: string; similarity: number }[];
	}

	/** Per scene of a campaign's videos: the source its generation job recorded (library asset, stock, typography, end card, generator). */
	async sceneSources(campaignId: string): Promise<Json[]> {
		return ((await this.call('bi_scene_sources', { p_campaign_id: requireUuid(campaignId, 'campaign_id') })) as unknown as Json[]) ?? [];
	}

	/** Cached stock search results (null when none fresher than maxAgeSeconds). */
	getStockSearch(provider: string, mediaKind: 'video' | 'photo', query: string, maxAgeSeconds: number): Promise<Json | null> {
		return this.call('bi_get_stock_search', { p_provider: provider, p_media_kind: mediaKind, p_query: query, p_max_age_seconds: maxAgeSeconds });
	}

	putStockSearch(provider: string, mediaKind: 'video' | 'photo', query: string, results: Json[]): Promise<Json> {
		return this.call('bi_put_stock_search', { p_provider: provider, p_media_kind: mediaKind, p_query: query, p_results: results });
	}

	schemaInfo(): Promise<{ versions: string[] | null; vector: boolean; match_brand_guidelines: boolean }> {
		return this.call('bi_schema_info', {});
	}

	close(): Promise<void> {
		return this.transport.close();
	}

	// ------------------------------------------------------------ approvals and reports (issue 5: lib/approvals, lib/reports)
	/** A pending approval of an asset; only the token's SHA-256 is stored (lib/approvals/service.ts makes the token). */
	createApproval(input: {
		approval_id?: string;
		entity: 'creative_brief' | 'script' | 'video' | 'platform_post';
		entity_id: string;
		token_hash: string;
		expires_at: string;
		actor?: string | null;
		context?: Json | null;
		supersede?: boolean;
	}): Promise<Json> {
		return this.call('bi_create_approval', { p_approval: input });
	}

	/** Decides an approval and moves its asset, in one transaction (errors: see the 0600 migration). */
	decideApproval(approvalId: string, tokenHash: string, decision: 'approved' | 'rejected', actor?: string | null, feedback?: string | null): Promise<Json> {
		return this.call('bi_decide_approval', {
			p_approval_id: requireUuid(approvalId, 'approval_id'),
			p_token_hash: tokenHash,
			p_decision: decision,
			p_actor: actor ?? null,
			p_feedback: feedback ?? null,
		});
	}

	/** The approval with its asset, scores and the cost so far; with a token hash, refuses another approval's token. */
	getApproval(approvalId: string, tokenHash?: string | null): Promise<Json> {
		return this.call('bi_get_approval', { p_approval_id: requireUuid(approvalId, 'approval_id'), p_token_hash: tokenHash ?? null });
	}

	expireApprovals(limit = 100): Promise<{ expired: number; approval_ids: string[] }> {
		return this.call('bi_expire_approvals', { p_limit: limit });
	}

	variantEngagement(campaignId: string): Promise<Json> {
		return this.call('bi_variant_engagement', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}

	async safetyReports(campaignId: string): Promise<Json[]> {
		return ((await this.call('bi_safety_reports', { p_campaign_id: requireUuid(campaignId, 'campaign_id') })) as unknown as Json[]) ?? [];
	}

	campaignProgress(campaignId: string): Promise<Json> {
		return this.call('bi_campaign_progress', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}

	campaignReport(campaignId: string): Promise<Json> {
		return this.call('bi_campaign_report', { p_campaign_id: requireUuid(campaignId, 'campaign_id') });
	}
}
