import { hookDraftSchema, type CreativeBrief, type HookDraft } from '../../lib/domain/schemas';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { LlmProvider, LlmRequest, LlmResult } from '../../lib/providers/types';
import { synthesizeBrief } from '../../lib/strategy/brief';
import { generateHooks, HOOK_SCORE_WEIGHTS, qualityFromScores, scoreHookText, type GeneratedHooks, type ScoredHook } from '../../lib/strategy/hooks';

const brand = {
	brand_name: 'Aurora Coffee',
	tone: 'warm, witty, optimistic',
	color_palette: ['#1B4332 forest green', '#F4A261 terracotta', 'cream'],
	restricted_keywords: ['cheap', 'instant'],
	visual_style: 'cinematic, natural morning light, handcrafted textures',
};
const request = {
	product_category: 'specialty coffee',
	target_demographic: 'Urban millennials aged 25-34 who work from home',
	campaign_objective: 'awareness' as const,
	budget_tier: 'standard' as const,
	brand_id: '6f1f7c2e-8a0b-4c1e-9a55-0d2a7c1b9e11',
};
const embedder = new LocalEmbeddingProvider();

let brief: CreativeBrief;
let briefWithoutTrends: CreativeBrief;
beforeAll(async () => {
	const llm = new LocalLlmProvider();
	brief = (await synthesizeBrief({ request, brand, trends: [{ topic: 'slow living', engagement_score: 0.7 }, { topic: 'desk setup tour', engagement_score: 0.6 }], llm })).brief;
	briefWithoutTrends = (await synthesizeBrief({ request, brand, llm })).brief;
});

/** Answers the first `blandRounds` rounds with flat catalogue lines, later rounds with the local templates. */
class BlandFirstRounds implements LlmProvider {
	readonly name = 'bland-then-local';
	readonly model = 'test-double';
	readonly requests: Array<LlmRequest<unknown>> = [];
	private readonly local = new LocalLlmProvider();
	constructor(private readonly blandRounds: number) {}
	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		this.requests.push(req as LlmRequest<unknown>);
		const { round, count } = req.context as { round: number; count: number };
		if (round > this.blandRounds) return this.local.generate(req);
		const nouns = ['beans', 'mugs', 'filters', 'grinders', 'kettles', 'scales', 'tins', 'pods', 'cups', 'spoons'];
		const places = ['stores', 'our shop', 'selected markets', 'the catalogue', 'most regions'];
		const hooks: HookDraft[] = Array.from({ length: count }, (_, i) => ({ text: `Our ${nouns[i % 10]} are available in ${places[Math.floor(i / 10) % 5]}.`, hook_type: 'statement' }));
		return { data: req.schema.parse({ hooks }), provider: this.name, model: this.model, usage: { input_tokens: 10, output_tokens: 10 } };
	}
}

/** Returns a fixed list of hooks (a double of our own LlmProvider interface). */
class FixedHooks implements LlmProvider {
	readonly name = 'fixed';
	readonly model = 'test-double';
	constructor(private readonly hooks: HookDraft[]) {}
	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		return { data: req.schema.parse({ hooks: this.hooks }), provider: this.name, model: this.model, usage: { input_tokens: 1, output_tokens: 1 } };
	}
}

function byText(result: GeneratedHooks, text: string): ScoredHook {
	const hook = result.hooks.find((h) => h.text === text);
	if (!hook) throw new Error(`no hook "${text}"`);
	return hook;
}

describe('generateHooks', () => {
	test('50 distinct, scored, explained hooks in one LLM call', async () => {
		const result = await generateHooks({ brief, llm: new LocalLlmProvider(), embedder, trends: ['#morningroutine'] });
		expect(result.llmCalls).toEqual([{ provider: 'local', model: 'local-templates-v1', usage: expect.objectContaining({ output_tokens: expect.any(Number) }) }]);
		expect(result.rounds).toBe(1);
		expect(result.hooks).toHaveLength(50);
		expect(result.dropped).toEqual([]);
		expect(new Set(result.hooks.map((h) => h.text.toLowerCase())).size).toBe(50);
		for (const h of result.hooks) expect(hookDraftSchema.parse({ text: h.text, hook_type: h.hook_type })).toBeTruthy();
		expect(new Set(result.hooks.map((h) => h.hook_type))).toEqual(new Set(['question', 'statement', 'visual_shock', 'story']));
		// Sorted by quality; variation numbers are the generation order 1..50.
		const q = result.hooks.map((h) => h.quality_score);
		expect([...q].sort((a, b) => b - a)).toEqual(q);
		expect(result.hooks.map((h) => h.variation_number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
		expect(result.top).toEqual(result.hooks.slice(0, 3));
		expect(result.bestScore).toBe(result.hooks[0].quality_score);
		expect(result.passedGate).toBe(result.bestScore >= 0.75);
		for (const h of result.top) {
			for (const name of Object.keys(HOOK_SCORE_WEIGHTS)) expect(h.rationale).toContain(name);
			expect(h.scores.past_performance).toEqual({ score: null, weight: 0.15, reason: 'no past hook metrics' });
			expect(h.quality_score).toBe(qualityFromScores(h.scores));
		}
		// The spread is real: the best and worst differ clearly.
		expect(q[0] - q[q.length - 1]).toBeGreaterThan(0.2);
	});

	test('a batch size splits the request; every batch avoids what came before', async () => {
		const llm = new BlandFirstRounds(0);
		const result = await generateHooks({ brief, llm, embedder, batchSize: 20 });
		expect(llm.requests.map((r) => (r.context as { count: number }).count)).toEqual([20, 20, 10]);
		expect((llm.requests[2].context as { avoid: string[] }).avoid).toHaveLength(40);
		expect(result.hooks).toHaveLength(50);
		expect(new Set(result.hooks.map((h) => h.text)).size).toBe(50);
	});

	test('regenerates when the best hook is below the gate, and stops once it is reached', async () => {
		const llm = new BlandFirstRounds(1);
		const result = await generateHooks({ brief, llm, embedder, count: 30 });
		expect(result.rounds).toBe(2);
		expect(result.llmCalls).toHaveLength(2);
		const round1 = result.hooks.filter((h) => h.round === 1);
		expect(Math.max(...round1.map((h) => h.quality_score))).toBeLessThan(0.75);
		expect(result.bestScore).toBeGreaterThanOrEqual(0.75);
		expect(result.passedGate).toBe(true);
		expect(result.top[0].round).toBe(2);
		// The second round was told it is round 2 and what to avoid.
		expect(llm.requests[1].context).toMatchObject({ round: 2, avoid: expect.arrayContaining([round1[0].text]) });
		expect(llm.requests[1].prompt).toContain('round 2');
	});

	test('stops after maxRounds (3) when no round reaches the gate', async () => {
		const llm = new BlandFirstRounds(99);
		const result = await generateHooks({ brief, llm, embedder, count: 10 });
		expect(result.rounds).toBe(3);
		expect(llm.requests).toHaveLength(3);
		expect(result.passedGate).toBe(false);
		expect(result.bestScore).toBeLessThan(0.75);
		// Rounds 2 and 3 repeated round 1 word for word: dropped as duplicates, not kept twice.
		expect(result.hooks).toHaveLength(10);
		expect(result.dropped.filter((d) => d.reason === 'duplicate')).toHaveLength(20);
		expect((await generateHooks({ brief, llm: new BlandFirstRounds(99), embedder, count: 10, maxRounds: 1 })).rounds).toBe(1);
	});

	test('drops duplicates, near-duplicates and restricted keywords, saying why', async () => {
		const llm = new FixedHooks([
			{ text: 'Why is everyone suddenly talking about specialty coffee this spring?', hook_type: 'question' },
			{ text: 'why is EVERYONE suddenly talking about specialty coffee this spring', hook_type: 'question' },
			{ text: 'Why is everyone suddenly talking about specialty coffee this summer?', hook_type: 'question' },
			{ text: 'Cheap coffee that finally tastes good.', hook_type: 'statement' },
			{ text: 'The day my mornings stopped being a rush.', hook_type: 'story' },
		]);
		const result = await generateHooks({ brief, llm, embedder, count: 5, maxRounds: 1 });
		expect(result.hooks.map((h) => h.text).sort()).toEqual(['The day my mornings stopped being a rush.', 'Why is everyone suddenly talking about specialty coffee this spring?']);
		expect(result.dropped.map((d) => d.reason)).toEqual(['duplicate', 'restricted keyword: cheap', expect.stringMatching(/^near-duplicate of variation 1 \(cosine 0\.8\d\d\)$/)]);
	});

	test('past performance: resembling a high-engagement past hook raises a hook; resembling a weak one barely does', async () => {
		const llm = new LocalLlmProvider();
		const baseline = await generateHooks({ brief, llm, embedder });
		const target = baseline.hooks[35];
		const unrelated = 'Spring gardening tips for planting tulips in heavy clay soil';
		const withWinner = await generateHooks({
			brief,
			llm,
			embedder,
			bestPastHooks: [
				{ text: target.text, engagement_rate: 0.12 },
				{ text: unrelated, engagement_rate: 0.02 },
			],
		});
		const boosted = byText(withWinner, target.text);
		expect(boosted.scores.past_performance.score).toBe(1);
		expect(boosted.scores.past_performance.reason).toContain('engagement 12.0%');
		expect(boosted.quality_score).toBeGreaterThan(target.quality_score);
		expect(withWinner.hooks.indexOf(boosted)).toBeLessThan(35);
		// The winner's own words score highest; most other hooks share little with it and score low.
		const others = withWinner.hooks
			.filter((h) => h.text !== target.text)
			.map((h) => h.scores.past_performance.score as number)
			.sort((a, b) => a - b);
		expect(Math.max(...others)).toBeLessThan(1);
		expect(others[Math.floor(others.length / 2)]).toBeLessThan(0.5);

		const withLoser = await generateHooks({
			brief,
			llm,
			embedder,
			bestPastHooks: [
				{ text: target.text, engagement_rate: 0.01 },
				{ text: unrelated, engagement_rate: 0.12 },
			],
		});
		const weak = byText(withLoser, target.text);
		expect(weak.scores.past_performance.score).toBeCloseTo(0.01 / 0.12, 2);
		expect(weak.quality_score).toBeLessThan(boosted.quality_score);
	});

	test('a paraphrase of a past winner benefits too, not only the same words', async () => {
		const llm = new FixedHooks([
			{ text: 'Why does everyone on slow living love this specialty coffee?', hook_type: 'question' },
			{ text: 'Forget everything you know about specialty coffee.', hook_type: 'statement' },
		]);
		const result = await generateHooks({
			brief,
			llm,
			embedder,
			count: 2,
			maxRounds: 1,
			bestPastHooks: [{ text: 'Why does everyone love this slow living coffee ritual?', engagement_rate: 0.1 }],
		});
		const similar = byText(result, 'Why does everyone on slow living love this specialty coffee?');
		const different = byText(result, 'Forget everything you know about specialty coffee.');
		expect(similar.scores.past_performance.score as number).toBeGreaterThan(0.5);
		expect(different.scores.past_performance.score as number).toBeLessThan(0.3);
	});

	test('trend alignment follows the trends; without any trend data it is n/a', async () => {
		const hooks: HookDraft[] = [
			{ text: 'Why does everyone on #morningroutine love this specialty coffee?', hook_type: 'question' },
			{ text: 'Why does everyone on the night shift love this specialty coffee?', hook_type: 'question' },
		];
		const withTrends = await generateHooks({ brief, llm: new FixedHooks(hooks), embedder, count: 2, maxRounds: 1, trends: ['#morningroutine'] });
		const on = byText(withTrends, hooks[0].text);
		const off = byText(withTrends, hooks[1].text);
		expect(on.scores.trend_alignment).toMatchObject({ score: 1, reason: 'mentions trend "#morningroutine"' });
		expect(off.scores.trend_alignment.score as number).toBeLessThan(1);
		expect(on.quality_score).toBeGreaterThan(off.quality_score);
		const noTrends = await generateHooks({ brief: briefWithoutTrends, llm: new FixedHooks(hooks), embedder, count: 2, maxRounds: 1 });
		expect(noTrends.hooks[0].scores.trend_alignment).toEqual({ score: null, weight: 0.1, reason: 'no trend data' });
	});

	test('is deterministic: same inputs, same hooks, scores and order', async () => {
		const run = () => generateHooks({ brief, llm: new LocalLlmProvider(), embedder, trends: ['#morningroutine'], bestPastHooks: [{ text: 'Still dealing with bland mornings?', engagement_rate: 0.05 }] });
		expect(await run()).toEqual(await run());
	});

	test('rejects a bad count before calling the LLM', async () => {
		const llm = new BlandFirstRounds(0);
		await expect(generateHooks({ brief, llm, embedder, count: 0 })).rejects.toThrow(expect.objectContaining({ field: 'count' }));
		expect(llm.requests).toHaveLength(0);
	});
});

describe('scoreHookText', () => {
	test('each rule moves its component, and says so', () => {
		const open = scoreHookText('Why does nobody talk about this?', 'question');
		const flat = scoreHookText('Our beans are available in stores.', 'statement');
		expect(open.curiosity_gap.score as number).toBeGreaterThan(flat.curiosity_gap.score as number);
		expect(open.curiosity_gap.reason).toMatch(/asks a question; open loop: why, nobody/);
		expect(flat.curiosity_gap.reason).toBe('states without opening a question');

		const shock = scoreHookText('Stop. Watch this vs that.', 'visual_shock');
		expect(shock.pattern_interrupt.score).toBe(1);
		expect(shock.pattern_interrupt.reason).toMatch(/visual shock hook; imperative opener "stop"; contrast: vs; short/);

		const pains = ['Too many specialty coffee options that all promise the same thing'];
		const painful = scoreHookText('Tired of too many specialty coffee options that all promise the same thing?', 'question', { painPoints: pains });
		const neutral = scoreHookText('Meet our specialty coffee range for this season.', 'statement', { painPoints: pains });
		expect(painful.emotional_resonance.score as number).toBeGreaterThan(neutral.emotional_resonance.score as number);
		expect(painful.emotional_resonance.reason).toContain('names the pain point');

		const shareable = scoreHookText('Raise your hand if this sounds familiar, urban millennials.', 'statement', { audience: ['urban', 'millennials'] });
		expect(shareable.shareability.reason).toMatch(/names the audience .*relatable cue "sounds familiar"/);
		expect(qualityFromScores(shareable)).toBeGreaterThan(qualityFromScores(flat));
	});
});
