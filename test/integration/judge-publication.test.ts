/**
 * The publish gate over the store: an assembled video's output is measured and its caption judged in
 * one report with one route; the report is recorded against the video (or the post), and bad input
 * names its field without recording anything.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ValidationError } from '../../lib/domain/errors';
import { createEmbeddingProvider, createModerationProvider } from '../../lib/providers/registry';
import type { Json, Store } from '../../lib/store';
import { judgePublication } from '../../lib/strategy/judge/service';
import { seedCampaign, tempStore } from '../helpers/store';

jest.setTimeout(180_000);

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
let media: string;
let videoId: string;
let campaignId: string;
let brandId: string;

function ffmpeg(args: string[]): void {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
}

const deps = () => ({ store, embedder: createEmbeddingProvider({ provider: 'local' }), moderation: createModerationProvider({ provider: 'local' })! });

async function reports(): Promise<Json[]> {
	return t.transport.session.rows<Json>('select entity, entity_id, route, campaign_id from safety_reports order by created_at');
}

beforeAll(async () => {
	t = await tempStore();
	store = t.store;
	media = mkdtempSync(join(tmpdir(), 'bi-gate-'));
	// A 16 s moving picture with a tone near −14 LUFS (the good file), and the same picture silent.
	ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=720x1280:rate=24:duration=16', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=16', '-filter_complex', '[1:a]volume=8dB[a]', '-map', '0:v', '-map', '[a]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(media, 'master.mp4')]);
	ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=720x720:rate=24:duration=16', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-t', '16', join(media, 'square-silent.mp4')]);
	const { brand, campaign } = await seedCampaign(store, '20');
	campaignId = campaign.campaign_id as string;
	brandId = brand.brand_id as string;
	const brief = await store.createBrief({ brand_id: brandId, campaign_id: campaignId, campaign_request: { product: 'tea' }, creative_brief: { core_message: { primary_hook: 'Tea time', value_proposition: 'calm', call_to_action: 'Try it' } }, brand_alignment_score: 0.9 });
	const scene = (n: number) => ({ sequence: n, duration_seconds: 8, visual_prompt: `scene ${n}`, voiceover_text: `line ${n}`, visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'static', lighting: 'soft' }, audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' } });
	const script = await store.createScript({ brief_id: brief.brief_id as string, script: { hook: { text: 'Ever tried tea?', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' }, scenes: [scene(1), scene(2)], voiceover_full_text: 'line 1 line 2', total_duration_seconds: 16, variant_tag: 'humorous' } });
	await store.transition({ entity: 'script', id: script.script_id as string, expectedVersion: 1, toStatus: 'pending' });
	await store.transition({ entity: 'script', id: script.script_id as string, expectedVersion: 2, toStatus: 'approved' });
	const video = await store.createVideo({ script_id: script.script_id as string });
	videoId = video.video_id as string;
	await store.setVideoOutputs(videoId, join(media, 'master.mp4'), 16, {
		outputs: { '9:16': { path: join(media, 'master.mp4'), width: 720, height: 1280 }, '1:1': { path: join(media, 'square-silent.mp4'), width: 720, height: 720 } },
	});
}, 120_000);
afterAll(async () => {
	await t.close();
	rmSync(media, { recursive: true, force: true });
});

test('a good master with a clean caption passes; the report is recorded against the video', async () => {
	const r = await judgePublication(deps(), { videoId, caption: 'A warm cup of calm for your morning. Try it today.', hashtags: ['#tea', '#calm'] });
	expect(r).toMatchObject({ route: 'pass', entity: 'video', entity_id: videoId, aspect: '9:16', caption_checked: true });
	const names = (r.checks as Array<{ name: string; passed: boolean }>).map((c) => c.name);
	expect(names).toEqual(expect.arrayContaining(['media_duration', 'media_resolution', 'media_loudness', 'restricted_keywords', 'moderation']));
	expect((r.checks as Array<{ passed: boolean }>).every((c) => c.passed)).toBe(true);
	expect(r.media).toMatchObject({ width: 720, height: 1280, black_seconds: 0 });
	expect((await reports()).at(-1)).toMatchObject({ entity: 'video', entity_id: videoId, route: 'pass', campaign_id: campaignId });
});

test('a restricted word in the caption rejects the same good file, naming the caption', async () => {
	const r = await judgePublication(deps(), { videoId, caption: 'The cheap tea everyone buys.', hashtags: ['#tea'], platformPostId: null });
	expect(r.route).toBe('reject');
	const kw = (r.checks as Array<{ name: string; passed: boolean; reason: string }>).find((c) => c.name === 'restricted_keywords')!;
	expect(kw.passed).toBe(false);
	expect(kw.reason).toMatch(/^caption: /);
	expect(r.reasons as string[]).toEqual(expect.arrayContaining([expect.stringMatching(/restricted_keywords: caption: .*cheap/)]));
});

test('the square output is silent: the media half stops it without any caption', async () => {
	const r = await judgePublication(deps(), { videoId, aspect: '1:1' });
	expect(r.caption_checked).toBe(false);
	expect(r.route).not.toBe('pass');
	const failed = (r.checks as Array<{ name: string; passed: boolean }>).filter((c) => !c.passed).map((c) => c.name);
	expect(failed).toEqual(expect.arrayContaining(['media_silence']));
});

test('bad input names its field and records nothing', async () => {
	const before = (await reports()).length;
	await expect(judgePublication(deps(), { videoId, aspect: '16:9' })).rejects.toMatchObject({ field: 'aspect' });
	await expect(judgePublication(deps(), { aspect: '4:3' as never, videoId })).rejects.toBeInstanceOf(ValidationError);
	await expect(judgePublication(deps(), {})).rejects.toMatchObject({ field: 'video_id' });
	await expect(judgePublication(deps(), { filePath: join(media, 'master.mp4') })).rejects.toMatchObject({ field: 'brand_id' });
	expect((await reports()).length).toBe(before);
	// With a brand, a file alone is judged (the copy formatted for a platform).
	const r = await judgePublication(deps(), { filePath: join(media, 'master.mp4'), brandId, caption: 'Calm mornings.' });
	expect(r).toMatchObject({ route: 'pass', entity: 'video', entity_id: null, file: join(media, 'master.mp4') });
});
