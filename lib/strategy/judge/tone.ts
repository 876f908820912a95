/**
 * Tone similarity to a brand voice (seed 003 pillar 2, "Tone Checker"), scored 0..1 with a reason.
 *
 * Two signals, because neither is enough alone:
 * 1. Tone traits measured with small lexicons and typography: hostility, sarcasm, fear-mongering,
 *    slang/profanity, shouting (capitals, "!!!"), corporate jargon, stiff formality, negativity,
 *    and the warmth and optimism a brand may ask for. Each trait is a density in 0..1 (hits per
 *    twenty words, saturating), so one harsh word weighs more in a hook than in a long caption.
 *    The brand's declared tone words ("warm, optimistic, plain-spoken") set how much of each
 *    trait is tolerated: "warm" tightens hostility and sarcasm, "playful" loosens slang and
 *    sarcasm, "bold" loosens hostility and shouting, "professional" tightens slang. Undeclared
 *    brands get defaults that still rule out hostility, sarcasm and fear-mongering.
 * 2. Embedding similarity of the text to the brand's voice (its tone words and exemplars of them)
 *    against an off-voice reference (exemplars of the traits the brand rules out), through the
 *    given EmbeddingProvider. The local hashing embedder only sees shared words, so this signal is
 *    weighted by how much evidence it has (how similar the text is to either reference) and never
 *    carries more than a fifth of the score; with a real embedder it adds semantic nuance.
 *
 * The texts are read through the keyword scanner's normaliser, so "l0wk3y" is "lowkey".
 */
import { cosine } from '../../providers/embeddings/local';
import type { EmbeddingProvider } from '../../providers/types';
import { normalizeForMatching } from './keywords';

export const TONE_TRAITS = ['hostility', 'sarcasm', 'fear', 'slang', 'shouting', 'jargon', 'formality', 'negativity', 'warmth', 'optimism'] as const;
export type ToneTrait = (typeof TONE_TRAITS)[number];
/** Traits a brand limits (the rest, warmth and optimism, it may ask for). */
type LimitedTrait = Exclude<ToneTrait, 'warmth' | 'optimism'>;

type Lexicon = Record<string, number>;

/** Words and phrases that carry each trait, with weights (1 = unmistakable). Matched as whole words. */
export const TONE_LEXICONS: Record<Exclude<ToneTrait, 'shouting'>, Lexicon> = {
	hostility: {
		hate: 1, stupid: 1, idiot: 1, idiots: 1, moron: 1, morons: 1, loser: 1, losers: 1, pathetic: 1, dumb: 1, worthless: 1,
		garbage: 0.8, trash: 0.8, disgusting: 0.8, ridiculous: 0.6, 'shut up': 1, crush: 0.3, crushing: 0.3, destroy: 0.4,
		annihilate: 0.9, obliterate: 0.9, dominate: 0.4, humiliate: 0.8, 'how dare': 0.8, clueless: 0.7, incompetent: 0.8,
		lazy: 0.6, fools: 0.8, suckers: 0.9, sheep: 0.6, 'wake up': 0.5, 'what is wrong with you': 1, 'get lost': 0.8,
		embarrassing: 0.6, 'shame on': 0.8, lame: 0.6, weak: 0.5, 'no excuses': 0.5, 'quit whining': 1, whining: 0.8,
		'stop making excuses': 0.9, 'grow up': 0.8, 'deal with it': 0.8, 'nobody cares': 0.9, 'who cares': 0.6,
	},
	sarcasm: {
		'oh great': 1, 'oh sure': 1, 'oh wow': 0.7, 'oh joy': 1, 'oh wonderful': 1, 'oh please': 0.8, 'oh look': 0.6,
		'yeah right': 1, 'sure because': 1, 'because that worked': 1, 'as if': 0.7, 'what a surprise': 1, 'big surprise': 1,
		'thanks for nothing': 1, 'how original': 1, 'said no one ever': 1.2, 'said nobody ever': 1.2, 'slow clap': 1,
		'good luck with that': 1, 'because nothing says': 1, 'nothing says': 0.5, 'totally not': 0.8, obviously: 0.4,
		genius: 0.5, bravo: 0.5, 'wow just wow': 1, 'cue the': 0.5, 'who knew': 0.6, apparently: 0.4, 'so called': 0.8,
		'love that for you': 0.7, 'what could possibly go wrong': 1.2, 'because of course': 1,
		'because you clearly': 1, riveting: 0.8,
	},
	fear: {
		"before it s too late": 1.2, 'too late': 0.6, 'don t wait until': 0.8, 'or else': 0.8, 'you ll regret': 0.8,
		danger: 0.8, dangerous: 0.8, deadly: 1, toxic: 0.8, terrifying: 1, terrified: 0.8, scary: 0.7, scared: 0.6,
		panic: 0.8, disaster: 0.8, catastrophe: 1, catastrophic: 1, crisis: 0.6, threat: 0.6, warning: 0.6,
		'lose everything': 1, 'could be next': 1, 'at risk': 0.7, 'hidden dangers': 1, poison: 0.9, poisoning: 0.9,
		poisonous: 0.9, 'silent killer': 1.2, 'time bomb': 1, nightmare: 0.7, afraid: 0.6, fear: 0.6, doom: 0.8,
		doomed: 0.9, 'slowly killing': 1.2, 'killing you': 1, 'what they don t want you to know': 1, 'shocking truth': 0.8,
		'act now': 0.5, 'while you still can': 1, 'already too late': 1.2, cancer: 0.6, dying: 0.5, ruin: 0.6,
		ruined: 0.6, ruining: 0.6, 'wake up call': 0.6, alarming: 0.8, frightening: 1, risky: 0.5, 'don t let your': 0.3,
	},
	slang: {
		lit: 1, fam: 1, bruh: 1, lol: 1, lmao: 1, rofl: 1, omg: 0.8, yolo: 1, sus: 1, 'no cap': 1, bussin: 1, slaps: 0.8,
		lowkey: 1, highkey: 1, goat: 0.5, vibes: 0.6, vibe: 0.4, 'ain t': 0.8, gonna: 0.6, wanna: 0.6, gotta: 0.5,
		'y all': 0.6, dope: 0.8, tbh: 1, ngl: 1, fr: 0.8, deadass: 1.2, stan: 0.8, periodt: 1, yeet: 1, finna: 1,
		totes: 1, cray: 1, hella: 1, rizz: 1, smh: 1, idk: 0.8, af: 1, 'on fleek': 1, sis: 0.6, bro: 0.8, dude: 0.7,
		yo: 0.7, kinda: 0.4, sorta: 0.4, legit: 0.5, savage: 0.5, epic: 0.4, insane: 0.4, 'slay': 0.8, 'sheesh': 1,
		// Profanity counts as slang, heavier.
		damn: 1, hell: 0.8, crap: 1.2, crappy: 1.2, sucks: 1, pissed: 1.2, badass: 1, ass: 1.2, shit: 2, bullshit: 2,
		fuck: 2.5, fucking: 2.5, freaking: 0.6, frickin: 0.6, bs: 1, wtf: 1.5, omfg: 1.5,
	},
	jargon: {
		synergy: 1, synergies: 1, leverage: 0.8, leveraging: 0.8, paradigm: 1, 'paradigm shift': 1.2, utilize: 0.8,
		utilise: 0.8, disruptive: 0.8, 'best in class': 1, holistic: 0.8, scalable: 0.8, robust: 0.6, ecosystem: 0.7,
		actionable: 0.9, bandwidth: 0.7, optimize: 0.6, optimise: 0.6, seamless: 0.6, seamlessly: 0.6, 'cutting edge': 0.7,
		'next generation': 0.7, 'value add': 1, 'value proposition': 0.8, deliverables: 1, stakeholders: 0.8,
		'world class': 0.6, 'mission critical': 1, 'end to end': 0.7, 'game changing': 0.6, 'game changer': 0.6,
		revolutionary: 0.6, 'thought leadership': 1, 'core competencies': 1, 'move the needle': 1, 'circle back': 1,
		'low hanging fruit': 1, 'deep dive': 0.6, 'touch base': 0.8, 'going forward': 0.5, 'at scale': 0.6,
		omnichannel: 1, frictionless: 0.7, 'vertically integrated': 1, proprietary: 0.6, 'innovative solutions': 1,
		solutions: 0.3, ideate: 1, learnings: 0.8, kpi: 1, kpis: 1, roi: 0.6, 'data driven': 0.7, 'best of breed': 1,
		'value chain': 1, 'key stakeholders': 1, 'empower': 0.4, 'holistically': 0.8, 'functionality': 0.6,
	},
	formality: {
		hereby: 1, henceforth: 1, pursuant: 1, 'in accordance with': 1, whereas: 1, thereof: 1, herein: 1,
		aforementioned: 1, 'please be advised': 1, kindly: 0.6, furthermore: 0.6, moreover: 0.6, nevertheless: 0.5,
		'it is recommended': 0.8, shall: 0.7, 'we wish to inform': 1, notwithstanding: 1, heretofore: 1, 'the undersigned': 1,
	},
	negativity: {
		never: 0.3, nothing: 0.3, worst: 1, bad: 0.6, awful: 1, terrible: 1, miserable: 1, boring: 0.8, bland: 0.6, sad: 0.8,
		fail: 0.8, failure: 0.8, broken: 0.6, waste: 0.6, wasting: 0.6, problem: 0.4, problems: 0.4, hate: 1, ugly: 0.8,
		disappointing: 0.8, disappointed: 0.8, useless: 0.8, 'tired of': 0.6, 'sick of': 0.8, 'fed up': 0.8, regret: 0.6,
		lose: 0.4, losing: 0.4, pain: 0.5, cardboard: 0.6, gross: 0.8, hopeless: 1, pointless: 1, meh: 0.8,
	},
	warmth: {
		welcome: 1, welcoming: 1, 'thank you': 1, thanks: 1, together: 1, care: 0.8, caring: 1, cared: 0.8, love: 0.8,
		loved: 0.8, lovely: 0.8, friend: 0.8, friends: 0.8, family: 0.8, families: 0.8, neighbor: 1, neighbors: 1,
		neighbour: 1, neighbours: 1, home: 0.6, cozy: 1, cosy: 1, comfort: 0.8, comforting: 1, gentle: 1, kind: 0.8,
		kindness: 1, share: 0.7, sharing: 0.7, hug: 1, heart: 0.7, smile: 0.8, smiles: 0.8, enjoy: 0.6, 'here for you': 1,
		'we re here': 0.8, warm: 0.8, warmth: 1, grandma: 0.6, kitchen: 0.4, 'each other': 0.8, little: 0.2,
	},
	optimism: {
		bright: 1, brighter: 1, better: 0.6, hope: 0.8, hopeful: 1, grow: 0.6, growing: 0.6, fresh: 0.6, possible: 0.6,
		'look forward': 1, 'looking forward': 1, tomorrow: 0.6, sunshine: 1, sunny: 1, good: 0.5, great: 0.5, easy: 0.5,
		joy: 1, happy: 1, happier: 1, thrive: 1, ready: 0.4, proud: 0.7, delicious: 0.5, 'you ve got this': 1,
		'new day': 1, glad: 0.8, celebrate: 0.8, wonderful: 0.8, beautiful: 0.6, start: 0.3, 'every day': 0.3, yes: 0.3,
		bloom: 0.8, shine: 0.8, 'can t wait': 0.8, 'step by step': 0.5, energy: 0.4,
	},
};

/** Exemplar words per trait for the embedding references (what a voice with or without it sounds like). */
const OFF_VOICE_EXEMPLARS = 'stupid losers pathetic garbage hate shut up. oh great yeah right said no one ever. deadly toxic danger before it is too late panic disaster. lol bruh fam no cap lowkey lit damn crap. synergy leverage paradigm stakeholders';

interface Descriptor {
	/** Limits this descriptor sets. Below the default it tightens the trait, above it loosens it. */
	caps?: Partial<Record<LimitedTrait, number>>;
	wants?: Array<'warmth' | 'optimism'>;
	exemplars: string;
}

/** Tone words brands use, grouped by what they ask of a text. */
const DESCRIPTOR_GROUPS: Array<{ words: string[]; d: Descriptor }> = [
	{
		words: ['warm', 'friendly', 'caring', 'kind', 'welcoming', 'approachable', 'empathetic', 'compassionate', 'heartfelt', 'human', 'neighborly', 'neighbourly'],
		d: { caps: { hostility: 0.1, sarcasm: 0.2 }, wants: ['warmth'], exemplars: 'warm friendly welcome together care share thank you family friends home kind gentle smile' },
	},
	{
		words: ['optimistic', 'upbeat', 'positive', 'hopeful', 'cheerful', 'uplifting', 'joyful', 'sunny', 'bright', 'encouraging', 'inspiring', 'inspirational', 'empowering'],
		d: { caps: { fear: 0.15, negativity: 0.3 }, wants: ['optimism'], exemplars: 'bright hopeful better tomorrow happy joy fresh start good possible glad' },
	},
	{
		words: ['plain-spoken', 'plainspoken', 'plain', 'simple', 'clear', 'straightforward', 'honest', 'down-to-earth', 'direct', 'no-nonsense', 'transparent', 'unpretentious', 'authentic', 'genuine'],
		d: { caps: { jargon: 0.2, formality: 0.3, shouting: 0.35 }, exemplars: 'simple clear honest plain easy real straight no fuss' },
	},
	{
		words: ['professional', 'formal', 'authoritative', 'corporate', 'polished', 'expert', 'credible', 'serious', 'scientific', 'clinical'],
		d: { caps: { slang: 0.1, shouting: 0.25, sarcasm: 0.15, formality: 1, jargon: 0.6 }, exemplars: 'professional expert trusted reliable proven clear precise research' },
	},
	{
		words: ['calm', 'reassuring', 'trustworthy', 'trusted', 'steady', 'measured', 'serene', 'confident', 'safe', 'secure', 'dependable', 'reliable', 'soothing', 'gentle', 'mindful'],
		d: { caps: { fear: 0.1, shouting: 0.25, hostility: 0.1 }, exemplars: 'calm steady trusted safe secure reliable reassure confident peace gentle' },
	},
	{
		words: ['playful', 'fun', 'witty', 'humorous', 'cheeky', 'quirky', 'lighthearted', 'light-hearted', 'funny', 'silly'],
		d: { caps: { sarcasm: 0.5, slang: 0.55, shouting: 0.55 }, exemplars: 'fun playful smile laugh play joy wink' },
	},
	{
		words: ['bold', 'edgy', 'irreverent', 'provocative', 'rebellious', 'daring', 'gritty', 'sassy', 'brash'],
		d: { caps: { hostility: 0.35, slang: 0.6, shouting: 0.65, sarcasm: 0.5 }, exemplars: 'bold daring fearless brave loud' },
	},
	{
		words: ['energetic', 'enthusiastic', 'excited', 'exciting', 'lively', 'dynamic', 'vibrant', 'high-energy', 'punchy'],
		d: { caps: { shouting: 0.6 }, wants: ['optimism'], exemplars: 'energy exciting go lively vibrant move' },
	},
	{
		words: ['casual', 'conversational', 'relaxed', 'laid-back', 'informal', 'chatty', 'youthful'],
		d: { caps: { slang: 0.5, formality: 0.3 }, exemplars: 'hey easy chill relaxed chat' },
	},
	{
		words: ['luxurious', 'luxury', 'premium', 'sophisticated', 'elegant', 'refined', 'exclusive', 'upscale'],
		d: { caps: { slang: 0.1, shouting: 0.2, sarcasm: 0.15 }, exemplars: 'elegant refined crafted timeless luxury considered' },
	},
];

/** What a brand that declares nothing tolerates. */
export const DEFAULT_TONE_CAPS: Record<LimitedTrait, number> = {
	hostility: 0.15,
	sarcasm: 0.25,
	fear: 0.3,
	slang: 0.35,
	shouting: 0.4,
	jargon: 0.5,
	formality: 0.6,
	negativity: 0.6,
};

/** How much each trait in excess of its limit costs, at most (reached at 1/EXCESS_SLOPE of the headroom above the limit). */
const PENALTY_WEIGHTS: Record<LimitedTrait, number> = {
	hostility: 0.7,
	sarcasm: 0.55,
	fear: 0.5,
	slang: 0.45,
	shouting: 0.35,
	jargon: 0.3,
	formality: 0.25,
	negativity: 0.3,
};
const EXCESS_SLOPE = 1.5;
/** A wanted trait that is absent costs this much (short texts rarely carry it, so it is small). */
const WANT_WEIGHT = 0.08;
/** Share of the score the embedding signal may carry, at full evidence. */
const EMBEDDING_SHARE = 0.2;
/** Sum of the two similarities at which the embedding signal counts fully. */
const EMBEDDING_EVIDENCE_AT = 0.15;

export interface ToneProfile {
	caps: Record<LimitedTrait, number>;
	wants: Array<'warmth' | 'optimism'>;
	known: string[];
	unknown: string[];
	voiceReference: string;
}

/** Reads a brand tone string ("warm, optimistic, plain-spoken") into limits and wants. */
export function toneProfile(tone: string): ToneProfile {
	const words = tone
		.toLowerCase()
		.split(/[,;/&|]+|\band\b|\bbut\b|\bnot\b/)
		.flatMap((part) => {
			const t = part.trim().replace(/\s+/g, ' ');
			// "plain spoken" and "plain-spoken" are one descriptor; otherwise each word counts.
			return t === '' ? [] : DESCRIPTOR_GROUPS.some((g) => g.words.includes(t.replace(/ /g, '-'))) ? [t.replace(/ /g, '-')] : t.split(' ');
		});
	const caps = { ...DEFAULT_TONE_CAPS };
	const tighten: Partial<Record<LimitedTrait, number>> = {};
	const loosen: Partial<Record<LimitedTrait, number>> = {};
	const wants = new Set<'warmth' | 'optimism'>();
	const known: string[] = [];
	const unknown: string[] = [];
	const exemplars: string[] = [];
	for (const w of words) {
		const group = DESCRIPTOR_GROUPS.find((g) => g.words.includes(w));
		if (!group) {
			if (w.length > 2) unknown.push(w);
			continue;
		}
		known.push(w);
		exemplars.push(group.d.exemplars);
		for (const want of group.d.wants ?? []) wants.add(want);
		for (const [trait, cap] of Object.entries(group.d.caps ?? {}) as Array<[LimitedTrait, number]>) {
			if (cap < DEFAULT_TONE_CAPS[trait]) tighten[trait] = Math.min(tighten[trait] ?? 1, cap);
			else loosen[trait] = Math.max(loosen[trait] ?? 0, cap);
		}
	}
	// A declared loosening ("playful") wins over a tightening of the same trait: the brand asked for it.
	for (const trait of Object.keys(caps) as LimitedTrait[]) caps[trait] = loosen[trait] ?? tighten[trait] ?? caps[trait];
	return { caps, wants: [...wants], known, unknown, voiceReference: [tone, ...exemplars].join('. ') };
}

export interface ToneMeasurement {
	traits: Record<ToneTrait, number>;
	/** The words behind each trait, for the reason. */
	evidence: Record<ToneTrait, string[]>;
	words: number;
}

const lexiconRegex = new Map<string, RegExp>();
function termsRegex(name: string, lex: Lexicon): RegExp {
	let re = lexiconRegex.get(name);
	if (!re) {
		const terms = Object.keys(lex).sort((a, b) => b.length - a.length);
		const esc = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
		re = new RegExp(`(?<=^| )(?:${esc.join('|')})(?= |$)`, 'g');
		lexiconRegex.set(name, re);
	}
	re.lastIndex = 0;
	return re;
}

/** Saturating density: hits per twenty words (at least one "unit" of text), mapped to 0..1. */
function density(hits: number, words: number): number {
	return 1 - Math.exp((-1.2 * hits) / Math.max(1, words / 20));
}

/** Shouting: words in capitals, exclamation marks per sentence, and runs of "!!". */
function shouting(text: string, ignore: Set<string>): { value: number; evidence: string[] } {
	const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => /\p{L}/u.test(w));
	const caps = words.filter((w) => w.length >= 3 && w === w.toUpperCase() && w !== w.toLowerCase() && !ignore.has(w.toLowerCase()));
	const sentences = Math.max(1, text.split(/[.!?]+(?:\s|$)/).filter((s) => s.trim() !== '').length);
	const bangs = (text.match(/!/g) ?? []).length;
	const runs = (text.match(/[!?]{2,}/g) ?? []).length;
	const capsRatio = words.length ? caps.length / words.length : 0;
	const value = Math.min(1, capsRatio * 1.5 + Math.max(0, bangs / sentences - 0.5) * 0.6 + runs * 0.25);
	const evidence = [...caps.slice(0, 4)];
	if (runs) evidence.push(`${runs}× "!!"`);
	else if (bangs > sentences / 2) evidence.push(`${bangs}× "!"`);
	return { value, evidence };
}

/** Measures every tone trait of a text. Deterministic; no model involved. */
export function measureTone(text: string, options: { ignoreWords?: string[] } = {}): ToneMeasurement {
	const norm = normalizeForMatching(text);
	const words = norm === '' ? 0 : norm.split(' ').length;
	const traits = {} as Record<ToneTrait, number>;
	const evidence = {} as Record<ToneTrait, string[]>;
	for (const [name, lex] of Object.entries(TONE_LEXICONS) as Array<[Exclude<ToneTrait, 'shouting'>, Lexicon]>) {
		let hits = 0;
		const found: string[] = [];
		for (const m of norm.matchAll(termsRegex(name, lex))) {
			hits += lex[m[0]] ?? 0;
			if (!found.includes(m[0])) found.push(m[0]);
		}
		if (name === 'slang') {
			// Stretched words ("sooo", "yesss") are informal speech.
			const stretched = (text.match(/\p{L}*(\p{L})\1\1\p{L}*/gu) ?? []).filter((w) => !/^(?:www|xxx)$/i.test(w));
			hits += 0.5 * stretched.length;
			found.push(...stretched.slice(0, 2));
		}
		traits[name] = density(hits, words);
		evidence[name] = found;
	}
	const shout = shouting(text, new Set((options.ignoreWords ?? []).map((w) => w.toLowerCase())));
	traits.shouting = shout.value;
	evidence.shouting = shout.evidence;
	return { traits, evidence, words };
}

export interface ToneResult {
	/** 0..1, how well the text keeps to the brand voice. */
	score: number;
	reason: string;
	/** The lexicon part of the score, before the embedding signal. */
	lexical_score: number;
	/** Cosine to the brand-voice and off-voice references, and the weight the signal got (0..1). */
	embedding: { on_voice: number; off_voice: number; weight: number; provider: string };
	traits: Record<ToneTrait, number>;
	/** Traits over the brand's limit, worst first. */
	violations: Array<{ trait: ToneTrait; value: number; limit: number; penalty: number; evidence: string[] }>;
	profile: { known: string[]; unknown: string[] };
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Scores how well `text` keeps to the declared brand tone. */
export async function scoreTone(input: { text: string; tone: string; embedder: EmbeddingProvider; brandName?: string }): Promise<ToneResult> {
	const profile = toneProfile(input.tone);
	const m = measureTone(input.text, { ignoreWords: (input.brandName ?? '').split(/\s+/).filter(Boolean) });

	let lexical = 1;
	const violations: ToneResult['violations'] = [];
	for (const trait of Object.keys(profile.caps) as LimitedTrait[]) {
		const value = m.traits[trait];
		const limit = profile.caps[trait];
		if (value <= limit) continue;
		const penalty = PENALTY_WEIGHTS[trait] * Math.min(1, (EXCESS_SLOPE * (value - limit)) / Math.max(1e-6, 1 - limit));
		lexical -= penalty;
		violations.push({ trait, value: round(value), limit, penalty: round(penalty), evidence: m.evidence[trait].slice(0, 4) });
	}
	for (const want of profile.wants) lexical -= WANT_WEIGHT * (1 - m.traits[want]);
	lexical = Math.max(0, Math.min(1, lexical));
	violations.sort((a, b) => b.penalty - a.penalty);

	const { vectors, provider } = await input.embedder.embed([input.text, profile.voiceReference, OFF_VOICE_EXEMPLARS]);
	const onVoice = cosine(vectors[0], vectors[1]);
	const offVoice = cosine(vectors[0], vectors[2]);
	const on = Math.max(0, onVoice);
	const off = Math.max(0, offVoice);
	const weight = EMBEDDING_SHARE * Math.min(1, (on + off) / EMBEDDING_EVIDENCE_AT);
	const embScore = on + off === 0 ? 0.5 : 0.5 + (0.5 * (on - off)) / (on + off);
	const score = round(lexical * (1 - weight) + embScore * weight);

	const parts: string[] = [];
	const declared = profile.known.length ? profile.known.join(', ') : 'no known tone words';
	if (violations.length) {
		parts.push(
			`off-voice for "${input.tone}": ` +
				violations
					.slice(0, 3)
					.map((v) => `${v.trait} ${v.value.toFixed(2)} > ${v.limit}${v.evidence.length ? ` (${v.evidence.join(', ')})` : ''}`)
					.join('; '),
		);
	} else {
		parts.push(`keeps to "${input.tone}" (${declared})`);
	}
	const missing = profile.wants.filter((w) => m.traits[w] < 0.2);
	if (missing.length && !violations.length) parts.push(`little ${missing.join(' or ')} in the wording`);
	if (weight > 0.02) parts.push(`closer to the ${on >= off ? 'brand' : 'off-brand'} voice (${provider} cosine ${onVoice.toFixed(2)} vs ${offVoice.toFixed(2)})`);
	if (profile.unknown.length) parts.push(`tone words not in the lexicon: ${profile.unknown.join(', ')}`);

	return {
		score,
		reason: `tone ${score.toFixed(2)}: ${parts.join('; ')}`,
		lexical_score: round(lexical),
		embedding: { on_voice: round(onVoice), off_voice: round(offVoice), weight: round(weight), provider },
		traits: Object.fromEntries(TONE_TRAITS.map((t) => [t, round(m.traits[t])])) as Record<ToneTrait, number>,
		violations,
		profile: { known: profile.known, unknown: profile.unknown },
	};
}
