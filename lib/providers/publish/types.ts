/**
 * The Broadcaster's `Publisher`: one interface over YouTube, TikTok, Instagram Reels, LinkedIn,
 * Blotato and a local `outbox` folder, plus what every publisher shares: the platform video specs
 * (`PLATFORM_SPECS`, `checkSpecs`: refused BEFORE any request), the text each platform gets
 * (`composePostText`), the idempotency marker and caption fingerprint that `findExisting` matches
 * on, checkpoints, and the HTTP base of the remote adapters (retry rules, error mapping, streamed
 * uploads, polling).
 *
 * ## A post is never published twice
 * - `publish` reports every handle the platform gives it through `opts.onCheckpoint` and AWAITS the
 *   callback before the next request. The stage `publishing` is reported right before the first
 *   request that can make a post (YouTube's and TikTok's upload, whose last byte makes the post;
 *   Instagram's `media_publish`; LinkedIn's `POST /rest/posts`; Blotato's `POST /posts`). A caller
 *   that stores each checkpoint knows: no stored `publishing` checkpoint ⇒ nothing was posted.
 * - A request that can make a post is never sent again when its outcome is unknown (a dropped
 *   connection, a timeout, a 5xx): the adapter ASKS the platform (YouTube: the upload session;
 *   TikTok: the status of the publish_id; Instagram: the container's status_code; LinkedIn: the
 *   author's posts holding the video), or throws `ProviderError` with `outcomeKnown: false`.
 * - `findExisting` resolves an unknown outcome later, from the checkpoint's handles or, without
 *   them, from the platform's list of recent posts (the YouTube marker tag, or the caption
 *   fingerprint). `null` means the platform says there is no such post; when the platform cannot
 *   tell, it throws `PublishUnverifiableError`: hold the post for a person.
 *
 * Requests that create nothing public (reads, status polls, upload-session and container
 * creation, byte uploads before the last one) are repeated after an unknown outcome: an orphaned
 * session or container publishes nothing and expires.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { secretRedactor, ValidationError } from '../../domain/errors';
import { probeMedia, type MediaInfo } from '../../media/probe';
import { callWithRetries, ProviderCallError, toProviderError, type RetryPolicy } from '../llm/openai';
import { ProviderError } from '../types';
import { HttpStatusError, trimSlash, vendorErrorText, type FetchFn } from '../video/common';

// ---------------------------------------------------------------------------------------- the interface

export const PUBLISH_PLATFORMS = ['youtube', 'tiktok', 'instagram', 'linkedin', 'blotato', 'outbox'] as const;
export type PublishPlatform = (typeof PUBLISH_PLATFORMS)[number];
/** The platforms with a video spec of their own (Blotato posts to one of these). */
export type SocialPlatform = 'youtube' | 'tiktok' | 'instagram' | 'linkedin';
export type SpecPlatform = SocialPlatform | 'outbox';

export type Privacy = 'public' | 'unlisted' | 'followers' | 'friends' | 'private';

export interface PublishPost {
	/** One key per variant × platform × account (the `platform_posts.idempotency_key`). */
	idempotencyKey: string;
	/** The final file (always: the specs are checked on it, and uploads stream from it). */
	videoPath: string;
	/** A public URL of the same file, for platforms that pull (Instagram, Blotato). */
	videoUrl?: string;
	mimeType: string;
	sizeBytes: number;
	caption: string;
	/** "#tag" (or "tag"): each platform places them its own way. */
	hashtags: string[];
	/** YouTube's title (default: the caption's first line, cut to 100 characters). */
	title?: string;
	thumbnailPath?: string;
	privacy?: Privacy;
	/** Blotato account id (looked up from the accounts list when absent). */
	accountId?: string;
}

export type CheckpointStage = 'prepared' | 'uploading' | 'publishing' | 'accepted';

/** The handles a platform gave for one attempt: what `findExisting` asks the platform with. */
export interface PublishHandles {
	/** YouTube resumable session URI. */
	sessionUri?: string;
	videoId?: string;
	/** TikTok. */
	publishId?: string;
	/** Instagram. */
	containerId?: string;
	mediaId?: string;
	/** LinkedIn. */
	videoUrn?: string;
	postUrn?: string;
	/** Blotato. */
	postSubmissionId?: string;
	/** Outbox. */
	receiptPath?: string;
}

/**
 * Reported by `publish` (and awaited) whenever a handle appears. `publishing`: the next request can
 * make the post, store this before it goes. `accepted`: the platform took the post.
 */
export interface PublishCheckpoint {
	platform: PublishPlatform;
	idempotencyKey: string;
	marker: string;
	fingerprint: string;
	stage: CheckpointStage;
	handles: PublishHandles;
	/** The file's size (YouTube asks its upload session with it). */
	sizeBytes: number;
	/** ISO time of the checkpoint. */
	at: string;
}

export interface PublishOptions {
	/** Called (and awaited) with every checkpoint; a throw stops the publish before the next request. */
	onCheckpoint?: (checkpoint: PublishCheckpoint) => void | Promise<void>;
	/** The file's probe, when the caller already has it (otherwise ffprobe runs). */
	probe?: MediaInfo;
	/** Poll the platform until the post is live or failed (default true; bounded by `maxWaitMs`). */
	waitForProcessing?: boolean;
	onProgress?: (sentBytes: number, totalBytes: number) => void;
}

export type PublishState = 'processing' | 'published' | 'failed';

export interface PublishResult {
	platform: PublishPlatform;
	idempotencyKey: string;
	/** What `status()` takes: YouTube video id, TikTok publish_id, Instagram media id, LinkedIn post URN, Blotato postSubmissionId, outbox post id. */
	ref: string;
	/** The platform's id of the post; null while it has none (TikTok before moderation or for private posts). */
	platformPostId: string | null;
	url?: string;
	status: 'published' | 'processing';
	marker: string;
	fingerprint: string;
	publishedAt: string;
	notes: string[];
	raw: unknown;
}

export interface PublishStatus {
	state: PublishState;
	ref: string;
	platformPostId?: string | null;
	url?: string;
	error?: string;
	raw?: unknown;
}

export interface FindQuery {
	idempotencyKey: string;
	/** The post as it was (or would be) sent: its text is fingerprinted to match listings. */
	post?: Pick<PublishPost, 'caption' | 'hashtags' | 'title' | 'idempotencyKey'>;
	/** A fingerprint stored with the attempt (`checkpoint.fingerprint`), instead of `post`. */
	fingerprint?: string;
	/** The last checkpoint stored for the attempt. */
	checkpoint?: PublishCheckpoint;
	/** When the attempt was made (default `checkpoint.at`): a listing that misses a very recent post is not proof. */
	attemptedAt?: string | Date;
}

export interface ExistingPost {
	platform: PublishPlatform;
	ref: string;
	platformPostId: string | null;
	url?: string;
	state: PublishState;
	/** How it was found: the outbox receipt, a handle of the checkpoint, the marker, or the caption fingerprint. */
	matchedBy: 'receipt' | 'handle' | 'marker' | 'caption';
	raw: unknown;
}

export interface PostMetrics {
	/** null: the platform does not report it through this API. */
	views: number | null;
	likes: number | null;
	shares: number | null;
	comments: number | null;
	fetchedAt: string;
	note?: string;
	raw?: unknown;
}

export interface Publisher {
	readonly platform: PublishPlatform;
	/** The spec `publish` checks before any request. */
	readonly spec: PlatformSpec;
	publish(post: PublishPost, opts?: PublishOptions): Promise<PublishResult>;
	status(ref: string): Promise<PublishStatus>;
	/**
	 * Asks the platform whether the attempt made a post. Returns it, or null when the platform says
	 * there is none (publishing again is safe); throws PublishUnverifiableError when it cannot tell.
	 */
	findExisting(query: FindQuery): Promise<ExistingPost | null>;
	metrics(platformPostId: string): Promise<PostMetrics>;
}

// ---------------------------------------------------------------------------------------- errors

/** The platform cannot say whether the post exists: hold it for a person, never post again blindly. */
export class PublishUnverifiableError extends ProviderError {
	readonly holdForPerson = true;
	constructor(message: string, platform: string) {
		super(message, platform, null, false);
		this.name = 'PublishUnverifiableError';
	}
}

/**
 * The platform refused or failed the post (processing failure, rejected upload). The outcome is
 * known; `ref` names what the platform kept (a failed YouTube video stays on the channel), if anything.
 */
export class PublishFailedError extends ProviderError {
	constructor(
		message: string,
		platform: string,
		readonly reason: string,
		readonly ref?: string,
	) {
		super(message, platform, null, true);
		this.name = 'PublishFailedError';
	}
}

// ---------------------------------------------------------------------------------------- markers

/** A short, stable marker of the idempotency key (YouTube carries it as a tag). */
export function idempotencyMarker(idempotencyKey: string): string {
	return `bi${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 16)}`;
}

/** Text as platforms give it back: NFC, no zero-width characters, whitespace collapsed. */
export function normalizeCaption(text: string): string {
	return text
		.normalize('NFC')
		.replace(/[\u200b-\u200d\ufeff]/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

/** Fingerprint of a post's text (the composed caption, description or commentary). */
export function captionFingerprint(text: string): string {
	return createHash('sha256').update(normalizeCaption(text), 'utf8').digest('hex').slice(0, 32);
}

// ---------------------------------------------------------------------------------------- post text

/** The text a platform receives for a post. */
export interface PostText {
	/** Caption / description / commentary, hashtags included. */
	text: string;
	/** YouTube title. */
	title?: string;
	/** YouTube tags (hashtags without "#", plus the idempotency marker). */
	tags?: string[];
	hashtags: string[];
}

/** "#tag" for each hashtag, de-duplicated (case-insensitively), empty ones dropped. */
export function normalizeHashtags(tags: readonly string[]): string[] {
	const out: string[] = [];
	const seen = new Set<string>();
	for (const raw of tags) {
		const body = String(raw).trim().replace(/^#+/, '').replace(/\s+/g, '');
		if (!body) continue;
		const key = body.toLowerCase();
		if (seen.has(key)) continue;
		seen.add(key);
		out.push(`#${body}`);
	}
	return out;
}

/** LinkedIn's "little text" format: these characters are markup and must be escaped with "\". */
const LITTLE_TEXT_RESERVED = /[\\|{}@[\]()<>#*_~]/g;

export function escapeLittleText(text: string): string {
	return text.replace(LITTLE_TEXT_RESERVED, (c) => `\\${c}`);
}

function joinParts(caption: string, tags: string): string {
	const c = caption.trim();
	return tags ? (c ? `${c}\n\n${tags}` : tags) : c;
}

/** A YouTube title from the caption's first line: no "<" or ">", at most 100 characters, cut at a word. */
export function youtubeTitle(post: Pick<PublishPost, 'title' | 'caption'>): string {
	const source = (post.title ?? post.caption.split('\n').find((l) => l.trim()) ?? '').replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();
	const chars = [...source];
	if (chars.length <= 100) return source;
	const cut = chars.slice(0, 99).join('');
	const space = cut.lastIndexOf(' ');
	return `${(space > 50 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** What `platform` receives for `post`: the caption joined with its hashtags the platform's way. */
export function composePostText(platform: PublishPlatform | SocialPlatform, post: Pick<PublishPost, 'caption' | 'hashtags' | 'title' | 'idempotencyKey'>): PostText {
	const hashtags = normalizeHashtags(post.hashtags ?? []);
	switch (platform) {
		case 'youtube':
			return {
				title: youtubeTitle(post),
				text: joinParts(post.caption, hashtags.join(' ')),
				tags: [...hashtags.map((t) => t.slice(1)), idempotencyMarker(post.idempotencyKey)],
				hashtags,
			};
		case 'linkedin':
			return {
				text: joinParts(escapeLittleText(post.caption), hashtags.map((t) => `{hashtag|\\#|${t.slice(1)}}`).join(' ')),
				hashtags,
			};
		default:
			return { text: joinParts(post.caption, hashtags.join(' ')), hashtags, title: post.title };
	}
}

// ---------------------------------------------------------------------------------------- specs

export interface PlatformSpec {
	platform: SpecPlatform;
	label: string;
	/** Width/height this publisher takes (short-form surfaces are vertical); `recommended` is the platform's advice. */
	aspect: { min: number; max: number; recommended: string; describe: string };
	/** Pixel limits: every side within [minSide, maxSide]; width ≤ maxWidth. */
	minSide?: number;
	maxSide?: number;
	maxWidth?: number;
	minDurationSeconds: number;
	maxDurationSeconds: number;
	maxSizeBytes: number;
	/** ffprobe codec names; empty: any. */
	videoCodecs: string[];
	/** When there is an audio stream; empty: any. */
	audioCodecs: string[];
	/** ffprobe format names (any of them); empty: any. */
	containers: string[];
	frameRate?: { min: number; max: number };
	/** Accepted MIME types; "video/*" accepts every video type. */
	mimeTypes: string[];
	caption: {
		maxLength: number;
		/** chars: Unicode characters; utf16: UTF-16 code units (TikTok's "runes"); bytes: UTF-8 bytes (YouTube). */
		unit: 'chars' | 'utf16' | 'bytes';
		field: string;
		maxHashtags?: number;
		titleMaxChars?: number;
		/** YouTube refuses "<" and ">" in titles and descriptions. */
		noAngleBrackets?: boolean;
		/** YouTube: all tags together. */
		tagsMaxChars?: number;
	};
	/** ⚠ where sources differ (reference/provider-apis.md §8). */
	notes: string[];
}

const MB = 1024 * 1024;
const GB = 1024 * MB;
/** Aspect comparisons allow 2 % for odd encoder sizes (1080x1920 vs 1088x1920). */
const ASPECT_TOLERANCE = 0.02;

/** The specs of reference/provider-apis.md §8, as this package publishes (short-form, vertical where the surface is). */
export const PLATFORM_SPECS: Record<SpecPlatform, PlatformSpec> = {
	tiktok: {
		platform: 'tiktok',
		label: 'TikTok',
		aspect: { min: 9 / 18, max: 1, recommended: '9:16', describe: 'vertical or square (1:2 to 1:1)' },
		minSide: 360,
		maxSide: 4096,
		minDurationSeconds: 3,
		maxDurationSeconds: 600,
		maxSizeBytes: 4 * GB,
		videoCodecs: ['h264', 'hevc', 'vp8', 'vp9'],
		audioCodecs: [],
		containers: ['mp4', 'mov', 'webm'],
		frameRate: { min: 23, max: 60 },
		mimeTypes: ['video/mp4', 'video/quicktime', 'video/webm'],
		caption: { maxLength: 2200, unit: 'utf16', field: 'post_info.title' },
		notes: [
			'the creator’s max_video_post_duration_sec (creator_info) narrows the duration at publish time',
			'3 s minimum and H.265/VP8/VP9 acceptance are ⚠ (sources differ)',
		],
	},
	instagram: {
		platform: 'instagram',
		label: 'Instagram Reels',
		aspect: { min: 9 / 18, max: 1, recommended: '9:16', describe: 'vertical or square (1:2 to 1:1)' },
		maxWidth: 1920,
		minDurationSeconds: 3,
		maxDurationSeconds: 900,
		maxSizeBytes: 300 * MB,
		videoCodecs: ['h264', 'hevc'],
		audioCodecs: ['aac'],
		containers: ['mp4', 'mov'],
		frameRate: { min: 23, max: 60 },
		mimeTypes: ['video/mp4', 'video/quicktime'],
		caption: { maxLength: 2200, unit: 'chars', field: 'caption', maxHashtags: 30 },
		notes: ['size limit 300 MB (some sources say 1 GB) ⚠', 'moov atom first (faststart) is recommended; not checked here'],
	},
	youtube: {
		platform: 'youtube',
		label: 'YouTube Shorts',
		aspect: { min: 0.25, max: 1, recommended: '9:16', describe: 'vertical or square (a Short)' },
		minDurationSeconds: 0.5,
		maxDurationSeconds: 180,
		maxSizeBytes: 256 * GB,
		videoCodecs: ['h264', 'hevc', 'vp9', 'av1'],
		audioCodecs: [],
		containers: ['mp4', 'mov', 'webm'],
		mimeTypes: ['video/*', 'application/octet-stream'],
		caption: { maxLength: 5000, unit: 'bytes', field: 'snippet.description', titleMaxChars: 100, noAngleBrackets: true, tagsMaxChars: 500 },
		notes: ['a vertical or square upload of ≤3 min becomes a Short; the API has no Shorts flag', 'MP4 H.264 + AAC recommended ⚠'],
	},
	linkedin: {
		platform: 'linkedin',
		label: 'LinkedIn',
		aspect: { min: 1 / 2.4, max: 2.4, recommended: '1:1 or 9:16', describe: '1:2.4 to 2.4:1' },
		minDurationSeconds: 3,
		maxDurationSeconds: 1800,
		maxSizeBytes: 500 * MB,
		videoCodecs: ['h264', 'hevc'],
		audioCodecs: [],
		containers: ['mp4'],
		mimeTypes: ['video/mp4'],
		caption: { maxLength: 3000, unit: 'chars', field: 'commentary' },
		notes: ['aspect, duration and size limits are ⚠ (public sources differ)'],
	},
	outbox: {
		platform: 'outbox',
		label: 'Outbox',
		aspect: { min: 0.1, max: 10, recommended: 'any', describe: 'any' },
		minDurationSeconds: 0.1,
		maxDurationSeconds: 3600,
		maxSizeBytes: 16 * GB,
		videoCodecs: [],
		audioCodecs: [],
		containers: [],
		mimeTypes: ['video/*'],
		caption: { maxLength: 100_000, unit: 'chars', field: 'caption' },
		notes: ['a local folder: only a readable video is required (set `emulate` to apply a platform’s spec)'],
	},
};

/** A platform's spec with overrides (a publisher's `specOverrides`). */
export function specFor(platform: SpecPlatform, overrides?: Partial<PlatformSpec>): PlatformSpec {
	const base = PLATFORM_SPECS[platform];
	return overrides ? { ...base, ...overrides, aspect: { ...base.aspect, ...(overrides.aspect ?? {}) }, caption: { ...base.caption, ...(overrides.caption ?? {}) } } : base;
}

const NAMED_RATIOS: [string, number][] = [
	['9:16', 9 / 16],
	['16:9', 16 / 9],
	['1:1', 1],
	['4:5', 4 / 5],
	['5:4', 5 / 4],
	['3:4', 3 / 4],
	['4:3', 4 / 3],
	['2:3', 2 / 3],
	['3:2', 3 / 2],
	['21:9', 21 / 9],
	['3:1', 3],
	['1:3', 1 / 3],
];

/** "9:16" for 1080x1920, or "1.85:1" when no common name fits. */
export function aspectLabel(width: number, height: number): string {
	const r = width / height;
	const named = NAMED_RATIOS.find(([, v]) => Math.abs(r - v) / v < 0.01);
	return named ? named[0] : r >= 1 ? `${r.toFixed(2)}:1` : `1:${(1 / r).toFixed(2)}`;
}

function textLength(text: string, unit: 'chars' | 'utf16' | 'bytes'): number {
	if (unit === 'bytes') return Buffer.byteLength(text, 'utf8');
	if (unit === 'utf16') return text.length;
	return [...text].length;
}

const fmtBytes = (n: number) => (n >= GB ? `${(n / GB).toFixed(2)} GB` : n >= MB ? `${(n / MB).toFixed(1)} MB` : `${n} bytes`);

export interface SpecProblem {
	spec: 'aspect' | 'resolution' | 'duration' | 'size' | 'codec' | 'container' | 'frame_rate' | 'mime_type' | 'caption' | 'title' | 'hashtags' | 'tags' | 'video';
	message: string;
}

/** Every way the file and text break the spec (empty: fine). */
export function specProblems(spec: PlatformSpec, probe: MediaInfo, sizeBytes: number, caption: PostText | string, mimeType?: string): SpecProblem[] {
	const p: SpecProblem[] = [];
	const L = spec.label;
	if (!probe.hasVideo || !probe.width || !probe.height) {
		p.push({ spec: 'video', message: 'the file has no video stream' });
	} else {
		const r = probe.width / probe.height;
		if (r < spec.aspect.min * (1 - ASPECT_TOLERANCE) || r > spec.aspect.max * (1 + ASPECT_TOLERANCE)) {
			p.push({
				spec: 'aspect',
				message: `aspect ${aspectLabel(probe.width, probe.height)} (${probe.width}x${probe.height}) is not ${spec.aspect.describe} as ${L} needs (${spec.aspect.recommended} recommended)`,
			});
		}
		const sides = [probe.width, probe.height];
		if (spec.minSide && sides.some((s) => s < spec.minSide!)) p.push({ spec: 'resolution', message: `${probe.width}x${probe.height} has a side under ${spec.minSide} px (${L} minimum)` });
		if (spec.maxSide && sides.some((s) => s > spec.maxSide!)) p.push({ spec: 'resolution', message: `${probe.width}x${probe.height} has a side over ${spec.maxSide} px (${L} maximum)` });
		if (spec.maxWidth && probe.width > spec.maxWidth) p.push({ spec: 'resolution', message: `width ${probe.width} px is over ${L}'s ${spec.maxWidth} px` });
		if (spec.videoCodecs.length && !spec.videoCodecs.includes(String(probe.videoCodec))) {
			p.push({ spec: 'codec', message: `video codec ${probe.videoCodec ?? 'unknown'} is not one ${L} takes (${spec.videoCodecs.join(', ')})` });
		}
		if (spec.frameRate && probe.frameRate > 0 && (probe.frameRate < spec.frameRate.min - 0.5 || probe.frameRate > spec.frameRate.max + 0.5)) {
			p.push({ spec: 'frame_rate', message: `${probe.frameRate} fps is outside ${L}'s ${spec.frameRate.min}–${spec.frameRate.max} fps` });
		}
	}
	if (probe.hasAudio && spec.audioCodecs.length && !spec.audioCodecs.includes(String(probe.audioCodec))) {
		p.push({ spec: 'codec', message: `audio codec ${probe.audioCodec ?? 'unknown'} is not one ${L} takes (${spec.audioCodecs.join(', ')})` });
	}
	if (spec.containers.length) {
		const names = String(probe.formatName ?? '').split(',');
		if (!names.some((n) => spec.containers.includes(n))) p.push({ spec: 'container', message: `container ${probe.formatName ?? 'unknown'} is not ${spec.containers.join(' or ')} (${L})` });
	}
	const d = probe.durationSeconds;
	if (!(d >= spec.minDurationSeconds)) p.push({ spec: 'duration', message: `duration ${d.toFixed(2)} s is under ${L}'s minimum ${spec.minDurationSeconds} s` });
	if (d > spec.maxDurationSeconds + 0.05) p.push({ spec: 'duration', message: `duration ${d.toFixed(2)} s is over ${L}'s maximum ${spec.maxDurationSeconds} s` });
	if (sizeBytes > spec.maxSizeBytes) p.push({ spec: 'size', message: `size ${fmtBytes(sizeBytes)} is over ${L}'s ${fmtBytes(spec.maxSizeBytes)}` });
	if (sizeBytes <= 0) p.push({ spec: 'size', message: 'the file is empty' });
	if (mimeType !== undefined) {
		const ok = spec.mimeTypes.some((m) => m === mimeType || (m === 'video/*' && /^video\/[\w.+-]+$/.test(mimeType)));
		if (!ok) p.push({ spec: 'mime_type', message: `MIME type ${mimeType || '(none)'} is not one ${L} takes (${spec.mimeTypes.join(', ')})` });
	}
	const text = typeof caption === 'string' ? { text: caption, hashtags: normalizeHashtags(caption.match(/#[\p{L}\p{N}_]+/gu) ?? []) } : caption;
	const c = spec.caption;
	const len = textLength(text.text, c.unit);
	if (len > c.maxLength) {
		p.push({ spec: 'caption', message: `${c.field} is ${len} ${c.unit === 'bytes' ? 'bytes' : 'characters'} long; ${L} allows ${c.maxLength}` });
	}
	if (c.noAngleBrackets && /[<>]/.test(text.text)) p.push({ spec: 'caption', message: `${c.field} contains "<" or ">", which ${L} refuses` });
	if (c.maxHashtags !== undefined && text.hashtags.length > c.maxHashtags) p.push({ spec: 'hashtags', message: `${text.hashtags.length} hashtags; ${L} allows ${c.maxHashtags}` });
	if (c.titleMaxChars !== undefined && typeof caption !== 'string') {
		const title = text.title ?? '';
		if (!title.trim()) p.push({ spec: 'title', message: `${L} needs a title` });
		else if ([...title].length > c.titleMaxChars) p.push({ spec: 'title', message: `title is ${[...title].length} characters; ${L} allows ${c.titleMaxChars}` });
		if (c.noAngleBrackets && /[<>]/.test(title)) p.push({ spec: 'title', message: `title contains "<" or ">", which ${L} refuses` });
	}
	if (c.tagsMaxChars !== undefined && text.tags) {
		// YouTube counts a tag with a space as if quoted (2 more characters) and commas between tags.
		const total = text.tags.reduce((n, t) => n + [...t].length + (t.includes(' ') ? 2 : 0), 0) + Math.max(0, text.tags.length - 1);
		if (total > c.tagsMaxChars) p.push({ spec: 'tags', message: `tags total ${total} characters; ${L} allows ${c.tagsMaxChars}` });
	}
	return p;
}

/**
 * Throws a ValidationError naming every spec the file or text breaks (`field` is the first one:
 * aspect, duration, size, codec, caption…); call it before any request. `caption` is the composed
 * text (`composePostText`) or the final caption string.
 */
export function checkSpecs(
	platform: SpecPlatform,
	probe: MediaInfo,
	sizeBytes: number,
	caption: PostText | string,
	opts: { spec?: PlatformSpec; mimeType?: string } = {},
): void {
	const spec = opts.spec ?? PLATFORM_SPECS[platform];
	const problems = specProblems(spec, probe, sizeBytes, caption, opts.mimeType);
	if (problems.length) {
		throw new ValidationError(`${spec.label} refuses this post before upload: ${problems.map((x) => `${x.spec}: ${x.message}`).join('; ')}`, problems[0].spec, {
			platform,
			problems,
		});
	}
}

// ---------------------------------------------------------------------------------------- shared HTTP

export interface RemotePublisherOptions extends RetryPolicy {
	/** The user's OAuth token (Blotato: the API key). */
	accessToken: string;
	/** API base (every adapter has a default; the fakes plug in here). */
	baseUrl?: string;
	/** Per HTTP attempt (JSON calls). Default 60 s. */
	timeoutMs?: number;
	/** Per upload request (one chunk or part). Default 10 min. */
	uploadTimeoutMs?: number;
	/** Between status polls. Default 5 s. */
	pollIntervalMs?: number;
	/** Longest wait for the platform's processing. Default 10 min. */
	maxWaitMs?: number;
	/** Upload attempts per chunk/part (and YouTube resumes without progress). Default 5. */
	maxUploadAttempts?: number;
	/** A listing that misses a post younger than this is not proof (findExisting). Default 300 s. */
	listingSettleSeconds?: number;
	/** Changes to the platform spec (e.g. accept landscape on TikTok). */
	specOverrides?: Partial<PlatformSpec>;
	fetchImpl?: FetchFn;
}

export const DEFAULT_PUBLISH_TIMEOUT_MS = 60_000;
export const DEFAULT_UPLOAD_TIMEOUT_MS = 600_000;
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_WAIT_MS = 600_000;

/** A byte range of a file, streamed (never read whole). `end` is inclusive. */
export interface FileRange {
	path: string;
	start: number;
	end: number;
}

export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	headers?: Record<string, string>;
	/** Sent as JSON. */
	json?: unknown;
	/** Raw bytes, or a file range streamed from disk (Content-Length is set from it). */
	body?: Buffer | FileRange;
	/** Non-2xx statuses that are answers, not errors (YouTube's 308). */
	accept?: number[];
}

export interface HttpResult<T> {
	status: number;
	headers: Headers;
	body: T;
}

/**
 * How a request may be repeated:
 * - `safe`: it makes no post (reads, polls, upload sessions, containers, byte uploads): repeated
 *   after 429/5xx and after an unknown outcome (timeout, dropped connection).
 * - `once`: it can make a post: repeated only when the platform certainly did not act (429, no
 *   connection); a 5xx, timeout or dropped connection is an unknown outcome (never re-sent).
 */
export type CallMode = 'safe' | 'once';

/**
 * Puts quotes around integers of 16 or more digits outside strings, so ids that do not fit a double
 * (TikTok's 19-digit post ids) survive JSON.parse exactly, as strings.
 */
const JSON_NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

export function quoteLongIntegers(json: string): string {
	let out = '';
	let inString = false;
	for (let i = 0; i < json.length; i++) {
		const c = json[i];
		if (inString) {
			out += c;
			if (c === '\\') {
				out += json[++i] ?? '';
			} else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') {
			inString = true;
			out += c;
			continue;
		}
		if ((c === '-' || (c >= '0' && c <= '9')) && !/[\w.]/.test(json[i - 1] ?? '')) {
			JSON_NUMBER.lastIndex = i;
			const m = JSON_NUMBER.exec(json);
			if (m) {
				const isLongInt = !m[1] && !m[2] && m[0].replace('-', '').length >= 16;
				out += isLongInt ? `"${m[0]}"` : m[0];
				i += m[0].length - 1;
				continue;
			}
		}
		out += c;
	}
	return out;
}

/** One HTTP exchange; non-2xx (and not `accept`ed) throws HttpStatusError. */
export async function sendHttp<T>(fetchFn: FetchFn, url: string, req: HttpRequest, signal: AbortSignal): Promise<HttpResult<T>> {
	const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
	let body: unknown = undefined;
	let duplex: 'half' | undefined;
	if (req.json !== undefined) {
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
		body = JSON.stringify(req.json);
	} else if (Buffer.isBuffer(req.body)) {
		body = req.body;
	} else if (req.body) {
		const length = req.body.end - req.body.start + 1;
		headers['content-length'] = String(Math.max(0, length));
		if (length > 0) {
			body = Readable.toWeb(createReadStream(req.body.path, { start: req.body.start, end: req.body.end }));
			duplex = 'half';
		} else body = Buffer.alloc(0);
	}
	const res = await fetchFn(url, { method: req.method, headers, body: body as RequestInit['body'], signal, redirect: 'manual', ...(duplex ? { duplex } : {}) } as RequestInit);
	const text = await res.text();
	const ok = res.ok || (req.accept ?? []).includes(res.status);
	let parsed: unknown = text;
	if (text) {
		try {
			parsed = JSON.parse(/\d{16}/.test(text) ? quoteLongIntegers(text) : text);
		} catch (err) {
			if (ok && /json/i.test(res.headers.get('content-type') ?? '')) throw err;
		}
	} else parsed = {};
	if (!ok) throw new HttpStatusError(res.status, `HTTP ${res.status}${vendorErrorText(parsed) ? `: ${vendorErrorText(parsed)}` : ''}`, res.headers, parsed);
	return { status: res.status, headers: res.headers, body: parsed as T };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** http(s) URL check for URLs a platform hands back (upload URLs, Location). */
export function assertHttpUrl(value: unknown, what: string, platform: string): string {
	if (typeof value === 'string' && /^https?:\/\//i.test(value)) return value;
	throw new ProviderCallError(`${platform}: ${what} is not an http(s) URL: ${String(value).slice(0, 120)}`, platform, null, false, 'invalid_output');
}

interface Prepared {
	info: MediaInfo;
	size: number;
	text: PostText;
	marker: string;
	fingerprint: string;
}

/** Checks the fields every publisher needs; returns the file size on disk. */
export async function assertPost(post: PublishPost, platform: string): Promise<number> {
	if (!post || typeof post !== 'object') throw new ValidationError(`${platform}: no post given`, 'post');
	if (typeof post.idempotencyKey !== 'string' || !post.idempotencyKey.trim() || post.idempotencyKey.length > 500) {
		throw new ValidationError(`${platform}: idempotencyKey must be a non-empty string of at most 500 characters`, 'idempotencyKey');
	}
	if (typeof post.caption !== 'string') throw new ValidationError(`${platform}: caption must be a string`, 'caption');
	if (!Array.isArray(post.hashtags)) throw new ValidationError(`${platform}: hashtags must be an array`, 'hashtags');
	if (typeof post.videoPath !== 'string' || !post.videoPath) throw new ValidationError(`${platform}: videoPath is required`, 'videoPath');
	let size: number;
	try {
		const st = await stat(post.videoPath);
		if (!st.isFile()) throw new Error('not a file');
		size = st.size;
	} catch {
		throw new ValidationError(`${platform}: the video file ${post.videoPath} cannot be read`, 'videoPath');
	}
	if (post.sizeBytes !== size) throw new ValidationError(`${platform}: sizeBytes ${post.sizeBytes} does not match the file (${size} bytes)`, 'sizeBytes');
	return size;
}

/**
 * Base of the remote publishers: the retry rules, error mapping (an expired token says
 * "re-authorise"), the prepare step (post fields, probe, spec check), checkpoints and polling.
 */
export abstract class RemotePublisher implements Publisher {
	readonly spec: PlatformSpec;
	protected readonly redact: (s: string) => string;
	protected readonly fetchFn: FetchFn;
	protected readonly baseUrl: string;

	protected constructor(
		readonly platform: PublishPlatform,
		protected readonly label: string,
		protected readonly opts: RemotePublisherOptions,
		defaultBaseUrl: string,
		specPlatform: SpecPlatform,
	) {
		if (!opts || typeof opts.accessToken !== 'string' || !opts.accessToken.trim()) {
			throw new ValidationError(`${label} needs an access token`, 'accessToken');
		}
		this.redact = secretRedactor([opts.accessToken]);
		this.fetchFn = opts.fetchImpl ?? fetch;
		this.baseUrl = trimSlash(opts.baseUrl || defaultBaseUrl);
		this.spec = specFor(specPlatform, opts.specOverrides);
	}

	abstract publish(post: PublishPost, opts?: PublishOptions): Promise<PublishResult>;
	abstract status(ref: string): Promise<PublishStatus>;
	abstract findExisting(query: FindQuery): Promise<ExistingPost | null>;
	abstract metrics(platformPostId: string): Promise<PostMetrics>;

	/** Platform hook: turn a platform's error body into the HTTP meaning (Meta's code 190 is a 401). */
	protected refineHttpError(err: HttpStatusError): HttpStatusError {
		return err;
	}

	protected get pollIntervalMs(): number {
		return this.opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
	}

	protected get maxWaitMs(): number {
		return this.opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
	}

	protected get maxUploadAttempts(): number {
		return Math.max(1, this.opts.maxUploadAttempts ?? 5);
	}

	/** Maps a raw failure of one attempt (see CallMode). */
	protected classify(raw: unknown, mode: CallMode): unknown {
		let err = raw;
		if (err instanceof HttpStatusError) err = this.refineHttpError(err);
		if (err instanceof HttpStatusError && mode === 'once' && err.status >= 500) {
			return new ProviderCallError(
				this.redact(`${this.label}: server error (${err.message}) on a request that can publish: it may have been done, so it is not re-sent`),
				this.platform,
				err.status,
				false,
				'server',
			);
		}
		if (err instanceof TypeError && !(err as { cause?: unknown }).cause) {
			// fetch failed with no cause: nothing says the request was not sent.
			return new ProviderCallError(this.redact(`${this.label}: connection failed (${err.message}); the request may have been processed`), this.platform, null, false, 'network');
		}
		return err;
	}

	/** What a person does about a refused token (Blotato's is an API key). */
	protected authAdvice(): string {
		return `It has expired or been revoked: re-authorise the ${this.label} account, then try again.`;
	}

	/** Final shape of an error: an expired token says "re-authorise"; messages are redacted. */
	protected finalError(err: unknown): unknown {
		const mapped = err instanceof ProviderError ? err : toProviderError(err, this.platform, this.redact);
		if (mapped instanceof ProviderCallError && mapped.kind === 'auth' && mapped.status === 401) {
			return new ProviderCallError(
				this.redact(
					`${this.label}: the access token was refused (HTTP 401: ${mapped.message.replace(/^[^:]+: not authorised \(401\): /, '')}). ${this.authAdvice()} Nothing was published by this request.`,
				),
				this.platform,
				401,
				true,
				'auth',
			);
		}
		if (mapped instanceof ProviderCallError && mapped.kind === 'auth' && mapped.status === 403) {
			return new ProviderCallError(
				this.redact(`${mapped.message} (the token lacks a permission or scope, or the app is not approved for it: re-authorise with the needed scopes)`),
				this.platform,
				403,
				true,
				'auth',
			);
		}
		return mapped;
	}

	/** One request under the retry rules of `mode`; errors come out as ProviderCallError. */
	protected async call<T>(mode: CallMode, url: string, req: HttpRequest, timeoutMs?: number): Promise<HttpResult<T>> {
		let unknownRetries = mode === 'safe' ? (this.opts.maxRetries ?? 2) : 0;
		for (let attempt = 0; ; attempt++) {
			try {
				return await callWithRetries(
					async (signal) => {
						try {
							return await sendHttp<T>(this.fetchFn, url, req, signal);
						} catch (raw) {
							throw this.classify(raw, mode);
						}
					},
					{
						maxRetries: this.opts.maxRetries,
						maxRetryAfterSeconds: this.opts.maxRetryAfterSeconds,
						retryBaseDelayMs: this.opts.retryBaseDelayMs,
						timeoutMs: timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
						provider: this.platform,
						redact: this.redact,
					},
				);
			} catch (raw) {
				const err = this.finalError(raw);
				const retryUnknown =
					err instanceof ProviderCallError && !err.outcomeKnown && (err.kind === 'timeout' || err.kind === 'network' || err.kind === 'server') && unknownRetries > 0;
				if (!retryUnknown) throw err;
				unknownRetries--;
				await sleep(Math.min((this.opts.retryBaseDelayMs ?? 500) * 2 ** attempt, 8000));
			}
		}
	}

	/** One upload request (a chunk or part), one attempt: the caller decides how to resume. */
	protected async sendOnce<T>(url: string, req: HttpRequest): Promise<HttpResult<T>> {
		const controller = new AbortController();
		const timeoutMs = this.opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
		const timer = setTimeout(() => controller.abort(), timeoutMs);
		try {
			return await sendHttp<T>(this.fetchFn, url, req, controller.signal);
		} catch (raw) {
			if (controller.signal.aborted) {
				throw new ProviderCallError(`${this.label}: upload request timed out after ${timeoutMs} ms; it may have been received`, this.platform, null, false, 'timeout');
			}
			throw this.finalError(this.classify(raw, 'safe'));
		} finally {
			clearTimeout(timer);
		}
	}

	/** Post fields, file, probe and spec: everything that can be refused before any request. */
	protected async prepare(post: PublishPost, opts: PublishOptions, spec: PlatformSpec = this.spec, textPlatform: PublishPlatform | SocialPlatform = this.platform): Promise<Prepared> {
		const size = await assertPost(post, this.label);
		const info = opts.probe ?? (await probeMedia(post.videoPath));
		const text = composePostText(textPlatform, post);
		checkSpecs(spec.platform, info, size, text, { spec, mimeType: post.mimeType });
		return { info, size, text, marker: idempotencyMarker(post.idempotencyKey), fingerprint: captionFingerprint(text.text) };
	}

	protected async checkpoint(opts: PublishOptions, post: PublishPost, prep: Prepared, stage: CheckpointStage, handles: PublishHandles): Promise<PublishCheckpoint> {
		const cp: PublishCheckpoint = {
			platform: this.platform,
			idempotencyKey: post.idempotencyKey,
			marker: prep.marker,
			fingerprint: prep.fingerprint,
			stage,
			handles: { ...handles },
			sizeBytes: prep.size,
			at: new Date().toISOString(),
		};
		await opts.onCheckpoint?.(cp);
		return cp;
	}

	/** Calls `check` every pollIntervalMs until it returns a value or maxWaitMs passes (then undefined). */
	protected async poll<T>(check: () => Promise<T | undefined>, maxWaitMs = this.maxWaitMs): Promise<T | undefined> {
		const deadline = Date.now() + maxWaitMs;
		for (;;) {
			const value = await check();
			if (value !== undefined) return value;
			if (Date.now() + this.pollIntervalMs > deadline) return undefined;
			await sleep(this.pollIntervalMs);
		}
	}

	/** The fingerprint a query matches listings with. */
	protected queryFingerprint(q: FindQuery, textPlatform: PublishPlatform | SocialPlatform = this.platform): string | undefined {
		if (q.fingerprint) return q.fingerprint;
		if (q.checkpoint?.fingerprint) return q.checkpoint.fingerprint;
		if (q.post) return captionFingerprint(composePostText(textPlatform, { ...q.post, idempotencyKey: q.post.idempotencyKey ?? q.idempotencyKey }).text);
		return undefined;
	}

	/**
	 * A listing did not show the post: null (it does not exist) once the attempt is older than the
	 * settle time, else PublishUnverifiableError (a fresh post may not be listed yet).
	 */
	protected absentAfterListing(q: FindQuery, what: string): null {
		const settle = (this.opts.listingSettleSeconds ?? 300) * 1000;
		const at = q.attemptedAt ?? q.checkpoint?.at;
		const t = at ? new Date(at).getTime() : Number.NaN;
		if (settle > 0 && Number.isFinite(t) && Date.now() - t < settle) {
			throw new PublishUnverifiableError(
				`${this.label}: ${what} shows no post for ${q.idempotencyKey}, but the attempt was ${Math.round((Date.now() - t) / 1000)} s ago; ask again after ${Math.round(settle / 1000)} s, or hold it for a person`,
				this.platform,
			);
		}
		return null;
	}
}

/** True when a checkpoint proves the request that posts was never sent (stages before `publishing`). */
export function neverReachedPublishing(checkpoint: PublishCheckpoint | undefined): boolean {
	return Boolean(checkpoint && (checkpoint.stage === 'prepared' || checkpoint.stage === 'uploading'));
}
