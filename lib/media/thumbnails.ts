/**
 * Thumbnails with sharp: a frame (PNG, extracted by ffmpeg) → a JPEG of the requested size,
 * cropped to fill it around the most salient region (sharp's "attention" strategy: luminance
 * frequency, saturation, skin tones), so a 9:16 master still gives a good 16:9 YouTube thumbnail.
 * Files in, files out: no video is ever held in memory, only one decoded frame inside libvips.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runTool } from './probe';

export interface ThumbnailOptions {
	width: number;
	height: number;
	/** JPEG quality 1–100, default 85. */
	quality?: number;
}

export interface ThumbnailInfo {
	path: string;
	width: number;
	height: number;
	sizeBytes: number;
	atSeconds?: number;
}

/** Resizes an image file (any format sharp reads) to a JPEG thumbnail of exactly width×height. */
export async function makeThumbnail(source: string, dest: string, opts: ThumbnailOptions): Promise<ThumbnailInfo> {
	// Loaded here, not at start-up: sharp (libvips) is only needed when a thumbnail is made.
	const { default: sharp } = await import('sharp');
	const info = await sharp(source)
		.resize(opts.width, opts.height, { fit: 'cover', position: sharp.strategy.attention })
		.jpeg({ quality: opts.quality ?? 85, mozjpeg: true })
		.toFile(dest);
	return { path: dest, width: info.width, height: info.height, sizeBytes: (await stat(dest)).size };
}

/**
 * One frame of a video at `atSeconds` (fast seek before the input, one frame, PNG) made into a
 * thumbnail: for a later thumbnail without re-running the assembly.
 */
export async function thumbnailFromVideo(
	video: string,
	atSeconds: number,
	dest: string,
	opts: ThumbnailOptions & { ffmpegPath?: string; signal?: AbortSignal },
): Promise<ThumbnailInfo> {
	const dir = await mkdtemp(join(tmpdir(), 'bi-thumb-'));
	try {
		const frame = join(dir, 'frame.png');
		await runTool(
			opts.ffmpegPath ?? 'ffmpeg',
			['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', String(atSeconds), '-i', video, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', frame],
			{ signal: opts.signal, timeoutMs: 120_000 },
		);
		return { ...(await makeThumbnail(frame, dest, opts)), atSeconds };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
