/**
 * The Strategist's two steps after retrieval (seed 003 pillar 1): synthesise a creative brief from
 * the request, the brand, the retrieved guidelines, trends and competitor patterns; then score how
 * well a text (the brief, a script) keeps to the brand. The gate is `ALIGNMENT_THRESHOLD` (0.85):
 * below it the brief goes to human review instead of the Copywriter.
 */
import { z } from 'zod';

import { campaignRequestSchema, creativeBriefSchema, parseOrThrow, type CampaignRequest, type CreativeBrief } from '../domain/schemas';
import { cosine } from '../providers/embeddings/local';
import type { EmbeddingProvider, LlmProvider, Usage } from '../providers/types';
import { assessTone, plainRestrictedMatches, wholeWordPattern, type RestrictedMatcher } from './rubric';

/**
 * `parseOrThrow` for schemas with defaults: its result is the schema's output type (defaults
 * applied), which `parseOrThrow`'s single type parameter cannot express.
 */
export function parseWithDefaults<S extends z.ZodTypeAny>(schema: S, value: unknown, root: string): z.output<S> {
	return parseOrThrow(schema as unknown as z.ZodType<z.output<S>>, value, root);
}

export const brandProfileSchema = z.object({
	brand_name: z.string().trim().min(1).max(200),
	tone: z.string().trim().min(1).max(500),
	color_palette: z.array(z.string().trim().min(1).max(50)),
	restricted_keywords: z.array(z.string().trim().min(1).max(100)).default([]),
	visual_style: z.string().trim().min(1).max(500),
});
/** The brand facts every strategy step reads (the `brands` row's columns). */
export type BrandProfile = z.infer<typeof brandProfileSchema>;

export const retrievedGuidelineSchema = z.object({
	content: z.string().trim().min(1),
	category: z.string().nullable().optional(),
	similarity: z.number().optional(),
});
/** A brand guideline as `match_brand_guidelines` returns it. */
export type RetrievedGuideline = z.infer<typeof retrievedGuidelineSchema>;

export const trendSignalSchema = z.object({
	topic: z.string().trim().min(1),
	// NUMERIC columns arrive as strings from some drivers.
	engagement_score: z.union([z.number(), z.string()]).nullable().optional(),
});
export type TrendSignal = z.infer<typeof trendSignalSchema>;

export const competitorAdSchema = z.object({ competitor_name: z.string().trim().min(1), patterns: z.unknown().optional() });
export type CompetitorAdPattern = z.infer<typeof competitorAdSchema>;

/** Which model answered, and for how many tokens (the Cost Ledger prices it). */
export interface LlmCall {
	provider: string;
	model: string;
	usage: Usage;
}

export interface SynthesizeBriefInput {
	request: CampaignRequest;
	brand: BrandProfile;
	guidelines?: RetrievedGuideline[];
	trends?: TrendSignal[];
	competitorAds?: CompetitorAdPattern[];
	llm: LlmProvider;
	/** Clock for `generated_at` (tests pass a fixed one). */
	now?: () => Date;
}

export interface SynthesizedBrief {
	brief: CreativeBrief;
	llm: LlmCall;
	/** What the LLM changed that brand facts do not allow, and how it was put back. */
	enforced: string[];
}

function trendScore(t: TrendSignal): number {
	const n = Number(t.engagement_score);
	return Number.isFinite(n) ? n : 0;
}

/** Renders competitor `patterns` (JSONB: a string, a list, or an object) as short lines. */
export function patternLines(patterns: unknown): string[] {
	if (patterns == null) return [];
	if (typeof patterns === 'string') return patterns.trim() ? [patterns.trim()] : [];
	if (typeof patterns === 'number' || typeof patterns === 'boolean') return [String(patterns)];
	if (Array.isArray(patterns)) return patterns.flatMap(patternLines);
	return Object.entries(patterns as Record<string, unknown>).flatMap(([k, v]) => patternLines(v).map((line) => `${k.replace(/_/g, ' ')}: ${line}`));
}

function briefPrompts(input: Required<Omit<SynthesizeBriefInput, 'llm' | 'now'>>): { system: string; prompt: string } {
	const { request, brand, guidelines, trends, competitorAds } = input;
	const system = [
		'You are the Strategist of a brand-safe short-form video ad pipeline.',
		'Write one creative brief as a JSON object matching the given schema exactly.',
		'Ground every field in the campaign request, the brand facts and the retrieved brand guidelines below;',
		'use only the trends and competitor patterns listed, and never invent metrics.',
		'Never use a restricted keyword anywhere except in brand_guidelines_ref.restricted_keywords.',
		"Copy the brand's colour palette exactly; keep its tone and visual style.",
		'Suggest 2 to 4 variants (humorous, serious, emotional, educational), each with a rationale tied to the campaign objective and the audience.',
	].join(' ');
	const lines: string[] = [
		'## Campaign request',
		`product_category: ${request.product_category}`,
		`target_demographic: ${request.target_demographic}`,
		`campaign_objective: ${request.campaign_objective}`,
		`budget_tier: ${request.budget_tier}`,
	];
	if (request.notes) lines.push(`notes: ${request.notes}`);
	lines.push(
		'',
		'## Brand',
		`name: ${brand.brand_name}`,
		`tone: ${brand.tone}`,
		`visual_style: ${brand.visual_style}`,
		`color_palette: ${brand.color_palette.join(', ') || '(none given)'}`,
		`restricted_keywords: ${brand.restricted_keywords.join(', ') || '(none)'}`,
		'',
		'## Retrieved brand guidelines (most relevant first)',
	);
	if (guidelines.length === 0) lines.push('(none retrieved)');
	guidelines.forEach((g, i) => {
		const sim = g.similarity == null ? '' : `, similarity ${g.similarity.toFixed(2)}`;
		lines.push(`${i + 1}. [${g.category ?? 'general'}${sim}] ${g.content}`);
	});
	lines.push('', '## Trends (highest engagement first)');
	const sorted = [...trends].sort((a, b) => trendScore(b) - trendScore(a));
	if (sorted.length === 0) lines.push('(no trend data)');
	for (const t of sorted) lines.push(`- ${t.topic}${t.engagement_score == null ? '' : ` (engagement ${t.engagement_score})`}`);
	lines.push('', '## Competitor ad patterns');
	if (competitorAds.length === 0) lines.push('(none)');
	for (const ad of competitorAds) lines.push(`- ${ad.competitor_name}: ${patternLines(ad.patterns).join('; ') || '(no patterns)'}`);
	lines.push(
		'',
		'## Output',
		'A JSON object: target_audience {demographics (object), psychographics [strings], pain_points [strings]},',
		'core_message {primary_hook, value_proposition, call_to_action}, trending_insights {trending_topics [strings],',
		'trending_audio [strings], competitor_analysis (object), viral_patterns [strings]}, brand_guidelines_ref {tone,',
		'color_palette [strings], restricted_keywords [strings], visual_style}, variant_suggestions [{variant_type,',
		'rationale, expected_audience_response}].',
	);
	return { system, prompt: lines.join('\n') };
}

/**
 * Asks the LLM for a creative brief (task `creative_brief`), then puts back the brand facts an LLM
 * must not change: the palette is the brand's, every brand restricted keyword stays listed (the
 * LLM may add more), and the brand's own tone and visual style stay in the brief's words.
 */
export async function synthesizeBrief(input: SynthesizeBriefInput): Promise<SynthesizedBrief> {
	const request = parseOrThrow(campaignRequestSchema, input.request, 'request');
	const brand = parseWithDefaults(brandProfileSchema, input.brand, 'brand');
	const guidelines = parseOrThrow(z.array(retrievedGuidelineSchema), input.guidelines ?? [], 'guidelines');
	const trends = parseOrThrow(z.array(trendSignalSchema), input.trends ?? [], 'trends');
	const competitorAds = parseOrThrow(z.array(competitorAdSchema), input.competitorAds ?? [], 'competitorAds');
	const { system, prompt } = briefPrompts({ request, brand, guidelines, trends, competitorAds });
	const result = await input.llm.generate({
		task: 'creative_brief',
		system,
		prompt,
		schema: creativeBriefSchema,
		schemaName: 'creative_brief',
		context: { request, brand, guidelines, trends, competitorAds },
		temperature: 0.7,
		maxOutputTokens: 4000,
	});

	const brief: CreativeBrief = structuredClone(result.data);
	const ref = brief.brand_guidelines_ref;
	const enforced: string[] = [];
	const samePalette =
		ref.color_palette.length === brand.color_palette.length && ref.color_palette.every((c, i) => c.toLowerCase() === brand.color_palette[i].toLowerCase());
	if (!samePalette) {
		enforced.push(`color_palette reset to the brand palette (${brand.color_palette.join(', ')}); the LLM gave ${ref.color_palette.join(', ') || 'none'}`);
		ref.color_palette = [...brand.color_palette];
	}
	const listed = new Set(ref.restricted_keywords.map((k) => k.toLowerCase()));
	const missing = brand.restricted_keywords.filter((k) => !listed.has(k.toLowerCase()));
	if (missing.length) {
		enforced.push(`restricted_keywords: put back ${missing.join(', ')}`);
		ref.restricted_keywords = [...brand.restricted_keywords, ...ref.restricted_keywords.filter((k) => !brand.restricted_keywords.some((b) => b.toLowerCase() === k.toLowerCase()))];
	}
	if (!ref.tone.toLowerCase().includes(brand.tone.toLowerCase())) {
		enforced.push("tone: prefixed with the brand's tone");
		ref.tone = `${brand.tone}; ${ref.tone}`.slice(0, 500);
	}
	if (!ref.visual_style.toLowerCase().includes(brand.visual_style.toLowerCase())) {
		enforced.push("visual_style: prefixed with the brand's visual style");
		ref.visual_style = `${brand.visual_style}; ${ref.visual_style}`.slice(0, 500);
	}
	brief.generated_at = (input.now ?? (() => new Date()))().toISOString();
	brief.approval_status = 'pending';
	return {
		brief: parseOrThrow(creativeBriefSchema, brief, 'creative_brief'),
		llm: { provider: result.provider, model: result.model, usage: result.usage },
		enforced,
	};
}

function collectStrings(value: unknown, out: string[]): void {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
	else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, out));
}

/**
 * The words of a brief that brand alignment judges: every field except the restricted-keyword
 * list itself (which by definition holds the words the rest must not use).
 */
export function briefText(brief: CreativeBrief): string {
	const out: string[] = [];
	collectStrings(brief.target_audience, out);
	collectStrings(brief.core_message, out);
	collectStrings(brief.trending_insights, out);
	const { tone, color_palette, visual_style } = brief.brand_guidelines_ref;
	out.push(tone, `Color palette: ${color_palette.join(', ')}`, `Visual style: ${visual_style}`);
	for (const v of brief.variant_suggestions) out.push(v.variant_type, v.rationale, v.expected_audience_response ?? '');
	return out.filter((s) => s.trim() !== '').join('\n');
}

// ---------------------------------------------------------------------------------------------
// Brand alignment

/** Seed 003: "Minimum 0.85 cosine similarity for brand alignment"; below it, human review. */
export const ALIGNMENT_THRESHOLD = 0.85;
/** Weights of the graded components; a component that does not apply (null) gives its weight to the others. */
export const ALIGNMENT_WEIGHTS = { semantic: 0.35, tone: 0.25, palette: 0.2, visual_style: 0.2 } as const;
/** Any restricted keyword caps the score here, whatever the rest says: the gate can never pass it. */
export const RESTRICTED_KEYWORD_CAP = 0.5;

/**
 * Maps raw cosine similarity to 0..1 for one embedder: `floor` and below is unrelated, `ceiling`
 * and above is as close as an on-brand text gets to its guidelines. The local hashing embedder
 * only sees shared words, so its scale is lower than a neural embedder's.
 */
export interface SimilarityCalibration {
	floor: number;
	ceiling: number;
}
export const SIMILARITY_CALIBRATION: Record<string, SimilarityCalibration> = {
	local: { floor: 0.05, ceiling: 0.22 },
	default: { floor: 0.2, ceiling: 0.55 },
};

export interface AlignmentComponent {
	/** 0..1, or null when the text gives nothing to judge (then its weight goes to the others). */
	score: number | null;
	weight: number;
	detail: string;
}

export interface BrandAlignment {
	score: number;
	threshold: number;
	passes: boolean;
	components: {
		restricted_keywords: AlignmentComponent & { hits: string[] };
		tone: AlignmentComponent;
		palette: AlignmentComponent;
		visual_style: AlignmentComponent;
		semantic: AlignmentComponent & { cosine: number | null };
	};
	reasons: string[];
}

export interface BrandAlignmentInput {
	text: string;
	brand: BrandProfile;
	guidelines: RetrievedGuideline[];
	embedder: EmbeddingProvider;
	/** The restricted-keyword matcher; the plain whole-word match by default (the Judge has a thorough one). */
	findRestricted?: RestrictedMatcher;
	calibration?: SimilarityCalibration;
}

/** Colour words and the hue families they belong to (ambiguous food/object words left out on purpose). */
const COLOR_FAMILIES: Record<string, string[]> = {
	red: ['red'], crimson: ['red'], scarlet: ['red'], maroon: ['red', 'brown'], burgundy: ['red', 'purple'], ruby: ['red'],
	orange: ['orange'], terracotta: ['orange', 'red', 'brown'], amber: ['orange', 'yellow'],
	yellow: ['yellow'], gold: ['yellow'], golden: ['yellow'], mustard: ['yellow'], ochre: ['yellow', 'brown'],
	green: ['green'], emerald: ['green'], sage: ['green'], teal: ['green', 'blue'], turquoise: ['blue', 'green'], cyan: ['blue', 'green'],
	blue: ['blue'], navy: ['blue'], cobalt: ['blue'], azure: ['blue'], indigo: ['blue', 'purple'],
	purple: ['purple'], violet: ['purple'], lavender: ['purple'], lilac: ['purple'], magenta: ['pink', 'purple'], mauve: ['purple', 'pink'],
	pink: ['pink'], fuchsia: ['pink', 'purple'],
	brown: ['brown'], tan: ['brown'], beige: ['brown', 'white'], taupe: ['brown', 'gray'],
	black: ['black'], charcoal: ['black', 'gray'], ebony: ['black'],
	white: ['white'], cream: ['white', 'yellow'], ivory: ['white'],
	gray: ['gray'], grey: ['gray'], silver: ['gray'], slate: ['gray', 'blue'],
	neon: ['neon'], fluorescent: ['neon'],
};

/** The hue families of a "#rrggbb" colour, from its HSL (dark → black, pale → white, unsaturated → gray). */
export function hexFamilies(hex: string): string[] {
	const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
	if (!m) return [];
	const h6 = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
	const [r, g, b] = [0, 2, 4].map((i) => parseInt(h6.slice(i, i + 2), 16) / 255);
	const max = Math.max(r, g, b);
	const min = Math.min(r, g, b);
	const l = (max + min) / 2;
	const d = max - min;
	const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
	if (l < 0.12) return ['black'];
	if (l > 0.92) return ['white'];
	if (s < 0.15) return l < 0.3 ? ['black', 'gray'] : l > 0.8 ? ['white', 'gray'] : ['gray'];
	let hue = d === 0 ? 0 : max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
	hue = (hue * 60 + 360) % 360;
	if (hue < 15 || hue >= 345) return l < 0.3 ? ['red', 'brown'] : ['red'];
	if (hue < 45) return l < 0.4 ? ['brown', 'orange'] : ['orange'];
	if (hue < 70) return l < 0.35 ? ['brown', 'yellow'] : ['yellow'];
	if (hue < 165) return ['green'];
	if (hue < 200) return ['green', 'blue'];
	if (hue < 255) return ['blue'];
	if (hue < 290) return ['purple'];
	return ['pink', 'purple'];
}

/** The hue families a palette entry stands for ("#1B4332 forest green" → green). */
function paletteEntryFamilies(entry: string): string[] {
	const families = new Set<string>();
	for (const hex of entry.match(/#[0-9a-f]{6}\b|#[0-9a-f]{3}\b/gi) ?? []) hexFamilies(hex).forEach((f) => families.add(f));
	for (const word of entry.toLowerCase().match(/[a-z]+/g) ?? []) (COLOR_FAMILIES[word] ?? []).forEach((f) => families.add(f));
	return [...families];
}

/** The colours a text names (words or "#rrggbb"), split into those on the brand palette and the rest. */
export function classifyColours(text: string, palette: string[]): { onPalette: string[]; offPalette: string[] } {
	const brandFamilies = new Set(palette.flatMap(paletteEntryFamilies));
	const brandWords = new Set(palette.flatMap((p) => p.toLowerCase().match(/[a-z]+/g) ?? []));
	const brandHex = new Set(palette.flatMap((p) => (p.match(/#[0-9a-f]{6}\b/gi) ?? []).map((h) => h.toLowerCase())));
	const onPalette: string[] = [];
	const offPalette: string[] = [];
	for (const hex of text.match(/#[0-9a-f]{6}\b/gi) ?? []) {
		const h = hex.toLowerCase();
		if (brandHex.has(h) || hexFamilies(h).some((f) => brandFamilies.has(f))) onPalette.push(h);
		else offPalette.push(h);
	}
	for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
		const families = COLOR_FAMILIES[word];
		if (!families) continue;
		if (brandWords.has(word) || families.some((f) => brandFamilies.has(f))) onPalette.push(word);
		else offPalette.push(word);
	}
	return { onPalette, offPalette };
}

/** Palette fidelity: of the colours a text names, the share that belong to the brand palette. */
function paletteComponent(text: string, palette: string[]): AlignmentComponent {
	const weight = ALIGNMENT_WEIGHTS.palette;
	const { onPalette, offPalette } = classifyColours(text, palette);
	const total = onPalette.length + offPalette.length;
	if (total === 0) return { score: null, weight, detail: 'names no colour' };
	if (palette.length === 0) return { score: null, weight, detail: 'the brand has no palette to compare with' };
	const foreign = [...new Set(offPalette)];
	return {
		score: round3(onPalette.length / total),
		weight,
		detail: foreign.length ? `${onPalette.length}/${total} colour mentions on palette; foreign: ${foreign.slice(0, 6).join(', ')}` : `all ${total} colour mentions on palette`,
	};
}

const STOPWORDS = new Set(
	'a an and the of in on at to for with by from or as is are be this that these those its it our your their into over under than then very more most less'.split(' '),
);
const VISUAL_VOCABULARY = /\b(style|visual|visuals|shot|shots|lighting|camera|palette|colou?rs?|aesthetic|look|frame|framing|cinematic|photo\w*|animation|animated|illustrat\w*|cartoon|render\w*|footage|close-up|lens|grain|composition)\b/i;

/** Visual style coverage: the share of the brand's visual-style words a text about visuals carries. */
function visualStyleComponent(text: string, visualStyle: string): AlignmentComponent {
	const weight = ALIGNMENT_WEIGHTS.visual_style;
	const words = [...new Set((visualStyle.toLowerCase().match(/[a-z][a-z-]+/g) ?? []).filter((w) => !STOPWORDS.has(w)))];
	const present = words.filter((w) => wholeWordPattern(w).test(text));
	// Judged only when the text talks about visuals: a tone sentence that happens to say "morning" is not a visual brief.
	if (!VISUAL_VOCABULARY.test(text)) return { score: null, weight, detail: 'says nothing about visuals' };
	if (words.length === 0) return { score: null, weight, detail: 'the brand visual style has no content words' };
	const missing = words.filter((w) => !present.includes(w));
	return {
		score: round3(present.length / words.length),
		weight,
		detail: missing.length ? `carries ${present.length}/${words.length} visual-style words; missing: ${missing.slice(0, 6).join(', ')}` : 'carries every visual-style word',
	};
}

function round3(x: number): number {
	return Math.round(x * 1000) / 1000;
}

/**
 * How well a text keeps to the brand, 0..1, with every component explained:
 * - restricted_keywords (hard gate): any hit caps the score at RESTRICTED_KEYWORD_CAP (0.5);
 * - semantic (0.35): mean cosine of the text to its 3 closest retrieved guidelines, mapped through
 *   the embedder's calibration (floor → 0, ceiling → 1);
 * - tone (0.25): `assessTone` — 0.7 baseline, +0.1 per on-tone word (max 3), −0.35 per word of the
 *   contrary tone, −0.3 for shouting;
 * - palette (0.2): share of the colours named that are on the brand palette (hue families, so
 *   "#2D6A4F" counts as green);
 * - visual_style (0.2): share of the brand's visual-style words present.
 * Components with nothing to judge are null and their weight is spread over the others.
 * It is calibrated for briefs and scripts (texts of a few sentences or more), not single hooks.
 */
export async function brandAlignment(input: BrandAlignmentInput): Promise<BrandAlignment> {
	const brand = parseWithDefaults(brandProfileSchema, input.brand, 'brand');
	const guidelines = parseOrThrow(z.array(retrievedGuidelineSchema), input.guidelines, 'guidelines');
	const text = input.text;
	parseOrThrow(z.string().trim().min(1), text, 'text');
	const matcher = input.findRestricted ?? plainRestrictedMatches;
	const calibration = input.calibration ?? SIMILARITY_CALIBRATION[input.embedder.name] ?? SIMILARITY_CALIBRATION.default;

	const hits = matcher(text, brand.restricted_keywords);
	const restricted = {
		score: hits.length ? 0 : 1,
		weight: 0,
		hits,
		detail: hits.length ? `restricted keyword${hits.length > 1 ? 's' : ''} present: ${hits.join(', ')} (caps the score at ${RESTRICTED_KEYWORD_CAP})` : 'no restricted keyword',
	};

	const toneAssessment = assessTone(text, brand.tone);
	const tone: AlignmentComponent = { score: toneAssessment.score, weight: ALIGNMENT_WEIGHTS.tone, detail: toneAssessment.reason };
	const palette = paletteComponent(text, brand.color_palette);
	const visual_style = visualStyleComponent(text, brand.visual_style);

	let semantic: AlignmentComponent & { cosine: number | null };
	if (guidelines.length === 0) {
		semantic = { score: null, weight: ALIGNMENT_WEIGHTS.semantic, cosine: null, detail: 'no guidelines retrieved to compare with' };
	} else {
		const { vectors } = await input.embedder.embed([text, ...guidelines.map((g) => g.content)]);
		const sims = vectors
			.slice(1)
			.map((v) => cosine(vectors[0], v))
			.sort((a, b) => b - a)
			.slice(0, 3);
		const mean = sims.reduce((a, b) => a + b, 0) / sims.length;
		const scaled = Math.max(0, Math.min(1, (mean - calibration.floor) / (calibration.ceiling - calibration.floor)));
		semantic = {
			score: round3(scaled),
			weight: ALIGNMENT_WEIGHTS.semantic,
			cosine: round3(mean),
			detail: `mean cosine ${mean.toFixed(3)} to the ${sims.length} closest guidelines (${input.embedder.name} scale ${calibration.floor}–${calibration.ceiling})`,
		};
	}

	const graded = [semantic, tone, palette, visual_style].filter((c) => c.score !== null);
	const weightSum = graded.reduce((a, c) => a + c.weight, 0);
	let score = weightSum === 0 ? 1 : graded.reduce((a, c) => a + c.weight * (c.score as number), 0) / weightSum;
	if (hits.length) score = Math.min(score, RESTRICTED_KEYWORD_CAP);
	score = round3(score);

	const components = { restricted_keywords: restricted, tone, palette, visual_style, semantic };
	const reasons = Object.entries(components).map(([name, c]) => `${name}: ${c.score === null ? 'n/a' : c.score} — ${c.detail}`);
	return { score, threshold: ALIGNMENT_THRESHOLD, passes: score >= ALIGNMENT_THRESHOLD, components, reasons };
}
