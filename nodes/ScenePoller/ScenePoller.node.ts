import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { pollDueJobs } from '../../lib/production/poller';
import { submitRoutedScene } from '../../lib/production/produce';
import { generatorResolver, generatorsProperty } from '../shared/generators';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { executePerItem, operationOf, testStoreCredential } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });
const OPERATIONS = ['submit', 'poll', 'callback', 'status'];

export class ScenePoller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Scene Poller',
		name: 'scenePoller',
		icon: { light: 'file:scenePoller.svg', dark: 'file:scenePoller.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Submits routed scenes as generation jobs and polls them to completion across restarts, without paying twice',
		defaults: { name: 'Scene Poller' },
		// Not usableAsTool: an AI agent must not call this node (it submits paid video generations).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityGeminiApi', required: false },
			{ name: 'brandInfinityFalApi', required: false },
			{ name: 'brandInfinityBytePlusApi', required: false },
			{ name: 'brandInfinityKieApi', required: false },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Submit Scene', value: 'submit', action: 'Queue a routed scene for generation' },
					{ name: 'Poll Due Jobs', value: 'poll', action: 'Submit and check the jobs that are due' },
					{ name: 'Provider Callback', value: 'callback', action: 'Mark a job due after a provider callback' },
					{ name: 'Video Status', value: 'status', action: 'Get a video with its scenes and jobs' },
				],
				default: 'poll',
			},
			{ displayName: 'Priority', name: 'priority', type: 'number', default: 0, description: 'Higher is polled first', displayOptions: ops(['submit']) },
			{ displayName: 'Worker Name', name: 'worker', type: 'string', default: '={{ "n8n-" + $execution.id }}', description: 'Identifies this poller in job leases', displayOptions: ops(['poll']) },
			{ displayName: 'Max Jobs per Poll', name: 'maxJobs', type: 'number', typeOptions: { minValue: 1, maxValue: 100 }, default: 10, displayOptions: ops(['poll']) },
			{ displayName: 'Lease Seconds', name: 'leaseSeconds', type: 'number', typeOptions: { minValue: 30 }, default: 600, description: 'How long a claimed job is this poller\'s; a crashed poller\'s jobs come back after it', displayOptions: ops(['poll']) },
			{ displayName: 'Concurrency per Provider', name: 'concurrency', type: 'number', typeOptions: { minValue: 1, maxValue: 20 }, default: 2, displayOptions: ops(['poll']) },
			{ displayName: 'First Check After (Seconds)', name: 'firstPollSeconds', type: 'number', typeOptions: { minValue: 0 }, default: 15, description: 'Doubles per check, up to five minutes', displayOptions: ops(['poll']) },
			{ displayName: 'Allow Private Network Downloads', name: 'allowPrivateNetwork', type: 'boolean', default: false, description: 'Whether result URLs may point at private or loopback addresses (only for self-hosted fakes and tests)', displayOptions: ops(['poll']) },
			{ ...generatorsProperty, displayOptions: ops(['poll']) },
			{ ...mediaFolderProperty, displayOptions: ops(['poll']) },
			{ displayName: 'Provider', name: 'provider', type: 'string', default: '', required: true, displayOptions: ops(['callback']) },
			{ displayName: 'Provider Job ID', name: 'jobApiId', type: 'string', default: '', required: true, displayOptions: ops(['callback']) },
			{ displayName: 'Video ID', name: 'videoId', type: 'string', default: '={{ $json.video_id }}', required: true, displayOptions: ops(['status']) },
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			switch (operationOf(this, i, OPERATIONS)) {
				case 'submit':
					return submitRoutedScene(store, this.getInputData()[i].json, this.getNodeParameter('priority', i) as number) as Promise<IDataObject>;
				case 'callback':
					return store.jobCallback(this.getNodeParameter('provider', i) as string, this.getNodeParameter('jobApiId', i) as string) as Promise<IDataObject>;
				case 'status':
					return store.getVideo(this.getNodeParameter('videoId', i) as string) as Promise<IDataObject>;
				default: {
					const enabled = new Set(this.getNodeParameter('generators', i) as string[]);
					const resolve = generatorResolver(this, i, { allowPrivateNetwork: this.getNodeParameter('allowPrivateNetwork', i) as boolean });
					const providers = new Map(await Promise.all([...enabled].map(async (name) => [name, await resolve(name)] as const)));
					const concurrency = this.getNodeParameter('concurrency', i) as number;
					const report = await pollDueJobs(
						{
							store,
							providerFor: (name) => {
								const p = providers.get(name);
								if (!p) throw new NodeOperationError(this.getNode(), `Generator "${name}" is not enabled in this Scene Poller`, { itemIndex: i });
								return p;
							},
							mediaDir: mediaFolder(this, i),
							allowPrivateNetwork: this.getNodeParameter('allowPrivateNetwork', i) as boolean,
							limits: Object.fromEntries([...enabled].map((n) => [n, { concurrency }])),
							firstPollSeconds: this.getNodeParameter('firstPollSeconds', i) as number,
						},
						{ worker: this.getNodeParameter('worker', i) as string, maxJobs: this.getNodeParameter('maxJobs', i) as number, leaseSeconds: this.getNodeParameter('leaseSeconds', i) as number },
					);
					return { ...report, events: report.events as unknown as IDataObject[] };
				}
			}
		});
	}
}
