/** Brand RAG services on PGlite with local providers: ingest (text and PDF), cached queries, the brief gate. */
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { EmbeddingProvider } from '../../lib/providers/types';
import { GuidelineCache, generateBrief, ingestGuidelines, queryGuidelines } from '../../lib/strategy/brand-rag';
import { documentText } from '../../lib/strategy/documents';
import { PineconeVectorStore } from '../../lib/providers/vectors/pinecone';
import { startPineconeFake } from '../fakes/pinecone';
import { tempStore } from '../helpers/store';
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';

// Real PGlite, pdf.js and the Pinecone SDK (loaded on their first call): jest's 5 s default is not a bound
// on them when the machine is busy (tests never time things; speed lives in bench/).
jest.setTimeout(60_000);

let t: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
	t = await tempStore();
}, 60_000);
afterAll(() => t.close());

/** A PDF with one page per entry of `pages` (Helvetica; content streams Flate-compressed when asked, as most writers do). */
function pdf(pages: string[][], compress = false): Buffer {
	const font = 3 + pages.length * 2;
	const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`];
	pages.forEach((lines, i) => {
		const stream = `BT /F1 14 Tf 72 720 Td ${lines.map((l) => `(${l}) Tj 0 -20 Td`).join(' ')} ET`;
		objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`);
		const body = compress ? deflateSync(Buffer.from(stream, 'latin1')).toString('latin1') : stream;
		objects.push(`<< /Length ${body.length}${compress ? ' /Filter /FlateDecode' : ''} >>\nstream\n${body}\nendstream`);
	});
	objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
	let out = '%PDF-1.4\n';
	const offsets: number[] = [];
	objects.forEach((o, i) => {
		offsets.push(out.length);
		out += `${i + 1} 0 obj\n${o}\nendobj\n`;
	});
	const xref = out.length;
	out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
	out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return Buffer.from(out, 'latin1');
}

/** Counts embedding calls, to see the cache at work (wraps the real local embedder). */
class CountingEmbedder implements EmbeddingProvider {
	readonly inner = new LocalEmbeddingProvider();
	readonly name = this.inner.name;
	readonly model = this.inner.model;
	readonly dimensions = this.inner.dimensions;
	calls = 0;
	embed(texts: string[]) {
		this.calls++;
		return this.inner.embed(texts);
	}
}

test('a PDF brand book is ingested as text, replaced on re-ingest, and queries are cached until then', async () => {
	const brand = await t.store.createBrand({ brand_name: 'Stride', tone: 'warm, optimistic', color_palette: ['#0A2540'], restricted_keywords: ['cheap'] });
	const brandId = brand.brand_id as string;
	const text = await documentText(pdf([['Our voice is warm and optimistic.', 'Never call the shoes cheap.']]), 'application/pdf', 'book.pdf');
	expect(text).toBe('Our voice is warm and optimistic.\nNever call the shoes cheap.');
	// Several pages, compressed streams: each page's text, in page order, a blank line between pages.
	const twoPages = await documentText(pdf([['Tone: calm.'], ['Palette: navy.', 'Logo: top left.']], true), '', 'book.pdf');
	expect(twoPages).toBe('Tone: calm.\n\nPalette: navy.\nLogo: top left.');
	await expect(documentText(pdf([[]]), 'application/pdf')).rejects.toMatchObject({ field: 'binaryPropertyName', message: expect.stringMatching(/no extractable text/) });
	await expect(documentText(Buffer.from('%PDF-1.4 not really'), '')).rejects.toMatchObject({ field: 'binaryPropertyName', message: expect.stringMatching(/not a readable PDF/) });

	const embedder = new CountingEmbedder();
	const cache = new GuidelineCache();
	const deps = { store: t.store, embedder, cache, cacheTtlMs: 60_000 };
	const first = await ingestGuidelines(deps, { brandId, documentId: 'book.pdf', text });
	expect(first).toMatchObject({ chunks: 1, replaced_chunks: 0, vector_store: 'pgvector' });

	const q = { brandId, query: 'what is our voice', topK: 3 };
	const a = await queryGuidelines(deps, q);
	const b = await queryGuidelines(deps, q);
	expect([a.cached, b.cached]).toEqual([false, true]);
	expect(a.matches[0].content).toContain('warm and optimistic');
	const callsBefore = embedder.calls;

	await ingestGuidelines(deps, { brandId, documentId: 'book.pdf', text: '# Voice\nWe are calm and precise.' });
	const c = await queryGuidelines(deps, q);
	expect(c.cached).toBe(false);
	expect(embedder.calls).toBe(callsBefore + 2);
	expect(c.matches.map((m) => m.content)).toEqual(['Voice: We are calm and precise.']);
});

test('generateBrief validates before writing, creates the campaign, and stores the brief behind the gate', async () => {
	const brand = await t.store.createBrand({
		brand_name: 'Stride',
		tone: 'warm, optimistic, plain-spoken',
		visual_style: 'cinematic natural light',
		color_palette: ['#0A2540', '#FF6B00'],
		restricted_keywords: ['cheap'],
	});
	const brandId = brand.brand_id as string;
	const deps = { store: t.store, embedder: new LocalEmbeddingProvider(), llm: new LocalLlmProvider(), cache: new GuidelineCache() };
	await ingestGuidelines(deps, {
		brandId,
		documentId: 'voice.md',
		text: '# Voice\nWarm, optimistic and plain-spoken.\n# Look\nNavy #0A2540 and orange #FF6B00, cinematic natural light.',
	});
	const countCampaigns = async () => (await t.store.listCampaigns({ brand_id: brandId })).length;

	await expect(
		generateBrief(deps, { brand_id: brandId, product_category: 'shoes', target_demographic: 'runners', campaign_objective: 'virality', budget_tier: 'standard' }, { createCampaign: true }),
	).rejects.toMatchObject({ field: 'campaign_request.campaign_objective' });
	await expect(
		generateBrief(deps, { brand_id: brandId, product_category: 'shoes', target_demographic: 'runners', campaign_objective: 'awareness', budget_tier: 'standard', budget_limit_usd: '12.3456789' }, { createCampaign: true }),
	).rejects.toMatchObject({ field: 'budget_limit_usd' });
	expect(await countCampaigns()).toBe(0);

	const brief = await generateBrief(
		deps,
		{ brand_id: brandId, product_category: 'running shoes', target_demographic: 'urban runners', campaign_objective: 'awareness', budget_tier: 'standard', budget_limit_usd: '20' },
		{ createCampaign: true, autoApprove: true },
	);
	expect(await countCampaigns()).toBe(1);
	expect(brief).toMatchObject({ approval_status: 'approved', passed_gate: true, llm: { provider: 'local' } });
	expect(Number(brief.brand_alignment_score)).toBeGreaterThanOrEqual(0.85);
	expect((brief.guidelines_used as unknown[]).length).toBeGreaterThan(0);

});

test('with Pinecone, rows stay in the store and vectors go to the brand namespace; re-ingest replaces them', async () => {
	const key = `pc-test-${randomBytes(8).toString('hex')}`;
	const fake = await startPineconeFake({ apiKey: key, indexName: 'brand-guidelines' });
	try {
		const brand = await t.store.createBrand({ brand_name: 'Pine' });
		const brandId = brand.brand_id as string;
		const deps = { store: t.store, embedder: new LocalEmbeddingProvider(), vectors: new PineconeVectorStore({ apiKey: key, indexHost: fake.url }), cache: new GuidelineCache() };
		await ingestGuidelines(deps, { brandId, documentId: 'book.md', text: '# Voice\nWarm and optimistic.\n# Look\nNavy and orange, cinematic.' });
		const first = await queryGuidelines(deps, { brandId, query: 'warm optimistic voice', topK: 5 });
		expect(first.matches[0]).toMatchObject({ content: 'Voice: Warm and optimistic.', category: 'tone' });
		expect(first.matches).toHaveLength(2);
		await ingestGuidelines(deps, { brandId, documentId: 'book.md', text: '# Voice\nCalm and precise.' });
		const second = await queryGuidelines(deps, { brandId, query: 'warm optimistic voice', topK: 5 });
		expect(second.matches.map((m) => m.content)).toEqual(['Voice: Calm and precise.']);
		// The store holds the same rows, without embeddings.
		const rows = await t.transport.session.rows<{ content: string; has_vector: boolean }>(
			'select content, embedding is not null as has_vector from brand_guidelines where brand_id = $1',
			[brandId],
		);
		expect(rows).toEqual([{ content: 'Voice: Calm and precise.', has_vector: false }]);
	} finally {
		await fake.close();
	}
});
