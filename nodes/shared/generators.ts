/** Video generators in the nodes: which are enabled, and their adapters with the selected credentials. */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { createVideoProvider, type VideoProviderConfig } from '../../lib/providers/video/registry';
import type { VideoProvider } from '../../lib/providers/types';

export const GENERATOR_CREDENTIALS: Record<string, string> = {
	gemini: 'brandInfinityGeminiApi',
	fal: 'brandInfinityFalApi',
	byteplus: 'brandInfinityBytePlusApi',
	kie: 'brandInfinityKieApi',
};

export const generatorsProperty: INodeProperties = {
	displayName: 'Generators',
	name: 'generators',
	type: 'multiOptions',
	options: [
		{ name: 'BytePlus ModelArk (Seedance, Seedream)', value: 'byteplus' },
		{ name: 'Fal.ai (Veo, Kling, Seedance)', value: 'fal' },
		{ name: 'Google Gemini API (Veo 3.1)', value: 'gemini' },
		{ name: 'Kie.ai (Veo 3.1)', value: 'kie' },
		{ name: 'Local FFmpeg Render (Offline, Free)', value: 'local' },
	],
	default: ['local'],
	description: 'Generators the router may use; select their credentials. Local renders a real clip offline and is the free last resort.',
};

/** Builds (once per name) the adapter for a job's provider. */
export function generatorResolver(ctx: IExecuteFunctions, i: number, opts: { allowPrivateNetwork?: boolean; workDir?: string } = {}) {
	const cache = new Map<string, Promise<VideoProvider>>();
	const build = async (name: string): Promise<VideoProvider> => {
		if (name === 'local') return createVideoProvider({ provider: 'local', workDir: opts.workDir });
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
