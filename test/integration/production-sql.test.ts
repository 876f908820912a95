/** The pillar 3 job state API on PGlite: submit and poll as separate steps, retries, dead letters, the clip cache. */
import { IllegalTransitionError, VersionConflictError } from '../../lib/domain/errors';
import type { Json, Store } from '../../lib/store';
import { seedCampaign, tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
beforeAll(async () => {
	t = await tempStore();
	store = t.store;
}, 60_000);
afterAll(() => t.close());

const scene = (n: number) => ({
	sequence: n,
	duration_seconds: 5,
	visual_prompt: `scene ${n}`,
	voiceover_text: `line ${n}`,
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'static', lighting: 'soft' },
	audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' },
});

async function approvedVideo(scenes = 3): Promise<{ video: Json; campaignId: string }> {
	const { brand, campaign } = await seedCampaign(store, '20');
	const brief = await store.createBrief({ brand_id: brand.brand_id, campaign_id: campaign.campaign_id, campaign_request: {}, creative_brief: {}, brand_alignment_score: 0.9, auto_approve: true });
	const script = await store.createScript({
		brief_id: brief.brief_id as string,
		script: {
			hook: { text: 'h', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' },
			scenes: Array.from({ length: scenes }, (_, i) => scene(i + 1)),
			voiceover_full_text: 'lines',
			total_duration_seconds: scenes * 5,
			variant_tag: 'humorous',
		},
	});
	const id = script.script_id as string;
	await expect(store.createVideo({ script_id: id })).rejects.toBeInstanceOf(IllegalTransitionError);
	await store.transition({ entity: 'script', id, expectedVersion: 1, toStatus: 'pending' });
	await store.transition({ entity: 'script', id, expectedVersion: 2, toStatus: 'approved' });
	return { video: await store.createVideo({ script_id: id }), campaignId: campaign.campaign_id as string };
}

const enqueue = (sceneId: string, hash: string, extra: Json = {}) =>
	store.enqueueGenerationJob({ scene_id: sceneId, provider: 'gemini', model_name: 'veo-3.1-fast-generate-001', prompt: 'p', request_hash: hash, parameters: { durationSeconds: 5 }, ...extra });

test('submit, then poll until done: the provider job id is stored first, and the video is ready with its last scene', async () => {
	const { video } = await approvedVideo(2);
	const [s1, s2] = video.scenes as { scene_id: string }[];
	const j1 = await enqueue(s1.scene_id, 'hash-a-1');
	const j2 = await enqueue(s2.scene_id, 'hash-a-2');
	expect(await enqueue(s1.scene_id, 'hash-a-1')).toMatchObject({ job_id: j1.job_id, replayed: true });

	const claimed = await store.claimGenerationJobs('w1', 10, 60);
	expect(claimed.map((j) => j.job_id).sort()).toEqual([j1.job_id, j2.job_id].sort());
	await expect(store.beginJobSubmission(j1.job_id as string, 'intruder')).rejects.toBeInstanceOf(VersionConflictError);
	for (const j of [j1, j2]) {
		await store.beginJobSubmission(j.job_id as string, 'w1');
		await store.recordJobSubmission(j.job_id as string, 'w1', `op-${j.job_id}`, 0);
	}
	const again = await store.claimGenerationJobs('w1', 10, 60);
	expect(again.map((j) => j.status)).toEqual(['processing', 'processing']);
	await store.recordJobPoll(j2.job_id as string, 'w1', 0, 'running');
	const first = await store.completeJob(j1.job_id as string, 'w1', '/media/a1.mp4', 5.04, 400_000);
	expect(first).toMatchObject({ status: 'completed', video_ready: false, scenes_pending: 1 });
	await store.claimGenerationJobs('w1', 10, 60);
	const last = await store.completeJob(j2.job_id as string, 'w1', '/media/a2.mp4', 5, 400_000);
	expect(last).toMatchObject({ video_ready: true, scenes_pending: 0 });
	const got = await store.getVideo(video.video_id as string);
	expect((got.scenes as Json[]).map((s) => [s.status, s.clip_url])).toEqual([
		['ready', '/media/a1.mp4'],
		['ready', '/media/a2.mp4'],
	]);
});

test('an identical request reuses the cached clip at no cost', async () => {
	const { video } = await approvedVideo(1);
	const [s] = video.scenes as { scene_id: string }[];
	const cached = await enqueue(s.scene_id, 'hash-a-1');
	expect(cached).toMatchObject({ status: 'completed', cached: true, result_url: '/media/a1.mp4' });
	expect(await store.claimGenerationJobs('w2', 10, 60)).toEqual([]);
});

test('a provider-confirmed failure is retried with backoff until max attempts, then dead-lettered', async () => {
	const { video } = await approvedVideo(1);
	const [s] = video.scenes as { scene_id: string }[];
	const job = await enqueue(s.scene_id, 'hash-b', { max_attempts: 2 });
	const id = job.job_id as string;
	await store.claimGenerationJobs('w', 10, 60);
	await store.beginJobSubmission(id, 'w');
	await store.recordJobSubmission(id, 'w', 'op-b1', 0);
	await store.claimGenerationJobs('w', 10, 60);
	const retry = await store.failJob(id, 'w', 'blocked by the safety filter', true, 0);
	expect(retry).toMatchObject({ status: 'queued', will_retry: true, job_api_id: null, attempts: 1 });
	await store.claimGenerationJobs('w', 10, 60);
	await store.beginJobSubmission(id, 'w');
	await store.recordJobSubmission(id, 'w', 'op-b2', 0);
	await store.claimGenerationJobs('w', 10, 60);
	const dead = await store.failJob(id, 'w', 'blocked again', true, 0);
	expect(dead).toMatchObject({ status: 'dead_letter', will_retry: false, attempts: 2 });
	expect(dead.error_message).toContain('gave up after 2 attempts');
	expect((await store.getVideo(video.video_id as string)).scenes).toEqual([expect.objectContaining({ status: 'failed' })]);
});

test('an unknown submission outcome is dead-lettered at once, never resubmitted', async () => {
	const { video } = await approvedVideo(1);
	const [s] = video.scenes as { scene_id: string }[];
	const job = await enqueue(s.scene_id, 'hash-c');
	const id = job.job_id as string;
	await store.claimGenerationJobs('w', 10, 60);
	await store.beginJobSubmission(id, 'w');
	const dead = await store.failJob(id, 'w', 'connection dropped during submit', false);
	expect(dead).toMatchObject({ status: 'dead_letter', will_retry: false, attempts: 1 });
	expect(dead.error_message).toContain('outcome unknown');
	expect(await store.claimGenerationJobs('w', 10, 60)).toEqual([]);
});

test('a callback makes a processing job due now', async () => {
	const { video } = await approvedVideo(1);
	const [s] = video.scenes as { scene_id: string }[];
	const job = await enqueue(s.scene_id, 'hash-d');
	const id = job.job_id as string;
	await store.claimGenerationJobs('w', 10, 60);
	await store.beginJobSubmission(id, 'w');
	await store.recordJobSubmission(id, 'w', 'op-d', 3600);
	expect(await store.claimGenerationJobs('w', 10, 60)).toEqual([]);
	await store.jobCallback('gemini', 'op-d');
	expect((await store.claimGenerationJobs('w', 10, 60)).map((j) => j.job_id)).toEqual([id]);
	await expect(store.jobCallback('gemini', 'op-unknown')).rejects.toMatchObject({ code: 'BI404' });
});
