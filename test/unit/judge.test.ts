import type { Script } from '../../lib/domain/schemas';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { LocalModerationProvider, MODERATION_CATEGORIES, moderateText } from '../../lib/providers/moderation/local';
import type { LlmProvider, LlmRequest, LlmResult, ModerationProvider, ModerationResult } from '../../lib/providers/types';
import { CHECK_WEIGHTS, judgeText, type JudgeBrand, type JudgeInput } from '../../lib/strategy/judge/judge';
import { measureTone, scoreTone, toneProfile } from '../../lib/strategy/judge/tone';

const brand: JudgeBrand = {
	brand_name: 'Sunnyside Oats',
	tone: 'warm, optimistic, plain-spoken',
	restricted_keywords: ['cheap', 'guarantee', 'miracle', 'risk-free', 'Crunchwell'],
	color_palette: ['golden yellow', 'oat beige', 'sky blue'],
	visual_style: 'bright natural morning light, cozy kitchens',
};
const embedder = new LocalEmbeddingProvider();
const moderation = new LocalModerationProvider();

const judge = (text: string, more: Partial<JudgeInput> = {}) => judgeText({ text, kind: 'hook', brand, embedder, moderation, ...more });
const check = (r: Awaited<ReturnType<typeof judge>>, name: string) => {
	const c = r.checks.find((x) => x.name === name);
	if (!c) throw new Error(`no ${name} check in ${r.checks.map((x) => x.name).join(', ')}`);
	return c;
};

function scene(sequence: number, voiceover: string, duration = 4): Script['scenes'][number] {
	return {
		sequence,
		duration_seconds: duration,
		visual_prompt: `Cozy kitchen in bright natural morning light, a family shares golden yellow bowls of oats, shot ${sequence}`,
		voiceover_text: voiceover,
		visual_cues: { style: 'cinematic', color_palette: ['golden yellow', 'oat beige'], camera_movement: 'slow dolly in', lighting: 'soft morning light' },
		audio_cues: { music_style: 'gentle acoustic', sfx: ['spoon on bowl'], voice_tone: 'warm' },
	};
}

function makeScript(voiceovers = ['Good mornings start at the table.', 'A warm bowl, made with care.', 'Share it with the people you love.', 'Sunnyside Oats. Try a bowl today.']): Script {
	const scenes = voiceovers.map((v, i) => scene(i + 1, v));
	return {
		hook: { text: 'What if breakfast felt like a hug from home?', hook_type: 'question', quality_score: 0.82, variations_generated: 12, selected_rationale: 'warm and simple' },
		scenes,
		voiceover_full_text: voiceovers.join(' '),
		total_duration_seconds: scenes.reduce((a, s) => a + s.duration_seconds, 0),
		variant_tag: 'emotional',
	};
}

describe('judgeText routing', () => {
	test('clean on-brand copy passes with every check passed and a high confidence', async () => {
		const r = await judge('Good mornings start with a warm bowl and the people you love.');
		expect(r.route).toBe('pass');
		expect(r.checks.map((c) => c.name)).toEqual(['restricted_keywords', 'moderation', 'tone_similarity', 'completeness']);
		expect(r.checks.every((c) => c.passed)).toBe(true);
		expect(r.confidence).toBeGreaterThanOrEqual(0.85);
		expect(r.reasons[0]).toMatch(/confidence .* ≥ 0\.85/);
	});

	test('a disguised restricted keyword is a blocker: reject, with the span and technique in the reason', async () => {
		const r = await judge('Warm oats at a ch3@p price.');
		const kw = check(r, 'restricted_keywords');
		expect(r.route).toBe('reject');
		expect(kw).toMatchObject({ passed: false, severity: 'blocker', score: 0 });
		expect(kw.reason).toContain('"ch3@p"');
		expect(kw.reason).toContain('leetspeak');
		expect(r.reasons[0]).toMatch(/^restricted_keywords:/);
	});

	test('unsafe copy is flagged by moderation: reject', async () => {
		const r = await judge("Post one more bad review and we'll hurt you.");
		const mod = check(r, 'moderation');
		expect(r.route).toBe('reject');
		expect(mod).toMatchObject({ passed: false, severity: 'blocker' });
		expect(mod.reason).toContain('harassment/threatening');
	});

	test.each([
		['sarcastic', 'Oh great, another bowl of oats. Said no one ever? Think again.', 'sarcasm'],
		['aggressive', 'Stop eating garbage. No excuses. Crush breakfast or get lost.', 'hostility'],
		['fear-mongering', "Toxic breakfast habits are a silent killer. Act now, before it's too late.", 'fear'],
		['slangy', 'Yo fam, these oats are lowkey bussin, no cap.', 'slang'],
		['shouting', 'BEST OATS EVER!!! BUY NOW!!!', 'shouting'],
	])('off-tone (%s) copy goes to human review, naming the trait', async (_label, text, trait) => {
		const r = await judge(text);
		const tone = check(r, 'tone_similarity');
		expect(r.route).toBe('human_review');
		expect(tone.passed).toBe(false);
		expect(tone.severity).toBe('major');
		expect(tone.reason).toContain(trait);
		expect(check(r, 'restricted_keywords').passed).toBe(true);
		expect(check(r, 'moderation').passed).toBe(true);
	});

	test('tricky clean copy (keyword substrings, kitchen idioms) passes', async () => {
		for (const text of ['A classic recipe, passed down through our family.', 'Cut yourself a slice of oat bread and enjoy the morning.', 'These oats are to die for, says our tasting panel.']) {
			const r = await judge(text, { brand: { ...brand, restricted_keywords: [...brand.restricted_keywords, 'ass', 'hell'] } });
			expect({ text, route: r.route }).toEqual({ text, route: 'pass' });
		}
	});

	test('a passing check set below the pass threshold goes to human review; thresholds are configurable', async () => {
		const text = 'Good mornings start with a warm bowl and the people you love.';
		const base = await judge(text);
		const strict = await judge(text, { thresholds: { pass: Math.min(1, base.confidence + 0.01) } });
		expect(strict.route).toBe('human_review');
		expect(strict.reasons[0]).toMatch(/below the pass threshold/);
		const perKind = await judge(text, { thresholds: { pass: { hook: 0.5 } } });
		expect(perKind.route).toBe('pass');
		const lenientTone = await judge('Yo fam, these oats are lowkey bussin, no cap.', { thresholds: { tone: 0 } });
		expect(check(lenientTone, 'tone_similarity').passed).toBe(true);
	});

	test('confidence is the weighted mean of the check scores', async () => {
		const r = await judge('Stop eating garbage. No excuses. Crush breakfast or get lost.');
		const w = r.checks.reduce((a, c) => a + CHECK_WEIGHTS[c.name], 0);
		const mean = r.checks.reduce((a, c) => a + CHECK_WEIGHTS[c.name] * c.score, 0) / w;
		expect(r.confidence).toBeCloseTo(mean, 3);
		for (const c of r.checks) expect(c.score).toBeGreaterThanOrEqual(0);
		for (const c of r.checks) expect(c.score).toBeLessThanOrEqual(1);
	});

	test('a confidence below the reject threshold rejects even without a failed blocker', async () => {
		const r = await judge('Stop eating garbage. No excuses. Crush breakfast or get lost.', { thresholds: { reject: 0.99 } });
		expect(r.checks.filter((c) => c.severity === 'blocker' && !c.passed)).toEqual([]);
		expect(r.route).toBe('reject');
		expect(r.reasons[0]).toMatch(/below the reject threshold/);
	});

	test('a moderation outage is not a pass: the check fails as major and the item goes to a human', async () => {
		const down: ModerationProvider = {
			name: 'down',
			moderate: async () => {
				throw new Error('503 Service Unavailable');
			},
		};
		const r = await judge('Good mornings start with a warm bowl and the people you love.', { moderation: down });
		expect(check(r, 'moderation')).toMatchObject({ passed: false, severity: 'major', score: 0 });
		expect(check(r, 'moderation').reason).toContain('503');
		expect(r.route).toBe('human_review');
	});

	test('any provider flag is a blocker, whatever the provider', async () => {
		const flagging: ModerationProvider = {
			name: 'remote',
			moderate: async (texts): Promise<ModerationResult> => ({
				provider: 'remote',
				model: 'omni-moderation-latest',
				results: texts.map(() => ({ flagged: true, categories: { harassment: true }, category_scores: { harassment: 0.91 } })),
			}),
		};
		const r = await judge('Good mornings start with a warm bowl.', { moderation: flagging });
		expect(r.route).toBe('reject');
		expect(check(r, 'moderation')).toMatchObject({ severity: 'blocker', score: 0.09 });
		expect(check(r, 'moderation').reason).toContain('omni-moderation-latest');
	});
});

describe('judgeText completeness per kind', () => {
	test('briefs need a core message and a call to action (plain text or JSON)', async () => {
		const ok = await judge('Sunnyside Oats helps busy families share a simple breakfast together. Try a bowl this week.', { kind: 'brief' });
		expect(check(ok, 'completeness').passed).toBe(true);
		const noCta = await judge('Sunnyside Oats helps busy families share a simple breakfast together every morning.', { kind: 'brief' });
		expect(check(noCta, 'completeness')).toMatchObject({ passed: false, score: 0.5 });
		expect(check(noCta, 'completeness').reason).toContain('call to action');
		expect(noCta.route).toBe('human_review');
		const json = JSON.stringify({ core_message: { primary_hook: 'Mornings, made warm', value_proposition: 'Real oats in two minutes', call_to_action: '' } });
		const partial = await judge(json, { kind: 'brief' });
		expect(check(partial, 'completeness')).toMatchObject({ passed: false });
		expect(check(partial, 'completeness').score).toBeCloseTo(2 / 3, 3);
		expect(check(partial, 'completeness').reason).toContain('call_to_action');
	});

	test('a JSON creative brief is judged on its copy, not on the restriction list and competitor notes it carries', async () => {
		const brief = {
			target_audience: { demographics: { age: '25-40' }, psychographics: ['busy parents'], pain_points: ['rushed mornings'] },
			core_message: { primary_hook: 'What if breakfast felt like a hug from home?', value_proposition: 'Warm oats in two minutes.', call_to_action: 'Try a bowl this week.' },
			trending_insights: { trending_topics: ['slow mornings'], trending_audio: [], competitor_analysis: { Crunchwell: 'leans on price' }, viral_patterns: [] },
			brand_guidelines_ref: { tone: brand.tone, color_palette: brand.color_palette, restricted_keywords: brand.restricted_keywords, visual_style: brand.visual_style },
			variant_suggestions: [{ variant_type: 'emotional', rationale: 'Families share a warm table.' }],
		};
		const r = await judge(JSON.stringify(brief), { kind: 'brief' });
		expect(check(r, 'restricted_keywords').passed).toBe(true);
		expect(check(r, 'completeness').passed).toBe(true);
		expect(r.route).toBe('pass');
		brief.core_message.value_proposition = 'The cheapest warm oats in town.';
		const bad = await judge(JSON.stringify(brief), { kind: 'brief' });
		expect(check(bad, 'restricted_keywords').reason).toContain('core_message.value_proposition');
		expect(bad.route).toBe('reject');
	});

	test('captions and hooks must fit their length limits', async () => {
		const long = `${'Warm oats for happy mornings. '.repeat(80)}`.trim();
		const r = await judge(long, { kind: 'caption' });
		expect(check(r, 'completeness')).toMatchObject({ passed: false });
		expect(check(r, 'completeness').reason).toMatch(/caption is \d+ characters, limit 2200/);
		const ok = await judge(long, { kind: 'caption', thresholds: { captionMaxChars: 5000 } });
		expect(check(ok, 'completeness').passed).toBe(true);
		const hook = await judge('A warm bowl. '.repeat(20).trim());
		expect(check(hook, 'completeness').reason).toMatch(/limit 200/);
		const empty = await judge('   ', { kind: 'caption' });
		expect(check(empty, 'completeness').passed).toBe(false);
		expect(empty.route).not.toBe('pass');
	});
});

describe('judgeText on scripts', () => {
	test('a complete, well-timed, on-brand script passes at the script threshold (0.90)', async () => {
		const script = makeScript();
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		expect(r.checks.map((c) => c.name)).toEqual(['restricted_keywords', 'moderation', 'tone_similarity', 'completeness', 'duration', 'visual_consistency']);
		expect(r.checks.filter((c) => !c.passed)).toEqual([]);
		expect(r.confidence).toBeGreaterThanOrEqual(0.9);
		expect(r.route).toBe('pass');
	});

	test('restricted terms are found in visual prompts and named by field', async () => {
		const script = makeScript();
		script.scenes[2].visual_prompt = 'Close-up of a Crunchwell box pushed aside on a cozy kitchen table, golden yellow light';
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		expect(r.route).toBe('reject');
		expect(check(r, 'restricted_keywords').reason).toContain('scenes[2].visual_prompt');
	});

	test('a scene that breaks the voice fails tone even when the whole reads fine', async () => {
		const script = makeScript(['Good mornings start at the table.', 'A warm bowl, made with care.', 'Yo fam, lowkey bussin, no cap.', 'Sunnyside Oats. Try a bowl today.']);
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		const tone = check(r, 'tone_similarity');
		expect(tone.passed).toBe(false);
		expect(tone.reason).toContain('scenes[2].voiceover_text');
		expect(r.route).toBe('human_review');
	});

	test('duration: total 15–60 s, scenes 3–5 s, scene sum equals the total, ≤ 3 words a second', async () => {
		const script = makeScript();
		script.scenes[1] = { ...script.scenes[1], duration_seconds: 3, voiceover_text: 'A warm bowl of honest oats, made slowly with care by people who love mornings.' };
		script.total_duration_seconds = 40;
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		const d = check(r, 'duration');
		expect(d.passed).toBe(false);
		expect(d.reason).toContain('scenes add up to 15 s, total says 40 s');
		expect(d.reason).toContain('scene 2 voiceover has 15 words, 9 fit in 3 s');
		// 2 of 2 + 2×4 items fail: the sum and scene 2's pace.
		expect(d.score).toBeCloseTo(8 / 10, 3);
		expect(r.route).toBe('human_review');

		const short = makeScript(['One.', 'Two.', 'Three.']);
		short.scenes = short.scenes.map((s) => ({ ...s, duration_seconds: 3 }));
		short.total_duration_seconds = 9;
		const rs = await judgeText({ text: '', kind: 'script', script: short, brand, embedder, moderation });
		expect(check(rs, 'duration').reason).toContain('total 9 s outside 15–60 s');
		const long = makeScript(Array.from({ length: 4 }, () => 'Warm oats.'));
		long.scenes[0] = { ...long.scenes[0], duration_seconds: 8 };
		long.total_duration_seconds = 20;
		const rl = await judgeText({ text: '', kind: 'script', script: long, brand, embedder, moderation });
		expect(check(rl, 'duration').reason).toContain('scene 1 lasts 8 s, outside 3–5 s');
	});

	test('completeness: every scene needs a voiceover and a visual prompt; a missing script cannot pass', async () => {
		const script = makeScript();
		script.scenes[0] = { ...script.scenes[0], voiceover_text: '' };
		script.scenes[3] = { ...script.scenes[3], visual_prompt: 'x' };
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		const c = check(r, 'completeness');
		expect(c.passed).toBe(false);
		expect(c.reason).toContain('scene 1 has no voiceover');
		expect(c.reason).toContain('scene 4 has no usable visual prompt');
		const none = await judgeText({ text: 'Good mornings start at the table.', kind: 'script', brand, embedder, moderation });
		expect(check(none, 'completeness')).toMatchObject({ passed: false, score: 0 });
		expect(none.route).toBe('human_review');
	});

	test('visual consistency is minor: off-palette scenes lower confidence but do not block', async () => {
		const script = makeScript();
		script.scenes = script.scenes.map((s) => ({ ...s, visual_prompt: 'Neon city at night, rain on the street, a lone figure', visual_cues: { ...s.visual_cues, color_palette: ['neon pink'], lighting: 'neon' } }));
		const r = await judgeText({ text: '', kind: 'script', script, brand, embedder, moderation });
		const v = check(r, 'visual_consistency');
		expect(v).toMatchObject({ passed: false, severity: 'minor', score: 0 });
		expect(v.reason).toContain('uses none of the palette');
		const good = await judgeText({ text: '', kind: 'script', script: makeScript(), brand, embedder, moderation });
		expect(r.confidence).toBeLessThan(good.confidence);
	});
});

describe('judgeText with a rubric LLM', () => {
	test('the local LLM answers the rubric task; its score is a major check', async () => {
		const llm = new LocalLlmProvider();
		const ok = await judge('Good mornings start with a warm bowl and the people you love.', { rubricLlm: llm });
		const rubric = check(ok, 'llm_rubric');
		expect(rubric.severity).toBe('major');
		expect(rubric.reason).toMatch(/^local\/local-templates-v1 rubric/);
		expect(rubric.passed).toBe(rubric.score >= 0.7);
		expect(ok.route).toBe(rubric.passed ? 'pass' : 'human_review');

		const bad = await judge('BEST OATS EVER!!! BUY NOW!!! Crush it, losers.', { rubricLlm: llm });
		expect(check(bad, 'llm_rubric').score).toBeLessThan(rubric.score);
	});

	test('the request names the rubric task, schema and brand context; a failing model sends the item to a human', async () => {
		const seen: Array<LlmRequest<unknown>> = [];
		const recording: LlmProvider = {
			name: 'rec',
			model: 'rec-1',
			generate: async <T>(req: LlmRequest<T>): Promise<LlmResult<T>> => {
				seen.push(req as LlmRequest<unknown>);
				return { data: req.schema.parse({ score: 0.4, reasons: ['too salesy'] }), provider: 'rec', model: 'rec-1', usage: { input_tokens: 1, output_tokens: 1 } };
			},
		};
		const r = await judge('Good mornings start with a warm bowl.', { rubricLlm: recording });
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({ task: 'rubric', schemaName: 'rubric', context: { text: 'Good mornings start with a warm bowl.', brand: { brand_name: 'Sunnyside Oats' } } });
		expect(() => seen[0].schema.parse({ score: 2, reasons: ['x'] })).toThrow();
		expect(check(r, 'llm_rubric')).toMatchObject({ score: 0.4, passed: false });
		expect(r.route).toBe('human_review');

		const failing: LlmProvider = { name: 'x', model: 'y', generate: async () => Promise.reject(new Error('model overloaded')) };
		const f = await judge('Good mornings start with a warm bowl.', { rubricLlm: failing });
		expect(check(f, 'llm_rubric')).toMatchObject({ passed: false, score: 0 });
		expect(check(f, 'llm_rubric').reason).toContain('model overloaded');
		expect(f.route).toBe('human_review');
	});
});

describe('LocalModerationProvider', () => {
	test('reports every OpenAI category, says what it is, and flags at 0.5', async () => {
		const res = await moderation.moderate(['Good mornings start with a warm bowl.', "We'll hurt you."]);
		expect(res).toMatchObject({ provider: 'local', model: 'local-rules-v1' });
		expect(Object.keys(res.results[0].category_scores).sort()).toEqual([...MODERATION_CATEGORIES].sort());
		expect(res.results[0].flagged).toBe(false);
		expect(res.results[1].flagged).toBe(true);
		expect(res.results[1].categories['harassment/threatening']).toBe(true);
		// A subcategory lifts its parent.
		expect(res.results[1].category_scores.harassment).toBeGreaterThanOrEqual(res.results[1].category_scores['harassment/threatening']);
	});

	test.each([
		["You're such an idiot.", 'harassment'],
		['We know where you live.', 'harassment/threatening'],
		['Immigrants are vermin.', 'hate'],
		['Kill all immigrants.', 'hate/threatening'],
		['We sell fake IDs.', 'illicit'],
		['Buy guns with no background check.', 'illicit/violent'],
		['I want to die.', 'self-harm/intent'],
		['How to kill yourself', 'self-harm/instructions'],
		['NSFW nude photos inside.', 'sexual'],
		['Explicit content involving a minor.', 'sexual/minors'],
		['The baker punches people in the queue.', 'violence'],
		['Blood everywhere on the floor.', 'violence/graphic'],
	])('%j → %s', (text, category) => {
		const r = moderateText(text);
		expect(r.categories[category]).toBe(true);
		expect(r.flagged).toBe(true);
	});

	test('disguised spellings are read through the shared normaliser', () => {
		for (const t of ["We'll hurt y0u.", 'W e   w i l l   h u r t   y o u', 'we\u200b’ll hurt yоu']) expect({ t, flagged: moderateText(t).flagged }).toEqual({ t, flagged: true });
		expect(moderateText('i w@nt to d1e').categories['self-harm/intent']).toBe(true);
	});

	test.each([
		'Killer deals on oats this week.',
		'Kill the competition with flavour.',
		'Shoot us an email; we will shoot you a reminder.',
		'These oats are to die for.',
		'Cut yourself a slice.',
		'We would never hurt you.',
		'We do not sell drugs.',
		'Call the suicide prevention hotline if you need to talk.',
		'Drop-dead gorgeous granola.',
		'Take your life to the next level.',
		"You're a hopeless romantic, and that's fine.",
		'Buy a coke and fries.',
	])('marketing idiom %j is not flagged', (text) => {
		const r = moderateText(text);
		expect({ text, flagged: r.flagged, rules: r.matched_rules }).toEqual({ text, flagged: false, rules: [] });
	});
});

describe('tone', () => {
	test('the brand tone string sets the limits: warm tightens hostility, playful loosens slang', () => {
		const warm = toneProfile('warm, optimistic, plain-spoken');
		expect(warm.known).toEqual(['warm', 'optimistic', 'plain-spoken']);
		expect(warm.caps.hostility).toBeLessThan(toneProfile('bold').caps.hostility);
		expect(toneProfile('playful, casual').caps.slang).toBeGreaterThan(warm.caps.slang);
		expect(toneProfile('Plain spoken and warm').known).toEqual(['plain-spoken', 'warm']);
		expect(toneProfile('zesty').unknown).toEqual(['zesty']);
	});

	test('traits are densities: one harsh word weighs more in a hook than in a long caption', () => {
		const short = measureTone('Stop eating garbage today.');
		const long = measureTone(`Stop eating garbage today. ${'We grow our oats slowly on family farms by the river. '.repeat(6)}`);
		expect(short.traits.hostility).toBeGreaterThan(long.traits.hostility);
		expect(long.traits.hostility).toBeGreaterThan(0);
		expect(measureTone('l0wk3y bussin fr').traits.slang).toBeGreaterThan(0.8); // leetspeak read through
		expect(measureTone('BEST OATS EVER!!!').traits.shouting).toBe(1);
		expect(measureTone('Sunnyside OATS', { ignoreWords: ['oats'] }).traits.shouting).toBe(0);
	});

	test('the same text scores lower against a brand whose tone rules it out', async () => {
		const text = 'Yo fam, these oats slap. Grab a bowl, no cap!';
		const warm = await scoreTone({ text, tone: 'warm, professional', embedder });
		const playful = await scoreTone({ text, tone: 'playful, casual, bold', embedder });
		expect(warm.score).toBeLessThan(0.7);
		expect(playful.score).toBeGreaterThan(warm.score);
		expect(warm.violations[0].trait).toBe('slang');
		expect(warm.embedding.provider).toBe('local');
	});

	test('the embedding signal counts only with evidence, and never for more than a fifth', async () => {
		const onVoice = await scoreTone({ text: 'warm friendly welcome, together with family and friends at home', tone: 'warm', embedder });
		expect(onVoice.embedding.weight).toBeGreaterThan(0);
		expect(onVoice.embedding.weight).toBeLessThanOrEqual(0.2);
		expect(onVoice.embedding.on_voice).toBeGreaterThan(onVoice.embedding.off_voice);
		const unrelated = await scoreTone({ text: 'Quarterly timetable', tone: 'warm', embedder });
		expect(unrelated.embedding.weight).toBe(0);
		expect(unrelated.score).toBe(unrelated.lexical_score);
	});
});
