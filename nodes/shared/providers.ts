/**
 * Provider choice in the nodes: the parameters every AI node shows, and turning them (plus the
 * selected credentials) into lib/ providers. Paid calls are metered into the Cost Ledger against
 * the campaign; local providers are free and need no credential.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { createMediaDescriber, VISION_LLM_PROVIDERS } from '../../lib/library/describe';
import type { IngestDeps } from '../../lib/library/ingest';
import { BrandCostEmbeddingProvider, MeteredEmbeddingProvider, MeteredLlmProvider, type CostMeter } from '../../lib/providers/metered';
import type { Store } from '../../lib/store';
import { LocalModerationProvider } from '../../lib/providers/moderation/local';
import {
	createEmbeddingProvider,
	createLlmProvider,
	createModerationProvider,
	createVectorStore,
	type LlmProviderName,
} from '../../lib/providers/registry';
import type { EmbeddingProvider, LlmProvider, ModerationProvider, VectorStore } from '../../lib/providers/types';

type Show = { show: Record<string, Array<string | boolean>> } | undefined;

/**
 * The LLM choice. `fallbackDisplayOptions` narrows where "Fall Back to Local Templates" shows (an
 * operation whose LLM use has no template, such as describing media, leaves it out); `description`
 * says what the model does in this node.
 */
export const llmProperties = (displayOptions?: Show, opts: { fallbackDisplayOptions?: Show; description?: string } = {}): INodeProperties[] => [
	{
		displayName: 'LLM',
		name: 'llmProvider',
		type: 'options',
		options: [
			{ name: 'Anthropic', value: 'anthropic' },
			{ name: 'Local Templates (Offline, Free)', value: 'local' },
			{ name: 'OpenAI', value: 'openai' },
			{ name: 'OpenAI-Compatible (DeepSeek, Ollama, vLLM)', value: 'openai_compatible' },
		],
		default: 'local',
		description: opts.description ?? 'Which model writes. Local templates are deterministic and say "local" in their output.',
		displayOptions,
	},
	{
		displayName: 'Model',
		name: 'llmModel',
		type: 'string',
		default: '',
		placeholder: 'gpt-4o-mini',
		description: 'Empty: gpt-4o-mini (OpenAI), claude-haiku-4-5 (Anthropic); required for OpenAI-compatible servers',
		displayOptions: { show: { ...(displayOptions?.show ?? {}), llmProvider: ['openai', 'anthropic', 'openai_compatible'] } },
	},
	{
		displayName: 'Fall Back to Local Templates',
		name: 'allowLocalFallback',
		type: 'boolean',
		default: true,
		description: 'Whether to answer from the local templates when the LLM is down (the output then says provider "local")',
		displayOptions: { show: { ...((opts.fallbackDisplayOptions ?? displayOptions)?.show ?? {}), llmProvider: ['openai', 'anthropic', 'openai_compatible'] } },
	},
];

export const embeddingProperty = (displayOptions?: Show): INodeProperties => ({
	displayName: 'Embeddings',
	name: 'embeddingProvider',
	type: 'options',
	options: [
		{ name: 'Local Hashing (Offline, Free)', value: 'local' },
		{ name: 'OpenAI Text-Embedding-3-Small', value: 'openai' },
	],
	default: 'local',
	description: 'Use the same embeddings for ingesting and for querying a brand',
	displayOptions,
});

export const moderationProperty = (displayOptions?: Show): INodeProperties => ({
	displayName: 'Moderation',
	name: 'moderationProvider',
	type: 'options',
	options: [
		{ name: 'Local Rules (Offline, Free)', value: 'local' },
		{ name: 'OpenAI Omni-Moderation-Latest', value: 'openai' },
	],
	default: 'local',
	displayOptions,
});

export const vectorStoreProperty = (displayOptions?: Show): INodeProperties => ({
	displayName: 'Vector Store',
	name: 'vectorStore',
	type: 'options',
	options: [
		{ name: 'Brand Infinity Store (Pgvector)', value: 'pgvector' },
		{ name: 'Pinecone', value: 'pinecone' },
	],
	default: 'pgvector',
	displayOptions,
});

async function credential(ctx: IExecuteFunctions, type: string, what: string, i: number): Promise<Record<string, string>> {
	try {
		return (await ctx.getCredentials(type, i)) as Record<string, string>;
	} catch {
		throw new NodeOperationError(ctx.getNode(), `${what} needs its credential: select one under Credentials`, { itemIndex: i });
	}
}

const LLM_CREDENTIAL: Record<Exclude<LlmProviderName, 'local'>, [string, string]> = {
	openai: ['brandInfinityOpenAiApi', 'OpenAI'],
	anthropic: ['brandInfinityAnthropicApi', 'Anthropic'],
	openai_compatible: ['brandInfinityOpenAiCompatibleApi', 'The OpenAI-compatible LLM'],
};

/** The LLM of item i; paid calls are metered when a meter is given, refused without one. */
export async function llmFor(ctx: IExecuteFunctions, i: number, meter: CostMeter | null): Promise<LlmProvider> {
	const provider = ctx.getNodeParameter('llmProvider', i, 'local') as LlmProviderName;
	if (provider === 'local') return createLlmProvider({ provider });
	if (!meter) {
		throw new NodeOperationError(ctx.getNode(), 'A paid LLM needs a campaign to charge: set the campaign ID', { itemIndex: i });
	}
	const [type, what] = LLM_CREDENTIAL[provider];
	const c = await credential(ctx, type, what, i);
	return createLlmProvider(
		{
			provider,
			apiKey: c.apiKey,
			baseUrl: c.baseUrl,
			model: (ctx.getNodeParameter('llmModel', i, '') as string) || undefined,
			allowLocalFallback: ctx.getNodeParameter('allowLocalFallback', i, true) as boolean,
		},
		{ wrapPrimary: (primary) => new MeteredLlmProvider(primary, meter) },
	);
}

/**
 * The vision describer of item i for the brand media library (IngestDeps `describe` and
 * `describedBy`): none with the local LLM; the OpenAI or Anthropic model of the node's LLM choice
 * and credential otherwise, its costs recorded against the brand.
 */
export async function mediaDescriberFor(ctx: IExecuteFunctions, i: number, charge: { store: Store; brandId: string }): Promise<Pick<IngestDeps, 'describe' | 'describedBy'>> {
	const provider = ctx.getNodeParameter('llmProvider', i, 'local') as LlmProviderName;
	if (provider === 'local') return {};
	if (!VISION_LLM_PROVIDERS.includes(provider)) {
		throw new NodeOperationError(ctx.getNode(), 'Describing media needs a vision model: set LLM to OpenAI or Anthropic, or to Local for descriptions from file names and tags', { itemIndex: i });
	}
	const [type, what] = LLM_CREDENTIAL[provider as 'openai' | 'anthropic'];
	const c = await credential(ctx, type, what, i);
	const model = (ctx.getNodeParameter('llmModel', i, '') as string) || undefined;
	return createMediaDescriber({ provider, apiKey: c.apiKey, baseUrl: c.baseUrl, model }, charge);
}

/** Embeddings of item i: metered against the campaign when there is one, else charged to the brand. */
export async function embedderFor(
	ctx: IExecuteFunctions,
	i: number,
	charge: { meter: CostMeter } | { store: Store; brandId: string },
): Promise<EmbeddingProvider> {
	const provider = ctx.getNodeParameter('embeddingProvider', i, 'local') as 'local' | 'openai';
	if (provider === 'local') return createEmbeddingProvider({ provider });
	const c = await credential(ctx, 'brandInfinityOpenAiApi', 'OpenAI embeddings', i);
	const embedder = createEmbeddingProvider({ provider, apiKey: c.apiKey, baseUrl: c.baseUrl });
	return 'meter' in charge
		? new MeteredEmbeddingProvider(embedder, charge.meter)
		: new BrandCostEmbeddingProvider(embedder, { store: charge.store, brandId: charge.brandId, pillar: 'strategist' });
}

export async function moderationFor(ctx: IExecuteFunctions, i: number): Promise<ModerationProvider> {
	const provider = ctx.getNodeParameter('moderationProvider', i, 'local') as 'local' | 'openai';
	if (provider === 'local') return new LocalModerationProvider();
	const c = await credential(ctx, 'brandInfinityOpenAiApi', 'OpenAI moderation', i);
	return createModerationProvider({ provider, apiKey: c.apiKey, baseUrl: c.baseUrl })!;
}

export async function vectorStoreFor(ctx: IExecuteFunctions, i: number): Promise<VectorStore | null> {
	const provider = ctx.getNodeParameter('vectorStore', i, 'pgvector') as 'pgvector' | 'pinecone';
	if (provider === 'pgvector') return null;
	const c = await credential(ctx, 'brandInfinityPineconeApi', 'Pinecone', i);
	return createVectorStore({ provider, apiKey: c.apiKey, indexName: c.indexName, indexHost: c.indexHost, controllerHostUrl: c.controllerHostUrl });
}
