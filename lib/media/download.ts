/**
 * Downloads a remote file (a finished clip, a generated image) to disk without holding it in
 * memory, refusing addresses a server-side fetch must never reach (SSRF).
 *
 * - Only http: and https: URLs.
 * - Unless `allowPrivateNetwork`, the host is resolved and refused when ANY of its addresses is
 *   private, loopback, link-local (cloud metadata 169.254.169.254), CGNAT (100.64/10, Alibaba's
 *   metadata), multicast, reserved, documentation, IPv6 ULA/link-local/loopback, or an IPv4 in one
 *   of those ranges embedded in IPv6 (mapped, compatible, NAT64, 6to4, Teredo). Every redirect hop
 *   is checked the same way; at most 5 redirects.
 * - The connection goes to the address that was checked (the validated address is handed to the
 *   socket through `lookup`), so a DNS answer that changes between check and connect (rebinding)
 *   cannot slip through. With an injected `fetchImpl` the check resolves the host first and the
 *   injected fetch resolves it again: that path is for tests and custom transports.
 * - Caller headers (API keys) go only to the origin of the first URL; a redirect to another origin
 *   is followed without them (Google's file download redirects to a signed storage URL).
 * - The body streams into `<dest>.<random>.part` and is renamed onto `destPath` when complete;
 *   `maxBytes` is enforced from Content-Length and while streaming, and a failed download leaves
 *   no file behind.
 *
 * Every failure is a DownloadError whose `reason` names what went wrong.
 */
import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { ProviderError, type DownloadOptions } from '../providers/types';

export const MAX_REDIRECTS = 5;
/** Default size limit: 1 GiB. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;
/** Default limit for the whole download (connect, redirects, body): 10 minutes. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 600_000;

export type DownloadFailure =
	| 'bad_url'
	| 'scheme'
	| 'private_address'
	| 'dns'
	| 'redirect'
	| 'too_many_redirects'
	| 'expired'
	| 'http_status'
	| 'too_large'
	| 'network'
	| 'timeout';

/**
 * A failed download. Downloads are free and repeatable, so `outcomeKnown` is true: trying again
 * (or polling the job for a fresh URL) costs nothing. `url` is the failing URL without its query
 * string (signed URLs carry credentials there).
 */
export class DownloadError extends ProviderError {
	constructor(
		readonly reason: DownloadFailure,
		message: string,
		readonly url: string,
		extra: { status?: number | null; provider?: string; retryAfterSeconds?: number } = {},
	) {
		super(message, extra.provider ?? 'download', extra.status ?? null, true, extra.retryAfterSeconds);
		this.name = 'DownloadError';
	}
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** A fetch-compatible function (global fetch, or a test double). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; redirect: 'manual'; signal: AbortSignal }) => Promise<Response>;

export interface DownloadToFileOptions extends DownloadOptions {
	/** Use this instead of the built-in node:http(s) transport (always called with redirect: 'manual'). */
	fetchImpl?: FetchLike;
	/** DNS resolution for the address check (default: the system resolver, all addresses). */
	resolve?: Resolver;
	/** For the whole download. Default 10 minutes. */
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Names the provider in errors (default "download"). */
	provider?: string;
}

export interface DownloadResult {
	path: string;
	bytes: number;
	contentType: string | null;
}

// ---------------------------------------------------------------------------------------- address policy

const BLOCKED = new BlockList();
for (const [net, prefix] of [
	['0.0.0.0', 8], // "this network"
	['10.0.0.0', 8],
	['100.64.0.0', 10], // CGNAT (also 100.100.100.200, Alibaba Cloud metadata)
	['127.0.0.0', 8],
	['169.254.0.0', 16], // link-local: 169.254.169.254 is the AWS/GCP/Azure metadata service
	['172.16.0.0', 12],
	['192.0.0.0', 24], // IETF protocol assignments (192.0.0.192: Oracle Cloud metadata)
	['192.0.2.0', 24], // TEST-NET-1
	['192.88.99.0', 24], // 6to4 relay anycast
	['192.168.0.0', 16],
	['198.18.0.0', 15], // benchmarking
	['198.51.100.0', 24], // TEST-NET-2
	['203.0.113.0', 24], // TEST-NET-3
	['224.0.0.0', 4], // multicast
	['240.0.0.0', 4], // reserved, broadcast
] as const) {
	BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
	['::', 128], // unspecified
	['::1', 128], // loopback
	['100::', 64], // discard-only
	['2001:db8::', 32], // documentation
	['2001::', 32], // Teredo (tunnels to an IPv4 address)
	['fc00::', 7], // unique local (fd00:ec2::254 is AWS's IPv6 metadata)
	['fe80::', 10], // link-local
	['fec0::', 10], // site-local (deprecated)
	['ff00::', 8], // multicast
] as const) {
	BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** Names that are metadata services wherever they resolve. */
const BLOCKED_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** The 8 groups of an IPv6 address (accepts an embedded dotted IPv4 tail), or null. */
function ipv6Groups(ip: string): number[] | null {
	let text = ip.toLowerCase().split('%')[0];
	const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
	if (dotted) {
		const p = dotted[1].split('.').map(Number);
		text = text.slice(0, -dotted[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
	}
	const halves = text.split('::');
	if (halves.length > 2) return null;
	const head = halves[0] ? halves[0].split(':') : [];
	const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
	const missing = 8 - head.length - tail.length;
	if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
	const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => Number.parseInt(g, 16));
	return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/** Why an IP address must not be fetched from, or null when it is public. */
export function blockedAddressReason(ip: string): string | null {
	const family = isIP(ip);
	if (family === 4) return BLOCKED.check(ip, 'ipv4') ? `${ip} is a private, loopback, link-local or reserved IPv4 address` : null;
	if (family !== 6) return `${ip} is not an IP address`;
	const g = ipv6Groups(ip);
	if (!g) return `${ip} is not a valid IPv6 address`;
	// IPv4 carried inside IPv6: mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16.
	let embedded: string | null = null;
	if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) embedded = v4(g[6], g[7]);
	else if (g.slice(0, 6).every((x) => x === 0) && (g[6] !== 0 || g[7] > 1)) embedded = v4(g[6], g[7]);
	else if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) embedded = v4(g[6], g[7]);
	else if (g[0] === 0x2002) embedded = v4(g[1], g[2]);
	if (embedded && BLOCKED.check(embedded, 'ipv4')) return `${ip} embeds the private or reserved IPv4 address ${embedded}`;
	return BLOCKED.check(ip, 'ipv6') ? `${ip} is a loopback, unique-local, link-local, multicast or reserved IPv6 address` : null;
}

const systemResolve: Resolver = (hostname) =>
	new Promise((resolve, reject) =>
		dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => (err ? reject(err) : resolve(addresses))),
	);

/** A URL for messages: no query string or fragment (signed URLs carry credentials there). */
export function safeUrl(url: string | URL): string {
	try {
		const u = new URL(String(url));
		return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
	} catch {
		return '(invalid URL)';
	}
}

interface Target {
	url: URL;
	/** The checked address to connect to (undefined: let the transport resolve; only with allowPrivateNetwork). */
	address?: { address: string; family: number };
}

/**
 * Checks one URL (scheme, host) and resolves it. Throws a DownloadError naming the reason. With
 * `allowPrivateNetwork` only the scheme is checked.
 */
export async function checkUrl(raw: string, opts: { allowPrivateNetwork?: boolean; resolve?: Resolver; provider?: string } = {}): Promise<Target> {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new DownloadError('bad_url', `not a valid URL: ${raw.slice(0, 80)}`, '(invalid URL)', { provider: opts.provider });
	}
	const shown = safeUrl(url);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new DownloadError('scheme', `refusing ${url.protocol} URL ${url.protocol === 'data:' ? '(inline data)' : shown}: only http and https can be downloaded`, shown, {
			provider: opts.provider,
		});
	}
	if (url.username || url.password) {
		throw new DownloadError('bad_url', `refusing ${shown}: URLs with embedded credentials are not fetched`, shown, { provider: opts.provider });
	}
	if (opts.allowPrivateNetwork) return { url };
	// URL parsing normalises every IPv4 spelling (0x7f.1, 2130706433) to dotted form; IPv6 comes bracketed.
	const host = url.hostname.replace(/^\[|\]$/g, '');
	if (isIP(host)) {
		const why = blockedAddressReason(host);
		if (why) throw new DownloadError('private_address', `refusing ${shown}: ${why} (set allowPrivateNetwork to allow)`, shown, { provider: opts.provider });
		return { url, address: { address: host, family: isIP(host) } };
	}
	const name = host.toLowerCase().replace(/\.$/, '');
	if (BLOCKED_HOSTS.has(name) || name === 'localhost' || name.endsWith('.localhost')) {
		throw new DownloadError('private_address', `refusing ${shown}: ${name} is a local or cloud-metadata host name (set allowPrivateNetwork to allow)`, shown, {
			provider: opts.provider,
		});
	}
	let addresses: { address: string; family: number }[];
	try {
		addresses = await (opts.resolve ?? systemResolve)(name);
	} catch (err) {
		throw new DownloadError('dns', `cannot resolve ${name}: ${(err as { code?: string }).code ?? (err as Error).message}`, shown, { provider: opts.provider });
	}
	if (addresses.length === 0) throw new DownloadError('dns', `${name} has no addresses`, shown, { provider: opts.provider });
	for (const a of addresses) {
		const why = blockedAddressReason(a.address);
		if (why) {
			throw new DownloadError('private_address', `refusing ${shown}: ${name} resolves to ${why} (set allowPrivateNetwork to allow)`, shown, {
				provider: opts.provider,
			});
		}
	}
	return { url, address: addresses[0] };
}

// ---------------------------------------------------------------------------------------- transport

interface Hop {
	status: number;
	headers: { get(name: string): string | null };
	body: Readable | null;
	/** Ends the hop without reading its body. */
	discard(): void;
}

/** A `lookup` that answers with the address that was checked (both the single and `all` forms). */
function pinnedLookup(address: { address: string; family: number }): LookupFunction {
	return ((_host: string, options: { all?: boolean }, cb: (err: NodeJS.ErrnoException | null, a: unknown, f?: number) => void) => {
		if (options?.all) cb(null, [{ address: address.address, family: address.family }]);
		else cb(null, address.address, address.family);
	}) as unknown as LookupFunction;
}

function nodeHop(target: Target, headers: Record<string, string>, signal: AbortSignal): Promise<Hop> {
	const { url, address } = target;
	const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
	return new Promise<Hop>((resolve, reject) => {
		const req = request(
			url,
			{
				method: 'GET',
				headers: { 'user-agent': 'n8n-nodes-brand-infinity', ...headers },
				signal,
				// Connect to the address that was checked, not to a fresh DNS answer.
				...(address ? { lookup: pinnedLookup(address) } : {}),
			},
			(res: IncomingMessage) => {
				resolve({
					status: res.statusCode ?? 0,
					headers: {
						get: (name) => {
							const v = res.headers[name.toLowerCase()];
							return Array.isArray(v) ? v.join(', ') : (v ?? null);
						},
					},
					body: res,
					discard: () => res.destroy(),
				});
			},
		);
		req.on('error', reject);
		req.end();
	});
}

async function fetchHop(fetchImpl: FetchLike, target: Target, headers: Record<string, string>, signal: AbortSignal): Promise<Hop> {
	const res = await fetchImpl(target.url.toString(), { method: 'GET', headers, redirect: 'manual', signal });
	return {
		status: res.status,
		headers: res.headers,
		body: res.body ? Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) : null,
		discard: () => void res.body?.cancel().catch(() => undefined),
	};
}

function networkError(err: unknown, url: string, provider: string | undefined, timedOut: boolean): DownloadError {
	if (err instanceof DownloadError) return err;
	if (timedOut) return new DownloadError('timeout', `download of ${url} timed out`, url, { provider });
	const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
	return new DownloadError('network', `download of ${url} failed: ${code ?? (err as Error).message}`, url, { provider });
}

function statusError(status: number, url: string, headers: Hop['headers'], provider?: string): DownloadError {
	if (status === 403 || status === 404 || status === 410) {
		return new DownloadError(
			'expired',
			`${url} answered HTTP ${status}: the link has expired, the file was deleted, or access is no longer granted; poll the job for a fresh URL or generate again`,
			url,
			{ status, provider },
		);
	}
	const retryAfter = Number.parseFloat(headers.get('retry-after') ?? '');
	return new DownloadError('http_status', `${url} answered HTTP ${status}`, url, {
		status,
		provider,
		retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
	});
}

/** Counts bytes and fails the stream past `maxBytes`. */
function byteLimit(maxBytes: number, url: string, provider: string | undefined, counter: { bytes: number }): Transform {
	return new Transform({
		transform(chunk: Buffer, _enc, cb) {
			counter.bytes += chunk.length;
			if (counter.bytes > maxBytes) cb(new DownloadError('too_large', `${url} is larger than the limit of ${maxBytes} bytes`, url, { provider }));
			else cb(null, chunk);
		},
	});
}

/** Follows redirects (each hop checked) up to the final response. */
async function openFinal(url: string, opts: DownloadToFileOptions, signal: AbortSignal): Promise<{ hop: Hop; url: string }> {
	const first = new URL(url);
	let current = url;
	for (let redirects = 0; ; redirects++) {
		const target = await checkUrl(current, opts);
		const shown = safeUrl(target.url);
		// Credentials only for the origin the caller named.
		const headers = target.url.origin === first.origin ? { ...(opts.headers ?? {}) } : {};
		const hop = opts.fetchImpl ? await fetchHop(opts.fetchImpl, target, headers, signal) : await nodeHop(target, headers, signal);
		if (hop.status >= 300 && hop.status < 400 && hop.status !== 304) {
			const location = hop.headers.get('location');
			hop.discard();
			if (!location) throw new DownloadError('redirect', `${shown} redirected (HTTP ${hop.status}) without a Location`, shown, { status: hop.status, provider: opts.provider });
			if (redirects >= MAX_REDIRECTS) {
				throw new DownloadError('too_many_redirects', `${safeUrl(first)} redirected more than ${MAX_REDIRECTS} times`, safeUrl(first), { provider: opts.provider });
			}
			current = new URL(location, target.url).toString();
			continue;
		}
		return { hop, url: shown };
	}
}

/**
 * Streams `url` to `destPath` (created with its directory; replaced atomically when complete).
 * Refuses non-http(s) URLs and, unless `allowPrivateNetwork`, any private, loopback, link-local,
 * CGNAT, multicast or metadata address on any hop.
 */
export async function downloadToFile(url: string, destPath: string, opts: DownloadToFileOptions = {}): Promise<DownloadResult> {
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
	const timeoutMs = opts.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
	const timeout = AbortSignal.timeout(timeoutMs);
	const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
	const shownFirst = safeUrl(url);
	let final: { hop: Hop; url: string };
	try {
		final = await openFinal(url, opts, signal);
	} catch (err) {
		throw networkError(err, shownFirst, opts.provider, timeout.aborted);
	}
	const { hop } = final;
	if (hop.status !== 200) {
		hop.discard();
		throw statusError(hop.status, final.url, hop.headers, opts.provider);
	}
	const declared = Number.parseInt(hop.headers.get('content-length') ?? '', 10);
	if (Number.isFinite(declared) && declared > maxBytes) {
		hop.discard();
		throw new DownloadError('too_large', `${final.url} is ${declared} bytes, over the limit of ${maxBytes}`, final.url, { provider: opts.provider });
	}
	await mkdir(dirname(destPath), { recursive: true });
	const temp = join(dirname(destPath), `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
	const counter = { bytes: 0 };
	try {
		if (!hop.body) throw new DownloadError('network', `${final.url} answered without a body`, final.url, { provider: opts.provider });
		await pipeline(hop.body, byteLimit(maxBytes, final.url, opts.provider, counter), createWriteStream(temp), { signal });
		if (Number.isFinite(declared) && counter.bytes !== declared) {
			throw new DownloadError('network', `${final.url} ended after ${counter.bytes} of ${declared} bytes`, final.url, { provider: opts.provider });
		}
		await rename(temp, destPath);
	} catch (err) {
		hop.discard();
		await rm(temp, { force: true });
		throw networkError(err, final.url, opts.provider, timeout.aborted);
	}
	return { path: destPath, bytes: counter.bytes, contentType: hop.headers.get('content-type') };
}

// ---------------------------------------------------------------------------------------- small media (images)

/** Default limit for images moved between providers: 30 MB (fal's and Kling's input limit). */
export const DEFAULT_MAX_IMAGE_BYTES = 30 * 1024 * 1024;

/** Decodes a base64 `data:` URL. Throws on anything else. */
export function decodeDataUrl(dataUrl: string): { mimeType: string; bytes: Buffer } {
	const m = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s.exec(dataUrl);
	if (!m) throw new DownloadError('bad_url', 'not a base64 data: URL', 'data:', {});
	return { mimeType: m[1] || 'application/octet-stream', bytes: Buffer.from(m[3], 'base64') };
}

export function toDataUrl(bytes: Buffer, mimeType: string): string {
	return `data:${mimeType};base64,${bytes.toString('base64')}`;
}

/**
 * The bytes of a small file (an image) from a data: URL or an http(s) URL (downloaded with the same
 * checks as downloadToFile, through a temp file). Bounded by `maxBytes` (default 30 MB).
 */
export async function fetchSmallFile(source: string, opts: DownloadToFileOptions = {}): Promise<{ bytes: Buffer; mimeType: string }> {
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
	if (source.startsWith('data:')) {
		const decoded = decodeDataUrl(source);
		if (decoded.bytes.length > maxBytes) throw new DownloadError('too_large', `inline data is over the limit of ${maxBytes} bytes`, 'data:', { provider: opts.provider });
		return decoded;
	}
	const temp = join(tmpdir(), `bi-fetch-${randomBytes(8).toString('hex')}`);
	try {
		const res = await downloadToFile(source, temp, { ...opts, maxBytes });
		return { bytes: await readFile(temp), mimeType: (res.contentType ?? 'application/octet-stream').split(';')[0].trim() };
	} finally {
		await rm(temp, { force: true });
	}
}

/** The image type from the first bytes (PNG, JPEG, WebP, GIF), or null. */
export function sniffImageType(bytes: Buffer): string | null {
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
	if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return 'image/gif';
	return null;
}
