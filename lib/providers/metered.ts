/**
 * Puts every paid provider call through the Cost Ledger: estimate from the price table, reserve the
 * estimate against the campaign budget (refused with BI402 before any money is spent), call, then
 * settle with the usage the provider reported. A call whose outcome is unknown is settled at the
 * estimate (it may have been charged) and never repeated here. Local providers cost nothing and
 * pass straight through.
 */
import { estimateCost, LOCAL_PROVIDER, type PriceEntry } from '../pricing/price-table';
import type { Pillar, Store } from '../store/store';
import type { EmbeddingProvider, EmbeddingResult, LlmProvider, LlmRequest, LlmResult, SpeechRequest, SpeechResult, TtsProvider, Usage } from './types';
import { ProviderError } from './types';

export interface CostMeter {
	store: Store;
	campaignId: string;
	variantId?: string | null;
	pillar: Pillar;
	/** Reservation references are `${refPrefix}:${n}`: unique per run, so replays do not double-reserve. */
	refPrefix: string;
	priceOverrides?: readonly PriceEntry[];
}

/** Rough token count for an estimate: about four characters per token. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/**
 * Input tokens reserved per image of a vision request. Both vendors bill an image as input tokens
 * and report them in the usage the call is settled from (OpenAI `prompt_tokens`, Anthropic
 * `input_tokens`), so only the estimate needs a figure: the highest of the default models for the
 * ≤512 px images the library sends (gpt-4o-mini counts a `detail: "low"` image as 2,833 tokens;
 * Anthropic about width × height / 750, at most 350 at 512 × 512).
 */
export const IMAGE_INPUT_TOKENS_ESTIMATE = 3000;

/** The usage a generation is reserved (or recorded, when its outcome is unknown) at. */
export function estimateLlmUsage(req: LlmRequest<unknown>): { input_tokens: number; output_tokens: number } {
	return {
		input_tokens: estimateTokens(req.system + req.prompt) + 200 + (req.images?.length ?? 0) * IMAGE_INPUT_TOKENS_ESTIMATE,
		output_tokens: req.maxOutputTokens ?? 4000,
	};
}

async function metered<R>(
	meter: CostMeter,
	seq: number,
	what: { provider: string; model: string; estimateUsage: Record<string, number>; description: string },
	call: () => Promise<R>,
	actualUsage: (result: R) => Record<string, number>,
): Promise<R> {
	const price = (usage: Record<string, number>) =>
		estimateCost({ provider: what.provider, model: what.model, usage }, meter.priceOverrides).amount;
	const reservation = await meter.store.reserveBudget({
		campaignId: meter.campaignId,
		variantId: meter.variantId,
		pillar: meter.pillar,
		amount: Math.max(1, price(what.estimateUsage)),
		ref: `${meter.refPrefix}:${seq}`,
	});
	const reservationId = reservation.reservation_id as string;
	let result: R;
	try {
		result = await call();
	} catch (err) {
		if (err instanceof ProviderError && err.outcomeKnown) {
			await meter.store.releaseReservation(reservationId, `${what.provider} refused: ${err.message.slice(0, 200)}`);
		} else {
			await meter.store.settleReservation({
				reservationId,
				actual: Math.max(1, price(what.estimateUsage)),
				costType: 'api_cost',
				description: `${what.description} (outcome unknown, settled at the estimate)`,
			});
		}
		throw err;
	}
	await meter.store.settleReservation({
		reservationId,
		actual: price(actualUsage(result)),
		costType: 'api_cost',
		description: what.description,
	});
	return result;
}

export class MeteredLlmProvider implements LlmProvider {
	private calls = 0;

	constructor(
		private readonly inner: LlmProvider,
		private readonly meter: CostMeter,
	) {}

	get name(): string {
		return this.inner.name;
	}

	get model(): string {
		return this.inner.model;
	}

	generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		if (this.inner.name === LOCAL_PROVIDER) return this.inner.generate(req);
		return metered(
			this.meter,
			++this.calls,
			{
				provider: this.inner.name,
				model: this.inner.model,
				estimateUsage: estimateLlmUsage(req),
				description: `${req.task} via ${this.inner.name}/${this.inner.model}`,
			},
			() => this.inner.generate(req),
			(r) => ({ input_tokens: r.usage.input_tokens, output_tokens: r.usage.output_tokens }),
		);
	}
}

export class MeteredEmbeddingProvider implements EmbeddingProvider {
	private calls = 0;

	constructor(
		private readonly inner: EmbeddingProvider,
		private readonly meter: CostMeter,
	) {}

	get name(): string {
		return this.inner.name;
	}

	get model(): string {
		return this.inner.model;
	}

	get dimensions(): number {
		return this.inner.dimensions;
	}

	embed(texts: string[]): Promise<EmbeddingResult> {
		if (this.inner.name === LOCAL_PROVIDER) return this.inner.embed(texts);
		return metered(
			this.meter,
			++this.calls,
			{
				provider: this.inner.name,
				model: this.inner.model,
				estimateUsage: { input_tokens: texts.reduce((n, t) => n + estimateTokens(t), 0) },
				description: `embeddings (${texts.length} texts) via ${this.inner.name}/${this.inner.model}`,
			},
			() => this.inner.embed(texts),
			(r) => ({ input_tokens: r.usage.input_tokens }),
		);
	}
}

/** Where a brand-level cost is recorded: the brand's ledger, under a pillar, priced by the table (plus overrides). */
export interface BrandCharge {
	store: Store;
	brandId: string;
	pillar: Pillar;
	priceOverrides?: readonly PriceEntry[];
}

/**
 * Embeddings paid at brand level (guideline ingestion belongs to no campaign, so there is no budget
 * to reserve against): the actual cost is recorded in the ledger against the brand after each call.
 */
export class BrandCostEmbeddingProvider implements EmbeddingProvider {
	constructor(
		private readonly inner: EmbeddingProvider,
		private readonly brand: BrandCharge,
	) {}

	get name(): string {
		return this.inner.name;
	}

	get model(): string {
		return this.inner.model;
	}

	get dimensions(): number {
		return this.inner.dimensions;
	}

	async embed(texts: string[]): Promise<EmbeddingResult> {
		const result = await this.inner.embed(texts);
		if (this.inner.name !== LOCAL_PROVIDER) {
			const cost = estimateCost(
				{ provider: this.inner.name, model: this.inner.model, usage: { input_tokens: result.usage.input_tokens } },
				this.brand.priceOverrides,
			);
			await this.brand.store.recordBrandCost(
				this.brand.brandId,
				this.brand.pillar,
				'api_cost',
				cost.amount,
				`embeddings (${texts.length} texts) via ${this.inner.name}/${this.inner.model}`,
			);
		}
		return result;
	}
}

/**
 * An LLM paid at brand level (describing the brand media library belongs to no campaign, so there
 * is no budget to reserve against), the way BrandCostEmbeddingProvider charges guideline
 * embeddings: the price is checked before the call (a model the price table does not know is
 * refused before any money is spent), and after it the cost of the usage the vendor reported is
 * recorded in the ledger against the brand. A call that failed after it was billed (output that
 * does not validate, a refusal) is recorded at its reported usage; one whose outcome is unknown
 * (a timeout, a dropped connection) at the estimate; one the vendor certainly did not do, not at all.
 */
export class BrandCostLlmProvider implements LlmProvider {
	constructor(
		private readonly inner: LlmProvider,
		private readonly brand: BrandCharge,
	) {}

	get name(): string {
		return this.inner.name;
	}

	get model(): string {
		return this.inner.model;
	}

	private price(usage: Record<string, number>) {
		return estimateCost({ provider: this.inner.name, model: this.inner.model, usage }, this.brand.priceOverrides).amount;
	}

	private record(amount: number, description: string) {
		return this.brand.store.recordBrandCost(this.brand.brandId, this.brand.pillar, 'api_cost', amount, description);
	}

	async generate<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
		if (this.inner.name === LOCAL_PROVIDER) return this.inner.generate(req);
		const estimate = this.price(estimateLlmUsage(req));
		const description = `${req.task} via ${this.inner.name}/${this.inner.model}`;
		let result: LlmResult<T>;
		try {
			result = await this.inner.generate(req);
		} catch (err) {
			const usage = (err as { usage?: Usage }).usage;
			if (usage) await this.record(this.price({ input_tokens: usage.input_tokens, output_tokens: usage.output_tokens }), `${description} (billed, output not used)`);
			else if (err instanceof ProviderError && !err.outcomeKnown) await this.record(Math.max(1, estimate), `${description} (outcome unknown, recorded at the estimate)`);
			throw err;
		}
		await this.record(this.price({ input_tokens: result.usage.input_tokens, output_tokens: result.usage.output_tokens }), description);
		return result;
	}
}

/** Text-to-speech through the Cost Ledger, priced by characters (or tokens for gpt-4o-mini-tts). */
export class MeteredTtsProvider implements TtsProvider {
	private calls = 0;

	constructor(
		private readonly inner: TtsProvider,
		private readonly meter: CostMeter,
	) {}

	get name(): string {
		return this.inner.name;
	}

	get model(): string {
		return this.inner.model;
	}

	synthesize(req: SpeechRequest, destPath: string): Promise<SpeechResult> {
		if (this.inner.name === LOCAL_PROVIDER) return this.inner.synthesize(req, destPath);
		const tokenPriced = this.inner.model === 'gpt-4o-mini-tts';
		const usageOf = (u: SpeechResult['usage']): Record<string, number> =>
			tokenPriced ? { input_tokens: u.input_tokens ?? estimateTokens(req.text), audio_output_tokens: u.audio_output_tokens ?? 0 } : { characters: u.characters };
		return metered(
			this.meter,
			++this.calls,
			{
				provider: this.inner.name,
				model: this.inner.model,
				// gpt-4o-mini-tts: about 1,250 audio tokens a minute, 150 words a minute, ~6 characters a word.
				estimateUsage: tokenPriced
					? { input_tokens: estimateTokens(req.text), audio_output_tokens: Math.ceil((req.text.length / 900) * 1250) + 50 }
					: { characters: req.text.length },
				description: `voiceover (${req.text.length} characters) via ${this.inner.name}/${this.inner.model}`,
			},
			() => this.inner.synthesize(req, destPath),
			(r) => usageOf(r.usage),
		);
	}
}
