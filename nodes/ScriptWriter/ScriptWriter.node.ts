import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { parseOrThrow, scriptSchema } from '../../lib/domain/schemas';
import { reviseScriptWithFeedback, scriptFromNarrative, scriptsForBrief } from '../../lib/strategy/copywriter';
import type { VariantType } from '../../lib/strategy/script';
import { meterFor } from '../shared/meter';
import { llmFor, llmProperties } from '../shared/providers';
import { executePerItem, operationOf, testStoreCredential } from '../shared/store';

const VARIANT_OPTIONS = [
	{ name: 'Educational', value: 'educational' },
	{ name: 'Emotional', value: 'emotional' },
	{ name: 'Humorous', value: 'humorous' },
	{ name: 'Serious', value: 'serious' },
];
const ops = (operation: string[]) => ({ show: { operation } });
const OPERATIONS = ['fromBrief', 'fromMarkdown', 'revise', 'reviseWithFeedback'];

export class ScriptWriter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Script Writer',
		name: 'scriptWriter',
		icon: { light: 'file:scriptWriter.svg', dark: 'file:scriptWriter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Writes timed video scripts with on-brand visual prompts from an approved brief and hook, or from a markdown narrative',
		defaults: { name: 'Script Writer' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityOpenAiApi', required: false, displayOptions: { show: { llmProvider: ['openai'] } } },
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
					{ name: 'From Brief', value: 'fromBrief', action: 'Write scripts from an approved brief and a hook' },
					{ name: 'From Markdown Narrative', value: 'fromMarkdown', action: 'Turn a markdown narrative into a timed script' },
					{ name: 'Revise', value: 'revise', action: 'Store a new version of a script' },
					{
						name: 'Revise With Feedback',
						value: 'reviseWithFeedback',
						action: 'Rewrite a rejected script with the reviewer feedback',
						description: 'The LLM rewrites the script from its brief, hook and the feedback; stored as its next version',
					},
				],
				default: 'fromBrief',
			},
			{ displayName: 'Brief ID', name: 'briefId', type: 'string', default: '={{ $json.brief_id }}', required: true, displayOptions: ops(['fromBrief', 'fromMarkdown']) },
			{ displayName: 'Hook ID', name: 'hookId', type: 'string', default: '', description: 'Empty: the brief\'s best-scoring hook', displayOptions: ops(['fromBrief']) },
			{ displayName: 'Variants', name: 'variants', type: 'multiOptions', options: VARIANT_OPTIONS, default: [], description: 'One script per variant tag, each with its own hook. Empty: the variants the campaign request asked for (default two).', displayOptions: ops(['fromBrief']) },
			{ displayName: 'Target Seconds', name: 'targetSeconds', type: 'number', typeOptions: { minValue: 15, maxValue: 60 }, default: 30, displayOptions: ops(['fromBrief']) },
			{ displayName: 'Markdown', name: 'markdown', type: 'string', typeOptions: { rows: 10 }, default: '', required: true, displayOptions: ops(['fromMarkdown']) },
			{ displayName: 'Variant', name: 'variant', type: 'options', options: VARIANT_OPTIONS, default: 'educational', displayOptions: ops(['fromMarkdown']) },
			{ displayName: 'Words per Minute', name: 'wordsPerMinute', type: 'number', typeOptions: { minValue: 80, maxValue: 240 }, default: 150, displayOptions: ops(['fromMarkdown']) },
			{ displayName: 'Script ID', name: 'scriptId', type: 'string', default: '', required: true, displayOptions: ops(['revise', 'reviseWithFeedback']) },
			{
				displayName: 'Feedback',
				name: 'feedback',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '={{ $json.feedback }}',
				description: "The reviewer's feedback (e.g. from the Approval node's Rejected output)",
				displayOptions: ops(['reviseWithFeedback']),
			},
			{
				displayName: 'Approval ID',
				name: 'approvalId',
				type: 'string',
				default: '={{ $json.approval_id }}',
				description: 'The rejected approval, kept with the new version',
				displayOptions: ops(['reviseWithFeedback']),
			},
			{ displayName: 'Expected Version', name: 'expectedVersion', type: 'number', default: 1, required: true, description: 'The state_version you read', displayOptions: ops(['revise']) },
			{ displayName: 'Script (JSON)', name: 'script', type: 'json', default: '{}', required: true, description: 'The whole script as JSON: hook, scenes, voiceover_full_text, total_duration_seconds, variant_tag', displayOptions: ops(['revise']) },
			...llmProperties(ops(['fromBrief', 'reviseWithFeedback'])),
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const operation = operationOf(this, i, OPERATIONS);
			const actor = `n8n:${this.getNode().name}`;
			if (operation === 'revise') {
				const script = parseJsonField(this.getNodeParameter('script', i), 'script');
				return store.reviseScript(
					this.getNodeParameter('scriptId', i) as string,
					this.getNodeParameter('expectedVersion', i) as number,
					parseOrThrow(scriptSchema, script, 'script') as IDataObject,
					actor,
				) as Promise<IDataObject>;
			}
			if (operation === 'reviseWithFeedback') {
				const scriptId = this.getNodeParameter('scriptId', i) as string;
				const script = await store.getScript(scriptId);
				const meter = meterFor(this, store, i, script.campaign_id, 'copywriter', 'script');
				return reviseScriptWithFeedback(
					{ store, llm: await llmFor(this, i, meter) },
					{
						scriptId,
						feedback: String(this.getNodeParameter('feedback', i, '') ?? ''),
						approvalId: (this.getNodeParameter('approvalId', i, '') as string) || null,
						actor,
					},
				) as Promise<IDataObject>;
			}
			const briefId = this.getNodeParameter('briefId', i) as string;
			if (operation === 'fromMarkdown') {
				return scriptFromNarrative(store, {
					briefId,
					markdown: this.getNodeParameter('markdown', i) as string,
					variant: this.getNodeParameter('variant', i) as VariantType,
					wordsPerMinute: this.getNodeParameter('wordsPerMinute', i) as number,
					actor,
				}) as Promise<IDataObject>;
			}
			const brief = await store.getBrief(briefId);
			const meter = meterFor(this, store, i, brief.campaign_id, 'copywriter', 'script');
			return scriptsForBrief(
				{ store, llm: await llmFor(this, i, meter) },
				{
					briefId,
					hookId: (this.getNodeParameter('hookId', i, '') as string) || undefined,
					variants: this.getNodeParameter('variants', i) as VariantType[],
					targetSeconds: this.getNodeParameter('targetSeconds', i) as number,
					actor,
				},
			) as Promise<IDataObject[]>;
		});
	}
}
