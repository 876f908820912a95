import { findRestrictedKeywords, normalizeForMatching, type Technique } from '../../lib/strategy/judge/keywords';

const KEYWORDS = ['cheap', 'guarantee', 'miracle', 'risk-free', 'Crunchwell', 'ass', 'hell'];

/** The single match of `keyword` in `text` (fails the test if there is not exactly one). */
function only(text: string, keyword: string) {
	const hits = findRestrictedKeywords(text, KEYWORDS).filter((m) => m.keyword === keyword);
	expect(hits).toHaveLength(1);
	expect(hits[0].matched).toBe(text.slice(hits[0].start, hits[0].end));
	return hits[0];
}

describe('findRestrictedKeywords: disguises', () => {
	test.each<[string, string, string, Technique[]]>([
		// [text, keyword, the matched original text, techniques that must be reported]
		['So cheap today', 'cheap', 'cheap', ['exact']],
		['CHEAP breakfast', 'cheap', 'CHEAP', ['case']],
		['Our chéap oats', 'cheap', 'chéap', ['diacritics']],
		['Our che\u0301ap oats', 'cheap', 'che\u0301ap', ['diacritics']], // decomposed: e + combining acute
		['g\u0332u\u0332a\u0332r\u0332a\u0332n\u0332t\u0332e\u0332e\u0332 oats', 'guarantee', 'g\u0332u\u0332a\u0332r\u0332a\u0332n\u0332t\u0332e\u0332e\u0332', ['diacritics']],
		['at a \u0441heap price', 'cheap', '\u0441heap', ['homoglyph']], // Cyrillic es
		['\u039c\u0399\u03a1\u0391\u03f9\u039b\u0395', 'miracle', '', []], // Greek capitals: Λ is not an L, no match (checked below)
		['\u041c\u0456r\u0430cl\u0435 oats', 'miracle', '\u041c\u0456r\u0430cl\u0435', ['homoglyph']], // Cyrillic М і а е
		['\uff43\uff48\uff45\uff41\uff50 oats', 'cheap', '\uff43\uff48\uff45\uff41\uff50', ['homoglyph']], // fullwidth
		['\u{1d40c}\u{1d422}\u{1d42b}\u{1d41a}\u{1d41c}\u{1d425}\u{1d41e} oats', 'miracle', '\u{1d40c}\u{1d422}\u{1d42b}\u{1d41a}\u{1d41c}\u{1d425}\u{1d41e}', ['homoglyph']], // mathematical bold
		['a \u1d0d\u026a\u0280\u1d00\u1d04\u029f\u1d07 bowl', 'miracle', '\u1d0d\u026a\u0280\u1d00\u1d04\u029f\u1d07', ['homoglyph']], // small capitals
		['\u24b8\u24bd\u24ba\u24b6\u24c5 oats', 'cheap', '\u24b8\u24bd\u24ba\u24b6\u24c5', ['homoglyph']], // circled letters
		['\u{1f1e8}\u{1f1ed}\u{1f1ea}\u{1f1e6}\u{1f1f5} oats', 'cheap', '\u{1f1e8}\u{1f1ed}\u{1f1ea}\u{1f1e6}\u{1f1f5}', ['homoglyph']], // regional indicators
		['pure rniracle', 'miracle', 'rniracle', ['homoglyph']], // rn for m
		['a MIRACIE', 'miracle', 'MIRACIE', ['case', 'homoglyph']], // capital I for l
		['ch3ap oats', 'cheap', 'ch3ap', ['leetspeak']],
		['ch3@p oats', 'cheap', 'ch3@p', ['leetspeak']],
		['(heap oats', 'cheap', '(heap', ['leetspeak']],
		['m1racle', 'miracle', 'm1racle', ['leetspeak']], // 1 as i
		['he11o he11', 'hell', 'he11', ['leetspeak']], // 1 as l; "he11o" is hello
		['m|racle', 'miracle', 'm|racle', ['leetspeak']], // | as i
		['r!sk-fr3e', 'risk-free', 'r!sk-fr3e', ['leetspeak']],
		['$he is not an @ss', 'ass', '@ss', ['leetspeak']],
		['7he ch€ap one', 'cheap', 'ch€ap', ['leetspeak']],
		['what the h*ll', 'hell', 'h*ll', ['masked']],
		['so c h e a p', 'cheap', 'c h e a p', ['separators']],
		['so c.h.e.a.p', 'cheap', 'c.h.e.a.p', ['separators']],
		['so c-h-e-a-p', 'cheap', 'c-h-e-a-p', ['separators']],
		['so c_h_e_a_p', 'cheap', 'c_h_e_a_p', ['separators']],
		['so c. h. e. a. p.', 'cheap', 'c. h. e. a. p', ['separators']],
		['a money-back guar-an-tee', 'guarantee', 'guar-an-tee', ['separators']],
		['Crunch-well', 'Crunchwell', 'Crunch-well', ['case', 'separators']],
		['so ch\u200beap', 'cheap', 'ch\u200beap', ['zero_width']],
		['so c\u200dh\u2060e\ufeffap', 'cheap', 'c\u200dh\u2060e\ufeffap', ['zero_width']],
		['so cheeeeeap', 'cheap', 'cheeeeeap', ['repeated_letters']],
		['so chheaaapp', 'cheap', 'chheaaapp', ['repeated_letters']],
		['the cheapest oats', 'cheap', 'cheapest', ['inflection']],
		['cheaper than ever', 'cheap', 'cheaper', ['inflection']],
		['guaranteed fresh', 'guarantee', 'guaranteed', ['inflection']],
		['two miracles', 'miracle', 'miracles', ['inflection']],
		['supercheap mornings', 'cheap', 'supercheap', ['compound']],
		['dirt-cheap mornings', 'cheap', 'cheap', ['exact']],
		// Combinations.
		['our C.H.3.\u00c4.P oats', 'cheap', 'C.H.3.\u00c4.P', ['case', 'leetspeak', 'diacritics', 'separators']],
		['a \uff2d\uff29\uff32\uff21\u200b\uff23\uff2c\uff25', 'miracle', '\uff2d\uff29\uff32\uff21\u200b\uff23\uff2c\uff25', ['homoglyph', 'zero_width']],
		['gu4r4nt33d', 'guarantee', 'gu4r4nt33d', ['leetspeak', 'inflection']],
		['g-u-a-r-a-n-t-e-e-d', 'guarantee', 'g-u-a-r-a-n-t-e-e-d', ['separators', 'inflection']],
		['c h 3 e e a p', 'cheap', 'c h 3 e e a p', ['separators', 'leetspeak', 'repeated_letters']],
		['CH3AAAP', 'cheap', 'CH3AAAP', ['case', 'leetspeak', 'repeated_letters']],
	])('%j → %s', (text, keyword, matched, techniques) => {
		if (matched === '') {
			expect(findRestrictedKeywords(text, KEYWORDS).filter((m) => m.keyword === keyword)).toEqual([]);
			return;
		}
		const hit = only(text, keyword);
		expect(hit.matched).toBe(matched);
		for (const t of techniques) expect(hit.technique).toContain(t);
		if (!techniques.includes('exact')) expect(hit.technique).not.toContain('exact');
	});

	test('leetspeak ambiguity: 1 and | are tried as both i and l', () => {
		const kill = ['kill'];
		for (const t of ['k1ll', 'ki11', 'k111', 'k|ll', 'ki||', 'k!ll']) expect(findRestrictedKeywords(t, kill).map((m) => m.matched)).toEqual([t]);
		expect(findRestrictedKeywords('kiss', kill)).toEqual([]);
	});

	test('phrases match with a space, a hyphen or nothing at their word break, in any disguise', () => {
		for (const t of ['risk free', 'risk-free', 'riskfree', 'Risk\u2011free', 'RISK  FREE', 'r i s k f r e e', 'r1sk-fr33']) {
			expect(findRestrictedKeywords(`Try it ${t} today`, ['risk-free']).map((m) => m.matched)).toEqual([t]);
		}
		expect(findRestrictedKeywords('fr33 m0ney for all', ['free money'])[0].matched).toBe('fr33 m0ney');
		expect(findRestrictedKeywords('g e t   r i c h   q u i c k', ['get rich quick'])[0].matched).toBe('g e t   r i c h   q u i c k');
	});

	test('a wider gap ends a spread-out word; a keyword of 5+ letters may run on into the next one', () => {
		expect(only('a s s  is out', 'ass').matched).toBe('a s s');
		expect(only('c h e a p d e a l s', 'cheap').matched).toBe('c h e a p');
		expect(only('c h e a p e s t', 'cheap').technique).toContain('inflection');
	});
});

describe('findRestrictedKeywords: spans', () => {
	test('offsets are UTF-16 offsets into the original text, for every match, in order', () => {
		const text = 'Cheap? \u{1d41c}\u{1d421}\u{1d41e}\u{1d41a}\u{1d429}! Not c.h.e.a.p, not a miracle, not ch\u200beap.';
		const hits = findRestrictedKeywords(text, KEYWORDS);
		expect(hits.map((h) => [h.keyword, h.matched])).toEqual([
			['cheap', 'Cheap'],
			['cheap', '\u{1d41c}\u{1d421}\u{1d41e}\u{1d41a}\u{1d429}'],
			['cheap', 'c.h.e.a.p'],
			['miracle', 'miracle'],
			['cheap', 'ch\u200beap'],
		]);
		expect(hits[0]).toMatchObject({ start: 0, end: 5 });
		expect(hits[1]).toMatchObject({ start: 7, end: 17 }); // five astral characters, two code units each
		for (const h of hits) expect(text.slice(h.start, h.end)).toBe(h.matched);
		expect(hits[2].start).toBe(text.indexOf('c.h.e.a.p'));
	});

	test('a letter with a separate combining mark is spanned with its mark', () => {
		const text = 'x chea\u0301p\u0301 y';
		const [hit] = findRestrictedKeywords(text, ['cheap']);
		expect(hit.matched).toBe('chea\u0301p\u0301');
		expect(hit.end).toBe(text.length - 2);
	});

	test('different keywords may overlap; one keyword never reports overlapping matches', () => {
		const hits = findRestrictedKeywords('cheap cheeeap', ['cheap', 'chea']);
		expect(hits.filter((h) => h.keyword === 'cheap').map((h) => h.matched)).toEqual(['cheap', 'cheeeap']);
		expect(hits.filter((h) => h.keyword === 'chea')).toEqual([]); // "chea" + "p" is not an inflection
	});
});

describe('findRestrictedKeywords: no false positives', () => {
	test.each([
		['ass', 'class classic assistant assessment assess assessor bass glass passion massive Cassie embassy compass sassy'],
		['ass', 'a s s e s s m e n t'], // a spread-out word that only starts with the keyword
		['ass', 'as soon as she was sad'], // letters across words
		['hell', "hello shell he'll Michelle shellfish Hellooo hellebore"],
		['cheap', 'Cheapside scheap chea p ch eap'],
		['risk-free', 'Worried about the risk? Free samples. No risk, free returns. Risky freebies.'],
		['Crunchwell', 'Crunch well, crunch, and Cromwell'],
		['Fairpoint', "That's a fair point; fair pointers"],
		['crypto', 'Cryptography and cryptic crossword'],
		['free money', 'our free moneybox app; money-free weekends; free, money-wise advice'],
		['no risk', 'No risky bets'],
		['miracle', 'Miraculous mornings'], // documented: derivations are not caught
	])('%s is not found in %j', (keyword, text) => {
		expect(findRestrictedKeywords(text, [keyword])).toEqual([]);
	});

	test('empty inputs', () => {
		expect(findRestrictedKeywords('', KEYWORDS)).toEqual([]);
		expect(findRestrictedKeywords('cheap', [])).toEqual([]);
		expect(findRestrictedKeywords('cheap', ['', '   ', '***'])).toEqual([]);
	});
});

describe('normalizeForMatching', () => {
	test.each([
		['K1ll Y0U', 'kill you'],
		['ki11 he|| wi11', 'kill hell will'],
		['10 tips, 2 ways', '10 tips 2 ways'], // numbers stay numbers outside words
		['h@te $ell', 'hate sell'],
		['(cheap) cheap!', 'cheap cheap'],
		['c.h.e.a.p and k i l l', 'cheap and kill'],
		["don't", 'don t'],
		['ｃｈｅａｐ \u0441heap ch\u200beap chéap', 'cheap cheap cheap cheap'],
		['  ', ''],
	])('%j → %j', (input, out) => {
		expect(normalizeForMatching(input)).toBe(out);
	});
});

describe('findRestrictedKeywords: pathological input stays bounded', () => {
	test('long runs of repeated or spread letters are searched without blowing the stack', () => {
		expect(findRestrictedKeywords('e '.repeat(3000), ['eee'])).toEqual([]); // one spread-out word far longer than "eee"
		expect(findRestrictedKeywords('e'.repeat(50), ['eee'])).toHaveLength(1); // a stretched "eee"
		expect(findRestrictedKeywords('e'.repeat(20000), ['eee'])).toEqual([]); // longer than any stretch: another word
		expect(findRestrictedKeywords(`c${'h'.repeat(60)}eap`, ['cheap'])).toHaveLength(1);
		expect(findRestrictedKeywords('*'.repeat(5000) + '1|!'.repeat(2000), KEYWORDS)).toEqual([]);
	});
});
