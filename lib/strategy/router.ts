/**
 * The Model Router (seed 003 pillar 3): per scene, a live generator chosen from the scene's visual
 * style and type, the campaign's budget tier and what is left of its budget, with a cost estimate
 * from the price table and a fallback chain. The seed routed "hyper-realistic / product shot" to
 * Sora; OpenAI retired Sora on 2026-09-24, so that role goes to the best live premium model.
 * Seed 004's router sent some tiers nowhere: here every input reaches a live generator or fails
 * with a reason (see the property test), and retired models are never candidates.
 */
import { ValidationError } from '../domain/errors';
import { formatUsd, type Micros } from '../domain/money';
import type { Scene } from '../domain/schemas';
import { estimateCost, type PriceEntry } from '../pricing/price-table';
import type { AspectRatio, Resolution } from '../providers/types';

export type BudgetTier = 'premium' | 'standard' | 'volume';
export type SceneKind = 'product_shot' | 'social_montage' | 'abstract' | 'image_to_video' | 'general';
/** What a scene needs from a generator. */
export type GeneratorRole = 'photoreal' | 'dynamic' | 'abstract' | 'image_to_video';

export interface RoutableModel {
	provider: string;
	model: string;
	tier: BudgetTier;
	/** Roles the model is good at. */
	roles: GeneratorRole[];
	/** Clip lengths it can make; a scene is generated at the shortest one that covers it, then trimmed. */
	durations: number[];
	aspects: AspectRatio[];
	resolutions: Resolution[];
	imageToVideo: boolean;
	retired?: boolean;
	/** Makes a scene only from a fitting asset of its provider (library, stock): see RouteContext.fitting. */
	needsAsset?: boolean;
	/** Renders offline and free without an asset (kinetic typography): after paid generators, before the gradient. */
	offline?: boolean;
}

export interface RouteContext {
	tier: BudgetTier;
	aspect: AspectRatio;
	resolution: Resolution;
	/** Providers with credentials configured; 'local' when local rendering is allowed. */
	available: ReadonlySet<string>;
	/** What the campaign can still spend (null: no limit). */
	remaining: Micros | null;
	catalogue: readonly RoutableModel[];
	priceOverrides?: readonly PriceEntry[];
	/**
	 * Providers that have a fitting asset for this scene (lib/library/sources.ts): 'library' when the
	 * brand's library has one, 'pexels'/'pixabay' when their search found one. Models that need an
	 * asset are candidates only for these.
	 */
	fitting?: ReadonlySet<string>;
}

export interface RouteChoice {
	provider: string;
	model: string;
	billed_seconds: number;
	estimate: Micros;
	estimate_usd: string;
}

export interface RouteDecision extends RouteChoice {
	scene_kind: SceneKind;
	role: GeneratorRole;
	reason: string;
	fallbacks: RouteChoice[];
}

const KIND_WORDS: [SceneKind, RegExp][] = [
	['image_to_video', /\b(from (the|this) (image|photo|still)|animate (the|this) (image|photo|still)|image[- ]to[- ]video|reference image)\b/i],
	['product_shot', /\b(product|packshot|pack shot|bottle|shoe|sneaker|label|macro|close[- ]?up of the|on a pedestal|turntable)\b/i],
	['abstract', /\b(abstract|trippy|psychedelic|kaleidoscop|surreal|fluid shapes|particles|dreamlike|morph)/i],
	['social_montage', /\b(montage|quick cuts?|fast[- ]paced|whip pan|jump cuts?|handheld|street|crowd|dance|selfie|ugc)\b/i],
];

/** The seed's `analyze_scene_type`: keywords of the visual prompt. */
export function analyzeSceneType(prompt: string): SceneKind {
	for (const [kind, words] of KIND_WORDS) if (words.test(prompt)) return kind;
	return 'general';
}

/** The seed's style/type → role table (its default, "highest quality", is photoreal). */
export function roleFor(style: string, kind: SceneKind): GeneratorRole {
	if (kind === 'image_to_video') return 'image_to_video';
	if (style === 'hyper_realistic' || kind === 'product_shot') return 'photoreal';
	if (style === 'fast_paced' || kind === 'social_montage') return 'dynamic';
	if (style === 'abstract' || kind === 'abstract') return 'abstract';
	return 'photoreal';
}

const TIER_RANK: Record<BudgetTier, number> = { volume: 0, standard: 1, premium: 2 };

/**
 * Where a model comes in the preference order (issue 11: the brand's own assets first, stock
 * second, generated video when the tier and keys allow): a fitting library asset 0; fitting stock
 * 1 (in the premium tier after the paid generators, 2.5); paid generators 2; offline kinetic
 * typography 3; the local gradient render 4, the last resort.
 */
function sourceRank(m: RoutableModel, tier: BudgetTier): number {
	if (m.provider === 'local') return 4;
	if (m.needsAsset) return m.provider === 'library' ? 0 : tier === 'premium' ? 2.5 : 1;
	if (m.offline) return 3;
	return 2;
}

function billedSeconds(model: RoutableModel, sceneSeconds: number): number | null {
	const fits = model.durations.filter((d) => d >= sceneSeconds).sort((a, b) => a - b);
	return fits[0] ?? null;
}

function choice(model: RoutableModel, seconds: number, ctx: RouteContext): RouteChoice {
	const estimate =
		model.provider === 'local' || model.offline
			? 0
			: estimateCost({ provider: model.provider, model: model.model, resolution: ctx.resolution, usage: { seconds } }, ctx.priceOverrides).amount;
	return { provider: model.provider, model: model.model, billed_seconds: seconds, estimate, estimate_usd: formatUsd(estimate) };
}

/**
 * Ranks live, available models that can make this scene: role match first, then the campaign's
 * tier (its own tier, then cheaper ones; never above it), then price. The first that fits the
 * remaining budget is chosen; the next ones are the fallback chain, ending with local when allowed.
 */
export function routeScene(scene: Pick<Scene, 'visual_prompt' | 'duration_seconds' | 'visual_cues'>, ctx: RouteContext): RouteDecision {
	const kind = analyzeSceneType(scene.visual_prompt);
	const role = roleFor(scene.visual_cues?.style ?? '', kind);
	const candidates = ctx.catalogue
		.filter((m) => !m.retired && ctx.available.has(m.provider))
		.filter((m) => !m.needsAsset || Boolean(ctx.fitting?.has(m.provider)))
		.filter((m) => m.aspects.includes(ctx.aspect) && (m.provider === 'local' || m.resolutions.includes(ctx.resolution)))
		.filter((m) => TIER_RANK[m.tier] <= TIER_RANK[ctx.tier] || m.provider === 'local')
		.map((m) => ({ m, seconds: billedSeconds(m, scene.duration_seconds) }))
		.filter((c): c is { m: RoutableModel; seconds: number } => c.seconds !== null)
		.map(({ m, seconds }) => {
			const c = choice(m, seconds, ctx);
			const roleScore = m.roles.includes(role) ? 0 : 1;
			// Library and stock assets first, then paid generators, then typography; local is the free last resort.
			const rank = sourceRank(m, ctx.tier);
			const tierGap = TIER_RANK[ctx.tier] - TIER_RANK[m.tier];
			return { c, key: [rank, roleScore, tierGap, c.estimate] };
		})
		.sort((a, b) => {
			for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
			return a.c.model.localeCompare(b.c.model);
		});
	const affordable = candidates.filter(({ c }) => ctx.remaining === null || c.estimate <= ctx.remaining);
	if (affordable.length === 0) {
		const why = candidates.length
			? `no generator fits the remaining budget (${formatUsd(ctx.remaining ?? 0)} USD; cheapest ${candidates.map((x) => x.c.estimate_usd).sort()[0]} USD)`
			: `no live generator makes a ${scene.duration_seconds}s ${ctx.aspect} ${ctx.resolution} scene with the configured providers (${[...ctx.available].join(', ') || 'none'})`;
		throw new ValidationError(`cannot route the scene: ${why}`, 'providers');
	}
	const [first, ...rest] = affordable.map((x) => x.c);
	const chosen = candidates.find((x) => x.c === first)!;
	const matched = ctx.catalogue.find((m) => m.provider === first.provider && m.model === first.model)!;
	return {
		...first,
		scene_kind: kind,
		role,
		reason: `${kind} scene in ${scene.visual_cues?.style ?? 'unspecified'} style → ${role}; ${ctx.tier} tier → ${first.provider}/${first.model}` +
			(matched.roles.includes(role) ? '' : ` (no available model specialises in ${role})`) +
			(chosen.key[0] === 0 ? " (the brand's library has a fitting asset)" : '') +
			(chosen.key[0] === 1 || chosen.key[0] === 2.5 ? ' (stock footage fits the scene)' : '') +
			(chosen.key[0] === 3 ? ' (no fitting asset and no paid generator available or affordable: kinetic typography)' : '') +
			(chosen.key[0] === 4 ? ' (local render: no remote generator available or affordable)' : ''),
		// Up to three alternatives, and the free local render always last when it is allowed.
		fallbacks: [...rest.filter((c) => c.provider !== 'local').slice(0, 3), ...rest.filter((c) => c.provider === 'local').slice(0, 1)],
	};
}
