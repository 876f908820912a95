/**
 * A campaign with a variant, a script from a selected hook, and a video whose 9:16, 16:9 and 1:1
 * outputs (real mp4 files rendered by ffmpeg) and a thumbnail are registered in `assets` the way
 * the FFmpeg Assembler registers them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Store } from '../../lib/store';

const run = promisify(execFile);

/** A real H.264/AAC mp4 (or another codec), `seconds` long, rendered by ffmpeg. */
export async function renderClip(
	path: string,
	spec: { width: number; height: number; seconds: number; fps?: number; videoCodec?: string; audio?: boolean },
): Promise<string> {
	const fps = spec.fps ?? 30;
	const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${fps}:duration=${spec.seconds}`];
	if (spec.audio !== false) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`);
	const codec = spec.videoCodec ?? 'libx264';
	args.push('-c:v', codec, ...(codec === 'libx264' ? ['-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] : ['-q:v', '5']));
	if (spec.audio !== false) args.push('-c:a', 'aac', '-b:a', '64k', '-shortest');
	args.push('-movflags', '+faststart', path);
	await run('ffmpeg', args, { maxBuffer: 8 * 1024 * 1024 });
	return path;
}

export interface SeededVideo {
	brandId: string;
	campaignId: string;
	variantId: string;
	videoId: string;
	scriptId: string;
	hookText: string;
	outputs: Record<'9:16' | '16:9' | '1:1', string>;
	thumbnail: string;
}

export async function seedVideo(store: Store, dir: string, opts: { seconds?: number; name?: string; audio?: boolean } = {}): Promise<SeededVideo> {
	const seconds = opts.seconds ?? 4;
	const brand = await store.createBrand({ brand_name: opts.name ?? 'Stride', tone: 'warm', restricted_keywords: ['cheap'] });
	const campaign = await store.createCampaign({ campaign_name: 'Spring run', brand_id: brand.brand_id, budget_limit_usd: '10' });
	const brief = await store.createBrief({
		brand_id: brand.brand_id,
		campaign_id: campaign.campaign_id,
		campaign_request: { product_category: 'running shoes' },
		creative_brief: { core_message: { primary_hook: 'Your morning run deserves better shoes.' } },
		brand_alignment_score: 0.9,
		auto_approve: true,
	});
	const hookText = `Your morning run deserves better shoes (${opts.name ?? 'Stride'})`;
	const hooks = await store.storeHooks(brief.brief_id as string, [{ text: hookText, hook_type: 'statement', quality_score: 0.8, variation_number: 1 }]);
	const hookId = (hooks.hooks as { hook_id: string }[])[0].hook_id;
	const script = await store.createScript({
		brief_id: brief.brief_id as string,
		hook_id: hookId,
		script: {
			hook: { text: hookText, hook_type: 'statement', quality_score: 0.8, variations_generated: 1, selected_rationale: 'best' },
			scenes: [
				{
					sequence: 1,
					duration_seconds: seconds,
					visual_prompt: 'A running shoe on wet asphalt at dawn',
					voiceover_text: 'Light, springy and made for city streets.',
					visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'dolly', lighting: 'dawn' },
					audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' },
				},
			],
			voiceover_full_text: 'Your morning run deserves better shoes. Light, springy and made for city streets.',
			total_duration_seconds: seconds,
			variant_tag: 'emotional',
		},
	});
	await store.transition({ entity: 'script', id: script.script_id as string, expectedVersion: script.state_version as number, toStatus: 'pending' });
	await store.transition({ entity: 'script', id: script.script_id as string, expectedVersion: (script.state_version as number) + 1, toStatus: 'approved' });
	const variant = await store.createVariant({ campaign_id: campaign.campaign_id, variant_type: 'emotional', script_id: script.script_id, brief_id: brief.brief_id });
	const video = await store.createVideo({ script_id: script.script_id as string, variant_id: variant.variant_id as string });
	const videoId = video.video_id as string;
	const out = join(dir, 'videos', videoId);
	mkdirSync(out, { recursive: true });
	const shapes: Record<'9:16' | '16:9' | '1:1', [number, number, string]> = {
		'9:16': [360, 640, 'master-9x16.mp4'],
		'16:9': [640, 360, 'wide-16x9.mp4'],
		'1:1': [480, 480, 'square-1x1.mp4'],
	};
	const outputs = {} as SeededVideo['outputs'];
	for (const [aspect, [w, h, name]] of Object.entries(shapes) as [keyof typeof shapes, [number, number, string]][]) {
		outputs[aspect] = await renderClip(join(out, name), { width: w, height: h, seconds, audio: opts.audio });
		await store.registerAsset({
			campaign_id: campaign.campaign_id,
			variant_id: variant.variant_id,
			asset_type: 'video',
			asset_url: outputs[aspect],
			asset_metadata: { aspect, width: w, height: h, duration_seconds: seconds, video_id: videoId },
		});
	}
	const thumbnail = join(out, 'thumb.jpg');
	await run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', outputs['16:9'], '-frames:v', '1', thumbnail]);
	// What the assembler records on the video as well (the Judge's publish gate reads it there).
	await store.setVideoOutputs(videoId, outputs['9:16'], seconds, {
		outputs: Object.fromEntries(Object.entries(shapes).map(([aspect, [w, h]]) => [aspect, { aspect, width: w, height: h, path: outputs[aspect as keyof typeof shapes], durationSeconds: seconds }])),
		thumbnails: [{ path: thumbnail }],
	});
	await store.registerAsset({ campaign_id: campaign.campaign_id, variant_id: variant.variant_id, asset_type: 'thumbnail', asset_url: thumbnail, asset_metadata: { video_id: videoId } });
	return {
		brandId: brand.brand_id as string,
		campaignId: campaign.campaign_id as string,
		variantId: variant.variant_id as string,
		videoId,
		scriptId: script.script_id as string,
		hookText,
		outputs,
		thumbnail,
	};
}
