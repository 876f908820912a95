/**
 * The `outbox` publisher: a local folder standing in for a platform (the demo, the tests, a person
 * who uploads by hand). One folder per post, named from the idempotency key:
 *
 *   <outboxDir>/<postId>/receipt.json   what was published: key, marker, fingerprint, text, media facts
 *   <outboxDir>/<postId>/video.<ext>    the file (a hard link when the file system allows, else a copy)
 *   <outboxDir>/<postId>/thumbnail.<ext>
 *   <outboxDir>/<postId>/metrics.json   engagement recorded with `recordMetrics` (the demo's audience)
 *
 * Idempotent by key: the post is staged in a hidden folder and renamed into place in one step; a
 * second publish with the same key (or a concurrent one that lost the rename) returns the first
 * receipt. `findExisting` reads the folder, so its answer is always conclusive. `emulate` applies
 * a platform's spec and text rules (publish "as TikTok" without TikTok).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ValidationError } from '../../domain/errors';
import { probeMedia } from '../../media/probe';
import {
	assertPost,
	captionFingerprint,
	checkSpecs,
	composePostText,
	idempotencyMarker,
	specFor,
	type ExistingPost,
	type FindQuery,
	type PlatformSpec,
	type PostMetrics,
	type PublishCheckpoint,
	type PublishOptions,
	type PublishPost,
	type PublishResult,
	type PublishStatus,
	type Publisher,
	type SocialPlatform,
} from './types';

export interface OutboxOptions {
	outboxDir: string;
	/** Check the post against this platform's spec and compose its text the platform's way. */
	emulate?: SocialPlatform;
	specOverrides?: Partial<PlatformSpec>;
	/** "hardlink" (default; falls back to a copy across file systems) or "copy". */
	media?: 'hardlink' | 'copy';
}

export interface OutboxReceipt {
	version: 1;
	platform: 'outbox';
	emulate: SocialPlatform | null;
	postId: string;
	idempotencyKey: string;
	marker: string;
	fingerprint: string;
	publishedAt: string;
	text: string;
	title: string | null;
	hashtags: string[];
	privacy: string | null;
	accountId: string | null;
	media: { file: string; sizeBytes: number; sha256: string; mimeType: string; durationSeconds: number; width: number; height: number; videoCodec: string | null };
	thumbnail: string | null;
	source: { videoPath: string; videoUrl: string | null };
}

const RECEIPT = 'receipt.json';
const METRICS = 'metrics.json';

/** The folder name of a key: stable, file-system safe, whatever characters the key holds. */
export function outboxPostId(idempotencyKey: string): string {
	return `ob_${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 24)}`;
}

function sha256File(path: string): Promise<string> {
	return new Promise((resolvePromise, reject) => {
		const hash = createHash('sha256');
		createReadStream(path)
			.on('data', (c) => hash.update(c))
			.on('error', reject)
			.on('end', () => resolvePromise(hash.digest('hex')));
	});
}

function safeExt(path: string, fallback: string): string {
	const ext = extname(path).toLowerCase();
	return /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : fallback;
}

export class OutboxPublisher implements Publisher {
	readonly platform = 'outbox' as const;
	readonly spec: PlatformSpec;
	readonly dir: string;

	constructor(private readonly opts: OutboxOptions) {
		if (!opts || typeof opts.outboxDir !== 'string' || !opts.outboxDir.trim()) throw new ValidationError('the outbox needs outboxDir (a folder)', 'outboxDir');
		this.dir = resolve(opts.outboxDir);
		this.spec = specFor(opts.emulate ?? 'outbox', opts.specOverrides);
	}

	private postDir(postId: string): string {
		if (!/^ob_[a-f0-9]{24}$/.test(postId)) throw new ValidationError(`not an outbox post id: ${postId.slice(0, 80)}`, 'ref');
		return join(this.dir, postId);
	}

	/** The receipt of a post id, or null. */
	async receipt(postId: string): Promise<OutboxReceipt | null> {
		try {
			return JSON.parse(await readFile(join(this.postDir(postId), RECEIPT), 'utf8')) as OutboxReceipt;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw err;
		}
	}

	/** Every receipt in the folder, oldest first. */
	async list(): Promise<OutboxReceipt[]> {
		let names: string[];
		try {
			names = await readdir(this.dir);
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw err;
		}
		const out: OutboxReceipt[] = [];
		for (const name of names.filter((n) => /^ob_[a-f0-9]{24}$/.test(n))) {
			const r = await this.receipt(name);
			if (r) out.push(r);
		}
		return out.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
	}

	private result(r: OutboxReceipt, notes: string[]): PublishResult {
		return {
			platform: this.platform,
			idempotencyKey: r.idempotencyKey,
			ref: r.postId,
			platformPostId: r.postId,
			url: pathToFileURL(join(this.dir, r.postId, r.media.file)).href,
			status: 'published',
			marker: r.marker,
			fingerprint: r.fingerprint,
			publishedAt: r.publishedAt,
			notes,
			raw: r,
		};
	}

	async publish(post: PublishPost, opts: PublishOptions = {}): Promise<PublishResult> {
		const size = await assertPost(post, 'outbox');
		const info = opts.probe ?? (await probeMedia(post.videoPath));
		const text = composePostText(this.opts.emulate ?? 'outbox', post);
		checkSpecs(this.spec.platform, info, size, text, { spec: this.spec, mimeType: post.mimeType });
		const postId = outboxPostId(post.idempotencyKey);
		const marker = idempotencyMarker(post.idempotencyKey);
		const fingerprint = captionFingerprint(text.text);

		const first = await this.receipt(postId);
		if (first) return this.result(first, ['already in the outbox: the first receipt is returned']);

		const checkpoint = (stage: PublishCheckpoint['stage'], receiptPath?: string) =>
			opts.onCheckpoint?.({
				platform: this.platform,
				idempotencyKey: post.idempotencyKey,
				marker,
				fingerprint,
				stage,
				handles: receiptPath ? { receiptPath } : {},
				sizeBytes: size,
				at: new Date().toISOString(),
			});
		await checkpoint('prepared');
		await mkdir(this.dir, { recursive: true });
		const staging = join(this.dir, `.${postId}.${randomBytes(6).toString('hex')}.tmp`);
		const finalDir = join(this.dir, postId);
		try {
			await mkdir(staging);
			const videoFile = `video${safeExt(post.videoPath, '.mp4')}`;
			await this.placeMedia(post.videoPath, join(staging, videoFile));
			let thumbnail: string | null = null;
			if (post.thumbnailPath) {
				thumbnail = `thumbnail${safeExt(post.thumbnailPath, '.jpg')}`;
				await this.placeMedia(post.thumbnailPath, join(staging, thumbnail));
			}
			const receipt: OutboxReceipt = {
				version: 1,
				platform: 'outbox',
				emulate: this.opts.emulate ?? null,
				postId,
				idempotencyKey: post.idempotencyKey,
				marker,
				fingerprint,
				publishedAt: new Date().toISOString(),
				text: text.text,
				title: text.title ?? null,
				hashtags: text.hashtags,
				privacy: post.privacy ?? null,
				accountId: post.accountId ?? null,
				media: {
					file: videoFile,
					sizeBytes: size,
					sha256: await sha256File(join(staging, videoFile)),
					mimeType: post.mimeType,
					durationSeconds: info.durationSeconds,
					width: info.width,
					height: info.height,
					videoCodec: info.videoCodec,
				},
				thumbnail,
				source: { videoPath: post.videoPath, videoUrl: post.videoUrl ?? null },
			};
			await writeFile(join(staging, RECEIPT), `${JSON.stringify(receipt, null, 2)}\n`);
			await checkpoint('publishing', join(finalDir, RECEIPT));
			try {
				// One step: the post appears whole, or not at all; of two racers exactly one wins.
				await rename(staging, finalDir);
			} catch (err) {
				const code = (err as NodeJS.ErrnoException).code;
				if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
				const winner = await this.receipt(postId);
				if (!winner) throw err;
				return this.result(winner, ['published concurrently under the same key: the first receipt is returned']);
			}
			await checkpoint('accepted', join(finalDir, RECEIPT));
			return this.result(receipt, []);
		} finally {
			await rm(staging, { recursive: true, force: true });
		}
	}

	private async placeMedia(from: string, to: string): Promise<void> {
		if (this.opts.media !== 'copy') {
			try {
				await link(from, to);
				return;
			} catch {
				// EXDEV (another file system) or no hard links here: copy instead.
			}
		}
		await copyFile(from, to);
	}

	async status(ref: string): Promise<PublishStatus> {
		const r = await this.receipt(ref);
		if (!r) return { state: 'failed', ref, error: `no post ${ref} in the outbox ${this.dir}` };
		return { state: 'published', ref, platformPostId: ref, url: pathToFileURL(join(this.dir, ref, r.media.file)).href, raw: r };
	}

	/** The receipt of the key, or null: the folder is the platform, so the answer is conclusive. */
	async findExisting(q: FindQuery): Promise<ExistingPost | null> {
		const postId = outboxPostId(q.idempotencyKey);
		const r = await this.receipt(postId);
		if (!r) return null;
		return { platform: this.platform, ref: postId, platformPostId: postId, url: pathToFileURL(join(this.dir, postId, r.media.file)).href, state: 'published', matchedBy: 'receipt', raw: r };
	}

	/** Records engagement for a post (what the demo's simulated audience did). */
	async recordMetrics(postId: string, metrics: { views?: number; likes?: number; shares?: number; comments?: number }): Promise<void> {
		const dir = this.postDir(postId);
		if (!(await this.receipt(postId))) throw new ValidationError(`no post ${postId} in the outbox`, 'platformPostId');
		const tmp = join(dir, `.${METRICS}.${randomBytes(4).toString('hex')}`);
		await writeFile(tmp, JSON.stringify({ ...metrics, recordedAt: new Date().toISOString() }));
		await rename(tmp, join(dir, METRICS));
	}

	async metrics(platformPostId: string): Promise<PostMetrics> {
		if (!(await this.receipt(platformPostId))) throw new ValidationError(`no post ${platformPostId} in the outbox`, 'platformPostId');
		let m: Record<string, unknown> = {};
		try {
			m = JSON.parse(await readFile(join(this.postDir(platformPostId), METRICS), 'utf8')) as Record<string, unknown>;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
		}
		const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
		return {
			views: n(m.views),
			likes: n(m.likes),
			shares: n(m.shares),
			comments: n(m.comments),
			fetchedAt: new Date().toISOString(),
			note: 'outbox: a local folder has no audience; these are the numbers recorded with recordMetrics (zero when none)',
			raw: m,
		};
	}
}
