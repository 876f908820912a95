/**
 * The object storage / CDN behind the video fakes (what fal.media, BytePlus TOS, Kie's temp files
 * and Google's signed download URLs are to the real vendors): binary-safe, unlike the JSON
 * loopback of openai.ts, so clips stream out and uploads (fal's presigned PUT) come in intact.
 *
 *   GET  /files/{token}/{name}   the file, or 410 Gone / 403 after its expiry (signed URLs)
 *   PUT  /upload/{slot}          a presigned upload slot (fal storage): stores the body
 *   GET  /redirect/{n}?to=URL    n redirects (302), then to URL (SSRF and redirect tests)
 *
 * Real media: `testClip` renders a real H.264 + AAC mp4 of a given size and duration with ffmpeg,
 * `testImage` a real PNG. Both are cached per shape under the OS temp dir, so one test run
 * renders each shape once.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CACHE = join(tmpdir(), 'bi-test-media-v1');
const pending = new Map<string, Promise<string>>();

function ffmpeg(args: string[]): Promise<void> {
	return new Promise((resolve, reject) =>
		execFile('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { maxBuffer: 4 * 1024 * 1024 }, (err, _out, stderr) =>
			err ? reject(new Error(`ffmpeg failed: ${stderr || err.message}`)) : resolve(),
		),
	);
}

async function cached(name: string, make: (out: string) => Promise<void>): Promise<string> {
	const path = join(CACHE, name);
	if (existsSync(path)) return path;
	if (!pending.has(name)) {
		pending.set(
			name,
			(async () => {
				await mkdir(CACHE, { recursive: true });
				const temp = `${path}.${randomBytes(4).toString('hex')}.tmp${name.slice(name.lastIndexOf('.'))}`;
				try {
					await make(temp);
					await rename(temp, path);
				} finally {
					await rm(temp, { force: true });
				}
				return path;
			})(),
		);
	}
	return pending.get(name)!;
}

export interface ClipSpec {
	width: number;
	height: number;
	seconds: number;
	/** Default 24 (Veo's rate). */
	fps?: number;
	/** Default true. */
	audio?: boolean;
}

/** A real mp4 (H.264 yuv420p, AAC) of the given shape; rendered once per shape, then cached. */
export function testClip(spec: ClipSpec): Promise<string> {
	const fps = spec.fps ?? 24;
	const audio = spec.audio ?? true;
	const name = `clip-${spec.width}x${spec.height}-${spec.seconds}s-${fps}fps${audio ? '' : '-mute'}.mp4`;
	return cached(name, (out) =>
		ffmpeg([
			'-f',
			'lavfi',
			'-i',
			`testsrc2=s=${spec.width}x${spec.height}:r=${fps}`,
			...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : []),
			'-t',
			String(spec.seconds),
			'-c:v',
			'libx264',
			'-preset',
			'ultrafast',
			'-pix_fmt',
			'yuv420p',
			...(audio ? ['-c:a', 'aac', '-b:a', '48k'] : []),
			'-movflags',
			'+faststart',
			'-f',
			'mp4',
			out,
		]),
	);
}

/** A real PNG of the given size; cached per size. */
export async function testImage(width: number, height: number): Promise<Buffer> {
	const path = await cached(`image-${width}x${height}.png`, (out) => ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}`, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]));
	return readFile(path);
}

/** Width and height of a PNG from its IHDR chunk (null for other formats). */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
	if (bytes.length < 24 || bytes.readUInt32BE(0) !== 0x89504e47) return null;
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Frame size for an aspect and resolution, as the vendors deliver it (9:16 720p → 720x1280). */
export function shapeFor(aspect: string, resolution: string): { width: number; height: number } {
	const short = resolution === '480p' ? 480 : resolution === '1080p' ? 1080 : resolution === '4k' ? 2160 : 720;
	const long = resolution === '480p' ? 854 : Math.round((short * 16) / 9);
	if (aspect === '16:9') return { width: long, height: short };
	if (aspect === '1:1') return { width: short, height: short };
	return { width: short, height: long };
}

interface StoredFile {
	contentType: string;
	file?: string;
	bytes?: Buffer;
	expiresAt: number;
	expiredStatus: 403 | 410;
	/** Deleted (not just expired): 404. */
	deleted?: boolean;
}

export interface MediaRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	status?: number;
}

export interface MediaHost {
	url: string;
	requests: MediaRequest[];
	/** Serves a file or bytes at a fresh URL; after `ttlMs` it answers `expiredStatus` (default 410). */
	publish(opts: { file?: string; bytes?: Buffer; contentType: string; name?: string; ttlMs?: number; expiredStatus?: 403 | 410 }): string;
	/** A presigned PUT slot: after the PUT, the bytes are served at `fileUrl`. */
	uploadSlot(contentType: string, name?: string, ttlMs?: number): { uploadUrl: string; fileUrl: string };
	/** Expires a published URL now. */
	expire(url: string): void;
	/** The stored bytes behind a URL of this host (uploads and published bytes), if live. */
	read(url: string): Promise<Buffer | null>;
	/** Whether a URL of this host is served right now. */
	isLive(url: string): boolean;
	/** A URL that redirects `hops` times and then to `to`. */
	redirectUrl(to: string, hops?: number): string;
	close(): Promise<void>;
}

export async function startMediaHost(opts: { defaultTtlMs?: number } = {}): Promise<MediaHost> {
	const files = new Map<string, StoredFile>();
	const slots = new Map<string, { token: string; contentType: string; ttlMs: number }>();
	const requests: MediaRequest[] = [];
	const sockets = new Set<Socket>();
	let base = '';

	const tokenOf = (url: string): string | null => {
		if (!url.startsWith(base)) return null;
		const m = /^\/files\/([a-f0-9]+)\//.exec(new URL(url).pathname);
		return m ? m[1] : null;
	};
	const live = (f: StoredFile | undefined) => Boolean(f && !f.deleted && Date.now() < f.expiresAt);

	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://media');
		const logged: MediaRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers };
		requests.push(logged);
		const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
			logged.status = status;
			res.writeHead(status, { 'content-type': 'text/plain', ...headers });
			res.end(body);
		};
		const file = /^\/files\/([a-f0-9]+)\/[^/]+$/.exec(url.pathname);
		if (file && (req.method === 'GET' || req.method === 'HEAD')) {
			const f = files.get(file[1]);
			if (!f || f.deleted) return answer(404, 'NoSuchKey');
			if (!live(f)) return answer(f.expiredStatus, f.expiredStatus === 403 ? 'AccessDenied: Request has expired' : 'Gone: the link has expired');
			const size = f.bytes ? f.bytes.length : statSync(f.file!).size;
			logged.status = 200;
			res.writeHead(200, { 'content-type': f.contentType, 'content-length': String(size) });
			if (req.method === 'HEAD') return res.end();
			if (f.bytes) return res.end(f.bytes);
			createReadStream(f.file!).pipe(res);
			return;
		}
		const upload = /^\/upload\/([a-f0-9]+)$/.exec(url.pathname);
		if (upload && req.method === 'PUT') {
			const slot = slots.get(upload[1]);
			if (!slot) return answer(403, 'SignatureDoesNotMatch');
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const type = String(req.headers['content-type'] ?? '');
				if (type !== slot.contentType) return answer(403, `SignatureDoesNotMatch: content-type ${type} is not ${slot.contentType}`);
				files.set(slot.token, { contentType: slot.contentType, bytes: Buffer.concat(chunks), expiresAt: Date.now() + slot.ttlMs, expiredStatus: 403 });
				slots.delete(upload[1]);
				answer(200, '');
			});
			return;
		}
		const redirect = /^\/redirect\/(\d+)$/.exec(url.pathname);
		if (redirect && req.method === 'GET') {
			const hops = Number(redirect[1]);
			const to = url.searchParams.get('to') ?? '/';
			const next = hops > 1 ? `/redirect/${hops - 1}?to=${encodeURIComponent(to)}` : to; // relative, like most CDNs
			return answer(302, '', { location: next });
		}
		answer(404, 'not found');
	});
	server.on('connection', (s: Socket) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const defaultTtl = opts.defaultTtlMs ?? 24 * 3600_000;

	return {
		url: base,
		requests,
		publish(p) {
			const token = randomBytes(8).toString('hex');
			files.set(token, { contentType: p.contentType, file: p.file, bytes: p.bytes, expiresAt: Date.now() + (p.ttlMs ?? defaultTtl), expiredStatus: p.expiredStatus ?? 410 });
			return `${base}/files/${token}/${encodeURIComponent(p.name ?? 'file')}?X-Signature=${randomBytes(6).toString('hex')}`;
		},
		uploadSlot(contentType, name = 'upload', ttlMs = defaultTtl) {
			const slot = randomBytes(8).toString('hex');
			const token = randomBytes(8).toString('hex');
			slots.set(slot, { token, contentType, ttlMs });
			return { uploadUrl: `${base}/upload/${slot}`, fileUrl: `${base}/files/${token}/${encodeURIComponent(name)}` };
		},
		expire(url) {
			const t = tokenOf(url);
			const f = t ? files.get(t) : undefined;
			if (f) f.expiresAt = 0;
		},
		async read(url) {
			const t = tokenOf(url);
			const f = t ? files.get(t) : undefined;
			if (!f || !live(f)) return null;
			return f.bytes ?? readFile(f.file!);
		},
		isLive(url) {
			const t = tokenOf(url);
			return live(t ? files.get(t) : undefined);
		},
		redirectUrl(to, hops = 1) {
			return `${base}/redirect/${hops}?to=${encodeURIComponent(to)}`;
		},
		close() {
			for (const s of sockets) s.destroy();
			return new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
