/**
 * Pillar 2 as services over the store: hooks for a brief (generated, scored, all stored, the best
 * three returned), scripts for an approved brief (one per variant tag, every version kept), and
 * scripts from a markdown narrative.
 */
import { IllegalTransitionError, ValidationError } from '../domain/errors';
import { MAX_FEEDBACK_CHARS } from '../approvals/service';
import { creativeBriefSchema, parseOrThrow, VARIANT_TYPES, type CreativeBrief } from '../domain/schemas';
import type { EmbeddingProvider, LlmProvider } from '../providers/types';
import type { Json, Store } from '../store/store';
import { brandProfileSchema, type BrandProfile } from './brief';
import { generateHooks } from './hooks';
import { findRestrictedKeywords } from './judge/keywords';
import { scriptFromMarkdown, writeScript, type VariantType } from './script';

/** The Judge's matcher (disguises included), in the shape the strategy code takes. */
export const thoroughRestrictedMatcher = (text: string, keywords: string[]): string[] => [
	...new Set(findRestrictedKeywords(text, keywords).map((m) => m.keyword)),
];

/** The campaign request's notes stored with the brief (the templates and prompts drop their restricted sentences). */
function requestNotes(row: Json): string | undefined {
	const notes = (row.campaign_request as Json | null)?.notes;
	return typeof notes === 'string' && notes.trim() ? notes : undefined;
}

async function briefAndBrand(store: Store, briefId: string): Promise<{ row: Json; brief: CreativeBrief; brand: BrandProfile }> {
	const row = await store.getBrief(briefId);
	const brief = parseOrThrow(creativeBriefSchema, row.creative_brief, 'creative_brief');
	const brandRow = await store.getBrand(row.brand_id as string);
	return { row, brief, brand: brandProfileSchema.parse(brandRow) };
}

export async function hooksForBrief(
	deps: { store: Store; llm: LlmProvider; embedder: EmbeddingProvider },
	input: { briefId: string; count?: number; minBestScore?: number; maxRounds?: number },
): Promise<Json> {
	const { row, brief } = await briefAndBrand(deps.store, input.briefId);
	const [bestPastHooks, trends] = await Promise.all([
		deps.store.bestPastHooks(row.brand_id as string),
		deps.store.recentTrends(10),
	]);
	const result = await generateHooks({
		brief,
		llm: deps.llm,
		embedder: deps.embedder,
		count: input.count ?? 50,
		minBestScore: input.minBestScore,
		maxRounds: input.maxRounds,
		trends: trends.map((t) => String(t.topic)),
		bestPastHooks: bestPastHooks.map((h) => ({ text: h.text, engagement_rate: Number(h.engagement_rate) })),
		productCategory: String((row.campaign_request as Json)?.product_category ?? ''),
		notes: requestNotes(row),
		findRestricted: thoroughRestrictedMatcher,
	});
	const stored = await deps.store.storeHooks(
		input.briefId,
		result.hooks.map((h) => ({
			text: h.text,
			hook_type: h.hook_type,
			quality_score: Math.round(h.quality_score * 10_000) / 10_000,
			variation_number: h.variation_number,
			scores: h.scores,
			rationale: h.rationale,
		})),
	);
	const ids = new Map((stored.hooks as { hook_id: string; variation_number: number }[]).map((h) => [h.variation_number, h.hook_id]));
	return {
		brief_id: input.briefId,
		hooks_stored: stored.stored,
		rounds: result.rounds,
		best_score: result.bestScore,
		passed_gate: result.passedGate,
		top: result.top.map((h) => ({ hook_id: ids.get(h.variation_number), ...h })),
		llm_calls: result.llmCalls,
	};
}

export async function scriptsForBrief(
	deps: { store: Store; llm: LlmProvider },
	input: { briefId: string; hookId?: string; variants?: VariantType[]; targetSeconds?: number; actor?: string },
): Promise<Json[]> {
	const { row, brief, brand } = await briefAndBrand(deps.store, input.briefId);
	if (!['approved', 'in_production'].includes(row.approval_status as string)) {
		throw new IllegalTransitionError('BI422', `brief ${input.briefId} is "${row.approval_status}": a script needs an approved brief`, {
			field: 'brief_id',
			status: row.approval_status,
		});
	}
	const hooks = await deps.store.briefHooks(input.briefId, 500);
	if (input.hookId && !hooks.some((h) => h.hook_id === input.hookId)) {
		throw new ValidationError(`hook ${input.hookId} does not belong to brief ${input.briefId}`, 'hook_id');
	}
	if (!hooks.length) throw new ValidationError(`brief ${input.briefId} has no hooks yet: run the Hook Generator first`, 'hook_id');
	const variants = input.variants?.length ? input.variants : ((row.variant_tags as VariantType[] | null)?.length ? (row.variant_tags as VariantType[]) : ['humorous' as const]);
	for (const v of variants) if (!VARIANT_TYPES.includes(v)) throw new ValidationError(`unknown variant tag "${v}"`, 'variants');
	const chosen = hooksForVariants(hooks, variants.length, input.hookId);
	const out: Json[] = [];
	for (const [k, variant] of variants.entries()) {
		const hook = chosen[k];
		const { script, llm } = await writeScript({
			brief,
			hook: { text: hook.hook_text as string, hook_type: hook.hook_type as never, quality_score: Number(hook.quality_score), rationale: (hook.rationale as string) ?? undefined },
			variant,
			brand,
			targetSeconds: input.targetSeconds,
			llm: deps.llm,
			variationsGenerated: hooks.length,
			notes: requestNotes(row),
			productCategory: String((row.campaign_request as Json)?.product_category ?? '') || undefined,
		});
		const stored = await deps.store.createScript({ brief_id: input.briefId, hook_id: hook.hook_id as string, script, actor: input.actor });
		out.push({ ...stored, script: { ...script, script_id: stored.script_id, brief_id: input.briefId }, llm });
	}
	return out;
}

/**
 * One hook per variant, so an A/B test compares two openings and not one: the given hook (or the
 * best) first, then the best remaining hook of a type not used yet, then the best remaining. Hooks
 * come best first; with fewer hooks than variants they are reused in turn.
 */
export function hooksForVariants(hooks: Json[], count: number, firstHookId?: string): Json[] {
	const first = (firstHookId && hooks.find((h) => h.hook_id === firstHookId)) || hooks[0];
	const chosen = [first];
	const rest = hooks.filter((h) => h !== first);
	while (chosen.length < count && rest.length) {
		const used = new Set(chosen.map((h) => h.hook_type));
		const k = Math.max(0, rest.findIndex((h) => !used.has(h.hook_type)));
		chosen.push(rest.splice(k, 1)[0]);
	}
	while (chosen.length < count) chosen.push(chosen[chosen.length % Math.max(1, hooks.length)]);
	return chosen;
}

export async function scriptFromNarrative(
	store: Store,
	input: { briefId: string; markdown: string; variant: VariantType; wordsPerMinute?: number; actor?: string },
): Promise<Json> {
	const { brand } = await briefAndBrand(store, input.briefId);
	const script = scriptFromMarkdown(input.markdown, { brand, variant: input.variant, wordsPerMinute: input.wordsPerMinute });
	const stored = await store.createScript({ brief_id: input.briefId, script, actor: input.actor });
	return { ...stored, script: { ...script, script_id: stored.script_id, brief_id: input.briefId } };
}

/**
 * A rejected script rewritten with the reviewer's feedback (the approval loop of seed 003: "rejected
 * scripts return with feedback for regeneration"): the LLM gets the brief, the hook, the previous
 * voiceover and the feedback; the result is stored as the script's next version (bi_revise_script,
 * OCC on the state version read here), the feedback kept with that version in script_versions.
 * The script stays "rejected" until a new approval is requested (which moves it to pending).
 */
export async function reviseScriptWithFeedback(
	deps: { store: Store; llm: LlmProvider },
	input: { scriptId: string; feedback: string; approvalId?: string | null; targetSeconds?: number; actor?: string },
): Promise<Json> {
	const feedback = typeof input.feedback === 'string' ? input.feedback.trim() : '';
	if (feedback.length > MAX_FEEDBACK_CHARS) throw new ValidationError(`feedback is longer than ${MAX_FEEDBACK_CHARS} characters`, 'feedback');
	const current = await deps.store.getScript(input.scriptId);
	if (!['draft', 'rejected'].includes(current.approval_status as string)) {
		throw new IllegalTransitionError('BI422', `script ${input.scriptId} is "${current.approval_status}": only a draft or rejected script is revised`, {
			field: 'script_id',
			status: current.approval_status,
		});
	}
	const { row, brief, brand } = await briefAndBrand(deps.store, current.brief_id as string);
	const hook = (current.hook ?? {}) as Record<string, unknown>;
	const variant = (VARIANT_TYPES as readonly string[]).includes(current.variant_tag as string) ? (current.variant_tag as VariantType) : 'humorous';
	const { script, llm } = await writeScript({
		brief,
		hook: {
			text: String(hook.text ?? ''),
			hook_type: hook.hook_type as never,
			quality_score: Number(hook.quality_score ?? 0),
			rationale: typeof hook.selected_rationale === 'string' ? hook.selected_rationale : undefined,
		},
		variant,
		brand,
		targetSeconds: input.targetSeconds ?? Number(current.total_duration_seconds ?? 30),
		llm: deps.llm,
		variationsGenerated: Math.max(1, Number(hook.variations_generated ?? 1)),
		revision: { feedback: feedback || '(no feedback given)', previousVoiceover: String(current.voiceover_full_text ?? '') },
		notes: requestNotes(row),
		productCategory: String((row.campaign_request as Json)?.product_category ?? '') || undefined,
	});
	const revision = { feedback: feedback || null, approval_id: input.approvalId ?? null, previous_version: Number(current.version ?? 1) };
	const stored = await deps.store.reviseScript(input.scriptId, Number(current.state_version), { ...script, revision } as unknown as Json, input.actor);
	return { ...stored, script_id: input.scriptId, revision, llm };
}
