/**
 * The seed 003 contracts as zod schemas: what a campaign request must be, and what a creative
 * brief, a hook and a script must look like, whoever produced them (an LLM, the local templates,
 * a person). `parseOrThrow` turns the first zod issue into a ValidationError naming the field.
 */
import { z } from 'zod';

import { ValidationError } from './errors';

export const VARIANT_TYPES = ['humorous', 'serious', 'emotional', 'educational'] as const;
export const HOOK_TYPES = ['question', 'statement', 'visual_shock', 'story'] as const;
export const VISUAL_STYLES = ['hyper_realistic', 'abstract', 'cinematic'] as const;
export const TARGET_PLATFORMS = ['tiktok', 'instagram', 'youtube', 'linkedin'] as const;
/** A/B variants when the request does not say. */
export const DEFAULT_VARIANT_COUNT = 2;

const text = (max: number) => z.string().trim().min(1).max(max);
const uuid = z.string().uuid();

export const campaignRequestSchema = z.object({
	product_category: text(200),
	target_demographic: text(500),
	campaign_objective: z.enum(['awareness', 'conversion', 'engagement']),
	budget_tier: z.enum(['premium', 'standard', 'volume']),
	brand_id: uuid,
	campaign_name: text(200).optional(),
	budget_limit_usd: z.union([z.string(), z.number()]).optional(),
	notes: z.string().max(5000).optional(),
	/** How many A/B variants to make (each its own hook, script, video and posts), or which ones. */
	variants: z
		.union([z.number().int().min(1).max(VARIANT_TYPES.length), z.array(z.enum(VARIANT_TYPES)).min(1).max(VARIANT_TYPES.length)])
		.optional(),
	/** Where the Broadcaster posts each variant (the Platform Publisher's credentials decide the accounts). */
	target_platforms: z.array(z.enum(TARGET_PLATFORMS)).min(1).max(TARGET_PLATFORMS.length).optional(),
});
export type CampaignRequest = z.infer<typeof campaignRequestSchema>;

export const creativeBriefSchema = z.object({
	brief_id: uuid.optional(),
	target_audience: z.object({
		demographics: z.record(z.unknown()),
		psychographics: z.array(text(300)).min(1),
		pain_points: z.array(text(300)).min(1),
	}),
	core_message: z.object({
		primary_hook: text(300),
		value_proposition: text(500),
		call_to_action: text(200),
	}),
	trending_insights: z.object({
		trending_topics: z.array(text(200)),
		trending_audio: z.array(text(200)),
		competitor_analysis: z.record(z.unknown()),
		viral_patterns: z.array(text(300)),
	}),
	brand_guidelines_ref: z.object({
		tone: text(500),
		color_palette: z.array(text(50)),
		restricted_keywords: z.array(text(100)),
		visual_style: text(500),
	}),
	variant_suggestions: z
		.array(z.object({ variant_type: z.enum(VARIANT_TYPES), rationale: text(1000), expected_audience_response: text(500).optional() }))
		.min(1),
	generated_at: z.string().optional(),
	approval_status: z.enum(['pending', 'approved', 'rejected']).optional(),
});
export type CreativeBrief = z.infer<typeof creativeBriefSchema>;

export const hookDraftSchema = z.object({ text: text(200), hook_type: z.enum(HOOK_TYPES) });
export type HookDraft = z.infer<typeof hookDraftSchema>;
export const hookBatchSchema = z.object({ hooks: z.array(hookDraftSchema).min(1) });

export const sceneSchema = z.object({
	scene_id: uuid.optional(),
	sequence: z.number().int().min(1),
	duration_seconds: z.number().min(3).max(5),
	visual_prompt: text(2000),
	voiceover_text: z.string().max(1000),
	visual_cues: z.object({
		style: z.enum(VISUAL_STYLES),
		color_palette: z.array(text(50)),
		camera_movement: text(200),
		lighting: text(200),
	}),
	audio_cues: z.object({ music_style: text(200), sfx: z.array(text(100)), voice_tone: text(200) }),
	speaker: z.string().max(100).optional(),
});
export type Scene = z.infer<typeof sceneSchema>;

export const scriptSchema = z
	.object({
		script_id: uuid.optional(),
		brief_id: uuid.optional(),
		hook: z.object({
			text: text(200),
			hook_type: z.enum(HOOK_TYPES),
			quality_score: z.number().min(0).max(1),
			variations_generated: z.number().int().min(1),
			selected_rationale: text(1000),
		}),
		scenes: z.array(sceneSchema).min(3).max(20),
		voiceover_full_text: text(10000),
		total_duration_seconds: z.number().min(15).max(60),
		variant_tag: z.enum(VARIANT_TYPES),
		brand_compliance_score: z.number().min(0).max(1).optional(),
		generated_at: z.string().optional(),
		approval_status: z.enum(['pending', 'approved', 'rejected']).optional(),
	})
	.superRefine((s, ctx) => {
		const sum = s.scenes.reduce((a, sc) => a + sc.duration_seconds, 0);
		if (Math.abs(sum - s.total_duration_seconds) > 0.5) {
			ctx.addIssue({ code: 'custom', path: ['total_duration_seconds'], message: `must equal the sum of scene durations (${sum})` });
		}
		s.scenes.forEach((sc, i) => {
			if (sc.sequence !== i + 1) ctx.addIssue({ code: 'custom', path: ['scenes', i, 'sequence'], message: `must be ${i + 1}` });
		});
	});
export type Script = z.infer<typeof scriptSchema>;

/** Validates `value`; the error names the first offending field as a dotted path. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, root = ''): T {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const field = [root, ...issue.path.map(String)].filter(Boolean).join('.') || root || 'input';
	throw new ValidationError(`${field}: ${issue.message}`, field, { issues: result.error.issues.slice(0, 5) });
}
