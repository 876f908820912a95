/**
 * Small English for the local copy templates (issue 11): a product category as a noun phrase that
 * knows its number ("an insulated hiking jacket", "insulated hiking jackets", "these running
 * shoes", "specialty coffee"), a/an by sound, plurals, and the product a campaign request's notes
 * name ("Launch of the Cloudline, a light and springy daily trainer." → name "Cloudline",
 * description "a light and springy daily trainer"). Pure functions; no model, no network.
 *
 * Notes are read sentence by sentence and a sentence that carries a restricted keyword (found by
 * the Judge's own disguise-aware matcher) is dropped whole: a word is never cut out of a sentence,
 * which would leave copy that reads wrong and may still say the forbidden thing.
 */
import { findRestrictedKeywords } from './judge/keywords';

export type GrammaticalNumber = 'singular' | 'plural' | 'mass';

export interface NounPhrase {
	/** As given, trimmed and lower-cased unless it holds a proper name. */
	text: string;
	number: GrammaticalNumber;
	/** One of it (singular countable), else the text. */
	singular: string;
	/** Many of it (plural countable), else the text. */
	plural: string;
	/** Worn or sold in pairs (shoes, gloves, jeans): "a pair of …". */
	pair: boolean;
}

/** Nouns with no plural in marketing copy: they take no article. */
const MASS_HEADS = new Set(
	(
		'coffee tea skincare haircare makeup software apparel clothing gear equipment furniture jewelry jewellery food wine beer water juice music ' +
		'insurance luggage footwear outerwear activewear sportswear knitwear swimwear underwear eyewear nutrition protein bread chocolate cereal ' +
		'granola milk cheese honey packaging bedding lighting decor fitness training advice'
	).split(' '),
);
/** Plural-only nouns, and those that come in pairs. */
const PAIR_HEADS = new Set(
	'shoes boots trainers sneakers sandals slippers socks gloves mittens jeans pants trousers leggings shorts tights glasses sunglasses goggles headphones earbuds skis poles'.split(
		' ',
	),
);
const IRREGULAR_PLURALS: Record<string, string> = { person: 'people', child: 'children', man: 'men', woman: 'women', foot: 'feet', tooth: 'teeth', mouse: 'mice', knife: 'knives', life: 'lives', leaf: 'leaves', shelf: 'shelves', wolf: 'wolves' };
const IRREGULAR_SINGULARS: Record<string, string> = Object.fromEntries(Object.entries(IRREGULAR_PLURALS).map(([s, p]) => [p, s]));

/** "jacket" → "jackets", "box" → "boxes", "berry" → "berries", "person" → "people". */
export function pluralize(word: string): string {
	const lower = word.toLowerCase();
	if (IRREGULAR_PLURALS[lower]) return matchCase(word, IRREGULAR_PLURALS[lower]);
	if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
	if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
	return `${word}s`;
}

/** "jackets" → "jacket", "berries" → "berry", "boxes" → "box", "people" → "person". */
export function singularize(word: string): string {
	const lower = word.toLowerCase();
	if (IRREGULAR_SINGULARS[lower]) return matchCase(word, IRREGULAR_SINGULARS[lower]);
	if (/[^aeiou]ies$/i.test(word)) return `${word.slice(0, -3)}y`;
	if (/(x|z|ch|sh|ss)es$/i.test(word)) return word.slice(0, -2);
	if (/[^su]s$/i.test(word)) return word.slice(0, -1);
	return word;
}

function matchCase(model: string, word: string): string {
	return /^[A-Z]/.test(model) ? word.charAt(0).toUpperCase() + word.slice(1) : word;
}

/** The last word of a phrase before any "for …", "with …", "of …" tail: the word that carries the number. */
function headOf(phrase: string): { before: string; head: string; after: string } {
	const m = /^(.*?)(\s+(?:for|with|of|from|in|on|that|which|made)\s.*)?$/i.exec(phrase.trim());
	const core = (m?.[1] ?? phrase).trim();
	const after = m?.[2] ?? '';
	const i = core.lastIndexOf(' ');
	return { before: i < 0 ? '' : core.slice(0, i + 1), head: i < 0 ? core : core.slice(i + 1), after };
}

/** A product category as a noun phrase that knows its number. */
export function nounPhrase(category: string): NounPhrase {
	const raw = category.trim().replace(/\s+/g, ' ');
	const text = /\b[A-Z][a-z]+[A-Z]|\b[A-Z]{2,}/.test(raw) ? raw : raw.toLowerCase();
	const { before, head, after } = headOf(text);
	const h = head.toLowerCase();
	if (!h) return { text: 'product', number: 'singular', singular: 'product', plural: 'products', pair: false };
	if (MASS_HEADS.has(h)) return { text, number: 'mass', singular: text, plural: text, pair: false };
	if (PAIR_HEADS.has(h)) return { text, number: 'plural', singular: text, plural: text, pair: true };
	const looksPlural = (/[^su]s$/i.test(h) || IRREGULAR_SINGULARS[h] !== undefined) && !/(ss|us|is)$/i.test(h);
	if (looksPlural) return { text, number: 'plural', singular: `${before}${singularize(head)}${after}`, plural: text, pair: false };
	return { text, number: 'singular', singular: text, plural: `${before}${pluralize(head)}${after}`, pair: false };
}

/** "a" or "an" for a word by its sound: an hour, a unicorn, an MBA, a one-off, an e-bike. */
export function indefiniteArticle(phrase: string): 'a' | 'an' {
	const first = phrase.trim().split(/[\s-]/)[0] ?? '';
	const w = first.toLowerCase();
	if (!w) return 'a';
	// Initialisms are read letter by letter: an MBA, an SUV, a UX review.
	if (/^[A-Z]{2,}$/.test(first)) return /^[AEFHILMNORSX]/.test(first) ? 'an' : 'a';
	if (/^(hour|honest|honou?r|heir)/.test(w)) return 'an';
	if (/^(uni|use|usu|ura|uro|eu|ewe|one|once|u[bcfhjkqrstn][aeiou])/.test(w) && !/^(unh|uni[mn]|unin)/.test(w)) return 'a';
	if (/^[aeiou]/.test(w)) return 'an';
	if (/^[0-9]/.test(w)) return /^(8|11|18)/.test(w) ? 'an' : 'a';
	return 'a';
}

/** The phrase with "a"/"an" in front. */
export function withIndefinite(phrase: string): string {
	return `${indefiniteArticle(phrase)} ${phrase}`;
}

/** The category as a topic: "insulated hiking jackets", "running shoes", "specialty coffee". */
export function generic(np: NounPhrase): string {
	return np.number === 'mass' ? np.text : np.plural;
}

/** One of it: "an insulated hiking jacket", "a pair of running shoes", "specialty coffee". */
export function indefinite(np: NounPhrase): string {
	if (np.number === 'mass') return np.text;
	if (np.pair) return `a pair of ${np.plural}`;
	if (np.number === 'plural') return np.plural;
	return withIndefinite(np.singular);
}

/** "this jacket" / "these running shoes" / "this specialty coffee". */
export function demonstrative(np: NounPhrase): string {
	return `${np.number === 'plural' ? 'these' : 'this'} ${np.number === 'plural' ? np.plural : np.singular}`;
}

/** "is" or "are" for the phrase as a subject. */
export function isAre(np: NounPhrase): 'is' | 'are' {
	return np.number === 'plural' ? 'are' : 'is';
}

/** "one" / "pair" / "bag": what "another …" counts. */
export function unitOf(np: NounPhrase): string {
	if (np.pair) return 'pair';
	if (np.number === 'mass') return 'kind';
	return 'one';
}

// ---------------------------------------------------------------------------------------- notes

export interface ProductFacts {
	/** The product's name, when the notes give one ("Cloudline", "Ridgeline Parka"). */
	name?: string;
	/** What it is, as an indefinite noun phrase ("a light and springy daily trainer"). */
	description?: string;
	/** Other clean sentences of the notes, as written (for details and settings). */
	details: string[];
	/** Sentences dropped because they carry a restricted keyword. */
	dropped: string[];
}

/** The sentences of a text (., !, ? or a line break end one). */
export function sentences(text: string): string[] {
	return text
		.split(/(?<=[.!?])\s+|\n+/)
		.map((s) => s.trim())
		.filter(Boolean);
}

/** True when the text carries none of the restricted keywords (the Judge's matcher: disguises count). */
export function isClean(text: string, restricted: readonly string[]): boolean {
	return restricted.length === 0 || findRestrictedKeywords(text, restricted).length === 0;
}

/** The text without the sentences that carry a restricted keyword (whole sentences go, never single words). */
export function dropRestrictedSentences(text: string, restricted: readonly string[]): string {
	if (isClean(text, restricted)) return text;
	return text
		.split(/(\n\n+)/)
		.map((block) => (/^\n+$/.test(block) ? block : sentences(block).filter((s) => isClean(s, restricted)).join(' ')))
		.join('')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

const LEAD_WORDS = /^(introducing|meet|launch(?:ing)?(?: of)?|new|announcing|presenting|say hello to)\b[:\s]*/i;
const NAME = /(?:^|\bthe\s+|\bcalled\s+|\bnamed\s+)((?:[A-Z][\p{L}\d'’-]*)(?:\s+(?:[A-Z][\p{L}\d'’-]*|\d+))*)/u;

/**
 * The product a request's notes name, its description, and the other clean sentences. Sentences
 * with a restricted keyword are dropped first; words of the brand's name are never the product's.
 */
export function productFromNotes(notes: string | undefined, opts: { brandName?: string; restricted?: readonly string[] } = {}): ProductFacts {
	const restricted = opts.restricted ?? [];
	const all = sentences(notes ?? '');
	const dropped = all.filter((s) => !isClean(s, restricted));
	const clean = all.filter((s) => isClean(s, restricted));
	const brandWords = new Set((opts.brandName ?? '').toLowerCase().split(/\W+/).filter(Boolean));
	let name: string | undefined;
	let description: string | undefined;
	const details: string[] = [];
	for (const s of clean) {
		if (!name) {
			const body = s.replace(LEAD_WORDS, '');
			const quoted = /["“]([^"”]{2,40})["”]/.exec(body)?.[1];
			const m = quoted ? null : NAME.exec(body);
			const candidate = (quoted ?? m?.[1] ?? '').trim();
			const words = candidate.split(/\s+/).filter(Boolean);
			const own = words.filter((w) => !brandWords.has(w.toLowerCase().replace(/[^\p{L}\d]/gu, '')));
			if (candidate && own.length === words.length && words.length <= 4 && !/^(The|A|An|Our|We|It|This|Morning|Cold)$/.test(words[0])) {
				name = candidate;
				const after = body.slice(body.indexOf(candidate) + candidate.length);
				const appositive = /^\s*(?:,|:|—|–|-|\bis\b)\s*((?:an?|the)\s+[^.;!?]+?)\s*(?:[.;!?]|$)/i.exec(after);
				if (appositive) description = appositive[1].replace(/^the\s+/i, (t) => t.toLowerCase()).replace(/,\s*$/, '');
				continue;
			}
		}
		details.push(s);
	}
	return { ...(name ? { name } : {}), ...(description ? { description } : {}), details, dropped };
}

/**
 * A detail sentence of the notes as a line of voiceover: a fragment ("Morning city runs.") becomes
 * "Made for morning city runs."; a predicate without a subject ("Packs into its own pocket.")
 * gets one ("It packs into its own pocket."); a full sentence stays.
 */
export function detailLine(detail: string, subject = 'It'): string {
	const s = detail.trim().replace(/[.!?]+$/, '');
	if (!s) return '';
	const [first, ...rest] = s.split(/\s+/);
	if (/^(packs|keeps|weighs|comes|fits|folds|has|holds|dries|breathes|stretches|lasts|works|ships|blocks|moves|runs|feels|uses|stores|warms|cools)$/i.test(first)) {
		return `${subject} ${first.toLowerCase()} ${rest.join(' ')}.`.replace(/\s+\./, '.');
	}
	const pronoun = /^(it|we|you|they|he|she|i|this|these|our|your|every|each)$/i.test(first);
	const verbish = /\b(is|are|was|were|has|have|can|will|makes?|keeps?|gives?|lets?|takes?|brings?)\b/i.test(s);
	if (!pronoun && !verbish && rest.length <= 7) return `Made for ${first.toLowerCase()}${rest.length ? ` ${rest.join(' ')}` : ''}.`;
	return `${s}.`;
}
