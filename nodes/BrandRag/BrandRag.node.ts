import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { ingestMediaBytes, ingestMediaFolder, ingestMediaRequest } from '../../lib/library/ingest';
import { documentText } from '../../lib/strategy/documents';
import { brandAlignment } from '../../lib/strategy/brief';
import { generateBrief, ingestGuidelines, queryGuidelines, type BrandRagDeps } from '../../lib/strategy/brand-rag';
import type { Store } from '../../lib/store';
import { meterFor } from '../shared/meter';
import { embedderFor, embeddingProperty, llmFor, llmProperties, mediaDescriberFor, vectorStoreFor, vectorStoreProperty } from '../shared/providers';
import { mediaFolder, mediaFolderProperty } from '../shared/media';
import { executePerItem, handlerFor, testStoreCredential } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });
const VECTOR_OPS = ['ingest', 'query', 'scoreAlignment', 'generateBrief'];

const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Generate Brief', value: 'generateBrief', action: 'Generate a creative brief from a campaign request' },
			{ name: 'Ingest Guidelines', value: 'ingest', action: 'Ingest a brand guideline document' },
			{ name: 'Ingest Media', value: 'ingestMedia', action: 'Add media to the brand library' },
			{ name: 'Query Guidelines', value: 'query', action: 'Find the brand guidelines closest to a question' },
			{ name: 'Record Competitor Ad', value: 'recordCompetitorAd', action: 'Record a competitor ad and its patterns' },
			{ name: 'Record Trend', value: 'recordTrend', action: 'Record a trending topic' },
			{ name: 'Score Brand Alignment', value: 'scoreAlignment', action: 'Score how well a text fits the brand' },
		],
		default: 'generateBrief',
	},
	{
		displayName: 'Brand ID',
		name: 'brandId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: ops(['ingest', 'ingestMedia', 'query', 'scoreAlignment']),
	},

	// ingest media (issue 11: the brand media library)
	{
		displayName: 'Media From',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Request (File URLs)', value: 'request', description: 'A JSON body whose files list gives each file as a URL with an optional kind, tags, description, licence and attribution; each URL is downloaded SSRF-safely' },
			{ name: 'Binary Files of the Item', value: 'binary', description: 'Every binary field of the input item (e.g. a form upload)' },
			{ name: 'Folder on This Server', value: 'folder', description: 'A folder on the n8n server with its manifest file (see the README)' },
		],
		default: 'request',
		displayOptions: ops(['ingestMedia']),
	},
	{ displayName: 'Request (JSON)', name: 'mediaRequest', type: 'json', default: '={{ JSON.stringify($json.body ?? $json) }}', displayOptions: { show: { operation: ['ingestMedia'], mediaSource: ['request'] } } },
	{ displayName: 'Folder', name: 'mediaFolderPath', type: 'string', default: '', required: true, placeholder: '/data/brand/media', displayOptions: { show: { operation: ['ingestMedia'], mediaSource: ['folder'] } } },
	{ displayName: 'Tags', name: 'mediaTags', type: 'string', default: '', placeholder: 'product, shoe', description: 'Comma-separated tags for the binary files', displayOptions: { show: { operation: ['ingestMedia'], mediaSource: ['binary'] } } },
	{ displayName: 'Default Licence', name: 'defaultLicence', type: 'string', default: '', placeholder: 'Owned by the brand', description: 'Licence or rights statement for files that give none (a file with neither is refused)', displayOptions: ops(['ingestMedia']) },
	{ displayName: 'Max File Size (MB)', name: 'maxMegabytes', type: 'number', typeOptions: { minValue: 1 }, default: 512, displayOptions: ops(['ingestMedia']) },
	{ displayName: 'Allow Private Network Downloads', name: 'allowPrivateNetwork', type: 'boolean', default: false, description: 'Whether file URLs may point at private or loopback addresses (only for self-hosted servers and tests)', displayOptions: { show: { operation: ['ingestMedia'], mediaSource: ['request'] } } },
	{ ...mediaFolderProperty, displayOptions: ops(['ingestMedia']) },

	// ingest
	{ displayName: 'Document ID', name: 'documentId', type: 'string', default: '', required: true, placeholder: 'brand-book.md', description: 'Re-ingesting the same document ID replaces its chunks', displayOptions: ops(['ingest']) },
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		options: [
			{ name: 'Text Field', value: 'text' },
			{ name: 'Binary File (Text, Markdown or PDF)', value: 'binary' },
		],
		default: 'text',
		displayOptions: ops(['ingest']),
	},
	{ displayName: 'Text', name: 'text', type: 'string', typeOptions: { rows: 8 }, default: '', displayOptions: { show: { operation: ['ingest'], source: ['text'] } } },
	{ displayName: 'Input Binary Field', name: 'binaryPropertyName', type: 'string', default: 'data', displayOptions: { show: { operation: ['ingest'], source: ['binary'] } } },
	{ displayName: 'Chunk Size', name: 'chunkSize', type: 'number', typeOptions: { minValue: 100, maxValue: 8000 }, default: 800, description: 'Characters per chunk', displayOptions: ops(['ingest']) },
	{ displayName: 'Chunk Overlap', name: 'overlap', type: 'number', typeOptions: { minValue: 0 }, default: 120, description: 'Characters carried over from the previous chunk', displayOptions: ops(['ingest']) },

	// query
	{ displayName: 'Query', name: 'query', type: 'string', default: '', required: true, displayOptions: ops(['query']) },
	{ displayName: 'Top K', name: 'topK', type: 'number', typeOptions: { minValue: 1, maxValue: 50 }, default: 5, displayOptions: ops(['query']) },
	{ displayName: 'Minimum Similarity', name: 'minSimilarity', type: 'number', typeOptions: { minValue: -1, maxValue: 1, numberPrecision: 2 }, default: 0, displayOptions: ops(['query']) },
	{ displayName: 'Cache Minutes', name: 'cacheMinutes', type: 'number', typeOptions: { minValue: 0 }, default: 60, description: 'How long a guideline query is answered from the cache (0: never)', displayOptions: ops(['query', 'generateBrief']) },

	// score
	{ displayName: 'Text to Score', name: 'scoreText', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, displayOptions: ops(['scoreAlignment']) },

	// brief
	{
		displayName: 'Campaign Request (JSON)',
		name: 'campaignRequest',
		type: 'json',
		default: '={{ JSON.stringify($json.body ?? $json) }}',
		description: 'Fields: product_category, target_demographic, campaign_objective (awareness|conversion|engagement), budget_tier (premium|standard|volume), brand_ID',
		displayOptions: ops(['generateBrief']),
	},
	{ displayName: 'Campaign ID', name: 'campaignId', type: 'string', default: '', description: 'The campaign the brief and its costs belong to (needed for paid LLMs)', displayOptions: ops(['generateBrief']) },
	{ displayName: 'Create Campaign', name: 'createCampaign', type: 'boolean', default: true, description: 'Whether to create the campaign (name and budget_limit_usd from the request) when no campaign ID is given, after the request is validated', displayOptions: { show: { operation: ['generateBrief'], campaignId: [''] } } },
	{ displayName: 'Alignment Threshold', name: 'alignmentThreshold', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.85, description: 'Briefs at or above it proceed; below it they wait for a person', displayOptions: ops(['generateBrief']) },
	{ displayName: 'Approve Briefs That Pass the Gate', name: 'autoApprove', type: 'boolean', default: false, description: 'Whether a brief at or above the threshold is approved at once instead of waiting for a person', displayOptions: ops(['generateBrief']) },
	...llmProperties(ops(['generateBrief', 'ingestMedia']), {
		fallbackDisplayOptions: ops(['generateBrief']),
		description:
			'Which model writes the brief, and (Ingest Media) describes each image and a frame of each clip in one sentence: OpenAI or Anthropic, costs recorded against the brand. Local: deterministic templates, and descriptions from file names and tags (offline, free).',
	}),

	// trend / competitor
	{ displayName: 'Topic', name: 'topic', type: 'string', default: '', required: true, displayOptions: ops(['recordTrend']) },
	{ displayName: 'Source', name: 'trendSource', type: 'string', default: '', required: true, placeholder: 'tiktok', displayOptions: ops(['recordTrend']) },
	{
		displayName: 'Trend Fields',
		name: 'trendFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: ops(['recordTrend']),
		options: [
			{ displayName: 'Category', name: 'category', type: 'string', default: '' },
			{ displayName: 'Engagement Score', name: 'engagement_score', type: 'number', default: 0 },
			{ displayName: 'Source URL', name: 'source_url', type: 'string', default: '' },
		],
	},
	{ displayName: 'Competitor Name', name: 'competitorName', type: 'string', default: '', required: true, displayOptions: ops(['recordCompetitorAd']) },
	{ displayName: 'Platform', name: 'platform', type: 'string', default: '', required: true, placeholder: 'instagram', displayOptions: ops(['recordCompetitorAd']) },
	{
		displayName: 'Ad Fields',
		name: 'adFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: ops(['recordCompetitorAd']),
		options: [
			{ displayName: 'Ad URL', name: 'ad_url', type: 'string', default: '' },
			{ displayName: 'Brand ID', name: 'brand_id', type: 'string', default: '', description: 'The brand this competitor matters to (empty: all brands)' },
			{ displayName: 'Engagement Metrics (JSON)', name: 'engagement_metrics', type: 'json', default: '{}' },
			{ displayName: 'Patterns (JSON)', name: 'patterns', type: 'json', default: '{}', description: 'Hook structure, visual style, timing…' },
		],
	},

	embeddingProperty(ops([...VECTOR_OPS, 'ingestMedia'])),
	vectorStoreProperty(ops(VECTOR_OPS)),
];

const str = (ctx: IExecuteFunctions, name: string, i: number) => String(ctx.getNodeParameter(name, i, '') ?? '').trim();

async function ragDeps(ctx: IExecuteFunctions, store: Store, i: number, brandId: string, campaignId?: string): Promise<BrandRagDeps> {
	const meter = meterFor(ctx, store, i, campaignId, 'strategist', 'embed');
	const charge = meter ? { meter } : { store, brandId };
	return {
		store,
		embedder: await embedderFor(ctx, i, charge),
		vectors: await vectorStoreFor(ctx, i),
		cacheTtlMs: (ctx.getNodeParameter('cacheMinutes', i, 60) as number) * 60_000,
	};
}

type Handler = (this: IExecuteFunctions, store: Store, i: number) => Promise<IDataObject | IDataObject[]>;

const handlers: Record<string, Handler> = {
	ingestMedia: async function (store, i) {
		const brandId = str(this, 'brandId', i);
		const deps = {
			store,
			embedder: await embedderFor(this, i, { store, brandId }),
			mediaDir: mediaFolder(this, i),
			...(await mediaDescriberFor(this, i, { store, brandId })),
		};
		const maxBytes = Math.round((this.getNodeParameter('maxMegabytes', i, 512) as number) * 1024 * 1024);
		const defaultLicence = str(this, 'defaultLicence', i) || undefined;
		const source = this.getNodeParameter('mediaSource', i) as string;
		let result;
		if (source === 'folder') {
			result = await ingestMediaFolder(deps, { brandId, folder: str(this, 'mediaFolderPath', i), maxBytes });
		} else if (source === 'binary') {
			const binary = this.getInputData()[i].binary ?? {};
			const tags = str(this, 'mediaTags', i).split(',').map((t) => t.trim()).filter(Boolean);
			const files = await Promise.all(Object.keys(binary).map(async (field) => ({ name: binary[field].fileName || field, bytes: await this.helpers.getBinaryDataBuffer(i, field), tags })));
			result = await ingestMediaBytes(deps, { brandId, files, defaultLicence, maxBytes });
		} else {
			const request = parseJsonField(this.getNodeParameter('mediaRequest', i), 'mediaRequest');
			result = await ingestMediaRequest(deps, { brandId, request, defaultLicence, maxBytes, allowPrivateNetwork: this.getNodeParameter('allowPrivateNetwork', i, false) as boolean });
		}
		return { ...result, ingested_count: result.ingested.length, duplicate_count: result.duplicates.length } as unknown as IDataObject;
	},
	ingest: async function (store, i) {
		const brandId = str(this, 'brandId', i);
		let text: string;
		if (this.getNodeParameter('source', i) === 'binary') {
			const property = str(this, 'binaryPropertyName', i);
			const meta = this.helpers.assertBinaryData(i, property);
			text = await documentText(await this.helpers.getBinaryDataBuffer(i, property), meta.mimeType, meta.fileName);
		} else {
			text = this.getNodeParameter('text', i) as string;
		}
		return ingestGuidelines(await ragDeps(this, store, i, brandId), {
			brandId,
			documentId: str(this, 'documentId', i),
			text,
			chunkSize: this.getNodeParameter('chunkSize', i) as number,
			overlap: this.getNodeParameter('overlap', i) as number,
		}) as Promise<IDataObject>;
	},
	query: async function (store, i) {
		const brandId = str(this, 'brandId', i);
		const result = await queryGuidelines(await ragDeps(this, store, i, brandId), {
			brandId,
			query: str(this, 'query', i),
			topK: this.getNodeParameter('topK', i) as number,
			minSimilarity: this.getNodeParameter('minSimilarity', i) as number,
		});
		return { ...result, matches: result.matches as unknown as IDataObject[] };
	},
	scoreAlignment: async function (store, i) {
		const brandId = str(this, 'brandId', i);
		const deps = await ragDeps(this, store, i, brandId);
		const text = str(this, 'scoreText', i);
		const brand = await store.getBrand(brandId);
		const { matches } = await queryGuidelines(deps, { brandId, query: text, topK: 5 });
		return brandAlignment({ text, brand: brand as never, guidelines: matches, embedder: deps.embedder }) as unknown as Promise<IDataObject>;
	},
	generateBrief: async function (store, i) {
		const request = parseJsonField(this.getNodeParameter('campaignRequest', i), 'campaign_request') as IDataObject;
		const brandId = String(request?.brand_id ?? '');
		const campaignId = str(this, 'campaignId', i) || undefined;
		const deps = {
			...(await ragDeps(this, store, i, brandId, campaignId)),
			llmFor: (campaign: string | null) => llmFor(this, i, meterFor(this, store, i, campaign, 'strategist', 'llm')),
		};
		return generateBrief(deps, request, {
			campaignId,
			createCampaign: this.getNodeParameter('createCampaign', i, true) as boolean,
			alignmentThreshold: this.getNodeParameter('alignmentThreshold', i) as number,
			autoApprove: this.getNodeParameter('autoApprove', i) as boolean,
			actor: `n8n:${this.getNode().name}`,
		}) as Promise<IDataObject>;
	},
	recordTrend: async function (store, i) {
		const fields = this.getNodeParameter('trendFields', i, {}) as IDataObject;
		return store.recordTrend({ topic: str(this, 'topic', i), source: str(this, 'trendSource', i), ...fields }) as Promise<IDataObject>;
	},
	recordCompetitorAd: async function (store, i) {
		const fields = this.getNodeParameter('adFields', i, {}) as IDataObject;
		return store.recordCompetitorAd({
			competitor_name: str(this, 'competitorName', i),
			platform: str(this, 'platform', i),
			ad_url: fields.ad_url || undefined,
			brand_id: fields.brand_id || undefined,
			engagement_metrics: parseJsonField(fields.engagement_metrics, 'engagement_metrics'),
			patterns: parseJsonField(fields.patterns, 'patterns'),
		}) as Promise<IDataObject>;
	},
};

export class BrandRag implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Brand RAG',
		name: 'brandRag',
		icon: { light: 'file:brandRag.svg', dark: 'file:brandRag.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Brand guidelines as searchable knowledge, trends, competitor ads, and creative briefs grounded on them',
		defaults: { name: 'Brand RAG' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityOpenAiApi', required: false },
			{ name: 'brandInfinityAnthropicApi', required: false, displayOptions: { show: { llmProvider: ['anthropic'] } } },
			{ name: 'brandInfinityOpenAiCompatibleApi', required: false, displayOptions: { show: { llmProvider: ['openai_compatible'] } } },
			{ name: 'brandInfinityPineconeApi', required: false, displayOptions: { show: { vectorStore: ['pinecone'] } } },
		],
		properties,
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => handlerFor(this.getNode(), handlers, this.getNodeParameter('operation', i) as string, i).call(this, store, i));
	}
}
