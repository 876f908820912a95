/** Voiceover for a script (or any text): speech from a provider chain, word timings for captions, an audio asset. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ValidationError } from '../domain/errors';
import type { SpeechResult, TtsProvider } from '../providers/types';
import type { Json, Store } from '../store/store';
import { fitVoiceToScenes, type FittedSpeech } from './voice-fit';

export async function voiceover(
	deps: { store: Store; tts: TtsProvider; mediaDir: string },
	input: {
		scriptId?: string;
		text?: string;
		voice?: string;
		speed?: number;
		/** A script's lines spoken scene by scene, each fitted to its scene (default true; see voice-fit.ts). */
		fitToScenes?: boolean;
		minSpeed?: number;
		maxSpeed?: number;
	},
): Promise<Json> {
	const script = input.scriptId ? await deps.store.getScript(input.scriptId) : null;
	const text = (script ? String(script.voiceover_full_text ?? '') : (input.text ?? '')).trim();
	if (!text) throw new ValidationError(script ? 'the script has no voiceover text' : 'text is required', script ? 'script_id' : 'text');
	const dir = join(deps.mediaDir, 'voiceover');
	mkdirSync(dir, { recursive: true });
	const dest = join(dir, `${input.scriptId ?? `text-${Date.now()}`}.wav`);
	const scenes = script && Array.isArray(script.scenes) ? (script.scenes as { sequence?: number; duration_seconds?: number; voiceover_text?: string }[]) : [];
	const fit = input.fitToScenes !== false && scenes.length > 0 && scenes.every((s) => Number(s.duration_seconds) > 0);
	const speech: SpeechResult | FittedSpeech = fit
		? await fitVoiceToScenes(
				deps.tts,
				scenes.map((s) => ({ text: String(s.voiceover_text ?? ''), durationSeconds: Number(s.duration_seconds), sequence: s.sequence })),
				dest,
				{ voice: input.voice, speed: input.speed, minSpeed: input.minSpeed, maxSpeed: input.maxSpeed },
			)
		: await deps.tts.synthesize({ text, voice: input.voice, speed: input.speed }, dest);
	if (script?.campaign_id) {
		await deps.store.registerAsset({
			campaign_id: script.campaign_id,
			asset_type: 'audio',
			asset_url: speech.path,
			asset_metadata: {
				kind: 'voiceover',
				script_id: input.scriptId,
				provider: speech.provider,
				model: speech.model,
				duration_seconds: speech.durationSeconds,
				fitted_to_scenes: fit,
			},
		});
	}
	return { ...speech, script_id: input.scriptId ?? null, text } as unknown as Json;
}
