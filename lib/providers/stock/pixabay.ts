/**
 * Pixabay (pixabay.com/api): photo and video search for the stock generator.
 * - Auth: `key=` in the query string.
 * - Photos: `GET /api/?key=&q=&image_type=photo&orientation=horizontal|vertical&per_page=3..200&page=&safesearch=true`
 *   → `{total, totalHits, hits:[{id, pageURL, tags:"a, b", largeImageURL, imageWidth, imageHeight, user}]}`.
 * - Videos: `GET /api/videos/?key=&q=&per_page=&page=&safesearch=true` → `{hits:[{id, pageURL, tags,
 *   duration, user, videos:{large|medium|small|tiny:{url, width, height, size}}}]}` (no
 *   orientation filter for videos: the adapter prefers renditions of the asked orientation).
 * - Rate limit: `X-RateLimit-Limit/Remaining/Reset` (seconds); 429 when exceeded; an unknown key
 *   is 400 "[ERROR 400] Invalid or missing API key". Pixabay asks API users to cache results for
 *   24 hours (the store's cache does).
 * - Content License (pixabay.com/service/license-summary): free to use, attribution not required.
 */
import type { StockProvider, StockResult, StockSearchOptions } from '../types';
import { trimSlash } from '../video/common';
import { stockGet, type StockHttpOptions } from './common';

export const PIXABAY_LICENCE = 'Pixabay Content License (free to use; attribution not required) https://pixabay.com/service/license-summary/';

export interface PixabayOptions extends StockHttpOptions {
	apiKey: string;
	/** Default https://pixabay.com */
	baseUrl?: string;
}

interface PixabayRendition {
	url: string;
	width: number;
	height: number;
	size?: number;
}
interface PixabayHit {
	id: number;
	pageURL: string;
	tags?: string;
	user?: string;
	duration?: number;
	largeImageURL?: string;
	imageWidth?: number;
	imageHeight?: number;
	videos?: Record<string, PixabayRendition>;
}

const tagList = (tags?: string) => (tags ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);

export class PixabayStockProvider implements StockProvider {
	readonly name = 'pixabay';
	private readonly base: string;
	remaining: number | null = null;

	constructor(private readonly opts: PixabayOptions) {
		if (!opts.apiKey?.trim()) throw new Error('Pixabay needs an API key');
		this.base = trimSlash(opts.baseUrl || 'https://pixabay.com');
	}

	async search(query: string, opts: StockSearchOptions): Promise<StockResult[]> {
		const key = this.opts.apiKey.trim();
		const q = new URLSearchParams({ key, q: query.slice(0, 100), per_page: String(Math.max(3, Math.min(200, opts.perPage ?? 15))), page: String(opts.page ?? 1), safesearch: 'true' });
		if (opts.kind === 'video') {
			const { body, remaining } = await stockGet<{ hits?: PixabayHit[] }>(this.name, `${this.base}/api/videos/?${q}`, {}, this.opts, key);
			this.remaining = remaining;
			const portrait = opts.orientation === 'portrait';
			return (body.hits ?? []).flatMap((h): StockResult[] => {
				const renditions = Object.values(h.videos ?? {}).filter((r) => r?.url && r.width && r.height);
				// Largest rendition up to 1920 on the long side; a vertical one first for a vertical video.
				const fit = renditions.filter((r) => Math.max(r.width, r.height) <= 1920).sort((a, b) => b.width * b.height - a.width * a.height);
				const pick = (portrait ? fit.find((r) => r.height > r.width) : undefined) ?? fit[0] ?? renditions[0];
				if (!pick) return [];
				const who = h.user?.trim() || 'a Pixabay creator';
				return [
					{
						provider: this.name,
						id: String(h.id),
						kind: 'video',
						width: pick.width,
						height: pick.height,
						duration_seconds: h.duration,
						download_url: pick.url,
						page_url: h.pageURL,
						author: h.user,
						tags: tagList(h.tags),
						description: tagList(h.tags).join(', ') || query,
						licence: PIXABAY_LICENCE,
						attribution: `Video by ${who} from Pixabay (${h.pageURL})`,
						attribution_required: false,
					},
				];
			});
		}
		q.set('image_type', 'photo');
		if (opts.orientation === 'portrait') q.set('orientation', 'vertical');
		else if (opts.orientation === 'landscape') q.set('orientation', 'horizontal');
		const { body, remaining } = await stockGet<{ hits?: PixabayHit[] }>(this.name, `${this.base}/api/?${q}`, {}, this.opts, key);
		this.remaining = remaining;
		return (body.hits ?? []).flatMap((h): StockResult[] => {
			if (!h.largeImageURL || !h.imageWidth || !h.imageHeight) return [];
			const who = h.user?.trim() || 'a Pixabay creator';
			return [
				{
					provider: this.name,
					id: String(h.id),
					kind: 'photo',
					width: h.imageWidth,
					height: h.imageHeight,
					download_url: h.largeImageURL,
					page_url: h.pageURL,
					author: h.user,
					tags: tagList(h.tags),
					description: tagList(h.tags).join(', ') || query,
					licence: PIXABAY_LICENCE,
					attribution: `Image by ${who} from Pixabay (${h.pageURL})`,
					attribution_required: false,
				},
			];
		});
	}
}
