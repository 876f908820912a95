import { ValidationError } from '../../lib/domain/errors';
import { scriptSchema, type CreativeBrief, type Script } from '../../lib/domain/schemas';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { LlmProvider, LlmRequest, LlmResult } from '../../lib/providers/types';
import { synthesizeBrief } from '../../lib/strategy/brief';
import { chunkWords, fitDurations, scriptFromMarkdown, writeScript, type ScriptDraft } from '../../lib/strategy/script';

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
const hook = {
	text: 'Why does everyone on #morningroutine love this specialty coffee?',
	hook_type: 'question' as const,
	quality_score: 0.821,
	rationale: 'quality 0.821 = curiosity_gap 1.00 ×0.25 (asks a question)',
};
const fixedNow = () => new Date('2026-03-01T09:00:00Z');

let brief: CreativeBrief;
beforeAll(async () => {
	brief = (await synthesizeBrief({ request, brand, trends: [{ topic: '#morningroutine', engagement_score: 0.9 }], llm: new LocalLlmProvider() })).brief;
});

function expectBrandedScenes(script: Script) {
	expect(scriptSchema.parse(script)).toEqual(script);
	expect(script.total_duration_seconds).toBeGreaterThanOrEqual(15);
	expect(script.total_duration_seconds).toBeLessThanOrEqual(60);
	const sum = script.scenes.reduce((a, s) => a + s.duration_seconds, 0);
	expect(sum).toBeCloseTo(script.total_duration_seconds, 5);
	script.scenes.forEach((s, i) => {
		expect(s.sequence).toBe(i + 1);
		expect(s.duration_seconds).toBeGreaterThanOrEqual(3);
		expect(s.duration_seconds).toBeLessThanOrEqual(5);
		for (const colour of brand.color_palette) expect(s.visual_prompt).toContain(colour);
		expect(s.visual_prompt).toContain(brand.visual_style);
		expect(s.visual_cues.color_palette).toEqual(brand.color_palette);
	});
	expect(script.voiceover_full_text).toBe(
		script.scenes
			.map((s) => s.voiceover_text)
			.filter(Boolean)
			.join(' '),
	);
}

/** Returns a sloppy draft, as a careless model might (a double of our own LlmProvider interface). */
class SloppyScriptLlm implements LlmProvider {
	readonly name = 'sloppy';
	readonly model = 'test-double';
	readonly requests: Array<LlmRequest<unknown>> = [];
	constructor(private readonly draft: ScriptDraft) {}
	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		this.requests.push(req as LlmRequest<unknown>);
		return { data: req.schema.parse(this.draft), provider: this.name, model: this.model, usage: { input_tokens: 100, output_tokens: 200 } };
	}
}

const thinScene = (duration: number, voiceover: string) => ({
	sequence: 7,
	duration_seconds: duration,
	visual_prompt: 'Coffee on a table',
	voiceover_text: voiceover,
	visual_cues: { style: 'cinematic' as const, color_palette: ['neon pink'], camera_movement: 'slow dolly in', lighting: 'soft window light' },
	audio_cues: { music_style: 'lo-fi', sfx: [], voice_tone: 'warm' },
});

describe('writeScript', () => {
	test.each([15, 30, 45, 60])('a %i s script from the local LLM: valid, branded scenes of 3–5 s', async (targetSeconds) => {
		const { script, llm } = await writeScript({ brief, hook, variant: 'emotional', brand, targetSeconds, llm: new LocalLlmProvider(), variationsGenerated: 50, now: fixedNow });
		expectBrandedScenes(script);
		expect(script.total_duration_seconds).toBe(targetSeconds);
		expect(script.hook).toEqual({ text: hook.text, hook_type: 'question', quality_score: 0.821, variations_generated: 50, selected_rationale: hook.rationale });
		expect(script.scenes[0].voiceover_text).toBe(hook.text);
		expect(script.variant_tag).toBe('emotional');
		expect(script.generated_at).toBe('2026-03-01T09:00:00.000Z');
		expect(llm).toMatchObject({ provider: 'local', model: 'local-templates-v1' });
	});

	test('a length outside 15–60 s is clamped', async () => {
		const long = await writeScript({ brief, hook, variant: 'serious', brand, targetSeconds: 90, llm: new LocalLlmProvider(), variationsGenerated: 1 });
		const short = await writeScript({ brief, hook, variant: 'serious', brand, targetSeconds: 5, llm: new LocalLlmProvider(), variationsGenerated: 1 });
		expect(long.script.total_duration_seconds).toBe(60);
		expect(short.script.total_duration_seconds).toBe(15);
	});

	test('normalises a sloppy draft: durations, sequences, thin prompts, foreign palette, voiceover text', async () => {
		const llm = new SloppyScriptLlm({
			scenes: [thinScene(1, 'Mornings, but better.'), thinScene(9, 'Roasted in small batches.'), thinScene(7, ''), thinScene(2, 'Follow Aurora Coffee.')],
			total_duration_seconds: 99,
		});
		const { script } = await writeScript({ brief, hook, variant: 'humorous', brand, targetSeconds: 18, llm, variationsGenerated: 12 });
		expectBrandedScenes(script);
		expect(script.total_duration_seconds).toBe(18);
		// Wanted: max(draft, speech at 150 wpm) within 3–5 → [3, 5, 5, 3] = 16 s; the 2 s missing go to the scenes with room.
		expect(script.scenes.map((s) => s.duration_seconds)).toEqual([4, 5, 5, 4]);
		// The thin prompt got camera, light and rendering; the model's own words are kept first.
		expect(script.scenes[0].visual_prompt).toMatch(/^Coffee on a table\. Camera: slow dolly in\. Lighting: soft window light\. Cinematic film look/);
		expect(script.voiceover_full_text).toBe('Mornings, but better. Roasted in small batches. Follow Aurora Coffee.');
		expect(script.hook.variations_generated).toBe(12);
		// The prompt the model got asks for what normalisation enforces.
		const req = llm.requests[0];
		expect(req.task).toBe('script');
		expect(req.prompt).toContain('Color palette: #1B4332 forest green, #F4A261 terracotta, cream');
		expect(req.prompt).toContain(`Hook (question): ${hook.text}`);
		expect(req.system).toMatch(/3 to 5 seconds/);
	});

	test('a draft that cannot make a script is an error naming the field', async () => {
		const llm = new SloppyScriptLlm({ scenes: [thinScene(4, ''), thinScene(4, ''), thinScene(4, '')] });
		await expect(writeScript({ brief, hook, variant: 'serious', brand, llm, variationsGenerated: 1 })).rejects.toThrow(
			expect.objectContaining({ field: 'script.voiceover_full_text' }),
		);
	});

	test('is deterministic with the local provider', async () => {
		const run = async () => (await writeScript({ brief, hook, variant: 'educational', brand, llm: new LocalLlmProvider(), variationsGenerated: 3, now: fixedNow })).script;
		expect(await run()).toEqual(await run());
	});
});

describe('fitDurations', () => {
	test('keeps every scene in 3–5 s and hits the total, to the tenth of a second', () => {
		for (const [durations, total] of [
			[[1, 9, 7, 2], 18],
			[[4, 4, 4], 15],
			[[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 59.7],
			[[5, 5, 5], 40],
			[[NaN, -1, 4], 12],
		] as Array<[number[], number]>) {
			const out = fitDurations(durations, total);
			expect(out.every((d) => d >= 3 && d <= 5)).toBe(true);
			const reachable = Math.min(5 * durations.length, Math.max(3 * durations.length, total));
			expect(Math.round(out.reduce((a, b) => a + b, 0) * 10) / 10).toBe(reachable);
		}
	});
});

describe('scriptFromMarkdown', () => {
	const narrative = [
		'# The Last Terminal',
		'',
		'## Scene 1: The Terminal Wakes',
		'*A dark server room. A single CRT monitor flickers to life.*',
		'SFX: modem handshake, fan hum',
		'',
		'**NARRATOR:** In the year the networks went silent, one terminal kept listening.',
		'',
		'```',
		'> CONNECTION ESTABLISHED',
		'```',
		'',
		'## Scene 2: First Contact',
		'> Close-up of text scrolling across the screen.',
		'',
		'**ARIA:** (whispering) Are you there? I have been waiting for a very long time.',
		'**KAI**: Who is this?',
		'',
		'ARIA: Someone who remembers what the world looked like before the blackout, when every city glowed at night and people still talked to each other.',
		'',
		'## Scene 3: The Choice',
		'[Wide shot: rain on the window, the cursor blinking]',
		'',
		'Kai hesitates. The cursor blinks, patient and steady.',
	].join('\n');

	test('headings become scenes with speakers, deliveries, descriptions and timed voiceover', () => {
		const script = scriptFromMarkdown(narrative, { brand, variant: 'serious', now: fixedNow });
		expectBrandedScenes(script);
		expect(script.scenes.map((s) => s.speaker)).toEqual(['NARRATOR', 'ARIA', 'KAI', 'ARIA', 'ARIA', 'Narrator']);
		// Words at 150 wpm: 11 words → 4.4 s; 12 → 4.8 s; "Who is this?" padded to 3 s; 8 words → 3.2 s.
		expect(script.scenes.map((s) => s.duration_seconds)).toEqual([4.4, 4.8, 3, 4.8, 4.8, 3.2]);
		expect(script.total_duration_seconds).toBe(25);
		expect(script.scenes[1].audio_cues.voice_tone).toBe('whispering');
		expect(script.scenes[1].voiceover_text).toBe('Are you there? I have been waiting for a very long time.');
		expect(script.scenes[0].audio_cues.sfx).toEqual(['modem handshake', 'fan hum']);
		expect(script.scenes[0].visual_prompt).toMatch(/^The Terminal Wakes: A dark server room\. A single CRT monitor flickers to life\. On-screen text: "> CONNECTION ESTABLISHED"/);
		expect(script.scenes[3].visual_prompt).toMatch(/^First Contact: Close-up of text scrolling across the screen \(shot 3 of 4, ARIA speaking\)/);
		expect(script.scenes[5].visual_prompt).toMatch(/^The Choice: Wide shot: rain on the window, the cursor blinking/);
		expect(script.hook.text).toBe('In the year the networks went silent, one terminal kept listening.');
		expect(script.hook.selected_rationale).toMatch(/\(line 7\), scored on text heuristics only/);
		expect(script.variant_tag).toBe('serious');
	});

	test('150 words at 150 wpm make a 60 s script split into scenes of at most 5 s', () => {
		const sentences = Array.from({ length: 15 }, (_, i) => `Sentence ${i + 1} has exactly ten words in it, no more.`);
		expect(sentences.join(' ').split(/\s+/)).toHaveLength(150);
		const script = scriptFromMarkdown(`## The pitch\n${sentences.join(' ')}`, { brand, variant: 'educational' });
		expectBrandedScenes(script);
		expect(script.total_duration_seconds).toBe(60);
		expect(script.scenes.length).toBe(13);
		expect(script.scenes.every((s) => s.speaker === 'Narrator')).toBe(true);
		// Every word is spoken once, in order.
		expect(script.voiceover_full_text).toBe(sentences.join(' '));
		// At 100 wpm the same narrative runs 90 s: an error naming the line.
		expect(() => scriptFromMarkdown(`## The pitch\n${sentences.join(' ')}`, { brand, variant: 'educational', wordsPerMinute: 100 })).toThrow(
			expect.objectContaining({ field: 'markdown', detail: expect.objectContaining({ line: 2, total_seconds: 90 }) }),
		);
	});

	test('a short narrative is stretched to the 15 s minimum; a faster rate gives shorter scenes', () => {
		const md = '## A\n**Host:** Coffee, but slower.\n## B\n**Host:** Made by hand, every morning.\n## C\n*Steam rises from a cup.*\n## D\nFollow Aurora Coffee.';
		const script = scriptFromMarkdown(md, { brand, variant: 'emotional' });
		expectBrandedScenes(script);
		expect(script.total_duration_seconds).toBe(15);
		expect(script.scenes[2]).toMatchObject({ voiceover_text: '' });
		expect(script.scenes[2].speaker).toBeUndefined();
		const words = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
		const slow = scriptFromMarkdown(`## A\n${words}`, { brand, variant: 'serious', wordsPerMinute: 120 });
		const fast = scriptFromMarkdown(`## A\n${words}`, { brand, variant: 'serious', wordsPerMinute: 180 });
		expect(slow.total_duration_seconds).toBe(30);
		expect(fast.total_duration_seconds).toBe(20);
	});

	test('a supplied hook is recorded as given', () => {
		const script = scriptFromMarkdown(narrative, { brand, variant: 'serious', hook });
		expect(script.hook).toMatchObject({ text: hook.text, quality_score: 0.821, selected_rationale: hook.rationale });
	});

	test('errors name the offending line', () => {
		const noNarration = '# Title\n\n## Scene 1\n*Only a description of a room.*\n[Another direction]\n';
		expect(() => scriptFromMarkdown(noNarration, { brand, variant: 'serious' })).toThrow(ValidationError);
		expect(() => scriptFromMarkdown(noNarration, { brand, variant: 'serious' })).toThrow(/no narration: line 4 and every line after it/);
		expect(() => scriptFromMarkdown('', { brand, variant: 'serious' })).toThrow(/no narration: it is empty/);
		expect(() => scriptFromMarkdown('## A\n**ARIA:**\n## B\nHello there.', { brand, variant: 'serious' })).toThrow(
			expect.objectContaining({ message: 'markdown line 2: speaker "ARIA" has no line to speak', detail: expect.objectContaining({ line: 2 }) }),
		);
		expect(() => scriptFromMarkdown('## A\nHello.\n```\nrunning', { brand, variant: 'serious' })).toThrow(/line 3: code fence is never closed/);
		expect(() => scriptFromMarkdown('## A\nHello there, friend.', { brand, variant: 'serious', wordsPerMinute: 20 })).toThrow(
			expect.objectContaining({ field: 'wordsPerMinute' }),
		);
	});

	test('a speaker label alone on its line gives the following paragraph to that speaker', () => {
		const script = scriptFromMarkdown('## A\n**ARIA:**\nI remember the lights.\nThey were everywhere.\n\nThe city sleeps.\n## B\nWake up.\n## C\nNow.', { brand, variant: 'serious' });
		expect(script.scenes.map((s) => [s.speaker, s.voiceover_text])).toEqual([
			['ARIA', 'I remember the lights. They were everywhere.'],
			['Narrator', 'The city sleeps.'],
			['Narrator', 'Wake up.'],
			['Narrator', 'Now.'],
		]);
	});

	test('is deterministic', () => {
		expect(scriptFromMarkdown(narrative, { brand, variant: 'humorous', now: fixedNow })).toEqual(scriptFromMarkdown(narrative, { brand, variant: 'humorous', now: fixedNow }));
	});
});

describe('chunkWords', () => {
	test('splits evenly, preferring sentence ends, never over the limit', () => {
		const text = 'One two three four five six seven. Eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen.';
		const chunks = chunkWords(text, 12);
		expect(chunks).toEqual(['One two three four five six seven.', 'Eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen.']);
		const long = Array.from({ length: 37 }, (_, i) => `w${i}`).join(' ');
		const parts = chunkWords(long, 12);
		expect(parts.map((p) => p.split(' ').length)).toEqual([9, 10, 9, 9]);
		expect(parts.join(' ')).toBe(long);
	});
});
