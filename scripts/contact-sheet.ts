/**
 * The README's picture: a real video made offline by the package's local providers for the demo
 * brand (examples/stride), one frame per scene of the 9:16 master, tiled into a contact sheet.
 *
 *   node -r ./test/helpers/ts-register.js scripts/contact-sheet.ts [docs/contact-sheet.jpg]
 *
 * The same library calls the templates make: brief (Brand RAG), 50 hooks (Hook Generator), script
 * (Script Writer), one local render per scene (Model Router's `local` generator), the voice
 * (espeak-ng), the FFmpeg Assembler (captions, loudness, three formats). Then ffmpeg pulls the frame
 * at the middle of each scene and its tile filter lays them out. Needs ffmpeg, espeak-ng, fonts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';

import { assemble } from '../lib/media/assemble';
import { runTool } from '../lib/media/probe';
import { LocalEmbeddingProvider } from '../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../lib/providers/llm/local';
import { LocalTtsProvider } from '../lib/providers/tts/local';
import { LocalVideoProvider } from '../lib/providers/video/local';
import { synthesizeBrief } from '../lib/strategy/brief';
import { generateHooks } from '../lib/strategy/hooks';
import { writeScript } from '../lib/strategy/script';

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
	const dest = resolve(process.argv[2] ?? join(ROOT, 'docs', 'contact-sheet.jpg'));
	const brand = JSON.parse(await readFile(join(ROOT, 'examples', 'stride', 'brand.json'), 'utf8'));
	const request = JSON.parse(await readFile(join(ROOT, 'examples', 'stride', 'campaign-request.json'), 'utf8'));
	const llm = new LocalLlmProvider();
	const work = await mkdtemp(join(tmpdir(), 'bi-sheet-'));
	try {
		const { brief } = await synthesizeBrief({ request: { ...request, brand_id: '00000000-0000-4000-8000-000000000001' }, brand, llm });
		const hooks = await generateHooks({ brief, llm, embedder: new LocalEmbeddingProvider(), productCategory: request.product_category });
		const { script } = await writeScript({ brief, hook: hooks.top[0], variant: 'emotional', brand, targetSeconds: 30, llm, variationsGenerated: hooks.hooks.length });

		const video = new LocalVideoProvider({ workDir: join(work, 'render'), renderScale: 0.5 });
		const clips: string[] = [];
		for (const scene of script.scenes) {
			const sub = await video.submit({ prompt: scene.visual_prompt, model: 'local-ffmpeg', durationSeconds: scene.duration_seconds, aspectRatio: '9:16', resolution: '720p', palette: brand.color_palette });
			const done = await video.waitFor(sub.jobId);
			clips.push((await video.download(done, join(work, `scene-${scene.sequence}.mp4`))).path);
		}
		const voice = await new LocalTtsProvider().synthesize({ text: script.voiceover_full_text }, join(work, 'voice.wav'));
		const master = join(work, 'master-9x16.mp4');
		await assemble({
			scenes: script.scenes.map((s, i) => ({ path: clips[i], durationSeconds: s.duration_seconds, transition: i === 0 ? 'none' : 'fade', transitionSeconds: 0.4 })),
			voiceover: { path: voice.path, words: voice.words },
			captions: { words: voice.words ?? [], style: { fontName: 'DejaVu Sans', primaryColour: '#FFFFFF', highlightColour: brand.color_palette[1], outlineColour: brand.color_palette[0] } },
			outputs: [{ aspect: '9:16', width: 540, height: 960, path: master }],
		});

		// One frame from the middle of each scene, in order, tiled in one row.
		let start = 0;
		const frames: string[] = [];
		for (const [i, s] of script.scenes.entries()) {
			const frame = join(work, `frame-${i}.png`);
			await runTool('ffmpeg', ['-v', 'error', '-ss', String(start + s.duration_seconds / 2), '-i', master, '-frames:v', '1', '-vf', 'scale=270:480', '-y', frame]);
			frames.push(frame);
			start += s.duration_seconds;
		}
		mkdirSync(dirname(dest), { recursive: true });
		const inputs = frames.flatMap((f) => ['-i', f]);
		const stack = `${frames.map((_, i) => `[${i}:v]`).join('')}hstack=inputs=${frames.length},pad=iw+16:ih+16:8:8:color=0x0A2540`;
		await runTool('ffmpeg', ['-v', 'error', ...inputs, '-filter_complex', stack, '-frames:v', '1', '-q:v', '3', '-y', dest]);
		process.stdout.write(`${dest}: ${frames.length} scenes of a ${start.toFixed(1)} s master ("${hooks.top[0].text}")\n`);
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

main().catch((err) => {
	process.stderr.write(`${(err as Error).stack ?? err}\n`);
	process.exit(1);
});
