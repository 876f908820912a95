import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { formatUsd, parseUsd } from '../../lib/domain/money';
import { campaignReport, campaignReportHtml } from '../../lib/reports/campaign-report';
import { campaignProgress } from '../../lib/reports/progress';
import { compareCampaignVariants, ENGAGEMENT_METRICS, type EngagementMetric } from '../../lib/reports/variants';
import { ENTITIES, type Entity, type Store } from '../../lib/store';
import { executePerItem, handlerFor, testStoreCredential } from '../shared/store';

const show = (resource: string, operation: string[]) => ({ show: { resource: [resource], operation } });

const uuidParam = (name: string, displayName: string, resource: string, operation: string[], required = true): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	required,
	placeholder: '00000000-0000-0000-0000-000000000000',
	displayOptions: show(resource, operation),
});

const reportProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['report'] } },
		options: [
			{ name: 'Campaign Report', value: 'campaignReport', action: 'Get the campaign report as JSON and HTML' },
			{ name: 'Compare Variants', value: 'compareVariants', action: 'Compare the engagement of the variants' },
		],
		default: 'campaignReport',
	},
	uuidParam('campaignId', 'Campaign ID', 'report', ['campaignReport', 'compareVariants']),
	{
		displayName: 'Success Metric',
		name: 'metric',
		type: 'options',
		options: ENGAGEMENT_METRICS.map((m) => ({ name: m.charAt(0).toUpperCase() + m.slice(1), value: m })),
		default: 'engagements',
		description: 'What counts as a success out of the views (engagements = likes + shares + comments)',
		displayOptions: show('report', ['campaignReport', 'compareVariants']),
	},
	{
		displayName: 'Significance Level (Alpha)',
		name: 'alpha',
		type: 'number',
		typeOptions: { minValue: 0.001, maxValue: 0.5, numberPrecision: 3 },
		default: 0.05,
		description: 'A difference is significant when the two-sided p-value is below this (0.05 = 95 % confidence)',
		displayOptions: show('report', ['campaignReport', 'compareVariants']),
	},
	{
		displayName: 'Baseline Variant ID',
		name: 'baselineVariantId',
		type: 'string',
		default: '',
		description: 'The variant every other one is compared with (default: the first with views)',
		displayOptions: show('report', ['campaignReport', 'compareVariants']),
	},
	{
		displayName: 'Include HTML',
		name: 'includeHtml',
		type: 'boolean',
		default: true,
		description: 'Whether to add the report as a small HTML page with a cost chart (field "html"), e.g. for a Respond to Webhook or Send Email node',
		displayOptions: show('report', ['campaignReport']),
	},
];

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Asset', value: 'asset' },
			{ name: 'Brand', value: 'brand' },
			{ name: 'Campaign', value: 'campaign' },
			{ name: 'Report', value: 'report', description: 'Variant comparison and the campaign report' },
			{ name: 'Status', value: 'status', description: 'Status of any tracked record, with optimistic concurrency' },
			{ name: 'Variant', value: 'variant' },
		],
		default: 'campaign',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['campaign'] } },
		options: [
			{ name: 'Audit Trail', value: 'auditTrail', action: 'Get the audit trail of a campaign' },
			{ name: 'Create', value: 'create', action: 'Create a campaign' },
			{ name: 'Get', value: 'get', action: 'Get a campaign with its variants assets and budget' },
			{ name: 'Get Many', value: 'getAll', action: 'List campaigns' },
			{ name: 'Progress', value: 'progress', action: 'Get where a campaign is in the pipeline', description: 'The pillar at work, scenes ready, posts published, and what waits for a person' },
			{ name: 'Set Budget', value: 'setBudget', action: 'Change the budget limit of a campaign' },
			{ name: 'Transition', value: 'transition', action: 'Move a campaign to another status' },
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['brand'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a brand' },
			{ name: 'Get', value: 'get', action: 'Get a brand' },
		],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['variant'] } },
		options: [{ name: 'Create', value: 'create', action: 'Create a variant of a campaign' }],
		default: 'create',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['asset'] } },
		options: [{ name: 'Register', value: 'register', action: 'Register an asset of a campaign' }],
		default: 'register',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['status'] } },
		options: [{ name: 'Transition', value: 'transition', action: 'Move a record to another status' }],
		default: 'transition',
	},

	// brand
	{
		displayName: 'Brand Name',
		name: 'brandName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: show('brand', ['create']),
	},
	{
		displayName: 'Brand Fields',
		name: 'brandFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show('brand', ['create']),
		options: [
			{ displayName: 'Color Palette', name: 'palette', type: 'string', default: '', description: 'Comma-separated colours, e.g. #0A2540, #FF6B00' },
			{ displayName: 'Restricted Keywords', name: 'restrictedKeywords', type: 'string', default: '', description: 'Comma-separated words the brand never uses' },
			{ displayName: 'Tone', name: 'tone', type: 'string', default: '' },
			{ displayName: 'Visual Style', name: 'visualStyle', type: 'string', default: '' },
		],
	},
	uuidParam('brandId', 'Brand ID', 'brand', ['get']),

	// campaign
	{
		displayName: 'Campaign Name',
		name: 'campaignName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: show('campaign', ['create']),
	},
	uuidParam('brandId', 'Brand ID', 'campaign', ['create']),
	{
		displayName: 'Budget Limit (USD)',
		name: 'budgetLimitUsd',
		type: 'string',
		default: '',
		placeholder: '250.00',
		description: 'Spending cap of the campaign; empty for no limit. Alerts at 50/75/90 %, paused at 100 %.',
		displayOptions: show('campaign', ['create', 'setBudget']),
	},
	uuidParam('campaignId', 'Campaign ID', 'campaign', ['get', 'auditTrail', 'progress', 'setBudget', 'transition']),
	{
		displayName: 'Expected Version',
		name: 'expectedVersion',
		type: 'number',
		default: 1,
		required: true,
		description: 'The state_version you read; the change fails if someone changed the record since',
		displayOptions: { show: { resource: ['campaign', 'status'], operation: ['transition', 'setBudget'] } },
	},
	{
		displayName: 'To Status',
		name: 'toStatus',
		type: 'options',
		options: [
			{ name: 'Cancelled', value: 'cancelled' },
			{ name: 'Completed', value: 'completed' },
			{ name: 'Draft', value: 'draft' },
			{ name: 'In Production', value: 'in_production' },
			{ name: 'Paused', value: 'paused' },
			{ name: 'Published', value: 'published' },
		],
		default: 'in_production',
		displayOptions: show('campaign', ['transition']),
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show('campaign', ['getAll']),
		options: [
			{ displayName: 'Brand ID', name: 'brandId', type: 'string', default: '' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Cancelled', value: 'cancelled' },
					{ name: 'Completed', value: 'completed' },
					{ name: 'Draft', value: 'draft' },
					{ name: 'In Production', value: 'in_production' },
					{ name: 'Paused', value: 'paused' },
					{ name: 'Published', value: 'published' },
				],
				default: 'draft',
			},
		],
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: show('campaign', ['getAll', 'auditTrail']),
	},

	// variant
	uuidParam('campaignId', 'Campaign ID', 'variant', ['create']),
	{
		displayName: 'Variant Type',
		name: 'variantType',
		type: 'options',
		options: [
			{ name: 'Educational', value: 'educational' },
			{ name: 'Emotional', value: 'emotional' },
			{ name: 'Humorous', value: 'humorous' },
			{ name: 'Serious', value: 'serious' },
		],
		default: 'humorous',
		displayOptions: show('variant', ['create']),
	},
	{
		displayName: 'Links',
		name: 'variantLinks',
		type: 'collection',
		placeholder: 'Add Link',
		default: {},
		displayOptions: show('variant', ['create']),
		options: [
			{ displayName: 'Brief ID', name: 'briefId', type: 'string', default: '' },
			{ displayName: 'Script ID', name: 'scriptId', type: 'string', default: '' },
			{ displayName: 'Video ID', name: 'videoId', type: 'string', default: '' },
		],
	},

	// asset
	uuidParam('campaignId', 'Campaign ID', 'asset', ['register'], false),
	uuidParam('variantId', 'Variant ID', 'asset', ['register'], false),
	{
		displayName: 'Asset Type',
		name: 'assetType',
		type: 'options',
		options: ['audio', 'brief', 'caption', 'clip', 'image', 'other', 'script', 'thumbnail', 'video'].map((v) => ({
			name: v[0].toUpperCase() + v.slice(1),
			value: v,
		})),
		default: 'video',
		displayOptions: show('asset', ['register']),
	},
	{
		displayName: 'Asset URL',
		name: 'assetUrl',
		type: 'string',
		default: '',
		displayOptions: show('asset', ['register']),
	},
	{
		displayName: 'Metadata (JSON)',
		name: 'assetMetadata',
		type: 'json',
		default: '{}',
		displayOptions: show('asset', ['register']),
	},

	// status
	{
		displayName: 'Record Type',
		name: 'entity',
		type: 'options',
		options: ENTITIES.map((e) => ({ name: e.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()), value: e })),
		default: 'creative_brief',
		displayOptions: show('status', ['transition']),
	},
	uuidParam('recordId', 'Record ID', 'status', ['transition']),
	{
		displayName: 'To Status',
		name: 'recordToStatus',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'approved',
		description: 'Allowed moves follow each record type\'s status graph (see the README)',
		displayOptions: show('status', ['transition']),
	},
	{
		displayName: 'Options',
		name: 'transitionOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['campaign', 'status'], operation: ['transition', 'setBudget'] } },
		options: [
			{ displayName: 'Actor', name: 'actor', type: 'string', default: '', description: 'Who makes the change (user ID or e-mail), for the audit trail' },
			{ displayName: 'Reason', name: 'reason', type: 'string', default: '' },
		],
	},
	...reportProperties,
];

const list = (text: unknown): string[] =>
	String(text ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);

const optional = (value: unknown): string | undefined => (value === undefined || value === '' ? undefined : String(value));

/** An optional USD amount as the exact decimal string SQL takes; empty means none. */
function money(value: unknown, field: string): string | null {
	return value === '' || value === undefined || value === null ? null : formatUsd(parseUsd(value, field));
}

function reportOptions(ctx: IExecuteFunctions, i: number) {
	return {
		metric: ctx.getNodeParameter('metric', i) as EngagementMetric,
		alpha: ctx.getNodeParameter('alpha', i) as number,
		baselineVariantId: optional(ctx.getNodeParameter('baselineVariantId', i, '')),
	};
}

type Handler = (this: IExecuteFunctions, store: Store, i: number) => Promise<IDataObject | IDataObject[]>;

const handlers: Record<string, Handler> = {
	'brand:create': async function (store, i) {
		const fields = this.getNodeParameter('brandFields', i, {}) as IDataObject;
		return store.createBrand({
			brand_name: this.getNodeParameter('brandName', i),
			tone: optional(fields.tone),
			visual_style: optional(fields.visualStyle),
			color_palette: list(fields.palette),
			restricted_keywords: list(fields.restrictedKeywords),
		}) as Promise<IDataObject>;
	},
	'brand:get': async function (store, i) {
		return store.getBrand(this.getNodeParameter('brandId', i) as string) as Promise<IDataObject>;
	},
	'campaign:create': async function (store, i) {
		return store.createCampaign({
			campaign_name: this.getNodeParameter('campaignName', i),
			brand_id: this.getNodeParameter('brandId', i),
			budget_limit_usd: money(this.getNodeParameter('budgetLimitUsd', i, ''), 'budget_limit_usd'),
		}) as Promise<IDataObject>;
	},
	'campaign:get': async function (store, i) {
		return store.getCampaign(this.getNodeParameter('campaignId', i) as string) as Promise<IDataObject>;
	},
	'campaign:getAll': async function (store, i) {
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		return store.listCampaigns({
			brand_id: optional(filters.brandId),
			status: optional(filters.status),
			limit: this.getNodeParameter('limit', i, 50) as number,
		}) as Promise<IDataObject[]>;
	},
	'campaign:progress': async function (store, i) {
		return campaignProgress(store, this.getNodeParameter('campaignId', i) as string) as unknown as Promise<IDataObject>;
	},
	'campaign:auditTrail': async function (store, i) {
		return store.auditTrail(this.getNodeParameter('campaignId', i) as string, this.getNodeParameter('limit', i, 50) as number) as Promise<
			IDataObject[]
		>;
	},
	'campaign:setBudget': async function (store, i) {
		const limit = this.getNodeParameter('budgetLimitUsd', i, '');
		const options = this.getNodeParameter('transitionOptions', i, {}) as IDataObject;
		return store.setCampaignBudget(
			this.getNodeParameter('campaignId', i) as string,
			this.getNodeParameter('expectedVersion', i) as number,
			limit === '' ? null : parseUsd(limit, 'budget_limit_usd'),
			optional(options.actor),
		) as Promise<IDataObject>;
	},
	'campaign:transition': async function (store, i) {
		const options = this.getNodeParameter('transitionOptions', i, {}) as IDataObject;
		return store.transition({
			entity: 'campaign',
			id: this.getNodeParameter('campaignId', i) as string,
			expectedVersion: this.getNodeParameter('expectedVersion', i) as number,
			toStatus: this.getNodeParameter('toStatus', i) as string,
			actor: optional(options.actor),
			reason: optional(options.reason),
		}) as Promise<IDataObject>;
	},
	'status:transition': async function (store, i) {
		const options = this.getNodeParameter('transitionOptions', i, {}) as IDataObject;
		return store.transition({
			entity: this.getNodeParameter('entity', i) as Entity,
			id: this.getNodeParameter('recordId', i) as string,
			expectedVersion: this.getNodeParameter('expectedVersion', i) as number,
			toStatus: this.getNodeParameter('recordToStatus', i) as string,
			actor: optional(options.actor),
			reason: optional(options.reason),
		}) as Promise<IDataObject>;
	},
	'variant:create': async function (store, i) {
		const links = this.getNodeParameter('variantLinks', i, {}) as IDataObject;
		return store.createVariant({
			campaign_id: this.getNodeParameter('campaignId', i),
			variant_type: this.getNodeParameter('variantType', i),
			brief_id: optional(links.briefId),
			script_id: optional(links.scriptId),
			video_id: optional(links.videoId),
		}) as Promise<IDataObject>;
	},
	'report:compareVariants': async function (store, i) {
		return compareCampaignVariants(store, this.getNodeParameter('campaignId', i) as string, reportOptions(this, i)) as unknown as Promise<IDataObject>;
	},
	'report:campaignReport': async function (store, i) {
		const report = await campaignReport(store, this.getNodeParameter('campaignId', i) as string, reportOptions(this, i));
		const html = this.getNodeParameter('includeHtml', i) ? campaignReportHtml(report) : undefined;
		return { ...(report as unknown as IDataObject), ...(html === undefined ? {} : { html }) };
	},
	'asset:register': async function (store, i) {
		return store.registerAsset({
			campaign_id: optional(this.getNodeParameter('campaignId', i, '')),
			variant_id: optional(this.getNodeParameter('variantId', i, '')),
			asset_type: this.getNodeParameter('assetType', i),
			asset_url: optional(this.getNodeParameter('assetUrl', i, '')),
			asset_metadata: this.getNodeParameter('assetMetadata', i, {}, { ensureType: 'json' }),
		}) as Promise<IDataObject>;
	},
};

export class Campaign implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Campaign',
		name: 'campaign',
		icon: { light: 'file:campaign.svg', dark: 'file:campaign.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Campaigns, variants, assets and status changes with optimistic concurrency and an audit trail',
		defaults: { name: 'Campaign' },
		// Not usableAsTool: an AI agent must not call this node (it creates campaigns with budgets and moves statuses that the approval gates own).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' }],
		properties,
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => {
			const key = `${this.getNodeParameter('resource', i)}:${this.getNodeParameter('operation', i)}`;
			return handlerFor(this.getNode(), handlers, key, i).call(this, store, i);
		});
	}
}
