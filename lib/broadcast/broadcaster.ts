/**
 * The Broadcaster (seed 003 pillar 5): format per platform, caption per platform, then publish now
 * or later, poll the platforms that process after accepting, and bring the engagement back into
 * the variant's performance (seed 002's loop). Every publish goes through `publishOnce`, so a
 * retry, a duplicate webhook, a due post claimed twice or a crash after the platform's success
 * never makes a second post.
 *
 * - `broadcastVideo`: a video's outputs (or a file) to one or more platforms. A post that already
 *   has a row is published from that row (its stored file and caption), so a retry neither
 *   re-captions (no second LLM charge) nor changes the text the platform is asked about.
 * - The publish gate: `human_review` stores the post in `scheduled` with `requires_approval`; an
 *   approval (entity platform_post) releases it and `publishPost(platform_post_id)` publishes it.
 * - `scheduleAt`: a `scheduled_posts` row; `publishDue` (the cron) claims due posts with a lease.
 * - `checkStatus`: posts the platform was still processing (TikTok, Instagram) → the receipt.
 * - `fetchMetrics`: published posts → engagement_metrics, the post's numbers and the variant's
 *   performance_metrics (engagement_rate, read by hook scoring), one SQL call per post.
 */
import { existsSync } from 'node:fs';
import { isAbsolute as isAbsolutePath, relative as relativePath, resolve as resolvePath, sep as pathSep } from 'node:path';

import { ValidationError } from '../domain/errors';
import type { Publisher, PublishPlatform, SocialPlatform } from '../providers/publish/types';
import type { LlmProvider } from '../providers/types';
import type { Json, Store } from '../store/store';
import { videoCredits } from '../library/credits';
import { writePlatformCaption, type PlatformCaption } from './captions';
import { formatForPlatform, specOverridesFor, type FormatDecision, type FormatTarget, type SourceAsset, type YouTubeFormat } from './format';
import { publishKey, publishOnce, publishRow, type PublishOutcome, type PublishRequest } from './publish';

export type PublishGate = 'pass' | 'human_review' | 'reject';

/** A platform and account to publish to. */
export interface PublishTarget extends FormatTarget {
	accountId?: string;
}

/** What a publisher is built from: the target plus the spec overrides its format needs. */
export interface PublisherTarget extends FormatTarget {
	accountId?: string;
}

export interface BroadcastDeps {
	store: Store;
	/** Builds (or returns) the publisher of a target; called only when something is published or asked. */
	publisherFor: (target: PublisherTarget) => Publisher | Promise<Publisher>;
	/** Who holds publish leases (the n8n execution, a worker name). */
	owner: string;
	/** Where transcodes go. */
	mediaDir: string;
	/** Writes captions (metered by the caller when paid); not needed when every caption is given. */
	llm?: LlmProvider;
	leaseSeconds?: number;
	/**
	 * The publish gate's text half: judges each platform's caption and hashtags as written. Any route
	 * but pass holds that post for a person (the video itself passed the gate).
	 */
	judgeCaption?: CaptionJudge;
	/**
	 * The public URL of a local media file, when the media folder is served somewhere (Instagram and
	 * Blotato fetch the video from a URL instead of taking an upload). See publicMediaUrl.
	 */
	publicUrlOf?: (path: string) => string | undefined;
}

/**
 * Maps files under `mediaDir` to URLs under `baseUrl` (a web server, CDN or bucket that serves
 * that folder as it is); a file outside the folder has no URL.
 */
export function publicMediaUrl(baseUrl: string, mediaDir: string): (path: string) => string | undefined {
	let base: URL;
	try {
		base = new URL(baseUrl);
	} catch {
		throw new ValidationError(`Public Media URL must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`, 'public_media_url');
	}
	if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ValidationError('Public Media URL must be an http(s) URL', 'public_media_url');
	const root = resolvePath(mediaDir);
	const prefix = base.toString().replace(/\/+$/, '');
	return (path: string) => {
		const rel = relativePath(root, resolvePath(path));
		if (!rel || rel.startsWith('..') || isAbsolutePath(rel)) return undefined;
		return `${prefix}/${rel.split(pathSep).map(encodeURIComponent).join('/')}`;
	};
}

export interface CaptionJudgement extends Json {
	route: 'pass' | 'human_review' | 'reject';
	confidence: number;
	reasons: string[];
	report_id: string | null;
}
export type CaptionJudge = (c: { campaignId: string; platform: string; caption: string; hashtags: string[] }) => Promise<CaptionJudgement>;

export interface BroadcastInput {
	/** The assembled video (its outputs are the `assets` the assembler registered)… */
	videoId?: string;
	/** …or a file, with the campaign (and variant) it belongs to. */
	filePath?: string;
	campaignId?: string;
	variantId?: string | null;
	thumbnailPath?: string;
	targets: PublishTarget[];
	/** ISO time (or Date): store the post and let Publish Due publish it then. */
	scheduleAt?: string | Date | null;
	/** The Judge's publish gate route. */
	gate?: PublishGate;
	/** A person's caption, hashtags or title (same for every platform, fitted to each). */
	caption?: { caption?: string; hashtags?: string[]; title?: string };
	/** Brand-approved hashtags, placed first. */
	hashtags?: string[];
	/**
	 * Post only to the platforms the campaign request names (`target_platforms`): social targets not
	 * named are skipped (a request naming none leaves the outbox only); outbox targets always stay.
	 */
	campaignPlatformsOnly?: boolean;
}

export interface BroadcastReceipt extends Json {
	platform: string;
	account_id: string | null;
	outcome: PublishOutcome;
	/** The platform_posts row (the receipt). */
	post: Json;
	format?: FormatDecision;
	caption?: PlatformCaption;
	caption_judgement?: CaptionJudgement;
}

const SOCIAL = ['tiktok', 'instagram', 'youtube', 'linkedin'];

function asSocial(value: unknown): SocialPlatform | undefined {
	return typeof value === 'string' && SOCIAL.includes(value) ? (value as SocialPlatform) : undefined;
}

/** The target stored with a post (publish_options), to rebuild its publisher later. */
export function targetOfPost(post: Json): PublisherTarget {
	const o = (post.publish_options ?? {}) as Json;
	return {
		platform: post.platform as PublishPlatform,
		accountId: (post.account_id as string | null) ?? undefined,
		emulate: asSocial(o.emulate),
		targetPlatform: asSocial(o.target_platform),
		youtubeFormat: o.youtube_format === 'long' ? 'long' : undefined,
	};
}

function publisherTarget(t: PublishTarget): PublisherTarget {
	return { ...t, specOverrides: specOverridesFor(t) };
}

/** The request a stored post is published with (its own file, caption and key). */
export function requestOfPost(post: Json): PublishRequest {
	const req: PublishRequest = {
		campaignId: post.campaign_id as string,
		variantId: (post.variant_id as string | null) ?? null,
		platform: post.platform as string,
		accountId: (post.account_id as string | null) ?? undefined,
		videoPath: post.formatted_video_url as string,
		caption: (post.caption as string | null) ?? '',
		hashtags: (post.hashtags as string[] | null) ?? [],
		title: (post.title as string | null) ?? undefined,
		aspectRatio: (post.aspect_ratio as PublishRequest['aspectRatio']) ?? undefined,
		durationSeconds: (post.duration_seconds as number | null) ?? undefined,
		thumbnailPath: (post.thumbnail_url as string | null) ?? undefined,
	};
	if (publishKey(req) !== post.idempotency_key) {
		throw new ValidationError(`platform_post ${String(post.post_id)} was not made by the Broadcaster (its idempotency key does not match)`, 'platform_post_id');
	}
	return req;
}

function receipt(post: Json, outcome: PublishOutcome, extra: Partial<BroadcastReceipt> = {}): BroadcastReceipt {
	const { outcome: _drop, ...row } = post as Json & { outcome?: unknown };
	void _drop;
	return { platform: row.platform as string, account_id: (row.account_id as string | null) ?? null, outcome, post: row, ...extra };
}

/** Publishes a stored post (after an approval, when due, or on a retry) through publishOnce. */
export async function publishStoredPost(deps: BroadcastDeps, post: Json): Promise<BroadcastReceipt> {
	if (post.publication_status === 'published') return receipt(post, 'already_published');
	if (post.publication_status === 'cancelled') return receipt(post, 'cancelled');
	const req = { ...requestOfPost(post), videoUrl: deps.publicUrlOf?.(post.formatted_video_url as string) };
	if (!existsSync(req.videoPath)) {
		throw new ValidationError(`the formatted video of platform_post ${String(post.post_id)} is gone: ${req.videoPath}`, 'formatted_video_url');
	}
	const publisher = await deps.publisherFor(publisherTarget(targetOfPost(post)));
	const done = await publishOnce({ store: deps.store, publisher, owner: deps.owner, leaseSeconds: deps.leaseSeconds }, req);
	const { outcome, ...row } = done;
	return receipt({ ...post, ...row }, outcome);
}

/** Publishes the post with this id (e.g. the approvals workflow after a person approved it). */
export async function publishPost(deps: BroadcastDeps, platformPostId: string): Promise<BroadcastReceipt> {
	const post = await deps.store.getPost({ postId: platformPostId });
	return publishStoredPost(deps, post as Json);
}

interface Source {
	campaignId: string;
	variantId: string | null;
	videoId: string | null;
	assets: SourceAsset[];
	thumbnailPath?: string;
	brief?: unknown;
	script?: unknown;
	targetPlatforms?: string[];
}

async function loadSource(store: Store, input: BroadcastInput): Promise<Source> {
	if (input.videoId) {
		const src = await store.broadcastSource(input.videoId);
		const rows = (src.assets as Json[]) ?? [];
		const assets = rows
			.filter((a) => a.asset_type === 'video' && typeof a.asset_url === 'string')
			.map((a) => ({ path: a.asset_url as string, aspect: ((a.asset_metadata ?? {}) as Json).aspect as string | undefined }));
		const thumb = rows.find((a) => a.asset_type === 'thumbnail' && typeof a.asset_url === 'string' && existsSync(a.asset_url as string));
		return {
			campaignId: src.campaign_id as string,
			variantId: (input.variantId ?? (src.variant_id as string | null)) || null,
			videoId: input.videoId,
			assets,
			thumbnailPath: input.thumbnailPath ?? (thumb?.asset_url as string | undefined),
			brief: src.brief ?? undefined,
			script: src.script ?? undefined,
			targetPlatforms: ((src.campaign_request as Json | null)?.target_platforms as string[] | undefined) ?? [],
		};
	}
	if (!input.filePath) throw new ValidationError('give a video_id (an assembled video) or a file path', 'video_id');
	if (!input.campaignId) throw new ValidationError('a file needs the campaign it belongs to', 'campaign_id');
	return { campaignId: input.campaignId, variantId: input.variantId ?? null, videoId: null, assets: [{ path: input.filePath }], thumbnailPath: input.thumbnailPath };
}

/** The targets the campaign asked for (see BroadcastInput.campaignPlatformsOnly). */
function campaignTargets(targets: PublishTarget[], source: Source): PublishTarget[] {
	if (!source.videoId) throw new ValidationError("the campaign's target platforms need a video_id (a file has no campaign request)", 'video_id');
	const wanted = new Set(source.targetPlatforms ?? []);
	return targets.filter((t) => t.platform === 'outbox' || wanted.has(t.platform === 'blotato' ? (t.targetPlatform ?? 'tiktok') : t.platform));
}

function scheduleTime(value: BroadcastInput['scheduleAt']): string | null {
	if (value === undefined || value === null || value === '') return null;
	const d = value instanceof Date ? value : new Date(value);
	if (Number.isNaN(d.getTime())) throw new ValidationError(`Schedule At must be a date and time, got ${JSON.stringify(value)}`, 'scheduleAt');
	return d.toISOString();
}

/** Formats, captions and publishes (or holds, or schedules) a video on every target; one receipt per target. */
export async function broadcastVideo(deps: BroadcastDeps, input: BroadcastInput): Promise<BroadcastReceipt[]> {
	const gate = input.gate ?? 'pass';
	if (!['pass', 'human_review', 'reject'].includes(gate)) throw new ValidationError(`gate must be pass, human_review or reject, got ${JSON.stringify(gate)}`, 'gate');
	if (gate === 'reject') throw new ValidationError('the publish gate rejected this video: it is not published', 'gate');
	if (!Array.isArray(input.targets) || !input.targets.length) throw new ValidationError('name at least one platform', 'platforms');
	const at = scheduleTime(input.scheduleAt);
	const source = await loadSource(deps.store, input);
	// Credits the licences of the video's media ask for end every caption (read once per broadcast).
	let credits: Promise<string[]> | undefined;
	const out: BroadcastReceipt[] = [];
	for (const target of input.campaignPlatformsOnly ? campaignTargets(input.targets, source) : input.targets) {
		const keyOf = { campaignId: source.campaignId, variantId: source.variantId, platform: target.platform, accountId: target.accountId || undefined };
		const existing = await deps.store.getPost({ idempotencyKey: publishKey(keyOf) });
		if (existing) {
			const pending = (existing.schedule as Json | null)?.status === 'pending';
			if (at && !pending && ['scheduled', 'failed'].includes(existing.publication_status as string)) {
				// Stored earlier (held, or failed) and now given a time: schedule it, publish nothing now.
				const post = await deps.store.preparePost({ idempotency_key: existing.idempotency_key, scheduled_time: at, actor: deps.owner });
				out.push(receipt(post, 'scheduled'));
			} else {
				out.push(await publishStoredPost(deps, existing));
			}
			continue;
		}
		const format = await formatForPlatform(target, source.assets, { mediaDir: deps.mediaDir });
		const hasCaption = Boolean(input.caption?.caption?.trim());
		if (!deps.llm && !hasCaption) throw new ValidationError('no LLM to write the caption: choose one, or give the caption', 'caption');
		const caption = await writePlatformCaption({
			llm: deps.llm!,
			target,
			brief: source.brief,
			script: source.script,
			hashtags: input.hashtags,
			override: input.caption,
			credits: source.videoId ? await (credits ??= videoCredits(deps.store, source.campaignId, source.videoId)) : [],
		});
		const judgement = deps.judgeCaption ? await deps.judgeCaption({ campaignId: source.campaignId, platform: target.platform, caption: caption.caption, hashtags: caption.hashtags }) : undefined;
		const targetGate: PublishGate = judgement && judgement.route !== 'pass' ? 'human_review' : gate;
		const req: PublishRequest = {
			...keyOf,
			videoPath: format.path,
			videoUrl: deps.publicUrlOf?.(format.path),
			caption: caption.caption,
			hashtags: caption.hashtags,
			title: caption.title,
			aspectRatio: format.aspectRatio ?? undefined,
			durationSeconds: format.durationSeconds,
			thumbnailPath: source.thumbnailPath,
			videoId: source.videoId,
			requiresApproval: targetGate === 'human_review',
			publishOptions: {
				emulate: target.emulate ?? null,
				target_platform: target.targetPlatform ?? null,
				youtube_format: (target.youtubeFormat ?? null) as YouTubeFormat | null,
				format: { source: format.sourcePath, transcoded: format.transcoded, reasons: format.reasons, spec: format.spec },
				caption: { provider: caption.provider, model: caption.model, fallback_from: caption.fallbackFrom ?? null, platform: caption.captionPlatform, length: caption.length, limit: caption.limit, unit: caption.unit },
			},
		};
		const judged = judgement ? { caption_judgement: judgement } : {};
		if (targetGate === 'human_review' || at) {
			const post = await deps.store.preparePost({ ...publishRow(req), scheduled_time: at, actor: deps.owner });
			out.push(receipt(post, targetGate === 'human_review' ? 'held_for_review' : 'scheduled', { format, caption, ...judged }));
			continue;
		}
		const publisher = await deps.publisherFor(publisherTarget(target));
		const done = await publishOnce({ store: deps.store, publisher, owner: deps.owner, leaseSeconds: deps.leaseSeconds }, req);
		const { outcome, ...row } = done;
		out.push(receipt(row, outcome, { format, caption, ...judged }));
	}
	return out;
}

export interface DueResult extends Json {
	schedule_id: string;
	outcome: PublishOutcome | 'error';
	post: Json;
	error?: string;
}

/** The cron's step: claims due scheduled posts (lease, SKIP LOCKED) and publishes each once. */
export async function publishDue(deps: BroadcastDeps, opts: { worker?: string; maxPosts?: number; leaseSeconds?: number; maxAttempts?: number } = {}): Promise<DueResult[]> {
	const worker = opts.worker ?? deps.owner;
	const claimed = await deps.store.claimDuePosts(worker, opts.maxPosts ?? 10, opts.leaseSeconds ?? 900);
	const out: DueResult[] = [];
	for (const { schedule, post } of claimed) {
		const scheduleId = schedule.schedule_id as string;
		try {
			const r = await publishStoredPost({ ...deps, owner: worker }, post);
			const failed = r.outcome === 'failed';
			await deps.store.releaseDuePost(scheduleId, worker, r.outcome, failed ? ((r.post.last_error as string) ?? null) : null, opts.maxAttempts);
			out.push({ schedule_id: scheduleId, outcome: r.outcome, post: r.post });
		} catch (err) {
			const message = (err as Error).message;
			await deps.store.releaseDuePost(scheduleId, worker, 'failed', message, opts.maxAttempts);
			out.push({ schedule_id: scheduleId, outcome: 'error', post, error: message });
		}
	}
	return out;
}

/** Caches publishers by target within one batch. */
function publisherCache(deps: BroadcastDeps): (post: Json) => Promise<Publisher> {
	const cache = new Map<string, Promise<Publisher>>();
	return (post) => {
		const target = publisherTarget(targetOfPost(post));
		const key = JSON.stringify(target);
		if (!cache.has(key)) cache.set(key, Promise.resolve(deps.publisherFor(target)));
		return cache.get(key)!;
	};
}

export interface PostCheck extends Json {
	post_id: string;
	platform: string;
	state?: string;
	changed?: boolean;
	post?: Json;
	error?: string;
}

/** Asks the platform about posts it was still processing (TikTok, Instagram) and updates their receipts. */
export async function checkStatus(deps: BroadcastDeps, opts: { platforms?: string[]; limit?: number } = {}): Promise<PostCheck[]> {
	const posts = await deps.store.listPosts({ kind: 'processing', platforms: opts.platforms, limit: opts.limit ?? 50 });
	const publisherOf = publisherCache(deps);
	const out: PostCheck[] = [];
	for (const post of posts) {
		const base = { post_id: post.post_id as string, platform: post.platform as string };
		try {
			const publisher = await publisherOf(post);
			const st = await publisher.status((post.publish_ref ?? post.platform_post_id) as string);
			const updated = await deps.store.recordPostStatus(base.post_id, st.state, st.platformPostId ?? null, st.url ?? null, st.error ?? null, deps.owner);
			const { changed, ...row } = updated;
			out.push({ ...base, state: st.state, changed: Boolean(changed), post: row });
		} catch (err) {
			out.push({ ...base, error: (err as Error).message });
		}
	}
	return out;
}

export interface MetricsResult extends Json {
	post_id: string;
	platform: string;
	variant_id?: string | null;
	snapshot?: Json;
	performance_metrics?: Json | null;
	note?: string;
	error?: string;
}

/** Fetches each published post's counters into engagement_metrics and the variant's performance_metrics. */
export async function fetchMetrics(
	deps: BroadcastDeps,
	opts: { platforms?: string[]; campaignId?: string; limit?: number; minAgeSeconds?: number } = {},
): Promise<MetricsResult[]> {
	const posts = await deps.store.listPosts({
		kind: 'metrics',
		platforms: opts.platforms,
		campaign_id: opts.campaignId || undefined,
		limit: opts.limit ?? 50,
		min_age_seconds: opts.minAgeSeconds ?? 0,
	});
	const publisherOf = publisherCache(deps);
	const out: MetricsResult[] = [];
	for (const post of posts) {
		const base = { post_id: post.post_id as string, platform: post.platform as string };
		try {
			const publisher = await publisherOf(post);
			const m = await publisher.metrics(post.platform_post_id as string);
			const counts: Json = {};
			for (const k of ['views', 'likes', 'shares', 'comments'] as const) if (m[k] !== null && m[k] !== undefined) counts[k] = m[k];
			const r = await deps.store.ingestPostMetrics(base.post_id, counts);
			out.push({
				...base,
				variant_id: (r.variant_id as string | null) ?? null,
				snapshot: r.snapshot as Json,
				performance_metrics: (r.performance_metrics as Json | null) ?? null,
				...(m.note ? { note: m.note } : {}),
			});
		} catch (err) {
			out.push({ ...base, error: (err as Error).message });
		}
	}
	return out;
}
