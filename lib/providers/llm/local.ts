/**
 * The `local` LLM: deterministic templates filled from each task's structured context, so the
 * whole pipeline runs offline and with no keys (the demo, the tests, and the fallback when a remote
 * LLM is down — seed 004). It is not a language model and says so (provider "local", model
 * "local-templates-v1"); its output goes through the request's schema like any provider's.
 *
 * Every choice that looks random is a hash of the seed and the inputs: the same context and seed
 * always give the same output; a different seed gives a different but equally valid one.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import { ValidationError } from '../../domain/errors';
import { HOOK_TYPES, VARIANT_TYPES, campaignRequestSchema, creativeBriefSchema, type CreativeBrief, type HookDraft } from '../../domain/schemas';
import {
	brandProfileSchema,
	classifyColours,
	parseWithDefaults,
	competitorAdSchema,
	patternLines,
	retrievedGuidelineSchema,
	trendSignalSchema,
	type RetrievedGuideline,
} from '../../strategy/brief';
import { toHashtag, truncateAtWord, type Caption } from '../../strategy/caption';
import {
	demonstrative,
	detailLine,
	dropRestrictedSentences,
	generic,
	indefinite,
	isClean,
	nounPhrase,
	productFromNotes,
	singularize,
	unitOf,
	withIndefinite,
	type NounPhrase,
	type ProductFacts,
} from '../../strategy/phrases';
import { heuristicRubric, wholeWordPattern } from '../../strategy/rubric';
import { VARIANT_DIRECTION, composeVisualPrompt, fitDurations, sceneStyleFor, type VariantType } from '../../strategy/script';
import { cosine, localEmbedding, tokenize } from '../embeddings/local';
import type { LlmProvider, LlmRequest, LlmResult } from '../types';

type HookType = (typeof HOOK_TYPES)[number];
type Objective = 'awareness' | 'conversion' | 'engagement';

// ---------------------------------------------------------------------------------------------
// Task contexts (what each caller passes in `context`)

const briefContextSchema = z.object({
	request: campaignRequestSchema,
	brand: brandProfileSchema,
	guidelines: z.array(retrievedGuidelineSchema).default([]),
	trends: z.array(trendSignalSchema).default([]),
	competitorAds: z.array(competitorAdSchema).default([]),
});
const hooksContextSchema = z.object({
	brief: creativeBriefSchema,
	count: z.number().int().min(1).max(500),
	round: z.number().int().min(1).default(1),
	avoid: z.array(z.string()).default([]),
	trends: z.array(z.string()).default([]),
	productCategory: z.string().trim().min(1).optional(),
	/** The campaign request's notes (product name, description, details). */
	notes: z.string().max(5000).optional(),
});
const scriptContextSchema = z.object({
	brief: creativeBriefSchema,
	hook: z.object({ text: z.string().trim().min(1), hook_type: z.enum(HOOK_TYPES), quality_score: z.number().min(0).max(1) }),
	variant: z.enum(VARIANT_TYPES),
	brand: brandProfileSchema,
	targetSeconds: z.number().default(30),
	variationsGenerated: z.number().int().min(1).default(1),
	productCategory: z.string().trim().min(1).optional(),
	notes: z.string().max(5000).optional(),
});
const captionContextSchema = z.object({
	platform: z.enum(['tiktok', 'instagram', 'youtube', 'linkedin']),
	brief: creativeBriefSchema.optional(),
	script: z
		.object({ hook: z.object({ text: z.string() }).optional(), voiceover_full_text: z.string().optional(), variant_tag: z.string().optional() })
		.passthrough()
		.optional(),
	maxLength: z.number().int().min(20),
	hashtags: z.array(z.string()).default([]),
});
const rubricContextSchema = z.object({
	text: z.string(),
	brand: z.object({ tone: z.string(), restricted_keywords: z.array(z.string()).default([]) }).passthrough(),
});

// ---------------------------------------------------------------------------------------------
// Small text helpers

function hashNumber(...parts: string[]): number {
	return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0);
}

/** A stable pseudo-random order of `items`, keyed by the seed and each item's key. */
function seededOrder<T>(items: T[], key: (item: T, index: number) => string, ...salt: string[]): T[] {
	return items
		.map((item, i) => ({ item, h: hashNumber(...salt, key(item, i)) }))
		.sort((a, b) => a.h - b.h)
		.map((x) => x.item);
}

function capFirst(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lower-cases the first letter for use mid-sentence, unless the first word looks like a name or acronym. */
function lowerFirst(s: string): string {
	const first = s.split(/\s+/)[0] ?? '';
	return /^[A-Z][a-z'’-]+$/.test(first) && !['Gen', 'I'].includes(first) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

function stripEnd(s: string): string {
	return s.trim().replace(/[\s.,;:!?…]+$/, '');
}

function firstSentence(text: string): string {
	const m = /^(.+?[.!?])(\s|$)/.exec(text.trim());
	return (m ? m[1] : text).trim();
}

function words(text: string): string[] {
	return text.split(/\s+/).filter(Boolean);
}

function clip(text: string, max: number): string {
	return truncateAtWord(text.trim(), max);
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
	const seen = new Set<string>();
	return items.filter((t) => {
		const k = key(t);
		if (seen.has(k)) return false;
		seen.add(k);
		return true;
	});
}

/** Removes restricted keywords from a sentence (the last line of defence; templates avoid them first). */
function stripRestricted(text: string, restricted: string[]): string {
	let out = text;
	for (const k of restricted) if (k.trim()) out = out.replace(wholeWordPattern(k, 'giu'), '');
	// Only spaces and tabs are collapsed: captions keep their line breaks.
	return out
		.replace(/[ \t]{2,}/g, ' ')
		.replace(/[ \t]+([,.;:!?])/g, '$1')
		.trim();
}

/**
 * A deep copy of `value` in which every string that carries a restricted keyword (the Judge's
 * matcher) loses the sentences that carry it; a string that would be left empty loses only the
 * words (the schema needs a value there).
 */
function sanitizeDeep<T>(value: T, restricted: string[]): T {
	if (typeof value === 'string') {
		if (isClean(value, restricted)) return value;
		const kept = dropRestrictedSentences(value, restricted);
		return (kept && isClean(kept, restricted) ? kept : stripRestricted(value, restricted)) as T;
	}
	if (Array.isArray(value)) return value.map((v) => sanitizeDeep(v, restricted)) as T;
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitizeDeep(v, restricted)])) as T;
	return value;
}

/** "Urban millennials aged 25-34 who work from home" → "urban millennials". */
export function shortAudience(demographic: string): string {
	const cleaned = demographic
		.replace(/\([^)]*\)/g, ' ')
		.replace(/\b(aged?|ages)\s*\d{1,2}\s*(?:-|–|to)\s*\d{1,2}\b/gi, ' ')
		.replace(/\b\d{1,2}\s*(?:-|–|to)\s*\d{1,2}\b(\s*(year[- ]olds?|yo))?/gi, ' ')
		.replace(/\b\d{1,2}\+/g, ' ');
	const head = cleaned.split(/[,;]|\s(?:who|that|with|in|looking|interested)\s/i)[0] ?? '';
	const label = words(head).slice(0, 5).join(' ').replace(/[.\s]+$/, '');
	return label ? lowerFirst(label) : 'people like you';
}

/** "busy parents of toddlers" → "busy parent of toddlers"; "urban millennials" → "urban millennial". */
function singular(audience: string): string {
	const [head, ...tail] = audience.split(/\s+of\s+/i);
	const w = words(head);
	if (w.length === 0) return 'person';
	const last = w[w.length - 1];
	if (/people$/i.test(last)) w[w.length - 1] = last.replace(/people$/i, 'person');
	else if (/ies$/i.test(last)) w[w.length - 1] = last.replace(/ies$/i, 'y');
	else if (/[^s]s$/i.test(last)) w[w.length - 1] = last.slice(0, -1);
	return [w.join(' '), ...tail].join(' of ');
}

/** The category's forms the templates use ({g} generic, {o} one of it, {d} this one, {j} as a noun adjunct, {u} what "another" counts). */
interface CategoryForms {
	g: string;
	o: string;
	d: string;
	j: string;
	u: string;
	m: string;
	i: string;
	fits: string;
	/** What there are "too many" of: "insulated hiking jackets", "running shoes", "specialty coffee brands". */
	many: string;
}

function categoryForms(np: NounPhrase): CategoryForms {
	const plural = np.number === 'plural';
	return {
		g: generic(np),
		o: indefinite(np),
		d: demonstrative(np),
		// "running shoe brands", "jacket brands", "coffee brands": a noun used as an adjective is singular.
		j: plural ? np.plural.replace(/(\S+)$/, (w) => singularize(w)) : np.singular,
		u: unitOf(np),
		m: plural ? np.plural : np.singular,
		i: plural ? 'them' : 'it',
		// The verb after "one of it that …": a pair fits, shoes fit, coffee fits.
		fits: plural && !np.pair ? 'fit' : 'fits',
		many: np.number === 'mass' ? `${np.text} brands` : np.plural,
	};
}

/** The product as the copy names it: "the Cloudline" when the notes said so, else the name. */
function productRef(facts: ProductFacts, notes: string | undefined): string | undefined {
	if (!facts.name) return undefined;
	const the = new RegExp(`\\bthe\\s+${facts.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(notes ?? '');
	return the ? `the ${facts.name}` : facts.name;
}

function ageRange(demographic: string): string | undefined {
	const m = /\b(\d{2})\s*(?:-|–|to)\s*(\d{2})\b/.exec(demographic) ?? /\b(\d{2})\+/.exec(demographic);
	return m ? (m[2] ? `${m[1]}-${m[2]}` : `${m[1]}+`) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Creative brief templates

const OBJECTIVES: Record<
	Objective,
	{
		psychographic: (c: CategoryForms) => string;
		pain: (c: CategoryForms) => string;
		benefit: (c: CategoryForms, a: string) => string;
		cta: (brand: string) => string;
		hookStructures: string[];
		variants: Partial<Record<VariantType, number>>;
		why: string;
	}
> = {
	awareness: {
		psychographic: (c) => `Open to discovering a new brand of ${c.g} when it shows up in their feed`,
		pain: (c) => `${capFirst(c.j)} brands that all sound the same`,
		benefit: (c, a) => `${c.o} that actually ${c.fits} ${a}`,
		cta: (b) => `Follow ${b} for more`,
		hookStructures: ['Open on a pattern interrupt in the first second', 'Name the audience in the first line so the right people stop scrolling'],
		variants: { humorous: 2, emotional: 2, educational: 1 },
		why: 'an awareness campaign needs memorable, shareable moments',
	},
	conversion: {
		psychographic: (c) => `Actively comparing ${c.g} and ready to buy the ${c.u === 'one' ? 'one' : c.u} that proves its value`,
		pain: (c) => `The guesswork of choosing ${c.o}`,
		benefit: (c) => `${c.o} worth switching for`,
		cta: (b) => `Shop ${b} today`,
		hookStructures: ['Lead with the pain point, then show the product solving it within 5 seconds', 'Close on a single, explicit call to action'],
		variants: { educational: 2, serious: 2, emotional: 1 },
		why: 'a conversion campaign needs proof and a clear reason to act now',
	},
	engagement: {
		psychographic: (c) => `Likes to comment, share and take part in conversations about ${c.g}`,
		pain: (c) => `${capFirst(c.j)} brands that talk at people instead of with them`,
		benefit: (c) => `${c.o} worth talking about`,
		cta: (b) => `Tell ${b} in the comments which one you are`,
		hookStructures: ['Ask a question viewers answer in the comments', 'Use a relatable "which one are you" framing that invites tags'],
		variants: { humorous: 2, emotional: 2, educational: 1 },
		why: 'an engagement campaign needs prompts people want to answer and share',
	},
};

/** Audience traits recognised in the target demographic. */
const AUDIENCE_TRAITS: Array<{ match: RegExp; psychographic: string; pain: string; variants: Partial<Record<VariantType, number>>; responds: string }> = [
	{
		match: /\b(gen ?z|students?|teens?|college|young adults?)\b/i,
		psychographic: 'Values authenticity and humour; scrolls past anything that feels like an ad',
		pain: 'Ads that feel scripted or fake',
		variants: { humorous: 1 },
		responds: 'respond to humour and authenticity',
	},
	{
		match: /\bmillennials?\b/i,
		psychographic: 'Researches before buying and trusts peer recommendations over brand claims',
		pain: 'Look-alike options and sponsored reviews everywhere',
		variants: { humorous: 1, educational: 1 },
		responds: 'trust peers and like to learn before they buy',
	},
	{
		match: /\b(parents?|moms?|mothers?|dads?|fathers?|famil(?:y|ies))\b/i,
		psychographic: 'Puts family first and looks for things that save time without cutting corners',
		pain: 'Family schedules that leave no time for themselves',
		variants: { emotional: 1 },
		responds: 'respond to stories about the people they care for',
	},
	{
		match: /\b(professionals?|executives?|managers?|b2b|founders?|entrepreneurs?|business owners?|decision[- ]makers?)\b/i,
		psychographic: 'Time-poor and outcome-driven; wants proof before committing',
		pain: 'Back-to-back days with no room to evaluate new options',
		variants: { serious: 1, educational: 1 },
		responds: 'want evidence and a clear outcome',
	},
	{
		match: /\b(athletes?|fitness|gym|runners?|active)\b/i,
		psychographic: 'Motivated by progress and measurable results',
		pain: 'Plateaus that make the effort feel wasted',
		variants: { serious: 1, emotional: 1 },
		responds: 'are driven by progress and personal bests',
	},
	{
		match: /\b(seniors?|retirees?|older adults?|boomers?)\b/i,
		psychographic: 'Loyal once trust is earned; prefers clear, respectful messaging',
		pain: 'Products and ads that were not designed with them in mind',
		variants: { serious: 1, emotional: 1 },
		responds: 'value clarity and respect',
	},
	{
		match: /\b(remote|work from home|wfh|freelancers?)\b/i,
		psychographic: 'Builds their own routines and values small rituals that mark the day',
		pain: 'Days that blur together without a clear start or finish',
		variants: { humorous: 1, emotional: 1 },
		responds: 'relate to the small rituals of working from home',
	},
	{
		match: /\b(urban|city)\b/i,
		psychographic: 'Trend-aware city dwellers who discover brands through social feeds',
		pain: 'Crowded, noisy options competing for limited time',
		variants: { humorous: 1 },
		responds: 'discover brands through entertaining social content',
	},
	{
		match: /\b(eco|sustainab\w*|conscious)\b/i,
		psychographic: 'Weighs the environmental cost of what they buy',
		pain: 'Vague sustainability claims that hide the honest choices',
		variants: { educational: 1, emotional: 1 },
		responds: 'want transparent facts about impact',
	},
	{
		match: /\b(budget|value[- ]seekers?|frugal|thrifty)\b/i,
		psychographic: 'Spends carefully and wants every purchase to earn its place',
		pain: 'Paying more than something is worth',
		variants: { educational: 1 },
		responds: 'want to see the value clearly explained',
	},
];

/** Brand tone descriptors and the variants they favour (or rule out). */
const TONE_VARIANTS: Array<{ match: RegExp; variants: Partial<Record<VariantType, number>> }> = [
	{ match: /\b(playful|witty|fun|humorous|cheeky|quirky|lighthearted)\b/i, variants: { humorous: 1 } },
	{ match: /\b(authoritative|expert|professional|credible|trustworthy|serious|formal)\b/i, variants: { serious: 1, educational: 1 } },
	{ match: /\b(warm|caring|empathetic|heartfelt|kind|compassionate)\b/i, variants: { emotional: 1 } },
	{ match: /\b(calm|serene|mindful|gentle)\b/i, variants: { emotional: 1, educational: 1 } },
	{ match: /\b(informative|educational|helpful|clear)\b/i, variants: { educational: 1 } },
];

const EXPECTED_RESPONSE: Record<VariantType, string> = {
	humorous: 'Laughs, shares and tags friends; watches to the end for the punchline',
	serious: 'Trusts the claim and remembers the brand when ready to decide',
	emotional: 'Feels seen; saves the video, comments with their own story and remembers the brand',
	educational: 'Learns something useful, saves the video and clicks through for details',
};

const AUDIO_TOPIC = /\b(sound|audio|song|track|remix|beat|music|soundtrack)\b/i;

function guidelinesOf(guidelines: RetrievedGuideline[], category: RegExp): RetrievedGuideline[] {
	return [...guidelines].filter((g) => category.test(g.category ?? '')).sort((a, b) => (b.similarity ?? 0) - (a.similarity ?? 0));
}

/** A cue that the quoted terms after it are banned ("do not use", "never", "not", "instead of"). */
const BAN_CUE = /\b(?:(?:do not|don't|never|avoid)(?:\s+(?:use|say|write|call\s+(?:it|them)))?|not|no|instead of|rather than|ban(?:ned)?|forbid(?:den)?|prohibit(?:ed)?)\b/gi;
/** A cue that the quoted terms after it are the words to use ("say", "use", "prefer"). */
const USE_CUE = /\b(?:say|use|write|prefer|choose|call\s+(?:it|them))\b/gi;

/**
 * The terms a restriction guideline bans ("Never call it 'cheap'" → cheap), not the ones it
 * recommends: in 'Say "light" or "springy", not "fastest"' only "fastest" is banned. Within a
 * sentence a quoted term is banned unless the nearest cue before it says to use it (a term with no
 * cue before it is banned, as in '"Cheap" is off limits').
 */
export function quotedTerms(text: string): string[] {
	const out: string[] = [];
	// Sentences (a hard-wrapped line break is not an end; a blank line is).
	for (const sentence of text.split(/(?<=[.!?;])\s+|\n\s*\n/)) {
		const cues = [
			...[...sentence.matchAll(BAN_CUE)].map((m) => ({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, ban: true })),
			...[...sentence.matchAll(USE_CUE)].map((m) => ({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, ban: false })),
		]
			// "do not use" is one ban cue: a use cue inside a ban cue does not count.
			.filter((c, _, all) => c.ban || !all.some((b) => b.ban && b.at <= c.at && c.end <= b.end))
			.sort((a, b) => a.at - b.at);
		// A quote opens after a non-letter and closes before one (the apostrophe of "don't" is no quote).
		for (const m of sentence.matchAll(/(?<![\p{L}\d])["“'‘]([^"”'’]{2,40})["”'’](?![\p{L}\d])/gu)) {
			const before = cues.filter((c) => c.end <= (m.index ?? 0)).pop();
			if (!before || before.ban) out.push(m[1].trim());
		}
	}
	return out.filter(Boolean);
}

function buildCreativeBrief(ctx: z.infer<typeof briefContextSchema>): CreativeBrief {
	const { request, brand, guidelines } = ctx;
	const objective = OBJECTIVES[request.campaign_objective];
	const category = request.product_category.trim();
	const forms = categoryForms(nounPhrase(category));
	const audience = shortAudience(request.target_demographic);
	const restrictionGuidelines = guidelinesOf(guidelines, /restrict|forbid|avoid|legal|compliance|banned/i);
	const restricted = uniqueBy(
		[...brand.restricted_keywords, ...restrictionGuidelines.flatMap((g) => quotedTerms(g.content))].map((k) => k.trim()).filter(Boolean),
		(k) => k.toLowerCase(),
	);
	const clean = (s: string) => isClean(s, restricted);
	const facts = productFromNotes(request.notes, { brandName: brand.brand_name, restricted });
	const product = productRef(facts, request.notes);
	// Only sentences that name no off-palette colour may carry over into the brief.
	const onBrand = (s: string) => clean(s) && classifyColours(s, brand.color_palette).offPalette.length === 0;
	const traits = AUDIENCE_TRAITS.filter((t) => t.match.test(request.target_demographic));

	const audienceGuidelines = guidelinesOf(guidelines, /audience|persona|customer/i).map((g) => firstSentence(g.content)).filter(onBrand);
	const psychographics = uniqueBy(
		[
			objective.psychographic(forms),
			...traits.slice(0, 2).map((t) => t.psychographic),
			`Responds to a ${stripEnd(brand.tone)} voice more than to hard selling`,
			...audienceGuidelines.slice(0, 2),
		].map((s) => clip(s, 300)),
		(s) => s.toLowerCase(),
	);
	const painPoints = uniqueBy(
		[
			...traits.slice(0, 1).map((t) => t.pain),
			`Too many ${forms.many} that all promise the same thing`,
			objective.pain(forms),
			`Hours of research into which ${forms.m} ${forms.i === 'them' ? 'are' : 'is'} worth it`,
		].map((s) => clip(s, 300)),
		(s) => s.toLowerCase(),
	);

	const messaging = guidelinesOf(guidelines, /messag|value|product|position|claim|promise/i)
		.map((g) => firstSentence(g.content))
		.find(onBrand);
	// With a product named in the notes, the value proposition names it ("the Cloudline, a light
	// and springy daily trainer") and the notes' first clean detail follows.
	const benefit = product ? `${product}, ${facts.description ?? forms.o}` : objective.benefit(forms, audience);
	const detail = facts.details.find((d) => d.length <= 160 && onBrand(d));
	// Grounded on the brand book: its voice line follows when no messaging guideline or detail does.
	const voice = guidelinesOf(guidelines, /tone|voice/i).map((g) => firstSentence(g.content)).find(onBrand);
	const grounding = messaging ?? (detail ? detailLine(detail) : voice);
	const valueProposition = clip(`${brand.brand_name}: ${benefit}.${grounding ? ` ${grounding}` : ''}`, 500);
	const made = product ? product : `the ${forms.m}`;
	const primaryHook =
		request.campaign_objective === 'conversion'
			? `${capFirst(stripEnd(painPoints[0]))}? ${product ? `Meet ${product}.` : 'There is a better way.'}`
			: request.campaign_objective === 'engagement'
				? `Which kind of ${forms.j} person are you?`
				: `Meet ${made}${product && facts.description ? `, ${facts.description}` : ''}, made for ${audience}.`;

	const trendsByEngagement = [...ctx.trends]
		.filter((t) => clean(t.topic))
		.sort((a, b) => (Number(b.engagement_score) || 0) - (Number(a.engagement_score) || 0) || a.topic.localeCompare(b.topic));
	const trendingTopics = uniqueBy(trendsByEngagement.map((t) => clip(t.topic, 200)), (t) => t.toLowerCase()).slice(0, 5);
	const audioTrends = trendsByEngagement.filter((t) => AUDIO_TOPIC.test(t.topic)).map((t) => clip(t.topic, 200));
	const trendingAudio = audioTrends.length
		? audioTrends.slice(0, 3)
		: [`No trending audio in the trend data; use an original music bed that fits the ${stripEnd(brand.tone)} tone`.slice(0, 200)];

	const competitors = ctx.competitorAds.map((ad) => ({ name: ad.competitor_name, patterns: patternLines(ad.patterns).filter(clean).slice(0, 6) }));
	// Patterns recur across competitors when their gist matches ("hook structure: question opener"
	// and "question opener" are the same pattern), so they are counted by the text after any label.
	const gist = (p: string) => p.slice(p.lastIndexOf(': ') + 1).trim().toLowerCase();
	const patternCount = new Map<string, { text: string; n: number }>();
	for (const c of competitors) {
		for (const g of new Set(c.patterns.map(gist))) {
			const e = patternCount.get(g) ?? { text: c.patterns.find((x) => gist(x) === g) as string, n: 0 };
			e.n += 1;
			patternCount.set(g, e);
		}
	}
	const recurring = [...patternCount.values()].sort((a, b) => b.n - a.n || a.text.localeCompare(b.text));
	const competitorAnalysis: Record<string, unknown> = competitors.length
		? {
				competitors,
				recurring_patterns: recurring.filter((r) => r.n > 1).map((r) => r.text),
				differentiation: `Where competitors lean on ${recurring[0]?.text ?? 'generic claims'}, ${brand.brand_name} leads with its ${stripEnd(brand.tone)} voice and ${stripEnd(brand.visual_style)} look`,
			}
		: { competitors: [], note: 'no competitor ads supplied' };
	const viralPatterns = uniqueBy(
		[
			...recurring.slice(0, 3).map((r) => `Competitors use: ${r.text}`),
			...objective.hookStructures,
			...(trendingTopics[0] ? [`Tie the hook to "${trendingTopics[0]}" while it is trending`] : []),
		].map((s) => clip(s, 300)),
		(s) => s.toLowerCase(),
	);

	const toneGuideline = guidelinesOf(guidelines, /tone|voice/i)
		.map((g) => firstSentence(g.content))
		.find(onBrand);
	const visualGuideline = guidelinesOf(guidelines, /visual|style|aesthetic|design|colou?r|imagery/i)
		.map((g) => firstSentence(g.content))
		.find(onBrand);

	const variantScores = new Map<VariantType, { score: number; reasons: string[] }>(VARIANT_TYPES.map((v) => [v, { score: 0, reasons: [] as string[] }]));
	for (const [v, n] of Object.entries(objective.variants) as Array<[VariantType, number]>) {
		const e = variantScores.get(v) as { score: number; reasons: string[] };
		e.score += n;
		e.reasons.push(objective.why);
	}
	for (const t of traits) {
		for (const [v, n] of Object.entries(t.variants) as Array<[VariantType, number]>) {
			const e = variantScores.get(v) as { score: number; reasons: string[] };
			e.score += n;
			e.reasons.push(`${audience} ${t.responds}`);
		}
	}
	for (const t of TONE_VARIANTS) {
		const m = t.match.exec(brand.tone);
		if (!m) continue;
		for (const [v, n] of Object.entries(t.variants) as Array<[VariantType, number]>) {
			const e = variantScores.get(v) as { score: number; reasons: string[] };
			e.score += n;
			e.reasons.push(`fits the brand's ${m[1].toLowerCase()} tone`);
		}
	}
	if (/\b(serious|formal|authoritative|solemn)\b/i.test(brand.tone) && !/\b(playful|witty|fun|humorous|cheeky)\b/i.test(brand.tone)) {
		const e = variantScores.get('humorous') as { score: number; reasons: string[] };
		e.score -= 2;
	}
	const ranked = VARIANT_TYPES.map((v) => ({ v, ...(variantScores.get(v) as { score: number; reasons: string[] }) })).sort(
		(a, b) => b.score - a.score || VARIANT_TYPES.indexOf(a.v) - VARIANT_TYPES.indexOf(b.v),
	);
	const chosen = ranked.filter((r, i) => i < 2 || r.score >= 2).slice(0, 4);
	const variantSuggestions = chosen.map((r) => ({
		variant_type: r.v,
		rationale: clip(
			`For ${/^[aeiou]/i.test(request.campaign_objective) ? 'an' : 'a'} ${request.campaign_objective} campaign aimed at ${request.target_demographic}: ${uniqueBy(r.reasons, (x) => x).join('; ') || `a contrast variant to test against the ${ranked[0].v} lead`}.`,
			1000,
		),
		expected_audience_response: EXPECTED_RESPONSE[r.v],
	}));

	const demographics: Record<string, unknown> = {
		description: request.target_demographic,
		audience_label: audience,
		segments: request.target_demographic
			.split(/,|;|\band\b/)
			.map((s) => s.trim())
			.filter(Boolean)
			.slice(0, 5),
		interests: [category],
	};
	const age = ageRange(request.target_demographic);
	if (age) demographics.age_range = age;

	const brief: CreativeBrief = {
		target_audience: { demographics, psychographics, pain_points: painPoints },
		core_message: { primary_hook: clip(primaryHook, 300), value_proposition: valueProposition, call_to_action: clip(objective.cta(brand.brand_name), 200) },
		trending_insights: {
			trending_topics: trendingTopics,
			trending_audio: trendingAudio,
			competitor_analysis: competitorAnalysis,
			viral_patterns: viralPatterns,
		},
		brand_guidelines_ref: {
			tone: clip(toneGuideline ? `${stripEnd(brand.tone)}. ${toneGuideline}` : brand.tone, 500),
			color_palette: [...brand.color_palette],
			restricted_keywords: restricted.map((k) => k.slice(0, 100)),
			visual_style: clip(visualGuideline ? `${stripEnd(brand.visual_style)}. ${visualGuideline}` : brand.visual_style, 500),
		},
		variant_suggestions: variantSuggestions,
		approval_status: 'pending',
	};
	// Last line of defence: a restricted word that came in through the request itself is removed
	// everywhere except the list that names it.
	const restrictedList = brief.brand_guidelines_ref.restricted_keywords;
	const sanitized = sanitizeDeep(brief, restricted);
	sanitized.brand_guidelines_ref.restricted_keywords = restrictedList;
	return sanitized;
}

// ---------------------------------------------------------------------------------------------
// Hook templates: 4 types × 13–17 families. Slots (upper case = capitalised):
//   {p} pain point   {v} benefit   {a} audience   {t} trending topic
//   {g} the category as a topic ("insulated hiking jackets", "running shoes", "specialty coffee")
//   {o} one of it ("an insulated hiking jacket", "a pair of running shoes")
//   {d} this one ("this insulated hiking jacket", "these running shoes")
//   {j} the category as an adjective ("running shoe", "insulated hiking jacket")
//   {u} what "another" counts ("one", "pair")   {m} my/your one(s)   {i} it / them
//   {n} the product's name from the notes ("the Cloudline")   {e} its description
// A template whose slot has no value (no trend, no product name) is not used.

const HOOK_TEMPLATES: ReadonlyArray<{ type: HookType; text: string }> = [
	{ type: 'question', text: 'Still putting up with {p}?' },
	{ type: 'question', text: '{P}: what is it really costing you?' },
	{ type: 'question', text: "Tired of {p}? You're not alone." },
	{ type: 'question', text: 'Why is everyone on {t} suddenly in love with {g}?' },
	{ type: 'question', text: "What do {a} know about {g} that you don't?" },
	{ type: 'question', text: 'Could {v} be the easiest upgrade you make this year?' },
	{ type: 'question', text: "Tired of {p}? Here's why {a} are switching." },
	{ type: 'question', text: 'Why does everyone on {t} love {d}?' },
	{ type: 'question', text: 'Why do so many {a} get {g} wrong?' },
	{ type: 'question', text: 'What if the problem was never you, but {p}?' },
	{ type: 'question', text: 'Have you tried the {t} take on {g} yet?' },
	{ type: 'question', text: 'What would you do with {v}?' },
	{ type: 'question', text: 'Which one are you: still stuck with {p}, or done with it?' },
	{ type: 'question', text: 'Why does nobody talk about {p}?' },
	{ type: 'question', text: 'Want {v} without the guesswork?' },
	{ type: 'question', text: 'Have you met {n} yet?' },
	{ type: 'question', text: 'What makes {n} different? Give it five seconds.' },
	{ type: 'statement', text: 'Nobody tells {a} this about {g}.' },
	{ type: 'statement', text: '{V}. No catch.' },
	{ type: 'statement', text: 'The {j} rule {a} wish they knew sooner.' },
	{ type: 'statement', text: '{T} got one thing wrong about {g}.' },
	{ type: 'statement', text: "You don't need more {g}. You need {v}." },
	{ type: 'statement', text: 'This is your sign to stop putting up with {p}.' },
	{ type: 'statement', text: "Here's the truth about {p}." },
	{ type: 'statement', text: 'Three seconds is all it takes to see why {a} love {d}.' },
	{ type: 'statement', text: "{A}: this one's for you." },
	{ type: 'statement', text: 'Forget everything you know about {g}.' },
	{ type: 'statement', text: '{O}, finally made for {a}.' },
	{ type: 'statement', text: '{P}? Consider it solved.' },
	{ type: 'statement', text: "Finally, {v}. You'll wonder why nobody told you sooner." },
	{ type: 'statement', text: 'Meet {n}: {e}.' },
	{ type: 'statement', text: '{N} is here, and it was made for {a}.' },
	{ type: 'visual_shock', text: 'Watch {p} disappear in three seconds.' },
	{ type: 'visual_shock', text: 'This is what {p} actually looks like.' },
	{ type: 'visual_shock', text: 'Split screen: {p} vs {v}.' },
	{ type: 'visual_shock', text: 'One frame. {V}.' },
	{ type: 'visual_shock', text: '{T}, but make it {g}.' },
	{ type: 'visual_shock', text: 'We put {d} under a macro lens. Look closer.' },
	{ type: 'visual_shock', text: 'Freeze frame: this is the moment {a} stop scrolling.' },
	{ type: 'visual_shock', text: 'Stop. Look at {d} before you buy another {u}.' },
	{ type: 'visual_shock', text: 'Zoom in: {p}, exposed.' },
	{ type: 'visual_shock', text: 'Plot twist on {t}: {v}.' },
	{ type: 'visual_shock', text: 'Wait for it: {v}.' },
	{ type: 'visual_shock', text: 'Before and after {d}: the difference is not subtle.' },
	{ type: 'visual_shock', text: 'Three seconds with {n}. Watch closely.' },
	{ type: 'story', text: 'Last month, a customer told us about {p}.' },
	{ type: 'story', text: 'I almost gave up on {g} until I found {v}.' },
	{ type: 'story', text: 'Day 1 of trying {g} the {t} way.' },
	{ type: 'story', text: 'The day {p} stopped being my problem.' },
	{ type: 'story', text: 'My friend laughed at my {m}. Then she tried {i}.' },
	{ type: 'story', text: '{A} asked us one question. This is our answer.' },
	{ type: 'story', text: 'We built {d} after years of {p}.' },
	{ type: 'story', text: "Three weeks ago I was stuck with {p}. Here's what changed." },
	{ type: 'story', text: 'I was the last of my friends to try {v}. Big mistake.' },
	{ type: 'story', text: 'Story time: how {t} changed the way I see {g}.' },
	{ type: 'story', text: 'Our first customer said one thing about {d} we never forgot.' },
	{ type: 'story', text: 'This started with {p}. It ended with {v}.' },
	{ type: 'story', text: 'We made {n} for {a}. Here is the first morning with it.' },
];

/** Openers that give a template a second wording once every plain wording is used. */
const HOOK_OPENERS = ['POV: ', 'Real talk: ', 'Quick one: ', 'Hot take: ', 'Be honest: ', 'Okay, listen: ', 'Heads up: ', 'True story: '];

/** Hooks longer than this stop being hooks (about 4 seconds of voiceover). */
const MAX_HOOK_CHARS = 150;

/** The benefit phrase of a value proposition: after "Brand:" if present, first clause, at most 10 words. */
function shortBenefit(valueProposition: string): string {
	const afterColon = valueProposition.includes(':') ? valueProposition.slice(valueProposition.indexOf(':') + 1) : valueProposition;
	const clause = afterColon.split(/[.;!?]|\s[—–-]\s/)[0] ?? afterColon;
	return stripEnd(words(clause).slice(0, 10).join(' '));
}

const SLOT = /\{([A-Za-z])\}/g;

/** Fills a template's slots; an upper-case slot is capitalised, a lower-case pain or benefit lower-cased. */
function fill(template: string, slots: Record<string, string>): string {
	return template.replace(SLOT, (_m, k: string) => {
		const lower = k.toLowerCase();
		const value = slots[lower] ?? '';
		if (k !== lower) return capFirst(value);
		return lower === 'p' || lower === 'v' || lower === 'e' ? lowerFirst(value) : value;
	});
}

function buildHooks(ctx: z.infer<typeof hooksContextSchema>, seed: string): HookDraft[] {
	const { brief, count, round } = ctx;
	const restricted = brief.brand_guidelines_ref.restricted_keywords;
	const demographics = brief.target_audience.demographics;
	const interests = Array.isArray(demographics.interests) ? demographics.interests.filter((x): x is string => typeof x === 'string') : [];
	const category = stripEnd(ctx.productCategory ?? interests[0] ?? 'this');
	const audience =
		typeof demographics.audience_label === 'string'
			? demographics.audience_label
			: typeof demographics.description === 'string'
				? shortAudience(demographics.description)
				: 'people like you';
	const pains = brief.target_audience.pain_points
		.map((p) => stripEnd(p.length <= 90 ? p : words(p).slice(0, 12).join(' ')))
		.filter(Boolean)
		.slice(0, 4);
	const forms = categoryForms(nounPhrase(category));
	const vp = brief.core_message.value_proposition;
	const facts = productFromNotes(ctx.notes, { brandName: vp.includes(':') ? vp.slice(0, vp.indexOf(':')) : undefined, restricted });
	const product = productRef(facts, ctx.notes);
	// A product named in the notes is the benefit, by name and by what it is (never both in one
	// phrase: an appositive in the middle of a hook reads badly).
	const benefits = uniqueBy(
		[...(product ? [product, facts.description ?? ''] : [shortBenefit(vp)]), `${forms.o} that ${forms.fits} your day`].filter(Boolean),
		(b) => b.toLowerCase(),
	);
	const trends = uniqueBy([...ctx.trends, ...brief.trending_insights.trending_topics].map(stripEnd).filter(Boolean), (t) => t.toLowerCase()).slice(0, 5);
	// A "who …" clause of the demographic names the audience a second way ("people who work from home").
	const who = typeof demographics.description === 'string' ? /\bwho\s+([^,;.]+)/i.exec(demographics.description) : null;
	const audiences = uniqueBy([audience, ...(who ? [`people who ${words(who[1]).slice(0, 6).join(' ')}`] : [])], (a) => a.toLowerCase());
	const slotValues: Record<string, string[]> = {
		p: pains,
		v: benefits,
		a: audiences,
		t: trends,
		g: [forms.g],
		o: [forms.o],
		d: [forms.d],
		j: [forms.j],
		u: [forms.u],
		m: [forms.m],
		i: [forms.i],
		n: product ? [product] : [],
		e: product && facts.description ? [facts.description] : [],
	};

	// Every template's fillings, each template's in a seeded order; templates interleaved by type
	// (question, statement, visual shock, story, …) in an order that changes with the round.
	const byType = HOOK_TYPES.map((type) =>
		seededOrder(
			HOOK_TEMPLATES.filter((t) => t.type === type),
			(t) => t.text,
			seed,
			'hook-template',
			String(round),
		),
	);
	const longest = Math.max(...byType.map((list) => list.length));
	const templates = Array.from({ length: longest }, (_, i) => byType.map((list) => list[i]).filter(Boolean)).flat();
	const fillings = templates.map((t) => {
		const used = [...new Set([...t.text.matchAll(SLOT)].map((m) => m[1].toLowerCase()))];
		if (used.some((k) => !slotValues[k]?.length)) return [];
		let combos: Array<Record<string, string>> = [{}];
		for (const k of used) combos = combos.flatMap((c) => slotValues[k].map((v) => ({ ...c, [k]: v })));
		const texts = combos.map((c) => fill(t.text, c)).filter((x) => x.length <= MAX_HOOK_CHARS);
		return seededOrder(texts, (x) => x, seed, 'hook-filling').map((text) => ({ text, hook_type: t.type }));
	});

	const avoidKeys = new Set(ctx.avoid.map((a) => tokenize(a).join(' ')));
	const reference = ctx.avoid.map(localEmbedding);
	const chosen: HookDraft[] = [];
	const chosenKeys = new Set<string>();
	const tryAdd = (draft: HookDraft, maxCosine: number): boolean => {
		const key = tokenize(draft.text).join(' ');
		if (avoidKeys.has(key) || chosenKeys.has(key) || !isClean(draft.text, restricted)) return false;
		const v = localEmbedding(draft.text);
		if (maxCosine < 1 && reference.some((r) => cosine(r, v) >= maxCosine)) return false;
		chosen.push(draft);
		chosenKeys.add(key);
		reference.push(v);
		return true;
	};
	const depth = Math.max(0, ...fillings.map((f) => f.length));
	// Passes: first keep hooks clearly apart (cosine < 0.8 to all others), then allow closer ones
	// (still under the 0.88 at which hook generation drops near-duplicates), then the same wordings
	// with an opener, then anything not already said.
	const passes: Array<{ maxCosine: number; opener: boolean }> = [
		{ maxCosine: 0.8, opener: false },
		{ maxCosine: 0.85, opener: false },
		{ maxCosine: 0.85, opener: true },
		{ maxCosine: 1, opener: true },
	];
	for (const pass of passes) {
		const openers = pass.opener ? seededOrder(HOOK_OPENERS, (o) => o, seed, 'opener', String(round)) : [''];
		for (const opener of openers) {
			for (let k = 0; k < depth && chosen.length < count; k++) {
				for (const list of fillings) {
					if (chosen.length >= count) break;
					const draft = list[k];
					if (!draft) continue;
					const text = opener ? `${opener}${draft.text}` : draft.text;
					if (text.length <= 200) tryAdd({ text, hook_type: draft.hook_type }, pass.maxCosine);
				}
			}
			if (chosen.length >= count) return chosen;
		}
	}
	throw new ValidationError(
		`the local hook templates give only ${chosen.length} hooks not already generated for this brief; ask for fewer (count ${count})`,
		'count',
		{ produced: chosen.length },
	);
}

// ---------------------------------------------------------------------------------------------
// Script templates

function voiceLine(variant: VariantType, beat: string, s: Record<string, string>): string {
	const lines: Record<string, Record<VariantType, string>> = {
		problem: {
			humorous: `We've all been there: ${s.p}. Again.`,
			serious: `${s.P}. It adds up.`,
			emotional: `We know how it feels: ${s.p}.`,
			educational: `Here's the problem: ${s.p}.`,
		},
		solution: {
			humorous: `Enter ${s.brand}. ${s.V}. Yes, really.`,
			serious: `${s.brand} offers ${s.v}.`,
			emotional: `${s.brand} was made for moments like this: ${s.v}.`,
			educational: `The fix: ${s.v}.`,
		},
		audience: {
			humorous: `Made for ${s.a}. Yes, even on Mondays.`,
			serious: `Built for ${s.a}.`,
			emotional: `For ${s.a}, and the moments that matter.`,
			educational: `Who it's for: ${s.a}.`,
		},
		trend: {
			humorous: `It's the ${s.t} upgrade nobody saw coming.`,
			serious: `There's a reason ${s.t} is paying attention.`,
			emotional: `Your own ${s.t} moment, made better.`,
			educational: `Why it matters for ${s.t}: ${s.v}.`,
		},
		pain2: {
			humorous: `${s.P2}? Handled. You're welcome.`,
			serious: `${s.P2}? Solved.`,
			emotional: `${s.P2}? Not anymore.`,
			educational: `Also solved: ${s.p2}.`,
		},
		detail: s.detail
			? /^Made for /.test(s.detail)
				? { humorous: `${s.detail} Obviously.`, serious: s.detail, emotional: s.detail, educational: s.detail }
				: {
						humorous: `${s.detail} Yes, we checked.`,
						serious: s.detail,
						emotional: `${s.detail} Small things matter.`,
						educational: `Good to know: ${lowerFirst(s.detail)}`,
					}
			: {
					humorous: 'Look at it. Just look at it.',
					serious: 'Every detail is deliberate.',
					emotional: 'Every detail, made with care.',
					educational: 'Step by step, it just works.',
				},
		cta: {
			humorous: `${s.cta}. Your future self says thanks.`,
			serious: `${s.cta}.`,
			emotional: `${s.cta}. You deserve it.`,
			educational: `${s.cta}.`,
		},
	};
	return tidy(lines[beat][variant]);
}

/** "Enter Stride Running Co.." → "Enter Stride Running Co.": a name that ends in a period ends the sentence too. */
function tidy(line: string): string {
	return line.replace(/([^.])\.\.(?=\s|$)/g, '$1.').replace(/\s{2,}/g, ' ');
}

function sceneSubject(beat: string, hookType: HookType, s: Record<string, string>): string {
	switch (beat) {
		case 'hook':
			return {
				visual_shock: `Extreme close-up that snaps into focus on ${s.brand} ${s.c}, an arresting first frame that illustrates "${s.hook}"`,
				question: `${capFirst(s.member)} pauses mid-scroll and looks straight into the lens, as if asking "${s.hook}"`,
				story: `Intimate handheld moment: ${s.member} starts telling their story in a lived-in home, words "${s.hook}" as subtitles`,
				statement: `Bold typographic title card reading "${s.hook}" over a striking shot of ${s.brand} ${s.c}`,
			}[hookType];
		case 'problem':
			return `${capFirst(s.member)} in an everyday setting, visibly frustrated by ${s.p}`;
		case 'solution':
			return `Hero product shot: ${s.brand} ${s.c} revealed on a clean surface, the moment of relief on the face of ${s.member}`;
		case 'audience':
			return `${capFirst(s.member)} enjoying ${s.brand} ${s.c} as part of their daily routine`;
		case 'trend':
			return `A scene that nods to the ${s.t} trend, featuring ${s.brand} ${s.c} in the centre of the action`;
		case 'pain2':
			return `Before-and-after split screen: ${s.p2} on one side, ${s.brand} ${s.c} on the other`;
		case 'detail':
			return `Macro detail shots of ${s.brand} ${s.c}: textures, craftsmanship and hands using it`;
		default:
			return `End card: ${s.brand} ${s.c} centred in frame with the call to action "${s.cta}" as on-screen text`;
	}
}

function buildScript(ctx: z.infer<typeof scriptContextSchema>): Record<string, unknown> {
	const { brief, hook, variant, brand } = ctx;
	const restricted = uniqueBy([...brand.restricted_keywords, ...brief.brand_guidelines_ref.restricted_keywords], (k) => k.toLowerCase());
	const total = Math.max(15, Math.min(60, Math.round(ctx.targetSeconds)));
	const n = Math.max(3, Math.ceil(total / 5));
	const durations = fitDurations(new Array<number>(n).fill(total / n), total);
	const direction = VARIANT_DIRECTION[variant];
	const style = sceneStyleFor(brand.visual_style);
	const demographics = brief.target_audience.demographics;
	const interests = Array.isArray(demographics.interests) ? demographics.interests.filter((x): x is string => typeof x === 'string') : [];
	const audience = typeof demographics.audience_label === 'string' ? demographics.audience_label : shortAudience(String(demographics.description ?? 'people like you'));
	const pains = brief.target_audience.pain_points.map(stripEnd);
	const benefit = shortBenefit(brief.core_message.value_proposition);
	const trend = brief.trending_insights.trending_topics[0]?.replace(/^#/, '');
	const facts = productFromNotes(ctx.notes, { brandName: brand.brand_name, restricted });
	const product = productRef(facts, ctx.notes);
	const details = facts.details
		.map((d) => detailLine(d, capFirst(product ?? 'It')))
		.filter((d) => d && d.length <= 160 && isClean(d, restricted));
	const slots: Record<string, string> = {
		brand: brand.brand_name,
		c: stripEnd(ctx.productCategory ?? interests[0] ?? 'product'),
		a: audience,
		member: withIndefinite(singular(audience)),
		p: lowerFirst(pains[0] ?? 'the usual compromises'),
		P: capFirst(pains[0] ?? 'The usual compromises'),
		p2: lowerFirst(pains[1] ?? pains[0] ?? 'the usual compromises'),
		P2: capFirst(pains[1] ?? pains[0] ?? 'The usual compromises'),
		v: lowerFirst(benefit),
		V: capFirst(benefit),
		t: trend ?? '',
		cta: stripEnd(brief.core_message.call_to_action),
		hook: hook.text,
	};
	// The story arc: hook, problem, solution, then as many middle beats as the length allows (the
	// notes' details first), then the CTA.
	const middle = [...details.slice(0, 2).map((_, k) => `detail:${k}`), 'audience', ...(trend ? ['trend'] : []), 'pain2', 'detail'];
	const beats = ['hook', 'problem', 'solution'].slice(0, n - 1);
	for (let i = 0; beats.length < n - 1; i++) beats.push(middle[i % middle.length]);
	beats.push('cta');

	const scenes = beats.map((beatName, i) => {
		const camera = direction.cameras[i % direction.cameras.length];
		const [beat, k] = beatName.split(':');
		const lineSlots = k === undefined ? slots : { ...slots, detail: details[Number(k)] };
		const voiceover = beat === 'hook' ? hook.text : voiceLine(variant, beat, lineSlots);
		return {
			sequence: i + 1,
			duration_seconds: durations[i],
			visual_prompt: composeVisualPrompt({ subject: sceneSubject(beat, hook.hook_type, slots), brand, style, camera, lighting: direction.lighting, mood: direction.mood }),
			// The Judge's check on every line: a sentence with a restricted word goes whole.
			voiceover_text: dropRestrictedSentences(voiceover, restricted).slice(0, 1000),
			visual_cues: { style, color_palette: [...brand.color_palette], camera_movement: camera, lighting: direction.lighting },
			audio_cues: {
				music_style: direction.music_style,
				sfx: i === 0 ? [direction.sfx[0]] : i === n - 1 ? [direction.sfx[direction.sfx.length - 1]] : [],
				voice_tone: direction.voice_tone,
			},
			speaker: 'Narrator',
		};
	});
	return {
		hook: { text: hook.text, hook_type: hook.hook_type },
		scenes,
		voiceover_full_text: scenes.map((s) => s.voiceover_text).join(' '),
		total_duration_seconds: durations.reduce((a, b) => a + b, 0),
		variant_tag: variant,
	};
}

// ---------------------------------------------------------------------------------------------
// Captions

const PLATFORM_TAGS: Record<string, string[]> = { youtube: ['#shorts'], instagram: ['#reels'], tiktok: [], linkedin: [] };
const MAX_TAGS: Record<string, number> = { youtube: 3, instagram: 5, tiktok: 5, linkedin: 3 };

function buildCaption(ctx: z.infer<typeof captionContextSchema>): Caption {
	const { platform, brief, script, maxLength } = ctx;
	const restricted = brief?.brand_guidelines_ref.restricted_keywords ?? [];
	const hookLine = script?.hook?.text ?? brief?.core_message.primary_hook;
	const value = brief?.core_message.value_proposition;
	const cta = brief?.core_message.call_to_action;
	if (!hookLine && !value && !script?.voiceover_full_text) {
		throw new ValidationError('context: a caption needs a brief or a script to work from', 'context.brief');
	}
	const isTitle = platform === 'youtube' && maxLength <= 100;
	const lines = isTitle
		? [hookLine ?? firstSentence(script?.voiceover_full_text ?? '')]
		: platform === 'tiktok'
			? [hookLine, cta ? `${stripEnd(cta)}.` : undefined]
			: [hookLine, value, cta ? `${stripEnd(cta)}.` : undefined];
	const text = dropRestrictedSentences(lines.filter((l): l is string => !!l && l.trim() !== '').join('\n\n'), restricted);
	const interests = brief && Array.isArray(brief.target_audience.demographics.interests) ? brief.target_audience.demographics.interests.filter((x): x is string => typeof x === 'string') : [];
	// The caller's tags first, then the platform's, the category, then trends by engagement.
	const candidates = [...ctx.hashtags, ...(PLATFORM_TAGS[platform] ?? []), ...interests, ...(brief?.trending_insights.trending_topics ?? [])];
	const tags = uniqueBy(
		candidates
			.filter((t) => isClean(t, restricted))
			.map(toHashtag)
			.filter((t): t is string => t !== null),
		(t) => t,
	).slice(0, isTitle ? 1 : MAX_TAGS[platform]);
	const caption = clip(text, maxLength);
	// Tags go after a blank line; drop from the end until caption + tags fit the platform limit.
	while (tags.length && `${caption}\n\n${tags.join(' ')}`.length > maxLength) tags.pop();
	return { caption, hashtags: tags };
}

// ---------------------------------------------------------------------------------------------

export interface LocalLlmOptions {
	/** Varies every template choice deterministically; the same seed always gives the same output. */
	seed?: string;
}

export class LocalLlmProvider implements LlmProvider {
	readonly name = 'local';
	readonly model = 'local-templates-v1';
	private readonly seed: string;

	constructor(options: LocalLlmOptions = {}) {
		this.seed = options.seed ?? 'brand-infinity';
	}

	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		let raw: unknown;
		switch (req.task) {
			case 'creative_brief':
				raw = buildCreativeBrief(parseWithDefaults(briefContextSchema, req.context, 'context'));
				break;
			case 'hooks':
				raw = { hooks: buildHooks(parseWithDefaults(hooksContextSchema, req.context, 'context'), this.seed) };
				break;
			case 'script':
				raw = buildScript(parseWithDefaults(scriptContextSchema, req.context, 'context'));
				break;
			case 'caption':
				raw = buildCaption(parseWithDefaults(captionContextSchema, req.context, 'context'));
				break;
			case 'rubric': {
				const ctx = parseWithDefaults(rubricContextSchema, req.context, 'context');
				raw = heuristicRubric(ctx.text, { tone: ctx.brand.tone, restricted_keywords: ctx.brand.restricted_keywords });
				break;
			}
			default:
				throw new ValidationError(`the local LLM has no templates for task "${String(req.task)}"`, 'task');
		}
		// The caller's schema is the contract, for the local templates as for any model.
		const data = req.schema.parse(raw);
		return {
			data,
			provider: this.name,
			model: this.model,
			// Token counts estimated at 4 characters a token, so cost accounting runs the same path
			// as for remote models (the local provider's price is zero).
			usage: {
				input_tokens: Math.ceil((req.system.length + req.prompt.length) / 4),
				output_tokens: Math.ceil(JSON.stringify(data).length / 4),
			},
		};
	}
}

