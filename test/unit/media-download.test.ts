/**
 * lib/media/download.ts: SSRF refusals (literal and resolved addresses, every redirect hop), the
 * redirect limit, credentials kept to the first origin, size limits while streaming, expired links,
 * and that a failed download leaves no file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { blockedAddressReason, checkUrl, decodeDataUrl, DownloadError, downloadToFile, fetchSmallFile, type FetchLike } from '../../lib/media/download';
import { startMediaHost, type MediaHost } from '../fakes/media-host';

jest.setTimeout(30_000);

let media: MediaHost;
let other: MediaHost;
let dir: string;
const PAYLOAD = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));

beforeAll(async () => {
	media = await startMediaHost();
	other = await startMediaHost();
	dir = mkdtempSync(join(tmpdir(), 'bi-download-'));
});
afterAll(async () => {
	await media.close();
	await other.close();
	rmSync(dir, { recursive: true, force: true });
});

const reasonOf = async (p: Promise<unknown>): Promise<string> => {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(DownloadError);
		return (err as DownloadError).reason;
	}
	throw new Error('expected a DownloadError');
};

describe('address policy', () => {
	test.each([
		'10.1.2.3',
		'172.16.0.1',
		'172.31.255.255',
		'192.168.1.1',
		'127.0.0.1',
		'127.8.8.8',
		'0.0.0.0',
		'169.254.169.254',
		'100.64.0.1',
		'100.100.100.200',
		'192.0.0.192',
		'224.0.0.1',
		'239.255.255.250',
		'255.255.255.255',
		'198.18.0.1',
		'::1',
		'::',
		'fc00::1',
		'fd00:ec2::254',
		'fe80::1',
		'ff02::1',
		'::ffff:127.0.0.1',
		'::ffff:7f00:1',
		'::ffff:a9fe:a9fe',
		'64:ff9b::a9fe:a9fe',
		'2002:c0a8:0101::1',
		'2001:db8::1',
	])('%s is refused', (ip) => {
		expect(blockedAddressReason(ip)).toEqual(expect.any(String));
	});

	test.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])('%s is public', (ip) => {
		expect(blockedAddressReason(ip)).toBeNull();
	});

	test('URL spellings of loopback are normalised before the check', async () => {
		for (const url of ['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost/', 'http://a.localhost/', 'http://metadata.google.internal/']) {
			expect(await reasonOf(checkUrl(url))).toBe('private_address');
		}
	});

	test('a name is refused when any of its addresses is private', async () => {
		const resolve = async () => [
			{ address: '93.184.216.34', family: 4 },
			{ address: '10.0.0.5', family: 4 },
		];
		expect(await reasonOf(checkUrl('https://mixed.example.test/x', { resolve }))).toBe('private_address');
		const ok = await checkUrl('https://public.example.test/x', { resolve: async () => [{ address: '93.184.216.34', family: 4 }] });
		expect(ok.address).toEqual({ address: '93.184.216.34', family: 4 });
	});

	test('only http and https; no embedded credentials', async () => {
		expect(await reasonOf(checkUrl('ftp://example.com/a'))).toBe('scheme');
		expect(await reasonOf(checkUrl('file:///etc/passwd'))).toBe('scheme');
		expect(await reasonOf(checkUrl('data:image/png;base64,AAAA'))).toBe('scheme');
		expect(await reasonOf(checkUrl('https://user:pw@example.com/'))).toBe('bad_url');
		expect(await reasonOf(checkUrl('not a url'))).toBe('bad_url');
	});
});

describe('downloadToFile', () => {
	test('refuses a loopback server before connecting, and downloads from it when allowPrivateNetwork', async () => {
		const url = media.publish({ bytes: PAYLOAD, contentType: 'application/octet-stream', name: 'a.bin' });
		const before = media.requests.length;
		const err = await downloadToFile(url, join(dir, 'refused.bin')).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(DownloadError);
		expect((err as DownloadError).reason).toBe('private_address');
		expect((err as DownloadError).outcomeKnown).toBe(true);
		expect((err as Error).message).toMatch(/127\.0\.0\.1.*allowPrivateNetwork/);
		expect((err as Error).message).not.toMatch(/X-Signature=/); // signed query strings stay out of messages
		expect(media.requests.length).toBe(before);

		const dest = join(dir, 'ok', 'a.bin');
		const res = await downloadToFile(url, dest, { allowPrivateNetwork: true });
		expect(res).toEqual({ path: dest, bytes: PAYLOAD.length, contentType: 'application/octet-stream' });
		expect(readFileSync(dest).equals(PAYLOAD)).toBe(true);
	});

	test('every redirect hop is checked: a public URL redirecting to the metadata service or a private name is refused', async () => {
		const resolve = async (host: string) => {
			if (host === 'cdn.example.test') return [{ address: '93.184.216.34', family: 4 }];
			if (host === 'internal.example.test') return [{ address: '10.0.0.5', family: 4 }];
			throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
		};
		const calls: string[] = [];
		// The "public CDN" is the loopback media host behind a rewriting fetch.
		const fetchImpl: FetchLike = async (url, init) => {
			calls.push(url);
			const u = new URL(url);
			return fetch(`${media.url}${u.pathname}${u.search}`, init);
		};
		for (const target of ['http://169.254.169.254/latest/meta-data/iam', 'http://internal.example.test/secret', 'http://[fd00:ec2::254]/']) {
			calls.length = 0;
			const start = `https://cdn.example.test/redirect/1?to=${encodeURIComponent(target)}`;
			const err = await downloadToFile(start, join(dir, 'x.bin'), { resolve, fetchImpl }).catch((e: unknown) => e);
			expect((err as DownloadError).reason).toBe('private_address');
			expect(calls).toEqual([start]); // the private hop was never requested
		}
		// The same chain to a public name is followed.
		const url = media.publish({ bytes: PAYLOAD, contentType: 'video/mp4', name: 'b.mp4' });
		const path = new URL(url);
		calls.length = 0;
		const res = await downloadToFile(`https://cdn.example.test/redirect/2?to=${encodeURIComponent(`https://cdn.example.test${path.pathname}${path.search}`)}`, join(dir, 'b.mp4'), { resolve, fetchImpl });
		expect(res.bytes).toBe(PAYLOAD.length);
		expect(calls).toHaveLength(3);
	});

	test('at most 5 redirects', async () => {
		const url = media.publish({ bytes: PAYLOAD, contentType: 'video/mp4' });
		await expect(downloadToFile(media.redirectUrl(url, 5), join(dir, 'r5.bin'), { allowPrivateNetwork: true })).resolves.toMatchObject({ bytes: PAYLOAD.length });
		expect(await reasonOf(downloadToFile(media.redirectUrl(url, 6), join(dir, 'r6.bin'), { allowPrivateNetwork: true }))).toBe('too_many_redirects');
	});

	test('credentials go to the first origin only, not across a redirect', async () => {
		const url = other.publish({ bytes: PAYLOAD, contentType: 'video/mp4' });
		await downloadToFile(media.redirectUrl(url, 1), join(dir, 'cred.bin'), { allowPrivateNetwork: true, headers: { 'x-goog-api-key': 'secret-key' } });
		const first = media.requests[media.requests.length - 1];
		const second = other.requests[other.requests.length - 1];
		expect(first.headers['x-goog-api-key']).toBe('secret-key');
		expect(second.headers['x-goog-api-key']).toBeUndefined();
	});

	test('expired and deleted links name the reason', async () => {
		const gone = media.publish({ bytes: PAYLOAD, contentType: 'video/mp4', expiredStatus: 410 });
		const denied = media.publish({ bytes: PAYLOAD, contentType: 'video/mp4', expiredStatus: 403 });
		media.expire(gone);
		media.expire(denied);
		for (const url of [gone, denied]) {
			const err = (await downloadToFile(url, join(dir, 'exp.bin'), { allowPrivateNetwork: true }).catch((e: unknown) => e)) as DownloadError;
			expect(err.reason).toBe('expired');
			expect(err.message).toMatch(/expired/);
		}
		expect(readdirSync(dir).filter((f) => f.startsWith('exp'))).toEqual([]);
	});

	test('maxBytes: refused from Content-Length, and while streaming without one; no partial file is left', async () => {
		const url = media.publish({ bytes: PAYLOAD, contentType: 'video/mp4' });
		expect(await reasonOf(downloadToFile(url, join(dir, 'big1.bin'), { allowPrivateNetwork: true, maxBytes: 10_000 }))).toBe('too_large');
		// A chunked answer with no Content-Length.
		const fetchImpl: FetchLike = async () =>
			new Response(
				new ReadableStream({
					start(c) {
						for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(4096));
						c.close();
					},
				}),
				{ status: 200, headers: { 'content-type': 'video/mp4' } },
			);
		expect(await reasonOf(downloadToFile('https://cdn.example.test/big', join(dir, 'big2.bin'), { fetchImpl, resolve: async () => [{ address: '93.184.216.34', family: 4 }], maxBytes: 10_000 }))).toBe('too_large');
		expect(readdirSync(dir).filter((f) => f.includes('big'))).toEqual([]);
	});

	test('connection refused and timeouts are named', async () => {
		expect(await reasonOf(downloadToFile('http://127.0.0.1:1/x', join(dir, 'n.bin'), { allowPrivateNetwork: true }))).toBe('network');
		const hang: FetchLike = (_url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
		expect(await reasonOf(downloadToFile('https://cdn.example.test/slow', join(dir, 't.bin'), { fetchImpl: hang, resolve: async () => [{ address: '93.184.216.34', family: 4 }], timeoutMs: 200 }))).toBe('timeout');
	});

	test('fetchSmallFile reads data: URLs and downloads http(s) with the same checks', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		expect((await fetchSmallFile(`data:image/png;base64,${png.toString('base64')}`)).bytes.equals(png)).toBe(true);
		expect(decodeDataUrl('data:image/jpeg;base64,/9j/').mimeType).toBe('image/jpeg');
		const url = media.publish({ bytes: png, contentType: 'image/png' });
		expect(await reasonOf(fetchSmallFile(url))).toBe('private_address');
		expect((await fetchSmallFile(url, { allowPrivateNetwork: true })).mimeType).toBe('image/png');
		expect(await reasonOf(fetchSmallFile(url, { allowPrivateNetwork: true, maxBytes: 4 }))).toBe('too_large');
	});
});
