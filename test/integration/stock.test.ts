/**
 * Pexels and Pixabay adapters against their loopback fakes, and stock in the scene planner on
 * PGlite: search and download protocol, a rate limit, a missing result, results cached by query,
 * attribution and licence on the ingested asset, no stock item twice in one video; the fakes'
 * footage is real HD video that moves.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';

import type { ICredentialType } from 'n8n-workflow';

import { BrandInfinityPexelsApi } from '../../credentials/BrandInfinityPexelsApi.credentials';
import { BrandInfinityPixabayApi } from '../../credentials/BrandInfinityPixabayApi.credentials';
import { ingestMedia } from '../../lib/library/ingest';
import { planSceneSources, stockQuery } from '../../lib/library/sources';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { PexelsStockProvider } from '../../lib/providers/stock/pexels';
import { PixabayStockProvider } from '../../lib/providers/stock/pixabay';
import { createStockProvider } from '../../lib/providers/stock/registry';
import { ProviderError } from '../../lib/providers/types';
import { runTool, probeMedia } from '../../lib/media/probe';
import { startPexelsFake, type PexelsFake } from '../fakes/pexels';
import { startPixabayFake, type PixabayFake } from '../fakes/pixabay';
import { DEFAULT_STOCK, stockFile } from '../fakes/stock-media';
import { productPhoto } from '../helpers/media-fixtures';
import { tempStore } from '../helpers/store';

const PEXELS_KEY = `px-${randomBytes(10).toString('hex')}`;
const PIXABAY_KEY = `${randomBytes(8).toString('hex')}-pb`;
let t: Awaited<ReturnType<typeof tempStore>>;
let pexels: PexelsFake;
let pixabay: PixabayFake;
const embedder = new LocalEmbeddingProvider();

beforeAll(async () => {
	t = await tempStore();
	pexels = await startPexelsFake({ apiKey: PEXELS_KEY });
	pixabay = await startPixabayFake({ apiKey: PIXABAY_KEY });
}, 180_000); // the fakes render their footage once (cached in the OS temp dir): a few seconds a clip when cold
afterAll(async () => {
	await pexels.close();
	await pixabay.close();
	await t.close();
});

const px = () => new PexelsStockProvider({ apiKey: PEXELS_KEY, baseUrl: pexels.baseUrl });
const pb = () => new PixabayStockProvider({ apiKey: PIXABAY_KEY, baseUrl: pixabay.baseUrl });

test('Pexels: video and photo search with the key in Authorization, normalised results, the remaining rate limit', async () => {
	const p = px();
	const videos = await p.search('city running', { kind: 'video', orientation: 'portrait', perPage: 5 });
	const req = pexels.searches().at(-1)!;
	expect(req.headers.authorization).toBe(PEXELS_KEY);
	expect(req.path).toMatch(/^\/videos\/search\?/);
	expect(new URL(req.path, 'http://x').searchParams.get('orientation')).toBe('portrait');
	expect(videos.map((v) => v.id)).toEqual(['1001', '1003', '1004']);
	expect(videos[0]).toMatchObject({ provider: 'pexels', kind: 'video', width: 720, height: 1280, duration_seconds: 4, description: 'runner on a city street', attribution: 'Video by Ana Lopez on Pexels (https://www.pexels.com/video/runner-on-a-city-street-1001/)', attribution_required: false });
	expect(videos[0].download_url).toMatch(/\.mp4\?/); // the mp4 rendition, not the webm one
	expect(videos[0].licence).toMatch(/Pexels License/);
	expect(p.remaining).toBeGreaterThan(0);
	const photos = await p.search('shoe', { kind: 'photo', orientation: 'portrait' });
	expect(pexels.searches().at(-1)!.path).toMatch(/^\/v1\/search\?/);
	expect(photos).toHaveLength(1);
	expect(photos[0]).toMatchObject({ id: '2001', kind: 'photo', attribution: expect.stringContaining('Photo by Eve Martin on Pexels') });
	// Pagination: per_page 1 gives one item and a next page.
	expect(await p.search('running', { kind: 'video', perPage: 1, page: 2 })).toHaveLength(1);
});

test('Pixabay: key in the query string, tags as words, vertical renditions for a vertical video; a wrong key is named without the key', async () => {
	const videos = await pb().search('trail', { kind: 'video', orientation: 'portrait' });
	const req = pixabay.searches().at(-1)!;
	expect(req.path).toMatch(/^\/api\/videos\/\?/);
	expect(new URL(req.path, 'http://x').searchParams.get('key')).toBe(PIXABAY_KEY);
	expect(videos).toHaveLength(1);
	expect(videos[0]).toMatchObject({ id: '6003', kind: 'video', height: 1280, tags: ['trail', 'running', 'mountain', 'forest'], attribution: expect.stringContaining('from Pixabay') });
	const photos = await pb().search('skyline', { kind: 'photo', orientation: 'landscape' });
	expect(new URL(pixabay.searches().at(-1)!.path, 'http://x').searchParams.get('orientation')).toBe('horizontal');
	expect(photos.map((p) => p.id)).toEqual(['7002']);
	const bad = await new PixabayStockProvider({ apiKey: 'wrong-key-123', baseUrl: pixabay.baseUrl }).search('trail', { kind: 'video' }).catch((e: unknown) => e);
	expect(bad).toBeInstanceOf(ProviderError);
	expect((bad as ProviderError).status).toBe(400);
	expect((bad as ProviderError).message).toMatch(/Invalid or missing API key/);
	expect((bad as ProviderError).message).not.toContain('wrong-key-123');
	expect(() => createStockProvider({ provider: 'pexels' })).toThrow(/apiKey/);
});

test('a missing result is an empty list; a rate limit is a 429 ProviderError with the reset time from the headers', async () => {
	expect(await px().search('underwater volcano', { kind: 'video' })).toEqual([]);
	expect(await pb().search('underwater volcano', { kind: 'photo' })).toEqual([]);
	const pexelsLimited = await startPexelsFake({ apiKey: PEXELS_KEY, requestLimit: 1, media: pexels.media });
	const pixabayLimited = await startPixabayFake({ apiKey: PIXABAY_KEY, requestLimit: 1, media: pixabay.media });
	try {
		const a = new PexelsStockProvider({ apiKey: PEXELS_KEY, baseUrl: pexelsLimited.baseUrl });
		await a.search('city', { kind: 'video' });
		expect(a.remaining).toBe(0);
		const err = (await a.search('city', { kind: 'video' }).catch((e: unknown) => e)) as ProviderError;
		expect(err).toBeInstanceOf(ProviderError);
		expect(err).toMatchObject({ status: 429, outcomeKnown: true });
		expect(err.retryAfterSeconds).toBeGreaterThan(3500); // X-Ratelimit-Reset is a UNIX time an hour ahead
		const b = new PixabayStockProvider({ apiKey: PIXABAY_KEY, baseUrl: pixabayLimited.baseUrl });
		await b.search('city', { kind: 'photo' });
		const err2 = (await b.search('city', { kind: 'photo' }).catch((e: unknown) => e)) as ProviderError;
		expect(err2).toMatchObject({ status: 429, retryAfterSeconds: 60 });
		expect(err2.message).toMatch(/rate limited/);
	} finally {
		await pexelsLimited.close();
		await pixabayLimited.close();
	}
});

test('the planner: stock for scenes the library cannot make, cached by query, ingested with licence and attribution, never twice in a video', async () => {
	const brand = await t.store.createBrand({ brand_name: 'Stride stock', color_palette: ['#0A2540', '#FF6B00'] });
	const brandId = brand.brand_id as string;
	const mediaDir = join(t.dir, 'media-stock');
	const scenes = [
		{ sequence: 1, visual_prompt: 'A runner on a city street at night', voiceover_text: 'Own the night.', duration_seconds: 4 },
		{ sequence: 2, visual_prompt: 'City running at night, wide shot', voiceover_text: 'Every street.', duration_seconds: 4 },
		{ sequence: 3, visual_prompt: 'An underwater volcano erupting', voiceover_text: 'Nothing like it.', duration_seconds: 4 },
	];
	expect(stockQuery(scenes[0].visual_prompt)).toBe('runner city street night');
	const deps = { store: t.store, embedder, mediaDir, stock: [px(), pb()], allowPrivateNetwork: true };
	const before = pexels.searches().length;
	const plans = await planSceneSources(deps, { brandId, scenes, palette: ['#0A2540'], aspect: '9:16', library: true });
	expect([...plans[0].fitting]).toEqual(['pexels']);
	expect([...plans[1].fitting]).toEqual(['pexels']);
	const [a, b] = [plans[0].stock.pexels, plans[1].stock.pexels];
	expect(a).toMatchObject({ type: 'stock', kind: 'video', origin: 'pexels', attribution_required: false, licence: expect.stringMatching(/Pexels License/) });
	expect(a.stock_id).not.toBe(b.stock_id); // no stock item twice in one video
	expect(a.media_id).not.toBe(b.media_id);
	// Nothing anywhere for the volcano: no stock, a reason, typography remains.
	expect(plans[2].fitting.size).toBe(0);
	expect(plans[2].warnings.join(' ')).toMatch(/pexels: nothing found.*pixabay: nothing found/);
	expect(plans[2].typography).toMatchObject({ type: 'typography', text: 'Nothing like it.' });
	const row = await t.store.getBrandMedia(a.media_id!);
	expect(row).toMatchObject({ origin: 'pexels', external_id: `pexels:${a.stock_id!.split(':')[1]}`, attribution: expect.stringContaining('on Pexels'), source_url: expect.stringContaining('pexels.com/video/') });
	// Same scenes again: every search answered from the store's cache, no request to Pexels.
	const calls = pexels.searches().length;
	expect(calls).toBeGreaterThan(before);
	const again = await planSceneSources(deps, { brandId, scenes: scenes.slice(2), palette: [], aspect: '9:16', library: false });
	expect(again[0].fitting.size).toBe(0);
	expect(pexels.searches().length).toBe(calls);
	// A rate limit sends the scene on (a warning), it does not fail the plan.
	const limited = await startPexelsFake({ apiKey: PEXELS_KEY, requestLimit: 0, media: pexels.media });
	try {
		const p = await planSceneSources(
			{ ...deps, stock: [new PexelsStockProvider({ apiKey: PEXELS_KEY, baseUrl: limited.baseUrl })] },
			{ brandId, scenes: [{ sequence: 1, visual_prompt: 'Sunrise bridge', voiceover_text: 'Go.', duration_seconds: 4 }], palette: [], aspect: '16:9', library: false },
		);
		expect(p[0].fitting.size).toBe(0);
		expect(p[0].warnings[0]).toMatch(/^pexels: rate limited \(retry after \d+ s\)/);
	} finally {
		await limited.close();
	}
}, 120_000);

test('the planner never repeats an asset in a video: when every fitting one is used and stock has nothing, the scene is typography', async () => {
	const brand = await t.store.createBrand({ brand_name: 'One photo', color_palette: ['#0A2540'] });
	const brandId = brand.brand_id as string;
	const mediaDir = join(t.dir, 'media-one');
	const photo = await productPhoto(join(t.dir, 'trail-shoe.jpg'));
	await ingestMedia({ store: t.store, embedder, mediaDir }, { brandId, files: [{ path: photo, kind: 'image', tags: ['shoe', 'trail'], description: 'A trail running shoe on wet rock', licence: 'CC0-1.0' }] });
	const scenes = [
		{ sequence: 1, visual_prompt: 'A trail running shoe on wet rock', voiceover_text: 'Grip.', duration_seconds: 4 },
		{ sequence: 2, visual_prompt: 'The trail running shoe on wet rock, close-up', voiceover_text: 'More grip.', duration_seconds: 4 },
	];
	const plans = await planSceneSources({ store: t.store, embedder, mediaDir, stock: [], allowPrivateNetwork: true }, { brandId, scenes, palette: ['#0A2540'], aspect: '9:16', library: true });
	expect([...plans[0].fitting]).toEqual(['library']);
	expect(plans[1].fitting.size).toBe(0);
	expect(plans[1].library).toBeUndefined();
	expect(plans[1].warnings).toEqual(['library: every fitting asset is used already in this video; the scene becomes kinetic typography']);
	expect(plans[1].typography).toMatchObject({ type: 'typography', text: 'More grip.' });
}, 120_000);

/** A frame of a clip at `at` seconds as 48×48 grey pixels (for comparing pictures, not bytes). */
async function greyFrame(file: string, at: number): Promise<Buffer> {
	const out = join(t.dir, `frame-${randomBytes(4).toString('hex')}.png`);
	await runTool('ffmpeg', ['-v', 'error', '-y', '-ss', at.toFixed(2), '-i', file, '-frames:v', '1', out]);
	return sharp(out).resize(48, 48, { fit: 'fill' }).greyscale().raw().toBuffer();
}
const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;

test('the fakes serve HD footage of what the tags say: the advertised size, moving (parallax, runners), a different shot per id, photos as JPEGs', async () => {
	const [night, bridge] = [DEFAULT_STOCK[0], DEFAULT_STOCK[1]];
	const a = await stockFile(night);
	const info = await probeMedia(a);
	expect(info).toMatchObject({ videoCodec: 'h264', width: 720, height: 1280, pixelFormat: 'yuv420p' });
	expect(info.durationSeconds).toBeCloseTo(4, 1);
	expect(info.frameRate).toBe(25);
	expect((await probeMedia(await stockFile(bridge))).width).toBe(1280);
	// It moves: the start and the end of the shot are different pictures, and consecutive frames are close.
	const [start, next, end] = [await greyFrame(a, 0.2), await greyFrame(a, 0.24), await greyFrame(a, 3.8)];
	expect(meanDiff(start, end)).toBeGreaterThan(4 * meanDiff(start, next));
	// A night street is dark; a park in daylight is bright.
	const park = await greyFrame(await stockFile(DEFAULT_STOCK[3]), 2);
	expect(park.reduce((n, v) => n + v, 0) / park.length).toBeGreaterThan(2 * (start.reduce((n, v) => n + v, 0) / start.length));
	// Pixabay's copy of the same scene (id + 5000) is another shot of it, not the same bytes.
	const other = await stockFile({ ...night, id: night.id + 5000 });
	expect(readFileSync(other).equals(readFileSync(a))).toBe(false);
	expect(meanDiff(await greyFrame(other, 2), await greyFrame(a, 2))).toBeGreaterThan(2);
	const photo = await sharp(await stockFile(DEFAULT_STOCK[4])).metadata();
	expect(photo).toMatchObject({ format: 'jpeg', width: 1200, height: 1600 });
}, 120_000);

/** A credential's Test request the way n8n builds it: `authenticate` headers and query, `test.request`, `={{$credentials.x}}` resolved. */
async function credentialTest(cred: ICredentialType, data: Record<string, string>): Promise<number> {
	const values = { ...Object.fromEntries(cred.properties.map((p) => [p.name, String(p.default ?? '')])), ...data };
	const resolve = (v: unknown) => String(v).replace(/^=/, '').replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, k: string) => values[k] ?? '');
	const req = cred.test!.request;
	const url = new URL(`${resolve(req.baseURL).replace(/\/+$/, '')}${resolve(req.url)}`);
	const auth = (cred.authenticate as { properties: { headers?: Record<string, string>; qs?: Record<string, string> } }).properties;
	for (const [k, v] of Object.entries({ ...(req.qs ?? {}), ...(auth.qs ?? {}) })) url.searchParams.set(k, resolve(v));
	const headers = Object.fromEntries(Object.entries(auth.headers ?? {}).map(([k, v]) => [k, resolve(v)]));
	const res = await fetch(url, { headers });
	await res.text();
	return res.status;
}

test("the Pexels and Pixabay credentials' Test requests pass with the right key and fail with a wrong one", async () => {
	expect(await credentialTest(new BrandInfinityPexelsApi(), { apiKey: PEXELS_KEY, baseUrl: pexels.baseUrl })).toBe(200);
	expect(await credentialTest(new BrandInfinityPexelsApi(), { apiKey: 'nope', baseUrl: pexels.baseUrl })).toBe(401);
	expect(await credentialTest(new BrandInfinityPixabayApi(), { apiKey: PIXABAY_KEY, baseUrl: pixabay.baseUrl })).toBe(200);
	expect(await credentialTest(new BrandInfinityPixabayApi(), { apiKey: 'nope', baseUrl: pixabay.baseUrl })).toBe(400);
});

test('the same footage under another provider or id is the same asset: not used twice in a video', async () => {
	const item = { id: 4242, kind: 'video' as const, tags: ['harbour', 'running'], width: 360, height: 640, seconds: 4, author: 'Gus Lee', slug: 'harbour-run' };
	const a = await startPexelsFake({ apiKey: PEXELS_KEY, items: [item], media: pexels.media });
	const b = await startPixabayFake({ apiKey: PIXABAY_KEY, items: [item], media: pixabay.media });
	try {
		const brand = await t.store.createBrand({ brand_name: 'Stride harbour' });
		const stock = [new PexelsStockProvider({ apiKey: PEXELS_KEY, baseUrl: a.baseUrl }), new PixabayStockProvider({ apiKey: PIXABAY_KEY, baseUrl: b.baseUrl })];
		const scenes = [1, 2].map((sequence) => ({ sequence, visual_prompt: 'Harbour running at dawn', voiceover_text: 'Go.', duration_seconds: 4 }));
		const plans = await planSceneSources({ store: t.store, embedder, mediaDir: join(t.dir, 'media-harbour'), stock, allowPrivateNetwork: true }, { brandId: brand.brand_id as string, scenes, palette: [], aspect: '9:16', library: false });
		expect([...plans[0].fitting]).toEqual(['pexels']);
		expect(plans[1].fitting.size).toBe(0);
		expect(plans[1].warnings).toEqual(['pexels: nothing new found for "harbour running dawn"', 'pixabay: nothing new found for "harbour running dawn"']);
	} finally {
		await a.close();
		await b.close();
	}
}, 120_000);
