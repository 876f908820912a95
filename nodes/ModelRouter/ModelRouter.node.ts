import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { parsePriceOverrides } from '../../lib/pricing/price-table';
import { routeScript } from '../../lib/production/produce';
import { VIDEO_MODELS } from '../../lib/providers/video/registry';
import type { AspectRatio, Resolution } from '../../lib/providers/types';
import type { BudgetTier } from '../../lib/strategy/router';
import { generatorsProperty, stockProviders } from '../shared/generators';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { embedderFor, embeddingProperty } from '../shared/providers';
import { executePerItem, testStoreCredential } from '../shared/store';

export class ModelRouter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Model Router',
		name: 'modelRouter',
		icon: { light: 'file:modelRouter.svg', dark: 'file:modelRouter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["tier"]}}',
		description: 'Chooses a live video generator per scene from style, scene type, budget tier and remaining budget; reserves the estimate',
		defaults: { name: 'Model Router' },
		// Not usableAsTool: an AI agent must not call this node (it reserves budget for every routed scene).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityPexelsApi', required: false },
			{ name: 'brandInfinityPixabayApi', required: false },
		],
		properties: [
			{ displayName: 'Script ID', name: 'scriptId', type: 'string', default: '={{ $json.script_id }}', required: true, description: 'An approved script' },
			generatorsProperty,
			{
				displayName: 'Budget Tier',
				name: 'tier',
				type: 'options',
				options: [
					{ name: 'From the Campaign Request', value: 'request' },
					{ name: 'Premium', value: 'premium' },
					{ name: 'Standard', value: 'standard' },
					{ name: 'Volume', value: 'volume' },
				],
				default: 'request',
			},
			{
				displayName: 'Aspect Ratio',
				name: 'aspect',
				type: 'options',
				options: [
					{ name: '9:16 (Vertical)', value: '9:16' },
					{ name: '16:9 (Landscape)', value: '16:9' },
					{ name: '1:1 (Square)', value: '1:1' },
				],
				default: '9:16',
			},
			{
				displayName: 'Resolution',
				name: 'resolution',
				type: 'options',
				options: [
					{ name: '720p', value: '720p' },
					{ name: '1080p', value: '1080p' },
					{ name: '4K', value: '4k' },
				],
				default: '720p',
			},
			{ ...embeddingProperty(), description: "How scene prompts are matched to the brand's media library: use the embeddings the library was ingested with" },
			{ ...mediaFolderProperty, description: 'Where the media library lives; stock downloads are added to it' },
			{ displayName: 'Close on the Logo End Card', name: 'endCard', type: 'boolean', default: true, description: "Whether the last scene becomes the brand's logo end card when the library has a logo" },
			{ displayName: 'Allow Private Network Downloads', name: 'allowPrivateNetwork', type: 'boolean', default: false, description: 'Whether stock download URLs may point at private or loopback addresses (only for self-hosted fakes and tests)' },
			{ displayName: 'Price Overrides (JSON)', name: 'priceOverrides', type: 'json', default: '[]', description: 'Corrected or added prices, as in the Cost Ledger node' },
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const tier = this.getNodeParameter('tier', i) as BudgetTier | 'request';
			const available = new Set(this.getNodeParameter('generators', i) as string[]);
			const script = await store.getScript(this.getNodeParameter('scriptId', i) as string);
			const sources = {
				store,
				// Matching scene prompts costs a few embeddings: charged to the campaign's brand.
				embedder: await embedderFor(this, i, { store, brandId: String((await store.getBrief(script.brief_id as string)).brand_id) }),
				mediaDir: mediaFolder(this, i),
				stock: await stockProviders(this, i, available),
				allowPrivateNetwork: this.getNodeParameter('allowPrivateNetwork', i, false) as boolean,
				endCard: this.getNodeParameter('endCard', i, true) as boolean,
			};
			return routeScript(store, {
				scriptId: this.getNodeParameter('scriptId', i) as string,
				tier: tier === 'request' ? undefined : tier,
				aspect: this.getNodeParameter('aspect', i) as AspectRatio,
				resolution: this.getNodeParameter('resolution', i) as Resolution,
				available,
				sources,
				catalogue: VIDEO_MODELS,
				priceOverrides: parsePriceOverrides(parseJsonField(this.getNodeParameter('priceOverrides', i, '[]'), 'priceOverrides')),
				actor: `n8n:${this.getNode().name}`,
			}) as Promise<IDataObject[]>;
		});
	}
}
