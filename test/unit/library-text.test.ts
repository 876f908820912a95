import { fitLines } from '../../lib/providers/video/library';

describe('fitLines: the words of an end card or a typography scene', () => {
	test('a line that fits keeps its size; a longer one gets smaller instead of cut; only a text too long even at 70 % is cut', () => {
		// The demo's end cards at 720 px wide, 3 lines at most.
		expect(fitLines('Follow Stride Running Co. for more. You deserve it.', 720, 48, 3)).toEqual({ fontSize: 48, lines: ['Follow Stride Running', 'Co. for more. You', 'deserve it.'] });
		const humorous = fitLines('Follow Stride Running Co. for more. Your future self says thanks.', 720, 48, 3);
		expect(humorous.fontSize).toBeLessThan(48);
		expect(humorous.fontSize).toBeGreaterThanOrEqual(34);
		expect(humorous.lines.join(' ')).toBe('Follow Stride Running Co. for more. Your future self says thanks.');
		const long = fitLines('word '.repeat(80).trim(), 720, 48, 3);
		expect(long.fontSize).toBe(34);
		expect(long.lines).toHaveLength(3);
		expect(long.lines[2].endsWith('…')).toBe(true);
	});
});
