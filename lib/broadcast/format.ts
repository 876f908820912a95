/**
 * The format per platform (seed 003 pillar 5, "Format Conversion"): pick the assembler output that
 * fits the platform (9:16 for TikTok, Reels and Shorts; 16:9 for YouTube long-form; 16:9 or 1:1
 * for LinkedIn), check it against the platform spec (`specProblems`), and transcode with ffmpeg
 * only when the spec says so — a codec, container, frame rate, resolution or size the platform
 * refuses, or no output of an aspect it takes (then a centre crop). A file that fits is used as
 * it is. What no transcode can fix (too long, too short, no video) is refused naming the field.
 * Transcodes are cached by source and plan, so a retry reuses the file (seed: "reuse formatted assets").
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ValidationError } from '../domain/errors';
import { probeMedia, runTool, type MediaInfo } from '../media/probe';
import { aspectLabel, specFor, specProblems, type PlatformSpec, type PublishPlatform, type SocialPlatform, type SpecPlatform, type SpecProblem } from '../providers/publish/types';

export type OutputAspect = '9:16' | '16:9' | '1:1';
export type YouTubeFormat = 'shorts' | 'long';

/** One rendered output of a video (the assembler's `assets` rows, or a file given directly). */
export interface SourceAsset {
	path: string;
	/** "9:16", "16:9", "1:1" (else computed from the probe). */
	aspect?: string | null;
}

/** Where a post goes, as far as its format is concerned. */
export interface FormatTarget {
	platform: PublishPlatform;
	/** outbox: the platform it stands in for. */
	emulate?: SocialPlatform;
	/** blotato: where Blotato posts. */
	targetPlatform?: SocialPlatform;
	/** youtube: a Short (vertical, ≤ 3 min; default) or a long-form video (16:9). */
	youtubeFormat?: YouTubeFormat;
	specOverrides?: Partial<PlatformSpec>;
}

export interface FormatDecision {
	platform: PublishPlatform;
	/** The spec the file was checked against (its label, e.g. "TikTok"). */
	spec: string;
	/** The output chosen (before any transcode). */
	sourcePath: string;
	/** The file to publish: the source itself, or the transcode. */
	path: string;
	transcoded: boolean;
	/** A transcode made earlier for the same source and plan was reused. */
	reused: boolean;
	/** Why the file was transcoded (the spec problems it fixed), or why the source fits. */
	reasons: string[];
	aspectRatio: OutputAspect | null;
	width: number;
	height: number;
	durationSeconds: number;
	sizeBytes: number;
	videoCodec: string | null;
}

export interface FormatOptions {
	/** Where transcodes go (`<mediaDir>/broadcast/`). */
	mediaDir: string;
	ffmpegPath?: string;
	ffprobePath?: string;
	/** Per ffmpeg run; default 30 min. */
	timeoutMs?: number;
}

/** YouTube long-form: landscape, up to 12 h (the publisher needs the same overrides). */
export const YOUTUBE_LONG_SPEC: Partial<PlatformSpec> = {
	label: 'YouTube',
	aspect: { min: 1, max: 2.4, recommended: '16:9', describe: 'landscape (1:1 to 2.4:1)' },
	maxDurationSeconds: 12 * 3600,
};

/** The aspects each surface takes, best first. */
export const PREFERRED_ASPECTS: Record<SpecPlatform | 'youtube_long', OutputAspect[]> = {
	tiktok: ['9:16', '1:1'],
	instagram: ['9:16', '1:1'],
	youtube: ['9:16', '1:1'],
	youtube_long: ['16:9'],
	linkedin: ['16:9', '1:1', '9:16'],
	outbox: ['9:16', '16:9', '1:1'],
};

/** The platform whose spec and text rules a post follows (Blotato's target, the outbox's emulation). */
export function specPlatformOf(target: FormatTarget): SpecPlatform {
	if (target.platform === 'blotato') {
		if (!target.targetPlatform) throw new ValidationError('blotato needs targetPlatform (tiktok, instagram, youtube or linkedin)', 'targetPlatform');
		return target.targetPlatform;
	}
	if (target.platform === 'outbox') return target.emulate ?? 'outbox';
	return target.platform;
}

/** The spec overrides a publisher for this target needs (YouTube long-form), merged with the caller's. */
export function specOverridesFor(target: FormatTarget): Partial<PlatformSpec> | undefined {
	const long = specPlatformOf(target) === 'youtube' && target.youtubeFormat === 'long';
	if (!long && !target.specOverrides) return undefined;
	return { ...(long ? YOUTUBE_LONG_SPEC : {}), ...(target.specOverrides ?? {}) };
}

/** The spec a post to this target is checked against. */
export function specForTarget(target: FormatTarget): PlatformSpec {
	return specFor(specPlatformOf(target), specOverridesFor(target));
}

const MEDIA_PROBLEMS = new Set<SpecProblem['spec']>(['aspect', 'resolution', 'duration', 'size', 'codec', 'container', 'frame_rate', 'mime_type', 'video']);
const UNFIXABLE = new Set<SpecProblem['spec']>(['duration', 'video']);

/** The file's problems with the spec (the text is checked separately, with the caption). */
export function mediaProblems(spec: PlatformSpec, info: MediaInfo, sizeBytes: number): SpecProblem[] {
	return specProblems(spec, info, sizeBytes, '', 'video/mp4').filter((p) => MEDIA_PROBLEMS.has(p.spec));
}

function ratioOf(label: string): number | null {
	const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)/.exec(label.trim());
	return m ? Number(m[1]) / Number(m[2]) : null;
}

function namedAspect(width: number, height: number): OutputAspect | null {
	const label = width && height ? aspectLabel(width, height) : '';
	return label === '9:16' || label === '16:9' || label === '1:1' ? label : null;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

interface Plan {
	crop: { width: number; height: number } | null;
	scale: { width: number; height: number } | null;
	fps: number | null;
	videoBitrate: number | null;
	audio: boolean;
	reasons: string[];
}

/** What ffmpeg must do so `info` meets `spec`; throws for what it cannot fix. */
export function transcodePlan(spec: PlatformSpec, info: MediaInfo, sizeBytes: number, wantAspect: number | null): Plan {
	const problems = mediaProblems(spec, info, sizeBytes);
	const fatal = problems.filter((p) => UNFIXABLE.has(p.spec));
	if (fatal.length) {
		throw new ValidationError(`${spec.label} cannot take this video, and no transcode fixes it: ${fatal.map((p) => `${p.spec}: ${p.message}`).join('; ')}`, fatal[0].spec, {
			platform: spec.platform,
			problems: fatal,
		});
	}
	const reasons = problems.map((p) => `${p.spec}: ${p.message}`);
	let w = info.width;
	let h = info.height;
	let crop: Plan['crop'] = null;
	if (problems.some((p) => p.spec === 'aspect') && wantAspect) {
		// Centre crop to the platform's recommended aspect.
		const cw = Math.min(w, h * wantAspect);
		const ch = Math.min(h, w / wantAspect);
		crop = { width: even(cw), height: even(ch) };
		w = crop.width;
		h = crop.height;
	}
	let s = 1;
	if (spec.maxWidth && w > spec.maxWidth) s = Math.min(s, spec.maxWidth / w);
	if (spec.maxSide && Math.max(w, h) > spec.maxSide) s = Math.min(s, spec.maxSide / Math.max(w, h));
	if (spec.minSide && Math.min(w, h) * s < spec.minSide) s = spec.minSide / Math.min(w, h);
	const scale = s !== 1 ? { width: even(w * s), height: even(h * s) } : null;
	let fps: number | null = null;
	if (spec.frameRate && info.frameRate > 0 && (info.frameRate < spec.frameRate.min - 0.5 || info.frameRate > spec.frameRate.max + 0.5)) {
		fps = info.frameRate < spec.frameRate.min ? Math.max(30, Math.ceil(spec.frameRate.min)) : Math.floor(spec.frameRate.max);
	}
	let videoBitrate: number | null = null;
	if (problems.some((p) => p.spec === 'size')) {
		const seconds = Math.max(1, info.durationSeconds);
		videoBitrate = Math.floor((spec.maxSizeBytes * 0.9 * 8) / seconds) - (info.hasAudio ? 128_000 : 0);
		if (videoBitrate < 100_000) {
			throw new ValidationError(`${spec.label}: ${Math.round(seconds)} s of video cannot fit ${spec.maxSizeBytes} bytes at a watchable bitrate`, 'size', { platform: spec.platform });
		}
	}
	return { crop, scale, fps, videoBitrate, audio: info.hasAudio, reasons };
}

function ffmpegArgs(src: string, out: string, plan: Plan): string[] {
	const filters: string[] = [];
	if (plan.crop) filters.push(`crop=${plan.crop.width}:${plan.crop.height}`);
	if (plan.scale) filters.push(`scale=${plan.scale.width}:${plan.scale.height}`);
	filters.push('setsar=1', 'format=yuv420p');
	const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', src, '-map', '0:v:0', '-map', '0:a:0?', '-vf', filters.join(',')];
	if (plan.fps) args.push('-r', String(plan.fps));
	args.push('-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high');
	if (plan.videoBitrate) args.push('-b:v', String(plan.videoBitrate), '-maxrate', String(plan.videoBitrate), '-bufsize', String(plan.videoBitrate * 2));
	else args.push('-crf', '21');
	if (plan.audio) args.push('-c:a', 'aac', '-b:a', '128k', '-ar', '48000');
	args.push('-movflags', '+faststart', '-f', 'mp4', out);
	return args;
}

async function fileSize(path: string): Promise<number> {
	try {
		const st = await stat(path);
		if (!st.isFile()) throw new Error('not a file');
		return st.size;
	} catch {
		throw new ValidationError(`the video file ${path} cannot be read`, 'video_path');
	}
}

/**
 * Chooses and, only when needed, transcodes the file for `target` from the video's outputs.
 * Throws ValidationError naming the field (duration, video, assets) for what cannot be fixed.
 */
export async function formatForPlatform(target: FormatTarget, assets: SourceAsset[], opts: FormatOptions): Promise<FormatDecision> {
	if (!assets.length) throw new ValidationError('the video has no rendered outputs to publish (run the FFmpeg Assembler first, or give a file)', 'video_id');
	const spec = specForTarget(target);
	const specPlatform = specPlatformOf(target);
	const prefs = PREFERRED_ASPECTS[specPlatform === 'youtube' && target.youtubeFormat === 'long' ? 'youtube_long' : specPlatform];
	const probed: Array<{ asset: SourceAsset; info: MediaInfo; size: number; aspect: OutputAspect | null }> = [];
	for (const asset of assets) {
		const size = await fileSize(asset.path);
		const info = await probeMedia(asset.path, { ffprobePath: opts.ffprobePath });
		const aspect = (['9:16', '16:9', '1:1'] as const).find((a) => a === asset.aspect) ?? namedAspect(info.width, info.height);
		probed.push({ asset, info, size, aspect });
	}
	const rank = (a: OutputAspect | null) => (a && prefs.includes(a) ? prefs.indexOf(a) : prefs.length);
	const aspectFits = (c: (typeof probed)[number]) => !mediaProblems(spec, c.info, c.size).some((p) => p.spec === 'aspect');
	// Best: an output of a preferred aspect the spec takes; then any output the spec takes; else the first to crop.
	const candidates = [...probed].sort((x, y) => rank(x.aspect) - rank(y.aspect));
	const chosen = candidates.find(aspectFits) ?? candidates[0];
	const problems = mediaProblems(spec, chosen.info, chosen.size);
	const base = { platform: target.platform, spec: spec.label, sourcePath: chosen.asset.path };
	if (!problems.length) {
		return {
			...base,
			path: chosen.asset.path,
			transcoded: false,
			reused: false,
			reasons: [`fits ${spec.label} as it is (${chosen.info.width}x${chosen.info.height}, ${chosen.info.videoCodec}, ${chosen.info.durationSeconds.toFixed(2)} s)`],
			aspectRatio: namedAspect(chosen.info.width, chosen.info.height),
			width: chosen.info.width,
			height: chosen.info.height,
			durationSeconds: chosen.info.durationSeconds,
			sizeBytes: chosen.size,
			videoCodec: chosen.info.videoCodec,
		};
	}
	const plan = transcodePlan(spec, chosen.info, chosen.size, ratioOf(prefs[0]) ?? ratioOf(spec.aspect.recommended));
	const st = await stat(chosen.asset.path);
	const key = createHash('sha256')
		.update(JSON.stringify([chosen.asset.path, st.size, st.mtimeMs, spec.platform, plan.crop, plan.scale, plan.fps, plan.videoBitrate]))
		.digest('hex')
		.slice(0, 20);
	const dir = join(opts.mediaDir, 'broadcast');
	const out = join(dir, `${key}-${specPlatform}.mp4`);
	const reused = existsSync(out);
	if (!reused) {
		await mkdir(dir, { recursive: true });
		// Unique per call: two executions in one worker may transcode the same file at the same moment.
		const tmp = join(dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp.mp4`);
		try {
			await runTool(opts.ffmpegPath ?? 'ffmpeg', ffmpegArgs(chosen.asset.path, tmp, plan), { timeoutMs: opts.timeoutMs ?? 30 * 60_000 });
			await rename(tmp, out);
		} finally {
			await rm(tmp, { force: true });
		}
	}
	const size = await fileSize(out);
	const info = await probeMedia(out, { ffprobePath: opts.ffprobePath });
	const left = mediaProblems(spec, info, size);
	if (left.length) {
		if (reused) await rm(out, { force: true });
		throw new ValidationError(`${spec.label}: the transcode still breaks the spec: ${left.map((p) => `${p.spec}: ${p.message}`).join('; ')}`, left[0].spec, { platform: spec.platform, problems: left });
	}
	return {
		...base,
		path: out,
		transcoded: true,
		reused,
		reasons: plan.reasons,
		aspectRatio: namedAspect(info.width, info.height),
		width: info.width,
		height: info.height,
		durationSeconds: info.durationSeconds,
		sizeBytes: size,
		videoCodec: info.videoCodec,
	};
}
