import { categorize, chunkDocument } from '../../lib/strategy/ingest';

const doc = `# Voice
We speak warmly and plainly, like a friend who knows running.

## Colours
Navy #0A2540 and signal orange #FF6B00. Natural light, cinematic framing.

## Never
Never call the product cheap. Do not promise guaranteed results.

## Company
Founded in 2011 in Porto.`;

describe('chunkDocument', () => {
	test('splits at headings and categorises each section', () => {
		const chunks = chunkDocument(doc);
		expect(chunks.map((c) => [c.heading, c.category])).toEqual([
			['Voice', 'tone'],
			['Colours', 'visual_style'],
			['Never', 'restrictions'],
			['Company', 'other'],
		]);
		expect(chunks[1].content).toBe('Colours: Navy #0A2540 and signal orange #FF6B00. Natural light, cinematic framing.');
	});

	test('long sections become overlapping chunks no longer than the chunk size', () => {
		const sentences = Array.from({ length: 60 }, (_, i) => `Rule number ${i} keeps the brand voice consistent.`).join(' ');
		const chunks = chunkDocument(`# Tone\n${sentences}`, { chunkSize: 300, overlap: 60 });
		expect(chunks.length).toBeGreaterThan(8);
		for (const c of chunks) expect(c.content.length).toBeLessThanOrEqual(300 + 'Tone: '.length);
		for (let i = 1; i < chunks.length; i++) {
			const prevTail = chunks[i - 1].content.slice(-40).split(' ').slice(1).join(' ');
			expect(chunks[i].content).toContain(prevTail.slice(0, 20));
		}
		const all = chunks.map((c) => c.content).join(' ');
		for (let i = 0; i < 60; i++) expect(all).toContain(`Rule number ${i} `);
	});

	test('same text, same hashes; bad options name their field', () => {
		expect(chunkDocument(doc).map((c) => c.content_hash)).toEqual(chunkDocument(doc).map((c) => c.content_hash));
		expect(() => chunkDocument(doc, { chunkSize: 50 })).toThrow(expect.objectContaining({ field: 'chunkSize' }));
		expect(() => chunkDocument(doc, { chunkSize: 400, overlap: 300 })).toThrow(expect.objectContaining({ field: 'overlap' }));
		expect(() => chunkDocument('   ')).toThrow(expect.objectContaining({ field: 'text' }));
	});

	test('categorize falls back to the wording when the heading says nothing', () => {
		expect(categorize('Avoid slang in captions.', 'Notes')).toBe('restrictions');
		expect(categorize('Use the navy palette.', null)).toBe('visual_style');
	});
});
