/**
 * OpenAI moderation (`omni-moderation-latest`) through the openai SDK: one result per input text,
 * in input order, with the category flags and scores as the API names them ("self-harm/intent"...).
 * Retries follow the shared policy in ../llm/openai.
 */
import type OpenAI from 'openai';

import { secretRedactor } from '../../domain/errors';
import { callWithRetries, loadOnce, openAiClient, ProviderCallError, type RetryPolicy } from '../llm/openai';
import type { ModerationProvider, ModerationResult } from '../types';

export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

export interface OpenAiModerationOptions extends RetryPolicy {
	apiKey: string;
	/** Default https://api.openai.com/v1. */
	baseURL?: string;
	/** Default omni-moderation-latest. */
	model?: string;
	/** Per attempt. Default 120 s. */
	timeoutMs?: number;
}

export class OpenAiModerationProvider implements ModerationProvider {
	readonly name = 'openai';
	readonly model: string;
	private readonly client: () => Promise<OpenAI>;
	private readonly redact: (s: string) => string;

	constructor(private readonly opts: OpenAiModerationOptions) {
		if (!opts.apiKey) throw new Error('OpenAI moderation needs an API key');
		this.model = opts.model || DEFAULT_MODERATION_MODEL;
		this.client = loadOnce(() => openAiClient(opts));
		this.redact = secretRedactor([opts.apiKey]);
	}

	async moderate(texts: string[]): Promise<ModerationResult> {
		if (texts.length === 0) return { provider: this.name, model: this.model, results: [] };
		const client = await this.client();
		const res = await callWithRetries((signal) => client.moderations.create({ model: this.model, input: texts }, { signal }), {
			...this.opts,
			provider: this.name,
			redact: this.redact,
		});
		if (!Array.isArray(res.results) || res.results.length !== texts.length) {
			throw new ProviderCallError(
				`openai/${this.model} returned ${Array.isArray(res.results) ? res.results.length : 'no'} results for ${texts.length} inputs`,
				this.name,
				null,
				false,
				'invalid_output',
				{ model: this.model },
			);
		}
		return {
			provider: this.name,
			model: this.model,
			results: res.results.map((r) => ({
				flagged: Boolean(r.flagged),
				categories: { ...(r.categories as unknown as Record<string, boolean>) },
				category_scores: { ...(r.category_scores as unknown as Record<string, number>) },
			})),
		};
	}
}
