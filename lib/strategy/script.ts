/**
 * Script writing (seed 003 pillar 2) and markdown narratives → timed scripts (seed 001).
 *
 * `writeScript` asks the LLM for a draft and then normalises what a video pipeline depends on:
 * scenes of 3–5 s summing to the total (15–60 s), sequences 1..n, every visual prompt dense and
 * carrying the brand's palette and visual style, the full voiceover equal to the scenes' lines.
 *
 * `scriptFromMarkdown` turns a narrative written in markdown into the same Script contract with
 * speaker attribution and durations from word counts at a words-per-minute rate.
 */
import { z } from 'zod';

import { ValidationError } from '../domain/errors';
import { HOOK_TYPES, VARIANT_TYPES, VISUAL_STYLES, parseOrThrow, scriptSchema, type CreativeBrief, type Scene, type Script } from '../domain/schemas';
import type { LlmProvider } from '../providers/types';
import { brandProfileSchema, parseWithDefaults, type BrandProfile, type LlmCall } from './brief';
import { qualityFromScores, rationaleOf, scoreHookText, type HookType } from './hooks';
import { dropRestrictedSentences } from './phrases';

export type VariantType = (typeof VARIANT_TYPES)[number];
export type VisualStyle = (typeof VISUAL_STYLES)[number];

export const SCENE_MIN_SECONDS = 3;
export const SCENE_MAX_SECONDS = 5;
export const SCRIPT_MIN_SECONDS = 15;
export const SCRIPT_MAX_SECONDS = 60;
/** Speaking rate assumed when fitting voiceover to scene length (seed 001's default narration pace). */
export const DEFAULT_WORDS_PER_MINUTE = 150;

/** How each A/B variant sounds and is shot; scenes take their camera moves in turn. */
export const VARIANT_DIRECTION: Record<
	VariantType,
	{ voice_tone: string; music_style: string; cameras: string[]; lighting: string; sfx: string[]; mood: string }
> = {
	humorous: {
		voice_tone: 'playful, quick comic timing',
		music_style: 'bouncy pizzicato with a light beat',
		cameras: ['snap zoom in', 'whip pan', 'handheld push-in', 'deadpan static wide', 'crash zoom'],
		lighting: 'bright high-key light',
		sfx: ['record scratch', 'cartoon pop', 'quick whoosh'],
		mood: 'comic, upbeat energy',
	},
	serious: {
		voice_tone: 'measured, confident, low register',
		music_style: 'minimal piano over low strings',
		cameras: ['slow dolly in', 'locked-off medium shot', 'slow lateral track', 'slow tilt up', 'steady push to close-up'],
		lighting: 'low-key directional light with soft contrast',
		sfx: ['subtle whoosh', 'soft low impact'],
		mood: 'focused, credible atmosphere',
	},
	emotional: {
		voice_tone: 'warm, intimate, unhurried',
		music_style: 'swelling acoustic guitar and strings',
		cameras: ['slow push-in close-up', 'gentle handheld follow', 'rack focus from hands to face', 'slow crane up', 'lingering close-up'],
		lighting: 'soft warm backlight at sunset',
		sfx: ['soft breath', 'distant laughter', 'gentle chime'],
		mood: 'tender, heartfelt atmosphere',
	},
	educational: {
		voice_tone: 'clear, friendly, explanatory',
		music_style: 'light upbeat electronic bed',
		cameras: ['top-down overhead', 'macro close-up', 'static medium with on-screen labels', 'slow pan across the steps', 'split-screen comparison'],
		lighting: 'clean, even softbox light',
		sfx: ['interface click', 'pop-in chime', 'soft whoosh'],
		mood: 'clear, informative framing',
	},
};

/** What each `visual_cues.style` asks of a video model. */
export const STYLE_RENDERING: Record<VisualStyle, string> = {
	cinematic: 'Cinematic film look, shallow depth of field, anamorphic lens, subtle film grain',
	hyper_realistic: 'Hyper-realistic photographic detail, true-to-life textures and materials, crisp focus',
	abstract: 'Abstract motion design, fluid shapes and layered textures, graphic composition',
};

/** The scene style enum that a brand's free-text visual style asks for (cinematic unless it says otherwise). */
export function sceneStyleFor(visualStyle: string): VisualStyle {
	if (/\babstract|motion graphic|geometric|surreal/i.test(visualStyle)) return 'abstract';
	if (/hyper[- ]?real|photo[- ]?real|realistic|documentary|product photography/i.test(visualStyle)) return 'hyper_realistic';
	return 'cinematic';
}

function paletteText(brand: BrandProfile): string {
	return brand.color_palette.join(', ');
}

/** A dense prompt for a video model: subject, rendering, camera, light, then the brand's style and palette. */
export function composeVisualPrompt(p: { subject: string; brand: BrandProfile; style: VisualStyle; camera: string; lighting: string; mood: string }): string {
	const subject = p.subject.trim().replace(/[.\s]+$/, '');
	const parts = [
		`${subject}.`,
		`${STYLE_RENDERING[p.style]}, ${p.mood}.`,
		`Camera: ${p.camera}.`,
		`Lighting: ${p.lighting}.`,
		`Visual style: ${p.brand.visual_style.replace(/[.\s]+$/, '')}.`,
	];
	if (p.brand.color_palette.length) parts.push(`Color palette: ${paletteText(p.brand)}.`);
	parts.push('Vertical 9:16 frame.');
	return fitPrompt(parts.join(' '));
}

function fitPrompt(prompt: string, max = 2000): string {
	return prompt.length <= max ? prompt : `${prompt.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** Words a visual prompt needs before a video model has enough to work with. */
const DENSE_PROMPT_WORDS = 30;

/**
 * Makes a visual prompt carry the brand: appends the palette when any colour of it is missing,
 * the visual style when it is not there word for word, and camera/lighting/rendering when the
 * prompt is thin. What is appended never gets cut: the LLM's own text is shortened instead.
 */
export function brandVisualPrompt(prompt: string, brand: BrandProfile, cues: { style: VisualStyle; camera_movement: string; lighting: string }): string {
	const lower = prompt.toLowerCase();
	const additions: string[] = [];
	if ((prompt.match(/\S+/g) ?? []).length < DENSE_PROMPT_WORDS) {
		if (!lower.includes(cues.camera_movement.toLowerCase())) additions.push(`Camera: ${cues.camera_movement}.`);
		if (!lower.includes(cues.lighting.toLowerCase())) additions.push(`Lighting: ${cues.lighting}.`);
		additions.push(`${STYLE_RENDERING[cues.style]}.`);
	}
	if (!lower.includes(brand.visual_style.toLowerCase().replace(/[.\s]+$/, ''))) additions.push(`Visual style: ${brand.visual_style.replace(/[.\s]+$/, '')}.`);
	if (brand.color_palette.some((c) => !lower.includes(c.toLowerCase()))) additions.push(`Color palette: ${paletteText(brand)}.`);
	if (additions.length === 0) return fitPrompt(prompt);
	const tail = additions.join(' ');
	const room = 2000 - tail.length - 1;
	const head = prompt.trim().replace(/\s+$/, '');
	const cutHead = head.length <= room ? head : `${head.slice(0, Math.max(0, room - 1)).replace(/\s+\S*$/, '')}…`;
	return fitPrompt(`${/[.!?…]$/.test(cutHead) ? cutHead : `${cutHead}.`} ${tail}`);
}

function round1(x: number): number {
	return Math.round(x * 10) / 10;
}

/**
 * Fits scene durations to a total: each within [min, max], summing to the total (clamped to what
 * n scenes can hold), by repeatedly scaling the scenes that still have room; then rounded to 0.1 s
 * with the rounding drift given to scenes that have room, last first.
 */
export function fitDurations(durations: number[], total: number, min = SCENE_MIN_SECONDS, max = SCENE_MAX_SECONDS): number[] {
	const n = durations.length;
	if (n === 0) return [];
	const target = round1(Math.max(n * min, Math.min(n * max, total)));
	const d = durations.map((x) => Math.max(min, Math.min(max, Number.isFinite(x) && x > 0 ? x : (min + max) / 2)));
	for (let i = 0; i < 100; i++) {
		const diff = target - d.reduce((a, b) => a + b, 0);
		if (Math.abs(diff) < 1e-9) break;
		const free = d.map((_x, j) => j).filter((j) => (diff > 0 ? d[j] < max : d[j] > min));
		if (free.length === 0) break;
		const freeSum = free.reduce((a, j) => a + d[j], 0);
		for (const j of free) d[j] = Math.max(min, Math.min(max, d[j] + (diff * d[j]) / freeSum));
	}
	const out = d.map(round1);
	let drift = round1(target - out.reduce((a, b) => a + b, 0));
	for (let j = n - 1; Math.abs(drift) >= 0.05 && j >= 0; j = j === 0 ? n - 1 : j - 1) {
		const step = drift > 0 ? 0.1 : -0.1;
		if (out[j] + step <= max + 1e-9 && out[j] + step >= min - 1e-9) {
			out[j] = round1(out[j] + step);
			drift = round1(drift - step);
		} else if (out.every((x) => (step > 0 ? x >= max : x <= min))) break;
	}
	return out;
}

function wordsIn(text: string): number {
	return (text.match(/[\p{L}\p{N}'’-]+/gu) ?? []).length;
}

// ---------------------------------------------------------------------------------------------
// writeScript

const draftSceneSchema = z.object({
	sequence: z.number().int().min(1).optional(),
	duration_seconds: z.number().positive(),
	visual_prompt: z.string().trim().min(1).max(4000),
	voiceover_text: z.string().max(1000),
	visual_cues: z.object({
		style: z.enum(VISUAL_STYLES),
		color_palette: z.array(z.string()),
		camera_movement: z.string().trim().min(1).max(200),
		lighting: z.string().trim().min(1).max(200),
	}),
	audio_cues: z.object({ music_style: z.string().trim().min(1).max(200), sfx: z.array(z.string().trim().min(1).max(100)), voice_tone: z.string().trim().min(1).max(200) }),
	speaker: z.string().max(100).optional(),
});

/**
 * What the LLM is asked for: the Script's scenes with free durations (normalisation fits them)
 * and everything the caller already knows (hook, variant, totals) optional.
 */
export const scriptDraftSchema = z.object({
	scenes: z.array(draftSceneSchema).min(3).max(20),
	voiceover_full_text: z.string().optional(),
	total_duration_seconds: z.number().optional(),
	variant_tag: z.enum(VARIANT_TYPES).optional(),
	hook: z.object({ text: z.string(), hook_type: z.enum(HOOK_TYPES) }).partial().optional(),
});
export type ScriptDraft = z.infer<typeof scriptDraftSchema>;

/** The hook a script opens with: a ScoredHook or anything with its fields. */
export interface SelectedHook {
	text: string;
	hook_type: HookType;
	quality_score: number;
	rationale?: string;
}

export interface WriteScriptInput {
	brief: CreativeBrief;
	hook: SelectedHook;
	variant: VariantType;
	brand: BrandProfile;
	/** Wanted length in seconds, clamped to 15–60. */
	targetSeconds?: number;
	llm: LlmProvider;
	/** How many hook variations the hook was chosen from. */
	variationsGenerated: number;
	now?: () => Date;
	/** A revision after a person rejected a script: their feedback and the version they saw. */
	revision?: { feedback: string; previousVoiceover: string };
	/** The campaign request's notes (product name, details); sentences with a restricted keyword are never passed on. */
	notes?: string;
	productCategory?: string;
}

/** The request's notes without the sentences that carry a restricted keyword (the brand's or the brief's). */
function notesFor(input: WriteScriptInput): string {
	if (!input.notes?.trim()) return '';
	return dropRestrictedSentences(input.notes, [...input.brand.restricted_keywords, ...input.brief.brand_guidelines_ref.restricted_keywords]);
}

function scriptPrompts(input: WriteScriptInput, targetSeconds: number): { system: string; prompt: string } {
	const { brief, hook, variant, brand } = input;
	const notes = notesFor(input);
	const direction = VARIANT_DIRECTION[variant];
	const system = [
		`You are the Copywriter of a brand-safe video ad pipeline. Write one ${variant} short-form vertical video script as JSON.`,
		`Scenes last 3 to 5 seconds each and together about ${targetSeconds} seconds; the first scene speaks the hook word for word;`,
		'the last scene carries the call to action; each voiceover_text fits its scene at about 150 words per minute.',
		"Every visual_prompt is a dense cinematic prompt for a video model (subject, action, setting, lens, camera move, light) and names the brand's visual style and colour palette.",
		'Never use a restricted keyword.',
	].join(' ');
	const prompt = [
		`Brand: ${brand.brand_name}`,
		`Tone: ${brief.brand_guidelines_ref.tone}`,
		`Visual style: ${brand.visual_style} (scene style one of ${VISUAL_STYLES.join(', ')})`,
		`Color palette: ${paletteText(brand)}`,
		`Restricted keywords: ${brand.restricted_keywords.join(', ') || '(none)'}`,
		'',
		`Hook (${hook.hook_type}): ${hook.text}`,
		`Audience: ${JSON.stringify(brief.target_audience.demographics)}`,
		`Pain points: ${brief.target_audience.pain_points.join('; ')}`,
		`Value proposition: ${brief.core_message.value_proposition}`,
		`Call to action: ${brief.core_message.call_to_action}`,
		`Trending topics: ${brief.trending_insights.trending_topics.join(', ') || '(none)'}`,
		...(notes ? [`Product notes: ${notes}`] : []),
		'',
		`Variant: ${variant} — voice ${direction.voice_tone}; music ${direction.music_style}; camera moves such as ${direction.cameras.join(', ')}; lighting ${direction.lighting}.`,
		`Target length: ${targetSeconds} seconds.`,
		...(input.revision
			? [
					'',
					'A reviewer rejected the previous version of this script. Rewrite it so that it answers their feedback, keeping the hook.',
					`Previous voiceover: ${input.revision.previousVoiceover.slice(0, 3000)}`,
					`Reviewer feedback: ${input.revision.feedback.slice(0, 5000)}`,
				]
			: []),
		'',
		'Answer with JSON: {"scenes": [{"duration_seconds", "visual_prompt", "voiceover_text", "speaker",',
		'"visual_cues": {"style", "color_palette", "camera_movement", "lighting"}, "audio_cues": {"music_style", "sfx", "voice_tone"}}]}',
	].join('\n');
	return { system, prompt };
}

export interface NormaliseScriptOptions {
	brand: BrandProfile;
	hook: SelectedHook;
	variant: VariantType;
	targetSeconds: number;
	variationsGenerated: number;
	briefId?: string;
	now?: () => Date;
	wordsPerMinute?: number;
}

/**
 * Turns a draft into a valid Script (see the module comment); the result passes `scriptSchema`
 * or this throws a ValidationError naming the field. A scene whose voiceover needs more time than
 * its draft duration is lengthened first (up to 5 s), then all are fitted to the target total.
 */
export function normaliseScript(draft: ScriptDraft, options: NormaliseScriptOptions): Script {
	const { brand, hook, variant } = options;
	const wps = (options.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE) / 60;
	const target = Math.max(SCRIPT_MIN_SECONDS, Math.min(SCRIPT_MAX_SECONDS, options.targetSeconds));
	const wanted = draft.scenes.map((s) => Math.max(s.duration_seconds, wordsIn(s.voiceover_text) / wps));
	const durations = fitDurations(wanted, target);
	const scenes: Scene[] = draft.scenes.map((s, i) => ({
		sequence: i + 1,
		duration_seconds: durations[i],
		visual_prompt: brandVisualPrompt(s.visual_prompt, brand, s.visual_cues),
		voiceover_text: s.voiceover_text.trim(),
		visual_cues: { ...s.visual_cues, color_palette: [...brand.color_palette] },
		audio_cues: s.audio_cues,
		...(s.speaker ? { speaker: s.speaker } : {}),
	}));
	const total = round1(durations.reduce((a, b) => a + b, 0));
	const rationale =
		hook.rationale ?? `Chosen from ${options.variationsGenerated} hook variation${options.variationsGenerated === 1 ? '' : 's'} with quality ${hook.quality_score.toFixed(3)}.`;
	const script = {
		...(options.briefId ? { brief_id: options.briefId } : {}),
		hook: {
			text: hook.text,
			hook_type: hook.hook_type,
			quality_score: hook.quality_score,
			variations_generated: options.variationsGenerated,
			selected_rationale: rationale.slice(0, 1000),
		},
		scenes,
		voiceover_full_text: scenes
			.map((s) => s.voiceover_text)
			.filter(Boolean)
			.join(' '),
		total_duration_seconds: total,
		variant_tag: variant,
		generated_at: (options.now ?? (() => new Date()))().toISOString(),
		approval_status: 'pending' as const,
	};
	return parseOrThrow(scriptSchema, script, 'script');
}

/** Asks the LLM (task `script`) for a draft and normalises it; see `normaliseScript`. */
export async function writeScript(input: WriteScriptInput): Promise<{ script: Script; llm: LlmCall }> {
	const brand = parseWithDefaults(brandProfileSchema, input.brand, 'brand');
	parseOrThrow(z.enum(VARIANT_TYPES), input.variant, 'variant');
	parseOrThrow(z.number().int().min(1), input.variationsGenerated, 'variationsGenerated');
	const hook = parseOrThrow(
		z.object({ text: z.string().trim().min(1).max(200), hook_type: z.enum(HOOK_TYPES), quality_score: z.number().min(0).max(1), rationale: z.string().optional() }),
		input.hook,
		'hook',
	);
	const targetSeconds = Math.max(SCRIPT_MIN_SECONDS, Math.min(SCRIPT_MAX_SECONDS, Math.round(input.targetSeconds ?? 30)));
	const { system, prompt } = scriptPrompts({ ...input, brand }, targetSeconds);
	const result = await input.llm.generate({
		task: 'script',
		system,
		prompt,
		schema: scriptDraftSchema,
		schemaName: 'script',
		context: {
			brief: input.brief,
			hook,
			variant: input.variant,
			brand,
			targetSeconds,
			variationsGenerated: input.variationsGenerated,
			...(input.revision ? { feedback: input.revision.feedback } : {}),
			...(input.productCategory ? { productCategory: input.productCategory } : {}),
			...(notesFor(input) ? { notes: notesFor(input) } : {}),
		},
		temperature: 0.7,
		maxOutputTokens: 4000,
	});
	const script = normaliseScript(result.data, {
		brand,
		hook,
		variant: input.variant,
		targetSeconds,
		variationsGenerated: input.variationsGenerated,
		briefId: input.brief.brief_id,
		now: input.now,
	});
	return { script, llm: { provider: result.provider, model: result.model, usage: result.usage } };
}

// ---------------------------------------------------------------------------------------------
// Markdown narrative → timed script (seed 001)

/**
 * The narrative format read by `scriptFromMarkdown` (seed 001's Script Engine: segments with a
 * speaker, a duration and a scene description):
 *
 *     # Title                                  optional; a heading with nothing under it is skipped
 *     ## Scene 1: The Terminal Wakes           every heading starts a scene block
 *     *A dark room. A cursor blinks on a CRT.*  a line in *italics*, [brackets], (parentheses),
 *     > Wide shot, rain on the window.           a > quote, or "Visual:/Scene:/Setting:/Shot:" → scene description
 *     SFX: modem handshake                       "SFX:/Sound:" → sound effects
 *     **NARRATOR:** It started with a message.  `**Speaker:** line` or `**Speaker**: line`, or
 *     ARIA: (whispering) Are you there?          `NAME: line` in capitals; a leading (parenthetical) is the delivery
 *     Plain paragraphs are narration.            spoken by "Narrator" (or the speaker whose label stands alone above)
 *     ```                                        fenced text is on-screen (terminal) text
 *     > ACCESS GRANTED
 *     ```
 *
 * Durations come from word counts at `wordsPerMinute`; a passage longer than 5 s is split into
 * several scenes (at sentence ends where possible), a very short one is padded to 3 s, and a block
 * with only a description becomes a 3 s silent scene. The total must be 15–60 s: a short narrative
 * is stretched (scenes up to 5 s), a long one is an error naming the line where it passes 60 s.
 */
export interface MarkdownScriptOptions {
	brand: BrandProfile;
	variant: VariantType;
	wordsPerMinute?: number;
	/** The hook to record; by default the first spoken sentence, scored on text heuristics. */
	hook?: SelectedHook;
	now?: () => Date;
}

interface SpeechUnit {
	speaker: string;
	text: string;
	line: number;
	delivery?: string;
}

interface NarrativeBlock {
	title: string | null;
	line: number;
	descriptions: string[];
	/** Line of the first description or sound cue, for errors. */
	contentLine?: number;
	sfx: string[];
	units: SpeechUnit[];
}

function stripInlineMarkdown(text: string): string {
	return text
		.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
		.replace(/`([^`]*)`/g, '$1')
		.replace(/(\*\*|__)(.+?)\1/g, '$2')
		.replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,!?;:]|$)/g, '$1$2')
		.replace(/\s+/g, ' ')
		.trim();
}

const DESCRIPTION_LINE = [/^\s*\*([^*].*[^*]|[^*])\*\s*$/, /^\s*_([^_].*[^_]|[^_])_\s*$/, /^\s*\[(.+)\]\s*$/, /^\s*\((.+)\)\s*$/, /^\s*>\s?(.*)$/];
const LABELLED_DESCRIPTION = /^\s*(?:visual|scene|setting|shot|description)\s*:\s*(.+)$/i;
const LABELLED_SFX = /^\s*(?:sfx|sound|sound effects?)\s*:\s*(.+)$/i;
const BOLD_SPEAKER = /^\s*\*\*([^*]+?)\*\*\s*(.*)$/;
const CAPS_SPEAKER = /^\s*([A-Z][A-Z0-9 .'-]{0,30}[A-Z0-9]):\s*(.*)$/;

/** Reads the narrative into heading blocks of descriptions and speech units (line numbers are 1-based). */
function parseNarrative(markdown: string): NarrativeBlock[] {
	const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
	const blocks: NarrativeBlock[] = [];
	let block: NarrativeBlock = { title: null, line: 1, descriptions: [], sfx: [], units: [] };
	blocks.push(block);
	let pendingSpeaker: { name: string; line: number } | null = null;
	let continuing: SpeechUnit | null = null;
	let fence: { line: number; text: string[] } | null = null;

	const closePending = () => {
		if (pendingSpeaker) {
			throw new ValidationError(`markdown line ${pendingSpeaker.line}: speaker "${pendingSpeaker.name}" has no line to speak`, 'markdown', { line: pendingSpeaker.line });
		}
	};
	const addSpeech = (speaker: string, raw: string, line: number) => {
		let text = raw.trim();
		let delivery: string | undefined;
		const lead = /^[([]([^)\]]+)[)\]]\s*/.exec(text);
		if (lead) {
			delivery = lead[1].trim();
			text = text.slice(lead[0].length);
		}
		// Other parentheticals/brackets inside a line are directions, not words to speak.
		text = text.replace(/\s*\[([^\]]+)\]\s*/g, (_m, d: string) => {
			block.descriptions.push(d.trim());
			return ' ';
		});
		text = stripInlineMarkdown(text);
		if (text === '') throw new ValidationError(`markdown line ${line}: speaker "${speaker}" has no line to speak`, 'markdown', { line });
		const unit: SpeechUnit = { speaker, text, line, ...(delivery ? { delivery } : {}) };
		block.units.push(unit);
		continuing = unit;
	};

	lines.forEach((rawLine, index) => {
		const line = index + 1;
		const text = rawLine.trimEnd();
		if (fence) {
			if (/^\s*(```|~~~)/.test(text)) {
				if (fence.text.length) block.descriptions.push(`On-screen text: "${fence.text.join(' / ')}"`);
				fence = null;
			} else if (text.trim()) {
				fence.text.push(text.trim());
			}
			return;
		}
		if (/^\s*(```|~~~)/.test(text)) {
			fence = { line, text: [] };
			continuing = null;
			return;
		}
		if (text.trim() === '' || /^\s*([-*_])(\s*\1){2,}\s*$/.test(text) || /^\s*<!--.*-->\s*$/.test(text)) {
			continuing = null;
			return;
		}
		const heading = /^\s*#{1,6}\s+(.*)$/.exec(text);
		if (heading) {
			closePending();
			block = { title: stripInlineMarkdown(heading[1]).replace(/^scene\s*\d+\s*[:.–-]\s*/i, '') || null, line, descriptions: [], sfx: [], units: [] };
			blocks.push(block);
			continuing = null;
			return;
		}
		const sfx = LABELLED_SFX.exec(text);
		if (sfx) {
			block.contentLine ??= line;
			block.sfx.push(...sfx[1].split(/[,;]/).map((s) => stripInlineMarkdown(s)).filter(Boolean));
			continuing = null;
			return;
		}
		const labelled = LABELLED_DESCRIPTION.exec(text);
		const description = labelled ?? DESCRIPTION_LINE.map((re) => re.exec(text)).find(Boolean);
		if (description) {
			const d = stripInlineMarkdown(description[1]);
			if (d) block.descriptions.push(d);
			block.contentLine ??= line;
			continuing = null;
			return;
		}
		const bold = BOLD_SPEAKER.exec(text);
		const boldName = bold && (bold[1].trim().endsWith(':') || bold[2].startsWith(':')) ? bold[1].trim().replace(/:$/, '').trim() : null;
		const caps = boldName ? null : CAPS_SPEAKER.exec(text);
		if (boldName || caps) {
			closePending();
			const name = boldName ?? (caps as RegExpExecArray)[1].trim();
			const rest = (boldName ? (bold as RegExpExecArray)[2].replace(/^:\s*/, '') : (caps as RegExpExecArray)[2]).trim();
			if (rest === '') {
				pendingSpeaker = { name, line };
				continuing = null;
			} else {
				addSpeech(name, rest, line);
			}
			return;
		}
		const spoken = text.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '');
		if (continuing && !pendingSpeaker) {
			const cleaned = stripInlineMarkdown(spoken);
			if (cleaned) (continuing as SpeechUnit).text += ` ${cleaned}`;
			return;
		}
		const speaker = pendingSpeaker?.name ?? 'Narrator';
		pendingSpeaker = null;
		addSpeech(speaker, spoken, line);
	});
	if (fence) throw new ValidationError(`markdown line ${(fence as { line: number }).line}: code fence is never closed`, 'markdown', { line: (fence as { line: number }).line });
	closePending();
	return blocks.filter((b) => b.units.length > 0 || b.descriptions.length > 0 || b.sfx.length > 0);
}

/**
 * Splits spoken text into chunks of at most `maxWords` words, as even as possible, moving each
 * cut up to 2 words to land on a sentence end (or else a comma) when the chunks still fit.
 */
export function chunkWords(text: string, maxWords: number): string[] {
	const words = text.split(/\s+/).filter(Boolean);
	if (words.length <= maxWords) return [words.join(' ')];
	const k = Math.ceil(words.length / maxWords);
	const cuts: number[] = [0];
	for (let i = 1; i < k; i++) {
		const ideal = Math.round((i * words.length) / k);
		const prev = cuts[i - 1];
		let bestCut = -1;
		let bestRank = Infinity;
		for (let j = ideal - 2; j <= ideal + 2; j++) {
			if (j <= prev || j >= words.length || j - prev > maxWords || words.length - j > (k - i) * maxWords) continue;
			const end = words[j - 1];
			const rank = (/[.!?…]["')\]]?$/.test(end) ? 0 : /[,;:—–]$/.test(end) ? 10 : 20) + Math.abs(j - ideal);
			if (rank < bestRank) {
				bestRank = rank;
				bestCut = j;
			}
		}
		cuts.push(bestCut === -1 ? Math.min(prev + maxWords, ideal) : bestCut);
	}
	cuts.push(words.length);
	return cuts.slice(1).map((end, i) => words.slice(cuts[i], end).join(' '));
}

function inferHookType(text: string): HookType {
	if (text.trim().endsWith('?')) return 'question';
	if (/^(watch|look|stop|wait|zoom|freeze|imagine)\b/i.test(text.trim())) return 'visual_shock';
	if (/\b(I|we|my|our)\b.*\b(was|were|had|did|started|found|remember(ed)?)\b/i.test(text) || /^(once|last|it started|years ago)\b/i.test(text.trim())) return 'story';
	return 'statement';
}

function firstSentence(text: string, maxChars = 200): string {
	const m = /^(.+?[.!?…])(\s|$)/.exec(text);
	const s = (m ? m[1] : text).trim();
	return s.length <= maxChars ? s : `${s.slice(0, maxChars - 1).replace(/\s+\S*$/, '')}…`;
}

/** Turns a markdown narrative (format above) into a timed Script; throws ValidationError naming the line at fault. */
export function scriptFromMarkdown(markdown: string, options: MarkdownScriptOptions): Script {
	const brand = parseWithDefaults(brandProfileSchema, options.brand, 'brand');
	const variant = parseOrThrow(z.enum(VARIANT_TYPES), options.variant, 'variant');
	const wpm = parseOrThrow(z.number().min(60).max(300), options.wordsPerMinute ?? DEFAULT_WORDS_PER_MINUTE, 'wordsPerMinute');
	const wps = wpm / 60;
	const maxWords = Math.floor(SCENE_MAX_SECONDS * wps);
	const blocks = parseNarrative(markdown);
	const firstUnit = blocks.flatMap((b) => b.units)[0];
	if (!firstUnit) {
		const firstLine = blocks[0]?.contentLine ?? blocks[0]?.line ?? 1;
		throw new ValidationError(
			`markdown has no narration: ${blocks.length ? `line ${firstLine} and every line after it is a heading, scene description or sound cue` : 'it is empty'}; write spoken lines as "**Speaker:** text" or plain paragraphs`,
			'markdown',
			{ line: firstLine },
		);
	}

	const direction = VARIANT_DIRECTION[variant];
	const style = sceneStyleFor(brand.visual_style);
	interface Planned {
		seconds: number;
		text: string;
		speaker?: string;
		delivery?: string;
		block: NarrativeBlock;
		part: number;
		parts: number;
		line: number;
	}
	const planned: Planned[] = [];
	for (const block of blocks) {
		if (block.units.length === 0) {
			planned.push({ seconds: SCENE_MIN_SECONDS, text: '', block, part: 1, parts: 1, line: block.line });
			continue;
		}
		const pieces = block.units.flatMap((u) => chunkWords(u.text, maxWords).map((text) => ({ unit: u, text })));
		pieces.forEach(({ unit, text }, i) => {
			const seconds = Math.min(SCENE_MAX_SECONDS, Math.max(SCENE_MIN_SECONDS, wordsIn(text) / wps));
			planned.push({ seconds, text, speaker: unit.speaker, delivery: unit.delivery, block, part: i + 1, parts: pieces.length, line: unit.line });
		});
	}

	let running = 0;
	for (const p of planned) {
		running += p.seconds;
		if (running > SCRIPT_MAX_SECONDS + 1e-6) {
			const total = planned.reduce((a, q) => a + q.seconds, 0);
			throw new ValidationError(
				`markdown runs ${total.toFixed(1)} s at ${wpm} words per minute (limit ${SCRIPT_MAX_SECONDS} s); it passes ${SCRIPT_MAX_SECONDS} s at line ${p.line}: shorten it, split it into several scripts or raise wordsPerMinute`,
				'markdown',
				{ line: p.line, total_seconds: round1(total) },
			);
		}
	}
	if (planned.length * SCENE_MAX_SECONDS < SCRIPT_MIN_SECONDS) {
		throw new ValidationError(
			`markdown is too short: ${planned.length} scene${planned.length === 1 ? '' : 's'} cannot fill the ${SCRIPT_MIN_SECONDS} s minimum; add narration or scene blocks`,
			'markdown',
			{ line: planned[planned.length - 1].line },
		);
	}
	const rawTotal = planned.reduce((a, p) => a + p.seconds, 0);
	const durations = fitDurations(
		planned.map((p) => p.seconds),
		Math.max(SCRIPT_MIN_SECONDS, rawTotal),
	);

	const scenes: Scene[] = planned.map((p, i) => {
		const b = p.block;
		const described = b.descriptions.length ? b.descriptions.map((d) => d.replace(/[\s.]+$/, '')).join('. ') : b.title ? `${b.title}` : `A scene that shows: ${firstSentence(p.text || brand.brand_name, 160)}`;
		const heading = b.title && b.descriptions.length ? `${b.title}: ` : '';
		const shot = p.parts > 1 ? ` (shot ${p.part} of ${p.parts}${p.speaker ? `, ${p.speaker} speaking` : ''})` : p.speaker ? ` (${p.speaker} speaking)` : '';
		const camera = direction.cameras[i % direction.cameras.length];
		return {
			sequence: i + 1,
			duration_seconds: durations[i],
			visual_prompt: composeVisualPrompt({ subject: `${heading}${described}${shot}`, brand, style, camera, lighting: direction.lighting, mood: direction.mood }),
			voiceover_text: p.text,
			visual_cues: { style, color_palette: [...brand.color_palette], camera_movement: camera, lighting: direction.lighting },
			audio_cues: {
				music_style: direction.music_style,
				sfx: p.part === 1 ? b.sfx.slice(0, 10).map((s) => s.slice(0, 100)) : [],
				voice_tone: (p.delivery ?? direction.voice_tone).slice(0, 200),
			},
			...(p.speaker ? { speaker: p.speaker.slice(0, 100) } : {}),
		};
	});

	let hook: SelectedHook & { variations: number };
	if (options.hook) {
		hook = { ...options.hook, variations: 1 };
	} else {
		const text = firstSentence(firstUnit.text);
		const hookType = inferHookType(text);
		const scores = scoreHookText(text, hookType);
		const quality = qualityFromScores(scores);
		hook = {
			text,
			hook_type: hookType,
			quality_score: quality,
			rationale: `First spoken sentence of the narrative (line ${firstUnit.line}), scored on text heuristics only (no trend or past-performance data): ${rationaleOf(quality, scores)}`,
			variations: 1,
		};
	}
	const total = round1(durations.reduce((a, b) => a + b, 0));
	return parseOrThrow(
		scriptSchema,
		{
			hook: {
				text: hook.text,
				hook_type: hook.hook_type,
				quality_score: hook.quality_score,
				variations_generated: hook.variations,
				selected_rationale: (hook.rationale ?? `Hook supplied with quality ${hook.quality_score.toFixed(3)}.`).slice(0, 1000),
			},
			scenes,
			voiceover_full_text: scenes
				.map((s) => s.voiceover_text)
				.filter(Boolean)
				.join(' '),
			total_duration_seconds: total,
			variant_tag: variant,
			generated_at: (options.now ?? (() => new Date()))().toISOString(),
			approval_status: 'pending',
		},
		'script',
	);
}

