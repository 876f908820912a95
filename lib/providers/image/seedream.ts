/**
 * Seedream images on BytePlus ModelArk: `POST {base}/images/generations`, synchronous.
 * Body {model, prompt, size, response_format: url|b64_json, watermark, sequential_image_generation:
 * "disabled"} → {data:[{url|b64_json, size}], usage{generated_images, output_tokens}, error?}.
 * A URL result expires (about 24 h): the two-step route moves it on before that.
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import type { AspectRatio, ImageProvider, ImageRequest, ImageResult } from '../types';
import { BYTEPLUS_ARK_BASE_URL } from '../video/byteplus';
import { RemoteVendor, trimSlash, vendorErrorText, type RemoteProviderOptions } from '../video/common';

export const DEFAULT_SEEDREAM_MODEL = 'seedream-4-0-250828';

/** 2K-class sizes per aspect (Seedream takes "WxH" or "1K"/"2K"/"4K"). */
export const SEEDREAM_SIZES: Record<AspectRatio, string> = { '9:16': '1440x2560', '16:9': '2560x1440', '1:1': '2048x2048' };

export interface SeedreamOptions extends RemoteProviderOptions {
	/** Default https://ark.ap-southeast.bytepluses.com/api/v3. */
	baseUrl?: string;
	/** url (default; expires) or b64_json (returned as a data: URL). */
	responseFormat?: 'url' | 'b64_json';
	/** Per attempt; image generation is synchronous. Default 180 s. */
	timeoutMs?: number;
}

interface SeedreamResponse {
	model?: string;
	data?: { url?: string; b64_json?: string; size?: string }[];
	usage?: { generated_images?: number; output_tokens?: number; total_tokens?: number };
	error?: { code?: string; message?: string };
}

export class SeedreamImageProvider extends RemoteVendor implements ImageProvider {
	readonly name = 'byteplus';
	readonly baseUrl: string;

	constructor(opts: SeedreamOptions) {
		super({ ...opts, timeoutMs: opts.timeoutMs ?? 180_000 });
		this.baseUrl = trimSlash(opts.baseUrl || BYTEPLUS_ARK_BASE_URL);
	}

	async generate(req: ImageRequest): Promise<ImageResult> {
		if (!req.prompt?.trim()) throw new ValidationError('Seedream: the prompt is empty', 'prompt');
		const model = req.model || DEFAULT_SEEDREAM_MODEL;
		const format = (this.opts as SeedreamOptions).responseFormat ?? 'url';
		const size = req.size ?? SEEDREAM_SIZES[req.aspectRatio];
		if (!size) throw new ValidationError(`unknown aspect ratio ${req.aspectRatio}`, 'aspectRatio');
		const res = await this.call<SeedreamResponse>(`${this.baseUrl}/images/generations`, {
			method: 'POST',
			headers: { authorization: `Bearer ${this.opts.apiKey}` },
			json: { model, prompt: req.prompt, size, response_format: format, watermark: false, sequential_image_generation: 'disabled' },
		});
		const tokens = res.usage?.output_tokens;
		const first = res.data?.find((d) => d.url || d.b64_json);
		if (!first) {
			const images = res.usage?.generated_images ?? 0;
			const why = vendorErrorText({ error: res.error }) || 'no image in the response';
			const safety = /Sensitive|Risk|Policy/i.test(res.error?.code ?? '');
			// Nothing generated: known outcome, nothing billed (generated_images 0).
			throw new ProviderCallError(`${this.name}/${model}: ${safety ? 'blocked by the content filter: ' : ''}${why}`, this.name, null, images === 0, safety ? 'refusal' : 'invalid_output', {
				model,
				usage: { input_tokens: 0, output_tokens: tokens ?? 0 },
			});
		}
		const url = first.url ?? `data:image/jpeg;base64,${first.b64_json}`;
		return { url, provider: this.name, model, usage: { images: res.usage?.generated_images ?? 1, tokens } };
	}
}
