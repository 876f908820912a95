/**
 * The brand media library (issue 11): a brand's own images, video clips, logos, fonts and music
 * (and stock footage fetched for it), probed for what they really are and stored once.
 *
 * - Every file is checked before anything is written: images are fully decoded by sharp, clips and
 *   music are probed by ffprobe and a few frames/seconds decoded by ffmpeg, fonts are recognised
 *   by their header. A file that is not media, is corrupt, too big or in an unsupported codec
 *   fails with a MediaFileError naming it, and the whole batch stores nothing.
 * - The file is copied to `<mediaDir>/library/<brand_id>/<sha256 prefix><ext>` and recorded with
 *   `bi_ingest_brand_media`: kind, size, dimensions, duration, description, tags, its embedding
 *   (the embedding provider given: local hashing offline), licence and attribution, and the
 *   content hash. The same bytes again are a no-op (the existing row, `duplicate: true`).
 * - The description is the one given; else, for an image, logo or clip, the `describe` hook's
 *   (a vision model, lib/library/describe.ts) when one is configured; else it is made from the
 *   file name and tags. The hook is not asked about files the brand's library already holds (they
 *   are duplicates: nothing would be stored) nor twice about the same bytes. When it fails for a
 *   file, that file is described from its name and tags and `warnings` says which file and why:
 *   the batch is stored whole, never half, and never silently without the model. After a failure
 *   that will repeat for every file (a rejected key, an unknown or unpriced model) the hook is not
 *   asked again in that batch. `metadata.description_source` records where each description came
 *   from (`given`, `vision`, `file_name`).
 * - Images and logos get their subject's framing for 9:16, 16:9 and 1:1 from sharp's attention
 *   strategy, so the library generator's moving shots keep the subject in every format.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';

import type { Metadata } from 'sharp';

import { ValidationError } from '../domain/errors';
import { probeMedia, runTool, type MediaInfo } from '../media/probe';
import { loadSharp } from '../media/sharp';
import { ProviderError, type AspectRatio, type EmbeddingProvider } from '../providers/types';
import type { Json, Store } from '../store/store';

export const MEDIA_KINDS = ['image', 'video', 'logo', 'font', 'music'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
export type MediaOrigin = 'upload' | 'pexels' | 'pixabay';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.tif', '.tiff', '.svg']);
const VIDEO_EXT = new Set(['.mp4', '.mov', '.m4v', '.webm', '.mkv']);
const AUDIO_EXT = new Set(['.mp3', '.wav', '.m4a', '.aac', '.ogg', '.oga', '.opus', '.flac']);
const FONT_EXT = new Set(['.ttf', '.otf', '.ttc']);
export const SUPPORTED_VIDEO_CODECS = ['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'prores', 'mjpeg'];
export const SUPPORTED_AUDIO_CODECS = ['aac', 'mp3', 'opus', 'vorbis', 'flac', 'alac', 'pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_u8'];
/** Default size limit per file: 512 MiB. */
export const DEFAULT_MAX_MEDIA_BYTES = 512 * 1024 * 1024;

/** A file that cannot go into the library; `file` names it. */
export class MediaFileError extends ValidationError {
	constructor(
		readonly file: string,
		readonly problem: 'not_media' | 'corrupt' | 'too_large' | 'unsupported_codec' | 'missing' | 'invalid',
		message: string,
	) {
		super(`${basename(file)}: ${message}`, 'file');
		this.name = 'MediaFileError';
	}
}

export interface MediaFileInput {
	/** A local file. */
	path: string;
	/** Default: from the extension (and "logo" in the name for a logo). */
	kind?: MediaKind;
	tags?: string[];
	description?: string;
	licence?: string;
	attribution?: string | null;
	/** The licence asks for the attribution to be shown (e.g. CC BY): it goes into the post caption. */
	attributionRequired?: boolean;
	origin?: MediaOrigin;
	sourceUrl?: string | null;
	externalId?: string | null;
	metadata?: Json;
}

export interface IngestDeps {
	store: Store;
	embedder: EmbeddingProvider;
	/** The media store folder; files go under library/<brand_id>/. */
	mediaDir: string;
	/** A vision describer (lib/library/describe.ts), when one is configured; otherwise descriptions come from names and tags. */
	describe?: (file: ProbedMedia) => Promise<string>;
	/** Who `describe` is (e.g. "openai/gpt-4o-mini"), recorded in each described item's metadata. */
	describedBy?: string;
	ffmpegPath?: string;
	ffprobePath?: string;
}

export interface IngestOptions {
	brandId: string;
	files: MediaFileInput[];
	/** Licence for files that give none (a file with neither fails). */
	defaultLicence?: string;
	defaultAttribution?: string | null;
	maxBytes?: number;
}

export interface FramingWindow {
	/** Fractions of the source width/height. */
	left: number;
	top: number;
	width: number;
	height: number;
}

export interface ProbedMedia {
	input: MediaFileInput;
	path: string;
	kind: MediaKind;
	mimeType: string;
	sizeBytes: number;
	hash: string;
	width: number | null;
	height: number | null;
	durationSeconds: number | null;
	/** Subject point (fractions) and the cover crop per aspect that keeps it. */
	focus: { x: number; y: number; windows: Partial<Record<AspectRatio, FramingWindow>> } | null;
	/** An SVG logo is rasterised to PNG for the renderer. */
	raster?: Buffer;
	probe?: MediaInfo;
}

const MIME: Record<string, string> = {
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.webp': 'image/webp',
	'.gif': 'image/gif',
	'.avif': 'image/avif',
	'.tif': 'image/tiff',
	'.tiff': 'image/tiff',
	'.svg': 'image/svg+xml',
	'.mp4': 'video/mp4',
	'.mov': 'video/quicktime',
	'.m4v': 'video/mp4',
	'.webm': 'video/webm',
	'.mkv': 'video/x-matroska',
	'.mp3': 'audio/mpeg',
	'.wav': 'audio/wav',
	'.m4a': 'audio/mp4',
	'.aac': 'audio/aac',
	'.ogg': 'audio/ogg',
	'.oga': 'audio/ogg',
	'.opus': 'audio/opus',
	'.flac': 'audio/flac',
	'.ttf': 'font/ttf',
	'.otf': 'font/otf',
	'.ttc': 'font/collection',
};

function defaultKind(path: string): MediaKind | null {
	const ext = extname(path).toLowerCase();
	if (IMAGE_EXT.has(ext)) return /logo/i.test(basename(path)) ? 'logo' : 'image';
	if (VIDEO_EXT.has(ext)) return 'video';
	if (AUDIO_EXT.has(ext)) return 'music';
	if (FONT_EXT.has(ext)) return 'font';
	return null;
}

async function sha256File(path: string): Promise<string> {
	const h = createHash('sha256');
	for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
	return h.digest('hex');
}

const ASPECTS: [AspectRatio, number, number][] = [
	['9:16', 9, 16],
	['16:9', 16, 9],
	['1:1', 1, 1],
];

/** sharp's attention crop per aspect: where the subject is, and the cover window that keeps it. */
export async function subjectFraming(image: Buffer | string): Promise<NonNullable<ProbedMedia['focus']>> {
	const sharp = await loadSharp();
	// Work on a small copy: the framing is a fraction, and attention on 512 px is fast.
	const small = await sharp(image).rotate().resize(512, 512, { fit: 'inside' }).png().toBuffer({ resolveWithObject: true });
	const sw = small.info.width;
	const sh = small.info.height;
	const windows: Partial<Record<AspectRatio, FramingWindow>> = {};
	let x = 0.5;
	let y = 0.5;
	for (const [aspect, aw, ah] of ASPECTS) {
		const outW = aw * 32;
		const outH = ah * 32;
		const r = await sharp(small.data).resize(outW, outH, { fit: 'cover', position: sharp.strategy.attention }).toBuffer({ resolveWithObject: true });
		const info = r.info as { cropOffsetLeft?: number; cropOffsetTop?: number; attentionX?: number; attentionY?: number };
		const scale = Math.max(outW / sw, outH / sh);
		const scaledW = sw * scale;
		const scaledH = sh * scale;
		const left = Math.min(1, Math.max(0, -(info.cropOffsetLeft ?? 0) / scaledW));
		const top = Math.min(1, Math.max(0, -(info.cropOffsetTop ?? 0) / scaledH));
		windows[aspect] = { left: round4(left), top: round4(top), width: round4(outW / scaledW), height: round4(outH / scaledH) };
		if (aspect === '1:1' && info.attentionX !== undefined && info.attentionY !== undefined) {
			x = round4(info.attentionX / scaledW);
			y = round4(info.attentionY / scaledH);
		}
	}
	return { x, y, windows };
}

const round4 = (v: number) => Math.round(v * 10000) / 10000;

async function isFont(path: string): Promise<boolean> {
	const fh = await open(path, 'r');
	try {
		const buf = Buffer.alloc(4);
		await fh.read(buf, 0, 4, 0);
		const tag = buf.toString('latin1');
		return buf.readUInt32BE(0) === 0x00010000 || tag === 'OTTO' || tag === 'true' || tag === 'ttcf';
	} finally {
		await fh.close();
	}
}

/** Checks one file and reads what it is; throws MediaFileError naming it. Writes nothing. */
export async function probeMediaFile(input: MediaFileInput, opts: { maxBytes?: number; ffmpegPath?: string; ffprobePath?: string } = {}): Promise<ProbedMedia> {
	const path = resolve(input.path);
	let size: number;
	try {
		const st = await stat(path);
		if (!st.isFile()) throw new Error('not a file');
		size = st.size;
	} catch {
		throw new MediaFileError(path, 'missing', 'no such file');
	}
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
	if (size > maxBytes) throw new MediaFileError(path, 'too_large', `${size} bytes is over the limit of ${maxBytes} bytes`);
	if (size === 0) throw new MediaFileError(path, 'corrupt', 'the file is empty');
	if (input.kind !== undefined && !MEDIA_KINDS.includes(input.kind)) {
		throw new MediaFileError(path, 'invalid', `kind "${String(input.kind)}" is not one of ${MEDIA_KINDS.join(', ')}`);
	}
	const kind = input.kind ?? defaultKind(path);
	if (!kind) throw new MediaFileError(path, 'not_media', `"${extname(path) || '(no extension)'}" is not an image, video, font or music file`);
	const ext = extname(path).toLowerCase();
	const base = { input, path, kind, sizeBytes: size, hash: await sha256File(path), mimeType: MIME[ext] ?? 'application/octet-stream' };

	if (kind === 'image' || kind === 'logo') {
		if (!IMAGE_EXT.has(ext)) throw new MediaFileError(path, 'not_media', `a ${kind} must be PNG, JPEG, WebP, GIF, AVIF, TIFF or SVG`);
		const sharp = await loadSharp();
		let meta: Metadata;
		let raster: Buffer | undefined;
		try {
			meta = await sharp(path, { failOn: 'error' }).metadata();
			// Decode every pixel: a truncated or damaged file fails here, not in a render later.
			await sharp(path, { failOn: 'error' }).rotate().raw().toBuffer();
			if (meta.format === 'svg') raster = await sharp(path, { density: 300 }).resize(2048, 2048, { fit: 'inside', withoutEnlargement: false }).png().toBuffer();
		} catch (err) {
			throw new MediaFileError(path, 'corrupt', `not a readable image (${(err as Error).message.split('\n')[0]})`);
		}
		const rotated = (meta.orientation ?? 1) >= 5;
		const width = (rotated ? meta.height : meta.width) ?? null;
		const height = (rotated ? meta.width : meta.height) ?? null;
		if (!width || !height || width < 16 || height < 16) throw new MediaFileError(path, 'corrupt', `image size ${width}x${height} is too small`);
		const focus = await subjectFraming(raster ?? path);
		return { ...base, width, height, durationSeconds: null, focus, raster };
	}
	if (kind === 'font') {
		if (!FONT_EXT.has(ext) || !(await isFont(path))) throw new MediaFileError(path, 'not_media', 'not a TrueType/OpenType font (.ttf, .otf, .ttc)');
		return { ...base, width: null, height: null, durationSeconds: null, focus: null };
	}
	let info: MediaInfo;
	try {
		info = await probeMedia(path, { ffprobePath: opts.ffprobePath });
	} catch {
		throw new MediaFileError(path, 'not_media', 'ffprobe cannot read it as media');
	}
	const ffmpeg = opts.ffmpegPath ?? 'ffmpeg';
	if (kind === 'video') {
		if (!info.hasVideo) throw new MediaFileError(path, 'not_media', 'it has no video stream');
		if (!info.videoCodec || !SUPPORTED_VIDEO_CODECS.includes(info.videoCodec)) {
			throw new MediaFileError(path, 'unsupported_codec', `video codec "${info.videoCodec ?? 'unknown'}" is not supported (use ${SUPPORTED_VIDEO_CODECS.join(', ')})`);
		}
		if (!(info.durationSeconds >= 0.5)) throw new MediaFileError(path, 'corrupt', `duration ${info.durationSeconds} s is too short for a clip`);
		try {
			// Decode the start, the middle and the end: damage anywhere a scene may cut from fails here.
			for (const at of [0, info.durationSeconds / 2, Math.max(0, info.durationSeconds - 0.5)]) {
				await runTool(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-ss', at.toFixed(3), '-i', path, '-map', '0:v:0', '-frames:v', '3', '-f', 'null', '-'], { timeoutMs: 120_000 });
			}
		} catch (err) {
			throw new MediaFileError(path, 'corrupt', `its video does not decode (${(err as Error).message.slice(0, 200)})`);
		}
		let focus: ProbedMedia['focus'] = null;
		// Framing is a nicety for clips: a frame that will not extract leaves the centre crop.
		focus = await clipFraming(ffmpeg, path, info.durationSeconds / 2).catch(() => null);
		return { ...base, width: info.width, height: info.height, durationSeconds: info.durationSeconds, focus, probe: info };
	}
	// music
	if (!info.hasAudio) throw new MediaFileError(path, 'not_media', 'it has no audio stream');
	if (!info.audioCodec || !SUPPORTED_AUDIO_CODECS.includes(info.audioCodec)) {
		throw new MediaFileError(path, 'unsupported_codec', `audio codec "${info.audioCodec ?? 'unknown'}" is not supported (use ${SUPPORTED_AUDIO_CODECS.join(', ')})`);
	}
	if (!(info.durationSeconds >= 1)) throw new MediaFileError(path, 'corrupt', `duration ${info.durationSeconds} s is too short for music`);
	try {
		await runTool(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', '-i', path, '-map', '0:a:0', '-t', '5', '-f', 'null', '-'], { timeoutMs: 120_000 });
	} catch (err) {
		throw new MediaFileError(path, 'corrupt', `its audio does not decode (${(err as Error).message.slice(0, 200)})`);
	}
	return { ...base, width: null, height: null, durationSeconds: info.durationSeconds, focus: null, probe: info };
}

/** One frame from the middle of a clip, framed like a photo. */
async function clipFraming(ffmpeg: string, path: string, at: number): Promise<ProbedMedia['focus']> {
	const dir = await mkdtemp(join(tmpdir(), 'bi-frame-'));
	try {
		const frame = join(dir, 'frame.png');
		await runTool(ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-ss', at.toFixed(3), '-i', path, '-frames:v', '1', '-y', frame], { timeoutMs: 60_000 });
		return await subjectFraming(await readFile(frame));
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** "trail-shoe_orange-01.jpg" + tags → "Trail shoe orange (image; product, shoe)". */
export function describeFromName(path: string, kind: MediaKind, tags: string[]): string {
	const words = basename(path, extname(path))
		.replace(/[_\-.]+/g, ' ')
		.replace(/\b\d+\b/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	const text = words ? words[0].toUpperCase() + words.slice(1) : kind;
	return tags.length ? `${text} (${kind}; ${tags.join(', ')})` : `${text} (${kind})`;
}

/** The text a library item is embedded from (and that a scene's prompt is compared with). */
export function mediaEmbeddingText(kind: string, description: string, tags: string[]): string {
	return `${kind}: ${description}. ${tags.join(' ')}`;
}

function normaliseTags(tags: unknown, path: string): string[] {
	if (tags === undefined || tags === null) return [];
	if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) throw new MediaFileError(path, 'invalid', 'tags must be an array of strings');
	return [...new Set((tags as string[]).map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

export interface IngestResult {
	brand_id: string;
	ingested: Json[];
	duplicates: Json[];
	/** Files described from their names and tags although a describer is configured, and why. */
	warnings: string[];
}

/** Kinds a describer is shown (it sees pixels; fonts and music keep their name descriptions). */
const DESCRIBED_KINDS: ReadonlySet<MediaKind> = new Set(['image', 'logo', 'video']);

/** A describer failure that would repeat for every file: a rejected key, an unknown model, a model the price table lacks. */
function failsEveryFile(err: unknown): boolean {
	if (err instanceof ProviderError) return err.status === 401 || err.status === 403 || err.status === 404;
	return err instanceof ValidationError && err.field === 'model';
}

type DescriptionSource = 'given' | 'vision' | 'file_name';

/** Every file's description and its source; describer failures become warnings (see the file comment). */
async function describeAll(deps: IngestDeps, brandId: string, probed: (ProbedMedia & { tags: string[] })[]): Promise<{ texts: string[]; sources: DescriptionSource[]; warnings: string[] }> {
	const texts: string[] = [];
	const sources: DescriptionSource[] = [];
	const warnings: string[] = [];
	const held = deps.describe ? new Set((await deps.store.listBrandMedia(brandId)).map((m) => m.content_hash as string)) : new Set<string>();
	const asked = new Map<string, Promise<string>>();
	let stopped: string | null = null;
	const notAsked: string[] = [];
	for (const p of probed) {
		const name = basename(p.path);
		const given = p.input.description?.trim();
		if (given) {
			texts.push(given);
			sources.push('given');
			continue;
		}
		let text = '';
		if (deps.describe && DESCRIBED_KINDS.has(p.kind) && !held.has(p.hash)) {
			if (stopped) notAsked.push(name);
			else {
				try {
					if (!asked.has(p.hash)) asked.set(p.hash, deps.describe(p));
					text = (await asked.get(p.hash)!).trim();
					if (!text) throw new Error('the describer answered an empty description');
				} catch (err) {
					const reason = (err as Error).message.replace(/\s+/g, ' ').slice(0, 300);
					warnings.push(`${name}: described from its file name and tags instead: the vision model failed (${reason})`);
					if (failsEveryFile(err)) stopped = reason;
					text = '';
				}
			}
		}
		texts.push(text || describeFromName(p.path, p.kind, p.tags));
		sources.push(text ? 'vision' : 'file_name');
	}
	if (notAsked.length) warnings.push(`${notAsked.join(', ')}: described from file names and tags too: the vision model was not asked again after that failure`);
	return { texts, sources, warnings };
}

/** Ingests files: every one is checked first; one bad file stops the batch before anything is stored. */
export async function ingestMedia(deps: IngestDeps, opts: IngestOptions): Promise<IngestResult> {
	if (!opts.files?.length) throw new ValidationError('files must list at least one media file', 'files');
	await deps.store.getBrand(opts.brandId);
	const probed: (ProbedMedia & { tags: string[]; licence: string })[] = [];
	for (const file of opts.files) {
		if (!file || typeof file.path !== 'string' || !file.path.trim()) throw new ValidationError('every file needs a path', 'files');
		const tags = normaliseTags(file.tags, file.path);
		const licence = (file.licence ?? opts.defaultLicence ?? '').trim();
		if (!licence) throw new MediaFileError(file.path, 'invalid', 'no licence: give the file (or the manifest) a licence or rights statement');
		probed.push({ ...(await probeMediaFile(file, { maxBytes: opts.maxBytes, ffmpegPath: deps.ffmpegPath, ffprobePath: deps.ffprobePath })), tags, licence });
	}
	const { texts: descriptions, sources, warnings } = await describeAll(deps, opts.brandId, probed);
	const { vectors } = await deps.embedder.embed(probed.map((p, k) => mediaEmbeddingText(p.kind, descriptions[k], p.tags)));
	const dir = join(deps.mediaDir, 'library', opts.brandId);
	await mkdir(dir, { recursive: true });
	const result: IngestResult = { brand_id: opts.brandId, ingested: [], duplicates: [], warnings };
	for (const [k, p] of probed.entries()) {
		const ext = p.raster ? '.png' : extname(p.path).toLowerCase();
		const dest = join(dir, `${p.hash.slice(0, 24)}${ext}`);
		let created = false;
		try {
			await stat(dest);
		} catch {
			if (p.raster) await writeFile(dest, p.raster);
			else await copyFile(p.path, dest);
			created = true;
		}
		let row: Json;
		try {
			row = await deps.store.ingestBrandMedia({
				brand_id: opts.brandId,
				kind: p.kind,
				origin: p.input.origin ?? 'upload',
				file_url: dest,
				file_name: basename(p.path),
				mime_type: p.raster ? 'image/png' : p.mimeType,
				size_bytes: p.sizeBytes,
				width: p.width,
				height: p.height,
				duration_seconds: p.durationSeconds === null ? null : Math.round(p.durationSeconds * 1000) / 1000,
				description: descriptions[k],
				tags: p.tags,
				licence: p.licence,
				attribution: p.input.attribution ?? opts.defaultAttribution ?? null,
				attribution_required: p.input.attributionRequired ?? false,
				source_url: p.input.sourceUrl ?? null,
				external_id: p.input.externalId ?? null,
				content_hash: p.hash,
				focus: (p.focus ?? {}) as unknown as Json,
				metadata: {
					...(p.input.metadata ?? {}),
					...(p.raster ? { original_format: 'svg' } : {}),
					embedding_provider: `${deps.embedder.name}/${deps.embedder.model}`,
					description_source: sources[k],
					...(sources[k] === 'vision' && deps.describedBy ? { described_by: deps.describedBy } : {}),
				},
				embedding: `[${vectors[k].join(',')}]`,
			});
		} catch (err) {
			if (created) await rm(dest, { force: true });
			throw err;
		}
		if (row.duplicate) {
			if (created && row.file_url !== dest) await rm(dest, { force: true });
			result.duplicates.push(row);
		} else result.ingested.push(row);
	}
	return result;
}

// ------------------------------------------------------------------------------- media.json

/** A folder's `media.json`: defaults plus one entry per file (see README "Brand media library"). */
export interface MediaManifest {
	/** The brand the folder belongs to (informational). */
	brand?: string;
	licence?: string;
	attribution?: string | null;
	files?: Array<{
		file: string;
		kind?: MediaKind;
		tags?: string[];
		description?: string;
		licence?: string;
		attribution?: string | null;
		attribution_required?: boolean;
	}>;
}

/** Files a folder holds that are not media and never ingested: its manifest, licence and notes. */
const NOT_INGESTED = /^(media\.json|licen[cs]e.*|copying.*|readme.*|.*\.(md|txt|json))$/i;

/**
 * The ingest list for a folder: every file of `media.json` with its entry, then any other file
 * there with the manifest's defaults (kind from the extension, tags from the file name). A listed
 * file that is missing fails with its name.
 */
export async function mediaFolderFiles(folder: string): Promise<{ files: MediaFileInput[]; defaultLicence?: string; defaultAttribution?: string | null }> {
	const root = resolve(folder);
	let manifest: MediaManifest = {};
	try {
		manifest = JSON.parse(await readFile(join(root, 'media.json'), 'utf8')) as MediaManifest;
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ValidationError(`media.json in ${root} is not valid JSON: ${(err as Error).message}`, 'media.json');
	}
	const unknown = Object.keys(manifest).filter((k) => !['brand', 'licence', 'attribution', 'files'].includes(k));
	if (unknown.length) throw new ValidationError(`media.json: unknown field ${unknown.join(', ')} (a manifest has brand, licence, attribution and files)`, 'media.json');
	if (manifest.files !== undefined && !Array.isArray(manifest.files)) throw new ValidationError('media.json: files must be an array', 'media.json');
	const files: MediaFileInput[] = [];
	const listed = new Set<string>();
	for (const [k, e] of (manifest.files ?? []).entries()) {
		if (!e || typeof e.file !== 'string' || !e.file.trim() || e.file.includes('..')) throw new ValidationError(`media.json: files[${k}].file must be a file name in the folder`, `files[${k}].file`);
		listed.add(e.file);
		files.push({
			path: join(root, e.file),
			kind: e.kind,
			tags: e.tags,
			description: e.description,
			licence: e.licence,
			attribution: e.attribution,
			attributionRequired: e.attribution_required,
		});
	}
	const entries = await readdir(root, { withFileTypes: true });
	for (const d of entries.sort((a, b) => a.name.localeCompare(b.name))) {
		if (!d.isFile() || listed.has(d.name) || d.name.startsWith('.') || NOT_INGESTED.test(d.name)) continue;
		const tags = basename(d.name, extname(d.name)).toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !/^\d+$/.test(w));
		files.push({ path: join(root, d.name), tags });
	}
	return { files, defaultLicence: manifest.licence, defaultAttribution: manifest.attribution ?? null };
}

/** Ingests a folder (its media.json and files). */
export async function ingestMediaFolder(deps: IngestDeps, opts: { brandId: string; folder: string; maxBytes?: number }): Promise<IngestResult> {
	const list = await mediaFolderFiles(opts.folder);
	return ingestMedia(deps, { brandId: opts.brandId, files: list.files, defaultLicence: list.defaultLicence, defaultAttribution: list.defaultAttribution, maxBytes: opts.maxBytes });
}

// ------------------------------------------------------------------------------- requests (webhook)

/** One file of an ingest request: fetched from `url` (SSRF-safe), never read from a path the requester names. */
export interface MediaRequestFile {
	url: string;
	/** The name it is stored under (default: the URL's last path segment). */
	file_name?: string;
	kind?: MediaKind;
	tags?: string[];
	description?: string;
	licence?: string;
	attribution?: string | null;
	attribution_required?: boolean;
}

/**
 * An ingest request from outside (a webhook body): `{files: [{url, kind?, tags?, description?,
 * licence?, attribution?, attribution_required?}], licence?}`. Each URL is downloaded through the
 * SSRF-safe downloader into a temporary folder, then the batch is ingested as usual.
 */
export async function ingestMediaRequest(
	deps: IngestDeps,
	opts: { brandId: string; request: unknown; defaultLicence?: string; maxBytes?: number; allowPrivateNetwork?: boolean },
): Promise<IngestResult> {
	const body = (opts.request ?? {}) as { files?: unknown; licence?: unknown; attribution?: unknown };
	if (!Array.isArray(body.files) || body.files.length === 0) throw new ValidationError('files must be a non-empty array of {url, kind?, tags?, description?, licence?, attribution?}', 'files');
	const { downloadToFile } = await import('../media/download');
	const dir = await mkdtemp(join(tmpdir(), 'bi-ingest-'));
	try {
		const files: MediaFileInput[] = [];
		for (const [k, raw] of (body.files as MediaRequestFile[]).entries()) {
			if (!raw || typeof raw.url !== 'string') throw new ValidationError(`files[${k}].url is required (an http(s) URL)`, `files[${k}].url`);
			const name = (raw.file_name || decodeURIComponent(new URL(raw.url).pathname.split('/').pop() || '') || `file-${k}`).replace(/[^A-Za-z0-9._-]+/g, '-').slice(-120);
			const path = join(dir, `${k}-${name}`);
			await downloadToFile(raw.url, path, { allowPrivateNetwork: opts.allowPrivateNetwork, maxBytes: opts.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES, provider: 'media ingest' }).catch((err: Error) => {
				throw new MediaFileError(name, 'missing', `could not be downloaded (${err.message})`);
			});
			files.push({ path, kind: raw.kind, tags: raw.tags, description: raw.description, licence: raw.licence, attribution: raw.attribution, attributionRequired: raw.attribution_required, metadata: { source_url: raw.url.split('?')[0] } });
		}
		const licence = typeof body.licence === 'string' ? body.licence : opts.defaultLicence;
		return await ingestMedia(deps, { brandId: opts.brandId, files, defaultLicence: licence, defaultAttribution: typeof body.attribution === 'string' ? body.attribution : null, maxBytes: opts.maxBytes });
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** Uploaded bytes (n8n binary data, a form upload): written to a temporary folder under their names, then ingested. */
export async function ingestMediaBytes(
	deps: IngestDeps,
	opts: { brandId: string; files: { name: string; bytes: Buffer; tags?: string[] }[]; defaultLicence?: string; maxBytes?: number },
): Promise<IngestResult> {
	if (!opts.files.length) throw new ValidationError('the item has no binary files to ingest', 'binary');
	const dir = await mkdtemp(join(tmpdir(), 'bi-media-upload-'));
	try {
		const files: MediaFileInput[] = [];
		for (const [k, f] of opts.files.entries()) {
			const path = join(dir, `${k}-${(f.name || `file-${k}`).replace(/[^A-Za-z0-9._-]+/g, '-').slice(-120)}`);
			await writeFile(path, f.bytes);
			files.push({ path, tags: f.tags });
		}
		return await ingestMedia(deps, { brandId: opts.brandId, files, defaultLicence: opts.defaultLicence, maxBytes: opts.maxBytes });
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
