import { creativeBriefSchema, type CreativeBrief } from '../../lib/domain/schemas';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { LlmProvider, LlmRequest, LlmResult } from '../../lib/providers/types';
import {
	ALIGNMENT_THRESHOLD,
	brandAlignment,
	briefText,
	classifyColours,
	hexFamilies,
	RESTRICTED_KEYWORD_CAP,
	synthesizeBrief,
} from '../../lib/strategy/brief';

const brand = {
	brand_name: 'Aurora Coffee',
	tone: 'warm, witty, optimistic',
	color_palette: ['#1B4332 forest green', '#F4A261 terracotta', 'cream'],
	restricted_keywords: ['cheap', 'instant', 'caffeine crash'],
	visual_style: 'cinematic, natural morning light, handcrafted textures',
};
const request = {
	product_category: 'specialty coffee',
	target_demographic: 'Urban millennials aged 25-34 who work from home',
	campaign_objective: 'awareness' as const,
	budget_tier: 'standard' as const,
	brand_id: '6f1f7c2e-8a0b-4c1e-9a55-0d2a7c1b9e11',
};
const guidelines = [
	{ content: 'Our voice is warm and witty: we talk like a friend who knows great coffee, never like a salesperson.', category: 'tone', similarity: 0.82 },
	{ content: 'Visuals are cinematic with natural morning light, handcrafted textures and forest green and terracotta accents.', category: 'visual_style', similarity: 0.78 },
	{ content: "Never describe our coffee as 'cheap' or 'instant'; avoid health claims.", category: 'restrictions', similarity: 0.7 },
	{ content: 'Aurora Coffee roasts small batches so every morning cup tastes like a fresh start.', category: 'messaging', similarity: 0.75 },
];
const trends = [
	{ topic: '#morningroutine', engagement_score: 0.91 },
	{ topic: 'slow living', engagement_score: 0.66 },
];
const competitorAds = [{ competitor_name: 'BeanCo', patterns: ['question opener', 'fast cuts'] }];
const fixedNow = () => new Date('2026-03-01T09:00:00Z');
const embedder = new LocalEmbeddingProvider();

/** Records every request and lets a test rewrite the local provider's answer (a double of our own interface). */
class RecordingLlm implements LlmProvider {
	readonly name = 'recording';
	readonly model = 'recording-over-local';
	readonly requests: Array<LlmRequest<unknown>> = [];
	private readonly local = new LocalLlmProvider();
	constructor(private readonly rewrite: (data: unknown) => unknown = (d) => d) {}
	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		this.requests.push(req as LlmRequest<unknown>);
		const result = await this.local.generate(req);
		return { ...result, data: req.schema.parse(this.rewrite(structuredClone(result.data))), provider: this.name, model: this.model };
	}
}

async function onBrandBrief(): Promise<CreativeBrief> {
	return (await synthesizeBrief({ request, brand, guidelines, trends, competitorAds, llm: new LocalLlmProvider(), now: fixedNow })).brief;
}

describe('synthesizeBrief', () => {
	test('asks for a creative_brief with a prompt that carries the request, brand, guidelines, trends and competitors', async () => {
		const llm = new RecordingLlm();
		const result = await synthesizeBrief({ request, brand, guidelines, trends, competitorAds, llm, now: fixedNow });
		expect(llm.requests).toHaveLength(1);
		const req = llm.requests[0];
		expect(req.task).toBe('creative_brief');
		expect(req.schema).toBe(creativeBriefSchema);
		for (const g of guidelines) expect(req.prompt).toContain(g.content);
		expect(req.prompt).toContain('#morningroutine (engagement 0.91)');
		expect(req.prompt).toContain('BeanCo: question opener; fast cuts');
		expect(req.prompt).toContain('restricted_keywords: cheap, instant, caffeine crash');
		expect(req.system).toMatch(/never use a restricted keyword/i);
		expect(result.llm).toEqual({ provider: 'recording', model: 'recording-over-local', usage: expect.objectContaining({ input_tokens: expect.any(Number) }) });
		expect(result.brief.generated_at).toBe('2026-03-01T09:00:00.000Z');
		expect(result.enforced).toEqual([]);
	});

	test('puts back the brand facts an LLM changed: palette, restricted keywords, tone, visual style', async () => {
		const llm = new RecordingLlm((data) => {
			const brief = data as CreativeBrief;
			brief.brand_guidelines_ref.color_palette = ['neon pink', 'electric blue'];
			brief.brand_guidelines_ref.restricted_keywords = ['instant', 'diet'];
			brief.brand_guidelines_ref.tone = 'edgy and loud';
			brief.brand_guidelines_ref.visual_style = 'glitchy cartoon';
			return brief;
		});
		const { brief, enforced } = await synthesizeBrief({ request, brand, guidelines, trends, competitorAds, llm, now: fixedNow });
		const ref = brief.brand_guidelines_ref;
		expect(ref.color_palette).toEqual(brand.color_palette);
		// The brand's list first, the LLM's extra restriction kept.
		expect(ref.restricted_keywords).toEqual(['cheap', 'instant', 'caffeine crash', 'diet']);
		expect(ref.tone).toBe('warm, witty, optimistic; edgy and loud');
		expect(ref.visual_style).toBe(`${brand.visual_style}; glitchy cartoon`);
		expect(enforced).toHaveLength(4);
		expect(enforced[0]).toMatch(/neon pink/);
		expect(creativeBriefSchema.parse(brief)).toEqual(brief);
	});

	test('rejects a bad request before calling the LLM, naming the field', async () => {
		const llm = new RecordingLlm();
		await expect(
			synthesizeBrief({ request: { ...request, campaign_objective: 'virality' as never }, brand, guidelines, llm }),
		).rejects.toThrow(expect.objectContaining({ field: 'request.campaign_objective' }));
		expect(llm.requests).toHaveLength(0);
	});

	test('is deterministic with the local provider', async () => {
		expect(await onBrandBrief()).toEqual(await onBrandBrief());
	});
});

describe('brandAlignment', () => {
	const align = (text: string, extra: Partial<Parameters<typeof brandAlignment>[0]> = {}) => brandAlignment({ text, brand, guidelines, embedder, ...extra });

	test('an on-brand brief passes the 0.85 gate, with every component explained', async () => {
		const result = await align(briefText(await onBrandBrief()));
		expect(result.threshold).toBe(ALIGNMENT_THRESHOLD);
		expect(result.score).toBeGreaterThanOrEqual(0.85);
		expect(result.passes).toBe(true);
		expect(result.components.restricted_keywords.hits).toEqual([]);
		expect(result.components.palette.score).toBe(1);
		expect(result.components.visual_style.score).toBe(1);
		expect(result.components.semantic.cosine).toBeGreaterThan(0.1);
		expect(result.reasons).toHaveLength(5);
		expect(result.reasons.join('\n')).toMatch(/semantic: .* mean cosine/);
	});

	test('an on-brand brief written without the guidelines in front of it still passes on meaning', async () => {
		const { brief } = await synthesizeBrief({ request, brand, guidelines: [], trends, llm: new LocalLlmProvider() });
		const result = await align(briefText(brief));
		expect(result.components.semantic.score).toBeLessThan(1);
		expect(result.score).toBeGreaterThanOrEqual(0.85);
	});

	test('an off-brand brief (restricted words, contrary tone, foreign palette and style) fails', async () => {
		const offBrand = [
			'Target: bargain hunters who want the cheapest caffeine hit.',
			'Core message: instant coffee, dirt cheap, act now!!! Hurry, losers.',
			'Tone: loud, aggressive, urgent.',
			'Color palette: neon pink, electric blue, #FF00FF.',
			'Visual style: flashy cartoon animation with glitch cuts.',
		].join('\n');
		const result = await align(offBrand);
		expect(result.score).toBeLessThan(0.85);
		expect(result.score).toBeLessThanOrEqual(RESTRICTED_KEYWORD_CAP);
		expect(result.passes).toBe(false);
		expect(result.components.restricted_keywords.hits).toEqual(['cheap', 'instant']);
		expect(result.components.tone.score).toBeLessThan(0.5);
		expect(result.components.palette.score).toBe(0);
		expect(result.components.visual_style.score).toBeLessThan(0.5);
	});

	test('each defect alone takes an on-brand brief below the gate', async () => {
		const onBrand = briefText(await onBrandBrief());
		const base = await align(onBrand);
		const foreignPalette = await align(onBrand.replace(/#1B4332 forest green|#F4A261 terracotta|cream|forest green|terracotta/g, 'neon pink'));
		const contraryTone = await align(`${onBrand}\nHonestly, only losers and idiots drink anything else. Shut up and buy it!!!`);
		const restricted = await align(`${onBrand}\nBetter than any cheap blend.`);
		for (const r of [foreignPalette, contraryTone, restricted]) {
			expect(r.score).toBeLessThan(ALIGNMENT_THRESHOLD);
			expect(r.score).toBeLessThan(base.score);
		}
		expect(foreignPalette.components.palette.detail).toMatch(/foreign: neon, pink/);
		expect(contraryTone.components.tone.detail).toMatch(/losers/);
		expect(restricted.score).toBe(RESTRICTED_KEYWORD_CAP);
	});

	test('an injected matcher replaces the plain whole-word match (disguised spellings are the Judge’s job)', async () => {
		const text = briefText(await onBrandBrief()) + '\nSo ch3ap!';
		expect((await align(text)).components.restricted_keywords.hits).toEqual([]);
		const leet = (t: string, keywords: string[]) => keywords.filter((k) => t.toLowerCase().replace(/3/g, 'e').includes(k));
		const caught = await align(text, { findRestricted: leet });
		expect(caught.components.restricted_keywords.hits).toEqual(['cheap']);
		expect(caught.score).toBeLessThanOrEqual(RESTRICTED_KEYWORD_CAP);
	});

	test('components with nothing to judge are n/a and do not drag the score', async () => {
		const result = await align('We talk like a friend who knows great coffee: warm, witty and optimistic about every morning.', { guidelines: [] });
		expect(result.components.semantic.score).toBeNull();
		expect(result.components.palette.score).toBeNull();
		expect(result.components.visual_style.score).toBeNull();
		expect(result.score).toBe(result.components.tone.score);
	});

	test('is deterministic', async () => {
		const text = briefText(await onBrandBrief());
		expect(await align(text)).toEqual(await align(text));
	});
});

describe('palette helpers', () => {
	test('hex codes map to hue families, so a hex-only palette still judges colour words', () => {
		expect(hexFamilies('#1B4332')).toEqual(['green']);
		expect(hexFamilies('#F4A261')).toEqual(['orange']);
		expect(hexFamilies('#FF00FF')).toEqual(['pink', 'purple']);
		expect(hexFamilies('#111111')).toEqual(['black']);
		expect(classifyColours('emerald leaves, a pink sky and #2D6A4F', ['#1B4332'])).toEqual({ onPalette: ['#2d6a4f', 'emerald'], offPalette: ['pink'] });
	});
});
