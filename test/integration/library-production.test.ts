/**
 * A video made from the brand's own media with no AI video key, end to end on PGlite with real
 * ffmpeg: the library is ingested from a folder, the Model Router plans each scene's source
 * (photos, a clip, kinetic typography where nothing fits, the logo end card last), the Scene Poller
 * renders them with the library generator, the assembler builds the master, and the Judge's media
 * checks pass on it (no black, no frozen frames: the photos move).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';

import { videoCredits } from '../../lib/library/credits';
import { ingestMedia, ingestMediaFolder } from '../../lib/library/ingest';
import { runTool } from '../../lib/media/probe';
import { pollDueJobs } from '../../lib/production/poller';
import { assembleVideo, captionWordsOutside, onScreenTextSpans, routeScript, submitRoutedScene } from '../../lib/production/produce';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import type { SceneSource } from '../../lib/providers/types';
import { LibraryVideoProvider } from '../../lib/providers/video/library';
import { LocalVideoProvider } from '../../lib/providers/video/local';
import { VIDEO_MODELS } from '../../lib/providers/video/registry';
import { campaignReport, campaignReportHtml } from '../../lib/reports/campaign-report';
import { judgeMedia } from '../../lib/strategy/judge/media';
import type { Json } from '../../lib/store';
import { brandFolder, musicM4a } from '../helpers/media-fixtures';
import { tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
const embedder = new LocalEmbeddingProvider();
beforeAll(async () => {
	t = await tempStore();
}, 60_000);
afterAll(() => t.close());

const PROMPTS = [
	['Close-up of the trail shoe on wet rock', 'Grip that holds on wet rock.'],
	['A runner on a city street at golden hour', 'Made for city miles.'],
	['Runners in the park, a group run', 'Better together.'],
	['A burst of pure energy', 'Feel the spark every morning.'],
	['Logo and call to action', 'Stride. Run your city.'],
];

test('no keys: photos move, the clip is reframed, typography fills the gap, the logo closes; the Judge passes it', async () => {
	const brand = await t.store.createBrand({ brand_name: 'Stride', color_palette: ['#0A2540', '#FF6B00', '#F5F5F0'] });
	const campaign = await t.store.createCampaign({ campaign_name: 'Library launch', brand_id: brand.brand_id, budget_limit_usd: '5' });
	const mediaDir = mkdtempSync(join(tmpdir(), 'bi-libprod-'));
	const folder = await brandFolder(join(mediaDir, 'brand-folder'));
	rmSync(join(folder, 'music-bed.m4a'));
	const lib = await ingestMediaFolder({ store: t.store, embedder, mediaDir }, { brandId: brand.brand_id as string, folder });
	const idOf = Object.fromEntries(lib.ingested.map((m) => [m.file_name, m.media_id]));

	const brief = await t.store.createBrief({ brand_id: brand.brand_id, campaign_id: campaign.campaign_id, campaign_request: { budget_tier: 'volume' }, creative_brief: {}, brand_alignment_score: 0.9, auto_approve: true });
	const script = await t.store.createScript({
		brief_id: brief.brief_id as string,
		script: {
			hook: { text: 'Grip that holds', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' },
			scenes: PROMPTS.map(([p, v], k) => ({
				sequence: k + 1,
				duration_seconds: 4,
				visual_prompt: p,
				voiceover_text: v,
				visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'push in', lighting: 'soft' },
				audio_cues: { music_style: 'upbeat', sfx: [], voice_tone: 'warm' },
			})),
			voiceover_full_text: PROMPTS.map((p) => p[1]).join(' '),
			total_duration_seconds: 20,
			variant_tag: 'emotional',
		},
	});
	const scriptId = script.script_id as string;
	await t.store.transition({ entity: 'script', id: scriptId, expectedVersion: 1, toStatus: 'pending' });
	await t.store.transition({ entity: 'script', id: scriptId, expectedVersion: 2, toStatus: 'approved' });

	const routed = await routeScript(t.store, { scriptId, available: new Set(['library', 'local']), catalogue: VIDEO_MODELS, sources: { store: t.store, embedder, mediaDir } });
	const sources = routed.map((r) => r.source as SceneSource);
	expect(routed.map((r) => `${r.provider}/${r.model}`)).toEqual(['library/library-asset', 'library/library-asset', 'library/library-asset', 'library/library-kinetic-type', 'library/library-asset']);
	expect(sources.map((s) => s.type)).toEqual(['library_asset', 'library_asset', 'library_asset', 'typography', 'end_card']);
	expect(sources.map((s) => s.media_id ?? null)).toEqual([idOf['trail-shoe.jpg'], idOf['city-runner.jpg'], idOf['park-loop.mp4'], null, idOf['stride-logo.png']]);
	expect(sources[3]).toMatchObject({ text: 'Feel the spark every morning.', font_path: expect.stringContaining('library') });
	expect(routed.every((r) => r.estimate === 0 && r.reservation_id === null)).toBe(true);
	const jobs = await Promise.all(routed.map((r) => submitRoutedScene(t.store, r)));
	expect(jobs.every((j) => j.status === 'queued')).toBe(true);

	const library = new LibraryVideoProvider({ workDir: join(mediaDir, 'work'), renderScale: 0.5 });
	const local = new LocalVideoProvider({ workDir: join(mediaDir, 'work'), renderScale: 0.5 });
	const deps = { store: t.store, providerFor: (name: string) => (name === 'library' ? library : local), mediaDir, firstPollSeconds: 0 };
	const videoId = routed[0].video_id as string;
	let ready: string[] = [];
	for (let k = 0; k < 12 && !ready.length; k++) {
		const report = await pollDueJobs(deps, { worker: 'w1', maxJobs: 10, leaseSeconds: 120 });
		ready = report.videos_ready;
		for (const e of report.events) expect([e.event, e.detail]).not.toContain('dead_letter');
		// Let the renders this process started finish before the next poll (no clock involved).
		const scenes = (await t.store.getVideo(videoId)).scenes as Json[];
		await Promise.all(scenes.map((sc) => ((sc.job as Json | null)?.job_api_id ? library.waitFor(String((sc.job as Json).job_api_id)) : null)));
	}
	expect(ready).toEqual([videoId]);

	// Captions stay off the typography scene and the end card: their pictures already spell out the voice line.
	const spans = onScreenTextSpans((await t.store.getVideo(videoId)).scenes as Json[]);
	expect(spans).toEqual([
		{ start: 12, end: 16 },
		{ start: 16, end: 20 },
	]);
	const words = ['Grip', 'that', 'holds', 'Feel', 'the', 'spark', 'Stride'].map((word, i) => ({ word, start: [0.5, 0.9, 1.3, 12.5, 12.9, 13.3, 16.4][i], end: [0.8, 1.2, 1.6, 12.8, 13.2, 13.6, 16.8][i] }));
	expect(captionWordsOutside(words, spans).map((w) => w.word)).toEqual(['Grip', 'that', 'holds']);

	// The brand's own music plays under the voice (not the bed the project synthesises); its licence is on the video.
	// (The folder's music was left out of the library above: this CC BY track is the brand's music.)
	expect(lib.ingested.filter((m) => m.kind === 'music')).toHaveLength(0);
	const music = await ingestMedia(
		{ store: t.store, embedder, mediaDir },
		{ brandId: brand.brand_id as string, files: [{ path: await musicM4a(join(mediaDir, 'cc-by-track.m4a'), 6), kind: 'music', tags: ['music'], licence: 'CC BY 4.0', attribution: 'Music by Test Band (CC BY 4.0)', attributionRequired: true }] },
	);
	const musicId = music.ingested[0].media_id;

	// A steady tone stands in for the voiceover (the voice is not what this test is about).
	const voice = join(mediaDir, 'voice.wav');
	await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=20', '-ar', '48000', voice]);
	const assembled = await assembleVideo({ store: t.store, mediaDir }, { videoId, voiceover: { path: voice }, size: 'draft', captions: false });
	const stored = await t.store.getVideo(videoId);
	expect((stored.audio as Json).background_music_url).toBe(music.ingested[0].file_url);
	expect((stored.outputs as Json).music).toMatchObject({ source: 'library', media_id: musicId, attribution_required: true });
	expect(await videoCredits(t.store, campaign.campaign_id as string, videoId)).toEqual(['Music by Test Band (CC BY 4.0)']);
	const master = (assembled.outputs as Json[]).find((o) => o.aspect === '9:16')!;
	const verdict = await judgeMedia(String(master.path), { expect: { minShortSide: 540, minDurationSeconds: 10 } });
	const check = (id: string) => verdict.checks.find((c) => c.name === id);
	expect(check('media_black_frames')?.passed).toBe(true);
	expect(check('media_frozen_frames')?.passed).toBe(true);
	expect(check('media_probe')?.passed).toBe(true);

	// The last two seconds are the end card: the brand's navy around the orange logo.
	const duration = Number(master.duration_seconds ?? master.durationSeconds);
	for (const at of [duration - 1.8, duration - 0.3]) {
		const frame = join(mediaDir, `end-${at.toFixed(1)}.png`);
		await runTool('ffmpeg', ['-v', 'error', '-y', '-ss', at.toFixed(2), '-i', String(master.path), '-frames:v', '1', frame]);
		const { data, info } = await sharp(frame).raw().toBuffer({ resolveWithObject: true });
		const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
		const corner = px(4, 4);
		expect(Math.abs(corner[0] - 0x0a) + Math.abs(corner[1] - 0x25) + Math.abs(corner[2] - 0x40)).toBeLessThan(40);
		const centre = px(Math.round(info.width / 2), Math.round(info.height * 0.4));
		expect(centre[0]).toBeGreaterThan(200); // the orange logo
	}

	// The source of every scene is on its job and in the campaign report.
	const report = await campaignReport(t.store, campaign.campaign_id as string);
	expect((report.scene_sources ?? []).map((r) => (r.source as SceneSource).type)).toEqual(['library_asset', 'library_asset', 'library_asset', 'typography', 'end_card']);
	expect((report.scene_sources ?? [])[0]).toMatchObject({ media: { file_name: 'trail-shoe.jpg', licence: 'CC0-1.0 (made by the test suite)' } });
	expect(campaignReportHtml(report)).toContain('Scene sources');
}, 600_000);
