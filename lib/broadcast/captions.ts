/**
 * Caption and hashtags per platform (seed 003 pillar 5, "Caption Tone", "Caption Length"): the
 * `caption` LLM task (captionSchema, strict output) in the platform's tone, with the local
 * templates as the offline fallback (`provider: "local"`), then fitted to the platform's hard limit
 * as the platform counts it (characters, UTF-16 units or bytes, on the text it really receives:
 * LinkedIn's escapes and the hashtags included): hashtags are dropped from the end first, then the
 * text is cut at a word. Metering is the LLM provider's business (MeteredLlmProvider), as for hooks
 * and scripts. A caption given by a person is used as it is (provider "override"), only fitted.
 */
import { ValidationError } from '../domain/errors';
import { creativeBriefSchema } from '../domain/schemas';
import { composePostText, normalizeHashtags, youtubeTitle, type PlatformSpec, type SpecPlatform } from '../providers/publish/types';
import type { LlmProvider, Usage } from '../providers/types';
import { captionSchema, toHashtag, truncateAtWord, type CaptionPlatform } from '../strategy/caption';
import { specForTarget, specPlatformOf, type FormatTarget } from './format';

export interface PlatformTone {
	tone: string;
	/** Length the caption should aim for (the hard limit is the spec's). */
	targetLength: number;
	hashtags: [number, number];
}

/** Tone rules per platform: casual on TikTok, professional on LinkedIn (seed 003 pillar 5). */
export const PLATFORM_TONES: Record<CaptionPlatform, PlatformTone> = {
	tiktok: { tone: 'casual, playful and punchy: one or two short lines in a creator’s voice, emoji allowed', targetLength: 150, hashtags: [3, 5] },
	instagram: { tone: 'warm and visual: a hook line, one line of value, a clear call to action', targetLength: 600, hashtags: [5, 10] },
	youtube: { tone: 'clear and searchable: the first line works as the title, then one or two lines of value', targetLength: 1000, hashtags: [2, 3] },
	linkedin: { tone: 'professional and insight-led: no slang, no emoji, a takeaway for the reader', targetLength: 1300, hashtags: [1, 3] },
};

export interface CaptionRequest {
	llm: LlmProvider;
	target: FormatTarget;
	/** The creative brief (seed 003 shape); used when it validates. */
	brief?: unknown;
	/** The script row or JSON: hook.text, voiceover_full_text, variant_tag. */
	script?: unknown;
	/** Brand-approved hashtags, placed first. */
	hashtags?: string[];
	/** A person's caption, hashtags or title: used instead of the LLM's (still fitted to the limit). */
	override?: { caption?: string; hashtags?: string[]; title?: string };
	/**
	 * Credits the licences of the video's media ask for (issue 11: a CC BY photo, say); they end
	 * the caption and are never cut: the caption is fitted into what is left.
	 */
	credits?: string[];
}

export interface PlatformCaption {
	/** The platform whose tone and limits were applied. */
	captionPlatform: CaptionPlatform;
	caption: string;
	hashtags: string[];
	/** YouTube's title. */
	title?: string;
	/** The text the platform receives (caption + hashtags, the platform's way) and its length as the platform counts it. */
	text: string;
	length: number;
	limit: number;
	unit: PlatformSpec['caption']['unit'];
	provider: string;
	model: string;
	usage: Usage;
	/** Set when the local templates answered for a failed LLM. */
	fallbackFrom?: string;
	/** What was cut to fit the limit. */
	trimmed: string[];
}

function textLength(text: string, unit: PlatformSpec['caption']['unit']): number {
	if (unit === 'bytes') return Buffer.byteLength(text, 'utf8');
	if (unit === 'utf16') return text.length;
	return [...text].length;
}

/** The platform whose tone a post gets (an outbox with no emulation writes like TikTok). */
export function captionPlatformOf(target: FormatTarget): CaptionPlatform {
	const p: SpecPlatform = specPlatformOf(target);
	return p === 'outbox' ? 'tiktok' : p;
}

function scriptContext(script: unknown): Record<string, unknown> | undefined {
	if (!script || typeof script !== 'object') return undefined;
	const s = script as Record<string, unknown>;
	const hook = s.hook && typeof s.hook === 'object' ? (s.hook as Record<string, unknown>) : undefined;
	const out: Record<string, unknown> = {};
	if (hook && typeof hook.text === 'string') out.hook = { text: hook.text };
	if (typeof s.voiceover_full_text === 'string') out.voiceover_full_text = s.voiceover_full_text;
	if (typeof s.variant_tag === 'string') out.variant_tag = s.variant_tag;
	return Object.keys(out).length ? out : undefined;
}

function prompts(platform: CaptionPlatform, tone: PlatformTone, limit: number, brief: unknown, script: Record<string, unknown> | undefined, hashtags: string[]) {
	const system = [
		`You write the ${platform} caption of a short marketing video.`,
		`Tone: ${tone.tone}.`,
		`Aim for at most ${tone.targetLength} characters of caption (hard limit ${limit} including hashtags).`,
		`Give ${tone.hashtags[0]}–${tone.hashtags[1]} hashtags, each "#" followed by letters, digits or underscores, no spaces.`,
		'Use only facts from the brief and script; no claims they do not make. Answer with JSON {"caption": string, "hashtags": string[]}.',
	].join('\n');
	const prompt = [
		brief ? `Creative brief:\n${JSON.stringify(brief).slice(0, 6000)}` : '',
		script ? `Script:\n${JSON.stringify(script).slice(0, 4000)}` : '',
		hashtags.length ? `Brand hashtags to include first: ${hashtags.join(' ')}` : '',
	]
		.filter(Boolean)
		.join('\n\n');
	return { system, prompt };
}

/** Fits caption + hashtags (and the title) into the spec, as the platform composes and counts them. */
export function fitCaption(
	spec: PlatformSpec,
	textPlatform: CaptionPlatform,
	value: { caption: string; hashtags: string[]; title?: string },
): { caption: string; hashtags: string[]; title?: string; text: string; length: number; trimmed: string[] } {
	const trimmed: string[] = [];
	const c = spec.caption;
	let caption = value.caption.replace(/\r\n/g, '\n').trim();
	if (c.noAngleBrackets && /[<>]/.test(caption)) {
		caption = caption.replace(/[<>]/g, '');
		trimmed.push('removed "<" and ">" (refused by the platform)');
	}
	let tags = normalizeHashtags(value.hashtags);
	if (c.maxHashtags !== undefined && tags.length > c.maxHashtags) {
		trimmed.push(`kept ${c.maxHashtags} of ${tags.length} hashtags`);
		tags = tags.slice(0, c.maxHashtags);
	}
	const title = textPlatform === 'youtube' ? youtubeTitle({ title: value.title, caption }) : undefined;
	const compose = (cap: string, t: string[]) => composePostText(textPlatform, { caption: cap, hashtags: t, title, idempotencyKey: 'fit' }).text;
	const len = (cap: string, t: string[]) => textLength(compose(cap, t), c.unit);
	while (tags.length && len(caption, tags) > c.maxLength) {
		trimmed.push(`dropped ${tags[tags.length - 1]} to fit ${c.maxLength}`);
		tags = tags.slice(0, -1);
	}
	if (len(caption, tags) > c.maxLength) {
		// Shrink by characters until the platform's count fits (escapes and multi-byte characters count more).
		let max = [...caption].length;
		while (max > 1 && len(caption, tags) > c.maxLength) {
			max = Math.max(1, Math.min(max - 1, Math.floor(max * (c.maxLength / len(caption, tags)))));
			caption = truncateAtWord([...value.caption.trim()].slice(0, max + 1).join(''), max);
		}
		trimmed.push(`cut the caption at a word to fit ${c.maxLength} ${c.unit === 'bytes' ? 'bytes' : 'characters'}`);
	}
	const text = compose(caption, tags);
	return { caption, hashtags: tags, title, text, length: textLength(text, c.unit), trimmed };
}

/** The caption of one post: the LLM's (or a person's), in the platform's tone, within its limit. */
export async function writePlatformCaption(req: CaptionRequest): Promise<PlatformCaption> {
	const spec = specForTarget(req.target);
	const platform = captionPlatformOf(req.target);
	const tone = PLATFORM_TONES[platform];
	const brandTags = (req.hashtags ?? []).map((t) => toHashtag(t)).filter((t): t is string => t !== null);
	const override = req.override ?? {};
	let drafted: { caption: string; hashtags: string[] };
	let meta: Pick<PlatformCaption, 'provider' | 'model' | 'usage' | 'fallbackFrom'>;
	if (override.caption && override.caption.trim()) {
		drafted = { caption: override.caption, hashtags: [...brandTags, ...(override.hashtags ?? [])] };
		meta = { provider: 'override', model: 'person', usage: { input_tokens: 0, output_tokens: 0 } };
	} else {
		const parsedBrief = req.brief === undefined || req.brief === null ? undefined : creativeBriefSchema.safeParse(req.brief);
		const brief = parsedBrief?.success ? parsedBrief.data : undefined;
		const script = scriptContext(req.script);
		if (!brief && !script) {
			throw new ValidationError('a caption needs the video\'s brief or script, or a caption given by you (caption override)', 'caption');
		}
		const limit = Math.min(tone.targetLength, spec.caption.maxLength);
		const { system, prompt } = prompts(platform, tone, spec.caption.maxLength, brief, script, brandTags);
		const result = await req.llm.generate({
			task: 'caption',
			system,
			prompt,
			schema: captionSchema,
			schemaName: 'caption',
			context: { platform, brief, script, maxLength: limit, hashtags: brandTags },
			temperature: 0.7,
			maxOutputTokens: 800,
		});
		drafted = { caption: result.data.caption, hashtags: [...brandTags, ...result.data.hashtags, ...(override.hashtags ?? [])] };
		const fallback = (result as { fallback_from?: string }).fallback_from;
		meta = { provider: result.provider, model: result.model, usage: result.usage, ...(fallback ? { fallbackFrom: fallback } : {}) };
	}
	const creditLine = req.credits?.length ? `Credits: ${[...new Set(req.credits)].join('; ')}` : '';
	const room = creditLine ? { ...spec, caption: { ...spec.caption, maxLength: spec.caption.maxLength - textLength(`\n\n${creditLine}`, spec.caption.unit) } } : spec;
	if (creditLine && room.caption.maxLength < 20) throw new ValidationError(`${spec.label}: the media credits (${creditLine.length} characters) leave no room for a caption`, 'credits');
	const fittedText = fitCaption(room, platform, { ...drafted, title: override.title });
	const fitted = creditLine ? { ...fittedText, caption: `${fittedText.caption}\n\n${creditLine}` } : fittedText;
	if (!fitted.caption.trim()) throw new ValidationError(`${spec.label}: the caption is empty after fitting it to ${spec.caption.maxLength}`, 'caption');
	return {
		captionPlatform: platform,
		caption: fitted.caption,
		hashtags: fitted.hashtags,
		...(fitted.title !== undefined ? { title: fitted.title } : {}),
		text: fitted.text,
		length: fitted.length,
		limit: spec.caption.maxLength,
		unit: spec.caption.unit,
		...meta,
		trimmed: fitted.trimmed,
	};
}
