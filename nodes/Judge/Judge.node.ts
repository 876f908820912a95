import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { judgeAndRecord, judgePublication, JUDGE_ROUTES, type VideoAspect } from '../../lib/strategy/judge/service';
import { meterFor } from '../shared/meter';
import { embedderFor, embeddingProperty, llmFor, llmProperties, moderationFor, moderationProperty } from '../shared/providers';
import { executePerItem, operationOf, testStoreCredential, type Routing } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });

/** Hashtags from a JSON array, an array (expression), or a space/comma separated string. */
function hashtagsOf(value: unknown): string[] {
	const list = Array.isArray(value) ? value : typeof value === 'string' && value.trim().startsWith('[') ? (parseJsonField(value, 'hashtags') as unknown[]) : String(value ?? '').split(/[\s,]+/);
	return list.map((h) => String(h).trim()).filter(Boolean);
}

const OPERATIONS = ['checkScript', 'checkText', 'checkVideo'] as const;

/**
 * Pass, Human Review, Reject. An item that could not be judged (On Error: Continue) leaves on
 * Reject with its `error`: a judgement that failed is never a pass (fail closed).
 */
export const JUDGE_ROUTING: Routing = {
	outputs: JUDGE_ROUTES.length,
	route: (json) => JUDGE_ROUTES.indexOf(json.route as (typeof JUDGE_ROUTES)[number]),
	errorOutput: JUDGE_ROUTES.indexOf('reject'),
};

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
					{
						name: 'Check Video',
						value: 'checkVideo',
						description: 'The publish gate: measures the final file and judges the caption and hashtags',
						action: 'Check a video before approval or publishing',
					},
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
			{ displayName: 'Pass Threshold', name: 'scriptPassThreshold', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.9, description: 'Aggregate confidence a script needs to pass (0.90 by default, the bar for script approval)', displayOptions: ops(['checkScript']) },
			{ displayName: 'Video ID', name: 'videoId', type: 'string', default: '={{ $json.video_id }}', description: 'The assembled video (leave empty to judge a file by its path)', displayOptions: ops(['checkVideo']) },
			{
				displayName: 'Output',
				name: 'aspect',
				type: 'options',
				options: [
					{ name: '1:1 Square', value: '1:1' },
					{ name: '16:9 Wide', value: '16:9' },
					{ name: '9:16 Master', value: '9:16' },
				],
				default: '9:16',
				description: 'Which of the assembled outputs to judge',
				displayOptions: ops(['checkVideo']),
			},
			{ displayName: 'File Path', name: 'filePath', type: 'string', default: '', description: 'A file to judge instead of the stored output (e.g. the copy formatted for a platform)', displayOptions: ops(['checkVideo']) },
			{ displayName: 'Caption', name: 'caption', type: 'string', typeOptions: { rows: 3 }, default: '', description: 'The post text; empty judges the media only', displayOptions: ops(['checkVideo']) },
			{ displayName: 'Hashtags', name: 'hashtags', type: 'string', default: '', placeholder: '#launch #coffee or ["#launch"]', description: 'Separated by spaces or commas, or a JSON array', displayOptions: ops(['checkVideo']) },
			{ displayName: 'Brand ID', name: 'videoBrandId', type: 'string', default: '', description: "Needed only when the video has no campaign (otherwise the campaign's brand)", displayOptions: ops(['checkVideo']) },
			{ displayName: 'Platform Post ID', name: 'platformPostId', type: 'string', default: '', description: 'Records the report against this post (otherwise against the video)', displayOptions: ops(['checkVideo']) },
			{ displayName: 'Pass Threshold', name: 'videoPassThreshold', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.85, description: 'Aggregate confidence needed to pass', displayOptions: ops(['checkVideo']) },
			{
				displayName: 'Media Expectations',
				name: 'expect',
				type: 'collection',
				placeholder: 'Add Expectation',
				default: {},
				displayOptions: ops(['checkVideo']),
				options: [
					{ displayName: 'Black Stretch That Fails (Seconds)', name: 'blackMinSeconds', type: 'number', default: 1, description: 'A black picture this long or longer fails the black-frames check' },
					{ displayName: 'Frozen Stretch That Fails (Seconds)', name: 'freezeMinSeconds', type: 'number', default: 2, description: 'A still picture this long or longer fails the frozen-frames check' },
					{ displayName: 'Max Duration (Seconds)', name: 'maxDurationSeconds', type: 'number', default: 60 },
					{ displayName: 'Min Duration (Seconds)', name: 'minDurationSeconds', type: 'number', default: 15 },
					{ displayName: 'Min Short Side (Pixels)', name: 'minShortSide', type: 'number', default: 720 },
					{ displayName: 'Require Audio', name: 'requireAudio', type: 'boolean', default: true },
					{ displayName: 'Silence That Fails (Seconds)', name: 'silenceMinSeconds', type: 'number', default: 2, description: 'Silence this long or longer fails the silence check (e.g. raise it for a silent end card)' },
					{ displayName: 'Target Loudness (LUFS)', name: 'targetLufs', type: 'number', default: -14 },
				],
			},
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
				const operation = operationOf(this, i, OPERATIONS);
				if (operation === 'checkVideo') {
					const videoId = (this.getNodeParameter('videoId', i, '') as string) || null;
					const video = videoId ? await store.getVideo(videoId) : null;
					const meter = meterFor(this, store, i, (video?.campaign_id as string | null) ?? null, 'broadcaster', 'publish gate');
					const brandId = (this.getNodeParameter('videoBrandId', i, '') as string) || null;
					return judgePublication(
						{
							store,
							moderation: await moderationFor(this, i),
							embedder: await embedderFor(this, i, meter ? { meter } : { store, brandId: brandId ?? '' }),
							rubricLlm: this.getNodeParameter('useRubric', i) ? await llmFor(this, i, meter) : undefined,
						},
						{
							videoId,
							video,
							aspect: this.getNodeParameter('aspect', i) as VideoAspect,
							filePath: (this.getNodeParameter('filePath', i, '') as string) || null,
							caption: this.getNodeParameter('caption', i, '') as string,
							hashtags: hashtagsOf(this.getNodeParameter('hashtags', i, '') as unknown),
							brandId,
							platformPostId: (this.getNodeParameter('platformPostId', i, '') as string) || null,
							passThreshold: this.getNodeParameter('videoPassThreshold', i) as number,
							expect: this.getNodeParameter('expect', i, {}) as IDataObject,
						},
					) as Promise<IDataObject>;
				}
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
			JUDGE_ROUTING,
		);
	}
}
