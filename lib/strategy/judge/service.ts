/**
 * The Judge over the store: loads the brand (and the script), runs the granular checks, records the
 * safety report, and returns it with its route.
 */
import { z } from 'zod';

import { ValidationError } from '../../domain/errors';
import { scriptSchema, type Script } from '../../domain/schemas';
import type { EmbeddingProvider, LlmProvider, ModerationProvider } from '../../providers/types';
import type { Json, Store } from '../../store/store';
import { brandProfileSchema } from '../brief';
import { judgeText, type JudgeBrand, type JudgeResult } from './judge';
import { combineJudgements, judgeMedia, type MediaExpectations } from './media';

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

/**
 * The brand facts the Judge reads. Palette and visual style only inform the optional visual check,
 * so a brand stored without them is still judged (the strategy steps that need them require them).
 */
const judgeBrandSchema = brandProfileSchema.extend({
	color_palette: z.array(z.string()).nullish().transform((v) => v ?? []),
	visual_style: z.string().nullish().transform((v) => v ?? ''),
	restricted_keywords: z.array(z.string()).nullish().transform((v) => v ?? []),
});

async function judgeBrand(store: Store, brandId: string): Promise<JudgeBrand> {
	return judgeBrandSchema.parse(await store.getBrand(brandId));
}

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
	const brand = await judgeBrand(deps.store, input.brandId);
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

/**
 * The publish gate's text half for the Broadcaster: judges one platform's caption and hashtags
 * against the campaign's brand and records the safety report (entity caption).
 */
export function captionJudgeFor(deps: JudgeDeps, opts: { passThreshold?: number } = {}) {
	return async (c: { campaignId: string; platform: string; caption: string; hashtags: string[] }) => {
		const campaign = await deps.store.getCampaign(c.campaignId);
		const text = [c.caption.trim(), c.hashtags.join(' ')].filter(Boolean).join('\n\n');
		const r = await judgeAndRecord(deps, { text, kind: 'caption', brandId: campaign.brand_id as string, campaignId: c.campaignId, passThreshold: opts.passThreshold });
		return {
			route: r.route as (typeof JUDGE_ROUTES)[number],
			confidence: r.confidence as number,
			reasons: r.reasons as string[],
			report_id: (r.report_id as string | null) ?? null,
			platform: c.platform,
		};
	};
}

export const VIDEO_ASPECTS = ['9:16', '16:9', '1:1'] as const;
export type VideoAspect = (typeof VIDEO_ASPECTS)[number];

export interface PublicationJudgeInput {
	/** The assembled video: its output of `aspect` is judged (default the 9:16 master). */
	videoId?: string | null;
	/** The video's row when the caller has already read it (saves a second read of the same row). */
	video?: Json | null;
	aspect?: VideoAspect;
	/** A file to judge instead of a stored video's output (e.g. a platform-formatted copy). */
	filePath?: string | null;
	/** The post's text: judged as a caption together with its hashtags. Empty: the media half only. */
	caption?: string | null;
	hashtags?: string[];
	/** Needed without videoId (with a video, its campaign's brand is used). */
	brandId?: string | null;
	campaignId?: string | null;
	/** The post under judgement: the report is recorded against it (else against the video). */
	platformPostId?: string | null;
	expect?: Partial<MediaExpectations>;
	passThreshold?: number;
	rejectThreshold?: number;
}

/**
 * The publish gate (seed 003 pillar 5): the final file measured (duration, resolution, loudness,
 * black and frozen frames, silence) and the post's caption and hashtags judged as text, one
 * aggregate confidence and one route; the safety report is recorded.
 */
export async function judgePublication(deps: JudgeDeps, input: PublicationJudgeInput): Promise<Json> {
	const aspect = input.aspect ?? '9:16';
	if (!VIDEO_ASPECTS.includes(aspect)) throw new ValidationError(`aspect must be one of ${VIDEO_ASPECTS.join(', ')}`, 'aspect');
	let campaignId = input.campaignId ?? null;
	let path = input.filePath ?? null;
	let expect: Partial<MediaExpectations> = { ...input.expect };
	if (input.videoId) {
		const video = input.video && input.video.video_id === input.videoId ? input.video : await deps.store.getVideo(input.videoId);
		campaignId = campaignId ?? ((video.campaign_id as string | null) ?? null);
		const outputs = ((video.outputs as Json | null)?.outputs ?? {}) as Record<string, { path?: string; width?: number; height?: number }>;
		const output = outputs[aspect];
		if (!path) {
			path = output?.path ?? (aspect === '9:16' ? ((video.master_mp4_url as string | null) ?? null) : null);
			if (!path) throw new ValidationError(`video ${input.videoId} has no assembled ${aspect} output yet`, 'aspect');
			// The assembler's own output: hold it to the exact size it was made at.
			if (output?.width && output.height) expect = { width: output.width, height: output.height, ...expect };
		}
	}
	if (!path) throw new ValidationError('give a video ID or a file path to judge', 'video_id');
	let brandId = input.brandId ?? null;
	if (!brandId && campaignId) brandId = ((await deps.store.getCampaign(campaignId)).brand_id as string | null) ?? null;
	if (!brandId) throw new ValidationError('brand ID is required when the video has no campaign', 'brand_id');
	const thresholds = { pass: input.passThreshold ?? 0.85, reject: input.rejectThreshold ?? 0.5 };
	const media = await judgeMedia(path, { expect, ...thresholds });
	const parts: Array<Pick<JudgeResult, 'checks'>> = [media];
	const hashtags = (input.hashtags ?? []).map((h) => String(h).trim()).filter(Boolean);
	const text = [input.caption?.trim() ?? '', hashtags.join(' ')].filter(Boolean).join('\n\n');
	if (text) {
		const brand = await judgeBrand(deps.store, brandId);
		const captionResult = await judgeText({ text, kind: 'caption', brand, embedder: deps.embedder, moderation: deps.moderation, rubricLlm: deps.rubricLlm, thresholds });
		// Name the text checks as the caption's, so a report shows which half failed.
		parts.push({ checks: captionResult.checks.map((c) => ({ ...c, reason: `caption: ${c.reason}` })) });
	}
	const result = combineJudgements(parts, thresholds);
	const stored = await deps.store.recordSafetyReport({
		entity: input.platformPostId ? 'platform_post' : 'video',
		entity_id: input.platformPostId ?? input.videoId ?? null,
		campaign_id: campaignId,
		brand_id: brandId,
		route: result.route,
		confidence: Math.round(result.confidence * 10_000) / 10_000,
		checks: result.checks,
		reasons: result.reasons,
	});
	const a = media.analysis;
	return {
		...result,
		report_id: stored.report_id,
		entity: stored.entity,
		entity_id: stored.entity_id,
		video_id: input.videoId ?? null,
		platform_post_id: input.platformPostId ?? null,
		file: path,
		aspect,
		caption_checked: Boolean(text),
		media: {
			duration_seconds: a.info?.durationSeconds ?? null,
			width: a.info?.width ?? null,
			height: a.info?.height ?? null,
			integrated_lufs: a.integratedLufs,
			true_peak_dbfs: a.truePeakDbfs === -Infinity ? null : a.truePeakDbfs,
			black_seconds: Math.round(a.black.reduce((s, x) => s + x.duration, 0) * 100) / 100,
			frozen_seconds: Math.round(a.frozen.reduce((s, x) => s + x.duration, 0) * 100) / 100,
			silence_seconds: Math.round(a.silence.reduce((s, x) => s + x.duration, 0) * 100) / 100,
		},
	};
}
