import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { judgeAndRecord, JUDGE_ROUTES } from '../../lib/strategy/judge/service';
import { meterFor } from '../shared/meter';
import { embedderFor, embeddingProperty, llmFor, llmProperties, moderationFor, moderationProperty } from '../shared/providers';
import { executePerItem, testStoreCredential } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });

export class Judge implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Judge',
		name: 'judge',
		icon: { light: 'file:judge.svg', dark: 'file:judge.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Brand-safety checks with a score and reason each; routes every item to pass, human review or reject',
		defaults: { name: 'Judge' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Pass', 'Human Review', 'Reject'],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityOpenAiApi', required: false },
			{ name: 'brandInfinityAnthropicApi', required: false, displayOptions: { show: { llmProvider: ['anthropic'] } } },
			{ name: 'brandInfinityOpenAiCompatibleApi', required: false, displayOptions: { show: { llmProvider: ['openai_compatible'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Check Script', value: 'checkScript', action: 'Check a stored script' },
					{ name: 'Check Text', value: 'checkText', action: 'Check a text such as a hook or caption' },
				],
				default: 'checkScript',
			},
			{ displayName: 'Script ID', name: 'scriptId', type: 'string', default: '={{ $json.script_id }}', required: true, displayOptions: ops(['checkScript']) },
			{ displayName: 'Brand ID', name: 'brandId', type: 'string', default: '', required: true, displayOptions: ops(['checkText']) },
			{ displayName: 'Text', name: 'text', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, displayOptions: ops(['checkText']) },
			{
				displayName: 'Kind',
				name: 'kind',
				type: 'options',
				options: [
					{ name: 'Brief', value: 'brief' },
					{ name: 'Caption', value: 'caption' },
					{ name: 'Hook', value: 'hook' },
				],
				default: 'caption',
				displayOptions: ops(['checkText']),
			},
			{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '', description: 'Links the safety report (and any paid check) to a campaign', displayOptions: ops(['checkText']) },
			{ displayName: 'Pass Threshold', name: 'passThreshold', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.85, description: 'Aggregate confidence needed to pass', displayOptions: ops(['checkText']) },
			{ displayName: 'Pass Threshold', name: 'scriptPassThreshold', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.9, description: 'Aggregate confidence a script needs to pass (seed 003: 0.90 for script approval)', displayOptions: ops(['checkScript']) },
			moderationProperty(),
			embeddingProperty(),
			{ displayName: 'LLM Rubric', name: 'useRubric', type: 'boolean', default: false, description: 'Whether an LLM also grades the text against the brand' },
			...llmProperties({ show: { useRubric: [true] } }),
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(
			this,
			async (store, i) => {
				const operation = this.getNodeParameter('operation', i) as string;
				const script = operation === 'checkScript' ? await store.getScript(this.getNodeParameter('scriptId', i) as string) : null;
				const campaignId = (script?.campaign_id as string | null) ?? ((this.getNodeParameter('campaignId', i, '') as string) || null);
				const meter = meterFor(this, store, i, campaignId, 'copywriter', 'judge');
				const brandId = script
					? ((await store.getBrief(script.brief_id as string)).brand_id as string)
					: (this.getNodeParameter('brandId', i) as string);
				return judgeAndRecord(
					{
						store,
						moderation: await moderationFor(this, i),
						embedder: await embedderFor(this, i, meter ? { meter } : { store, brandId }),
						rubricLlm: this.getNodeParameter('useRubric', i) ? await llmFor(this, i, meter) : undefined,
					},
					script
						? { script, brandId, passThreshold: this.getNodeParameter('scriptPassThreshold', i) as number }
						: {
								text: this.getNodeParameter('text', i) as string,
								kind: this.getNodeParameter('kind', i) as 'brief' | 'caption' | 'hook',
								brandId,
								campaignId,
								passThreshold: this.getNodeParameter('passThreshold', i) as number,
							},
				) as Promise<IDataObject>;
			},
			{ outputs: 3, route: (json) => JUDGE_ROUTES.indexOf(json.route as (typeof JUDGE_ROUTES)[number]) },
		);
	}
}
