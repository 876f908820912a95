/**
 * A loopback Pixabay API (pixabay.com/api/docs):
 *   - auth: `key=` in the query; missing or unknown → 400 text "[ERROR 400] Invalid or missing API key"
 *   - GET /api/?key=&q=&image_type=&orientation=horizontal|vertical&per_page=(3–200)&page= →
 *     `{total, totalHits, hits:[{id, pageURL, type:"photo", tags:"a, b", previewURL, webformatURL,
 *     largeImageURL, imageWidth, imageHeight, views, downloads, user_id, user, userImageURL}]}`
 *   - GET /api/videos/?key=&q=&per_page=&page= → `{total, totalHits, hits:[{id, pageURL,
 *     type:"film", tags, duration, videos:{large, medium, small, tiny:{url, width, height, size,
 *     thumbnail}}, views, downloads, user_id, user, userImageURL}]}` (empty renditions have url "")
 *   - X-RateLimit-Limit / X-RateLimit-Remaining / X-RateLimit-Reset (seconds) on every answer;
 *     over `requestLimit` requests → 429 text "[ERROR 429] Too many requests".
 *   - per_page outside 3–200 → 400 "[ERROR 400] "per_page" is out of valid range."
 */
import { statSync } from 'node:fs';

import { HttpError, startLoopback, type LoggedRequest, type Loopback } from './openai';
import { startMediaHost, type MediaHost } from './media-host';
import { DEFAULT_STOCK, matching, prepareStock, stockFile, type StockItem } from './stock-media';

export interface PixabayFakeOptions {
	apiKey: string;
	items?: StockItem[];
	/** Requests per window before 429 (default 100, Pixabay's per-minute default). */
	requestLimit?: number;
	media?: MediaHost;
}

export interface PixabayFake extends Loopback {
	baseUrl: string;
	media: MediaHost;
	searches(): LoggedRequest[];
	exhaust(): void;
}

export async function startPixabayFake(opts: PixabayFakeOptions): Promise<PixabayFake> {
	// Its own ids (and so its own files): the same catalogue of scenes, other footage than the Pexels fake's.
	const items = opts.items ?? DEFAULT_STOCK.map((i) => ({ ...i, id: i.id + 5000 }));
	await prepareStock(items);
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost({ defaultTtlMs: 3_600_000 }));
	const limit = opts.requestLimit ?? 100;
	let used = 0;
	const rateHeaders = (remaining = Math.max(0, limit - used)) => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': '60' });
	const links = new Map<number, string>();
	const linkFor = async (i: StockItem) => {
		if (!links.has(i.id)) links.set(i.id, media.publish({ file: await stockFile(i), contentType: i.kind === 'video' ? 'video/mp4' : 'image/jpeg', name: `${i.slug}_${i.id}.${i.kind === 'video' ? 'mp4' : 'jpg'}` }));
		return links.get(i.id)!;
	};
	const text = (status: number, body: string, headers: Record<string, string> = {}) => new HttpError(status, body, { 'content-type': 'text/html; charset=utf-8', ...headers });
	const route = async (req: LoggedRequest) => {
		const url = new URL(req.path, 'http://fake');
		if (url.searchParams.get('key') !== opts.apiKey) throw text(400, '[ERROR 400] Invalid or missing API key');
		used++;
		if (used > limit) throw text(429, '[ERROR 429] Too many requests', rateHeaders(0));
		const isVideo = url.pathname === '/api/videos/' || url.pathname === '/api/videos';
		if (!isVideo && url.pathname !== '/api/' && url.pathname !== '/api') throw text(404, 'Not found');
		const perPage = Number(url.searchParams.get('per_page') ?? 20);
		if (!Number.isInteger(perPage) || perPage < 3 || perPage > 200) throw text(400, '[ERROR 400] "per_page" is out of valid range.');
		const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
		const q = url.searchParams.get('q') ?? '';
		const orientation = url.searchParams.get('orientation');
		let all = q.trim() ? matching(items, isVideo ? 'video' : 'photo', q) : items.filter((i) => i.kind === (isVideo ? 'video' : 'photo'));
		if (!isVideo && orientation === 'vertical') all = all.filter((i) => i.height > i.width);
		if (!isVideo && orientation === 'horizontal') all = all.filter((i) => i.width > i.height);
		const slice = all.slice((page - 1) * perPage, page * perPage);
		const common = (i: StockItem) => ({ id: i.id, pageURL: `https://pixabay.com/${isVideo ? 'videos' : 'photos'}/${i.slug}-${i.id}/`, tags: i.tags.join(', '), views: 100, downloads: 10, user_id: i.id * 3, user: i.author.split(' ')[0].toLowerCase(), userImageURL: '' });
		const hits = await Promise.all(
			slice.map(async (i) => {
				const link = await linkFor(i);
				if (!isVideo) return { ...common(i), type: 'photo', previewURL: link, webformatURL: link, largeImageURL: link, imageWidth: i.width, imageHeight: i.height };
				const size = statSync(await stockFile(i)).size;
				// The one rendition the fake renders, under Pixabay's name for its size; the others empty, as the API lists a missing one.
				const long = Math.max(i.width, i.height);
				const slot = long >= 1920 ? 'large' : long >= 1280 ? 'medium' : long >= 960 ? 'small' : 'tiny';
				const empty = { url: '', width: 0, height: 0, size: 0, thumbnail: '' };
				const videos: Record<string, typeof empty> = { large: empty, medium: empty, small: empty, tiny: empty };
				videos[slot] = { url: link, width: i.width, height: i.height, size, thumbnail: '' };
				return { ...common(i), type: 'film', duration: i.seconds ?? 4, videos };
			}),
		);
		return { status: 200, body: { total: all.length, totalHits: all.length, hits }, headers: rateHeaders() };
	};
	const self = await startLoopback({ route, errorBody: (status) => `[ERROR ${status}] ${status === 429 ? 'Too many requests' : 'Server error'}`, rateLimitHeaders: rateHeaders(0) });
	const close = self.close;
	return {
		...self,
		baseUrl: self.url,
		media,
		searches: () => self.requests.filter((r) => r.path.startsWith('/api')),
		exhaust: () => {
			used = limit;
		},
		close: async () => {
			await close();
			if (ownMedia) await media.close();
		},
	};
}
