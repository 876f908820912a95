/**
 * Real n8n 2.41.1, local generators: an approved script in through the Production House template
 * (routed scenes, queued jobs), the Scene Poller template run until the clips are done, then the
 * voiceover and the assembly: a 9:16 master with captions and voice, 16:9 and 1:1, thumbnails.
 */
import { existsSync } from 'node:fs';

import { probeMedia } from '../../lib/media/probe';
import { e2eWorld, type E2eWorld } from '../helpers/e2e';

let world: E2eWorld;
let harness: E2eWorld['harness'];
let scriptId: string;
const withStore: E2eWorld['withStore'] = (fn) => world.withStore(fn);

const scene = (n: number, prompt: string) => ({
	sequence: n,
	duration_seconds: 5,
	visual_prompt: prompt,
	voiceover_text: ['Your morning run deserves better shoes.', 'Light, springy and made for city streets.', 'Stride. Run further, feel lighter.'][n - 1],
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540', '#FF6B00'], camera_movement: 'slow dolly', lighting: 'golden hour' },
	audio_cues: { music_style: 'warm pop', sfx: [], voice_tone: 'warm' },
});

beforeAll(async () => {
	world = await e2eWorld('production');
	harness = world.harness;
	scriptId = await withStore(async (store) => {
		const brand = await store.createBrand({ brand_name: 'Stride', tone: 'warm', color_palette: ['#0A2540', '#FF6B00'], visual_style: 'cinematic' });
		const campaign = await store.createCampaign({ campaign_name: 'Spring', brand_id: brand.brand_id, budget_limit_usd: '10' });
		const brief = await store.createBrief({
			brand_id: brand.brand_id,
			campaign_id: campaign.campaign_id,
			campaign_request: { budget_tier: 'standard' },
			creative_brief: {},
			brand_alignment_score: 0.9,
			auto_approve: true,
		});
		const voice = [1, 2, 3].map((n) => scene(n, '').voiceover_text).join(' ');
		const script = await store.createScript({
			brief_id: brief.brief_id as string,
			script: {
				hook: { text: 'Your morning run deserves better shoes.', hook_type: 'statement', quality_score: 0.8, variations_generated: 50, selected_rationale: 'best' },
				scenes: [
					scene(1, 'Close-up of a running shoe on wet asphalt at dawn, navy #0A2540 and orange #FF6B00, cinematic'),
					scene(2, 'Fast-paced montage of runners in a city street, quick cuts, navy and orange, cinematic'),
					scene(3, 'Abstract fluid shapes in navy and orange forming the Stride logo, cinematic'),
				],
				voiceover_full_text: voice,
				total_duration_seconds: 15,
				variant_tag: 'emotional',
			},
		});
		const id = script.script_id as string;
		await store.transition({ entity: 'script', id, expectedVersion: 1, toStatus: 'pending' });
		await store.transition({ entity: 'script', id, expectedVersion: 2, toStatus: 'approved' });
		return id;
	});

	await world.start(['production.json', 'scene-poller.json'], ['biProduction00001', 'biScenePoller0001']);
}, 20 * 60_000);

afterAll(() => world?.close(), 60_000);

describe('production and scene-poller templates in real n8n (local generators)', () => {
	let videoId: string;

	test('an unapproved or unknown script is refused with the field named', async () => {
		const res = await harness.webhook('brand-infinity/production', { script_id: '00000000-0000-4000-8000-000000000000' });
		expect([res.status, res.body.field]).toEqual([404, 'script_id']);
	}, 60_000);

	test('an approved script is routed and its scenes queued', async () => {
		const res = await harness.webhook('brand-infinity/production', { script_id: scriptId });
		expect(res.status).toBe(200);
		expect(res.body.jobs).toHaveLength(3);
		expect(res.body.statuses).toEqual(['queued', 'queued', 'queued']);
		videoId = res.body.video_id;
	}, 60_000);

	test('polling finishes the scenes, then the voiceover and the three formats are made', async () => {
		let video: Record<string, unknown> = {};
		for (let attempt = 0; attempt < 60; attempt++) {
			await harness.webhook('brand-infinity/scene-poller/poll', {});
			video = (await harness.webhook('brand-infinity/production/status', { video_id: videoId })).body;
			if (video.master_mp4_url) break;
			await new Promise((r) => setTimeout(r, 2000));
		}
		expect(video.master_mp4_url).toEqual(expect.stringContaining('master-9x16.mp4'));
		expect(video.approval_status).toBe('pending');
	}, 15 * 60_000);

	test('the outputs are real media of the right shape, and the store tells the story', async () => {
		await harness.stop();
		await withStore(async (store, sql) => {
			const video = await store.getVideo(videoId);
			const outputs = (video.outputs as { outputs: Record<string, { path: string }> }).outputs;
			const expected: Record<string, [number, number]> = { '9:16': [1080, 1920], '16:9': [1920, 1080], '1:1': [1080, 1080] };
			for (const [aspect, [w, h]] of Object.entries(expected)) {
				const probe = await probeMedia(outputs[aspect].path);
				expect([probe.width, probe.height]).toEqual([w, h]);
				expect(probe.hasAudio).toBe(true);
				expect(probe.durationSeconds).toBeGreaterThan(13);
				expect(probe.durationSeconds).toBeLessThan(16);
			}
			const thumbs = (video.outputs as { thumbnails: { path: string }[] }).thumbnails;
			expect(thumbs.length).toBeGreaterThan(0);
			expect(existsSync(thumbs[0].path)).toBe(true);
			// The template routes to the brand library first: this brand has no media, so every scene
			// is the library generator's kinetic typography (never the gradient card).
			expect((video.scenes as { status: string; job: { status: string; provider: string } }[]).map((s) => [s.status, s.job.status, s.job.provider])).toEqual([
				['ready', 'completed', 'library'],
				['ready', 'completed', 'library'],
				['ready', 'completed', 'library'],
			]);
			expect((video.audio as { voiceover_url: string }).voiceover_url).toMatch(/\.wav$/);
			// The assembled video waits at the gate with a signed link (Request Video Approval).
			const approvals = await sql.rows<{ status: string; entity: string }>('select status, entity from approvals where entity_id = $1', [videoId]);
			expect(approvals).toEqual([{ status: 'pending', entity: 'video' }]);
			const assets = await sql.rows<{ asset_type: string }>('select asset_type from assets where asset_url like $1', [`%${videoId}%`]);
			expect(assets.filter((a) => a.asset_type === 'video')).toHaveLength(3);
			// Local generation is free: nothing reserved, nothing charged.
			const [cost] = await sql.rows<{ n: number }>("select count(*)::int as n from cost_ledger where pillar = 'production'");
			expect(cost.n).toBe(0);
		});
	}, 120_000);
});
