/**
 * Pexels (api.pexels.com): video and photo search for the stock generator.
 * - Auth: header `Authorization: <key>` (no scheme).
 * - Videos: `GET /videos/search?query=&orientation=portrait|landscape|square&per_page=&page=` →
 *   `{page, per_page, total_results, videos:[{id, width, height, url, image, duration,
 *   user:{id,name,url}, video_files:[{id, quality hd|sd|uhd, file_type, width, height, fps, link}]}]}`.
 * - Photos: `GET /v1/search?query=&orientation=&per_page=&page=` → `{photos:[{id, width, height,
 *   url, photographer, photographer_url, alt, src:{original, large2x, large, portrait, landscape…}}]}`.
 * - Rate limit: `X-Ratelimit-Limit/Remaining/Reset` (UNIX time) on every answer, 429 when spent.
 * - Licence (pexels.com/license): free to use, attribution not required but appreciated: recorded
 *   as "Video by <name> on Pexels", not forced into captions.
 */
import type { StockProvider, StockResult, StockSearchOptions } from '../types';
import { trimSlash } from '../video/common';
import { stockGet, type StockHttpOptions } from './common';

export const PEXELS_LICENCE = 'Pexels License (free to use; attribution not required) https://www.pexels.com/license/';

export interface PexelsOptions extends StockHttpOptions {
	apiKey: string;
	/** Default https://api.pexels.com */
	baseUrl?: string;
}

interface PexelsVideoFile {
	id: number;
	quality: string | null;
	file_type: string;
	width: number | null;
	height: number | null;
	link: string;
}
interface PexelsVideo {
	id: number;
	width: number;
	height: number;
	url: string;
	duration: number;
	user?: { name?: string; url?: string };
	video_files?: PexelsVideoFile[];
	tags?: string[];
}
interface PexelsPhoto {
	id: number;
	width: number;
	height: number;
	url: string;
	photographer?: string;
	photographer_url?: string;
	alt?: string;
	src?: Record<string, string>;
}

/** Words of a Pexels page URL slug ("/video/runner-in-the-city-123/") as a description. */
function slugWords(url: string): string {
	const m = /\/(?:video|photo)\/([a-z0-9-]+?)-\d+\/?$/i.exec(url);
	return m ? m[1].replace(/-/g, ' ') : '';
}

/** The mp4 rendition closest above 1080 on the short side (else the largest). */
export function pickVideoFile(files: PexelsVideoFile[]): PexelsVideoFile | undefined {
	const mp4 = files.filter((f) => f.file_type === 'video/mp4' && f.link && f.width && f.height);
	const short = (f: PexelsVideoFile) => Math.min(f.width!, f.height!);
	const big = mp4.filter((f) => short(f) >= 720).sort((a, b) => short(a) - short(b));
	return big.find((f) => short(f) >= 1080) ?? big.at(-1) ?? mp4.sort((a, b) => short(b) - short(a))[0];
}

export class PexelsStockProvider implements StockProvider {
	readonly name = 'pexels';
	private readonly base: string;
	remaining: number | null = null;

	constructor(private readonly opts: PexelsOptions) {
		if (!opts.apiKey?.trim()) throw new Error('Pexels needs an API key');
		this.base = trimSlash(opts.baseUrl || 'https://api.pexels.com');
	}

	async search(query: string, opts: StockSearchOptions): Promise<StockResult[]> {
		const q = new URLSearchParams({ query, per_page: String(Math.min(80, opts.perPage ?? 15)), page: String(opts.page ?? 1) });
		if (opts.orientation) q.set('orientation', opts.orientation);
		const headers = { Authorization: this.opts.apiKey.trim() };
		if (opts.kind === 'video') {
			const { body, remaining } = await stockGet<{ videos?: PexelsVideo[] }>(this.name, `${this.base}/videos/search?${q}`, headers, this.opts);
			this.remaining = remaining;
			return (body.videos ?? []).flatMap((v): StockResult[] => {
				const file = pickVideoFile(v.video_files ?? []);
				if (!file) return [];
				const who = v.user?.name?.trim() || 'a Pexels videographer';
				const words = slugWords(v.url);
				return [
					{
						provider: this.name,
						id: String(v.id),
						kind: 'video',
						width: file.width!,
						height: file.height!,
						duration_seconds: v.duration,
						download_url: file.link,
						page_url: v.url,
						author: v.user?.name,
						author_url: v.user?.url,
						tags: [...new Set([...(v.tags ?? []), ...query.toLowerCase().split(/\s+/)].filter(Boolean))],
						description: words || query,
						licence: PEXELS_LICENCE,
						attribution: `Video by ${who} on Pexels (${v.url})`,
						attribution_required: false,
					},
				];
			});
		}
		const { body, remaining } = await stockGet<{ photos?: PexelsPhoto[] }>(this.name, `${this.base}/v1/search?${q}`, headers, this.opts);
		this.remaining = remaining;
		return (body.photos ?? []).flatMap((p): StockResult[] => {
			const link = p.src?.original ?? p.src?.large2x;
			if (!link) return [];
			const who = p.photographer?.trim() || 'a Pexels photographer';
			return [
				{
					provider: this.name,
					id: String(p.id),
					kind: 'photo',
					width: p.width,
					height: p.height,
					download_url: link,
					page_url: p.url,
					author: p.photographer,
					author_url: p.photographer_url,
					tags: [...new Set(query.toLowerCase().split(/\s+/).filter(Boolean))],
					description: p.alt?.trim() || slugWords(p.url) || query,
					licence: PEXELS_LICENCE,
					attribution: `Photo by ${who} on Pexels (${p.url})`,
					attribution_required: false,
				},
			];
		});
	}
}
