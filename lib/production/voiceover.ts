/** Voiceover for a script (or any text): speech from a provider chain, word timings for captions, an audio asset. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ValidationError } from '../domain/errors';
import type { TtsProvider } from '../providers/types';
import type { Json, Store } from '../store/store';

export async function voiceover(
	deps: { store: Store; tts: TtsProvider; mediaDir: string },
	input: { scriptId?: string; text?: string; voice?: string; speed?: number },
): Promise<Json> {
	const script = input.scriptId ? await deps.store.getScript(input.scriptId) : null;
	const text = (script ? String(script.voiceover_full_text ?? '') : (input.text ?? '')).trim();
	if (!text) throw new ValidationError(script ? 'the script has no voiceover text' : 'text is required', script ? 'script_id' : 'text');
	const dir = join(deps.mediaDir, 'voiceover');
	mkdirSync(dir, { recursive: true });
	const dest = join(dir, `${input.scriptId ?? `text-${Date.now()}`}.wav`);
	const speech = await deps.tts.synthesize({ text, voice: input.voice, speed: input.speed }, dest);
	if (script?.campaign_id) {
		await deps.store.registerAsset({
			campaign_id: script.campaign_id,
			asset_type: 'audio',
			asset_url: speech.path,
			asset_metadata: { kind: 'voiceover', script_id: input.scriptId, provider: speech.provider, model: speech.model, duration_seconds: speech.durationSeconds },
		});
	}
	return { ...speech, script_id: input.scriptId ?? null, text } as unknown as Json;
}
