/**
 * The Judge over the store: loads the brand (and the script), runs the granular checks, records the
 * safety report, and returns it with its route.
 */
import { scriptSchema, type Script } from '../../domain/schemas';
import type { EmbeddingProvider, LlmProvider, ModerationProvider } from '../../providers/types';
import type { Json, Store } from '../../store/store';
import { brandProfileSchema } from '../brief';
import { judgeText } from './judge';

export const JUDGE_ROUTES = ['pass', 'human_review', 'reject'] as const;

export interface JudgeDeps {
	store: Store;
	embedder: EmbeddingProvider;
	moderation: ModerationProvider;
	rubricLlm?: LlmProvider;
}

export type JudgeInput =
	| { script: Json; brandId: string; passThreshold?: number }
	| { text: string; kind: 'brief' | 'hook' | 'caption'; brandId: string; campaignId?: string | null; passThreshold?: number };

/** A stored script row back into the seed 003 script shape. */
function scriptOfRow(row: Json): Script {
	return scriptSchema.parse({
		script_id: row.script_id,
		brief_id: row.brief_id,
		hook: row.hook,
		scenes: row.scenes,
		voiceover_full_text: row.voiceover_full_text,
		total_duration_seconds: Number(row.total_duration_seconds),
		variant_tag: row.variant_tag,
	});
}

export async function judgeAndRecord(deps: JudgeDeps, input: JudgeInput): Promise<Json> {
	const brand = brandProfileSchema.parse(await deps.store.getBrand(input.brandId));
	const script = 'script' in input ? scriptOfRow(input.script) : undefined;
	const text = script ? [script.hook.text, script.voiceover_full_text].join('\n') : (input as { text: string }).text;
	const report = await judgeText({
		text,
		kind: script ? 'script' : (input as { kind: 'brief' | 'hook' | 'caption' }).kind,
		brand,
		script,
		embedder: deps.embedder,
		moderation: deps.moderation,
		rubricLlm: deps.rubricLlm,
		thresholds: input.passThreshold === undefined ? undefined : { pass: input.passThreshold },
	});
	const stored = await deps.store.recordSafetyReport({
		entity: script ? 'script' : 'text' in input ? (input.kind === 'brief' ? 'creative_brief' : input.kind) : 'text',
		entity_id: script?.script_id ?? null,
		campaign_id: 'script' in input ? (input.script.campaign_id ?? null) : (input.campaignId ?? null),
		brand_id: input.brandId,
		route: report.route,
		confidence: Math.round(report.confidence * 10_000) / 10_000,
		checks: report.checks,
		reasons: report.reasons,
	});
	return { ...report, report_id: stored.report_id, entity: stored.entity, entity_id: stored.entity_id, text };
}
