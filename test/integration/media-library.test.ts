/** The brand media library on PGlite with real files: ingest, duplicates, bad files, folders and matching. */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readFileSync } from 'node:fs';

import { ingestMedia, ingestMediaFolder, ingestMediaRequest, MediaFileError } from '../../lib/library/ingest';
import { startMediaHost } from '../fakes/media-host';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import type { Store } from '../../lib/store';
import { brandFolder, clipMp4, musicM4a, productPhoto, truncated } from '../helpers/media-fixtures';
import { tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let files: string;
const embedder = new LocalEmbeddingProvider();
beforeAll(async () => {
	t = await tempStore();
	files = mkdtempSync(join(tmpdir(), 'bi-media-'));
}, 60_000);
afterAll(() => t.close());

async function brand(store: Store): Promise<string> {
	return (await store.createBrand({ brand_name: `Stride ${Math.random()}`, color_palette: ['#0A2540', '#FF6B00'] })).brand_id as string;
}

const libraryFiles = (mediaDir: string, brandId: string) => (existsSync(join(mediaDir, 'library', brandId)) ? readdirSync(join(mediaDir, 'library', brandId)) : []);

test('an image and a clip are probed, stored under the media folder, one row each; the same file again is a no-op', async () => {
	const brandId = await brand(t.store);
	const mediaDir = join(t.dir, 'media-a');
	const photo = await productPhoto(join(files, 'red-sneaker.jpg'));
	const clip = await clipMp4(join(files, 'track.mp4'), 3);
	const deps = { store: t.store, embedder, mediaDir };
	const first = await ingestMedia(deps, { brandId, files: [{ path: photo, tags: ['Product', 'shoe'] }, { path: clip, licence: 'CC BY 4.0', attribution: 'Clip by A. Runner', attributionRequired: true }], defaultLicence: 'owned by the brand' });
	expect(first.ingested).toHaveLength(2);
	const [img, vid] = first.ingested;
	expect(img).toMatchObject({ kind: 'image', width: 1600, height: 1000, tags: ['product', 'shoe'], licence: 'owned by the brand', description: 'Red sneaker (image; product, shoe)', duplicate: false });
	expect(img.content_hash).toMatch(/^[0-9a-f]{64}$/);
	expect((img.focus as { x: number }).x).toBeGreaterThan(0.5); // the disc is right of centre
	expect(vid).toMatchObject({ kind: 'video', width: 640, height: 360, attribution: 'Clip by A. Runner', attribution_required: true, licence: 'CC BY 4.0' });
	expect(Number(vid.duration_seconds)).toBeCloseTo(3, 0);
	expect(existsSync(String(img.file_url))).toBe(true);
	expect(String(img.file_url).startsWith(join(mediaDir, 'library', brandId))).toBe(true);

	const again = await ingestMedia(deps, { brandId, files: [{ path: photo, tags: ['other'] }], defaultLicence: 'x' });
	expect(again.ingested).toHaveLength(0);
	expect(again.duplicates[0]).toMatchObject({ media_id: img.media_id, duplicate: true, tags: ['product', 'shoe'] });
	expect(await t.store.listBrandMedia(brandId)).toHaveLength(2);
	expect(libraryFiles(mediaDir, brandId)).toHaveLength(2);
}, 120_000);

test('bad files name the file and nothing of the batch is stored', async () => {
	const brandId = await brand(t.store);
	const mediaDir = join(t.dir, 'media-b');
	const deps = { store: t.store, embedder, mediaDir };
	const good = await productPhoto(join(files, 'good.jpg'));
	const corrupt = truncated(good, join(files, 'broken.jpg'));
	const notMedia = join(files, 'notes.pdf');
	writeFileSync(notMedia, '%PDF-1.4 not a picture');
	const fakeJpeg = join(files, 'text-as.jpg');
	writeFileSync(fakeJpeg, 'hello, I am text');
	const ffv1 = await clipMp4(join(files, 'lossless.mkv'), 1, '160x90', 'ffv1');
	const music = await musicM4a(join(files, 'bed.m4a'), 3);
	const cases: [string, RegExp, string][] = [
		[corrupt, /broken\.jpg: not a readable image/, 'corrupt'],
		[notMedia, /notes\.pdf: "\.pdf" is not an image, video, font or music file/, 'not_media'],
		[fakeJpeg, /text-as\.jpg: not a readable image/, 'corrupt'],
		[ffv1, /lossless\.mkv: video codec "ffv1" is not supported/, 'unsupported_codec'],
	];
	for (const [bad, message, problem] of cases) {
		const err = await ingestMedia(deps, { brandId, files: [{ path: good }, { path: music }, { path: bad }], defaultLicence: 'owned' }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(MediaFileError);
		expect((err as MediaFileError).message).toMatch(message);
		expect((err as MediaFileError).problem).toBe(problem);
	}
	const tooBig = await ingestMedia(deps, { brandId, files: [{ path: good }], defaultLicence: 'owned', maxBytes: 1000 }).catch((e: unknown) => e);
	expect((tooBig as MediaFileError).message).toMatch(/good\.jpg: \d+ bytes is over the limit of 1000 bytes/);
	const noLicence = await ingestMedia(deps, { brandId, files: [{ path: good }] }).catch((e: unknown) => e);
	expect((noLicence as MediaFileError).message).toMatch(/good\.jpg: no licence/);
	expect(await t.store.listBrandMedia(brandId)).toHaveLength(0);
	expect(libraryFiles(mediaDir, brandId)).toHaveLength(0);
}, 120_000);

test('a folder with media.json: listed files with their entries, the rest with defaults; LICENSE and the manifest are skipped', async () => {
	const brandId = await brand(t.store);
	const dir = await brandFolder(join(files, 'brand'));
	await musicM4a(join(dir, 'extra-drums.m4a'), 2);
	const out = await ingestMediaFolder({ store: t.store, embedder, mediaDir: join(t.dir, 'media-c') }, { brandId, folder: dir });
	const byName = Object.fromEntries(out.ingested.map((m) => [m.file_name, m]));
	expect(Object.keys(byName).sort()).toEqual(['brand-font.ttf', 'city-runner.jpg', 'extra-drums.m4a', 'music-bed.m4a', 'park-loop.mp4', 'stride-logo.png', 'trail-shoe.jpg']);
	expect(byName['trail-shoe.jpg']).toMatchObject({ kind: 'image', description: 'The Stride trail running shoe on wet rock, product shot', licence: 'CC0-1.0 (made by the test suite)' });
	expect(byName['stride-logo.png'].kind).toBe('logo');
	expect(byName['brand-font.ttf'].kind).toBe('font');
	expect(byName['music-bed.m4a']).toMatchObject({ kind: 'music', tags: ['bed', 'music'] });
	expect(byName['extra-drums.m4a'].description).toBe('Extra drums (music; extra, drums)');
	// Matching by embedding: the shoe prompt finds the shoe photo first.
	const [q] = (await embedder.embed(['Close-up of the trail shoe on wet rock'])).vectors;
	const matches = await t.store.matchBrandMedia(brandId, q, ['image', 'video'], 5);
	expect(matches[0].media_id).toBe(byName['trail-shoe.jpg'].media_id);
	expect(matches.every((m) => m.kind === 'image' || m.kind === 'video')).toBe(true);
	// A second ingest of the folder is a no-op.
	const again = await ingestMediaFolder({ store: t.store, embedder, mediaDir: join(t.dir, 'media-c') }, { brandId, folder: dir });
	expect(again.ingested).toHaveLength(0);
	expect(again.duplicates).toHaveLength(7);
	// A manifest with a field it does not know (e.g. "media" for "files") is refused by name, nothing stored.
	const typo = await brandFolder(join(files, 'typo'));
	writeFileSync(join(typo, 'media.json'), JSON.stringify({ media: [{ file: 'trail-shoe.jpg', kind: 'image', licence: 'CC0-1.0' }] }));
	await expect(ingestMediaFolder({ store: t.store, embedder, mediaDir: join(t.dir, 'media-t') }, { brandId: await brand(t.store), folder: typo })).rejects.toMatchObject({
		field: 'media.json',
		message: expect.stringMatching(/unknown field media/),
	});
}, 180_000);

test('a request (the webhook) names file URLs: downloaded SSRF-safely and ingested; a private address is refused unless allowed', async () => {
	const brandId = await brand(t.store);
	const host = await startMediaHost();
	try {
		const photo = await productPhoto(join(files, 'hosted-shoe.jpg'));
		const url = host.publish({ bytes: readFileSync(photo), contentType: 'image/jpeg', name: 'hosted-shoe.jpg' });
		const deps = { store: t.store, embedder, mediaDir: join(t.dir, 'media-d') };
		const request = { licence: 'owned by the brand', files: [{ url, tags: ['shoe'], description: 'A hosted shoe photo' }] };
		const refused = await ingestMediaRequest(deps, { brandId, request }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(MediaFileError);
		expect((refused as Error).message).toMatch(/hosted-shoe\.jpg: could not be downloaded/);
		expect(await t.store.listBrandMedia(brandId)).toHaveLength(0);
		const out = await ingestMediaRequest(deps, { brandId, request, allowPrivateNetwork: true });
		expect(out.ingested[0]).toMatchObject({ kind: 'image', description: 'A hosted shoe photo', tags: ['shoe'], licence: 'owned by the brand' });
		await expect(ingestMediaRequest(deps, { brandId, request: { files: [] } })).rejects.toThrow(/files must be a non-empty array/);
	} finally {
		await host.close();
	}
}, 120_000);
