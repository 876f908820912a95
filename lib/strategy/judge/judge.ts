/**
 * The Judge (seed 000; seed 003 pillar 2 "Brand Consistency" and "Copyright & Safety"): granular
 * checks on a brief, hook, script or caption, an aggregate confidence, and a route: pass, human
 * review or reject. The result has the shape `bi_record_safety_report` stores.
 *
 * Checks (severity says what a failure does):
 * - restricted_keywords (blocker): the brand's restricted terms, disguised or not (keywords.ts),
 *   in every text of the item, scripts' visual prompts included; a JSON brief's own restriction
 *   list and competitor analysis are not scanned (they name the terms by design).
 * - moderation (blocker when flagged): the ModerationProvider's categories. If the provider fails,
 *   the check fails as major: nothing unmoderated passes, but an outage does not reject.
 * - tone_similarity (major): tone.ts against the brand's tone words; for scripts the worst of the
 *   whole voiceover and each scene's voiceover ("each scene validated for brand tone").
 * - completeness (major): scripts have every required field, a voiceover in every scene and a
 *   visual prompt for it; briefs a core message and a call to action; hooks and captions are
 *   non-empty and within their length limit.
 * - duration (major, scripts): 15–60 s in total, 3–5 s a scene, scene durations add up to the
 *   total, each scene's voiceover speakable at ≤ 3 words a second.
 * - visual_consistency (minor, scripts): scenes use the brand palette and visual style ("visual
 *   prompts automatically include brand color palette and style guidelines").
 * - llm_rubric (major, only with a rubric LLM): the model's 0..1 score against the brand.
 *
 * Aggregation: confidence is the weighted mean of the check scores (CHECK_WEIGHTS). Route:
 * a failed blocker → reject; confidence below `reject` (0.5) → reject; a failed major check →
 * human_review; confidence ≥ the pass threshold → pass; otherwise human_review. The pass threshold
 * is 0.85 (seed 003 pillar 1's brand-alignment gate) and 0.90 for scripts (pillar 2's "minimum
 * threshold 0.90 for script approval"); all thresholds are configurable.
 */
import { scriptSchema, type Script } from '../../domain/schemas';
import { ValidationError } from '../../domain/errors';
import type { EmbeddingProvider, LlmProvider, ModerationProvider } from '../../providers/types';
import { rubricSchema, type Rubric } from '../rubric';
import { findRestrictedKeywords, normalizeForMatching, type KeywordMatch } from './keywords';
import { scoreTone, type ToneResult } from './tone';

export type JudgeKind = 'brief' | 'hook' | 'script' | 'caption';
export type Severity = 'blocker' | 'major' | 'minor';
export type Route = 'pass' | 'human_review' | 'reject';

export interface JudgeBrand {
	brand_name: string;
	tone: string;
	restricted_keywords: string[];
	color_palette: string[];
	visual_style: string;
}

export interface JudgeThresholds {
	/** Confidence needed to pass, one number or per kind. */
	pass: number | Partial<Record<JudgeKind, number>>;
	/** Below this confidence the item is rejected even without a failed blocker. */
	reject: number;
	/** Tone score a text needs. */
	tone: number;
	/** Rubric score a text needs. */
	rubric: number;
	/** Share of scenes that must show the brand palette and style. */
	visualConsistency: number;
	captionMaxChars: number;
	hookMaxChars: number;
	/** Words a brief's core message needs at least, when the brief is plain text. */
	briefMinWords: number;
	wordsPerSecond: number;
	minTotalSeconds: number;
	maxTotalSeconds: number;
	minSceneSeconds: number;
	maxSceneSeconds: number;
}

export const DEFAULT_JUDGE_THRESHOLDS: JudgeThresholds = {
	pass: { brief: 0.85, hook: 0.85, caption: 0.85, script: 0.9 },
	reject: 0.5,
	tone: 0.7,
	rubric: 0.7,
	visualConsistency: 0.5,
	// Instagram and TikTok captions stop at 2,200 characters; hooks at the schema's 200.
	captionMaxChars: 2200,
	hookMaxChars: 200,
	briefMinWords: 8,
	wordsPerSecond: 3,
	minTotalSeconds: 15,
	maxTotalSeconds: 60,
	minSceneSeconds: 3,
	maxSceneSeconds: 5,
};

/** How much each check weighs in the confidence: safety first, then voice, then form. */
export const CHECK_WEIGHTS: Record<string, number> = {
	restricted_keywords: 3,
	moderation: 3,
	tone_similarity: 2,
	llm_rubric: 2,
	completeness: 1.5,
	duration: 1,
	visual_consistency: 0.5,
};

export interface JudgeCheck {
	name: string;
	score: number;
	passed: boolean;
	reason: string;
	severity: Severity;
	details?: Record<string, unknown>;
}

export interface JudgeResult {
	checks: JudgeCheck[];
	confidence: number;
	route: Route;
	reasons: string[];
}

export interface JudgeInput {
	text: string;
	kind: JudgeKind;
	brand: JudgeBrand;
	script?: Script;
	embedder: EmbeddingProvider;
	moderation: ModerationProvider;
	rubricLlm?: LlmProvider;
	thresholds?: Partial<JudgeThresholds>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const words = (s: string) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

interface Segment {
	field: string;
	text: string;
	/** Spoken or read by the audience (tone applies), as opposed to a prompt for a video model. */
	voiced: boolean;
	/** Scanned for restricted keywords: not where a brief lists them or names competitors it studied. */
	scanned: boolean;
}

/** Brief fields that quote the restrictions or the competition by design. */
const UNSCANNED_BRIEF_FIELDS = /^(?:brand_guidelines_ref|trending_insights\.competitor_analysis)(?:[.[]|$)/;
/** Brief fields the audience will hear or read, in some form; the rest is planning metadata. */
const VOICED_BRIEF_FIELDS = /^(?:core_message|variant_suggestions)(?:[.[]|$)/;

/** If a brief arrives as JSON, its string values are the text; otherwise undefined. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
	const t = text.trim();
	if (!t.startsWith('{')) return undefined;
	try {
		const v: unknown = JSON.parse(t);
		return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

function stringLeaves(v: unknown, path: string, out: Segment[]): void {
	if (typeof v === 'string') {
		if (v.trim()) out.push({ field: path, text: v, voiced: VOICED_BRIEF_FIELDS.test(path), scanned: !UNSCANNED_BRIEF_FIELDS.test(path) });
	} else if (Array.isArray(v)) {
		v.forEach((x, i) => stringLeaves(x, `${path}[${i}]`, out));
	} else if (v && typeof v === 'object') {
		for (const [k, x] of Object.entries(v)) stringLeaves(x, path ? `${path}.${k}` : k, out);
	}
}

/** Every text of the item, named by where it sits. */
function segmentsOf(input: JudgeInput, brief: Record<string, unknown> | undefined): Segment[] {
	const out: Segment[] = [];
	if (brief) stringLeaves(brief, '', out);
	else if (input.text.trim()) out.push({ field: 'text', text: input.text, voiced: true, scanned: true });
	const s = input.script;
	if (s) {
		if (s.hook?.text) out.push({ field: 'hook.text', text: s.hook.text, voiced: true, scanned: true });
		s.scenes?.forEach((sc, i) => {
			if (sc.voiceover_text?.trim()) out.push({ field: `scenes[${i}].voiceover_text`, text: sc.voiceover_text, voiced: true, scanned: true });
			if (sc.visual_prompt?.trim()) out.push({ field: `scenes[${i}].visual_prompt`, text: sc.visual_prompt, voiced: false, scanned: true });
		});
		if (s.voiceover_full_text?.trim()) out.push({ field: 'voiceover_full_text', text: s.voiceover_full_text, voiced: true, scanned: true });
	}
	// The same text in two places is scanned once, under its first name.
	const seen = new Set<string>();
	return out.filter((seg) => (seen.has(seg.text) ? false : (seen.add(seg.text), true)));
}

// ------------------------------------------------------------------------------- checks

function keywordCheck(segments: Segment[], keywords: string[]): JudgeCheck {
	const hits: Array<KeywordMatch & { field: string }> = [];
	for (const seg of segments.filter((x) => x.scanned)) for (const m of findRestrictedKeywords(seg.text, keywords)) hits.push({ ...m, field: seg.field });
	const found = [...new Set(hits.map((h) => h.keyword))];
	return {
		name: 'restricted_keywords',
		score: hits.length ? 0 : 1,
		passed: hits.length === 0,
		severity: 'blocker',
		reason: hits.length
			? `restricted keyword${found.length > 1 ? 's' : ''} ${found.map((k) => `"${k}"`).join(', ')}: ` +
				hits
					.slice(0, 5)
					.map((h) => `"${h.matched}" in ${h.field}${h.technique[0] === 'exact' ? '' : ` (${h.technique.join(', ')})`}`)
					.join('; ')
			: `none of ${keywords.length} restricted keyword${keywords.length === 1 ? '' : 's'} found`,
		details: { matches: hits, keywords_found: found },
	};
}

async function moderationCheck(segments: Segment[], provider: ModerationProvider): Promise<JudgeCheck> {
	if (segments.length === 0) return { name: 'moderation', score: 1, passed: true, severity: 'minor', reason: 'no text to moderate' };
	try {
		const res = await provider.moderate(segments.map((s) => s.text));
		let worst = 0;
		const flagged: string[] = [];
		res.results.forEach((r, i) => {
			for (const [cat, score] of Object.entries(r.category_scores)) {
				worst = Math.max(worst, score);
				if (r.categories[cat]) flagged.push(`${cat} ${score.toFixed(2)} in ${segments[i]?.field ?? `input ${i}`}`);
			}
		});
		const isFlagged = res.results.some((r) => r.flagged);
		return {
			name: 'moderation',
			score: round(1 - worst),
			passed: !isFlagged,
			severity: isFlagged ? 'blocker' : 'minor',
			reason: isFlagged ? `flagged by ${res.provider}/${res.model}: ${flagged.slice(0, 5).join('; ')}` : `not flagged by ${res.provider}/${res.model} (highest category score ${worst.toFixed(2)})`,
			details: { provider: res.provider, model: res.model, results: res.results },
		};
	} catch (e) {
		return { name: 'moderation', score: 0, passed: false, severity: 'major', reason: `moderation unavailable (${errorText(e)}): needs a human look` };
	}
}

async function toneCheck(input: JudgeInput, segments: Segment[], t: JudgeThresholds): Promise<JudgeCheck> {
	const voiced = segments.filter((s) => s.voiced);
	if (voiced.length === 0) return { name: 'tone_similarity', score: 0, passed: false, severity: 'major', reason: 'no text to judge the tone of' };
	// A script is judged as a whole (its full voiceover) and scene by scene; other items as one text.
	const targets: Segment[] = input.script
		? [
				{ field: 'script', text: input.script.voiceover_full_text?.trim() || voiced.map((s) => s.text).join(' '), voiced: true, scanned: true },
				...voiced.filter((s) => s.field.startsWith('scenes[')),
			]
		: [{ field: 'text', text: voiced.map((s) => s.text).join('\n'), voiced: true, scanned: true }];
	try {
		const results: Array<{ field: string; tone: ToneResult }> = [];
		for (const seg of targets) {
			results.push({ field: seg.field, tone: await scoreTone({ text: seg.text, tone: input.brand.tone, embedder: input.embedder, brandName: input.brand.brand_name }) });
		}
		const worst = results.reduce((a, b) => (b.tone.score < a.tone.score ? b : a));
		const score = worst.tone.score;
		return {
			name: 'tone_similarity',
			score,
			passed: score >= t.tone,
			severity: 'major',
			reason: results.length > 1 && worst.field !== 'script' ? `${worst.field}: ${worst.tone.reason}` : worst.tone.reason,
			details: { threshold: t.tone, per_text: results.map((r) => ({ field: r.field, score: r.tone.score, traits: r.tone.traits, violations: r.tone.violations })) },
		};
	} catch (e) {
		return { name: 'tone_similarity', score: 0, passed: false, severity: 'major', reason: `tone could not be scored (${errorText(e)})` };
	}
}

/** Verbs that open a call to action ("Try a bowl", "Visit a branch"). */
const CTA_VERBS = [
	'try', 'shop', 'visit', 'join', 'sign up', 'learn more', 'discover', 'order', 'get', 'book', 'download', 'call', 'subscribe',
	'start', 'find', 'see', 'explore', 'save', 'buy', 'grab', 'pick up', 'taste', 'register', 'apply', 'follow', 'tap', 'click',
	'swipe up', 'watch', 'come', 'meet', 'share', 'tell us', 'ask', 'claim', 'reserve', 'head to', 'stop by', 'speak', 'talk',
	'contact', 'email', 'message', 'open', 'switch', 'check out', 'enjoy', 'make',
];
const CTA_OPENING = new RegExp(`^(?:(?:please|now|so|just|then|and|go|today) )*(?:${CTA_VERBS.join('|')})(?: |$)`);
/** An explicit label counts too ("Call to action: …", "CTA: …"). */
const CTA_LABEL = /(?:^| )(?:call to action|cta)(?: |$)/;

/** Whether a plain-text brief asks the audience to act: a clause that opens with an imperative, or a CTA label. */
function hasCallToAction(text: string): boolean {
	const norm = normalizeForMatching(text);
	if (CTA_LABEL.test(norm)) return true;
	return text
		.split(/[.!?:;\n\u2013\u2014]+/)
		.map((clause) => normalizeForMatching(clause))
		.some((clause) => CTA_OPENING.test(clause));
}

function partial(name: string, items: Array<[boolean, string]>, okReason: string): JudgeCheck {
	const failed = items.filter(([ok]) => !ok).map(([, what]) => what);
	const score = items.length ? (items.length - failed.length) / items.length : 1;
	return {
		name,
		score: round(score),
		passed: failed.length === 0,
		severity: 'major',
		reason: failed.length ? `${failed.slice(0, 6).join('; ')}${failed.length > 6 ? `; and ${failed.length - 6} more` : ''}` : okReason,
	};
}

function completenessCheck(input: JudgeInput, brief: Record<string, unknown> | undefined, t: JudgeThresholds): JudgeCheck {
	const text = input.text.trim();
	switch (input.kind) {
		case 'script': {
			const s = input.script;
			if (!s) return { name: 'completeness', score: 0, passed: false, severity: 'major', reason: 'a script is judged on its structure, and none was given' };
			const parsed = scriptSchema.safeParse(s);
			// Duration limits have their own check; the rest of the schema is about completeness.
			const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !/duration/.test(String(i.path[i.path.length - 1] ?? '')));
			const scenes = Array.isArray(s.scenes) ? s.scenes : [];
			const items: Array<[boolean, string]> = [
				[issues.length === 0, `schema: ${issues.slice(0, 3).map((i) => `${i.path.join('.')} ${i.message}`).join(', ')}`],
				[Boolean(s.hook?.text?.trim()), 'no hook text'],
				[Boolean(s.voiceover_full_text?.trim()), 'no full voiceover text'],
				[scenes.length >= 3, `only ${scenes.length} scene(s), at least 3 needed`],
			];
			scenes.forEach((sc, i) => {
				items.push([Boolean(sc.voiceover_text?.trim()), `scene ${i + 1} has no voiceover`]);
				items.push([words(sc.visual_prompt ?? '') >= 3, `scene ${i + 1} has no usable visual prompt`]);
			});
			return partial('completeness', items, `script complete: hook, ${scenes.length} scenes with voiceover and visual prompt`);
		}
		case 'brief': {
			if (brief) {
				const cm = (brief.core_message ?? {}) as Record<string, unknown>;
				const has = (v: unknown) => typeof v === 'string' && v.trim() !== '';
				return partial(
					'completeness',
					[
						[has(cm.primary_hook), 'core_message.primary_hook missing'],
						[has(cm.value_proposition), 'core_message.value_proposition missing'],
						[has(cm.call_to_action), 'core_message.call_to_action missing'],
					],
					'brief has its core message and call to action',
				);
			}
			return partial(
				'completeness',
				[
					[words(text) >= t.briefMinWords, `core message too thin (${words(text)} words, ${t.briefMinWords} needed)`],
					[hasCallToAction(text), 'no call to action (a clause opening with try, shop, visit, join, book…)'],
				],
				'brief states a message and a call to action',
			);
		}
		case 'hook':
			return partial(
				'completeness',
				[
					[text !== '', 'empty hook'],
					[text.length <= t.hookMaxChars, `hook is ${text.length} characters, limit ${t.hookMaxChars}`],
				],
				`hook present, ${text.length}/${t.hookMaxChars} characters`,
			);
		case 'caption':
			return partial(
				'completeness',
				[
					[text !== '', 'empty caption'],
					[text.length <= t.captionMaxChars, `caption is ${text.length} characters, limit ${t.captionMaxChars}`],
				],
				`caption present, ${text.length}/${t.captionMaxChars} characters`,
			);
		default:
			throw new ValidationError(`unknown kind "${String(input.kind)}"`, 'kind');
	}
}

function durationCheck(script: Script, t: JudgeThresholds): JudgeCheck {
	const scenes = Array.isArray(script.scenes) ? script.scenes : [];
	const total = Number(script.total_duration_seconds);
	const sum = scenes.reduce((a, sc) => a + Number(sc.duration_seconds), 0);
	const items: Array<[boolean, string]> = [
		[total >= t.minTotalSeconds && total <= t.maxTotalSeconds, `total ${total} s outside ${t.minTotalSeconds}–${t.maxTotalSeconds} s`],
		[Math.abs(sum - total) <= 0.5, `scenes add up to ${sum} s, total says ${total} s`],
	];
	scenes.forEach((sc, i) => {
		const d = Number(sc.duration_seconds);
		items.push([d >= t.minSceneSeconds && d <= t.maxSceneSeconds, `scene ${i + 1} lasts ${d} s, outside ${t.minSceneSeconds}–${t.maxSceneSeconds} s`]);
		const n = words(sc.voiceover_text ?? '');
		const fits = Math.floor(d * t.wordsPerSecond + 1e-9);
		items.push([n <= fits, `scene ${i + 1} voiceover has ${n} words, ${fits} fit in ${d} s at ${t.wordsPerSecond} words/s`]);
	});
	return partial('duration', items, `${total} s in ${scenes.length} scenes, every voiceover fits at ≤ ${t.wordsPerSecond} words/s`);
}

function visualCheck(script: Script, brand: JudgeBrand, t: JudgeThresholds): JudgeCheck {
	const scenes = Array.isArray(script.scenes) ? script.scenes : [];
	const palette = brand.color_palette.map((c) => c.trim().toLowerCase()).filter(Boolean);
	const styleWords = normalizeForMatching(brand.visual_style)
		.split(' ')
		.filter((w) => w.length > 3);
	const misses: string[] = [];
	let total = 0;
	scenes.forEach((sc, i) => {
		const seen = normalizeForMatching([sc.visual_prompt, sc.visual_cues?.style, sc.visual_cues?.lighting, sc.visual_cues?.camera_movement].join(' ').replace(/_/g, ' '));
		const scenePalette = (sc.visual_cues?.color_palette ?? []).map((c) => c.trim().toLowerCase());
		const paletteOk = palette.length === 0 || palette.some((c) => scenePalette.includes(c) || ` ${seen} `.includes(` ${normalizeForMatching(c)} `));
		const styleOk = styleWords.length === 0 || styleWords.some((w) => ` ${seen} `.includes(` ${w} `));
		total += (Number(paletteOk) + Number(styleOk)) / 2;
		if (!paletteOk) misses.push(`scene ${i + 1} uses none of the palette`);
		if (!styleOk) misses.push(`scene ${i + 1} does not mention the visual style`);
	});
	const score = scenes.length ? total / scenes.length : 0;
	return {
		name: 'visual_consistency',
		score: round(score),
		passed: score >= t.visualConsistency,
		severity: 'minor',
		reason: misses.length ? misses.slice(0, 4).join('; ') + (misses.length > 4 ? `; and ${misses.length - 4} more` : '') : 'every scene uses the brand palette and visual style',
	};
}

async function rubricCheck(input: JudgeInput, text: string, t: JudgeThresholds): Promise<JudgeCheck> {
	const llm = input.rubricLlm as LlmProvider;
	const { brand } = input;
	try {
		const res = await llm.generate<Rubric>({
			task: 'rubric',
			schema: rubricSchema,
			schemaName: 'rubric',
			system:
				'You review marketing copy for a brand. Score 0..1 how well it keeps to the brand voice, avoids the restricted terms ' +
				'and is safe to publish; 1 is ready to publish. Give short reasons.',
			prompt: [
				`Brand: ${brand.brand_name}`,
				`Tone: ${brand.tone}`,
				`Restricted terms: ${brand.restricted_keywords.join(', ') || 'none'}`,
				`Visual style: ${brand.visual_style}; palette: ${brand.color_palette.join(', ')}`,
				`Kind: ${input.kind}`,
				'Text:',
				text,
			].join('\n'),
			context: { text, brand },
			temperature: 0,
		});
		const score = Math.max(0, Math.min(1, res.data.score));
		return {
			name: 'llm_rubric',
			score: round(score),
			passed: score >= t.rubric,
			severity: 'major',
			reason: `${res.provider}/${res.model} rubric ${score.toFixed(2)}: ${res.data.reasons.slice(0, 3).join('; ')}`,
			details: { provider: res.provider, model: res.model, usage: res.usage, reasons: res.data.reasons },
		};
	} catch (e) {
		return { name: 'llm_rubric', score: 0, passed: false, severity: 'major', reason: `rubric unavailable (${errorText(e)}): needs a human look` };
	}
}

function passThreshold(t: JudgeThresholds, kind: JudgeKind): number {
	if (typeof t.pass === 'number') return t.pass;
	return t.pass[kind] ?? 0.85;
}

/** Judges one item; see the file comment for the checks and how they route. */
export async function judgeText(input: JudgeInput): Promise<JudgeResult> {
	if (!['brief', 'hook', 'script', 'caption'].includes(input.kind)) throw new ValidationError(`unknown kind "${String(input.kind)}"`, 'kind');
	if (typeof input.text !== 'string') throw new ValidationError('text must be a string', 'text');
	if (!input.brand || typeof input.brand.tone !== 'string') throw new ValidationError('brand.tone is required', 'brand.tone');
	const brand: JudgeBrand = {
		brand_name: input.brand.brand_name ?? '',
		tone: input.brand.tone,
		restricted_keywords: input.brand.restricted_keywords ?? [],
		color_palette: input.brand.color_palette ?? [],
		visual_style: input.brand.visual_style ?? '',
	};
	const t: JudgeThresholds = { ...DEFAULT_JUDGE_THRESHOLDS, ...input.thresholds };
	const job = { ...input, brand };
	const brief = input.kind === 'brief' ? parseJsonObject(input.text) : undefined;
	const segments = segmentsOf(job, brief);

	const checks: JudgeCheck[] = [keywordCheck(segments, brand.restricted_keywords), await moderationCheck(segments, input.moderation), await toneCheck(job, segments, t)];
	checks.push(completenessCheck(job, brief, t));
	if (input.kind === 'script' && input.script) {
		checks.push(durationCheck(input.script, t));
		checks.push(visualCheck(input.script, brand, t));
	}
	if (input.rubricLlm) checks.push(await rubricCheck(job, segments.filter((s) => s.voiced).map((s) => s.text).join('\n'), t));

	return { checks, ...aggregateChecks(checks, { pass: passThreshold(t, input.kind), reject: t.reject }) };
}

/**
 * The aggregation every Judge uses (text here, media in media.ts): confidence = weighted mean of the
 * check scores (`weights`, default CHECK_WEIGHTS, 1 for a check not listed); a failed blocker or a
 * confidence under `reject` → reject; a failed major check → human_review; confidence ≥ `pass` →
 * pass; otherwise human_review. Every failed check not already a reason is listed as one.
 */
export function aggregateChecks(
	checks: JudgeCheck[],
	opts: { pass: number; reject: number; weights?: Record<string, number> },
): { confidence: number; route: Route; reasons: string[] } {
	const weights = opts.weights ?? CHECK_WEIGHTS;
	let weight = 0;
	let sum = 0;
	for (const c of checks) {
		const w = weights[c.name] ?? 1;
		weight += w;
		sum += w * c.score;
	}
	const confidence = round(weight ? sum / weight : 0);
	const threshold = opts.pass;
	const failed = checks.filter((c) => !c.passed);
	const blockers = failed.filter((c) => c.severity === 'blocker');
	const majors = failed.filter((c) => c.severity === 'major');

	let route: Route;
	const reasons: string[] = [];
	if (blockers.length) {
		route = 'reject';
		reasons.push(...blockers.map((c) => `${c.name}: ${c.reason}`));
	} else if (confidence < opts.reject) {
		route = 'reject';
		reasons.push(`confidence ${confidence} below the reject threshold ${opts.reject}`);
	} else if (majors.length) {
		route = 'human_review';
	} else if (confidence >= threshold) {
		route = 'pass';
		reasons.push(`all required checks passed; confidence ${confidence} ≥ ${threshold}`);
	} else {
		route = 'human_review';
		reasons.push(`confidence ${confidence} below the pass threshold ${threshold}`);
	}
	// Every other failed check is a reason too, so a reviewer sees all of them.
	for (const c of failed) if (!blockers.includes(c)) reasons.push(`${c.name}: ${c.reason}`);
	return { confidence, route, reasons };
}
