import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { dirname, join } from 'node:path';

import { broadcastVideo, checkStatus, fetchMetrics, publicMediaUrl, publishDue, publishPost, type BroadcastDeps, type PublishGate, type PublisherTarget } from '../../lib/broadcast/broadcaster';
import type { YouTubeFormat } from '../../lib/broadcast/format';
import { createPublisher } from '../../lib/providers/publish/registry';
import type { PublishPlatform, Publisher, SocialPlatform } from '../../lib/providers/publish/types';
import type { Store } from '../../lib/store';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { meterFor } from '../shared/meter';
import { captionJudgeFor } from '../../lib/strategy/judge/service';
import { embedderFor, embeddingProperty, llmFor, llmProperties, moderationFor, moderationProperty } from '../shared/providers';
import { executePerItem, operationOf, testStoreCredential } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });
const OPERATIONS = ['checkStatus', 'fetchMetrics', 'publish', 'publishDue'];
const PLATFORM_OPTIONS = [
	{ name: 'Blotato', value: 'blotato' },
	{ name: 'Instagram Reels', value: 'instagram' },
	{ name: 'LinkedIn', value: 'linkedin' },
	{ name: 'Outbox (Local Folder)', value: 'outbox' },
	{ name: 'TikTok', value: 'tiktok' },
	{ name: 'YouTube', value: 'youtube' },
];
const SOCIAL_OPTIONS = [
	{ name: 'Instagram Reels', value: 'instagram' },
	{ name: 'LinkedIn', value: 'linkedin' },
	{ name: 'TikTok', value: 'tiktok' },
	{ name: 'YouTube', value: 'youtube' },
];
const CREDENTIAL: Record<Exclude<PublishPlatform, 'outbox'>, string> = {
	youtube: 'brandInfinityYouTubeApi',
	tiktok: 'brandInfinityTikTokApi',
	instagram: 'brandInfinityInstagramApi',
	linkedin: 'brandInfinityLinkedInApi',
	blotato: 'brandInfinityBlotatoApi',
};

export class PlatformPublisher implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Platform Publisher',
		name: 'platformPublisher',
		icon: { light: 'file:platformPublisher.svg', dark: 'file:platformPublisher.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Formats, captions and publishes videos to TikTok, Instagram Reels, YouTube, LinkedIn, Blotato or a local outbox, exactly once; schedules, polls and fetches engagement',
		defaults: { name: 'Platform Publisher' },
		// Not usableAsTool: an AI agent must not call this node (it posts publicly).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityYouTubeApi', required: false, displayOptions: { show: { platforms: ['youtube'] } } },
			{ name: 'brandInfinityTikTokApi', required: false, displayOptions: { show: { platforms: ['tiktok'] } } },
			{ name: 'brandInfinityInstagramApi', required: false, displayOptions: { show: { platforms: ['instagram'] } } },
			{ name: 'brandInfinityLinkedInApi', required: false, displayOptions: { show: { platforms: ['linkedin'] } } },
			{ name: 'brandInfinityBlotatoApi', required: false, displayOptions: { show: { platforms: ['blotato'] } } },
			{ name: 'brandInfinityOpenAiApi', required: false, displayOptions: { show: { operation: ['publish'] } } },
			{ name: 'brandInfinityAnthropicApi', required: false, displayOptions: { show: { operation: ['publish'], llmProvider: ['anthropic'] } } },
			{ name: 'brandInfinityOpenAiCompatibleApi', required: false, displayOptions: { show: { operation: ['publish'], llmProvider: ['openai_compatible'] } } },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Check Status', value: 'checkStatus', action: 'Ask the platforms about posts they are still processing' },
					{ name: 'Fetch Metrics', value: 'fetchMetrics', action: 'Fetch engagement of published posts into the variant performance' },
					{ name: 'Publish', value: 'publish', action: 'Format caption and publish a video now or at a time' },
					{ name: 'Publish Due', value: 'publishDue', action: 'Publish the scheduled posts that are due' },
				],
				default: 'publish',
			},
			{
				displayName: 'Platform Post ID',
				name: 'platformPostId',
				type: 'string',
				default: '',
				description: 'Publish a stored post (e.g. after its approval). When set, the video and platform fields below are not used.',
				displayOptions: ops(['publish']),
			},
			{ displayName: 'Video ID', name: 'videoId', type: 'string', default: '', description: 'The assembled video: its 9:16, 16:9 and 1:1 outputs are chosen per platform', displayOptions: ops(['publish']) },
			{ displayName: 'File Path', name: 'filePath', type: 'string', default: '', description: 'Instead of a video ID: a video file on this machine', displayOptions: ops(['publish']) },
			{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '', description: 'With a file path: the campaign it belongs to. Fetch Metrics: only this campaign (empty: all).', displayOptions: ops(['publish', 'fetchMetrics']) },
			{ displayName: 'Variant ID', name: 'variantId', type: 'string', default: '', description: 'With a file path: the variant it belongs to', displayOptions: ops(['publish']) },
			{
				displayName: 'Platforms',
				name: 'platforms',
				type: 'multiOptions',
				options: PLATFORM_OPTIONS,
				default: ['outbox'],
				description: 'Publish: one post per platform. Check Status, Fetch Metrics: the posts of these platforms.',
				displayOptions: ops(['publish', 'checkStatus', 'fetchMetrics']),
			},
			{
				displayName: "Only the Campaign's Target Platforms",
				name: 'campaignPlatformsOnly',
				type: 'boolean',
				default: false,
				description:
					"Whether to post only to the platforms the campaign request names in target_platforms (TikTok, Instagram Reels, YouTube Shorts, LinkedIn) out of those selected above; the outbox always gets its copy. A request naming none goes to the outbox only.",
				displayOptions: ops(['publish']),
			},
			{ displayName: 'Account ID', name: 'accountId', type: 'string', default: '', description: 'Your name for the account posted to: one post per variant, platform and account', displayOptions: ops(['publish']) },
			{
				displayName: 'Schedule At',
				name: 'scheduleAt',
				type: 'dateTime',
				default: '',
				description: 'Empty: publish now. Else the post is stored and Publish Due publishes it at that time.',
				displayOptions: ops(['publish']),
			},
			{
				displayName: 'Publish Gate',
				name: 'publishGate',
				type: 'options',
				options: [
					{ name: 'Human Review (Hold for Approval)', value: 'human_review' },
					{ name: 'Pass', value: 'pass' },
					{ name: 'Reject (Publish Nothing)', value: 'reject' },
				],
				default: 'pass',
				description: 'The Judge publish gate route (map it from the Judge). Human review stores the post for an approval on entity platform_post.',
				displayOptions: ops(['publish']),
			},
			{
				displayName: 'Caption Overrides',
				name: 'captionOverrides',
				type: 'collection',
				placeholder: 'Add Override',
				default: {},
				displayOptions: ops(['publish']),
				options: [
					{ displayName: 'Brand Hashtags', name: 'brandHashtags', type: 'string', default: '', description: 'Comma-separated hashtags placed first on every platform' },
					{ displayName: 'Caption', name: 'caption', type: 'string', typeOptions: { rows: 4 }, default: '', description: 'Use this text instead of the LLM’s (still fitted to each platform’s limit)' },
					{ displayName: 'Hashtags', name: 'hashtags', type: 'string', default: '', description: 'Comma-separated hashtags added after the LLM’s' },
					{ displayName: 'Title', name: 'title', type: 'string', default: '', description: 'YouTube title (default: the caption’s first line)' },
				],
			},
			{
				displayName: 'Judge Captions',
				name: 'judgeCaptions',
				type: 'boolean',
				default: true,
				description: "Whether each platform's caption and hashtags go through the Judge's text checks (restricted words, moderation, tone) before publishing; a caption that does not pass is held for a person",
				displayOptions: ops(['publish']),
			},
			moderationProperty({ show: { operation: ['publish'], judgeCaptions: [true] } }),
			embeddingProperty({ show: { operation: ['publish'], judgeCaptions: [true] } }),
			...llmProperties(ops(['publish'])),
			{
				displayName: 'Public Media URL',
				name: 'publicMediaUrl',
				type: 'string',
				default: '',
				placeholder: 'https://media.example.com/brand-infinity',
				description:
					'The public http(s) URL where the Media Folder is served as it is (a web server, a CDN, or a bucket synced from it). Instagram and Blotato fetch the video from there; without it they cannot publish.',
				displayOptions: { show: { operation: ['publish', 'publishDue'] } },
			},
			{
				displayName: 'Outbox Folder',
				name: 'outboxFolder',
				type: 'string',
				default: '',
				placeholder: '~/.n8n/brand-infinity/outbox',
				description: 'Where the outbox writes one folder per post. Empty: brand-infinity/outbox next to the media folder.',
				displayOptions: { show: { platforms: ['outbox'] } },
			},
			{
				displayName: 'Outbox Emulates',
				name: 'outboxEmulates',
				type: 'options',
				options: [
					{ name: 'Instagram Reels', value: 'instagram' },
					{ name: 'LinkedIn', value: 'linkedin' },
					{ name: 'Nothing (Any Video)', value: 'none' },
					{ name: 'TikTok', value: 'tiktok' },
					{ name: 'YouTube', value: 'youtube' },
				],
				default: 'tiktok',
				description: 'Apply this platform’s spec, caption tone and text rules to outbox posts',
				displayOptions: { show: { operation: ['publish'], platforms: ['outbox'] } },
			},
			{
				displayName: 'Blotato Posts To',
				name: 'blotatoTarget',
				type: 'options',
				options: SOCIAL_OPTIONS,
				default: 'tiktok',
				displayOptions: { show: { operation: ['publish'], platforms: ['blotato'] } },
			},
			{
				displayName: 'YouTube Format',
				name: 'youtubeFormat',
				type: 'options',
				options: [
					{ name: 'Long-Form (16:9)', value: 'long' },
					{ name: 'Short (Vertical, Up to 3 Min)', value: 'shorts' },
				],
				default: 'shorts',
				displayOptions: { show: { operation: ['publish'], platforms: ['youtube'] } },
			},
			{ displayName: 'Max Posts', name: 'maxPosts', type: 'number', typeOptions: { minValue: 1, maxValue: 1000 }, default: 10, description: 'Max number of posts per run', displayOptions: ops(['publishDue', 'checkStatus', 'fetchMetrics']) },
			{ displayName: 'Lease Seconds', name: 'leaseSeconds', type: 'number', typeOptions: { minValue: 30, maxValue: 86400 }, default: 900, description: 'How long a claimed due post is reserved for this run', displayOptions: ops(['publishDue']) },
			{
				displayName: 'Min Seconds Between Fetches',
				name: 'minAgeSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3000,
				description: 'Skip posts whose metrics were fetched more recently than this',
				displayOptions: ops(['fetchMetrics']),
			},
			{ ...mediaFolderProperty, displayOptions: ops(['publish', 'publishDue']) },
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const owner = `n8n:${this.getExecutionId()}:${this.getNode().id}`;
		return executePerItem(this, async (store, i) => {
			const operation = operationOf(this, i, OPERATIONS);
			const deps = await depsFor(this, store, i, owner, operation);
			const platforms = (this.getNodeParameter('platforms', i, []) as string[]) ?? [];
			const maxPosts = this.getNodeParameter('maxPosts', i, 10) as number;
			if (operation === 'publishDue') {
				return (await publishDue(deps, { maxPosts, leaseSeconds: this.getNodeParameter('leaseSeconds', i, 900) as number })) as IDataObject[];
			}
			if (operation === 'checkStatus') return (await checkStatus(deps, { platforms, limit: maxPosts })) as IDataObject[];
			if (operation === 'fetchMetrics') {
				return (await fetchMetrics(deps, {
					platforms,
					campaignId: (this.getNodeParameter('campaignId', i, '') as string) || undefined,
					limit: maxPosts,
					minAgeSeconds: this.getNodeParameter('minAgeSeconds', i, 3000) as number,
				})) as IDataObject[];
			}
			const platformPostId = String(this.getNodeParameter('platformPostId', i, '') ?? '').trim();
			if (platformPostId) return (await publishPost(deps, platformPostId)) as IDataObject;
			const o = this.getNodeParameter('captionOverrides', i, {}) as Record<string, string>;
			const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
			const emulate = this.getNodeParameter('outboxEmulates', i, 'tiktok') as string;
			const scheduleAt = this.getNodeParameter('scheduleAt', i, '') as string;
			return (await broadcastVideo(deps, {
				videoId: (this.getNodeParameter('videoId', i, '') as string) || undefined,
				filePath: (this.getNodeParameter('filePath', i, '') as string) || undefined,
				campaignId: (this.getNodeParameter('campaignId', i, '') as string) || undefined,
				variantId: (this.getNodeParameter('variantId', i, '') as string) || undefined,
				targets: platforms.map((platform) => ({
					platform: platform as PublishPlatform,
					accountId: (this.getNodeParameter('accountId', i, '') as string) || undefined,
					emulate: platform === 'outbox' && emulate !== 'none' ? (emulate as SocialPlatform) : undefined,
					targetPlatform: platform === 'blotato' ? (this.getNodeParameter('blotatoTarget', i, 'tiktok') as SocialPlatform) : undefined,
					youtubeFormat: platform === 'youtube' ? (this.getNodeParameter('youtubeFormat', i, 'shorts') as YouTubeFormat) : undefined,
				})),
				scheduleAt: scheduleAt || undefined,
				gate: this.getNodeParameter('publishGate', i, 'pass') as PublishGate,
				caption: { caption: o.caption || undefined, hashtags: list(o.hashtags), title: o.title || undefined },
				hashtags: list(o.brandHashtags),
				campaignPlatformsOnly: this.getNodeParameter('campaignPlatformsOnly', i, false) as boolean,
			})) as IDataObject[];
		});
	}
}

/** Store, publishers from the credentials, the caption LLM (metered against the campaign). */
async function depsFor(ctx: IExecuteFunctions, store: Store, i: number, owner: string, operation: string): Promise<BroadcastDeps> {
	const media = mediaFolder(ctx, i);
	const outboxDir = String(ctx.getNodeParameter('outboxFolder', i, '') ?? '').trim() || join(dirname(media), 'outbox');
	const publisherFor = async (target: PublisherTarget): Promise<Publisher> => {
		if (target.platform === 'outbox') return createPublisher({ platform: 'outbox', outboxDir, emulate: target.emulate, specOverrides: target.specOverrides });
		const type = CREDENTIAL[target.platform];
		let c: Record<string, string>;
		try {
			c = (await ctx.getCredentials(type, i)) as Record<string, string>;
		} catch {
			throw new NodeOperationError(ctx.getNode(), `Publishing to ${target.platform} needs its credential: select one under Credentials`, { itemIndex: i });
		}
		return createPublisher({
			platform: target.platform,
			accessToken: c.accessToken || c.apiKey,
			baseUrl: c.baseUrl || undefined,
			igUserId: c.igUserId || undefined,
			authorUrn: c.authorUrn || undefined,
			linkedinVersion: c.linkedinVersion || undefined,
			accountId: c.accountId || undefined,
			targetPlatform: target.targetPlatform,
			specOverrides: target.specOverrides,
		});
	};
	let llm: BroadcastDeps['llm'];
	let judgeCaption: BroadcastDeps['judgeCaption'];
	if (operation === 'publish' && !String(ctx.getNodeParameter('platformPostId', i, '') ?? '').trim()) {
		const videoId = (ctx.getNodeParameter('videoId', i, '') as string) || '';
		const campaignId = videoId ? ((await store.broadcastSource(videoId)).campaign_id as string) : (ctx.getNodeParameter('campaignId', i, '') as string);
		const meter = meterFor(ctx, store, i, campaignId, 'broadcaster', 'caption');
		llm = await llmFor(ctx, i, meter);
		if (ctx.getNodeParameter('judgeCaptions', i, true) && meter) {
			judgeCaption = captionJudgeFor({ store, moderation: await moderationFor(ctx, i), embedder: await embedderFor(ctx, i, { meter }) });
		}
	}
	const publicBase = ['publish', 'publishDue'].includes(operation) ? String(ctx.getNodeParameter('publicMediaUrl', i, '') ?? '').trim() : '';
	const publicUrlOf = publicBase ? publicMediaUrl(publicBase, media) : undefined;
	return { store, owner, mediaDir: media, llm, publisherFor, judgeCaption, publicUrlOf };
}
