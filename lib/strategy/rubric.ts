/**
 * The `rubric` task's contract (a 0..1 score with its reasons) and the deterministic heuristics
 * behind it: tone lexicons, shouting detection and a plain restricted-keyword match. The local LLM
 * answers the `rubric` task with `heuristicRubric`; brand alignment and hook filtering reuse the
 * same tone and keyword checks, so all of them agree on what "off tone" means.
 *
 * The restricted-keyword match here is deliberately plain (whole words, case-insensitive): the
 * Judge has the thorough matcher for disguised spellings, and callers can inject it.
 */
import { z } from 'zod';

export const rubricSchema = z.object({
	score: z.number().min(0).max(1),
	reasons: z.array(z.string().trim().min(1).max(500)).min(1),
});
export type Rubric = z.infer<typeof rubricSchema>;

/** The brand facts the heuristics read (a subset of BrandProfile, so either can be passed). */
export interface RubricBrand {
	tone: string;
	restricted_keywords: string[];
}

/** Finds which restricted keywords occur in a text; injectable so the Judge's matcher can replace the plain one. */
export type RestrictedMatcher = (text: string, keywords: string[]) => string[];

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex matching `phrase` as whole words (letters/digits not glued on either side), case-insensitive. */
export function wholeWordPattern(phrase: string, flags = 'iu'): RegExp {
	const body = phrase
		.trim()
		.split(/\s+/)
		.map(escapeRegExp)
		.join('\\s+');
	return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, flags);
}

/** Plain case-insensitive whole-word match; returns the keywords found, in the list's order, once each. */
export const plainRestrictedMatches: RestrictedMatcher = (text, keywords) => {
	const found: string[] = [];
	for (const keyword of keywords) {
		if (keyword.trim() === '' || found.includes(keyword)) continue;
		if (wholeWordPattern(keyword).test(text)) found.push(keyword);
	}
	return found;
};

/**
 * Tone descriptors a brand may use, each with words that carry that tone and words that betray the
 * opposite one. A brand's tone string is matched against `descriptors`; the text against the rest.
 */
export const TONE_LEXICON: ReadonlyArray<{ descriptors: string[]; aligned: string[]; contrary: string[] }> = [
	{
		descriptors: ['warm', 'friendly', 'caring', 'welcoming', 'kind', 'empathetic', 'heartfelt', 'approachable'],
		aligned: ['warm', 'friendly', 'together', 'care', 'love', 'welcome', 'home', 'friend', 'comfort', 'enjoy', 'you'],
		contrary: ['cold', 'harsh', 'brutal', 'stupid', 'losers', 'idiot', 'idiots', 'shut up', 'pathetic', 'destroy', 'crush', 'hate', 'aggressive', 'pushy', 'loud'],
	},
	{
		descriptors: ['playful', 'witty', 'fun', 'humorous', 'cheeky', 'lighthearted', 'quirky'],
		aligned: ['playful', 'witty', 'fun', 'laugh', 'wink', 'play', 'yes, really', 'plot twist'],
		contrary: ['solemn', 'grave', 'strictly', 'mandatory', 'hereby', 'compliance', 'pursuant'],
	},
	{
		descriptors: ['calm', 'serene', 'relaxed', 'mindful', 'soothing', 'gentle'],
		aligned: ['calm', 'breathe', 'slow', 'ease', 'quiet', 'gentle', 'unhurried', 'soft'],
		contrary: ['insane', 'crazy', 'hurry', 'urgent', 'rush', 'explosive', 'frenzy', 'scream', 'shocking', 'mind-blowing', 'act now'],
	},
	{
		descriptors: ['premium', 'luxury', 'luxurious', 'elegant', 'sophisticated', 'refined', 'upscale'],
		aligned: ['crafted', 'refined', 'elegant', 'quality', 'timeless', 'signature', 'premium', 'considered'],
		contrary: ['cheap', 'bargain', 'discount', 'dirt cheap', 'lowest price', 'clearance', 'knockoff', 'deal of the day', 'cheapest'],
	},
	{
		descriptors: ['professional', 'authoritative', 'expert', 'trustworthy', 'credible', 'serious', 'formal'],
		aligned: ['proven', 'expert', 'research', 'reliable', 'trusted', 'evidence', 'professional', 'clear'],
		contrary: ['lol', 'omg', 'bruh', 'lit', 'yolo', 'miracle', 'insane', 'guaranteed results', 'no cap'],
	},
	{
		descriptors: ['bold', 'energetic', 'confident', 'dynamic', 'vibrant'],
		aligned: ['bold', 'bright', 'power', 'confident', 'energy', 'vibrant', 'move'],
		contrary: ['maybe', 'perhaps', 'sort of', 'kinda', 'timid', 'meh', 'hopefully'],
	},
	{
		descriptors: ['optimistic', 'positive', 'uplifting', 'hopeful', 'inspiring', 'encouraging'],
		aligned: ['bright', 'better', 'hope', 'joy', 'thrive', 'possible', 'finally'],
		contrary: ['doom', 'hopeless', 'miserable', 'disaster', 'awful', 'worst', 'pointless'],
	},
	{
		descriptors: ['honest', 'authentic', 'natural', 'sustainable', 'transparent', 'genuine', 'eco'],
		aligned: ['honest', 'real', 'natural', 'sustainable', 'planet', 'responsibly', 'transparent'],
		contrary: ['miracle', 'fake', 'wasteful', 'guaranteed', 'secret formula', 'too good to be true'],
	},
];

/** Tones that shouting (runs of "!", words in capitals) contradicts. */
const SHOUTING_CONTRADICTS = ['warm', 'friendly', 'calm', 'serene', 'premium', 'luxury', 'elegant', 'sophisticated', 'refined', 'professional', 'authoritative', 'formal', 'gentle', 'mindful'];

export interface ToneAssessment {
	/** 0..1: 0.7 baseline, +0.1 per aligned word (up to 3), −0.35 per contrary word, −0.3 for shouting. */
	score: number;
	/** Brand tone descriptors this lexicon knows (empty: only shouting could be judged). */
	known: string[];
	aligned: string[];
	contrary: string[];
	shouting: boolean;
	reason: string;
}

/** True when the text shouts: three or more "!" or at least 30 % of its 3+-letter words in capitals. */
export function isShouting(text: string): boolean {
	const bangs = (text.match(/!/g) ?? []).length;
	const words = text.match(/\p{L}{3,}/gu) ?? [];
	const caps = words.filter((w) => w === w.toUpperCase() && w !== w.toLowerCase()).length;
	return bangs >= 3 || (words.length >= 3 && caps / words.length >= 0.3);
}

/** Judges a text's tone against a brand tone description with TONE_LEXICON. Deterministic. */
export function assessTone(text: string, brandTone: string): ToneAssessment {
	const toneLower = brandTone.toLowerCase();
	const entries = TONE_LEXICON.filter((e) => e.descriptors.some((d) => wholeWordPattern(d).test(toneLower)));
	const known = entries.flatMap((e) => e.descriptors.filter((d) => wholeWordPattern(d).test(toneLower)));
	const aligned = [...new Set(entries.flatMap((e) => [...e.aligned, ...e.descriptors]))].filter((w) => wholeWordPattern(w).test(text));
	const contrary = [...new Set(entries.flatMap((e) => e.contrary))].filter((w) => wholeWordPattern(w).test(text));
	const shouting = isShouting(text) && (known.length === 0 || known.some((k) => SHOUTING_CONTRADICTS.includes(k)));
	const raw = 0.7 + 0.1 * Math.min(3, aligned.length) - 0.35 * contrary.length - (shouting ? 0.3 : 0);
	const score = Math.round(Math.max(0, Math.min(1, raw)) * 1000) / 1000;
	const parts: string[] = [];
	if (known.length === 0) parts.push(`tone "${brandTone}" has no descriptor in the lexicon; only shouting was checked`);
	if (aligned.length) parts.push(`on-tone words: ${aligned.slice(0, 5).join(', ')}`);
	if (contrary.length) parts.push(`contrary to the ${known.join('/')} tone: ${contrary.join(', ')}`);
	if (shouting) parts.push('shouts (capitals or "!!!"), which the brand tone rules out');
	if (parts.length === 0) parts.push(`no words for or against the ${known.join('/')} tone`);
	return { score, known, aligned, contrary, shouting, reason: parts.join('; ') };
}

/**
 * A deterministic heuristic rubric for brand copy (what the local LLM answers to the `rubric`
 * task). Starts at 1 and subtracts: 0.5 for the first restricted keyword and 0.15 for each
 * further one, 0.15 per contrary tone word, 0.2 for shouting, 0.3 for fewer than 3 words,
 * 0.1 for sentences averaging over 25 words. It is a heuristic, not a language model.
 */
export function heuristicRubric(text: string, brand: RubricBrand, matcher: RestrictedMatcher = plainRestrictedMatches): Rubric {
	const reasons: string[] = [];
	let score = 1;
	const hits = matcher(text, brand.restricted_keywords);
	if (hits.length) {
		score -= 0.5 + 0.15 * (hits.length - 1);
		reasons.push(`contains restricted keyword${hits.length > 1 ? 's' : ''}: ${hits.join(', ')}`);
	} else {
		reasons.push('no restricted keyword');
	}
	const tone = assessTone(text, brand.tone);
	score -= 0.15 * tone.contrary.length + (tone.shouting ? 0.2 : 0);
	reasons.push(`tone: ${tone.reason}`);
	const words = text.match(/[\p{L}\p{N}']+/gu) ?? [];
	if (words.length < 3) {
		score -= 0.3;
		reasons.push(`too short to carry a message (${words.length} word${words.length === 1 ? '' : 's'})`);
	}
	const sentences = text.split(/[.!?]+\s|\n+/).filter((s) => s.trim() !== '');
	const avg = sentences.length ? words.length / sentences.length : 0;
	if (avg > 25) {
		score -= 0.1;
		reasons.push(`long sentences (${avg.toFixed(0)} words on average)`);
	}
	return rubricSchema.parse({ score: Math.round(Math.max(0, Math.min(1, score)) * 1000) / 1000, reasons });
}
