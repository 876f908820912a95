/** Stock footage providers from plain config objects (issue 11): Pexels and Pixabay. */
import { ValidationError } from '../../domain/errors';
import type { StockProvider } from '../types';
import type { FetchFn } from '../video/common';
import { PexelsStockProvider } from './pexels';
import { PixabayStockProvider } from './pixabay';

export const STOCK_PROVIDERS = ['pexels', 'pixabay'] as const;
export type StockProviderName = (typeof STOCK_PROVIDERS)[number];

export interface StockProviderConfig {
	provider: StockProviderName;
	apiKey?: string;
	/** pexels: https://api.pexels.com; pixabay: https://pixabay.com */
	baseUrl?: string;
	timeoutMs?: number;
	fetchImpl?: FetchFn;
}

export function createStockProvider(config: StockProviderConfig): StockProvider {
	const apiKey = config.apiKey?.trim();
	if (!apiKey) throw new ValidationError(`${config.provider} needs apiKey`, 'apiKey');
	const common = { apiKey, baseUrl: config.baseUrl || undefined, timeoutMs: config.timeoutMs, fetchImpl: config.fetchImpl };
	switch (config.provider) {
		case 'pexels':
			return new PexelsStockProvider(common);
		case 'pixabay':
			return new PixabayStockProvider(common);
		default:
			throw new ValidationError(`unknown stock provider "${String((config as { provider?: unknown }).provider)}"; use ${STOCK_PROVIDERS.join(' or ')}`, 'provider');
	}
}
