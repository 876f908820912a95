/** Video generators in the nodes: which are enabled, and their adapters with the selected credentials. */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { createStockProvider } from '../../lib/providers/stock/registry';
import { createVideoProvider, SOURCE_PROVIDERS, type VideoProviderConfig } from '../../lib/providers/video/registry';
import type { StockProvider, VideoProvider } from '../../lib/providers/types';

export const GENERATOR_CREDENTIALS: Record<string, string> = {
	gemini: 'brandInfinityGeminiApi',
	fal: 'brandInfinityFalApi',
	byteplus: 'brandInfinityBytePlusApi',
	kie: 'brandInfinityKieApi',
};

/** Stock search credentials (used when the Model Router plans scene sources; rendering needs none). */
export const STOCK_CREDENTIALS: Record<string, string> = {
	pexels: 'brandInfinityPexelsApi',
	pixabay: 'brandInfinityPixabayApi',
};

export const generatorsProperty: INodeProperties = {
	displayName: 'Generators',
	name: 'generators',
	type: 'multiOptions',
	options: [
		{ name: "Brand Media Library (Brand's Own Photos and Clips, Kinetic Type, Logo End Card; Offline, Free)", value: 'library' },
		{ name: 'BytePlus ModelArk (Seedance, Seedream)', value: 'byteplus' },
		{ name: 'Fal.ai (Veo, Kling, Seedance)', value: 'fal' },
		{ name: 'Google Gemini API (Veo 3.1)', value: 'gemini' },
		{ name: 'Kie.ai (Veo 3.1)', value: 'kie' },
		{ name: 'Local FFmpeg Render (Offline, Free)', value: 'local' },
		{ name: 'Pexels Stock Footage (Free Key)', value: 'pexels' },
		{ name: 'Pixabay Stock Footage (Free Key)', value: 'pixabay' },
	],
	default: ['library', 'local'],
	description:
		"Generators the router may use; select their credentials. The brand's media library comes first when an asset fits, stock second; Local renders a gradient clip offline and is the free last resort.",
};

/** Builds (once per name) the adapter for a job's provider. */
export function generatorResolver(ctx: IExecuteFunctions, i: number, opts: { allowPrivateNetwork?: boolean; workDir?: string } = {}) {
	const cache = new Map<string, Promise<VideoProvider>>();
	const build = async (name: string): Promise<VideoProvider> => {
		if (name === 'local') return createVideoProvider({ provider: 'local', workDir: opts.workDir });
		// Library and stock scenes render offline from the file chosen at routing: no credential here.
		if ((SOURCE_PROVIDERS as readonly string[]).includes(name)) return createVideoProvider({ provider: name as VideoProviderConfig['provider'], workDir: opts.workDir });
		const type = GENERATOR_CREDENTIALS[name];
		if (!type) throw new NodeOperationError(ctx.getNode(), `Unknown generator "${name}"`, { itemIndex: i });
		let c: Record<string, string>;
		try {
			c = (await ctx.getCredentials(type, i)) as Record<string, string>;
		} catch {
			throw new NodeOperationError(ctx.getNode(), `The ${name} generator needs its credential: select one under Credentials`, { itemIndex: i });
		}
		return createVideoProvider({ provider: name as VideoProviderConfig['provider'], apiKey: c.apiKey, baseUrl: c.baseUrl, allowPrivateNetwork: opts.allowPrivateNetwork });
	};
	return async (name: string): Promise<VideoProvider> => {
		if (!cache.has(name)) cache.set(name, build(name));
		return cache.get(name)!;
	};
}

/** The configured stock search providers (Pexels, Pixabay) among the enabled generators, with their credentials. */
export async function stockProviders(ctx: IExecuteFunctions, i: number, enabled: ReadonlySet<string>): Promise<StockProvider[]> {
	const out: StockProvider[] = [];
	for (const name of Object.keys(STOCK_CREDENTIALS)) {
		if (!enabled.has(name)) continue;
		let c: Record<string, string>;
		try {
			c = (await ctx.getCredentials(STOCK_CREDENTIALS[name], i)) as Record<string, string>;
		} catch {
			throw new NodeOperationError(ctx.getNode(), `The ${name} generator needs its credential: select one under Credentials`, { itemIndex: i });
		}
		out.push(createStockProvider({ provider: name as 'pexels' | 'pixabay', apiKey: c.apiKey, baseUrl: c.baseUrl }));
	}
	return out;
}
