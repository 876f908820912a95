/**
 * Judge quality on the labelled set (test/fixtures/judge-labelled.json) with the offline
 * providers: the local hashing embedder and the local moderation rules.
 *
 *   node -r ./test/helpers/ts-register.js bench/judge.ts
 *
 * Prints a table per category (expected route, what the Judge routed), overall precision and
 * recall with "positive" meaning "not pass" (the item needs blocking or a human), route accuracy,
 * keyword-level recall on the disguised keywords, and a final JSON line for CI to collect.
 * `evaluateLabelledSet` is also what test/unit/judge-labelled.test.ts asserts on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LocalEmbeddingProvider } from '../lib/providers/embeddings/local';
import { LocalModerationProvider } from '../lib/providers/moderation/local';
import { judgeText, type JudgeBrand, type JudgeKind, type JudgeResult, type Route } from '../lib/strategy/judge/judge';
import type { KeywordMatch } from '../lib/strategy/judge/keywords';

export type LabelCategory = 'clean' | 'disguised_keyword' | 'off_tone' | 'unsafe' | 'tricky_clean';

export interface LabelledItem {
	id: string;
	brand: string;
	text: string;
	kind: JudgeKind;
	expected_route: Route;
	category: LabelCategory;
	expected_keywords?: string[];
	techniques?: string[];
	note?: string;
	/** 1: written with the rules; 2: written after them and run once before any change (closer to held-out). */
	batch?: number;
}

export interface LabelledSet {
	brands: Record<string, JudgeBrand>;
	items: LabelledItem[];
}

export interface ItemOutcome {
	item: LabelledItem;
	result: JudgeResult;
	keywordsFound: string[];
	matches: KeywordMatch[];
}

export interface CategoryRow {
	category: LabelCategory;
	n: number;
	expected: Route;
	pass: number;
	human_review: number;
	reject: number;
	/** Share routed exactly as labelled. */
	accuracy: number;
}

export interface Evaluation {
	outcomes: ItemOutcome[];
	/** Precision and recall ("not pass" is positive) per fixture batch. */
	batches: Array<{ batch: number; n: number; precision: number; recall: number }>;
	categories: CategoryRow[];
	tp: number;
	fp: number;
	fn: number;
	tn: number;
	precision: number;
	recall: number;
	f1: number;
	routeAccuracy: number;
	keywordRecall: { found: number; expected: number; recall: number; missed: Array<{ id: string; keyword: string }> };
	/** Restricted keywords reported on items labelled clean or tricky_clean. */
	keywordFalsePositives: Array<{ id: string; keyword: string; matched: string }>;
}

export const FIXTURE_PATH = path.join(__dirname, '..', 'test', 'fixtures', 'judge-labelled.json');
const CATEGORY_ORDER: LabelCategory[] = ['clean', 'tricky_clean', 'disguised_keyword', 'off_tone', 'unsafe'];

export function loadLabelledSet(file = FIXTURE_PATH): LabelledSet {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as LabelledSet;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Positive = "not pass": the item needs blocking or a human. */
function confusion(outcomes: ItemOutcome[]): { tp: number; fp: number; fn: number; tn: number } {
	const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
	for (const o of outcomes) {
		const actual = o.item.expected_route !== 'pass';
		const predicted = o.result.route !== 'pass';
		if (actual && predicted) c.tp++;
		else if (!actual && predicted) c.fp++;
		else if (actual && !predicted) c.fn++;
		else c.tn++;
	}
	return c;
}

/** Runs the Judge over every labelled item with the offline providers and scores the routes. */
export async function evaluateLabelledSet(set: LabelledSet = loadLabelledSet()): Promise<Evaluation> {
	const embedder = new LocalEmbeddingProvider();
	const moderation = new LocalModerationProvider();
	const outcomes: ItemOutcome[] = [];
	for (const item of set.items) {
		const brand = set.brands[item.brand];
		if (!brand) throw new Error(`${item.id}: unknown brand ${item.brand}`);
		const result = await judgeText({ text: item.text, kind: item.kind, brand, embedder, moderation });
		const kw = result.checks.find((c) => c.name === 'restricted_keywords');
		const matches = ((kw?.details?.matches ?? []) as KeywordMatch[]).map((m) => ({ ...m }));
		outcomes.push({ item, result, matches, keywordsFound: [...new Set(matches.map((m) => m.keyword))] });
	}

	const categories: CategoryRow[] = CATEGORY_ORDER.map((category) => {
		const rows = outcomes.filter((o) => o.item.category === category);
		const count = (r: Route) => rows.filter((o) => o.result.route === r).length;
		return {
			category,
			n: rows.length,
			expected: rows[0]?.item.expected_route ?? 'pass',
			pass: count('pass'),
			human_review: count('human_review'),
			reject: count('reject'),
			accuracy: r3(ratio(rows.filter((o) => o.result.route === o.item.expected_route).length, rows.length)),
		};
	}).filter((c) => c.n > 0);

	const { tp, fp, fn, tn } = confusion(outcomes);
	const precision = ratio(tp, tp + fp);
	const recall = ratio(tp, tp + fn);
	const batches = [...new Set(outcomes.map((o) => o.item.batch ?? 1))].sort().map((batch) => {
		const rows = outcomes.filter((o) => (o.item.batch ?? 1) === batch);
		const c = confusion(rows);
		return { batch, n: rows.length, precision: r3(ratio(c.tp, c.tp + c.fp)), recall: r3(ratio(c.tp, c.tp + c.fn)) };
	});

	const missed: Array<{ id: string; keyword: string }> = [];
	let expected = 0;
	for (const o of outcomes) {
		for (const k of o.item.expected_keywords ?? []) {
			expected++;
			if (!o.keywordsFound.includes(k)) missed.push({ id: o.item.id, keyword: k });
		}
	}
	const keywordFalsePositives = outcomes
		.filter((o) => o.item.category === 'clean' || o.item.category === 'tricky_clean')
		.flatMap((o) => o.matches.map((m) => ({ id: o.item.id, keyword: m.keyword, matched: m.matched })));

	return {
		outcomes,
		batches,
		categories,
		tp,
		fp,
		fn,
		tn,
		precision: r3(precision),
		recall: r3(recall),
		f1: r3(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
		routeAccuracy: r3(ratio(outcomes.filter((o) => o.result.route === o.item.expected_route).length, outcomes.length)),
		keywordRecall: { found: expected - missed.length, expected, recall: r3(ratio(expected - missed.length, expected)), missed },
		keywordFalsePositives,
	};
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

async function main(): Promise<void> {
	const started = process.hrtime.bigint();
	const ev = await evaluateLabelledSet();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const out: string[] = [];
	out.push(`Judge on ${ev.outcomes.length} labelled items (local embedder, local moderation rules)\n`);
	out.push(
		table([
			['category', 'n', 'expected', 'pass', 'human_review', 'reject', 'route accuracy'],
			...ev.categories.map((c) => [c.category, String(c.n), c.expected, String(c.pass), String(c.human_review), String(c.reject), c.accuracy.toFixed(3)]),
		]),
	);
	out.push('');
	out.push(`positive = "not pass":  TP ${ev.tp}  FP ${ev.fp}  FN ${ev.fn}  TN ${ev.tn}`);
	out.push(`precision ${ev.precision.toFixed(3)}  recall ${ev.recall.toFixed(3)}  F1 ${ev.f1.toFixed(3)}  route accuracy ${ev.routeAccuracy.toFixed(3)}`);
	for (const b of ev.batches) out.push(`  batch ${b.batch} (${b.n} items): precision ${b.precision.toFixed(3)}  recall ${b.recall.toFixed(3)}`);
	out.push(`disguised keyword recall ${ev.keywordRecall.found}/${ev.keywordRecall.expected} = ${ev.keywordRecall.recall.toFixed(3)}`);
	out.push(`keyword false positives on clean/tricky items: ${ev.keywordFalsePositives.length}`);
	const wrong = ev.outcomes.filter((o) => o.result.route !== o.item.expected_route);
	if (wrong.length) {
		out.push('\nmisrouted:');
		for (const o of wrong) out.push(`  ${o.item.id} expected ${o.item.expected_route}, got ${o.result.route} (${o.result.confidence}): ${o.result.reasons[0] ?? ''}`);
	}
	for (const m of ev.keywordRecall.missed) out.push(`  missed keyword "${m.keyword}" in ${m.id}`);
	for (const f of ev.keywordFalsePositives) out.push(`  false keyword "${f.keyword}" ("${f.matched}") in ${f.id}`);
	out.push(`\n${ev.outcomes.length} items in ${ms.toFixed(0)} ms`);
	out.push(
		JSON.stringify({
			bench: 'judge',
			items: ev.outcomes.length,
			precision: ev.precision,
			recall: ev.recall,
			f1: ev.f1,
			route_accuracy: ev.routeAccuracy,
			keyword_recall: ev.keywordRecall.recall,
			keyword_false_positives: ev.keywordFalsePositives.length,
			batches: ev.batches,
			categories: Object.fromEntries(ev.categories.map((c) => [c.category, { n: c.n, accuracy: c.accuracy, pass: c.pass, human_review: c.human_review, reject: c.reject }])),
			ms: Math.round(ms),
		}),
	);
	process.stdout.write(out.join('\n') + '\n');
}

if (require.main === module) {
	main().catch((e: unknown) => {
		process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
		process.exit(1);
	});
}
