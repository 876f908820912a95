/**
 * Hook generation and scoring (seed 003 pillar 2, "Viral Optimization"): ask the LLM for `count`
 * hooks in as few calls as possible, drop near-duplicates and restricted words, score every hook
 * on six explained components, and regenerate while the best hook is below the gate (0.75), at
 * most `maxRounds` rounds in all. Scoring is deterministic: the same hooks, brief, trends and past
 * metrics always give the same scores and order.
 */
import { z } from 'zod';

import { HOOK_TYPES, hookBatchSchema, parseOrThrow, type CreativeBrief, type HookDraft } from '../domain/schemas';
import { cosine, tokenize } from '../providers/embeddings/local';
import type { EmbeddingProvider, LlmProvider } from '../providers/types';
import type { LlmCall } from './brief';
import { plainRestrictedMatches, wholeWordPattern, type RestrictedMatcher } from './rubric';
import { dropRestrictedSentences } from './phrases';

export type HookType = (typeof HOOK_TYPES)[number];

/**
 * How the components add up to `quality_score`. The four persuasion components come from seed
 * 003 ("curiosity gap, emotional resonance, pattern interrupt, shareability"), then trend
 * alignment and historical performance. A component that cannot be judged (no trend data, no past
 * metrics) is null and its weight is spread proportionally over the others.
 */
export const HOOK_SCORE_WEIGHTS = {
	curiosity_gap: 0.25,
	emotional_resonance: 0.2,
	pattern_interrupt: 0.15,
	shareability: 0.15,
	trend_alignment: 0.1,
	past_performance: 0.15,
} as const;
export type HookScoreName = keyof typeof HOOK_SCORE_WEIGHTS;

/** Seed 003: "Reject scripts if hook score < 0.75"; "Low hook score → Regenerate hooks (max 3 attempts)". */
export const HOOK_QUALITY_GATE = 0.75;
/**
 * Two hooks at or above this cosine say the same thing in nearly the same words. For the local
 * hashing embedder 0.88 is one word swapped in a ten-word hook; neural embedders put paraphrases
 * higher, hence their stricter default.
 */
export const NEAR_DUPLICATE_COSINE: Record<string, number> = { local: 0.88, default: 0.95 };

/**
 * Maps a raw cosine between two short texts to 0..1 for one embedder (floor → 0, ceiling → 1).
 * The local hashing embedder scores shared words only, so its scale sits lower than a neural one.
 */
export const HOOK_SIMILARITY_CALIBRATION: Record<string, { floor: number; ceiling: number }> = {
	local: { floor: 0.1, ceiling: 0.85 },
	default: { floor: 0.35, ceiling: 0.85 },
};

export interface HookScore {
	/** 0..1, or null when there is nothing to judge against. */
	score: number | null;
	weight: number;
	reason: string;
}

export interface ScoredHook {
	text: string;
	hook_type: HookType;
	quality_score: number;
	/** Order of generation over all rounds, 1..N; stays with the hook whatever the sort. */
	variation_number: number;
	round: number;
	scores: Record<HookScoreName, HookScore>;
	/** Every component's score and reason in one line, for the reviewer. */
	rationale: string;
}

export interface PastHook {
	text: string;
	/** Engagement rate of the post that used it (e.g. 0.084 for 8.4 %). */
	engagement_rate: number;
}

export interface GenerateHooksInput {
	brief: CreativeBrief;
	llm: LlmProvider;
	embedder: EmbeddingProvider;
	count?: number;
	trends?: Array<string | { topic: string }>;
	bestPastHooks?: PastHook[];
	minBestScore?: number;
	maxRounds?: number;
	/** Hooks per LLM call; defaults to all of `count` up to 50. */
	batchSize?: number;
	/** The product category, for the local templates (else read from the brief). */
	productCategory?: string;
	/** The campaign request's notes (product name, details); sentences with a restricted keyword are never passed on. */
	notes?: string;
	findRestricted?: RestrictedMatcher;
	nearDuplicateCosine?: number;
}

export interface GeneratedHooks {
	/** Every kept hook of every round, best first (ties: earlier variation first). */
	hooks: ScoredHook[];
	/** The three best, for the Creative Director. */
	top: ScoredHook[];
	rounds: number;
	bestScore: number;
	/** Whether the best hook reached `minBestScore`. */
	passedGate: boolean;
	llmCalls: LlmCall[];
	/** Hooks not kept, with why (duplicate, near-duplicate, restricted keyword). */
	dropped: Array<{ text: string; round: number; reason: string }>;
}

// ---------------------------------------------------------------------------------------------
// Text heuristics (curiosity, emotion, pattern interrupt, shareability)

const OPEN_LOOPS = [
	'why', 'how', 'what if', 'secret', 'nobody', 'no one', 'until', "here's", 'here is', 'what happened', 'what changed', 'the truth',
	"you don't", 'wish they knew', 'one thing', 'wait for it', 'look closer', 'plot twist', 'never forgot', 'the moment',
];
const EMOTION_WORDS = [
	'finally', 'love', 'hate', 'tired', 'stuck', 'struggle', 'fear', 'afraid', 'worry', 'laughed', 'cried', 'gave up', 'proud', 'relief',
	'stress', 'stressed', 'lonely', 'joy', 'happy', 'angry', 'frustrated', 'frustrating', 'regret', 'miss', 'dream', 'hope', 'embarrassing',
	'mistake', 'costing', 'fault', 'familiar', 'heart', 'alone', 'exhausted', 'scared',
];
const INTERRUPT_OPENERS = ['stop', 'watch', 'forget', 'wait', 'look', 'zoom', 'freeze', 'raise', 'split', "don't", 'never', 'imagine', 'plot'];
const CONTRAST_WORDS = ['vs', 'versus', 'but', 'instead', 'then', 'until', 'wrong', 'twist', 'before and after', 'not subtle', 'exposed'];
const IDENTITY_WORDS = ['everyone', 'anyone', 'people who', "if you're", 'which one are you', 'raise your hand', 'this one is for you', "this one's for you"];
const RELATABLE_WORDS = ['sounds familiar', 'raise your hand', 'nobody tells', 'wish they knew', 'friend', 'friends', 'we all', "you're not alone", 'which one', 'tag', 'your sign'];
const PAYOFF_WORDS = ['no catch', 'better way', 'easiest', 'upgrade', 'finally', 'worth', 'changed', 'answer'];

function round3(x: number): number {
	return Math.round(x * 1000) / 1000;
}
function clamp01(x: number): number {
	return Math.max(0, Math.min(1, x));
}
function found(text: string, phrases: string[]): string[] {
	return phrases.filter((p) => wholeWordPattern(p).test(text));
}
function wordCount(text: string): number {
	return (text.match(/[\p{L}\p{N}'#]+/gu) ?? []).length;
}
const FILLER = new Set('a an the and or of to for in on at with by is are was be it this that you your my our their from as not no do does'.split(' '));
function contentWords(text: string): Set<string> {
	return new Set(tokenize(text).filter((w) => !FILLER.has(w) && w.length > 2));
}

export interface HookTextSignals {
	/** The brief's pain points: a hook naming one resonates. */
	painPoints?: string[];
	/** Words naming the audience (from the brief's demographics). */
	audience?: string[];
}

export type TextScoreName = 'curiosity_gap' | 'emotional_resonance' | 'pattern_interrupt' | 'shareability';

/**
 * The four text-only components, each 0..1 with its reason. Every rule adds a fixed amount to a
 * base, so a reviewer can see exactly why a hook scored what it did:
 * Each starts at 0.4, the level of a plain, competent line:
 * - curiosity_gap: +0.3 question; +0.3 open loop (why, nobody, until, here's…) and
 *   +0.1 per further one (max 2 more); +0.1 a specific number; −0.2 over 20 words (gives it away);
 * - emotional_resonance: +0.25 an emotion word, +0.1 per further one (max 2 more);
 *   +0.15 speaks to "you"; +0.1 first-person story; +0.3 names one of the brief's pain points;
 * - pattern_interrupt: +0.3 visual shock, +0.15 story, +0.05 question; +0.2 imperative
 *   opener (Stop, Watch, Wait…); +0.15 contrast (vs, but, until…); +0.2 at most 8 words, +0.1 at
 *   most 12;
 * - shareability: +0.25 names the audience or an identity ("everyone", "if you're");
 *   +0.2 relatable/taggable cue; +0.15 at most 12 words, +0.05 at most 18; +0.1 a payoff word;
 *   +0.1 a hashtag.
 */
export function scoreHookText(text: string, hookType: HookType, signals: HookTextSignals = {}): Record<TextScoreName, HookScore> {
	const words = wordCount(text);

	let curiosity = 0.4;
	const cReasons: string[] = [];
	if (text.includes('?')) {
		curiosity += 0.3;
		cReasons.push('asks a question');
	}
	const loops = found(text, OPEN_LOOPS);
	if (loops.length) {
		curiosity += 0.3 + 0.1 * (Math.min(3, loops.length) - 1);
		cReasons.push(`open loop: ${loops.slice(0, 3).join(', ')}`);
	}
	if (/\d|\b(one|two|three|five|ten)\b/i.test(text)) {
		curiosity += 0.1;
		cReasons.push('specific number');
	}
	if (words > 20) {
		curiosity -= 0.2;
		cReasons.push(`${words} words give the payoff away`);
	}
	if (cReasons.length === 0) cReasons.push('states without opening a question');

	let emotion = 0.4;
	const eReasons: string[] = [];
	const emo = found(text, EMOTION_WORDS);
	if (emo.length) {
		emotion += 0.25 + 0.1 * (Math.min(3, emo.length) - 1);
		eReasons.push(`emotion words: ${emo.slice(0, 3).join(', ')}`);
	}
	if (/\b(you|your|you're)\b/i.test(text)) {
		emotion += 0.15;
		eReasons.push('speaks to "you"');
	}
	if (/\b(I|my|we|our|us|me)\b/i.test(text)) {
		emotion += 0.1;
		eReasons.push('first-person story');
	}
	const hookWords = contentWords(text);
	const pain = (signals.painPoints ?? []).find((p) => {
		const pw = [...contentWords(p)];
		const shared = pw.filter((w) => hookWords.has(w)).length;
		return pw.length > 0 && (shared >= 3 || shared / pw.length >= 0.5);
	});
	if (pain) {
		emotion += 0.3;
		eReasons.push(`names the pain point "${pain}"`);
	}
	if (eReasons.length === 0) eReasons.push('no emotional trigger');

	let interrupt = 0.4;
	const iReasons: string[] = [];
	const typeBonus = { visual_shock: 0.3, story: 0.15, question: 0.05, statement: 0 }[hookType];
	if (typeBonus) {
		interrupt += typeBonus;
		iReasons.push(`${hookType.replace('_', ' ')} hook`);
	}
	const first = (text.trim().match(/^[\p{L}']+/u)?.[0] ?? '').toLowerCase();
	if (INTERRUPT_OPENERS.includes(first)) {
		interrupt += 0.2;
		iReasons.push(`imperative opener "${first}"`);
	}
	const contrast = found(text, CONTRAST_WORDS);
	if (contrast.length) {
		interrupt += 0.15;
		iReasons.push(`contrast: ${contrast[0]}`);
	}
	if (words <= 8) {
		interrupt += 0.2;
		iReasons.push(`short (${words} words)`);
	} else if (words <= 12) {
		interrupt += 0.1;
		iReasons.push(`compact (${words} words)`);
	}
	if (iReasons.length === 0) iReasons.push(`expected shape (${words} words)`);

	let share = 0.4;
	const sReasons: string[] = [];
	const audienceHit = (signals.audience ?? []).filter((w) => w.length > 3).find((w) => hookWords.has(w.toLowerCase()));
	const identity = found(text, IDENTITY_WORDS);
	if (audienceHit || identity.length) {
		share += 0.25;
		sReasons.push(audienceHit ? `names the audience ("${audienceHit}")` : `identity cue "${identity[0]}"`);
	}
	const relatable = found(text, RELATABLE_WORDS);
	if (relatable.length) {
		share += 0.2;
		sReasons.push(`relatable cue "${relatable[0]}"`);
	}
	if (words <= 12) {
		share += 0.15;
		sReasons.push('quotable length');
	} else if (words <= 18) {
		share += 0.05;
	}
	const payoff = found(text, PAYOFF_WORDS);
	if (payoff.length) {
		share += 0.1;
		sReasons.push(`payoff "${payoff[0]}"`);
	}
	if (text.includes('#')) {
		share += 0.1;
		sReasons.push('hashtag');
	}
	if (sReasons.length === 0) sReasons.push('nothing that invites sharing');

	return {
		curiosity_gap: { score: round3(clamp01(curiosity)), weight: HOOK_SCORE_WEIGHTS.curiosity_gap, reason: cReasons.join('; ') },
		emotional_resonance: { score: round3(clamp01(emotion)), weight: HOOK_SCORE_WEIGHTS.emotional_resonance, reason: eReasons.join('; ') },
		pattern_interrupt: { score: round3(clamp01(interrupt)), weight: HOOK_SCORE_WEIGHTS.pattern_interrupt, reason: iReasons.join('; ') },
		shareability: { score: round3(clamp01(share)), weight: HOOK_SCORE_WEIGHTS.shareability, reason: sReasons.join('; ') },
	};
}

/** Weighted mean over the non-null components, rounded to 3 decimals. */
export function qualityFromScores(scores: Partial<Record<HookScoreName, HookScore>>): number {
	const graded = Object.values(scores).filter((s): s is HookScore => s != null && s.score !== null);
	const weight = graded.reduce((a, s) => a + s.weight, 0);
	return weight === 0 ? 0 : round3(graded.reduce((a, s) => a + s.weight * (s.score as number), 0) / weight);
}

export function rationaleOf(quality: number, scores: Partial<Record<HookScoreName, HookScore>>): string {
	const parts = (Object.keys(HOOK_SCORE_WEIGHTS) as HookScoreName[])
		.filter((name) => scores[name])
		.map((name) => {
			const s = scores[name] as HookScore;
			return `${name} ${s.score === null ? 'n/a' : s.score.toFixed(2)} ×${s.weight} (${s.reason})`;
		});
	return `quality ${quality.toFixed(3)} = ${parts.join('; ')}`;
}

/** Words of the brief's audience description, for the shareability rule. */
export function audienceWords(brief: CreativeBrief): string[] {
	const d = brief.target_audience.demographics;
	const text = ['audience_label', 'description', 'segments']
		.map((k) => d[k])
		.flatMap((v) => (Array.isArray(v) ? v : [v]))
		.filter((v): v is string => typeof v === 'string')
		.join(' ');
	return [...contentWords(text)];
}

// ---------------------------------------------------------------------------------------------
// Generation

function hookPrompts(brief: CreativeBrief, count: number, round: number, avoid: string[], trends: string[], notes = ''): { system: string; prompt: string } {
	const system = [
		'You are a direct-response copywriter for short-form vertical video ads (TikTok, Reels, Shorts).',
		'You write scroll-stopping opening lines of at most 15 words that a voiceover can say in under 4 seconds.',
		'Each hook has a type: question (opens a curiosity gap), statement (a bold or counter-intuitive claim),',
		'visual_shock (a line built around an arresting image), story (a first-person or customer moment).',
		'Vary structure and wording; never repeat a hook; never use a restricted keyword; keep to the brand tone.',
	].join(' ');
	const b = brief;
	const lines = [
		`Write exactly ${count} distinct hooks, spread over the four hook types.${round > 1 ? ` This is round ${round}: the earlier hooks scored too low, so take new angles.` : ''}`,
		'',
		`Audience: ${JSON.stringify(b.target_audience.demographics)}`,
		`Psychographics: ${b.target_audience.psychographics.join('; ')}`,
		`Pain points: ${b.target_audience.pain_points.join('; ')}`,
		`Value proposition: ${b.core_message.value_proposition}`,
		`Primary hook idea: ${b.core_message.primary_hook}`,
		...(notes ? [`Product notes: ${notes}`] : []),
		`Call to action: ${b.core_message.call_to_action}`,
		`Brand tone: ${b.brand_guidelines_ref.tone}`,
		`Restricted keywords (never use): ${b.brand_guidelines_ref.restricted_keywords.join(', ') || '(none)'}`,
		`Trending topics: ${trends.join(', ') || '(none)'}`,
		`Viral patterns: ${b.trending_insights.viral_patterns.join('; ') || '(none)'}`,
	];
	if (avoid.length) {
		lines.push('', 'Already written (do not repeat or paraphrase):', ...avoid.slice(-150).map((t) => `- ${t}`));
	}
	lines.push('', 'Answer with JSON: {"hooks": [{"text": "...", "hook_type": "question|statement|visual_shock|story"}]}');
	return { system, prompt: lines.join('\n') };
}

function normalizedKey(text: string): string {
	return tokenize(text).join(' ');
}

function productCategoryOf(brief: CreativeBrief): string | undefined {
	const interests = brief.target_audience.demographics.interests;
	if (Array.isArray(interests) && typeof interests[0] === 'string') return interests[0];
	return undefined;
}

/**
 * Generates and scores hooks; see the module comment. `trend_alignment` compares each hook with
 * the trends given and the brief's trending topics (word containment or embedding similarity,
 * whichever is higher); `past_performance` is the highest similarity to a past hook multiplied by
 * that hook's engagement relative to the best past engagement, so resembling a weak past hook
 * earns little. Both use `HOOK_SIMILARITY_CALIBRATION` for the embedder in use.
 */
export async function generateHooks(input: GenerateHooksInput): Promise<GeneratedHooks> {
	const count = input.count ?? 50;
	const maxRounds = input.maxRounds ?? 3;
	const minBestScore = input.minBestScore ?? HOOK_QUALITY_GATE;
	parseOrThrow(z.number().int().min(1).max(500), count, 'count');
	parseOrThrow(z.number().int().min(1).max(10), maxRounds, 'maxRounds');
	parseOrThrow(z.number().min(0).max(1), minBestScore, 'minBestScore');
	const batchSize = input.batchSize ?? Math.min(count, 50);
	parseOrThrow(z.number().int().min(1), batchSize, 'batchSize');
	const pastHooks = parseOrThrow(z.array(z.object({ text: z.string().trim().min(1), engagement_rate: z.number().min(0) })), input.bestPastHooks ?? [], 'bestPastHooks');
	const brief = input.brief;
	const matcher = input.findRestricted ?? plainRestrictedMatches;
	const nearDup = input.nearDuplicateCosine ?? NEAR_DUPLICATE_COSINE[input.embedder.name] ?? NEAR_DUPLICATE_COSINE.default;
	const calibration = HOOK_SIMILARITY_CALIBRATION[input.embedder.name] ?? HOOK_SIMILARITY_CALIBRATION.default;
	const scaleSim = (c: number) => clamp01((c - calibration.floor) / (calibration.ceiling - calibration.floor));

	const trendTopics = [...new Set([...(input.trends ?? []).map((t) => (typeof t === 'string' ? t : t.topic)), ...brief.trending_insights.trending_topics].map((t) => t.trim()).filter(Boolean))].slice(0, 12);
	const restrictedWords = brief.brand_guidelines_ref.restricted_keywords;
	const signals: HookTextSignals = { painPoints: brief.target_audience.pain_points, audience: audienceWords(brief) };
	const maxRate = Math.max(0, ...pastHooks.map((p) => p.engagement_rate));

	// Reference vectors (trends, past hooks) in one call, reused for every round.
	const references = [...trendTopics, ...pastHooks.map((p) => p.text)];
	const refVectors = references.length ? (await input.embedder.embed(references)).vectors : [];
	const trendVectors = refVectors.slice(0, trendTopics.length);
	const pastVectors = refVectors.slice(trendTopics.length);

	const kept: ScoredHook[] = [];
	/** Embedding of each kept hook, same index as `kept`. */
	const keptVectors: number[][] = [];
	const keys = new Set<string>();
	const dropped: GeneratedHooks['dropped'] = [];
	const llmCalls: LlmCall[] = [];
	const productCategory = input.productCategory ?? productCategoryOf(brief);
	const notes = input.notes ? dropRestrictedSentences(input.notes, restrictedWords) : '';
	let round = 0;
	let best = 0;

	while (round < maxRounds) {
		round += 1;
		const drafts: HookDraft[] = [];
		for (let asked = 0; asked < count; asked += batchSize) {
			const n = Math.min(batchSize, count - asked);
			const avoid = [...kept.map((h) => h.text), ...dropped.map((d) => d.text), ...drafts.map((d) => d.text)];
			const { system, prompt } = hookPrompts(brief, n, round, avoid, trendTopics, notes);
			const result = await input.llm.generate({
				task: 'hooks',
				system,
				prompt,
				schema: hookBatchSchema,
				schemaName: 'hook_batch',
				context: { brief, count: n, round, avoid, trends: trendTopics, productCategory, ...(notes ? { notes } : {}) },
				temperature: 0.9,
				maxOutputTokens: 60 * n + 200,
			});
			llmCalls.push({ provider: result.provider, model: result.model, usage: result.usage });
			drafts.push(...result.data.hooks);
		}

		const fresh: HookDraft[] = [];
		for (const d of drafts) {
			const key = normalizedKey(d.text);
			const hits = matcher(d.text, restrictedWords);
			if (hits.length) dropped.push({ text: d.text, round, reason: `restricted keyword: ${hits.join(', ')}` });
			else if (keys.has(key)) dropped.push({ text: d.text, round, reason: 'duplicate' });
			else {
				keys.add(key);
				fresh.push(d);
			}
		}
		const vectors = fresh.length ? (await input.embedder.embed(fresh.map((d) => d.text))).vectors : [];
		fresh.forEach((d, i) => {
			const v = vectors[i];
			const twin = keptVectors.findIndex((k) => cosine(k, v) >= nearDup);
			if (twin !== -1) {
				dropped.push({ text: d.text, round, reason: `near-duplicate of variation ${kept[twin].variation_number} (cosine ${cosine(keptVectors[twin], v).toFixed(3)})` });
				return;
			}
			const scores: Record<HookScoreName, HookScore> = {
				...scoreHookText(d.text, d.hook_type, signals),
				trend_alignment: trendAlignment(d.text, v),
				past_performance: pastPerformance(v),
			};
			const quality = qualityFromScores(scores);
			kept.push({
				text: d.text,
				hook_type: d.hook_type,
				quality_score: quality,
				variation_number: kept.length + 1,
				round,
				scores,
				rationale: rationaleOf(quality, scores),
			});
			keptVectors.push(v);
		});
		best = Math.max(0, ...kept.map((h) => h.quality_score));
		if (best >= minBestScore) break;
	}

	const hooks: ScoredHook[] = [...kept].sort((a, b) => b.quality_score - a.quality_score || a.variation_number - b.variation_number);
	return { hooks, top: hooks.slice(0, 3), rounds: round, bestScore: best, passedGate: best >= minBestScore, llmCalls, dropped };

	function trendAlignment(text: string, v: number[]): HookScore {
		const weight = HOOK_SCORE_WEIGHTS.trend_alignment;
		if (trendTopics.length === 0) return { score: null, weight, reason: 'no trend data' };
		const hookTokens = new Set(tokenize(text));
		let bestScore = 0;
		let bestReason = 'no trend mentioned';
		trendTopics.forEach((topic, i) => {
			const topicTokens = tokenize(topic);
			const containment = topicTokens.length ? topicTokens.filter((t) => hookTokens.has(t)).length / topicTokens.length : 0;
			const sim = scaleSim(cosine(v, trendVectors[i]));
			const s = Math.max(containment, sim);
			if (s > bestScore) {
				bestScore = s;
				bestReason = containment >= sim ? `mentions trend "${topic}"` : `close to trend "${topic}" (similarity ${sim.toFixed(2)})`;
			}
		});
		return { score: round3(bestScore), weight, reason: bestReason };
	}

	function pastPerformance(v: number[]): HookScore {
		const weight = HOOK_SCORE_WEIGHTS.past_performance;
		if (pastHooks.length === 0) return { score: null, weight, reason: 'no past hook metrics' };
		if (maxRate === 0) return { score: null, weight, reason: 'past hooks have no recorded engagement' };
		let bestScore = 0;
		let bestReason = 'resembles no past hook';
		pastHooks.forEach((p, i) => {
			const raw = cosine(v, pastVectors[i]);
			const s = scaleSim(raw) * (p.engagement_rate / maxRate);
			if (s > bestScore) {
				bestScore = s;
				bestReason = `resembles past hook "${p.text}" (cosine ${raw.toFixed(2)}, engagement ${(p.engagement_rate * 100).toFixed(1)}% = ${((p.engagement_rate / maxRate) * 100).toFixed(0)}% of the best)`;
			}
		});
		return { score: round3(bestScore), weight, reason: bestReason };
	}
}
