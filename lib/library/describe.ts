/**
 * Vision descriptions for the brand media library (issue 11): when a vision-capable LLM is
 * configured (OpenAI or Anthropic), each image and logo, and a frame from the middle of each clip,
 * is shown to the model, which answers one short factual sentence of what is visible (subject,
 * setting, colours). That sentence is the item's description, and so the text its embedding (what
 * scenes are matched to assets by) is made from.
 *
 * - The model sees a JPEG of at most 512 px on its longer side (sharp; a clip's frame is read by
 *   ffmpeg with an input seek, argument array, in a private temporary folder), the size OpenAI's
 *   `detail: "low"` works at, so a description costs the same for a phone photo and a 50 MP one.
 * - With the `local` LLM there is no describer: descriptions come from file names and tags,
 *   offline and free (`describeFromName`).
 * - Every call goes through the LLM given, which the caller wraps in cost metering
 *   (BrandCostLlmProvider: the brand's ledger, priced from the usage the vendor reports).
 * - A failure is the caller's to handle: ingestMedia falls back to the name description with a
 *   warning naming the file (see there).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { z } from 'zod';

import { ValidationError } from '../domain/errors';
import { runTool } from '../media/probe';
import { loadSharp } from '../media/sharp';
import { BrandCostLlmProvider } from '../providers/metered';
import { createPrimaryLlmProvider, type LlmConfig, type LlmProviderName } from '../providers/registry';
import type { LlmImage, LlmProvider } from '../providers/types';
import type { Pillar, Store } from '../store/store';
import type { IngestDeps, ProbedMedia } from './ingest';

/** The LLM providers whose models take images (their default models do: gpt-4o-mini, claude-haiku-4-5). */
export const VISION_LLM_PROVIDERS: readonly LlmProviderName[] = ['openai', 'anthropic'];

/** Longer side of the image the model sees. */
export const PREVIEW_MAX_SIDE = 512;
/** Longest description kept (the store takes 2000; a sentence is far shorter). */
export const MAX_DESCRIPTION_CHARS = 300;

const descriptionSchema = z.object({
	description: z.string().min(1).max(MAX_DESCRIPTION_CHARS).describe('One short, factual sentence of what is visible: subject, setting, main colours'),
});

const SYSTEM = [
	'You describe the images of a brand media library, so video scenes can be matched to them.',
	'Answer with one short, factual sentence (at most 30 words) of what is visible: the main subject, the setting, and the main colours.',
	'Describe only what you see. No opinions, no marketing language, no guesses about who a person is. If the image shows words (a logo, a sign), quote them.',
].join(' ');

/** What the model is told about a file besides its pixels (hints it may correct). */
function prompt(file: ProbedMedia): string {
	const what = file.kind === 'video' ? 'a frame from the middle of a video clip' : file.kind === 'logo' ? 'a logo' : 'an image';
	const tags = file.input.tags?.length ? `; tags: ${file.input.tags.join(', ')}` : '';
	return `Describe ${what} from the library. Hints, which may be wrong: file name "${basename(file.path)}"${tags}.`;
}

/** The picture the model sees: the image (or the middle frame of a clip) as a JPEG of ≤512 px, on white where it was transparent. */
export async function mediaPreview(file: ProbedMedia, opts: { ffmpegPath?: string } = {}): Promise<LlmImage> {
	let source: Buffer | string;
	let dir: string | undefined;
	try {
		if (file.kind === 'video') {
			dir = await mkdtemp(join(tmpdir(), 'bi-describe-'));
			const frame = join(dir, 'frame.png');
			const at = Math.max(0, (file.durationSeconds ?? 0) / 2);
			await runTool(opts.ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-ss', at.toFixed(3), '-i', `file:${file.path}`, '-frames:v', '1', '-y', frame], { timeoutMs: 60_000 });
			source = await readFile(frame);
		} else if (file.kind === 'image' || file.kind === 'logo') {
			source = file.raster ?? file.path;
		} else {
			throw new ValidationError(`a ${file.kind} has no picture to describe`, 'kind');
		}
		const sharp = await loadSharp();
		const { data, info } = await sharp(source)
			.rotate()
			.resize(PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
			.flatten({ background: '#ffffff' })
			.jpeg({ quality: 82 })
			.toBuffer({ resolveWithObject: true });
		return { mimeType: 'image/jpeg', data, width: info.width, height: info.height };
	} finally {
		if (dir) await rm(dir, { recursive: true, force: true });
	}
}

/** One sentence, tidied: whitespace collapsed, a full stop at the end. */
function tidy(text: string): string {
	const one = text.replace(/\s+/g, ' ').trim();
	return /[.!?]$/.test(one) ? one : `${one}.`;
}

/**
 * A describer for ingestMedia: the model's sentence for an image, logo or clip. The LLM must be a
 * vision model; wrap it in cost metering before passing it (createMediaDescriber does).
 */
export function visionDescriber(llm: LlmProvider, opts: { ffmpegPath?: string } = {}): (file: ProbedMedia) => Promise<string> {
	if (llm.name === 'local') throw new ValidationError('the local LLM cannot see images: leave the describer out for descriptions from file names and tags', 'llmProvider');
	return async (file) => {
		const image = await mediaPreview(file, opts);
		const result = await llm.generate({
			task: 'media_description',
			system: SYSTEM,
			prompt: prompt(file),
			schema: descriptionSchema,
			schemaName: 'media_description',
			context: { kind: file.kind, file_name: basename(file.path), tags: file.input.tags ?? [] },
			images: [image],
			maxOutputTokens: 150,
		});
		return tidy(result.data.description);
	};
}

/**
 * The describer for an LLM configuration (what the Brand RAG node's LLM choice and credential
 * give), as the IngestDeps fields `describe` and `describedBy`: none for `local` (descriptions from
 * names and tags), a metered vision describer for OpenAI and Anthropic (costs recorded against the
 * brand), a ValidationError naming `llmProvider` for a provider that cannot be shown images.
 */
export function createMediaDescriber(
	config: LlmConfig,
	charge: { store: Store; brandId: string; pillar?: Pillar },
	opts: { ffmpegPath?: string } = {},
): Pick<IngestDeps, 'describe' | 'describedBy'> {
	if (config.provider === 'local') return {};
	if (!VISION_LLM_PROVIDERS.includes(config.provider)) {
		throw new ValidationError(
			`describing media needs a vision model: choose OpenAI or Anthropic (or Local for descriptions from file names and tags); "${config.provider}" is not supported here`,
			'llmProvider',
		);
	}
	const llm = new BrandCostLlmProvider(createPrimaryLlmProvider(config), { store: charge.store, brandId: charge.brandId, pillar: charge.pillar ?? 'strategist' });
	return { describe: visionDescriber(llm, opts), describedBy: `${llm.name}/${llm.model}` };
}
