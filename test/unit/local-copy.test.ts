/**
 * Local copy that reads like a person wrote it (issue 11), shown with a second brand, an
 * outdoor-clothing one: the category as a noun phrase with its number and article ("an insulated
 * hiking jacket", "insulated hiking jackets", "this insulated hiking jacket"), the product the
 * request's notes name used by name, details from the notes spoken as lines, hooks of varied
 * structure, and no restricted keyword anywhere in the output: not from the brand, not from a
 * notes sentence that carries one (even disguised), checked with the Judge's own matcher.
 */
import { creativeBriefSchema, hookBatchSchema, type CampaignRequest, type CreativeBrief } from '../../lib/domain/schemas';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { LlmRequest } from '../../lib/providers/types';
import { captionSchema } from '../../lib/strategy/caption';
import { findRestrictedKeywords } from '../../lib/strategy/judge/keywords';
import {
	demonstrative,
	detailLine,
	dropRestrictedSentences,
	generic,
	indefinite,
	indefiniteArticle,
	nounPhrase,
	pluralize,
	productFromNotes,
	singularize,
} from '../../lib/strategy/phrases';
import { scriptDraftSchema } from '../../lib/strategy/script';
import type { z } from 'zod';

const outdoor = {
	brand_name: 'Northbound Outfitters',
	tone: 'calm, capable and understated; practical over poetic',
	color_palette: ['#2F4F3A', '#D9A441', '#EDE6D6'],
	visual_style: 'misty mountain trails at dawn, natural textures, documentary feel',
	restricted_keywords: ['indestructible', 'cheap', 'lifetime warranty', 'eco-friendly', 'waterproof forever'],
};
const NOTES =
	'Introducing the Ridgeline Parka, an insulated hiking jacket with recycled fill. Packs into its own pocket. ' +
	'Practically 1ndestructible, and cheaper than the rest. Cold mornings above the treeline. Comes with a lifetime-warranty card.';
const request: CampaignRequest = {
	product_category: 'insulated hiking jacket',
	target_demographic: 'weekend hikers aged 30-55 who camp in shoulder season',
	campaign_objective: 'conversion',
	budget_tier: 'standard',
	brand_id: '6f1f7c2e-8a0b-4c1e-9a55-0d2a7c1b9e12',
	notes: NOTES,
};

function req<T>(task: LlmRequest<T>['task'], schema: z.ZodType<T>, context: Record<string, unknown>): LlmRequest<T> {
	return { task, system: 'system', prompt: 'prompt', schema, schemaName: task, context };
}

/** Every string in a value, except the brief's list of restricted keywords itself. */
function strings(v: unknown, path = ''): string[] {
	if (path === 'brand_guidelines_ref.restricted_keywords') return [];
	if (typeof v === 'string') return [v];
	if (Array.isArray(v)) return v.flatMap((x) => strings(x, path));
	if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, path ? `${path}.${k}` : k));
	return [];
}

/** Every bare "insulated hiking jacket" (singular, no article or determiner, not used as an adjective). */
function bareSingulars(text: string): string[] {
	return [...text.matchAll(/(\S+\s+)?insulated hiking jacket(?!s)(\s+\S+)?/gi)]
		.filter((m) => m[0].trim() !== 'insulated hiking jacket' || text.trim() !== 'insulated hiking jacket')
		.filter((m) => !/^(an?|the|this|my|your|our|one|new|better|every|which)\s+$/i.test(m[1] ?? '') && !/^\s+(brands?|rule|person)\b/i.test(m[2] ?? ''))
		.map((m) => m[0]);
}

let brief: CreativeBrief;
let hooks: { text: string; hook_type: string }[];
let scripts: { variant: string; lines: string[] }[];
let captions: string[];
beforeAll(async () => {
	const llm = new LocalLlmProvider();
	brief = (await llm.generate(req('creative_brief', creativeBriefSchema, { request, brand: outdoor }))).data;
	hooks = (await llm.generate(req('hooks', hookBatchSchema, { brief, count: 50, productCategory: request.product_category, notes: NOTES }))).data.hooks;
	scripts = [];
	for (const variant of ['humorous', 'serious', 'emotional', 'educational'] as const) {
		const s = await llm.generate(
			req('script', scriptDraftSchema, {
				brief,
				hook: { ...hooks[0], quality_score: 0.8 },
				variant,
				brand: outdoor,
				targetSeconds: 30,
				productCategory: request.product_category,
				notes: NOTES,
			}),
		);
		scripts.push({ variant, lines: s.data.scenes.map((x) => x.voiceover_text) });
	}
	captions = [];
	for (const platform of ['instagram', 'tiktok', 'linkedin', 'youtube'] as const) {
		const c = await llm.generate(req('caption', captionSchema, { platform, brief, maxLength: 2200 }));
		captions.push(c.data.caption, ...c.data.hashtags);
	}
});

describe('phrases', () => {
	test('a category knows its number, article and forms', () => {
		const jacket = nounPhrase('insulated hiking jacket');
		expect([generic(jacket), indefinite(jacket), demonstrative(jacket)]).toEqual(['insulated hiking jackets', 'an insulated hiking jacket', 'this insulated hiking jacket']);
		const shoes = nounPhrase('running shoes');
		expect([generic(shoes), indefinite(shoes), demonstrative(shoes)]).toEqual(['running shoes', 'a pair of running shoes', 'these running shoes']);
		const coffee = nounPhrase('Specialty Coffee');
		expect([generic(coffee), indefinite(coffee), demonstrative(coffee)]).toEqual(['specialty coffee', 'specialty coffee', 'this specialty coffee']);
		const boots = nounPhrase('hiking boots for winter');
		expect([boots.number, indefinite(boots)]).toEqual(['plural', 'a pair of hiking boots for winter']);
		const tents = nounPhrase('ultralight tents');
		expect([tents.number, tents.singular, indefinite(tents)]).toEqual(['plural', 'ultralight tent', 'ultralight tents']);
		expect(indefinite(nounPhrase('umbrella'))).toBe('an umbrella');
	});

	test('a/an by sound, plurals both ways', () => {
		const cases: Array<[string, 'a' | 'an']> = [
			['insulated', 'an'],
			['hour-long class', 'an'],
			['honest review', 'an'],
			['unicorn', 'a'],
			['useful tip', 'a'],
			['umbrella', 'an'],
			['SUV', 'an'],
			['UX review', 'a'],
			['one-off', 'a'],
			['European trail', 'a'],
			['8-hour hike', 'an'],
			['hiking jacket', 'a'],
		];
		for (const [w, a] of cases) expect(`${indefiniteArticle(w)} ${w}`).toBe(`${a} ${w}`);
		expect(['jacket', 'box', 'berry', 'day', 'person', 'knife'].map(pluralize)).toEqual(['jackets', 'boxes', 'berries', 'days', 'people', 'knives']);
		expect(['jackets', 'boxes', 'berries', 'days', 'people', 'glass'].map(singularize)).toEqual(['jacket', 'box', 'berry', 'day', 'person', 'glass']);
	});

	test('the notes name the product, describe it, and lose every sentence that carries a restricted word (disguised too)', () => {
		const facts = productFromNotes(NOTES, { brandName: outdoor.brand_name, restricted: outdoor.restricted_keywords });
		expect(facts.name).toBe('Ridgeline Parka');
		expect(facts.description).toBe('an insulated hiking jacket with recycled fill');
		expect(facts.details).toEqual(['Packs into its own pocket.', 'Cold mornings above the treeline.']);
		expect(facts.dropped).toEqual(['Practically 1ndestructible, and cheaper than the rest.', 'Comes with a lifetime-warranty card.']);
		expect(productFromNotes('Launch of the Cloudline, a light and springy daily trainer. Morning city runs.', { brandName: 'Stride Running Co.' })).toMatchObject({
			name: 'Cloudline',
			description: 'a light and springy daily trainer',
			details: ['Morning city runs.'],
		});
		// The brand's own name is not a product; no name at all is fine.
		expect(productFromNotes('Northbound Outfitters turns ten this year.', { brandName: outdoor.brand_name }).name).toBeUndefined();
		expect(productFromNotes(undefined)).toEqual({ details: [], dropped: [] });
	});

	test('details become lines; restricted sentences are dropped whole, never a word cut out', () => {
		expect(detailLine('Packs into its own pocket.', 'The Ridgeline Parka')).toBe('The Ridgeline Parka packs into its own pocket.');
		expect(detailLine('Cold mornings above the treeline.')).toBe('Made for cold mornings above the treeline.');
		expect(detailLine('We tested it on the Cairngorm plateau in January.')).toBe('We tested it on the Cairngorm plateau in January.');
		expect(dropRestrictedSentences('Warm when wet. Basically indestructible! Packs small.\n\nShop now.', ['indestructible'])).toBe('Warm when wet. Packs small.\n\nShop now.');
	});
});

describe('local copy for an outdoor-clothing brand', () => {
	test('no restricted keyword anywhere: brief, 50 hooks, four scripts, four captions (the Judge\'s matcher)', () => {
		const everything = [...strings(brief), ...hooks.map((h) => h.text), ...scripts.flatMap((s) => s.lines), ...captions];
		const leaks = everything.flatMap((t) => findRestrictedKeywords(t, outdoor.restricted_keywords).map((m) => `${m.keyword} in "${t}"`));
		expect(leaks).toEqual([]);
		// The notes' restricted sentences left no trace either.
		expect(everything.join(' ')).not.toMatch(/practically|cheaper than the rest|warranty card/i);
	});

	test('the category reads as English: an insulated hiking jacket, insulated hiking jackets, never a bare singular', () => {
		const everything = [...strings(brief), ...hooks.map((h) => h.text), ...scripts.flatMap((s) => s.lines), ...captions];
		expect(everything.flatMap(bareSingulars)).toEqual([]);
		expect(everything.join('\n')).not.toMatch(/\ba insulated\b|\bmany insulated hiking jacket\b(?!s)/i);
		expect(everything.some((t) => /\ban insulated hiking jacket\b/.test(t))).toBe(true);
		expect(everything.some((t) => /\binsulated hiking jackets\b/.test(t))).toBe(true);
		expect(brief.target_audience.pain_points).toContain('Too many insulated hiking jackets that all promise the same thing');
		expect(brief.core_message.value_proposition).toBe('Northbound Outfitters: the Ridgeline Parka, an insulated hiking jacket with recycled fill. It packs into its own pocket.');
		// The category itself is kept as data (the audience's interests), as given.
		expect(brief.target_audience.demographics.interests).toEqual(['insulated hiking jacket']);
		expect(brief.core_message.primary_hook).toBe('Too many insulated hiking jackets that all promise the same thing? Meet the Ridgeline Parka.');
	});

	test('hooks name the product and vary their structure', () => {
		expect(hooks).toHaveLength(50);
		expect(hooks.filter((h) => h.text.includes('the Ridgeline Parka')).length).toBeGreaterThanOrEqual(4);
		expect(new Set(hooks.map((h) => h.hook_type)).size).toBe(4);
		// Structure: many different openings, and no opening used by more than four hooks.
		const openings = new Map<string, number>();
		for (const h of hooks) {
			const key = h.text.toLowerCase().split(/\s+/).slice(0, 2).join(' ');
			openings.set(key, (openings.get(key) ?? 0) + 1);
		}
		expect(openings.size).toBeGreaterThanOrEqual(25);
		expect(Math.max(...openings.values())).toBeLessThanOrEqual(4);
		// Questions, statements, exclamations of different lengths: not one sentence shape.
		const shapes = new Set(hooks.map((h) => `${h.text.split(/[.?!:]\s/).length}:${h.text.trim().slice(-1)}`));
		expect(shapes.size).toBeGreaterThanOrEqual(4);
		expect(hooks.every((h) => !/[{}]/.test(h.text) && !/\s[,.?!]/.test(h.text) && !/\.\./.test(h.text))).toBe(true);
	});

	test('scripts use the product and the notes\' details, each variant in its own voice', () => {
		for (const s of scripts) {
			const text = s.lines.join(' ');
			expect(text).toContain('the Ridgeline Parka');
			expect(text).toMatch(/Ridgeline Parka packs into its own pocket/);
			expect(text).toMatch(/cold mornings above the treeline/i);
			expect(s.lines.every((l) => l.trim().length > 0 && !/\.\./.test(l))).toBe(true);
		}
		expect(new Set(scripts.map((s) => s.lines.slice(1).join(' '))).size).toBe(4);
	});
});
