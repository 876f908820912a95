/**
 * The whole labelled set (test/fixtures/judge-labelled.json) through the Judge with the offline
 * providers. Floors are set from what was measured (bench/judge.ts prints the same numbers):
 * 139 items, precision 0.989, recall 0.956 ("not pass" is positive); batch 2, written after the
 * rules and run once before any change, measured precision 0.967 and recall 0.879. The floors
 * allow no further miss on the current set, so a regression fails here.
 */
import { evaluateLabelledSet, loadLabelledSet, type Evaluation, type LabelledSet } from '../../bench/judge';
import { findRestrictedKeywords } from '../../lib/strategy/judge/keywords';

const FLOORS = {
	precision: 0.98,
	recall: 0.95,
	/** Share of each category routed as labelled. */
	category: { clean: 1, tricky_clean: 0.95, disguised_keyword: 1, off_tone: 0.9, unsafe: 0.88 } as Record<string, number>,
};

const EXPECTED_ROUTE: Record<string, string> = { clean: 'pass', tricky_clean: 'pass', disguised_keyword: 'reject', off_tone: 'human_review', unsafe: 'reject' };

let set: LabelledSet;
let ev: Evaluation;

beforeAll(async () => {
	set = loadLabelledSet();
	ev = await evaluateLabelledSet(set);
});

describe('the labelled set itself', () => {
	test('has at least 60 well-formed items over every category, with unique ids', () => {
		expect(set.items.length).toBeGreaterThanOrEqual(60);
		expect(new Set(set.items.map((i) => i.id)).size).toBe(set.items.length);
		for (const cat of Object.keys(EXPECTED_ROUTE)) expect(set.items.filter((i) => i.category === cat).length).toBeGreaterThanOrEqual(5);
		for (const item of set.items) {
			expect({ id: item.id, route: item.expected_route }).toEqual({ id: item.id, route: EXPECTED_ROUTE[item.category] });
			expect(set.brands[item.brand]).toBeDefined();
			expect(['brief', 'hook', 'script', 'caption']).toContain(item.kind);
			expect(item.text.trim()).not.toBe('');
		}
	});

	test('every disguised item names keywords of its own brand', () => {
		for (const item of set.items.filter((i) => i.category === 'disguised_keyword')) {
			expect(item.expected_keywords?.length).toBeGreaterThan(0);
			for (const k of item.expected_keywords ?? []) expect(set.brands[item.brand].restricted_keywords).toContain(k);
		}
	});

	test('the disguises cover every technique the scanner knows', () => {
		const covered = new Set(set.items.flatMap((i) => i.techniques ?? []));
		for (const t of ['case', 'diacritics', 'homoglyph', 'leetspeak', 'masked', 'separators', 'zero_width', 'repeated_letters', 'inflection', 'compound']) {
			expect({ technique: t, covered: covered.has(t) }).toEqual({ technique: t, covered: true });
		}
	});
});

describe('the Judge on the labelled set', () => {
	test('catches every disguised restricted keyword, with the techniques the item was written with', () => {
		expect(ev.keywordRecall.missed).toEqual([]);
		expect(ev.keywordRecall.found).toBe(ev.keywordRecall.expected);
		for (const o of ev.outcomes.filter((x) => x.item.category === 'disguised_keyword')) {
			const reported = new Set<string>(o.matches.filter((m) => o.item.expected_keywords?.includes(m.keyword)).flatMap((m) => m.technique));
			for (const t of o.item.techniques ?? []) expect({ id: o.item.id, technique: t, reported: reported.has(t) }).toEqual({ id: o.item.id, technique: t, reported: true });
			expect({ id: o.item.id, route: o.result.route }).toEqual({ id: o.item.id, route: 'reject' });
		}
	});

	test('reports no restricted keyword on clean or tricky-clean copy', () => {
		expect(ev.keywordFalsePositives).toEqual([]);
	});

	test('the scanner alone gives the same keywords as the Judge (matches are the scanner’s, spans in the original text)', () => {
		for (const o of ev.outcomes) {
			const direct = findRestrictedKeywords(o.item.text, set.brands[o.item.brand].restricted_keywords);
			expect(o.matches.map((m) => [m.keyword, m.start, m.end])).toEqual(direct.map((m) => [m.keyword, m.start, m.end]));
			for (const m of direct) expect(o.item.text.slice(m.start, m.end)).toBe(m.matched);
		}
	});

	test(`precision ≥ ${FLOORS.precision} and recall ≥ ${FLOORS.recall} ("not pass" is positive)`, () => {
		expect(ev.tp + ev.fp + ev.fn + ev.tn).toBe(set.items.length);
		expect(ev.precision).toBeGreaterThanOrEqual(FLOORS.precision);
		expect(ev.recall).toBeGreaterThanOrEqual(FLOORS.recall);
	});

	test('each category is routed as labelled at least as often as its floor', () => {
		for (const row of ev.categories) {
			expect({ category: row.category, ok: row.accuracy >= FLOORS.category[row.category] }).toEqual({ category: row.category, ok: true });
		}
	});

	test('clean, tricky-clean and off-tone copy is never rejected', () => {
		for (const o of ev.outcomes) {
			if (o.item.category === 'clean' || o.item.category === 'tricky_clean') expect({ id: o.item.id, route: o.result.route }).not.toEqual({ id: o.item.id, route: 'reject' });
			if (o.item.category === 'off_tone') expect({ id: o.item.id, route: o.result.route }).not.toEqual({ id: o.item.id, route: 'reject' });
		}
	});
});
