import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { MeteredTtsProvider } from '../../lib/providers/metered';
import { FallbackTtsProvider } from '../../lib/providers/tts/fallback';
import { createTtsProvider, type TtsConfig } from '../../lib/providers/tts/registry';
import { voiceover } from '../../lib/production/voiceover';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { meterFor } from '../shared/meter';
import { executePerItem, testStoreCredential } from '../shared/store';

const PROVIDERS = [
	{ name: 'ElevenLabs (Word Timestamps)', value: 'elevenlabs' },
	{ name: 'Local Festival or Espeak-Ng (Offline, Free)', value: 'local' },
	{ name: 'OpenAI TTS', value: 'openai' },
];

export class Voiceover implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Voiceover',
		name: 'voiceover',
		icon: { light: 'file:voiceover.svg', dark: 'file:voiceover.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["providers"].join(" → ")}}',
		description: 'Speaks a script\'s voiceover through a provider chain and returns word timings for captions',
		defaults: { name: 'Voiceover' },
		// Not usableAsTool: an AI agent must not call this node (it spends on paid voices and writes the video's assets).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityOpenAiApi', required: false },
			{ name: 'brandInfinityElevenLabsApi', required: false },
		],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{ name: 'Script', value: 'script' },
					{ name: 'Text', value: 'text' },
				],
				default: 'script',
			},
			{ displayName: 'Script ID', name: 'scriptId', type: 'string', default: '={{ $json.script_id }}', required: true, displayOptions: { show: { source: ['script'] } } },
			{ displayName: 'Text', name: 'text', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, displayOptions: { show: { source: ['text'] } } },
			{
				displayName: 'Providers (in Order)',
				name: 'providers',
				type: 'multiOptions',
				options: PROVIDERS,
				default: ['local'],
				description: 'Tried in this order; the next one answers when one fails. Without timestamps from the provider, words are timed proportionally.',
			},
			{ displayName: 'Voice', name: 'voice', type: 'string', default: '', description: 'For the first provider: an OpenAI voice (alloy…), an ElevenLabs voice ID, a Festival voice (cmu_us_slt_arctic_hts, the local default) or an espeak-ng voice (en-us)' },
			{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '', description: 'Charged for paid voices when the source is a text (a script brings its campaign)', displayOptions: { show: { source: ['text'] } } },
			mediaFolderProperty,
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const fromScript = this.getNodeParameter('source', i) === 'script';
			const scriptId = fromScript ? (this.getNodeParameter('scriptId', i) as string) : undefined;
			const campaignId = scriptId ? ((await store.getScript(scriptId)).campaign_id as string | null) : (this.getNodeParameter('campaignId', i, '') as string);
			const meter = meterFor(this, store, i, campaignId, 'production', 'voice');
			const names = this.getNodeParameter('providers', i) as TtsConfig['provider'][];
			if (!names.length) throw new NodeOperationError(this.getNode(), 'Pick at least one voice provider', { itemIndex: i });
			const providers = [];
			for (const provider of names) {
				if (provider === 'local') {
					providers.push(createTtsProvider({ provider }));
					continue;
				}
				if (!meter) throw new NodeOperationError(this.getNode(), 'A paid voice needs a campaign to charge', { itemIndex: i });
				const c = (await this.getCredentials(provider === 'openai' ? 'brandInfinityOpenAiApi' : 'brandInfinityElevenLabsApi', i)) as Record<string, string>;
				providers.push(new MeteredTtsProvider(createTtsProvider({ provider, apiKey: c.apiKey, baseUrl: c.baseUrl }), meter));
			}
			return voiceover(
				{ store, tts: new FallbackTtsProvider(providers), mediaDir: mediaFolder(this, i) },
				{ scriptId, text: fromScript ? undefined : (this.getNodeParameter('text', i) as string), voice: (this.getNodeParameter('voice', i, '') as string) || undefined },
			) as Promise<IDataObject>;
		});
	}
}
