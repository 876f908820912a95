/**
 * The credits a video's media ask for: the attribution of every library or stock asset in its
 * scenes whose licence requires it (`attribution_required`; Pexels and Pixabay do not, a CC BY
 * photo does). The Broadcaster ends each post's caption with them.
 */
import type { Json, Store } from '../store/store';

export async function videoCredits(store: Store, campaignId: string, videoId: string): Promise<string[]> {
	const rows = await store.sceneSources(campaignId);
	const credits = rows
		.filter((r) => r.video_id === videoId)
		.map((r) => r.media as Json | null)
		.filter((m): m is Json => Boolean(m && m.attribution_required && typeof m.attribution === 'string' && (m.attribution as string).trim()))
		.map((m) => (m.attribution as string).trim());
	return [...new Set(credits)];
}
