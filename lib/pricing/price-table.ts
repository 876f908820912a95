/**
 * The one price table. Every estimate and every settlement of a paid call is priced from here
 * (or from overrides the user passes in), so a price changes in one place.
 * Sources are shared/reference/provider-apis.md (2026-11-21); `verified: false` marks prices from
 * third parties that the vendor's own page did not confirm.
 */
import { ValidationError } from '../domain/errors';
import { parseJsonField } from '../domain/json';
import { formatUsd, parseUsd, type Micros } from '../domain/money';

export type PriceUnit =
	| 'second'
	| 'input_token'
	| 'output_token'
	| 'audio_output_token'
	| 'character'
	| 'image'
	| 'request';

export interface PriceEntry {
	provider: string;
	model: string;
	unit: PriceUnit;
	/** USD per `per` units, as an exact decimal string. */
	usd: string;
	per: number;
	/** For video: the output resolution this price applies to. */
	resolution?: string;
	verified: boolean;
	source: string;
}

const M = 1_000_000;
const veo = (model: string, prices: Record<string, string>, verified: boolean): PriceEntry[] =>
	Object.entries(prices).map(([resolution, usd]) => ({
		provider: 'gemini',
		model,
		unit: 'second',
		usd,
		per: 1,
		resolution,
		verified,
		source: verified ? 'ai.google.dev pricing' : 'third-party pricing (LiteLLM lists Fast at $0.15/s)',
	}));

// ---- video and image generators (lib/providers/video, lib/providers/image) -------------------
// provider-apis.md verifies only Google's Veo prices. Everything else here is a deliberately
// conservative (high) estimate so budget reservations do not undershoot: `verified: false` and the
// source says "estimate — set a Price Override". Seedance is billed per token on the vendor side;
// per-second figures use tokens = width × height × 24 × seconds / 1024 at fal's published rate.
const ESTIMATE = 'estimate — set a Price Override';
const perSecond = (provider: string, models: string[], prices: Record<string, string>, source: string): PriceEntry[] =>
	models.flatMap((model) =>
		Object.entries(prices).map(([resolution, usd]) => ({
			provider,
			model,
			unit: 'second' as const,
			usd,
			per: 1,
			...(resolution === '*' ? {} : { resolution }),
			verified: false,
			source,
		})),
	);
const VIDEO_IMAGE_PRICES: PriceEntry[] = [
	// Issue 11: the brand's own media and stock footage cost nothing to use (the APIs are free).
	...perSecond('library', ['library-asset', 'library-kinetic-type'], { '*': '0' }, 'free: brand media library, rendered offline').map((e) => ({ ...e, verified: true })),
	...perSecond('pexels', ['pexels-stock'], { '*': '0' }, 'free: Pexels API and licence (pexels.com/license)').map((e) => ({ ...e, verified: true })),
	...perSecond('pixabay', ['pixabay-stock'], { '*': '0' }, 'free: Pixabay API and Content License (pixabay.com/service/license-summary)').map((e) => ({ ...e, verified: true })),
	...perSecond('fal', ['fal-ai/veo3.1', 'fal-ai/veo3.1/image-to-video'], { '720p': '0.40', '1080p': '0.40', '4k': '0.60' }, `${ESTIMATE} (Google's Veo 3.1 list price; fal's not verified)`),
	...perSecond('fal', ['fal-ai/veo3.1/fast', 'fal-ai/veo3.1/fast/image-to-video'], { '720p': '0.15', '1080p': '0.15', '4k': '0.35' }, `${ESTIMATE} (Veo 3.1 Fast with audio, rounded up)`),
	...perSecond('fal', ['fal-ai/kling-video/v3/pro/text-to-video', 'fal-ai/kling-video/v3/pro/image-to-video'], { '*': '0.17' }, `${ESTIMATE} (fal model page: $0.168/s with audio)`),
	...perSecond('fal', ['fal-ai/kling-video/v3/standard/text-to-video', 'fal-ai/kling-video/v3/standard/image-to-video'], { '*': '0.13' }, `${ESTIMATE} (Kling 3 Standard with audio, rounded up)`),
	...perSecond('fal', ['bytedance/seedance-2.0/text-to-video', 'bytedance/seedance-2.0/image-to-video'], { '480p': '0.14', '720p': '0.31', '1080p': '0.69' }, `${ESTIMATE} (fal: $0.014 per 1k video tokens)`),
	...perSecond('fal', ['bytedance/seedance-2.0/fast/text-to-video', 'bytedance/seedance-2.0/fast/image-to-video'], { '480p': '0.11', '720p': '0.25' }, `${ESTIMATE} (fal: $0.0112 per 1k video tokens)`),
	...perSecond('byteplus', ['dreamina-seedance-2-0-260128', 'seedance-1-5-pro-251215'], { '480p': '0.14', '720p': '0.31', '1080p': '0.69' }, `${ESTIMATE} (ModelArk bills tokens; list price not confirmed, fal's Seedance 2.0 rate used)`),
	...perSecond('byteplus', ['dreamina-seedance-2-0-fast-260128'], { '480p': '0.11', '720p': '0.25' }, `${ESTIMATE} (ModelArk bills tokens; fal's Seedance 2.0 Fast rate used)`),
	...perSecond('kie', ['veo3'], { '*': '0.25' }, `${ESTIMATE} (about $2 per 8 s clip)`),
	...perSecond('kie', ['veo3_fast'], { '*': '0.08' }, `${ESTIMATE} (about $0.64 per 8 s clip)`),
	...perSecond('kie', ['kling-3.0/video'], { '*': '0.20' }, ESTIMATE),
	{ provider: 'byteplus', model: 'seedream-4-0-250828', unit: 'image', usd: '0.04', per: 1, verified: false, source: `${ESTIMATE} (about $0.03 per image)` },
	{ provider: 'gemini', model: 'gemini-2.5-flash-image', unit: 'image', usd: '0.039', per: 1, verified: false, source: 'ai.google.dev pricing ($30 per 1M output tokens, 1290 tokens per image); not in provider-apis.md' },
];

export const PRICE_TABLE: readonly PriceEntry[] = Object.freeze([
	...veo('veo-3.1-generate-001', { '720p': '0.40', '1080p': '0.40', '4k': '0.60' }, true),
	...veo('veo-3.1-generate-preview', { '720p': '0.40', '1080p': '0.40', '4k': '0.60' }, true),
	...veo('veo-3.1-fast-generate-001', { '720p': '0.10', '1080p': '0.12', '4k': '0.30' }, false),
	...veo('veo-3.1-fast-generate-preview', { '720p': '0.10', '1080p': '0.12', '4k': '0.30' }, false),
	...veo('veo-3.1-lite-generate-preview', { '720p': '0.05', '1080p': '0.08' }, false),
	{ provider: 'openai', model: 'tts-1', unit: 'character', usd: '15', per: M, verified: true, source: 'developers.openai.com' },
	{ provider: 'openai', model: 'tts-1-hd', unit: 'character', usd: '30', per: M, verified: true, source: 'developers.openai.com' },
	{ provider: 'openai', model: 'gpt-4o-mini-tts', unit: 'input_token', usd: '0.60', per: M, verified: true, source: 'developers.openai.com' },
	{ provider: 'openai', model: 'gpt-4o-mini-tts', unit: 'audio_output_token', usd: '12', per: M, verified: true, source: 'developers.openai.com' },
	{ provider: 'openai', model: 'text-embedding-3-small', unit: 'input_token', usd: '0.02', per: M, verified: false, source: 'openai pricing page (third-party copy)' },
	{ provider: 'openai', model: 'omni-moderation-latest', unit: 'request', usd: '0', per: 1, verified: false, source: 'free per OpenAI docs (third-party copy)' },
	{ provider: 'elevenlabs', model: 'eleven_multilingual_v2', unit: 'character', usd: '0.10', per: 1000, verified: false, source: 'third-party ($0.10-0.12 per 1k)' },
	{ provider: 'elevenlabs', model: 'eleven_v3', unit: 'character', usd: '0.10', per: 1000, verified: false, source: 'third-party ($0.10-0.12 per 1k)' },
	{ provider: 'elevenlabs', model: 'eleven_flash_v2_5', unit: 'character', usd: '0.05', per: 1000, verified: false, source: 'third-party ($0.05-0.06 per 1k)' },
	{ provider: 'elevenlabs', model: 'eleven_turbo_v2_5', unit: 'character', usd: '0.05', per: 1000, verified: false, source: 'third-party ($0.05-0.06 per 1k)' },
	{ provider: 'openai', model: 'gpt-4o-mini', unit: 'input_token', usd: '0.15', per: M, verified: false, source: 'openai list price (not in provider-apis.md)' },
	{ provider: 'openai', model: 'gpt-4o-mini', unit: 'output_token', usd: '0.60', per: M, verified: false, source: 'openai list price (not in provider-apis.md)' },
	{ provider: 'openai', model: 'gpt-4o', unit: 'input_token', usd: '2.50', per: M, verified: false, source: 'openai list price (not in provider-apis.md)' },
	{ provider: 'openai', model: 'gpt-4o', unit: 'output_token', usd: '10', per: M, verified: false, source: 'openai list price (not in provider-apis.md)' },
	{ provider: 'anthropic', model: 'claude-haiku-4-5', unit: 'input_token', usd: '1', per: M, verified: false, source: 'anthropic list price (provider-apis.md: not verified)' },
	{ provider: 'anthropic', model: 'claude-haiku-4-5', unit: 'output_token', usd: '5', per: M, verified: false, source: 'anthropic list price (provider-apis.md: not verified)' },
	{ provider: 'anthropic', model: 'claude-sonnet-5', unit: 'input_token', usd: '3', per: M, verified: false, source: 'anthropic list price (provider-apis.md: not verified)' },
	{ provider: 'anthropic', model: 'claude-sonnet-5', unit: 'output_token', usd: '15', per: M, verified: false, source: 'anthropic list price (provider-apis.md: not verified)' },
	{ provider: 'deepseek', model: 'deepseek-chat', unit: 'input_token', usd: '0.27', per: M, verified: false, source: 'deepseek list price (third-party, not verified)' },
	{ provider: 'deepseek', model: 'deepseek-chat', unit: 'output_token', usd: '1.10', per: M, verified: false, source: 'deepseek list price (third-party, not verified)' },
	...VIDEO_IMAGE_PRICES,
]);

/** Local providers (ffmpeg, espeak-ng, templates, hashing) cost nothing. */
export const LOCAL_PROVIDER = 'local';

export interface UsageQuantities {
	seconds?: number;
	input_tokens?: number;
	output_tokens?: number;
	audio_output_tokens?: number;
	characters?: number;
	images?: number;
	requests?: number;
}

const UNIT_OF: Record<keyof UsageQuantities, PriceUnit> = {
	seconds: 'second',
	input_tokens: 'input_token',
	output_tokens: 'output_token',
	audio_output_tokens: 'audio_output_token',
	characters: 'character',
	images: 'image',
	requests: 'request',
};

export interface EstimateLine {
	unit: PriceUnit;
	quantity: number;
	usd: string;
	per: number;
	amount_usd: string;
	verified: boolean;
	source: string;
}

export interface Estimate {
	provider: string;
	model: string;
	resolution?: string;
	amount: Micros;
	amount_usd: string;
	lines: EstimateLine[];
}

/** Price of `quantity` units: integer arithmetic on micro-dollars, half up to the micro-dollar. */
function linePrice(entry: PriceEntry, quantity: number): Micros {
	const milliQty = Math.round(quantity * 1000); // quantities have at most 3 decimals (seconds)
	const numerator = parseUsd(entry.usd, 'usd') * milliQty;
	if (!Number.isSafeInteger(numerator)) throw new RangeError('quantity too large to price exactly');
	const denominator = entry.per * 1000;
	return Math.floor((numerator + denominator / 2) / denominator);
}

/**
 * Prices a call. `overrides` (same shape as the table) take precedence, so a user can correct a
 * price or add a model without a release. Throws a ValidationError naming the field when nothing
 * prices a requested quantity.
 */
export function estimateCost(
	req: { provider: string; model: string; resolution?: string; usage: UsageQuantities },
	overrides: readonly PriceEntry[] = [],
): Estimate {
	const lines: EstimateLine[] = [];
	const entries = [...overrides, ...PRICE_TABLE];
	for (const [key, quantity] of Object.entries(req.usage) as [keyof UsageQuantities, number | undefined][]) {
		if (quantity === undefined) continue;
		const unit = UNIT_OF[key];
		if (!unit) throw new ValidationError(`unknown usage quantity "${key}"`, `usage.${key}`);
		if (!(typeof quantity === 'number' && Number.isFinite(quantity) && quantity >= 0)) {
			throw new ValidationError(`usage.${key} must be a non-negative number`, `usage.${key}`);
		}
		if (req.provider === LOCAL_PROVIDER) {
			lines.push({ unit, quantity, usd: '0', per: 1, amount_usd: formatUsd(0), verified: true, source: 'local (no charge)' });
			continue;
		}
		const entry = entries.find(
			(e) =>
				e.provider === req.provider &&
				e.model === req.model &&
				e.unit === unit &&
				(e.resolution === undefined || e.resolution === (req.resolution ?? '720p')),
		);
		if (!entry) {
			throw new ValidationError(
				`no price for ${req.provider}/${req.model}${req.resolution ? ` at ${req.resolution}` : ''} per ${unit}; add one in Price Overrides`,
				'model',
			);
		}
		const amount = linePrice(entry, quantity);
		lines.push({ unit, quantity, usd: entry.usd, per: entry.per, amount_usd: formatUsd(amount), verified: entry.verified, source: entry.source });
	}
	if (lines.length === 0) throw new ValidationError('usage needs at least one quantity (seconds, tokens, characters…)', 'usage');
	const amount = lines.reduce((sum, l) => sum + parseUsd(l.amount_usd, 'amount'), 0);
	return { provider: req.provider, model: req.model, resolution: req.resolution, amount, amount_usd: formatUsd(amount), lines };
}

/** Validates user-supplied price overrides (from a node's JSON field). */
export function parsePriceOverrides(value: unknown, field = 'priceOverrides'): PriceEntry[] {
	if (value === undefined || value === null || value === '') return [];
	const list = parseJsonField(value, field) ?? [];
	if (!Array.isArray(list)) throw new ValidationError(`${field} must be a JSON array of prices`, field);
	return list.map((raw, i) => {
		const e = raw as Partial<PriceEntry>;
		const at = `${field}[${i}]`;
		if (!e || typeof e.provider !== 'string' || typeof e.model !== 'string') {
			throw new ValidationError(`${at} needs provider and model`, at);
		}
		if (!e.unit || !Object.values(UNIT_OF).includes(e.unit)) {
			throw new ValidationError(`${at}.unit must be one of ${Object.values(UNIT_OF).join(', ')}`, `${at}.unit`);
		}
		parseUsd(e.usd, `${at}.usd`);
		const per = e.per ?? 1;
		if (!Number.isInteger(per) || per < 1) throw new ValidationError(`${at}.per must be a positive integer`, `${at}.per`);
		return { provider: e.provider, model: e.model, unit: e.unit, usd: String(e.usd), per, resolution: e.resolution, verified: false, source: 'user override' };
	});
}
