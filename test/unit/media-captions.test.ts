import { assColour, assTagColour, assTime, buildAss, captionLayout, escapeAssText, groupWords, wrapMonospace } from '../../lib/media/captions';
import { validateTimeline, type CaptionStyle } from '../../lib/media/timeline';
import type { WordTiming } from '../../lib/providers/types';

const style: Required<Omit<CaptionStyle, 'fontFile'>> = {
	fontName: 'DejaVu Sans',
	primaryColour: '#FFFFFF',
	highlightColour: '#FFD400',
	outlineColour: '#102030',
	fontSize: 64,
	mode: 'highlight',
};

function timed(text: string, start = 0, step = 0.3): WordTiming[] {
	return text.split(' ').map((word, i) => ({ word, start: start + i * step, end: start + i * step + step * 0.8 }));
}

/** The Text field of every Dialogue line (everything after the 9th comma). */
function dialogueTexts(ass: string): string[] {
	return ass
		.split('\n')
		.filter((l) => l.startsWith('Dialogue:'))
		.map((l) => l.split(',').slice(9).join(','));
}

/** Override blocks that are real (an unescaped `{`). */
function overrideBlocks(text: string): string[] {
	const blocks: string[] = [];
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '\\') {
			i++; // an escape pair: \{ \} \N …
			continue;
		}
		if (text[i] === '{') {
			const end = text.indexOf('}', i);
			blocks.push(text.slice(i, end + 1));
			i = end;
		}
	}
	return blocks;
}

describe('ASS colours and times', () => {
	test('#RRGGBB becomes &HAABBGGRR for styles and &HBBGGRR& for tags', () => {
		expect(assColour('#112233')).toBe('&H00332211');
		expect(assColour('#112233', 255)).toBe('&HFF332211');
		expect(assTagColour('#FFD400')).toBe('&H00D4FF&');
		expect(() => assColour('red')).toThrow(TypeError);
	});

	test('times are H:MM:SS.cc', () => {
		expect(assTime(0)).toBe('0:00:00.00');
		expect(assTime(6123)).toBe('0:01:01.23');
		expect(assTime(360000 + 5)).toBe('1:00:00.05');
	});
});

describe('escapeAssText', () => {
	test('braces become libass literal braces, so no override block can open', () => {
		const e = escapeAssText('{\\pos(0,0)}hi');
		expect(overrideBlocks(e)).toEqual([]);
		expect(e.startsWith('\\{')).toBe(true);
	});

	test('a backslash never forms an escape with the next character (\\N, \\h, \\n)', () => {
		const e = escapeAssText('a\\Nb\\hc\\nd\\');
		expect(e).not.toMatch(/\\[Nnh]/);
		expect(e).toContain('\\\u2060N');
	});

	test('newlines and control characters become spaces: one event stays one line', () => {
		expect(escapeAssText('a\nb\r\nc\u2028d\te')).toBe('a b  c d e');
		expect(escapeAssText('a\nDialogue: 0,0:00:00.00')).not.toContain('\n');
	});

	test('a lone } is escaped too', () => {
		expect(escapeAssText('x}')).toBe('x\\}');
	});
});

describe('caption layout per aspect', () => {
	test('play resolution is the output size; 9:16 keeps clear of the bottom platform UI', () => {
		const v = captionLayout('9:16', 1080, 1920);
		expect([v.playResX, v.playResY]).toEqual([1080, 1920]);
		expect(v.marginV).toBeGreaterThanOrEqual(0.2 * 1920);
		const s = captionLayout('1:1', 1080, 1080);
		expect([s.playResX, s.playResY]).toEqual([1080, 1080]);
		// A 9:16 caption (above 24 % of the height) would sit in the 1:1 crop at a different place: own margins.
		expect(s.marginV).toBeLessThan(v.marginV);
		const h = captionLayout('16:9', 1920, 1080);
		expect(h.maxCharsPerLine).toBeGreaterThan(v.maxCharsPerLine);
	});

	test('characters per line fit the usable width', () => {
		for (const [a, w, hgt] of [['9:16', 1080, 1920], ['1:1', 1080, 1080], ['16:9', 1920, 1080], ['9:16', 320, 568]] as const) {
			const l = captionLayout(a, w, hgt);
			expect(l.maxCharsPerLine * 0.58 * l.fontSize).toBeLessThanOrEqual(w - l.marginL - l.marginR);
		}
	});
});

describe('groupWords', () => {
	test('lines respect maxChars, at most two lines a cue, balanced', () => {
		const words = timed('the quick brown fox jumps over the lazy dog and keeps running far away');
		const cues = groupWords(words, { maxChars: 16 });
		expect(cues.length).toBeGreaterThan(1);
		for (const c of cues) {
			expect(c.lines.length).toBeLessThanOrEqual(2);
			for (const line of c.lines) expect(line.map((w) => w.word).join(' ').length).toBeLessThanOrEqual(16);
		}
		expect(cues.flatMap((c) => c.lines.flat().map((w) => w.word)).join(' ')).toBe(words.map((w) => w.word).join(' '));
	});

	test('a cue cut mid-phrase does not end on an article or a preposition: it opens the next cue', () => {
		// The demo's line, at the 9:16 master's 23 characters a line.
		const words = timed('was made for moments like this: the Cloudline, a light and springy daily trainer.');
		const cues = groupWords(words, { maxChars: captionLayout('9:16', 1080, 1920).maxCharsPerLine });
		const texts = cues.map((c) => c.lines.flat().map((w) => w.word).join(' '));
		expect(texts[0]).toBe('was made for moments like this:');
		expect(texts[1].startsWith('the Cloudline,')).toBe(true);
		for (const t of texts) expect(t).not.toMatch(/\b(the|a|an|of|and)$/);
		expect(texts.join(' ')).toBe(words.map((w) => w.word).join(' '));
	});

	test('breaks on a pause and after a sentence end; cues never overlap', () => {
		const words = [...timed('first part', 0), ...timed('after pause', 2), ...timed('End. Next', 4)];
		const cues = groupWords(words, { maxChars: 40 });
		expect(cues.map((c) => c.lines.flat().map((w) => w.word).join(' '))).toEqual(['first part', 'after pause', 'End.', 'Next']);
		for (let i = 1; i < cues.length; i++) expect(cues[i].start).toBeGreaterThanOrEqual(cues[i - 1].end);
	});
});

describe('buildAss', () => {
	const base = { aspect: '9:16' as const, width: 1080, height: 1920, totalSeconds: 10 };

	test('highlight mode: one event per word, only the spoken word coloured, back to back', () => {
		const ass = buildAss({ ...base, captions: { words: timed('one two three'), style } })!;
		expect(ass).toContain('PlayResX: 1080');
		expect(ass).toContain('PlayResY: 1920');
		const texts = dialogueTexts(ass);
		expect(texts).toHaveLength(3);
		texts.forEach((t, i) => {
			expect(overrideBlocks(t)).toEqual([`{\\c${assTagColour('#FFD400')}}`, '{\\r}']);
			expect(t).toContain(['one', 'two', 'three'][i]);
		});
		const times = ass
			.split('\n')
			.filter((l) => l.startsWith('Dialogue:'))
			.map((l) => l.split(',').slice(1, 3));
		for (let i = 1; i < times.length; i++) expect(times[i][0]).toBe(times[i - 1][1]);
	});

	test('karaoke mode: \\k tags in centiseconds, spoken colour is Primary', () => {
		const ass = buildAss({ ...base, captions: { words: timed('one two three'), style: { ...style, mode: 'karaoke' } } })!;
		const [text] = dialogueTexts(ass);
		// Each word runs to the next word's start; the last one to the cue's end (its end + 0.4 s hold).
		expect(overrideBlocks(text)).toEqual(['{\\k30}', '{\\k30}', '{\\k64}']);
		expect(ass).toMatch(/Style: Caption,DejaVu Sans,64,&H0000D4FF,&H00FFFFFF,&H00302010,/);
	});

	test('injection attempts in words stay text: no extra override blocks, events, styles or lines', () => {
		const evil = ['{\\pos(0,0)}', '\\N', '}', '{\\fnEvil\\c&H0000FF&}', 'x\nDialogue: 0,0:00:00.00,0:00:09.00,Caption,,0,0,0,,owned', '\\{\\}'];
		const words = evil.map((word, i) => ({ word, start: i * 0.5, end: i * 0.5 + 0.4 }));
		const cues = groupWords(words, { maxChars: captionLayout('9:16', 1080, 1920).maxCharsPerLine });
		for (const mode of ['highlight', 'karaoke'] as const) {
			const ass = buildAss({ ...base, captions: { words, style: { ...style, mode } } })!;
			const lines = ass.split('\n');
			expect(lines.filter((l) => l.startsWith('Style:'))).toHaveLength(2);
			const texts = dialogueTexts(ass);
			// One event per word (highlight) or per cue (karaoke): the injected "Dialogue:" made none.
			expect(texts).toHaveLength(mode === 'highlight' ? words.length : cues.length);
			const breaks = mode === 'highlight' ? cues.flatMap((c) => c.lines.flat().map(() => c.lines.length - 1)) : cues.map((c) => c.lines.length - 1);
			texts.forEach((t, i) => {
				// Only our own tags, and only our own line breaks (the injected \N is followed by a word joiner).
				for (const b of overrideBlocks(t)) expect(b).toMatch(/^\{\\(c&H[0-9A-F]{6}&|r|k\d+)\}$/);
				expect((t.match(/\\N/g) ?? []).length).toBe(breaks[i]);
			});
			expect(lines.filter((l) => l.includes('owned')).every((l) => l.startsWith('Dialogue: 0,0:00:02.'))).toBe(true);
		}
	});

	test('caption text with newline never starts a new line in the file', () => {
		const ass = buildAss({ ...base, captions: { words: [{ word: 'a\n[Events]\nDialogue: 0', start: 0, end: 1 }], style } })!;
		expect(ass.split('\n').filter((l) => l === '[Events]')).toHaveLength(1);
	});

	test('terminal: typing reveals the text one character at a time with the cursor, then blinks it', () => {
		const t = validateTimeline({
			scenes: [{ path: 'a.mp4', durationSeconds: 4 }],
			terminal: { effects: ['typing', 'cursor'], text: 'hi {\\pos(0,0)}' },
			outputs: [{ aspect: '9:16', width: 1080, height: 1920, path: 'o.mp4' }],
		});
		const ass = buildAss({ ...base, totalSeconds: 4, terminal: t.terminal })!;
		const texts = dialogueTexts(ass).filter((x) => !x.includes('\\p1'));
		expect(texts.length).toBeGreaterThan('hi {\\pos(0,0)}'.length);
		expect(texts[0]).toContain('> ');
		expect(texts.some((x) => x.includes('{\\alpha&HFF&}\u2588'))).toBe(true);
		for (const x of texts) {
			for (const b of overrideBlocks(x)) expect(b).toMatch(/^\{\\(an7\\pos\(\d+,\d+\)|alpha&HFF&)\}$/);
		}
		// Glitch and static alone are filters, not text.
		const t2 = validateTimeline({
			scenes: [{ path: 'a.mp4', durationSeconds: 4 }],
			terminal: { effects: ['glitch', 'static'] },
			outputs: [{ aspect: '9:16', width: 1080, height: 1920, path: 'o.mp4' }],
		});
		expect(buildAss({ ...base, totalSeconds: 4, terminal: t2.terminal })).toBeNull();
	});

	test('wrapMonospace breaks at spaces and hard-breaks long words', () => {
		expect(wrapMonospace('aaa bbb ccc', 7, 5)).toEqual(['aaa bbb', 'ccc']);
		expect(wrapMonospace('abcdefghij', 4, 5)).toEqual(['abcd', 'efgh', 'ij']);
		expect(wrapMonospace('a b c d e f', 1, 3)).toHaveLength(3);
	});
});
