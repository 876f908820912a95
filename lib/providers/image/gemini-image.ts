/**
 * Gemini image generation ("Nano Banana", gemini-2.5-flash-image) over REST:
 * `POST {base}/models/{model}:generateContent` (x-goog-api-key) with
 * `generationConfig: {responseModalities: ["TEXT","IMAGE"], imageConfig: {aspectRatio}}`; the image
 * comes back inline (`candidates[0].content.parts[].inlineData {mimeType, data}`) and is returned
 * as a data: URL. A provider that needs a URL gets it re-uploaded by the two-step route.
 * A blocked prompt (promptFeedback.blockReason, finishReason SAFETY / IMAGE_SAFETY /
 * PROHIBITED_CONTENT…) is a `refusal`: the prompt tokens were billed, so its outcome is not
 * "known free" (same convention as the LLM adapters).
 */
import { ValidationError } from '../../domain/errors';
import { ProviderCallError } from '../llm/openai';
import type { ImageProvider, ImageRequest, ImageResult } from '../types';
import { RemoteVendor, trimSlash, type RemoteProviderOptions } from '../video/common';
import { GEMINI_API_BASE_URL } from '../video/gemini-veo';

export const DEFAULT_GEMINI_IMAGE_MODEL = 'gemini-2.5-flash-image';

export interface GeminiImageOptions extends RemoteProviderOptions {
	/** Default https://generativelanguage.googleapis.com/v1beta. */
	baseUrl?: string;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
}

interface Part {
	text?: string;
	inlineData?: { mimeType?: string; data?: string };
	inline_data?: { mime_type?: string; data?: string };
}

interface GenerateContentResponse {
	candidates?: { content?: { parts?: Part[] }; finishReason?: string }[];
	promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
	usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number; totalTokenCount?: number };
}

export class GeminiImageProvider extends RemoteVendor implements ImageProvider {
	readonly name = 'gemini';
	readonly baseUrl: string;

	constructor(opts: GeminiImageOptions) {
		super({ ...opts, timeoutMs: opts.timeoutMs ?? 120_000 });
		this.baseUrl = trimSlash(opts.baseUrl || GEMINI_API_BASE_URL);
	}

	async generate(req: ImageRequest): Promise<ImageResult> {
		if (!req.prompt?.trim()) throw new ValidationError('Gemini image: the prompt is empty', 'prompt');
		const model = (req.model || DEFAULT_GEMINI_IMAGE_MODEL).replace(/^models\//, '');
		const res = await this.call<GenerateContentResponse>(`${this.baseUrl}/models/${encodeURIComponent(model)}:generateContent`, {
			method: 'POST',
			headers: { 'x-goog-api-key': this.opts.apiKey },
			json: {
				contents: [{ role: 'user', parts: [{ text: req.prompt }] }],
				generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: req.aspectRatio } },
			},
		});
		const usage = { input_tokens: res.usageMetadata?.promptTokenCount ?? 0, output_tokens: res.usageMetadata?.candidatesTokenCount ?? 0 };
		const candidate = res.candidates?.[0];
		for (const part of candidate?.content?.parts ?? []) {
			const data = part.inlineData?.data ?? part.inline_data?.data;
			const mime = part.inlineData?.mimeType ?? part.inline_data?.mime_type ?? 'image/png';
			if (data) return { url: `data:${mime};base64,${data}`, provider: this.name, model, usage: { images: 1, tokens: usage.output_tokens || undefined } };
		}
		const reason = res.promptFeedback?.blockReason ?? candidate?.finishReason ?? 'no image in the response';
		const blocked = Boolean(res.promptFeedback?.blockReason) || /SAFETY|PROHIBITED|BLOCK|RECITATION|SPII/i.test(candidate?.finishReason ?? '');
		const text = candidate?.content?.parts?.map((p) => p.text).filter(Boolean).join(' ').slice(0, 200);
		throw new ProviderCallError(
			`${this.name}/${model}: ${blocked ? 'the image was blocked' : 'no image returned'} (${reason})${text ? `: ${text}` : ''}`,
			this.name,
			null,
			false,
			blocked ? 'refusal' : 'invalid_output',
			{ model, usage },
		);
	}
}
