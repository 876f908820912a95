/**
 * The credits a video's media ask for: the attribution of every library or stock asset in its
 * scenes, and of the brand library's music under it, whose licence requires it
 * (`attribution_required`; Pexels and Pixabay do not, a CC BY photo or track does). The
 * Broadcaster ends each post's caption with them.
 */
import type { Json, Store } from '../store/store';

export async function videoCredits(store: Store, campaignId: string, videoId: string): Promise<string[]> {
	const rows = await store.sceneSources(campaignId);
	const music = ((await store.getVideo(videoId)).outputs as Json | null)?.music as Json | undefined;
	const credits = [...rows.filter((r) => r.video_id === videoId).map((r) => r.media as Json | null), music ?? null]
		.filter((m): m is Json => Boolean(m && m.attribution_required && typeof m.attribution === 'string' && (m.attribution as string).trim()))
		.map((m) => (m.attribution as string).trim());
	return [...new Set(credits)];
}
