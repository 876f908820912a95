import { promptWords, tagBonus, wordForm } from '../../lib/library/sources';

describe('tagBonus: the tags a scene prompt names', () => {
	test('singular and plural meet, hyphenated tags count, at most three tags', () => {
		expect(['textures', 'laces', 'shoes', 'stories', 'glass', 'bus'].map(wordForm)).toEqual(['texture', 'lace', 'shoe', 'story', 'glass', 'bus']);
		// The demo's detail scene and its detail photo (tags from examples/stride/media/media.json).
		const words = promptWords('Macro detail shots of Stride Running Co. running shoes: textures, craftsmanship and hands using it. Close-up.');
		expect(tagBonus(['product', 'detail', 'close-up', 'laces', 'midsole', 'texture'], words)).toBeCloseTo(0.24);
		expect(tagBonus(['detail', 'texture'], words)).toBeCloseTo(0.16);
		expect(tagBonus(['flat lay', 'light background'], words)).toBe(0);
		expect(tagBonus('not a list', words)).toBe(0);
		expect(tagBonus([42, 'detail'], words)).toBeCloseTo(0.08);
	});
});
