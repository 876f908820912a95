/**
 * Where a campaign is in the five pillars, from one read of the store (bi_campaign_progress): the
 * pillar at work, what waits for a person, and a one-line summary ("production: 2 of 3 scenes").
 * With A/B variants under way, the pillar is the one holding the campaign back (the least advanced
 * variant's), and each variant's own pillar is listed.
 */
import type { Json, Store } from '../store/store';

export type ProgressPillar = 'strategist' | 'copywriter' | 'production' | 'broadcaster' | 'done';

export interface CampaignProgress extends Json {
	campaign_id: string;
	pillar: ProgressPillar;
	/** The asset a person must approve before anything moves on, if any. */
	waiting_for: string | null;
	summary: string;
	scenes_total: number;
	scenes_ready: number;
	posts_published: number;
	/** The campaign's own status (draft, in_production, completed, published, paused, cancelled). */
	campaign_status: string;
	variants: VariantProgress[];
	raw: Json;
}

export interface VariantProgress extends Json {
	variant_id: string;
	variant_type: string;
	status: string;
	pillar: ProgressPillar;
	posts_published: number;
}

const ORDER: ProgressPillar[] = ['strategist', 'copywriter', 'production', 'broadcaster', 'done'];
const LIVE_POST = ['scheduled', 'publishing', 'unknown'];

type Row = Record<string, unknown>;
const list = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);

export async function campaignProgress(store: Store, campaignId: string): Promise<CampaignProgress> {
	const raw = await store.campaignProgress(campaignId);
	const briefs = list(raw.briefs);
	const scripts = list(raw.scripts);
	const videos = list(raw.videos);
	const posts = list(raw.posts);
	const pending = list(raw.pending_approvals);
	const scenesTotal = videos.reduce((n, v) => n + Number(v.scenes_total ?? 0), 0);
	const scenesReady = videos.reduce((n, v) => n + Number(v.scenes_ready ?? 0), 0);
	const published = posts.filter((p) => p.status === 'published').length;
	const waiting = pending.length ? String(pending[pending.length - 1].entity) : null;
	const label: Record<string, string> = { creative_brief: 'the brief', script: 'the script', video: 'the video', platform_post: 'a post' };

	const targets = Array.isArray(raw.target_platforms) ? (raw.target_platforms as string[]) : [];
	// Each variant that has a script: the pillar its own work is in (done: live on every target platform).
	const variants: VariantProgress[] = list(raw.variants)
		.filter((v) => v.script_id)
		.map((v) => {
			const script = scripts.find((s) => s.script_id === v.script_id);
			const video = videos.find((x) => x.video_id === v.video_id);
			const own = posts.filter((p) => p.variant_id === v.variant_id);
			const live = own.filter((p) => p.status === 'published');
			const livePlatforms = new Set(live.map((p) => String(p.platform)));
			let stage: ProgressPillar;
			if (live.length && targets.every((t) => livePlatforms.has(t)) && !own.some((p) => LIVE_POST.includes(String(p.status)))) stage = 'done';
			else if (video && ['approved', 'in_production', 'completed', 'published'].includes(String(video.status))) stage = 'broadcaster';
			else if (video || ['approved', 'in_production'].includes(String(script?.status))) stage = 'production';
			else stage = 'copywriter';
			return { variant_id: String(v.variant_id), variant_type: String(v.variant_type), status: String(v.status), pillar: stage, posts_published: live.length };
		});
	const behind = variants.length ? variants.reduce((m, v) => (ORDER.indexOf(v.pillar) < ORDER.indexOf(m) ? v.pillar : m), 'done' as ProgressPillar) : null;

	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const productionSummary = (): string => {
		const assembled = videos.filter((v) => v.master).length;
		if (scenesReady < scenesTotal) return `production: ${scenesReady} of ${scenesTotal} scenes ready`;
		return assembled < videos.length ? `production: all ${scenesTotal} scenes ready, assembling` : `production: ${plural(assembled, 'video')} assembled`;
	};
	const broadcasterSummary = () => `broadcaster: ${published} of ${plural(posts.length, 'post')} published`;

	let pillar: ProgressPillar;
	let summary: string;
	if (behind === 'done' && !pending.length) {
		pillar = 'done';
		summary = `published: ${plural(published, 'post')} of ${plural(variants.length, 'variant')}`;
	} else if (behind === 'broadcaster') {
		pillar = 'broadcaster';
		summary = broadcasterSummary();
	} else if (behind === 'production' || behind === 'copywriter') {
		pillar = behind;
		summary = behind === 'copywriter' ? `copywriter: ${plural(scripts.length, 'script')} written` : videos.length ? productionSummary() : 'production: routing the scenes';
	} else if (posts.length && posts.every((p) => ['published', 'cancelled', 'failed'].includes(String(p.status))) && !pending.length) {
		// No variant has a script (posts made outside the copywriter): the posts alone tell.
		pillar = 'done';
		summary = `published: ${plural(published, 'post')}`;
	} else if (posts.length || videos.some((v) => v.status === 'approved')) {
		pillar = 'broadcaster';
		summary = posts.length ? broadcasterSummary() : 'broadcaster: judging the video, writing captions, publishing';
	} else if (videos.length) {
		pillar = 'production';
		summary = productionSummary();
	} else if (scripts.some((s) => s.status === 'approved')) {
		pillar = 'production';
		summary = 'production: routing the scenes';
	} else if (scripts.length || briefs.some((b) => b.status === 'approved')) {
		pillar = 'copywriter';
		summary = scripts.length ? `copywriter: ${plural(scripts.length, 'script')} written` : 'copywriter: writing hooks and the script';
	} else {
		pillar = 'strategist';
		summary = briefs.length ? 'strategist: brief written' : 'strategist: writing the brief';
	}
	if (variants.length > 1) summary += ` (${variants.map((v) => `${v.variant_type}: ${v.pillar}`).join(', ')})`;
	if (waiting) summary += `; waiting for a person to approve ${label[waiting] ?? waiting}`;
	return {
		campaign_id: campaignId,
		pillar,
		waiting_for: waiting,
		summary,
		scenes_total: scenesTotal,
		scenes_ready: scenesReady,
		posts_published: published,
		campaign_status: String(raw.status),
		variants,
		raw,
	};
}
