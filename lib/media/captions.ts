/**
 * Word-timed captions and the terminal text overlay (seed 001: typing, cursor blink) as ASS, one
 * file per output: the play resolution is the output's size and the layout (safe-zone margins,
 * font size, characters per line) is chosen per aspect, because captions placed for 9:16 are cut
 * off by a centred 1:1 crop. The files are burned after each output's reframe by the `ass` filter.
 *
 * Injection: caption and terminal text come from scripts (LLM output, users). In ASS Dialogue text
 * `{…}` is an override block and `\N`, `\n`, `\h`, `\{`, `\}` are escapes; a newline would end the
 * event line. `escapeAssText` turns `{`/`}` into libass's `\{`/`\}` literal braces, follows every
 * backslash with a WORD JOINER (U+2060, invisible) so no `\x` sequence can form, and turns line
 * breaks and other control characters into spaces. The text never reaches the filtergraph: only the
 * .ass file's path does (escaped there by filtergraph.ts).
 */
import type { WordTiming } from '../providers/types';
import type { CaptionStyle, NormalizedTimeline, OutputAspect } from './timeline';

export interface CaptionLayout {
	playResX: number;
	playResY: number;
	/** ASS numpad alignment of the caption block (2 = bottom centre). */
	alignment: number;
	marginL: number;
	marginR: number;
	marginV: number;
	fontSize: number;
	outline: number;
	shadow: number;
	maxCharsPerLine: number;
	maxLines: number;
	/** Terminal panel: top-left corner, monospace font size and characters per line. */
	terminal: { x: number; y: number; fontSize: number; maxChars: number; maxLines: number };
}

export interface CaptionCue {
	start: number;
	end: number;
	/** Words per line (at most `maxLines` lines). */
	lines: WordTiming[][];
}

const WORD_JOINER = '\u2060';
const CURSOR = '\u2588';
/** Characters per second of the typing effect. */
export const TYPING_CPS = 18;
/** Half-period of the cursor blink. */
export const BLINK_SECONDS = 0.5;

/** #RRGGBB → ASS style colour &HAABBGGRR (alpha 00 = opaque, FF = transparent). */
export function assColour(hex: string, alpha = 0): string {
	const m = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
	if (!m) throw new TypeError(`not a #RRGGBB colour: ${hex}`);
	const a = Math.max(0, Math.min(255, Math.round(alpha)))
		.toString(16)
		.padStart(2, '0');
	return `&H${a}${m[3]}${m[2]}${m[1]}`.toUpperCase();
}

/** #RRGGBB → ASS override colour &HBBGGRR& (for `\c`, `\3c`). */
export function assTagColour(hex: string): string {
	return `${assColour(hex).replace(/^&H00/, '&H')}&`;
}

/** Makes text safe to place in an ASS Dialogue's Text field: no override blocks, no escapes, one line. */
export function escapeAssText(text: string): string {
	let out = '';
	for (const ch of text) {
		if (ch === '\\') out += `\\${WORD_JOINER}`;
		else if (ch === '{') out += '\\{';
		else if (ch === '}') out += '\\}';
		// eslint-disable-next-line no-control-regex
		else if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(ch)) out += ' ';
		else out += ch;
	}
	return out;
}

/** ASS time H:MM:SS.cc from centiseconds. */
export function assTime(cs: number): string {
	const c = Math.max(0, Math.round(cs));
	const h = Math.floor(c / 360000);
	const m = Math.floor((c % 360000) / 6000);
	const s = Math.floor((c % 6000) / 100);
	const r = c % 100;
	return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(r).padStart(2, '0')}`;
}

const cs = (seconds: number): number => Math.round(seconds * 100);

/** Layout of captions and terminal panel for one output: safe zones per aspect. */
export function captionLayout(aspect: OutputAspect, width: number, height: number, baseFontSize = 64): CaptionLayout {
	const scale = Math.min(width, height) / 1080;
	let fontSize = Math.max(8, Math.round(baseFontSize * scale * (aspect === '16:9' ? 0.85 : 1)));
	// Safe zones: 9:16 platforms (TikTok, Reels, Shorts) cover the bottom ~20 % with captions, buttons
	// and the account line, and the right edge with buttons: captions sit above that, inset on both sides.
	const m =
		aspect === '9:16'
			? { marginL: 0.1, marginR: 0.1, marginV: 0.24, top: 0.12, side: 0.07 }
			: aspect === '1:1'
				? { marginL: 0.08, marginR: 0.08, marginV: 0.1, top: 0.08, side: 0.07 }
				: { marginL: 0.12, marginR: 0.12, marginV: 0.08, top: 0.08, side: 0.05 };
	const marginL = Math.round(width * m.marginL);
	const marginR = Math.round(width * m.marginR);
	const usable = width - marginL - marginR;
	// A bold sans averages ~0.58 em per character; lines over ~32 characters read badly anyway.
	let maxCharsPerLine = Math.floor(usable / (0.58 * fontSize));
	if (maxCharsPerLine < 8) {
		fontSize = Math.max(8, Math.floor(usable / (0.58 * 8)));
		maxCharsPerLine = 8;
	}
	maxCharsPerLine = Math.min(32, maxCharsPerLine);
	const termFont = Math.max(8, Math.round(fontSize * 0.6));
	const termX = Math.round(width * m.side);
	const termWidth = aspect === '16:9' ? Math.round(width * 0.55) : width - 2 * termX;
	return {
		playResX: width,
		playResY: height,
		alignment: 2,
		marginL,
		marginR,
		marginV: Math.round(height * m.marginV),
		fontSize,
		outline: Math.max(1, Math.round(fontSize * 0.07)),
		shadow: Math.max(0, Math.round(fontSize * 0.03)),
		maxCharsPerLine,
		maxLines: 2,
		terminal: {
			x: termX,
			y: Math.round(height * m.top),
			fontSize: termFont,
			// DejaVu Sans Mono advances 0.602 em; keep a character of padding on each side.
			maxChars: Math.max(8, Math.floor(termWidth / (0.602 * termFont)) - 2),
			maxLines: 6,
		},
	};
}

function cleanWord(w: string): string {
	return w.replace(/\s+/g, ' ').trim();
}

/** Splits words into lines of at most maxChars (balanced: the break that evens out the two lines). */
function balanceLines(words: WordTiming[], maxChars: number, maxLines: number): WordTiming[][] | null {
	const len = (ws: WordTiming[]): number => ws.reduce((n, w, i) => n + w.word.length + (i ? 1 : 0), 0);
	if (len(words) <= maxChars) return [words];
	if (maxLines < 2) return null;
	let best: WordTiming[][] | null = null;
	let bestScore = Infinity;
	for (let k = 1; k < words.length; k++) {
		const a = words.slice(0, k);
		const b = words.slice(k);
		if (len(a) > maxChars || len(b) > maxChars) continue;
		const score = Math.abs(len(a) - len(b));
		if (score < bestScore) {
			bestScore = score;
			best = [a, b];
		}
	}
	return best;
}

/** Words a caption cut mid-phrase should not end on: articles, short prepositions and conjunctions, possessives. */
const WEAK_END = /^(?:the|a|an|of|to|in|on|at|for|with|from|by|and|or|but|my|your|our|its|their|his|her)$/i;

/**
 * Groups timed words into caption cues of at most `maxLines` lines of `maxChars`: a cue ends at a
 * pause longer than `pauseSeconds`, after a sentence end, or when the next word does not fit (then
 * not on an article or the like, which moves to the next cue). A word longer than a line gets a
 * cue of its own (libass wraps it).
 */
export function groupWords(
	input: readonly WordTiming[],
	opts: { maxChars: number; maxLines?: number; pauseSeconds?: number; maxCueSeconds?: number },
): CaptionCue[] {
	const maxLines = opts.maxLines ?? 2;
	const pause = opts.pauseSeconds ?? 0.5;
	const maxCue = opts.maxCueSeconds ?? 4;
	const words = input.map((w) => ({ ...w, word: cleanWord(w.word) })).filter((w) => w.word !== '');
	const cues: CaptionCue[] = [];
	let current: WordTiming[] = [];
	const flush = (): void => {
		if (!current.length) return;
		const lines = balanceLines(current, opts.maxChars, maxLines) ?? [current];
		cues.push({ start: current[0].start, end: current[current.length - 1].end, lines });
		current = [];
	};
	for (const w of words) {
		if (current.length) {
			const prev = current[current.length - 1];
			const sentenceEnd = /[.!?…]["')\]]*$/.test(prev.word);
			const tooLong = w.end - current[0].start > maxCue;
			if (w.start - prev.end > pause || sentenceEnd) flush();
			else if (tooLong || !balanceLines([...current, w], opts.maxChars, maxLines)) {
				// A cue cut mid-phrase does not end on "the", "a", "of"…: those words open the next
				// cue with the word they belong to ("…like this: / the Cloudline, a light…").
				let keep = current.length;
				while (keep > 1 && WEAK_END.test(current[keep - 1].word)) keep--;
				const carry = current.slice(keep);
				current = current.slice(0, keep);
				flush();
				current = carry;
			}
		}
		current.push(w);
	}
	flush();
	// Hold each cue a little after its last word, never into the next cue.
	for (let i = 0; i < cues.length; i++) {
		const next = cues[i + 1];
		const held = cues[i].end + 0.4;
		cues[i].end = next ? Math.max(cues[i].end, Math.min(held, next.start)) : held;
	}
	return cues;
}

interface Event {
	layer: number;
	start: number; // centiseconds
	end: number;
	style: string;
	text: string;
}

function captionEvents(cues: CaptionCue[], style: NormalizedCaptionStyle, totalCs: number): Event[] {
	const events: Event[] = [];
	const hi = assTagColour(style.highlightColour);
	for (const cue of cues) {
		const cueStart = cs(cue.start);
		const cueEnd = Math.min(totalCs, Math.max(cs(cue.end), cueStart + 1));
		if (cueStart >= totalCs) break;
		const flat = cue.lines.flat();
		if (style.mode === 'karaoke') {
			// \k: each word switches from SecondaryColour (primary) to PrimaryColour (highlight) at its start.
			let text = '';
			let at = cueStart;
			cue.lines.forEach((line, li) => {
				line.forEach((w, wi) => {
					const idx = flat.indexOf(w);
					const next = flat[idx + 1];
					const until = next ? cs(next.start) : cueEnd;
					const k = Math.max(0, until - at);
					at += k;
					const sep = wi < line.length - 1 ? ' ' : li < cue.lines.length - 1 ? '\\N' : '';
					text += `{\\k${k}}${escapeAssText(w.word)}${sep}`;
				});
			});
			events.push({ layer: 0, start: cueStart, end: cueEnd, style: 'Caption', text });
			continue;
		}
		// Per-word highlight: one event per word, back to back, only the spoken word coloured.
		flat.forEach((w, idx) => {
			const start = idx === 0 ? cueStart : cs(w.start);
			const next = flat[idx + 1];
			const end = next ? cs(next.start) : cueEnd;
			if (end <= start || start >= totalCs) return;
			const text = cue.lines
				.map((line) =>
					line.map((x) => (x === w ? `{\\c${hi}}${escapeAssText(x.word)}{\\r}` : escapeAssText(x.word))).join(' '),
				)
				.join('\\N');
			events.push({ layer: 0, start, end: Math.min(end, totalCs), style: 'Caption', text });
		});
	}
	return events;
}

/** Wraps monospace text into lines of at most maxChars, breaking at spaces (hard-breaking long words). */
export function wrapMonospace(text: string, maxChars: number, maxLines: number): string[] {
	const words = text.replace(/\s+/g, ' ').trim().split(' ');
	const lines: string[] = [];
	let line = '';
	for (let w of words) {
		while (w.length > maxChars) {
			if (line) {
				lines.push(line);
				line = '';
			}
			lines.push(w.slice(0, maxChars));
			w = w.slice(maxChars);
		}
		if (!line) line = w;
		else if (line.length + 1 + w.length <= maxChars) line += ` ${w}`;
		else {
			lines.push(line);
			line = w;
		}
	}
	if (line) lines.push(line);
	return lines.slice(0, maxLines);
}

function terminalEvents(term: NonNullable<NormalizedTimeline['terminal']>, layout: CaptionLayout, totalCs: number): Event[] {
	const typing = term.effects.includes('typing');
	const cursor = term.effects.includes('cursor');
	if (!typing && !cursor) return [];
	const L = layout.terminal;
	const prompt = '> ';
	const lines = wrapMonospace(prompt + term.text, L.maxChars, L.maxLines);
	// Code points, not UTF-16 units: typing never splits a surrogate pair.
	const full = Array.from(lines.join('\n'));
	const start = cs(term.startSeconds);
	const end = Math.min(totalCs, cs(term.endSeconds));
	if (end <= start) return [];
	const lineHeight = Math.round(L.fontSize * 1.25);
	const pad = Math.round(L.fontSize * 0.5);
	const panelW = Math.round((L.maxChars + 2) * 0.602 * L.fontSize);
	const panelH = Math.max(1, lines.length) * lineHeight + 2 * pad;
	const events: Event[] = [
		{
			layer: 0,
			start,
			end,
			style: 'Terminal',
			text: `{\\an7\\pos(${L.x},${L.y})\\bord0\\shad0\\1c&H000000&\\1a&H38&\\p1}m 0 0 l ${panelW} 0 ${panelW} ${panelH} 0 ${panelH}{\\p0}`,
		},
	];
	const pos = `{\\an7\\pos(${L.x + pad},${L.y + pad})}`;
	// The visible prefix of the laid-out text; `\N` for the line breaks, everything else escaped.
	const render = (n: number, withCursor: boolean | 'hidden'): string => {
		const shown = full.slice(0, n).join('').split('\n').map(escapeAssText).join('\\N');
		const c = withCursor === 'hidden' ? `{\\alpha&HFF&}${CURSOR}` : withCursor ? CURSOR : '';
		return pos + shown + c;
	};
	let t = start;
	if (typing) {
		// One event per typed character (prompt shown at once), with the cursor riding along.
		const first = prompt.length;
		for (let n = first; n <= full.length && t < end; n++) {
			const next = n === full.length ? t : Math.min(end, start + cs((n - first + 1) / TYPING_CPS));
			if (next > t) events.push({ layer: 1, start: t, end: next, style: 'Terminal', text: render(n, cursor) });
			t = Math.max(t, next);
		}
	}
	if (cursor) {
		const half = cs(BLINK_SECONDS);
		let on = false;
		for (; t < end; t += half) {
			on = !on;
			events.push({ layer: 1, start: t, end: Math.min(end, t + half), style: 'Terminal', text: render(full.length, on ? true : 'hidden') });
		}
	} else if (t < end) {
		events.push({ layer: 1, start: t, end, style: 'Terminal', text: render(full.length, false) });
	}
	return events;
}

type NormalizedCaptionStyle = Required<Omit<CaptionStyle, 'fontFile'>> & { fontFile?: string };

export interface AssInput {
	aspect: OutputAspect;
	width: number;
	height: number;
	totalSeconds: number;
	captions?: NormalizedTimeline['captions'];
	terminal?: NormalizedTimeline['terminal'];
}

/** The ASS document for one output, or null when there is nothing to draw. */
export function buildAss(input: AssInput): string | null {
	const style = input.captions?.style;
	const layout = captionLayout(input.aspect, input.width, input.height, style?.fontSize ?? 64);
	const totalCs = cs(input.totalSeconds);
	const events: Event[] = [];
	if (input.captions && style) {
		const cues = groupWords(input.captions.words, { maxChars: layout.maxCharsPerLine, maxLines: layout.maxLines });
		events.push(...captionEvents(cues, style, totalCs));
	}
	if (input.terminal) events.push(...terminalEvents(input.terminal, layout, totalCs));
	if (!events.length) return null;

	const capFont = style?.fontName ?? 'DejaVu Sans';
	// karaoke: \k fills from Secondary (not yet spoken) to Primary (spoken); highlight: Primary is the text colour.
	const karaoke = style?.mode === 'karaoke';
	const primary = style ? (karaoke ? style.highlightColour : style.primaryColour) : '#FFFFFF';
	const secondary = style ? (karaoke ? style.primaryColour : style.highlightColour) : '#FFFF00';
	const outline = style?.outlineColour ?? '#000000';
	const termColour = input.terminal?.colour ?? '#33FF66';
	const styleFormat =
		'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';
	const L = layout;
	const lines = [
		'[Script Info]',
		'; Generated by n8n-nodes-brand-infinity (lib/media/captions.ts)',
		'ScriptType: v4.00+',
		`PlayResX: ${L.playResX}`,
		`PlayResY: ${L.playResY}`,
		'WrapStyle: 0',
		'ScaledBorderAndShadow: yes',
		'',
		'[V4+ Styles]',
		styleFormat,
		`Style: Caption,${capFont},${L.fontSize},${assColour(primary)},${assColour(secondary)},${assColour(outline)},&H80000000,-1,0,0,0,100,100,0,0,1,${L.outline},${L.shadow},${L.alignment},${L.marginL},${L.marginR},${L.marginV},1`,
		`Style: Terminal,DejaVu Sans Mono,${L.terminal.fontSize},${assColour(termColour)},${assColour(termColour)},&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,1`,
		'',
		'[Events]',
		'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
		...events
			.sort((a, b) => a.start - b.start || a.layer - b.layer)
			.map((e) => `Dialogue: ${e.layer},${assTime(e.start)},${assTime(e.end)},${e.style},,0,0,0,,${e.text}`),
		'',
	];
	return lines.join('\n');
}
