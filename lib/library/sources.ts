/**
 * What each scene of a video is made from, before it is routed (issue 11): the brand's own media
 * first, stock footage second, kinetic typography when nothing fits, and the logo end card last.
 *
 * - A scene's visual prompt is embedded (the same embedding provider the library was ingested
 *   with) and matched against the brand's images and clips (`match_brand_media`); the score is the
 *   cosine similarity plus a bonus for each of the asset's tags that the prompt names. An asset
 *   fits when the score reaches `minScore`.
 * - Scenes take the best fitting asset not used yet in this video; an asset never repeats: a scene
 *   whose fitting assets are all used (and that stock cannot serve) becomes kinetic typography.
 *   Photos alternate push-in and pans.
 * - A scene with no fitting library asset asks each configured stock provider (Pexels, Pixabay):
 *   a short keyword query, results cached by query in the store (`bi_get/put_stock_search`), the
 *   first item not used in this video downloaded through the SSRF-safe downloader and ingested
 *   into the library with its licence and attribution. A rate limit or an empty result leaves the
 *   scene to the next generator (the reason is in `warnings`).
 * - The last scene becomes the logo end card when the brand's library has a logo.
 *
 * The result per scene is what RouteContext.fitting needs and the SceneSource each generator uses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';

import type { Scene } from '../domain/schemas';
import { downloadToFile } from '../media/download';
import { tokenize } from '../providers/embeddings/local';
import { ProviderError, type AspectRatio, type EmbeddingProvider, type SceneSource, type StockProvider, type StockResult } from '../providers/types';
import type { Json, Store } from '../store/store';
import { ingestMedia } from './ingest';

export interface SourceDeps {
	store: Store;
	embedder: EmbeddingProvider;
	/** The media store folder (stock downloads are ingested under library/<brand>/). */
	mediaDir: string;
	/** Configured stock providers, in order of preference. */
	stock?: StockProvider[];
	/** Stock downloads may come from loopback (the fakes in tests and the demo). */
	allowPrivateNetwork?: boolean;
	/** Default 0.2. */
	minScore?: number;
	/** Seconds a cached stock search stays fresh; default one day. */
	stockCacheSeconds?: number;
	/** Largest stock file downloaded; default 200 MB. */
	maxStockBytes?: number;
}

export interface ScenePlan {
	sequence: number;
	/** Providers with a fitting asset for this scene. */
	fitting: Set<string>;
	/** The source per provider/model the router may choose. */
	library?: SceneSource;
	stock: Record<string, SceneSource>;
	typography: SceneSource;
	warnings: string[];
}

export interface PlanInput {
	brandId: string;
	scenes: Pick<Scene, 'sequence' | 'visual_prompt' | 'voiceover_text' | 'duration_seconds'>[];
	palette: string[];
	aspect: AspectRatio;
	/** Use the library (its assets, typography, the end card). */
	library: boolean;
	/** Close on the logo end card when the library has a logo (default true). */
	endCard?: boolean;
}

const STOP = new Set(
	'the a an of on in at to and with for from into onto over under by is are be this that its it as our your their his her close up shot scene camera slow fast soft warm cinematic shallow depth field golden hour light lighting frame framing shows showing view angle wide medium'.split(
		' ',
	),
);

/** Three or four content words of a visual prompt: what a stock search understands. */
export function stockQuery(prompt: string): string {
	const words = tokenize(prompt).filter((w) => !STOP.has(w) && w.length > 2 && !/^\d+$/.test(w));
	return [...new Set(words)].slice(0, 4).join(' ') || 'city running';
}

/** A word without its plural ending, so a tag "texture" meets a prompt's "textures" ("stories" → "story"). */
export function wordForm(word: string): string {
	if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
	if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
	return word;
}

/** The words of a prompt as tagBonus compares them. */
export function promptWords(prompt: string): Set<string> {
	return new Set(tokenize(prompt).map(wordForm));
}

/**
 * 0.08 for each of an asset's tags that the prompt names (every word of it, split as the prompt is:
 * "close-up" is "close" and "up"; singular or plural alike), at most 0.24.
 */
export function tagBonus(tags: unknown, words: Set<string>): number {
	const list = Array.isArray(tags) ? (tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
	const hits = list.filter((t) => {
		const ws = tokenize(t).map(wordForm);
		return ws.length > 0 && ws.every((w) => words.has(w));
	}).length;
	return Math.min(0.24, hits * 0.08);
}

function assetSource(row: Json, score: number, motion: SceneSource['motion'], palette: string[]): SceneSource {
	const focus = row.focus as { x?: number; y?: number } | null;
	const stock = row.origin !== 'upload';
	return {
		type: stock ? 'stock' : 'library_asset',
		media_id: row.media_id as string,
		kind: row.kind as 'image' | 'video' | 'logo',
		path: row.file_url as string,
		width: row.width as number | null,
		height: row.height as number | null,
		duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
		focus: focus && typeof focus.x === 'number' && typeof focus.y === 'number' ? { x: focus.x, y: focus.y } : null,
		origin: row.origin as string,
		stock_id: (row.external_id as string | null) ?? null,
		licence: row.licence as string,
		attribution: (row.attribution as string | null) ?? null,
		attribution_required: Boolean(row.attribution_required),
		motion: row.kind === 'video' ? undefined : motion,
		palette,
		score: Math.round(score * 1000) / 1000,
	};
}

const MOTIONS: NonNullable<SceneSource['motion']>[] = ['push_in', 'pan_right', 'push_in', 'pan_left'];
const ORIENTATION: Record<AspectRatio, 'portrait' | 'landscape' | 'square'> = { '9:16': 'portrait', '16:9': 'landscape', '1:1': 'square' };

/** Cached search: the store's cache by provider, kind and query; else the API (then cached). */
async function searchStock(deps: SourceDeps, provider: StockProvider, kind: 'video' | 'photo', query: string, aspect: AspectRatio): Promise<StockResult[]> {
	const cached = await deps.store.getStockSearch(provider.name, kind, `${query}|${ORIENTATION[aspect]}`, deps.stockCacheSeconds ?? 86_400);
	if (cached) return cached.results as StockResult[];
	const results = await provider.search(query, { kind, orientation: ORIENTATION[aspect], perPage: 15 });
	await deps.store.putStockSearch(provider.name, kind, `${query}|${ORIENTATION[aspect]}`, results as unknown as Json[]);
	return results;
}

/** Downloads one stock item into the library (a no-op for bytes it already holds). */
async function fetchStock(deps: SourceDeps, brandId: string, hit: StockResult): Promise<Json> {
	const dir = await mkdtemp(join(tmpdir(), 'bi-stock-'));
	try {
		const ext = extname(new URL(hit.download_url).pathname).toLowerCase() || (hit.kind === 'video' ? '.mp4' : '.jpg');
		const file = join(dir, `${hit.provider}-${hit.id}${ext}`);
		await downloadToFile(hit.download_url, file, { allowPrivateNetwork: deps.allowPrivateNetwork, maxBytes: deps.maxStockBytes ?? 200 * 1024 * 1024, provider: hit.provider });
		const out = await ingestMedia(
			{ store: deps.store, embedder: deps.embedder, mediaDir: deps.mediaDir },
			{
				brandId,
				files: [
					{
						path: file,
						kind: hit.kind === 'video' ? 'video' : 'image',
						tags: hit.tags,
						description: hit.description,
						licence: hit.licence,
						attribution: hit.attribution,
						attributionRequired: hit.attribution_required,
						origin: hit.provider as 'pexels' | 'pixabay',
						sourceUrl: hit.page_url,
						externalId: `${hit.provider}:${hit.id}`,
						metadata: { author: hit.author ?? null, author_url: hit.author_url ?? null },
					},
				],
			},
		);
		return out.ingested[0] ?? out.duplicates[0];
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

/** Plans every scene's source (see the file comment). Writes only stock downloads into the library. */
export async function planSceneSources(deps: SourceDeps, input: PlanInput): Promise<ScenePlan[]> {
	const minScore = deps.minScore ?? 0.2;
	const media = input.library ? await deps.store.listBrandMedia(input.brandId) : [];
	const byId = new Map(media.map((m) => [m.media_id as string, m]));
	const font = media.find((m) => m.kind === 'font');
	const logo = media.find((m) => m.kind === 'logo');
	const fontPath = (font?.file_url as string | undefined) ?? null;
	const visuals = media.filter((m) => m.kind === 'image' || m.kind === 'video');
	const { vectors } = await deps.embedder.embed(input.scenes.map((s) => s.visual_prompt));
	const used = new Map<string, number>();
	const usedStock = new Set<string>();
	const plans: ScenePlan[] = [];
	const last = input.scenes.length - 1;
	for (const [k, scene] of input.scenes.entries()) {
		const plan: ScenePlan = {
			sequence: scene.sequence,
			fitting: new Set(),
			stock: {},
			typography: { type: 'typography', text: scene.voiceover_text?.trim() || scene.visual_prompt, font_path: fontPath, palette: input.palette },
			warnings: [],
		};
		plans.push(plan);
		if (input.library && k === last && logo && input.endCard !== false && input.scenes.length > 1) {
			plan.library = {
				type: 'end_card',
				media_id: logo.media_id as string,
				kind: 'logo',
				path: logo.file_url as string,
				width: logo.width as number,
				height: logo.height as number,
				text: scene.voiceover_text?.trim() || '',
				font_path: fontPath,
				palette: input.palette,
				licence: logo.licence as string,
				attribution: (logo.attribution as string | null) ?? null,
				attribution_required: Boolean(logo.attribution_required),
				origin: logo.origin as string,
			};
			plan.fitting.add('library');
			continue;
		}
		// Unused fitting assets first, then stock; never a repeat (typography takes the scene instead).
		let fittingAllUsed = false;
		if (input.library && visuals.length) {
			const words = promptWords(scene.visual_prompt);
			const matches = await deps.store.matchBrandMedia(input.brandId, vectors[k], ['image', 'video'], Math.min(200, visuals.length));
			const scored = matches
				.map((m) => ({ row: byId.get(m.media_id)!, score: m.similarity + tagBonus(byId.get(m.media_id)?.tags, words) }))
				.filter((m) => m.row && m.score >= minScore)
				.sort((a, b) => b.score - a.score || String(a.row.media_id).localeCompare(String(b.row.media_id)));
			const pick = scored.find((m) => !used.has(m.row.media_id as string));
			if (pick) {
				const id = pick.row.media_id as string;
				used.set(id, (used.get(id) ?? 0) + 1);
				if (pick.row.external_id) usedStock.add(pick.row.external_id as string);
				plan.library = assetSource(pick.row, pick.score, MOTIONS[k % MOTIONS.length], input.palette);
				plan.fitting.add('library');
				continue;
			}
			fittingAllUsed = scored.length > 0;
		}
		for (const provider of deps.stock ?? []) {
			const query = stockQuery(scene.visual_prompt);
			try {
				let found: { hit: StockResult; row: Json } | undefined;
				let searched = 0;
				for (const kind of ['video', 'photo'] as const) {
					const results = await searchStock(deps, provider, kind, query, input.aspect);
					searched += results.length;
					for (const hit of results.filter((r) => !usedStock.has(`${r.provider}:${r.id}`)).slice(0, 5)) {
						const row = await fetchStock(deps, input.brandId, hit);
						usedStock.add(`${hit.provider}:${hit.id}`);
						// The same bytes under another id (or provider) are the same asset: not a new one.
						if (used.has(row.media_id as string)) continue;
						found = { hit, row };
						break;
					}
					if (found) break;
				}
				if (!found) {
					plan.warnings.push(`${provider.name}: ${searched ? 'nothing new' : 'nothing'} found for "${query}"`);
					continue;
				}
				const { row } = found;
				used.set(row.media_id as string, (used.get(row.media_id as string) ?? 0) + 1);
				plan.stock[provider.name] = assetSource(row, 1, MOTIONS[k % MOTIONS.length], input.palette);
				plan.fitting.add(provider.name);
				break;
			} catch (err) {
				// A rate limit, an outage or a bad file: this scene goes to the next generator.
				const why = err instanceof ProviderError && err.status === 429 ? `rate limited${err.retryAfterSeconds ? ` (retry after ${err.retryAfterSeconds} s)` : ''}` : (err as Error).message;
				plan.warnings.push(`${provider.name}: ${why}`);
			}
		}
		if (!plan.fitting.size && fittingAllUsed) plan.warnings.push('library: every fitting asset is used already in this video; the scene becomes kinetic typography');
	}
	return plans;
}

/** The source a routed scene is rendered from, for the generator the router chose. */
export function sourceFor(plan: ScenePlan | undefined, provider: string, model: string): SceneSource | undefined {
	if (!plan) return undefined;
	if (provider === 'library') return model === 'library-asset' ? plan.library : plan.typography;
	return plan.stock[provider];
}
