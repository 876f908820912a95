/**
 * The Model Router over the real catalogue. The property test walks every combination of style,
 * scene type, tier, aspect, resolution, scene length, budget and set of configured providers: each
 * routes to a live generator of a configured provider, or fails with a reason — never nowhere
 * (seed 004's router sent whole tiers to no generator) and never to a retired model.
 */
import { ValidationError } from '../../lib/domain/errors';
import { VIDEO_MODELS } from '../../lib/providers/video/registry';
import type { AspectRatio, Resolution } from '../../lib/providers/types';
import { analyzeSceneType, roleFor, routeScene, type BudgetTier } from '../../lib/strategy/router';

const STYLES = ['hyper_realistic', 'cinematic', 'abstract', 'fast_paced', 'animation', ''];
const PROMPTS = [
	'Close-up of the product bottle on a pedestal',
	'Fast-paced montage of a city street, quick cuts',
	'Abstract fluid shapes, dreamlike',
	'Animate this image of the shoe',
	'A calm beach at sunset',
];
const TIERS: BudgetTier[] = ['premium', 'standard', 'volume'];
const ASPECTS: AspectRatio[] = ['9:16', '16:9', '1:1'];
const RESOLUTIONS: Resolution[] = ['720p', '1080p'];
const SOURCES = ['library', 'pexels', 'pixabay'];
/** Paid generators (models), apart from the library and stock sources. */
const REMOTE = [...new Set(VIDEO_MODELS.filter((m) => m.provider !== 'local' && !SOURCES.includes(m.provider)).map((m) => m.provider))];
const PROVIDER_SETS: string[][] = [
	['local'],
	REMOTE,
	[...REMOTE, 'local'],
	...REMOTE.map((p) => [p]),
	...REMOTE.map((p) => [p, 'local']),
	...SOURCES.map((p) => [p]),
	[...SOURCES, 'local'],
	[...REMOTE, ...SOURCES, 'local'],
	['gemini', 'pexels'],
];
/** Which providers have a fitting asset for the scene (none; the library; stock; both). */
const FITTING: (string[] | undefined)[] = [undefined, ['library'], ['pexels', 'pixabay'], SOURCES];
const RANK: Record<BudgetTier, number> = { volume: 0, standard: 1, premium: 2 };
const live = new Set(VIDEO_MODELS.filter((m) => !m.retired).map((m) => `${m.provider}/${m.model}`));

const sceneOf = (prompt: string, style: string, seconds: number) => ({
	visual_prompt: prompt,
	duration_seconds: seconds,
	visual_cues: { style: style as never, color_palette: [], camera_movement: 'static', lighting: 'soft' },
});

test('the catalogue keeps Sora only as retired', () => {
	const sora = VIDEO_MODELS.filter((m) => /sora/i.test(m.model));
	expect(sora.length).toBeGreaterThan(0);
	expect(sora.every((m) => m.retired)).toBe(true);
});

test('the seed roles: product shots and hyper-realism → photoreal, social → dynamic, abstract → abstract, image → image_to_video', () => {
	expect(analyzeSceneType(PROMPTS[0])).toBe('product_shot');
	expect(analyzeSceneType(PROMPTS[1])).toBe('social_montage');
	expect(analyzeSceneType(PROMPTS[2])).toBe('abstract');
	expect(analyzeSceneType(PROMPTS[3])).toBe('image_to_video');
	expect(roleFor('hyper_realistic', 'general')).toBe('photoreal');
	expect(roleFor('fast_paced', 'general')).toBe('dynamic');
	expect(roleFor('cinematic', 'abstract')).toBe('abstract');
	expect(roleFor('', 'general')).toBe('photoreal');
});

test('property: every input reaches a live generator of a configured provider, or says why not', () => {
	let routed = 0;
	let refused = 0;
	// Violations are collected (jest's expect per call would dominate the run time) and must be none.
	const bad: string[] = [];
	const check = (ok: boolean, what: string, input: unknown) => {
		if (!ok && bad.length < 20) bad.push(`${what}: ${JSON.stringify(input)}`);
	};
	for (const available of PROVIDER_SETS)
		for (const tier of TIERS)
			for (const style of STYLES)
				for (const prompt of PROMPTS)
					for (const aspect of ASPECTS)
						for (const resolution of RESOLUTIONS)
							for (const seconds of [3, 5])
								for (const remaining of [null, 50_000_000, 0])
									for (const fitting of available.some((p) => SOURCES.includes(p)) ? FITTING : [undefined]) {
										const ctx = { tier, aspect, resolution, available: new Set(available), remaining, catalogue: VIDEO_MODELS, fitting: fitting && new Set(fitting) };
										const input = { available, tier, style, prompt, aspect, resolution, seconds, remaining, fitting };
										let d: ReturnType<typeof routeScene>;
										try {
											d = routeScene(sceneOf(prompt, style, seconds), ctx);
										} catch (err) {
											// Refused only without the free local render or the library, and only when no
											// configured generator can make this scene at all, or none fits a budget of zero.
											check(err instanceof ValidationError, 'refusal is a ValidationError', input);
											check(!available.includes('local') && !available.includes('library'), 'refused although local/library is available', input);
											const capable = VIDEO_MODELS.filter(
												(m) =>
													!m.retired &&
													available.includes(m.provider) &&
													(!m.needsAsset || (fitting ?? []).includes(m.provider)) &&
													m.aspects.includes(aspect) &&
													m.resolutions.includes(resolution) &&
													m.durations.some((x) => x >= seconds) &&
													RANK[m.tier] <= RANK[tier],
											);
											check(capable.length === 0 || remaining === 0, 'refused although a capable generator fits the budget', input);
											refused++;
											continue;
										}
										check(live.has(`${d.provider}/${d.model}`), 'routed to a live model', input);
										check(available.includes(d.provider), 'routed to a configured provider', input);
										check(d.billed_seconds >= seconds, 'billed seconds cover the scene', input);
										const model = VIDEO_MODELS.find((m) => m.provider === d.provider && m.model === d.model)!;
										// An asset-based generator only for a scene with a fitting asset of its own.
										check(!model.needsAsset || (fitting ?? []).includes(d.provider), 'asset generator only with a fitting asset', input);
										// The brand's fitting asset always wins; without one, a configured library still
										// makes every scene (kinetic typography), and the gradient is never chosen over it.
										check(!(available.includes('library') && fitting?.includes('library')) || d.model === 'library-asset', 'a fitting library asset wins', input);
										check(!available.includes('library') || d.provider !== 'local', 'library before the gradient', input);
										check(remaining === null || d.estimate <= remaining, 'within the budget', input);
										check(d.fallbacks.every((f) => live.has(`${f.provider}/${f.model}`)), 'fallbacks are live', input);
										routed++;
									}
	expect(bad).toEqual([]);
	expect(routed).toBeGreaterThan(20000);
	expect(refused).toBeGreaterThan(0);
});

test('with every remote provider configured, every tier and style reaches a remote generator within its tier', () => {
	for (const tier of TIERS)
		for (const style of STYLES)
			for (const prompt of PROMPTS) {
				const d = routeScene(sceneOf(prompt, style, 5), {
					tier,
					aspect: '9:16',
					resolution: '720p',
					available: new Set([...REMOTE, 'local']),
					remaining: null,
					catalogue: VIDEO_MODELS,
				});
				expect(d.provider).not.toBe('local');
				const model = VIDEO_MODELS.find((m) => m.provider === d.provider && m.model === d.model)!;
				expect({ volume: 0, standard: 1, premium: 2 }[model.tier]).toBeLessThanOrEqual({ volume: 0, standard: 1, premium: 2 }[tier]);
				expect(d.fallbacks.at(-1)?.provider).toBe('local');
			}
});

test("premium photoreal takes Sora's role with the best live premium model; a thin budget steps down, then to local", () => {
	const scene = sceneOf(PROMPTS[0], 'hyper_realistic', 5);
	const base = { tier: 'premium' as const, aspect: '9:16' as const, resolution: '720p' as const, available: new Set([...REMOTE, 'local']), catalogue: VIDEO_MODELS };
	const rich = routeScene(scene, { ...base, remaining: null });
	const richModel = VIDEO_MODELS.find((m) => m.provider === rich.provider && m.model === rich.model)!;
	expect(richModel.tier).toBe('premium');
	expect(richModel.roles).toContain('photoreal');
	const thin = routeScene(scene, { ...base, remaining: rich.estimate - 1 });
	expect(thin.estimate).toBeLessThan(rich.estimate);
	const broke = routeScene(scene, { ...base, remaining: 0 });
	expect(broke.provider).toBe('local');
	expect(broke.reason).toContain('local render');
});

test('the brand library first, stock second, paid generators when the tier allows, typography before the gradient', () => {
	const scene = sceneOf(PROMPTS[0], 'hyper_realistic', 5);
	const base = { aspect: '9:16' as const, resolution: '720p' as const, remaining: null, catalogue: VIDEO_MODELS };
	const all = new Set([...REMOTE, ...SOURCES, 'local']);
	const lib = routeScene(scene, { ...base, tier: 'premium', available: all, fitting: new Set(SOURCES) });
	expect([lib.provider, lib.model, lib.estimate]).toEqual(['library', 'library-asset', 0]);
	expect(lib.reason).toContain("library has a fitting asset");
	const stock = routeScene(scene, { ...base, tier: 'standard', available: all, fitting: new Set(['pexels']) });
	expect(stock.provider).toBe('pexels');
	expect(stock.reason).toContain('stock footage');
	// Premium: a paid generator before stock.
	const premium = routeScene(scene, { ...base, tier: 'premium', available: all, fitting: new Set(['pexels']) });
	expect(REMOTE).toContain(premium.provider);
	expect(routeScene(scene, { ...base, tier: 'premium', available: new Set(['pexels', 'local']), fitting: new Set(['pexels']) }).provider).toBe('pexels');
	// No keys, nothing fits: kinetic typography, and the gradient only as the fallback.
	const type = routeScene(scene, { ...base, tier: 'volume', available: new Set(['library', 'local']) });
	expect(type.model).toBe('library-kinetic-type');
	expect(type.fallbacks.at(-1)?.provider).toBe('local');
	// Stock configured but its search found nothing for this scene: not a candidate.
	const none = routeScene(scene, { ...base, tier: 'volume', available: new Set(['pexels', 'local']), fitting: new Set() });
	expect(none.provider).toBe('local');
});
