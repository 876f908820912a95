import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { renderConcurrency } from '../../lib/media/schedule';
import type { TerminalEffect } from '../../lib/media/timeline';
import { assembleVideo, type OutputSize } from '../../lib/production/produce';
import type { WordTiming } from '../../lib/providers/types';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { executePerItem, testStoreCredential } from '../shared/store';

export class FfmpegAssembler implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity FFmpeg Assembler',
		name: 'ffmpegAssembler',
		icon: { light: 'file:ffmpegAssembler.svg', dark: 'file:ffmpegAssembler.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["size"] + " outputs"}}',
		description: 'One FFmpeg run: scenes, transitions, voiceover, ducked music, −14 LUFS, burned word-timed captions, LUT; the 9:16 master, 16:9, 1:1 and thumbnails',
		defaults: { name: 'FFmpeg Assembler' },
		// Not usableAsTool: an AI agent must not call this node (it writes the final renders and moves the video on to review).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' }],
		properties: [
			{ displayName: 'Video ID', name: 'videoId', type: 'string', default: '={{ $json.video_id }}', required: true },
			{ displayName: 'Voiceover File', name: 'voiceoverPath', type: 'string', default: '={{ $json.path ?? "" }}', description: 'The Voiceover node\'s output file' },
			{ displayName: 'Word Timings (JSON)', name: 'words', type: 'json', default: '={{ JSON.stringify($json.words ?? []) }}', description: 'For the burned captions: the Voiceover node\'s words' },
			{ displayName: 'Burn Captions', name: 'captions', type: 'boolean', default: true },
			{ displayName: 'Music File', name: 'musicPath', type: 'string', default: '', description: 'Optional: looped and ducked under the voice' },
			{
				displayName: 'Background Music',
				name: 'musicBed',
				type: 'boolean',
				default: true,
				description: "Whether, without a music file, music plays ducked under the voice: the brand library's music when it has some, else a bed the package synthesises (four chords with a pulse, varied per brand)",
				displayOptions: { show: { musicPath: [''] } },
			},
			{ displayName: 'Brand LUT (.Cube)', name: 'lutPath', type: 'string', default: '' },
			{
				displayName: 'Terminal Effects',
				name: 'terminalEffects',
				type: 'multiOptions',
				options: [
					{ name: 'Cursor Blink', value: 'cursor' },
					{ name: 'Glitch', value: 'glitch' },
					{ name: 'Static', value: 'static' },
					{ name: 'Typing', value: 'typing' },
				],
				default: [],
				description: 'Terminal-style overlays on the opening scene',
			},
			{ displayName: 'Terminal Text', name: 'terminalText', type: 'string', default: '', description: 'Typed by the typing effect' },
			{
				displayName: 'Output Size',
				name: 'size',
				type: 'options',
				options: [
					{ name: 'Full (1080×1920, 1920×1080, 1080×1080)', value: 'full' },
					{ name: 'Draft (Half Size, Faster)', value: 'draft' },
				],
				default: 'full',
			},
			{
				displayName: 'Videos at Once',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 64 },
				default: 0,
				description: 'How many input items (videos) render at the same time in this n8n process. 0 = automatic: half the CPU cores, at least 1. Each video renders in segments on its share of the cores (cores / videos at once), so together they never oversubscribe the machine.',
			},
			mediaFolderProperty,
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const concurrency = renderConcurrency(this.getNodeParameter('concurrency', 0, 0) as number);
		return executePerItem(this, async (store, i) => {
			const voice = String(this.getNodeParameter('voiceoverPath', i, '') ?? '').trim();
			const music = String(this.getNodeParameter('musicPath', i, '') ?? '').trim();
			const effects = this.getNodeParameter('terminalEffects', i, []) as TerminalEffect[];
			return assembleVideo(
				{ store, mediaDir: mediaFolder(this, i), renderConcurrency: concurrency },
				{
					videoId: this.getNodeParameter('videoId', i) as string,
					voiceover: voice ? { path: voice, words: (parseJsonField(this.getNodeParameter('words', i, '[]'), 'words') as WordTiming[]) ?? [] } : null,
					music: music ? { path: music } : null,
					musicBed: music ? undefined : (this.getNodeParameter('musicBed', i, true) as boolean),
					captions: this.getNodeParameter('captions', i) as boolean,
					lutPath: (this.getNodeParameter('lutPath', i, '') as string) || undefined,
					terminal: effects.length ? { effects, text: (this.getNodeParameter('terminalText', i, '') as string) || undefined } : null,
					size: this.getNodeParameter('size', i) as OutputSize,
				},
			) as Promise<IDataObject>;
		}, undefined, { concurrency });
	}
}
