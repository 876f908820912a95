/**
 * Pillar 3 as services over the store: an approved script → a video whose scenes are routed to live
 * generators with their cost reserved; routed scenes → generation jobs; finished scenes + voiceover
 * → the assembled master, its 16:9 and 1:1 versions and thumbnails.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { ValidationError } from '../domain/errors';
import { parseUsd } from '../domain/money';
import type { Scene } from '../domain/schemas';
import { assemble } from '../media/assemble';
import { makeContactSheet } from '../media/contact-sheet';
import { ensureMusicBed } from '../media/music';
import { coresPerRender, renderConcurrency, withRenderSlot } from '../media/schedule';
import type { CaptionStyle, TerminalEffect, Timeline } from '../media/timeline';
import type { PriceEntry } from '../pricing/price-table';
import type { AspectRatio, Resolution, WordTiming } from '../providers/types';
import type { Json, Store } from '../store/store';
import { planSceneSources, sourceFor, type ScenePlan, type SourceDeps } from '../library/sources';
import { routeScene, type BudgetTier, type RoutableModel } from '../strategy/router';

export interface RouteScriptInput {
	scriptId: string;
	variantId?: string | null;
	tier?: BudgetTier;
	aspect?: AspectRatio;
	resolution?: Resolution;
	available: ReadonlySet<string>;
	catalogue: readonly RoutableModel[];
	priceOverrides?: readonly PriceEntry[];
	actor?: string;
	/**
	 * The brand media library and stock footage (issue 11): with 'library', 'pexels' or 'pixabay'
	 * in `available`, each scene's source is planned first (lib/library/sources.ts) and recorded
	 * on its routed item (and so on its generation job).
	 */
	sources?: SourceDeps & { endCard?: boolean };
}

const SOURCE_NAMES = ['library', 'pexels', 'pixabay'];

/** Routes every scene of an approved script, reserving each estimate; one item per scene out. */
export async function routeScript(store: Store, input: RouteScriptInput): Promise<Json[]> {
	const script = await store.getScript(input.scriptId);
	const brief = await store.getBrief(script.brief_id as string);
	const brand = await store.getBrand(brief.brand_id as string);
	const tier = input.tier ?? ((brief.campaign_request as Json)?.budget_tier as BudgetTier | undefined) ?? 'standard';
	const aspect = input.aspect ?? '9:16';
	const resolution = input.resolution ?? '720p';
	const campaignId = script.campaign_id as string | null;
	const scenes = script.scenes as Scene[];
	// Sources first: the library's assets, stock searches (their downloads are the only writes here).
	let plans: ScenePlan[] | undefined;
	if (input.sources && SOURCE_NAMES.some((p) => input.available.has(p))) {
		plans = await planSceneSources(
			{ ...input.sources, stock: (input.sources.stock ?? []).filter((p) => input.available.has(p.name)) },
			{ brandId: brief.brand_id as string, scenes, palette: (brand.color_palette as string[]) ?? [], aspect, library: input.available.has('library'), endCard: input.sources.endCard },
		);
	}
	// Route next (no writes), so a scene that cannot be made stops everything before money is held.
	let remaining = campaignId ? await remainingBudget(store, campaignId) : null;
	const routes = scenes.map((scene, k) => {
		const route = routeScene(scene, { tier, aspect, resolution, available: input.available, remaining, catalogue: input.catalogue, priceOverrides: input.priceOverrides, fitting: plans?.[k].fitting });
		if (remaining !== null) remaining -= route.estimate;
		return route;
	});
	const video = await store.createVideo({
		script_id: input.scriptId,
		variant_id: input.variantId ?? null,
		scenes: scenes.map((s, k) => ({ ...s, model_used: `${routes[k].provider}/${routes[k].model}` })),
		actor: input.actor,
	});
	const videoScenes = video.scenes as { scene_id: string; sequence: number }[];
	const out: Json[] = [];
	for (const [k, scene] of scenes.entries()) {
		const route = routes[k];
		const sceneId = videoScenes.find((s) => s.sequence === scene.sequence)!.scene_id;
		let reservationId: string | null = null;
		if (route.estimate > 0) {
			if (!campaignId) throw new ValidationError('a paid generator needs the script to belong to a campaign', 'script_id');
			// The video's variant (the store takes it from the script when the caller gave none).
			const variantId = (video.variant_id as string | null) ?? input.variantId ?? null;
			const r = await store.reserveBudget({ campaignId, variantId, pillar: 'production', amount: route.estimate, ref: `scene:${sceneId}` });
			reservationId = r.reservation_id as string;
		}
		const source = sourceFor(plans?.[k], route.provider, route.model);
		out.push({
			video_id: video.video_id,
			scene_id: sceneId,
			sequence: scene.sequence,
			duration_seconds: scene.duration_seconds,
			prompt: scene.visual_prompt,
			aspect,
			resolution,
			palette: (brand.color_palette as string[]) ?? [],
			reservation_id: reservationId,
			...route,
			// What the scene is made from (library asset id, stock id, typography, end card), or the generator.
			source: (source as unknown as Json) ?? { type: 'generator', provider: route.provider, model: route.model },
			source_warnings: plans?.[k].warnings ?? [],
		});
	}
	return out;
}

async function remainingBudget(store: Store, campaignId: string): Promise<number | null> {
	const b = await store.budgetStatus(campaignId);
	return b.remaining_usd === null ? null : parseUsd(b.remaining_usd, 'remaining_usd');
}

/** The cache key of a generation: identical prompt, model and parameters → the same clip. */
export function requestHash(provider: string, model: string, prompt: string, parameters: Json): string {
	return createHash('sha256').update(JSON.stringify([provider, model, prompt, parameters])).digest('hex');
}

/** A routed scene (the Model Router's item) → a queued generation job, or the cached clip. */
export async function submitRoutedScene(store: Store, routed: Json, priority = 0): Promise<Json> {
	for (const field of ['scene_id', 'provider', 'model', 'prompt']) {
		if (!routed[field]) throw new ValidationError(`${field} is required: pass the Model Router's output`, field);
	}
	const parameters = {
		durationSeconds: Number(routed.billed_seconds ?? routed.duration_seconds),
		aspectRatio: routed.aspect ?? '9:16',
		resolution: routed.resolution ?? '720p',
		palette: routed.palette ?? [],
		// The scene's source, recorded on the job (the campaign report shows it; the library generator renders it).
		...(routed.source ? { source: routed.source } : {}),
	};
	const job = await store.enqueueGenerationJob({
		scene_id: routed.scene_id,
		provider: routed.provider,
		model_name: routed.model,
		prompt: routed.prompt,
		parameters,
		priority,
		request_hash: requestHash(String(routed.provider), String(routed.model), String(routed.prompt), parameters),
		reservation_id: routed.reservation_id ?? null,
		duration_seconds: routed.duration_seconds,
	});
	// A cache hit pays nothing: its reservation goes back to the budget.
	if (job.cached && routed.reservation_id && !job.replayed) await store.releaseReservation(routed.reservation_id as string, 'clip reused from the cache');
	return job;
}

export type OutputSize = 'full' | 'draft';
const SIZES: Record<OutputSize, Record<AspectRatio, [number, number]>> = {
	full: { '9:16': [1080, 1920], '16:9': [1920, 1080], '1:1': [1080, 1080] },
	draft: { '9:16': [540, 960], '16:9': [960, 540], '1:1': [540, 540] },
};

export interface AssembleVideoInput {
	videoId: string;
	voiceover?: { path: string; words?: WordTiming[] } | null;
	music?: { path: string; gainDb?: number } | null;
	/**
	 * Without `music`: the brand library's music (the first ingested), else a bed the project
	 * synthesises (media/music.ts; seeded by the brand, cached in the media folder's music/), plays
	 * under the voice, so no video is voice over silence. False: no music. Default true.
	 */
	musicBed?: boolean;
	/** Writes contact-sheet.png next to the outputs: one frame per scene for each format (default true). */
	contactSheet?: boolean;
	size?: OutputSize;
	captions?: boolean;
	lutPath?: string;
	terminal?: { effects: TerminalEffect[]; text?: string } | null;
	fontName?: string;
}

/**
 * The stretches of the video whose picture already shows the words being spoken: a kinetic
 * typography scene (its text is the scene's voice line) and an end card with text. Burned captions
 * there would print the same words a second time, under or across the on-screen text.
 */
export function onScreenTextSpans(scenes: readonly Json[]): { start: number; end: number }[] {
	const spans: { start: number; end: number }[] = [];
	let start = 0;
	for (const s of scenes) {
		const d = Number(s.duration_target ?? s.duration_seconds);
		const src = ((s.job as Json | null)?.parameters as Json | null)?.source as Json | null | undefined;
		if (src && (src.type === 'typography' || (src.type === 'end_card' && String(src.text ?? '').trim()))) spans.push({ start, end: start + d });
		start += d;
	}
	return spans;
}

/** The caption words outside those spans (a word belongs where its middle falls). */
export function captionWordsOutside(words: readonly WordTiming[], spans: readonly { start: number; end: number }[]): WordTiming[] {
	return words.filter((w) => {
		const mid = (w.start + w.end) / 2;
		return !spans.some((sp) => mid >= sp.start && mid < sp.end);
	});
}

/** The brand library's music: the first one ingested whose file is in the local media folder, or null. */
async function libraryMusic(store: Store, brandId: string): Promise<Json | null> {
	const rows = await store.listBrandMedia(brandId, ['music']);
	return rows.find((m) => typeof m.file_url === 'string' && isAbsolute(m.file_url) && existsSync(m.file_url)) ?? null;
}

/**
 * The music under the voice, and where it came from: the file given, else the brand library's music,
 * else a bed the project synthesises (`musicBed: false`: none).
 */
async function chooseMusic(
	deps: { store: Store; mediaDir: string },
	input: AssembleVideoInput,
	brief: Json,
	brand: Json,
	totalSeconds: number,
): Promise<{ music: { path: string; gainDb?: number } | null; musicSource: Json | null }> {
	if (input.music) return { music: input.music, musicSource: { source: 'file' } };
	if (input.musicBed === false) return { music: null, musicSource: null };
	const own = await libraryMusic(deps.store, String(brief.brand_id));
	if (own) {
		return {
			music: { path: String(own.file_url) },
			musicSource: { source: 'library', media_id: own.media_id, file_name: own.file_name, licence: own.licence, attribution: own.attribution ?? null, attribution_required: Boolean(own.attribution_required) },
		};
	}
	const bed = await ensureMusicBed(join(deps.mediaDir, 'music'), { durationSeconds: totalSeconds, seed: String(brand.brand_name ?? brand.brand_id ?? '') });
	return { music: { path: bed }, musicSource: { source: 'bed' } };
}

export interface AssembleVideoDeps {
	store: Store;
	mediaDir: string;
	/** Renders at once in this process, shared with every caller of the same limit (default: cores / 2, see schedule.ts). */
	renderConcurrency?: number;
}

/** All scenes ready → the three formats rendered (media/assemble.ts), recorded on the video, submitted for approval. */
export async function assembleVideo(deps: AssembleVideoDeps, input: AssembleVideoInput): Promise<Json> {
	const { store } = deps;
	const video = await store.getVideo(input.videoId);
	const scenes = video.scenes as Json[];
	const notReady = scenes.filter((s) => s.status !== 'ready' || !s.clip_url);
	if (notReady.length) {
		throw new ValidationError(`${notReady.length} of ${scenes.length} scenes are not ready yet (the Scene Poller finishes them)`, 'video_id');
	}
	const script = await store.getScript(video.script_id as string);
	const brief = await store.getBrief(script.brief_id as string);
	const brand = await store.getBrand(brief.brand_id as string);
	const palette = (brand.color_palette as string[]) ?? [];
	const dir = join(deps.mediaDir, 'videos', input.videoId);
	mkdirSync(dir, { recursive: true });
	const size = SIZES[input.size ?? 'full'];
	const style: CaptionStyle = {
		fontName: input.fontName ?? 'DejaVu Sans',
		primaryColour: '#FFFFFF',
		highlightColour: palette[1] ?? palette[0] ?? '#FFD400',
		outlineColour: palette[0] ?? '#000000',
	};
	const totalSeconds = scenes.reduce((a, s) => a + Number(s.duration_target ?? s.duration_seconds), 0);
	const { music, musicSource } = await chooseMusic(deps, input, brief, brand, totalSeconds);
	// No captions where the picture already spells out the voice line (typography, the end card's text).
	const captionWords = input.captions !== false && input.voiceover?.words?.length ? captionWordsOutside(input.voiceover.words, onScreenTextSpans(scenes)) : [];
	const timeline: Timeline = {
		scenes: scenes.map((s, k) => ({
			path: String(s.clip_url),
			durationSeconds: Number(s.duration_target ?? s.duration_seconds),
			transition: k === 0 ? 'none' : 'fade',
			transitionSeconds: 0.4,
		})),
		voiceover: input.voiceover ?? undefined,
		music: music ?? undefined,
		captions: captionWords.length ? { words: captionWords, style } : undefined,
		lut: input.lutPath ? { path: input.lutPath } : undefined,
		terminal: input.terminal ?? undefined,
		outputs: (['9:16', '16:9', '1:1'] as AspectRatio[]).map((aspect) => ({
			aspect,
			width: size[aspect][0],
			height: size[aspect][1],
			path: join(dir, `${aspect === '9:16' ? 'master-9x16' : aspect === '16:9' ? 'wide-16x9' : 'square-1x1'}.mp4`),
		})),
		thumbnails: { atSeconds: [1], width: 1280, height: 720, dir: join(dir, 'thumbnails') },
		backgroundColour: palette[0],
	};
	const renders = renderConcurrency(deps.renderConcurrency);
	const result = await withRenderSlot(renders, () => assemble(timeline, { parallel: coresPerRender(renders) }));
	const master = result.outputs.find((o) => o.aspect === '9:16')!;
	const outputs = Object.fromEntries(result.outputs.map((o) => [o.aspect, o]));
	let start = 0;
	const sheet =
		input.contactSheet === false
			? null
			: await makeContactSheet({
					outputs: result.outputs.map((o) => ({ aspect: o.aspect, path: o.path })),
					scenes: timeline.scenes.map((s) => {
						const scene = { startSeconds: start, durationSeconds: s.durationSeconds };
						start += s.durationSeconds;
						return scene;
					}),
					dest: join(dir, 'contact-sheet.png'),
					frameHeight: 320,
					title: `${String(brand.brand_name ?? '')} · video ${input.videoId}`,
				});
	await store.setVideoOutputs(input.videoId, master.path, Math.round(master.durationSeconds * 100) / 100, { outputs, thumbnails: result.thumbnails, ...(sheet ? { contact_sheet: sheet.path } : {}), ...(musicSource ? { music: musicSource } : {}) }, {
		voiceover_url: input.voiceover?.path ?? null,
		background_music_url: music?.path ?? null,
		synced_audio_url: master.path,
	});
	for (const o of result.outputs) {
		await store.registerAsset({ campaign_id: video.campaign_id, variant_id: video.variant_id ?? undefined, asset_type: 'video', asset_url: o.path, asset_metadata: { aspect: o.aspect, width: o.width, height: o.height, duration_seconds: o.durationSeconds, video_id: input.videoId } });
	}
	for (const t of result.thumbnails) {
		await store.registerAsset({ campaign_id: video.campaign_id, variant_id: video.variant_id ?? undefined, asset_type: 'thumbnail', asset_url: t.path, asset_metadata: { video_id: input.videoId } });
	}
	const current = await store.getVideo(input.videoId);
	if (current.approval_status === 'draft') {
		await store.transition({ entity: 'video', id: input.videoId, expectedVersion: current.state_version as number, toStatus: 'pending', actor: 'assembler', reason: 'assembled' });
	}
	return { video_id: input.videoId, outputs: result.outputs as unknown as Json[], thumbnails: result.thumbnails as unknown as Json[], contact_sheet: sheet?.path ?? null, ffmpeg_seconds: result.ffmpegSeconds, loudness: result.loudness as unknown as Json };
}
