import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { hooksForBrief } from '../../lib/strategy/copywriter';
import { meterFor } from '../shared/meter';
import { embedderFor, embeddingProperty, llmFor, llmProperties } from '../shared/providers';
import { executePerItem, testStoreCredential } from '../shared/store';

export class HookGenerator implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Hook Generator',
		name: 'hookGenerator',
		icon: { light: 'file:hookGenerator.svg', dark: 'file:hookGenerator.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["count"] + " hooks"}}',
		description: 'Generates and scores dozens of opening hooks for a creative brief; outputs the best three',
		defaults: { name: 'Hook Generator' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityOpenAiApi', required: false },
			{ name: 'brandInfinityAnthropicApi', required: false, displayOptions: { show: { llmProvider: ['anthropic'] } } },
			{ name: 'brandInfinityOpenAiCompatibleApi', required: false, displayOptions: { show: { llmProvider: ['openai_compatible'] } } },
		],
		properties: [
			{ displayName: 'Brief ID', name: 'briefId', type: 'string', default: '={{ $json.brief_id }}', required: true },
			{ displayName: 'Variations', name: 'count', type: 'number', typeOptions: { minValue: 3, maxValue: 200 }, default: 50, description: 'How many hooks to generate per round' },
			{ displayName: 'Minimum Best Score', name: 'minBestScore', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.75, description: 'Generate another round while the best hook scores below this' },
			{ displayName: 'Max Rounds', name: 'maxRounds', type: 'number', typeOptions: { minValue: 1, maxValue: 3 }, default: 3 },
			...llmProperties(),
			embeddingProperty(),
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const briefId = this.getNodeParameter('briefId', i) as string;
			const brief = await store.getBrief(briefId);
			const meter = meterFor(this, store, i, brief.campaign_id, 'copywriter', 'hooks');
			const result = await hooksForBrief(
				{ store, llm: await llmFor(this, i, meter), embedder: await embedderFor(this, i, meter ? { meter } : { store, brandId: brief.brand_id as string }) },
				{
					briefId,
					count: this.getNodeParameter('count', i) as number,
					minBestScore: this.getNodeParameter('minBestScore', i) as number,
					maxRounds: this.getNodeParameter('maxRounds', i) as number,
				},
			);
			// One item per top hook, each carrying the run's summary.
			const { top, ...summary } = result as IDataObject & { top: IDataObject[] };
			return top.map((hook, rank) => ({ ...hook, rank: rank + 1, run: summary }));
		});
	}
}
