import { z } from 'zod';

import { ValidationError } from '../../lib/domain/errors';
import { HOOK_TYPES, creativeBriefSchema, hookBatchSchema, scriptSchema, type CampaignRequest, type CreativeBrief } from '../../lib/domain/schemas';
import { LocalLlmProvider, quotedTerms } from '../../lib/providers/llm/local';
import type { LlmRequest } from '../../lib/providers/types';
import { captionSchema, renderCaption } from '../../lib/strategy/caption';
import { rubricSchema } from '../../lib/strategy/rubric';
import { normaliseScript, scriptDraftSchema } from '../../lib/strategy/script';

const brand = {
	brand_name: 'Aurora Coffee',
	tone: 'warm, witty, optimistic',
	color_palette: ['#1B4332 forest green', '#F4A261 terracotta', 'cream'],
	restricted_keywords: ['cheap', 'instant', 'caffeine crash'],
	visual_style: 'cinematic, natural morning light, handcrafted textures',
};
const request: CampaignRequest = {
	product_category: 'specialty coffee',
	target_demographic: 'Urban millennials aged 25-34 who work from home',
	campaign_objective: 'awareness',
	budget_tier: 'standard',
	brand_id: '6f1f7c2e-8a0b-4c1e-9a55-0d2a7c1b9e11',
};
const guidelines = [
	{ content: 'Our voice is warm and witty: we talk like a friend who knows great coffee, never like a salesperson.', category: 'tone', similarity: 0.82 },
	{ content: 'Visuals are cinematic with natural morning light and handcrafted textures. Never use neon.', category: 'visual_style', similarity: 0.78 },
	{ content: "Never describe our coffee as 'sugary' or 'instant'; avoid health claims.", category: 'restrictions', similarity: 0.7 },
	{ content: 'Aurora Coffee roasts small batches so every morning cup tastes like a fresh start.', category: 'messaging', similarity: 0.75 },
];
const trends = [
	{ topic: 'slow living', engagement_score: 0.66 },
	{ topic: '#morningroutine', engagement_score: 0.91 },
	{ topic: 'desk setup tour', engagement_score: '0.72' },
	{ topic: 'cheap eats hacks', engagement_score: 0.99 },
	{ topic: 'lofi study beats remix', engagement_score: 0.5 },
];
const competitorAds = [
	{ competitor_name: 'BeanCo', patterns: { hook_structure: 'question opener', visual_style: 'fast cuts', offer: 'cheap refills' } },
	{ competitor_name: 'Roastly', patterns: ['question opener', 'UGC testimonial'] },
];

function request_<T>(task: LlmRequest<T>['task'], schema: z.ZodType<T>, context: Record<string, unknown>): LlmRequest<T> {
	return { task, system: 'You are a test system prompt.', prompt: `Do the ${task} task please.`, schema, schemaName: task, context };
}

/** Every string of a value except the restricted-keyword list itself. */
function stringsOutsideRestrictedList(brief: CreativeBrief): string[] {
	const out: string[] = [];
	const walk = (v: unknown, path: string) => {
		if (path === 'brand_guidelines_ref.restricted_keywords') return;
		if (typeof v === 'string') out.push(v);
		else if (Array.isArray(v)) v.forEach((x) => walk(x, path));
		else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
	};
	walk(brief, '');
	return out;
}

async function localBrief(overrides: Partial<CampaignRequest> = {}, brandOverrides: Partial<typeof brand> = {}, seed?: string) {
	const llm = new LocalLlmProvider(seed ? { seed } : {});
	const result = await llm.generate(
		request_('creative_brief', creativeBriefSchema, { request: { ...request, ...overrides }, brand: { ...brand, ...brandOverrides }, guidelines, trends, competitorAds }),
	);
	return result;
}

describe('LocalLlmProvider', () => {
	test('says what it is, and estimates tokens at 4 characters each', async () => {
		const llm = new LocalLlmProvider();
		expect(llm.name).toBe('local');
		expect(llm.model).toBe('local-templates-v1');
		const req = request_('creative_brief', creativeBriefSchema, { request, brand, guidelines, trends, competitorAds });
		const result = await llm.generate(req);
		expect(result.provider).toBe('local');
		expect(result.model).toBe('local-templates-v1');
		expect(result.usage.input_tokens).toBe(Math.ceil((req.system.length + req.prompt.length) / 4));
		expect(result.usage.output_tokens).toBe(Math.ceil(JSON.stringify(result.data).length / 4));
	});

	describe('creative_brief', () => {
		test('is a valid brief grounded in the brand, the guidelines, the trends and the competitors', async () => {
			const { data: brief } = await localBrief();
			expect(creativeBriefSchema.parse(brief)).toEqual(brief);
			const ref = brief.brand_guidelines_ref;
			expect(ref.color_palette).toEqual(brand.color_palette);
			expect(ref.tone).toContain('warm, witty, optimistic');
			expect(ref.tone).toContain('talk like a friend who knows great coffee');
			expect(ref.visual_style).toContain(brand.visual_style);
			// The visual guideline's first sentence carries over; "neon" is off-palette and must not.
			expect(ref.visual_style).toContain('handcrafted textures');
			expect(ref.visual_style).not.toMatch(/neon/i);
			// Brand restrictions plus the terms the restriction guideline quotes.
			expect(ref.restricted_keywords).toEqual(['cheap', 'instant', 'caffeine crash', 'sugary']);
			// Trends ordered by engagement (a numeric string counts), restricted ones dropped.
			expect(brief.trending_insights.trending_topics).toEqual(['#morningroutine', 'desk setup tour', 'slow living', 'lofi study beats remix']);
			expect(brief.trending_insights.trending_audio).toEqual(['lofi study beats remix']);
			expect(brief.core_message.value_proposition).toContain('Aurora Coffee roasts small batches');
			const analysis = brief.trending_insights.competitor_analysis as { competitors: Array<{ name: string; patterns: string[] }>; recurring_patterns: string[] };
			expect(analysis.competitors.map((c) => c.name)).toEqual(['BeanCo', 'Roastly']);
			expect(analysis.recurring_patterns).toEqual(['hook structure: question opener']);
			expect(brief.target_audience.demographics).toMatchObject({ age_range: '25-34', audience_label: 'urban millennials', interests: ['specialty coffee'] });
			expect(brief.approval_status).toBe('pending');
		});

		test('never uses a restricted keyword outside the restricted list, even when the inputs carry one', async () => {
			const { data: brief } = await localBrief({ notes: 'no cheap tricks' }, { tone: 'warm, witty' });
			const pattern = /\b(cheap|instant|sugary|caffeine crash)\b/i;
			const offending = stringsOutsideRestrictedList(brief).filter((s) => pattern.test(s));
			expect(offending).toEqual([]);
			// ...and the input really did contain them (the trend and a competitor pattern).
			expect(JSON.stringify({ trends, competitorAds })).toMatch(pattern);
		});

		test('a restriction guideline bans the words it forbids, not the ones it recommends, so the product the notes name survives', async () => {
			// The demo brand book's rule, hard-wrapped as in the file.
			const rule = 'Never promise results we cannot prove. Do not use: "cheap", "guaranteed", "miracle",\n"injury-proof", "best in the world". Say "light" or "springy", not "fastest".\nNo medical claims.';
			expect(quotedTerms(rule)).toEqual(['cheap', 'guaranteed', 'miracle', 'injury-proof', 'best in the world', 'fastest']);
			expect(quotedTerms('Use "pre-owned", never "used". "Cheap" is off limits.')).toEqual(['used', 'Cheap']);
			// The apostrophe of "don't" opens no quote.
			expect(quotedTerms("Don't say 'cheap'; call it 'affordable'.")).toEqual(['cheap']);

			const llm = new LocalLlmProvider();
			const { data: brief } = await llm.generate(
				request_('creative_brief', creativeBriefSchema, {
					request: { ...request, product_category: 'running shoes', notes: 'Launch of the Cloudline, a light and springy daily trainer. Morning city runs.' },
					brand: { ...brand, brand_name: 'Stride Running Co.', restricted_keywords: ['cheap'] },
					guidelines: [...guidelines, { content: rule, category: 'restrictions', similarity: 0.6 }],
				}),
			);
			expect(brief.brand_guidelines_ref.restricted_keywords).toEqual(expect.arrayContaining(['cheap', 'fastest']));
			expect(brief.brand_guidelines_ref.restricted_keywords).not.toContain('light');
			expect(brief.brand_guidelines_ref.restricted_keywords).not.toContain('springy');
			expect(brief.core_message.value_proposition).toContain('the Cloudline, a light and springy daily trainer');
		});

		test('suggests 2–4 variants whose rationale follows the objective, the audience and the tone', async () => {
			const awareness = (await localBrief()).data.variant_suggestions;
			expect(awareness.length).toBeGreaterThanOrEqual(2);
			expect(awareness.length).toBeLessThanOrEqual(4);
			expect(awareness[0].variant_type).toBe('humorous');
			expect(awareness[0].rationale).toMatch(/awareness campaign aimed at Urban millennials/);
			expect(awareness[0].rationale).toMatch(/witty tone/);

			const conversion = (
				await localBrief(
					{ campaign_objective: 'conversion', target_demographic: 'IT managers and decision-makers at mid-size companies' },
					{ tone: 'authoritative, precise, formal' },
				)
			).data.variant_suggestions;
			const types = conversion.map((v) => v.variant_type);
			expect(types.slice(0, 2).sort()).toEqual(['educational', 'serious']);
			expect(types).not.toContain('humorous');
			expect(conversion[0].rationale).toMatch(/conversion campaign/);
			expect(conversion[0].rationale).toMatch(/want evidence/);
		});

		test('is deterministic, whatever the seed (a brief has nothing to vary)', async () => {
			expect((await localBrief()).data).toEqual((await localBrief()).data);
		});

		test('names the offending context field when the context is wrong', async () => {
			const llm = new LocalLlmProvider();
			await expect(llm.generate(request_('creative_brief', creativeBriefSchema, { request, brand: { ...brand, tone: '' }, guidelines }))).rejects.toThrow(
				expect.objectContaining({ field: 'context.brand.tone' }),
			);
			await expect(llm.generate(request_('video' as never, creativeBriefSchema, {}))).rejects.toThrow(ValidationError);
		});
	});

	describe('hooks', () => {
		async function hooks(count: number, round = 1, avoid: string[] = [], seed?: string) {
			const brief = (await localBrief()).data;
			const llm = new LocalLlmProvider(seed ? { seed } : {});
			return (await llm.generate(request_('hooks', hookBatchSchema, { brief, count, round, avoid, trends: ['#morningroutine'] }))).data.hooks;
		}

		test('50 distinct hooks across all four types in one answer', async () => {
			const list = await hooks(50);
			expect(list).toHaveLength(50);
			expect(new Set(list.map((h) => h.text.toLowerCase())).size).toBe(50);
			for (const type of HOOK_TYPES) expect(list.filter((h) => h.hook_type === type).length).toBeGreaterThanOrEqual(8);
			// Varied wording: no two hooks open with the same three words more than a few times.
			const openings = new Map<string, number>();
			for (const h of list) {
				const key = h.text.toLowerCase().split(/\s+/).slice(0, 3).join(' ');
				openings.set(key, (openings.get(key) ?? 0) + 1);
			}
			expect(Math.max(...openings.values())).toBeLessThanOrEqual(4);
			expect(list.every((h) => h.text.length <= 200 && !/\{|\}/.test(h.text))).toBe(true);
		});

		test('a later round gives hooks other than the ones to avoid', async () => {
			const first = await hooks(50);
			const second = await hooks(50, 2, first.map((h) => h.text));
			const firstTexts = new Set(first.map((h) => h.text));
			expect(second).toHaveLength(50);
			expect(second.filter((h) => firstTexts.has(h.text))).toEqual([]);
		});

		test('is deterministic for a seed and different for another seed', async () => {
			expect(await hooks(20)).toEqual(await hooks(20));
			const other = await hooks(20, 1, [], 'another-seed');
			expect(other.map((h) => h.text)).not.toEqual((await hooks(20)).map((h) => h.text));
		});

		test("still validates the caller's schema: a schema the output breaks makes generate throw", async () => {
			const brief = (await localBrief()).data;
			const strict = z.object({ hooks: z.array(z.object({ text: z.string(), hook_type: z.string() })).max(3) });
			await expect(new LocalLlmProvider().generate(request_('hooks', strict, { brief, count: 5 }))).rejects.toThrow(/at most 3/);
		});
	});

	describe('script', () => {
		test('a draft that normalises into a valid 15–60 s script carrying the brand palette and style', async () => {
			const brief = (await localBrief()).data;
			const llm = new LocalLlmProvider();
			const hook = { text: 'Why does everyone on #morningroutine love this specialty coffee?', hook_type: 'question' as const, quality_score: 0.82 };
			for (const targetSeconds of [15, 32, 60]) {
				const { data: draft } = await llm.generate(
					request_('script', scriptDraftSchema, { brief, hook, variant: 'humorous', brand, targetSeconds, variationsGenerated: 50 }),
				);
				// Already a valid Script before any normalisation.
				const script = scriptSchema.parse({ ...draft, hook: { ...hook, variations_generated: 50, selected_rationale: 'test' } });
				expect(script.total_duration_seconds).toBe(targetSeconds);
				expect(script.scenes.every((s) => s.duration_seconds >= 3 && s.duration_seconds <= 5)).toBe(true);
				expect(script.scenes[0].voiceover_text).toBe(hook.text);
				expect(script.scenes[script.scenes.length - 1].voiceover_text).toContain(brief.core_message.call_to_action);
				for (const s of script.scenes) {
					for (const colour of brand.color_palette) expect(s.visual_prompt).toContain(colour);
					expect(s.visual_prompt).toContain(brand.visual_style);
					expect(s.visual_prompt.split(/\s+/).length).toBeGreaterThanOrEqual(30);
				}
			}
		});

		test('each variant sounds different', async () => {
			const brief = (await localBrief()).data;
			const llm = new LocalLlmProvider();
			const hook = { text: 'Still dealing with bland mornings?', hook_type: 'question' as const, quality_score: 0.8 };
			const tones = new Set<string>();
			const problemLines = new Set<string>();
			for (const variant of ['humorous', 'serious', 'emotional', 'educational'] as const) {
				const { data } = await llm.generate(request_('script', scriptDraftSchema, { brief, hook, variant, brand, targetSeconds: 30 }));
				const script = normaliseScript(data, { brand, hook, variant, targetSeconds: 30, variationsGenerated: 1 });
				tones.add(script.scenes[0].audio_cues.voice_tone);
				problemLines.add(script.scenes[1].voiceover_text);
				expect(script.variant_tag).toBe(variant);
			}
			expect(tones.size).toBe(4);
			expect(problemLines.size).toBe(4);
		});
	});

	describe('caption', () => {
		test('fits the platform limit with its hashtags, keeps line breaks, and leaves restricted words out', async () => {
			const brief = (await localBrief()).data;
			const llm = new LocalLlmProvider();
			const long = await llm.generate(request_('caption', captionSchema, { platform: 'instagram', brief, maxLength: 2200, hashtags: ['Coffee Lovers', 'cheap eats'] }));
			expect(long.data.caption).toContain('\n\n');
			expect(long.data.caption).toContain(brief.core_message.primary_hook);
			expect(long.data.hashtags).toContain('#coffeelovers');
			expect(long.data.hashtags).toContain('#reels');
			expect(long.data.hashtags.join(' ')).not.toMatch(/cheap/);
			const title = await llm.generate(request_('caption', captionSchema, { platform: 'youtube', brief, maxLength: 100 }));
			expect(renderCaption(title.data, 100).length).toBeLessThanOrEqual(100);
			const tiny = await llm.generate(request_('caption', captionSchema, { platform: 'tiktok', brief, maxLength: 40 }));
			expect(renderCaption(tiny.data, 40).length).toBeLessThanOrEqual(40);
			expect(tiny.data.caption.endsWith('…')).toBe(true);
		});

		test('needs a brief or a script', async () => {
			await expect(new LocalLlmProvider().generate(request_('caption', captionSchema, { platform: 'tiktok', maxLength: 2200 }))).rejects.toThrow(ValidationError);
		});
	});

	describe('rubric', () => {
		test('a deterministic heuristic: on-brand copy scores high, restricted and shouting copy low, with reasons', async () => {
			const llm = new LocalLlmProvider();
			const rate = async (text: string) => (await llm.generate(request_('rubric', rubricSchema, { text, brand }))).data;
			const good = await rate('A warm cup for you and your friends, roasted with care every morning.');
			const bad = await rate('CHEAP INSTANT COFFEE!!! BUY NOW, LOSERS');
			expect(good.score).toBeGreaterThanOrEqual(0.9);
			expect(bad.score).toBeLessThanOrEqual(0.2);
			expect(bad.reasons.join(' ')).toMatch(/cheap, instant/);
			expect(bad.reasons.join(' ')).toMatch(/shouts/);
			expect(await rate('A warm cup for you and your friends, roasted with care every morning.')).toEqual(good);
		});
	});
});
