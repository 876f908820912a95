/**
 * Restricted-keyword scanning that sees through the usual disguises, and the text normaliser the
 * local moderation rules share with it.
 *
 * The text is read as a sequence of letter-like units (each with the letters it may stand for and
 * its span in the original string) separated by gaps (nothing, joiner punctuation, whitespace,
 * other punctuation). A keyword matches when its letters can be read off consecutive units:
 * - case, diacritics (NFKD, combining marks dropped) and compatibility forms (fullwidth,
 *   mathematical alphanumerics, circled letters, ligatures) fold to plain letters;
 * - homoglyphs fold through a confusables table for a–z (Cyrillic, Greek, Armenian, Cherokee,
 *   Coptic look-alikes and the Latin small capitals, from Unicode's confusables.txt), plus the
 *   letter-emoji blocks (regional indicators, negative circled and squared letters) and the
 *   digraphs "rn" (m) and "vv" (w);
 * - leetspeak digits and symbols stand for every letter they are used for (1 is i or l, | is l or
 *   i, 9 is g or q…), the search tries each reading; `*` masks one inner letter;
 * - zero-width and other invisible characters are ignored;
 * - a letter may repeat (cheeeap);
 * - letters may be spread out with spaces, dots, dashes or underscores (c h e a p, c.h.e.a.p).
 *
 * Word-boundary rules, which keep innocent words clean:
 * - A match starts at a word start: the beginning of the text, after whitespace or punctuation,
 *   or after a symbol that may be punctuation. So "class", "bass" and "scheap" never match "ass" or
 *   "cheap". Exception: a keyword of four or more letters may follow one of a few intensifying
 *   prefixes glued to it (supercheap, megacheap); short keywords never, since a short keyword
 *   inside a longer word is nearly always an accident.
 * - A match ends at a word end, or is followed only by an inflection (s, es, ed, er, est, ing, ly,
 *   ness…): "cheapest" and "guaranteed" match, "assistant", "assessment" and "Cheapside" do not.
 *   Derivations that change the keyword's own letters ("miraculous") are not caught.
 * - Whitespace inside a match is accepted only where the keyword itself has a word break (the
 *   phrase "risk free" matches "risk-free", "riskfree" and "risk free"), or when every letter of
 *   the match stands alone (c h e a p), which innocent text does not do. In a spread-out run the
 *   run must end where the keyword ends (plus an inflection): "a s s e s s m e n t" is not "ass".
 *   A wider gap than the one between the letters ends a word ("a s s  i s" matches); a keyword
 *   of five or more letters may also run on into the next spread-out word ("c h e a p d e a l s").
 *   Commas, quotes, apostrophes and sentence punctuation between words never join them, so
 *   "no risk. Free returns" is not "risk-free" and "he'll" is not "hell".
 *   Joiner punctuation (. - _ / ~ ·) inside a word is ignored (ch.eap, gu-arantee).
 */

export type Technique =
	| 'exact'
	| 'case'
	| 'diacritics'
	| 'homoglyph'
	| 'leetspeak'
	| 'masked'
	| 'separators'
	| 'zero_width'
	| 'repeated_letters'
	| 'inflection'
	| 'compound';

export interface KeywordMatch {
	/** The restricted keyword as given. */
	keyword: string;
	/** The original text of the match, `text.slice(start, end)`. */
	matched: string;
	/** UTF-16 offsets into the original text. */
	start: number;
	end: number;
	/** How the keyword was disguised; `['exact']` when it was written plainly. */
	technique: Technique[];
}

// ------------------------------------------------------------------------------------- tables

/** Letters Unicode's confusables.txt lists as look-alikes of a–z (and not folded by NFKD). */
const CONFUSABLES: Record<string, string> = {
	a: '\u0430\u0251\u03B1\u237A\u1D00\u0410\u0391\u13AA', // Apl, Cherokee, Cyrillic, Greek, Latin
	b: '\u0184\u042C\u044C\u0412\u0432\u0392\u0299\u13F4\u15AF', // Canadian, Cherokee, Cyrillic, Greek, Latin
	c: '\u0441\u03F2\u03C2\u1D04\u0421\u03F9\u2CA5\u13DF', // Cherokee, Coptic, Cyrillic, Greek, Latin
	d: '\u0501\u0500\u13E7\u146F\u1D05', // Canadian, Cherokee, Cyrillic, Latin
	e: '\u0435\u04BD\u212E\u0415\u0395\u03B5\u1D07\u13AC\u2C89', // Cherokee, Coptic, Cyrillic, Estimated sign, Greek, Latin
	f: '\u03DC\u1E9D\uA730', // Greek, Latin
	g: '\u0261\u0581\u050C\u0262\u13C0\u01E5', // Armenian, Cherokee, Cyrillic, Latin
	h: '\u04BB\u0570\u041D\u043D\u0397\u029C\u13BB', // Armenian, Cherokee, Cyrillic, Greek, Latin
	i: '\u0456\u0131\u0269\u03B9\u026A\u13A5\u04CF', // Cherokee, Cyrillic, Greek, Latin
	j: '\u0458\u03F3\u0408\u1D0A\u13AB', // Cherokee, Cyrillic, Greek, Latin
	k: '\u03BA\u043A\u041A\u039A\u1D0B\u13E6\u2C95', // Cherokee, Coptic, Cyrillic, Greek, Latin
	l: '\u029F\u13DE', // Cherokee, Latin
	m: '\u043C\u041C\u039C\u1D0D\u13B7', // Cherokee, Cyrillic, Greek, Latin
	n: '\u0578\u043F\u039D\u03B7\u0274\u057C', // Armenian, Cyrillic, Greek, Latin
	o: '\u043E\u03BF\u0585\u1D0F\u03C3\u041E\u039F\u09E6\u0665\u0C66\u2C9F', // Arabic-Indic, Armenian, Bengali, Coptic, Cyrillic, Greek, Latin, Telugu
	p: '\u0440\u03C1\u2374\u0420\u03A1\u1D18\u13E2\u2CA3', // Apl, Cherokee, Coptic, Cyrillic, Greek, Latin
	q: '\u051B\u0563\u0566', // Armenian, Cyrillic
	r: '\u0433\u1D26\u0280\u13A1\uAB47', // Cherokee, Cyrillic, Greek, Latin
	s: '\u0455\uA731\u0405\u13DA\u01BD', // Cherokee, Cyrillic, Latin
	t: '\u0442\u0422\u03A4\u03C4\u1D1B\u13A2', // Cherokee, Cyrillic, Greek, Latin
	u: '\u03C5\u057D\u1D1C\u03BC\u0446\u057A', // Armenian, Cyrillic, Greek, Latin
	v: '\u03BD\u0475\u1D20\u0474\u2228\u13D9', // Cherokee, Cyrillic, Greek, Latin, logical or
	w: '\u051D\u0461\u1D21\u051C\u03C9\u13B3\u0448', // Cherokee, Cyrillic, Greek, Latin
	x: '\u0445\u03C7\u0425\u03A7\u00D7\u2573', // box drawing, Cyrillic, Greek, multiplication sign
	y: '\u0443\u04AF\u03B3\u028F\u0423\u03A5\u04AE\u13A9', // Cherokee, Cyrillic, Greek, Latin
	z: '\u1D22\u0396\u13C3\u0290', // Cherokee, Greek, Latin
};
/** Capital-I shapes: read as i or l, like a Latin capital I. */
const I_OR_L = '\u0406\u0399\u04C0\u01C0'; // Cyrillic І, Greek Ι, Cyrillic palochka, Latin dental click

/** Leetspeak: digits and symbols, with every letter each is commonly used for. */
const LEET: Record<string, string> = {
	'0': 'o',
	'1': 'il',
	'2': 'z',
	'3': 'e',
	'4': 'a',
	'5': 's',
	'6': 'gb',
	'7': 'tl',
	'8': 'b',
	'9': 'gq',
	'@': 'a',
	$: 's',
	'!': 'il',
	'|': 'li',
	'(': 'c',
	'[': 'c',
	'{': 'c',
	'<': 'c',
	'¢': 'c',
	'€': 'e',
	'£': 'l',
	'¥': 'y',
	'§': 's',
	'+': 't',
	'#': 'h',
	'^': 'a',
};

/** Leet symbols that also stand for a letter at the start of a word ("$ell", "@ss"). */
const WORD_START_LEET = new Set(['$', '@', '|', '5']);

/** Characters that vanish: zero-width spaces and joiners, soft hyphen, bidi controls, fillers, variation selectors, tags. */
const INVISIBLE_RANGES: Array<[number, number]> = [
	[0x00ad, 0x00ad],
	[0x034f, 0x034f],
	[0x061c, 0x061c],
	[0x115f, 0x1160],
	[0x17b4, 0x17b5],
	[0x180b, 0x180f],
	[0x200b, 0x200f],
	[0x202a, 0x202e],
	[0x2060, 0x206f],
	[0x3164, 0x3164],
	[0xfe00, 0xfe0f],
	[0xfeff, 0xfeff],
	[0xffa0, 0xffa0],
	[0xe0000, 0xe007f],
	[0xe0100, 0xe01ef],
];
const isInvisible = (cp: number) => INVISIBLE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);

/** Punctuation that writers put between the letters of one word; it never ends a sentence or clause. */
const JOINERS = new Set(['.', '-', '_', '/', '\\', '~', '·', '•', '∙', '⋅', '‐', '‑', '‒', '–', '—', '―', '⁃', '=']);

/** Endings that keep a word the same word (inflections); a keyword followed by one still matches. */
// No "y": it derives a new word ("risky" is not the claim "no risk"), like "miraculous".
const SUFFIXES = ['s', 'es', 'ed', 'd', 'er', 'ers', 'est', 'ing', 'ings', 'ly', 'ness', 'ie', 'ies', 'en'];
/** Intensifiers glued in front of a word ("supercheap"); only for keywords of 4+ letters. */
const PREFIXES = ['super', 'ultra', 'mega', 'hyper', 'dirt', 'extra', 'uber'];
const MIN_KEYWORD_FOR_PREFIX = 4;
const MAX_SUFFIX = Math.max(...SUFFIXES.map((s) => s.length));
/**
 * A spread-out keyword of 5+ letters may run on into the next spread-out word with the same gap
 * ("c h e a p d e a l s"); a shorter one may not, since "a s s e s s" is far likelier than a
 * deliberately spread-out three-letter word glued to another.
 */
const MIN_KEYWORD_FOR_RUN_ON = 5;

// ------------------------------------------------------------------------------- units

const GAP_NONE = 0;
const GAP_JOINER = 1;
const GAP_SPACE = 2;
const GAP_HARD = 3;
type Gap = 0 | 1 | 2 | 3;

const F_CASE = 1;
const F_DIACRITICS = 2;
const F_HOMOGLYPH = 4;
const F_ZERO_WIDTH = 8;

interface Alt {
	ch: string;
	/** Set when this reading is itself a disguise (a digit read as a letter, l read as i). */
	tech?: 'leetspeak' | 'homoglyph';
}

/** One letter-like character of the text (or one letter of a character that expands, like ﬁ). */
export interface Unit {
	alts: Alt[];
	kind: 'letter' | 'digit' | 'symbol' | 'wildcard';
	/** For symbols: the character itself. */
	sym?: string;
	/** The gap it makes when a symbol or wildcard is read as punctuation instead. */
	skipGap: Gap;
	start: number;
	end: number;
	/** The separators between the previous unit and this one. */
	gapBefore: Gap;
	/** How many characters those separators were: a wider gap ends a spread-out word. */
	gapWidth: number;
	flags: number;
}

const HOMOGLYPH_TABLE = new Map<string, string>();
for (const [letter, chars] of Object.entries(CONFUSABLES)) for (const c of chars) HOMOGLYPH_TABLE.set(c, letter);
for (const c of I_OR_L) HOMOGLYPH_TABLE.set(c, 'il');

/** Letter emoji with no decomposition: regional indicators, negative circled and negative squared capitals. */
function letterEmoji(cp: number): string | undefined {
	for (const base of [0x1f1e6, 0x1f150, 0x1f170]) {
		if (cp >= base && cp < base + 26) return String.fromCharCode(97 + cp - base);
	}
	return undefined;
}

type Piece =
	| { type: 'unit'; alts: Alt[]; kind: Unit['kind']; skipGap: Gap; flags: number; sym?: string }
	| { type: 'gap'; gap: Gap }
	| { type: 'mark' }
	| { type: 'invisible' };

function letterPiece(letters: string, flags: number): Piece {
	return { type: 'unit', alts: [...letters].map((ch) => ({ ch })), kind: 'letter', skipGap: GAP_HARD, flags };
}

/** What one character of the text is, as zero or more pieces. */
function classify(ch: string, depth = 0): Piece[] {
	if (isInvisible(ch.codePointAt(0) ?? 0)) return [{ type: 'invisible' }];
	if (/^\p{M}$/u.test(ch)) return [{ type: 'mark' }];
	if (/^\s$/u.test(ch)) return [{ type: 'gap', gap: GAP_SPACE }];
	const homoglyph = HOMOGLYPH_TABLE.get(ch) ?? letterEmoji(ch.codePointAt(0) ?? 0);
	if (homoglyph) return [letterPiece(homoglyph, F_HOMOGLYPH)];
	if (/^[a-z]$/.test(ch)) {
		// A lower-case l is read as i too: "mlracle" for "miracle".
		const alts: Alt[] = ch === 'l' ? [{ ch }, { ch: 'i', tech: 'homoglyph' }] : [{ ch }];
		return [{ type: 'unit', alts, kind: 'letter', skipGap: GAP_HARD, flags: 0 }];
	}
	if (/^[A-Z]$/.test(ch)) {
		const lower = ch.toLowerCase();
		// A capital I is also the shape of a lower-case l: "MIRACIE".
		const alts: Alt[] = ch === 'I' ? [{ ch: 'i' }, { ch: 'l', tech: 'homoglyph' }] : [{ ch: lower }];
		return [{ type: 'unit', alts, kind: 'letter', skipGap: GAP_HARD, flags: F_CASE }];
	}
	if (/^[0-9]$/.test(ch)) {
		const alts: Alt[] = [{ ch }, ...[...(LEET[ch] ?? '')].map((l): Alt => ({ ch: l, tech: 'leetspeak' }))];
		return [{ type: 'unit', alts, kind: 'digit', skipGap: GAP_HARD, flags: 0 }];
	}
	if (LEET[ch]) {
		return [
			{ type: 'unit', alts: [...LEET[ch]].map((l): Alt => ({ ch: l, tech: 'leetspeak' })), kind: 'symbol', sym: ch, skipGap: ch === '@' || ch === '+' ? GAP_JOINER : GAP_HARD, flags: 0 },
		];
	}
	if (ch === '*') return [{ type: 'unit', alts: [], kind: 'wildcard', skipGap: GAP_JOINER, flags: 0 }];
	if (JOINERS.has(ch)) return [{ type: 'gap', gap: GAP_JOINER }];

	// Compatibility and canonical decompositions: fullwidth, mathematical, circled, accented letters.
	const nfkd = ch.normalize('NFKD');
	if (nfkd !== ch && depth === 0) {
		const compat = ch.normalize('NFD') !== nfkd;
		const extra = (/\p{M}/u.test(nfkd) ? F_DIACRITICS : 0) | (compat ? F_HOMOGLYPH : 0);
		let base = nfkd.replace(/\p{M}/gu, '');
		// Parenthesised letters (⒞) decompose to "(c)"; the parentheses are part of the glyph.
		const paren = compat ? /^\((.+)\)$/.exec(base) : null;
		if (paren) base = paren[1];
		const out: Piece[] = [];
		for (const c of base) {
			for (const piece of classify(c, depth + 1)) out.push(piece.type === 'unit' ? { ...piece, flags: piece.flags | extra } : piece);
		}
		if (out.length > 0) return out;
	}
	if (/^[\p{L}\p{N}]$/u.test(ch)) {
		const lower = ch.toLowerCase();
		return [{ type: 'unit', alts: [{ ch: lower }], kind: 'letter', skipGap: GAP_HARD, flags: lower !== ch ? F_CASE : 0 }];
	}
	return [{ type: 'gap', gap: GAP_HARD }];
}

/** Reads the text into letter-like units with the gaps between them, keeping original offsets. */
export function segment(text: string): Unit[] {
	const units: Unit[] = [];
	let gap: Gap = GAP_NONE;
	let width = 0;
	let dot = false;
	let invisible = false;
	let offset = 0;
	for (const ch of text) {
		const start = offset;
		offset += ch.length;
		for (const piece of classify(ch)) {
			if (piece.type === 'invisible') {
				invisible = true;
			} else if (piece.type === 'mark') {
				// A separate combining mark belongs to the letter before it.
				const prev = units[units.length - 1];
				if (prev && gap === GAP_NONE && prev.end === start) {
					prev.end = offset;
					prev.flags |= F_DIACRITICS;
				}
			} else if (piece.type === 'gap') {
				gap = Math.max(gap, piece.gap) as Gap;
				width += ch.length;
				dot ||= ch === '.';
			} else {
				// A dot next to whitespace ends a sentence: it separates like a comma, never joins.
				if (dot && gap === GAP_SPACE) gap = GAP_HARD;
				units.push({
					alts: piece.alts,
					kind: piece.kind,
					sym: piece.sym,
					skipGap: piece.skipGap,
					start,
					end: offset,
					gapBefore: units.length === 0 ? GAP_HARD : gap,
					gapWidth: width,
					flags: piece.flags | (invisible ? F_ZERO_WIDTH : 0),
				});
				gap = GAP_NONE;
				width = 0;
				dot = false;
				invisible = false;
			}
		}
	}
	return units;
}

// --------------------------------------------------------------------------- normaliser

const isSoloGroup = (units: Unit[], i: number) =>
	units[i].gapBefore !== GAP_NONE && (i + 1 >= units.length || units[i + 1].gapBefore !== GAP_NONE);

/**
 * The canonical reading of a text for rule matching (shared with the local moderation rules):
 * lower-case plain letters, homoglyphs and accents folded, invisible characters dropped,
 * leetspeak read as letters inside words that contain letters (so "k1ll" is "kill" but "10 tips"
 * keeps its digits), letters spread out with separators joined back (c.h.e.a.p is "cheap"), and
 * words separated by single spaces. Apostrophes split words ("don't" reads "don t").
 */
export function normalizeForMatching(text: string): string {
	const units = segment(text);
	// Words: runs of units with no gap between them.
	const words: Unit[][] = [];
	for (let i = 0; i < units.length; i++) {
		if (i === 0 || units[i].gapBefore !== GAP_NONE) words.push([]);
		words[words.length - 1].push(units[i]);
	}
	// "1", "|" and "!" read as i, except in pairs, which are nearly always "ll" (ki11, he||).
	const iOrL = (u: Unit | undefined) => !!u && u.kind !== 'letter' && !!readsAs(u, 'i') && !!readsAs(u, 'l');
	const read = (word: Unit[]): string => {
		const hasLetter = word.some((u) => u.kind === 'letter');
		return word
			.map((u, i) => {
				if (u.kind === 'letter') return u.alts[0].ch;
				if (hasLetter && iOrL(u) && (iOrL(word[i - 1]) || iOrL(word[i + 1]))) return 'l';
				if (u.kind === 'digit') return hasLetter && u.alts.length > 1 ? u.alts[1].ch : u.alts[0].ch;
				if (u.kind === 'wildcard') return '*';
				// A symbol is a letter inside a word ("h@te") or, for a few, at its start ("$ell");
				// brackets and marks at a word's edge are punctuation.
				const inside = i > 0 && i < word.length - 1;
				return hasLetter && (inside || (i === 0 && WORD_START_LEET.has(u.sym ?? ''))) ? u.alts[0].ch : '';
			})
			.join('');
	};
	const out: string[] = [];
	let i = 0;
	while (i < words.length) {
		// A run of three or more one-letter words is spread-out text: join its letters, and split
		// it into words only where a gap is wider than the narrowest one ("W e   w i l l").
		let j = i;
		while (j < words.length && words[j].length === 1) j++;
		if (j - i >= 3) {
			const widths = words.slice(i + 1, j).map((w) => w[0].gapWidth);
			const narrow = Math.min(...widths);
			let word = read(words[i]);
			for (let t = i + 1; t < j; t++) {
				if (words[t][0].gapWidth > narrow) {
					out.push(word);
					word = '';
				}
				word += read(words[t]);
			}
			out.push(word);
			i = j;
		} else {
			out.push(read(words[i]));
			i++;
		}
	}
	return out.filter(Boolean).join(' ');
}

// ----------------------------------------------------------------------------- matching

interface Pattern {
	keyword: string;
	chars: string[];
	/** breakBefore[k]: the keyword has a word break before its k-th letter ("risk|free"). */
	breakBefore: boolean[];
}

function compile(keyword: string): Pattern | null {
	const chars: string[] = [];
	const breakBefore: boolean[] = [];
	let pendingBreak = false;
	for (const u of segment(keyword)) {
		if (u.kind === 'wildcard') continue;
		if (u.gapBefore !== GAP_NONE && chars.length > 0) pendingBreak = true;
		// A keyword's digits are digits ("7up"); its letters are read plainly.
		chars.push(u.alts[0].ch);
		breakBefore.push(pendingBreak);
		pendingBreak = false;
	}
	return chars.length === 0 ? null : { keyword, chars, breakBefore };
}

interface Step {
	u: number;
	/** Index of the last unit this step consumed (digraphs consume two). */
	last: number;
	k: number;
	gap: Gap;
	repeat: boolean;
	tech?: Alt['tech'] | 'masked';
}

interface Candidate {
	start: number;
	end: number;
	techniques: Set<Technique>;
	cost: number;
}

const readsAs = (unit: Unit, ch: string): Alt | undefined => unit.alts.find((a) => a.ch === ch);

/**
 * Whether units[from..to) spell `word` exactly, and whether leetspeak was needed. No repeated
 * letters: "assess" is not "ass" + "es".
 */
function spells(units: Unit[], from: number, to: number, word: string): { ok: boolean; leet: boolean } {
	const go = (u: number, k: number, leet: boolean): { ok: boolean; leet: boolean } => {
		if (u === to) return { ok: k === word.length, leet };
		const unit = units[u];
		const alt = k < word.length ? readsAs(unit, word[k]) : undefined;
		return alt ? go(u + 1, k + 1, leet || alt.tech === 'leetspeak') : { ok: false, leet };
	};
	return go(from, 0, false);
}

const maxWildcards = (n: number) => (n < 4 ? 0 : n < 8 ? 1 : 2);
/** Repeats of one letter followed (cheeeeap); a cap keeps the search shallow on "eeee…" inputs. */
const MAX_REPEATS = 64;
/** Repeats of a letter across separators ("c h e e a p"). */
const MAX_CROSS_REPEATS = 3;
/** A cap on search states per start position, against pathological inputs. */
const MAX_STATES = 4000;

/** Every way the keyword's letters can be read from units[i0...]; each path ends on its last keyword letter. */
function searchPaths(units: Unit[], i0: number, p: Pattern, visit: (steps: Step[]) => void): void {
	const n = p.chars.length;
	const steps: Step[] = [];
	// Each search state is explored once per start: the same position in the text and in the
	// keyword, reached by a path of the same shape, has the same futures whichever reading led
	// there (the first found is the plainest: letters are tried before repeats, readings before skips).
	const seen = new Set<string>();
	interface State {
		u: number;
		k: number;
		lastK: number;
		/** Gap made by symbols skipped as punctuation since the last step. */
		pend: Gap;
		wild: number;
		reps: number;
		/** Repeats across a separator ("c h e e a p"); capped low, they are rare and costly to search. */
		crossReps: number;
		/** The path crossed whitespace or hard punctuation where the keyword has no break: only a spread-out match can do that. */
		needsSpread: boolean;
		/** The path has a piece of two different keyword letters, so it is not spread out. */
		notSpread: boolean;
	}
	const go = (st: State) => {
		const { u, k, lastK, pend, wild, reps } = st;
		if (u >= units.length || (st.needsSpread && st.notSpread)) return;
		const key = `${u},${k},${lastK},${pend},${wild},${Math.min(reps, 1)},${st.crossReps},${Number(st.needsSpread)},${Number(st.notSpread)}`;
		if (seen.has(key) || seen.size > MAX_STATES) return;
		seen.add(key);
		const unit = units[u];
		const gap = steps.length === 0 ? GAP_NONE : (Math.max(unit.gapBefore, pend) as Gap);
		const push = (s: Step, nextK: number, nextWild: number) => {
			const aligned = !s.repeat && p.breakBefore[s.k] && gap === GAP_SPACE;
			steps.push(s);
			if (nextK === n) visit(steps);
			go({
				u: s.last + 1,
				k: nextK,
				lastK: s.k,
				pend: GAP_NONE,
				wild: nextWild,
				reps: s.repeat ? reps + 1 : 0,
				crossReps: st.crossReps + (s.repeat && gap !== GAP_NONE ? 1 : 0),
				needsSpread: st.needsSpread || (gap >= GAP_SPACE && !aligned),
				notSpread: st.notSpread || s.last !== s.u || (steps.length > 1 && gap === GAP_NONE && !s.repeat),
			});
			steps.pop();
		};
		if (k < n) {
			const alt = readsAs(unit, p.chars[k]);
			if (alt) push({ u, last: u, k, gap, repeat: false, tech: alt.tech }, k + 1, wild);
			else if (unit.kind === 'wildcard' && k > 0 && wild < maxWildcards(n)) push({ u, last: u, k, gap, repeat: false, tech: 'masked' }, k + 1, wild + 1);
			// Digraph look-alikes: "rn" for m, "vv" for w.
			const next = units[u + 1];
			const digraph = p.chars[k] === 'm' ? ['r', 'n'] : p.chars[k] === 'w' ? ['v', 'v'] : null;
			if (digraph && next && next.gapBefore === GAP_NONE && readsAs(unit, digraph[0]) && readsAs(next, digraph[1])) {
				push({ u, last: u + 1, k, gap, repeat: false, tech: 'homoglyph' }, k + 1, wild);
			}
		}
		if (lastK >= 0 && reps < MAX_REPEATS && (gap === GAP_NONE || st.crossReps < MAX_CROSS_REPEATS)) {
			const alt = readsAs(unit, p.chars[lastK]);
			if (alt) push({ u, last: u, k: lastK, gap, repeat: true, tech: alt.tech }, k, wild);
		}
		// A symbol may be punctuation rather than a letter ("ch!eap" as a separator is judged below).
		if ((unit.kind === 'symbol' || unit.kind === 'wildcard') && steps.length > 0) go({ ...st, u: u + 1, pend: Math.max(gap, unit.skipGap) as Gap });
	};
	go({ u: i0, k: 0, lastK: -1, pend: GAP_NONE, wild: 0, reps: 0, crossReps: 0, needsSpread: false, notSpread: false });
}

/** Index of the first unit after units[from] that starts a new word (or units.length). */
function wordEnd(units: Unit[], from: number): number {
	let j = from;
	while (j < units.length && units[j].gapBefore === GAP_NONE) j++;
	return j;
}

/** Checks a path against the word-boundary rules; returns the candidate match or null. */
function judgePath(units: Unit[], p: Pattern, steps: Step[], prefixLen: number): Candidate | null {
	const first = steps[0];
	const last = steps[steps.length - 1];
	// Groups: pieces of the match separated by any gap. Spread-out when each piece is one letter.
	let spread = true;
	let groupK = first.k;
	let innerWidth = 0;
	let innerGap: Gap = GAP_NONE;
	for (let s = 1; s < steps.length; s++) {
		if (steps[s].gap !== GAP_NONE) {
			groupK = steps[s].k;
			innerWidth = Math.max(innerWidth, units[steps[s].u].gapWidth);
			innerGap = Math.max(innerGap, steps[s].gap) as Gap;
		} else if (steps[s].k !== groupK || steps[s].u !== steps[s - 1].last + 1) {
			spread = false;
		}
		if (steps[s].last !== steps[s].u) spread = false;
	}
	if (innerGap === GAP_NONE) spread = false;
	let separators = false;
	for (let s = 1; s < steps.length; s++) {
		const { gap, repeat, k } = steps[s];
		if (gap === GAP_NONE) continue;
		const aligned = !repeat && p.breakBefore[k];
		if (spread) separators = true;
		else if (gap === GAP_JOINER) separators ||= !aligned;
		else if (gap === GAP_SPACE && aligned) continue;
		else return null;
	}

	const techniques = new Set<Technique>();
	let end = units[last.last].end;
	let start = units[first.u].start;
	const after = last.last + 1;
	if (spread) {
		// The spread-out run must not go on past the keyword (ass in "a s s e s s m e n t"), nor start before it.
		const continues = (i: number) =>
			i < units.length &&
			units[i].gapBefore !== GAP_NONE &&
			units[i].gapWidth <= innerWidth &&
			Math.max(units[i].gapBefore, GAP_JOINER) <= Math.max(innerGap, GAP_JOINER) &&
			isSoloGroup(units, i);
		if (continues(after)) {
			// Only a run short enough to be an inflection matters; longer is simply "runs on".
			let j = after;
			while (j - after <= MAX_SUFFIX && continues(j)) j++;
			const tail = units.slice(after, j);
			const joined: Unit[] = tail.map((u) => ({ ...u, gapBefore: GAP_NONE }));
			const suffix = SUFFIXES.find((sfx) => spells(joined, 0, joined.length, sfx).ok);
			if (suffix) {
				techniques.add('inflection');
				end = units[j - 1].end;
			} else if (p.chars.length < MIN_KEYWORD_FOR_RUN_ON) {
				return null;
			}
		} else if (after < units.length && units[after].gapBefore === GAP_NONE && units[after].kind !== 'symbol') {
			return null;
		}
		const before = first.u - 1;
		if (p.chars.length < MIN_KEYWORD_FOR_RUN_ON && before >= 0 && units[first.u].gapWidth <= innerWidth && isSoloGroup(units, before)) {
			return null;
		}
	} else {
		// The rest of the word must be an inflection, or punctuation-like symbols.
		const stop = wordEnd(units, after);
		let ok = after === stop;
		for (let c = stop - after; c >= 1 && !ok; c--) {
			const cut = after + c;
			if (cut !== stop && units[cut].kind !== 'symbol' && units[cut].kind !== 'wildcard') continue;
			for (const sfx of SUFFIXES) {
				const r = spells(units, after, cut, sfx);
				if (r.ok) {
					ok = true;
					end = units[cut - 1].end;
					techniques.add('inflection');
					if (r.leet) techniques.add('leetspeak');
					for (let t = after; t < cut; t++) addFlags(techniques, units[t].flags, t > after);
					break;
				}
			}
		}
		if (!ok && (units[after]?.kind === 'symbol' || units[after]?.kind === 'wildcard')) ok = true;
		if (!ok) return null;
	}
	if (prefixLen > 0) {
		techniques.add('compound');
		start = units[first.u - prefixLen].start;
	}
	if (separators) techniques.add('separators');
	for (const [idx, s] of steps.entries()) {
		for (let t = s.u; t <= s.last; t++) addFlags(techniques, units[t].flags, idx > 0 || t > s.u);
		if (s.repeat) techniques.add('repeated_letters');
		if (s.tech) techniques.add(s.tech);
	}
	if (techniques.size === 0) techniques.add('exact');
	const cost = [...techniques].filter((t) => t !== 'inflection' && t !== 'case' && t !== 'exact').length;
	return { start, end, techniques, cost };
}

function addFlags(into: Set<Technique>, flags: number, inside: boolean): void {
	if (flags & F_CASE) into.add('case');
	if (flags & F_DIACRITICS) into.add('diacritics');
	if (flags & F_HOMOGLYPH) into.add('homoglyph');
	// Invisible characters count only between letters of the match, not before its first letter.
	if (flags & F_ZERO_WIDTH && inside) into.add('zero_width');
}

/** Length of an intensifying prefix glued to units[i] ("super|cheap"), or 0. */
function gluedPrefix(units: Unit[], i: number): number {
	for (const pre of PREFIXES) {
		const from = i - pre.length;
		if (from < 0 || units[from].gapBefore === GAP_NONE) continue;
		let glued = true;
		for (let t = from + 1; t <= i; t++) if (units[t].gapBefore !== GAP_NONE) glued = false;
		if (glued && [...pre].every((ch, t) => readsAs(units[from + t], ch))) return pre.length;
	}
	return 0;
}

const TECHNIQUE_ORDER: Technique[] = [
	'exact',
	'case',
	'diacritics',
	'homoglyph',
	'leetspeak',
	'masked',
	'separators',
	'zero_width',
	'repeated_letters',
	'inflection',
	'compound',
];

/**
 * Finds every occurrence of the restricted keywords (words or phrases) in `text`, disguised or not.
 * Matches of different keywords may overlap; matches of one keyword do not. Sorted by position.
 */
export function findRestrictedKeywords(text: string, keywords: readonly string[]): KeywordMatch[] {
	const units = segment(text);
	const out: KeywordMatch[] = [];
	for (const keyword of keywords) {
		const p = compile(keyword);
		if (!p) continue;
		const candidates: Candidate[] = [];
		for (let i = 0; i < units.length; i++) {
			const digraphStart = (p.chars[0] === 'm' && readsAs(units[i], 'r')) || (p.chars[0] === 'w' && readsAs(units[i], 'v'));
			if (!readsAs(units[i], p.chars[0]) && !digraphStart) continue;
			const atStart = units[i].gapBefore !== GAP_NONE || units[i - 1]?.kind === 'symbol' || units[i - 1]?.kind === 'wildcard';
			const prefixLen = atStart || p.chars.length < MIN_KEYWORD_FOR_PREFIX ? 0 : gluedPrefix(units, i);
			if (!atStart && prefixLen === 0) continue;
			searchPaths(units, i, p, (steps) => {
				const c = judgePath(units, p, steps, prefixLen);
				if (c) candidates.push(c);
			});
		}
		// The plainest reading wins where readings overlap; then the longest, then the earliest.
		candidates.sort((a, b) => a.cost - b.cost || b.end - b.start - (a.end - a.start) || a.start - b.start);
		const taken: Candidate[] = [];
		for (const c of candidates) if (!taken.some((t) => c.start < t.end && t.start < c.end)) taken.push(c);
		for (const c of taken) {
			out.push({
				keyword,
				matched: text.slice(c.start, c.end),
				start: c.start,
				end: c.end,
				technique: TECHNIQUE_ORDER.filter((t) => c.techniques.has(t)),
			});
		}
	}
	return out.sort((a, b) => a.start - b.start || a.keyword.localeCompare(b.keyword));
}
