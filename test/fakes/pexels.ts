/**
 * A loopback Pexels API (api.pexels.com), answering as pexels.com/api/documentation describes:
 *   - auth: header `Authorization: <key>` (no scheme); missing or wrong → 401 `{"error": …}`
 *   - GET /videos/search (and /v1/videos/search)?query=&orientation=&per_page=(≤80)&page= →
 *     `{page, per_page, total_results, url, videos:[{id, width, height, url, image, duration,
 *     user{id,name,url}, video_files:[{id, quality, file_type, width, height, fps, link}],
 *     video_pictures}], next_page?}`
 *   - GET /v1/search?query=&orientation=&per_page=&page= → `{page, per_page, total_results,
 *     photos:[{id, width, height, url, photographer, photographer_url, alt, src{original, large2x,
 *     large, medium, portrait, landscape, tiny}}], next_page?}`
 *   - every answer carries X-Ratelimit-Limit / X-Ratelimit-Remaining / X-Ratelimit-Reset (UNIX
 *     time); after `requestLimit` requests the answer is 429 with the remaining count 0.
 * Items match when any query word is one of their tags; orientation filters by shape. Download
 * links are real files on a media host (a CDN like videos.pexels.com).
 */
import { HttpError, startLoopback, type LoggedRequest, type Loopback } from './openai';
import { startMediaHost, type MediaHost } from './media-host';
import { DEFAULT_STOCK, matching, prepareStock, stockFile, type StockItem } from './stock-media';

export interface PexelsFakeOptions {
	apiKey: string;
	items?: StockItem[];
	/** Requests before 429 (default 200, Pexels' hourly default). */
	requestLimit?: number;
	media?: MediaHost;
}

export interface PexelsFake extends Loopback {
	baseUrl: string;
	media: MediaHost;
	searches(): LoggedRequest[];
	/** Spend the rate limit now (the next request gets 429). */
	exhaust(): void;
}

/** Pexels' quality label of a rendition: sd below 720 on the short side, hd to 1080, uhd above. */
const quality = (i: StockItem) => (Math.min(i.width, i.height) >= 2160 ? 'uhd' : Math.min(i.width, i.height) >= 720 ? 'hd' : 'sd');

const shapeOk = (i: StockItem, o: string | null) => !o || (o === 'portrait' ? i.height > i.width : o === 'landscape' ? i.width > i.height : i.width === i.height || o === 'square');

export async function startPexelsFake(opts: PexelsFakeOptions): Promise<PexelsFake> {
	const items = opts.items ?? DEFAULT_STOCK;
	await prepareStock(items);
	const ownMedia = !opts.media;
	const media = opts.media ?? (await startMediaHost({ defaultTtlMs: 3_600_000 }));
	const limit = opts.requestLimit ?? 200;
	let used = 0;
	const reset = () => String(Math.floor(Date.now() / 1000) + 3600);
	const rateHeaders = () => ({ 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(Math.max(0, limit - used)), 'x-ratelimit-reset': reset() });
	const links = new Map<number, string>();
	const linkFor = async (i: StockItem) => {
		if (!links.has(i.id)) links.set(i.id, media.publish({ file: await stockFile(i), contentType: i.kind === 'video' ? 'video/mp4' : 'image/jpeg', name: `${i.kind === 'video' ? 'video' : 'pexels-photo'}-${i.id}.${i.kind === 'video' ? 'mp4' : 'jpeg'}` }));
		return links.get(i.id)!;
	};
	let selfUrl = '';
	const route = async (req: LoggedRequest) => {
		const url = new URL(req.path, 'http://fake');
		if (req.headers.authorization !== opts.apiKey) throw new HttpError(401, { error: 'Unauthorized' });
		used++;
		if (used > limit) throw new HttpError(429, { error: 'Rate limit exceeded' }, { ...rateHeaders(), 'x-ratelimit-remaining': '0' });
		if (req.method !== 'GET') throw new HttpError(405, { error: 'Method not allowed' });
		const query = url.searchParams.get('query') ?? '';
		if (!query.trim()) throw new HttpError(400, { error: 'query is required' });
		const perPage = Math.min(80, Math.max(1, Number(url.searchParams.get('per_page') ?? 15)));
		const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
		const orientation = url.searchParams.get('orientation');
		const isVideo = url.pathname === '/videos/search' || url.pathname === '/v1/videos/search';
		if (!isVideo && url.pathname !== '/v1/search') throw new HttpError(404, { error: 'Not found' });
		const all = matching(items, isVideo ? 'video' : 'photo', query).filter((i) => shapeOk(i, orientation));
		const slice = all.slice((page - 1) * perPage, page * perPage);
		const next = page * perPage < all.length ? `${selfUrl}${url.pathname}?${new URLSearchParams({ ...Object.fromEntries(url.searchParams), page: String(page + 1) })}` : undefined;
		const base = { page, per_page: perPage, total_results: all.length, ...(next ? { next_page: next } : {}) };
		if (isVideo) {
			const videos = await Promise.all(
				slice.map(async (i) => ({
					id: i.id,
					width: i.width * 3,
					height: i.height * 3,
					url: `https://www.pexels.com/video/${i.slug}-${i.id}/`,
					image: `https://images.pexels.com/videos/${i.id}/preview.jpeg`,
					duration: i.seconds ?? 4,
					user: { id: i.id * 7, name: i.author, url: `https://www.pexels.com/@${i.author.toLowerCase().replace(/\s+/g, '-')}` },
					video_files: [
						{ id: i.id * 10 + 1, quality: quality(i), file_type: 'video/mp4', width: i.width, height: i.height, fps: 25, link: await linkFor(i) },
						{ id: i.id * 10 + 2, quality: null, file_type: 'video/webm', width: i.width * 3, height: i.height * 3, fps: 25, link: 'https://videos.pexels.com/never-fetched.webm' },
					],
					video_pictures: [],
				})),
			);
			return { status: 200, body: { ...base, url: `https://www.pexels.com/search/videos/${encodeURIComponent(query)}/`, videos }, headers: rateHeaders() };
		}
		const photos = await Promise.all(
			slice.map(async (i) => {
				const link = await linkFor(i);
				return {
					id: i.id,
					width: i.width,
					height: i.height,
					url: `https://www.pexels.com/photo/${i.slug}-${i.id}/`,
					photographer: i.author,
					photographer_url: `https://www.pexels.com/@${i.author.toLowerCase().replace(/\s+/g, '-')}`,
					alt: i.slug.replace(/-/g, ' '),
					src: { original: link, large2x: link, large: link, medium: link, portrait: link, landscape: link, tiny: link },
				};
			}),
		);
		return { status: 200, body: { ...base, photos }, headers: rateHeaders() };
	};
	const self: Loopback = await startLoopback({ route, errorBody: (status) => ({ error: status === 429 ? 'Rate limit exceeded' : 'Internal error' }), rateLimitHeaders: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset() } });
	selfUrl = self.url;
	const close = self.close;
	return {
		...self,
		baseUrl: self.url,
		media,
		searches: () => self.requests.filter((r) => /search/.test(r.path)),
		exhaust: () => {
			used = limit;
		},
		close: async () => {
			await close();
			if (ownMedia) await media.close();
		},
	};
}
