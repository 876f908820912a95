/**
 * Brand guideline documents → chunks for the vector store. Markdown is split at headings first,
 * then by paragraphs and sentences up to `chunkSize` characters, with `overlap` characters of the
 * previous chunk carried over so a rule that straddles a boundary is still found. Each chunk gets a
 * category (tone / visual_style / restrictions / other) from its heading and wording.
 */
import { createHash } from 'node:crypto';

import { ValidationError } from '../domain/errors';

export const GUIDELINE_CATEGORIES = ['tone', 'visual_style', 'restrictions', 'other'] as const;
export type GuidelineCategory = (typeof GUIDELINE_CATEGORIES)[number];

export interface GuidelineChunk {
	content: string;
	category: GuidelineCategory;
	content_hash: string;
	heading: string | null;
}

const CATEGORY_WORDS: [GuidelineCategory, RegExp][] = [
	['restrictions', /\b(never|avoid|do not|don't|must not|forbidden|restricted|banned|prohibited|no[- ]go|legal|compliance)\b/i],
	['visual_style', /\b(colou?rs?|palette|hex|#[0-9a-f]{3,6}\b|typograph|font|logo|visual|imagery|lighting|camera|cinematic|aesthetic|photograph)/i],
	['tone', /\b(tone|voice|personality|speak|language|wording|vocabulary|friendly|warm|formal|playful|optimistic)\b/i],
];

export function categorize(text: string, heading: string | null): GuidelineCategory {
	for (const source of [heading ?? '', text]) {
		for (const [category, words] of CATEGORY_WORDS) if (words.test(source)) return category;
	}
	return 'other';
}

/** Sections of a markdown (or plain) document: [heading, body]. */
function sections(text: string): { heading: string | null; body: string }[] {
	const out: { heading: string | null; body: string }[] = [];
	let heading: string | null = null;
	let body: string[] = [];
	const flush = () => {
		const joined = body.join('\n').trim();
		if (joined) out.push({ heading, body: joined });
		body = [];
	};
	for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
		const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
		if (h) {
			flush();
			heading = h[1];
		} else {
			body.push(line);
		}
	}
	flush();
	return out;
}

/** Pieces no longer than `max`: paragraphs, then sentences, then hard cuts for run-on text. */
function pieces(body: string, max: number): string[] {
	const out: string[] = [];
	for (const para of body.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
		if (para.length <= max) {
			out.push(para);
			continue;
		}
		for (const sentence of para.split(/(?<=[.!?])\s+/)) {
			for (let i = 0; i < sentence.length; i += max) out.push(sentence.slice(i, i + max));
		}
	}
	return out;
}

export function chunkDocument(text: string, opts: { chunkSize?: number; overlap?: number } = {}): GuidelineChunk[] {
	const chunkSize = opts.chunkSize ?? 800;
	const overlap = opts.overlap ?? 120;
	if (!Number.isInteger(chunkSize) || chunkSize < 100 || chunkSize > 8000) {
		throw new ValidationError('chunkSize must be an integer between 100 and 8000', 'chunkSize');
	}
	if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize / 2) {
		throw new ValidationError('overlap must be an integer from 0 to less than half the chunk size', 'overlap');
	}
	if (typeof text !== 'string' || !text.trim()) throw new ValidationError('the document has no text', 'text');

	const chunks: GuidelineChunk[] = [];
	for (const { heading, body } of sections(text)) {
		let current = '';
		const emit = () => {
			const content = (heading ? `${heading}: ${current}` : current).trim();
			if (!current.trim()) return;
			chunks.push({
				content,
				category: categorize(current, heading),
				content_hash: createHash('sha256').update(content).digest('hex').slice(0, 32),
				heading,
			});
		};
		for (const piece of pieces(body, chunkSize - overlap)) {
			if (current && current.length + 1 + piece.length > chunkSize) {
				emit();
				// Carry the tail of the previous chunk, cut at a word boundary.
				const tail = current.slice(-overlap);
				current = overlap > 0 ? tail.slice(tail.indexOf(' ') + 1) : '';
			}
			current = current ? `${current} ${piece}` : piece;
		}
		emit();
	}
	return chunks;
}
