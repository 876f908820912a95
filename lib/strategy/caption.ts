/**
 * The `caption` task's contract and the platforms' length limits. A caption's text and its
 * hashtags are kept apart so each platform can place the tags its own way; `renderCaption` joins
 * them within a limit, dropping tags before it cuts words.
 */
import { z } from 'zod';

/** Character limits of the platforms' caption fields (as documented by each platform). */
export const CAPTION_LIMITS = {
	tiktok: { caption: 2200 },
	instagram: { caption: 2200 },
	youtube: { title: 100, description: 5000 },
	linkedin: { commentary: 3000 },
} as const;
export type CaptionPlatform = keyof typeof CAPTION_LIMITS;
export const CAPTION_PLATFORMS = Object.keys(CAPTION_LIMITS) as CaptionPlatform[];

/** The main text field's limit: the caption, YouTube's description, LinkedIn's commentary. */
export function captionLimit(platform: CaptionPlatform): number {
	const limits = CAPTION_LIMITS[platform] as Record<string, number>;
	return limits.caption ?? limits.description ?? limits.commentary;
}

/** A hashtag: "#" then letters, digits or underscores (what every one of these platforms links). */
export const hashtagSchema = z.string().regex(/^#[\p{L}\p{N}_]{1,100}$/u, 'must be "#" followed by letters, digits or underscores');

export const captionSchema = z.object({
	caption: z.string().trim().min(1).max(5000),
	hashtags: z.array(hashtagSchema).max(30),
});
export type Caption = z.infer<typeof captionSchema>;

/** Turns any phrase into a hashtag ("#morning routine!" → "#morningroutine"), or null when nothing is left. */
export function toHashtag(phrase: string): string | null {
	const body = phrase
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[^\p{L}\p{N}_]+/gu, '')
		.toLowerCase()
		.slice(0, 100);
	return body ? `#${body}` : null;
}

/** Cuts text to at most `max` characters at a word boundary, marking the cut with "…". */
export function truncateAtWord(text: string, max: number): string {
	if (text.length <= max) return text;
	if (max <= 1) return text.slice(0, max);
	const cut = text.slice(0, max - 1);
	const space = cut.search(/\s\S*$/);
	return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/**
 * Joins caption and hashtags into one string of at most `maxLength` characters: hashtags are
 * dropped from the end first (they are the least important part), then the text is cut at a word.
 */
export function renderCaption(value: Caption, maxLength: number): string {
	const tags = [...value.hashtags];
	const join = (t: string[]) => (t.length ? `${value.caption}\n\n${t.join(' ')}` : value.caption);
	while (tags.length && join(tags).length > maxLength) tags.pop();
	const out = join(tags);
	return out.length <= maxLength ? out : truncateAtWord(value.caption, maxLength);
}
