/**
 * Vision descriptions for the brand media library on PGlite, with real files and the real OpenAI
 * and Anthropic adapters against their loopback fakes: the stored description is the model's
 * sentence, the request carried the picture (a valid base64 JPEG of ≤512 px; a clip's middle
 * frame), the brand's ledger has the cost priced from the reported usage; a failure falls back to
 * the name description with a warning naming the file and never stores half a batch; the fakes
 * reject a malformed image the way the vendors do.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { ValidationError } from '../../lib/domain/errors';
import { createMediaDescriber } from '../../lib/library/describe';
import { ingestMedia } from '../../lib/library/ingest';
import { estimateCost } from '../../lib/pricing/price-table';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import type { Store } from '../../lib/store';
import { anthropicImageTokens, startAnthropicFake, type AnthropicFake } from '../fakes/anthropic';
import { fakeTokens, startOpenAiFake, type OpenAiFake } from '../fakes/openai';
import { clipMp4, fontTtf, logoPng, productPhoto } from '../helpers/media-fixtures';
import { tempStore } from '../helpers/store';

jest.setTimeout(120_000);

const OPENAI_KEY = `sk-test-${randomBytes(12).toString('hex')}`;
const ANTHROPIC_KEY = `ant-test-${randomBytes(12).toString('hex')}`;
const WRONG_KEY = `sk-wrong-${randomBytes(12).toString('hex')}`;
let t: Awaited<ReturnType<typeof tempStore>>;
let openai: OpenAiFake;
let anthropic: AnthropicFake;
let files: string;
const embedder = new LocalEmbeddingProvider();

beforeAll(async () => {
	t = await tempStore();
	openai = await startOpenAiFake({ apiKey: OPENAI_KEY });
	anthropic = await startAnthropicFake({ apiKey: ANTHROPIC_KEY });
	files = mkdtempSync(join(tmpdir(), 'bi-describe-'));
}, 60_000);
afterAll(async () => {
	await openai.close();
	await anthropic.close();
	await t.close();
});

async function brand(store: Store): Promise<string> {
	return (await store.createBrand({ brand_name: `Stride ${Math.random()}` })).brand_id as string;
}

const ledger = (brandId: string) =>
	t.transport.session.rows<{ amount_usd: string; description: string; campaign_id: string | null }>(
		'select amount_usd::text, description, campaign_id from cost_ledger where brand_id = $1 order by created_at, ledger_entry_id',
		[brandId],
	);

const openAiDescriber = (store: Store, brandId: string, opts: { apiKey?: string; model?: string } = {}) =>
	createMediaDescriber({ provider: 'openai', apiKey: opts.apiKey ?? OPENAI_KEY, baseUrl: openai.baseURL, model: opts.model, maxRetries: 0 }, { store, brandId });

type Body = { model: string; messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string; detail?: string } }[] }[] };

test('OpenAI describes an image and the middle frame of a clip: the sentence is stored, the request carried a real JPEG, the brand ledger has the cost', async () => {
	const brandId = await brand(t.store);
	const photo = await productPhoto(join(files, 'red-sneaker.jpg')); // 1600×1000, an orange disc right of centre
	const clip = await clipMp4(join(files, 'track.mp4'), 3); // 640×360
	const font = fontTtf(join(files, 'brand-font.ttf'));
	openai.replyWith(
		{ content: { description: 'An orange disc on a slate-blue background' }, usage: { prompt_tokens: 2958, completion_tokens: 17 } },
		{ content: { description: '  A colour test pattern   with a moving gradient.' } },
	);
	const requestsBefore = openai.chatRequests().length;
	const imagesBefore = openai.images.length;
	const deps = { store: t.store, embedder, mediaDir: join(t.dir, 'media-openai'), ...openAiDescriber(t.store, brandId) };
	const out = await ingestMedia(deps, { brandId, files: [{ path: photo, tags: ['product'] }, { path: clip }, { path: font }], defaultLicence: 'owned by the brand' });

	expect(out.warnings).toEqual([]);
	const byName = Object.fromEntries(out.ingested.map((m) => [m.file_name, m]));
	expect(byName['red-sneaker.jpg']).toMatchObject({ description: 'An orange disc on a slate-blue background.', metadata: { description_source: 'vision', described_by: 'openai/gpt-4o-mini' } });
	expect(byName['track.mp4']).toMatchObject({ description: 'A colour test pattern with a moving gradient.', metadata: { description_source: 'vision' } });
	// A font has no picture: its description comes from its name, and the model is not asked.
	expect(byName['brand-font.ttf']).toMatchObject({ description: 'Brand font (font)', metadata: { description_source: 'file_name' } });

	const requests = openai.chatRequests().slice(requestsBefore);
	expect(requests).toHaveLength(2);
	const body = requests[0].body as Body;
	expect(body.model).toBe('gpt-4o-mini');
	const parts = body.messages[1].content as Exclude<Body['messages'][0]['content'], string>;
	expect(parts[0]).toMatchObject({ type: 'text', text: expect.stringContaining('red-sneaker.jpg') });
	expect(parts[1]).toMatchObject({ type: 'image_url', image_url: { detail: 'low', url: expect.stringMatching(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/) } });
	// What the fake decoded: JPEGs fitted in 512 px, the photo's pixels (its orange disc) and the clip's frame.
	const [image, frame] = openai.images.slice(imagesBefore);
	expect(image).toMatchObject({ mimeType: 'image/jpeg', format: 'jpeg', width: 512, height: 320 });
	expect(frame).toMatchObject({ mimeType: 'image/jpeg', format: 'jpeg', width: 512, height: 288 });
	const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
	const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
	const [r, g, b] = at(Math.round(0.75 * 512), Math.round(0.6 * 320));
	expect(r).toBeGreaterThan(220);
	expect(g).toBeLessThan(140);
	expect(b).toBeLessThan(60);
	const [br, , bb] = at(20, 20); // the background is slate blue
	expect(bb).toBeGreaterThan(br);

	// The ledger: one entry per described file against the brand (no campaign), priced from the usage OpenAI reported.
	const rows = await ledger(brandId);
	expect(rows).toHaveLength(2);
	expect(rows.every((row) => row.campaign_id === null && row.description === 'media_description via openai/gpt-4o-mini')).toBe(true);
	// 2,958 input tokens at $0.15/M + 17 output tokens at $0.60/M = $0.0004539, to the micro-dollar.
	expect(rows[0].amount_usd).toBe('0.000454');
	const frameBody = requests[1].body as Body;
	const frameText = [frameBody.messages[0].content as string, ((frameBody.messages[1].content as { text?: string }[])[0].text ?? '')].join('\n');
	const frameUsage = { input_tokens: fakeTokens(frameText) + 2833, output_tokens: fakeTokens(JSON.stringify({ description: '  A colour test pattern   with a moving gradient.' })) };
	expect(rows[1].amount_usd).toBe(estimateCost({ provider: 'openai', model: 'gpt-4o-mini', usage: frameUsage }).amount_usd);
	expect(Number(rows[1].amount_usd)).toBeGreaterThan(0.0004); // the 2,833 image tokens are most of it

	// The same files again: duplicates, and the model is not asked (nothing is paid twice).
	const again = await ingestMedia(deps, { brandId, files: [{ path: photo }, { path: clip }], defaultLicence: 'owned by the brand' });
	expect(again.duplicates).toHaveLength(2);
	expect(openai.chatRequests().length).toBe(requestsBefore + 2);
	expect(await ledger(brandId)).toHaveLength(2);
});

test('a describer failure falls back to the name description with a warning naming the file; the whole batch is stored; what was billed is charged', async () => {
	const brandId = await brand(t.store);
	const a = await productPhoto(join(files, 'city-runner.jpg'), { colour: '#F5F5F0' });
	const b = await productPhoto(join(files, 'trail-shoe.jpg'), { subjectAt: [0.3, 0.4] });
	const c = await productPhoto(join(files, 'park-group.jpg'), { colour: '#22AA55' });
	// a: a 500 (OpenAI did not do the work: nothing charged); b: a good answer; c: an answer that breaks the schema (billed).
	openai.setFault({ kind: 'server_error', status: 500 }, 1);
	openai.replyWith({ content: { description: 'A pale disc on slate blue' }, usage: { prompt_tokens: 3000, completion_tokens: 12 } }, { content: { description: '' }, usage: { prompt_tokens: 3000, completion_tokens: 8 } });
	const before = openai.chatRequests().length;
	const deps = { store: t.store, embedder, mediaDir: join(t.dir, 'media-fallback'), ...openAiDescriber(t.store, brandId) };
	const out = await ingestMedia(deps, { brandId, files: [{ path: a, tags: ['city'] }, { path: b }, { path: c }], defaultLicence: 'owned' });
	expect(openai.chatRequests().length).toBe(before + 3);
	expect(out.ingested).toHaveLength(3);
	const byName = Object.fromEntries(out.ingested.map((m) => [m.file_name, m]));
	expect(byName['city-runner.jpg']).toMatchObject({ description: 'City runner (image; city)', metadata: { description_source: 'file_name' } });
	expect(byName['trail-shoe.jpg']).toMatchObject({ description: 'A pale disc on slate blue.', metadata: { description_source: 'vision' } });
	expect(byName['park-group.jpg']).toMatchObject({ description: 'Park group (image)', metadata: { description_source: 'file_name' } });
	expect(out.warnings).toHaveLength(2);
	expect(out.warnings[0]).toMatch(/^city-runner\.jpg: described from its file name and tags instead: the vision model failed \(openai: server error \(500\)/);
	expect(out.warnings[1]).toMatch(/^park-group\.jpg: described from its file name and tags instead: the vision model failed \(openai\/gpt-4o-mini output does not match media_description: description/);
	expect(await t.store.listBrandMedia(brandId)).toHaveLength(3);
	const rows = await ledger(brandId);
	expect(rows.map((r) => r.description)).toEqual(['media_description via openai/gpt-4o-mini', 'media_description via openai/gpt-4o-mini (billed, output not used)']);
	expect(rows.map((r) => r.amount_usd)).toEqual(['0.000457', '0.000455']); // 3,000 × $0.15/M + 12 (then 8) × $0.60/M

	// A rejected key fails every file alike: asked once, the rest not asked again; nothing charged.
	const brand2 = await brand(t.store);
	const d = await productPhoto(join(files, 'd.jpg'), { colour: '#112233' });
	const e = await productPhoto(join(files, 'e.jpg'), { colour: '#445566' });
	const wrongKey = { store: t.store, embedder, mediaDir: join(t.dir, 'media-key'), ...openAiDescriber(t.store, brand2, { apiKey: WRONG_KEY }) };
	const before2 = openai.chatRequests().length;
	const keyed = await ingestMedia(wrongKey, { brandId: brand2, files: [{ path: d }, { path: e }], defaultLicence: 'owned' });
	expect(openai.chatRequests().length).toBe(before2 + 1);
	expect(keyed.ingested.map((m) => m.description)).toEqual(['D (image)', 'E (image)']);
	expect(keyed.warnings[0]).toMatch(/^d\.jpg: .*not authorised \(401\)/);
	expect(keyed.warnings[0]).not.toContain(WRONG_KEY);
	expect(keyed.warnings[1]).toBe('e.jpg: described from file names and tags too: the vision model was not asked again after that failure');
	expect(await ledger(brand2)).toEqual([]);

	// A model the price table does not know is refused before any call (no unpriced spending).
	const brand3 = await brand(t.store);
	const unpriced = { store: t.store, embedder, mediaDir: join(t.dir, 'media-price'), ...openAiDescriber(t.store, brand3, { model: 'gpt-9-vision' }) };
	const before3 = openai.chatRequests().length;
	const priced = await ingestMedia(unpriced, { brandId: brand3, files: [{ path: d }, { path: e }], defaultLicence: 'owned' });
	expect(openai.chatRequests().length).toBe(before3);
	expect(priced.ingested).toHaveLength(2);
	expect(priced.warnings[0]).toMatch(/^d\.jpg: .*no price for openai\/gpt-9-vision per input_token; add one in Price Overrides/);
});

test('Anthropic describes a logo from a base64 image block (transparency flattened onto white); the cost is priced from its usage', async () => {
	const brandId = await brand(t.store);
	const logo = await logoPng(join(files, 'stride-logo.png')); // 800×240 with transparency
	anthropic.replyWith({ text: { description: 'An orange rounded rectangle with a cream bar across it, on white' } });
	const before = anthropic.requests.length;
	const deps = {
		store: t.store,
		embedder,
		mediaDir: join(t.dir, 'media-anthropic'),
		...createMediaDescriber({ provider: 'anthropic', apiKey: ANTHROPIC_KEY, baseUrl: anthropic.url, maxRetries: 0 }, { store: t.store, brandId }),
	};
	const out = await ingestMedia(deps, { brandId, files: [{ path: logo, tags: ['logo'] }], defaultLicence: 'owned' });
	expect(out.warnings).toEqual([]);
	expect(out.ingested[0]).toMatchObject({ kind: 'logo', description: 'An orange rounded rectangle with a cream bar across it, on white.', metadata: { described_by: 'anthropic/claude-haiku-4-5' } });
	const req = anthropic.requests.slice(before);
	expect(req).toHaveLength(1);
	const content = (req[0].body as { messages: { content: { type: string; source?: { type: string; media_type: string; data: string }; text?: string }[] }[] }).messages[0].content;
	expect(content.map((block) => block.type)).toEqual(['image', 'text']);
	expect(content[0].source).toMatchObject({ type: 'base64', media_type: 'image/jpeg' });
	const seen = anthropic.images.at(-1)!;
	expect(seen).toMatchObject({ format: 'jpeg', width: 512, height: 154 });
	const corner = await sharp(seen.bytes).extract({ left: 2, top: 2, width: 1, height: 1 }).raw().toBuffer();
	expect([...corner].every((v) => v > 240)).toBe(true); // transparent → white, not black
	const system = (req[0].body as { system: string }).system;
	const usage = { input_tokens: fakeTokens([system, content[1].text].join('\n')) + anthropicImageTokens({ width: 512, height: 154 }), output_tokens: fakeTokens(JSON.stringify({ description: 'An orange rounded rectangle with a cream bar across it, on white' })) };
	const [row] = await ledger(brandId);
	expect(row).toMatchObject({ description: 'media_description via anthropic/claude-haiku-4-5', amount_usd: estimateCost({ provider: 'anthropic', model: 'claude-haiku-4-5', usage }).amount_usd });
});

test('the fakes reject a malformed image as the vendors do, naming the part', async () => {
	const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#336699' } }).jpeg().toBuffer();
	const chat = (url: string, role = 'user') =>
		fetch(`${openai.baseURL}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${OPENAI_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'x' }, { role, content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url } }] }] }),
		}).then(async (res) => ({ status: res.status, error: ((await res.json()) as { error?: { message: string; code: string | null; param: string | null } }).error }));
	expect(await chat(`data:image/jpeg;base64,${Buffer.from('hello, not a picture').toString('base64')}`)).toMatchObject({ status: 400, error: { code: 'invalid_image_format', message: expect.stringMatching(/^You uploaded an unsupported image/) } });
	expect(await chat(`data:image/bmp;base64,${jpeg.toString('base64')}`)).toMatchObject({ status: 400, error: { code: 'invalid_value', param: 'messages[1].content[1].image_url.url', message: expect.stringContaining("unsupported MIME type 'image/bmp'") } });
	expect(await chat(jpeg.toString('base64'))).toMatchObject({ status: 400, error: { message: expect.stringContaining("without the 'data:' prefix") } });
	expect(await chat('data:image/jpeg;base64,')).toMatchObject({ status: 400, error: { message: expect.stringContaining('empty base64-encoded bytes') } });
	expect(await chat(`data:image/jpeg;base64,${jpeg.toString('base64')}`, 'system')).toMatchObject({ status: 400, error: { message: expect.stringMatching(/only allowed for messages with role 'user'/) } });
	expect((await chat(`data:image/jpeg;base64,${jpeg.toString('base64')}`)).status).toBe(200);

	const message = (source: unknown) =>
		fetch(`${anthropic.url}/v1/messages`, {
			method: 'POST',
			headers: { 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'image', source }, { type: 'text', text: 'what is this?' }] }] }),
		}).then(async (res) => ({ status: res.status, body: (await res.json()) as { type: string; error?: { type: string; message: string } } }));
	expect(await message({ type: 'base64', media_type: 'image/png', data: jpeg.toString('base64') })).toMatchObject({
		status: 400,
		body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages.0.content.0.image.source.base64: The image was specified using the image/png media type, but the image appears to be a image/jpeg image' } },
	});
	expect(await message({ type: 'base64', media_type: 'image/bmp', data: jpeg.toString('base64') })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^messages\.0\.content\.0\.image\.source\.base64\.media_type: Input should be/) } } });
	expect(await message({ type: 'base64', media_type: 'image/jpeg', data: Buffer.from('not an image').toString('base64') })).toMatchObject({ status: 400, body: { error: { message: 'messages.0.content.0.image.source.base64.data: Image does not match the provided media type image/jpeg' } } });
	expect((await message({ type: 'base64', media_type: 'image/jpeg', data: jpeg.toString('base64') })).status).toBe(200);
});

test('the local LLM has no describer (names and tags, offline); a provider that cannot take images is refused by field', () => {
	expect(createMediaDescriber({ provider: 'local' }, { store: t.store, brandId: 'b' })).toEqual({});
	let err: unknown = null;
	try {
		createMediaDescriber({ provider: 'openai_compatible', baseUrl: 'http://127.0.0.1:1/v1', model: 'llava' }, { store: t.store, brandId: 'b' });
	} catch (e) {
		err = e;
	}
	expect(err).toBeInstanceOf(ValidationError);
	expect(err).toMatchObject({ field: 'llmProvider', message: expect.stringMatching(/needs a vision model: choose OpenAI or Anthropic/) });
});
