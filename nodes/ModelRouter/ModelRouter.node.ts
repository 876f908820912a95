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
import { generatorsProperty } from '../shared/generators';
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
		credentials: [{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' }],
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
			{ displayName: 'Price Overrides (JSON)', name: 'priceOverrides', type: 'json', default: '[]', description: 'Corrected or added prices, as in the Cost Ledger node' },
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const tier = this.getNodeParameter('tier', i) as BudgetTier | 'request';
			return routeScript(store, {
				scriptId: this.getNodeParameter('scriptId', i) as string,
				tier: tier === 'request' ? undefined : tier,
				aspect: this.getNodeParameter('aspect', i) as AspectRatio,
				resolution: this.getNodeParameter('resolution', i) as Resolution,
				available: new Set(this.getNodeParameter('generators', i) as string[]),
				catalogue: VIDEO_MODELS,
				priceOverrides: parsePriceOverrides(parseJsonField(this.getNodeParameter('priceOverrides', i, '[]'), 'priceOverrides')),
				actor: `n8n:${this.getNode().name}`,
			}) as Promise<IDataObject[]>;
		});
	}
}
