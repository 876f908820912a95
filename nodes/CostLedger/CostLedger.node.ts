import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseUsd } from '../../lib/domain/money';
import { estimateCost, parsePriceOverrides, type UsageQuantities } from '../../lib/pricing/price-table';
import { COST_TYPES, PILLARS, type CostType, type Pillar, type Store } from '../../lib/store';
import { executePerItem, handlerFor, testStoreCredential } from '../shared/store';

const ops = (operation: string[]) => ({ show: { operation } });
const title = (v: string) => v.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());

const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Budget Status', value: 'budgetStatus', action: 'Get committed reserved and remaining budget' },
			{ name: 'Estimate', value: 'estimate', action: 'Estimate the cost of a call from the price table' },
			{ name: 'Record', value: 'record', action: 'Record a cost that was already incurred' },
			{ name: 'Release', value: 'release', action: 'Release a reservation that will not be spent' },
			{ name: 'Reserve', value: 'reserve', action: 'Reserve budget before a paid call' },
			{ name: 'Settle', value: 'settle', action: 'Settle a reservation with the actual cost' },
			{ name: 'Summary', value: 'summary', action: 'Get costs per pillar and per variant' },
		],
		default: 'estimate',
	},
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: ops(['reserve', 'record', 'budgetStatus', 'summary']),
	},
	{
		displayName: 'Variant ID',
		name: 'variantId',
		type: 'string',
		default: '',
		description: 'Optional: attribute the cost to one variant',
		displayOptions: ops(['reserve', 'record']),
	},
	{
		displayName: 'Pillar',
		name: 'pillar',
		type: 'options',
		options: PILLARS.map((p) => ({ name: title(p), value: p })),
		default: 'production',
		displayOptions: ops(['reserve', 'record']),
	},
	{
		displayName: 'Amount (USD)',
		name: 'amountUsd',
		type: 'string',
		default: '',
		required: true,
		placeholder: '3.20',
		description: 'Exact decimal amount, up to 6 decimal places (an Estimate output\'s amount_usd fits here)',
		displayOptions: ops(['reserve', 'record', 'settle']),
	},
	{
		displayName: 'Reference',
		name: 'ref',
		type: 'string',
		default: '',
		description: 'Idempotency key, e.g. the scene ID: reserving again with the same reference returns the first reservation instead of holding the budget twice',
		displayOptions: ops(['reserve']),
	},
	{
		displayName: 'Reservation ID',
		name: 'reservationId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: ops(['settle', 'release']),
	},
	{
		displayName: 'Cost Type',
		name: 'costType',
		type: 'options',
		options: COST_TYPES.map((c) => ({ name: title(c), value: c })),
		default: 'api_cost',
		displayOptions: ops(['settle', 'record']),
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		displayOptions: ops(['settle', 'record', 'release']),
	},

	// estimate
	{
		displayName: 'Provider',
		name: 'provider',
		type: 'string',
		default: 'gemini',
		required: true,
		description: 'Provider as named in the price table (gemini, openai, elevenlabs, local…)',
		displayOptions: ops(['estimate']),
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: 'veo-3.1-fast-generate-001',
		required: true,
		displayOptions: ops(['estimate']),
	},
	{
		displayName: 'Usage',
		name: 'usage',
		type: 'collection',
		placeholder: 'Add Quantity',
		default: {},
		displayOptions: ops(['estimate']),
		options: [
			{ displayName: 'Audio Output Tokens', name: 'audio_output_tokens', type: 'number', default: 0 },
			{ displayName: 'Characters', name: 'characters', type: 'number', default: 0 },
			{ displayName: 'Images', name: 'images', type: 'number', default: 0 },
			{ displayName: 'Input Tokens', name: 'input_tokens', type: 'number', default: 0 },
			{ displayName: 'Output Tokens', name: 'output_tokens', type: 'number', default: 0 },
			{ displayName: 'Requests', name: 'requests', type: 'number', default: 0 },
			{ displayName: 'Resolution', name: 'resolution', type: 'options', options: [{ name: '720p', value: '720p' }, { name: '1080p', value: '1080p' }, { name: '4K', value: '4k' }], default: '720p' },
			{ displayName: 'Seconds', name: 'seconds', type: 'number', default: 0 },
		],
	},
	{
		displayName: 'Price Overrides (JSON)',
		name: 'priceOverrides',
		type: 'json',
		default: '[]',
		description: 'Extra or corrected prices: [{"provider":"fal","model":"fal-ai/veo3.1/fast","unit":"second","usd":"0.15","per":1}]',
		displayOptions: ops(['estimate']),
	},
];

const optional = (value: unknown): string | undefined => (value === undefined || value === '' ? undefined : String(value));

type Handler = (this: IExecuteFunctions, store: Store, i: number) => Promise<IDataObject | IDataObject[]>;

const handlers: Record<string, Handler> = {
	estimate: async function (_store, i) {
		const { resolution, ...usage } = this.getNodeParameter('usage', i, {}) as IDataObject;
		const estimate = estimateCost(
			{
				provider: this.getNodeParameter('provider', i) as string,
				model: this.getNodeParameter('model', i) as string,
				resolution: optional(resolution),
				usage: usage as UsageQuantities,
			},
			parsePriceOverrides(this.getNodeParameter('priceOverrides', i, '[]'), 'priceOverrides'),
		);
		return { ...estimate, lines: estimate.lines as unknown as IDataObject[] };
	},
	reserve: async function (store, i) {
		return store.reserveBudget({
			campaignId: this.getNodeParameter('campaignId', i) as string,
			variantId: optional(this.getNodeParameter('variantId', i, '')),
			pillar: this.getNodeParameter('pillar', i) as Pillar,
			amount: parseUsd(this.getNodeParameter('amountUsd', i), 'amount_usd'),
			ref: optional(this.getNodeParameter('ref', i, '')),
		}) as Promise<IDataObject>;
	},
	settle: async function (store, i) {
		return store.settleReservation({
			reservationId: this.getNodeParameter('reservationId', i) as string,
			actual: parseUsd(this.getNodeParameter('amountUsd', i), 'amount_usd'),
			costType: this.getNodeParameter('costType', i) as CostType,
			description: optional(this.getNodeParameter('description', i, '')),
		}) as Promise<IDataObject>;
	},
	release: async function (store, i) {
		return store.releaseReservation(
			this.getNodeParameter('reservationId', i) as string,
			optional(this.getNodeParameter('description', i, '')),
		) as Promise<IDataObject>;
	},
	record: async function (store, i) {
		const costType = this.getNodeParameter('costType', i) as CostType;
		return store.recordCost({
			campaignId: this.getNodeParameter('campaignId', i) as string,
			variantId: optional(this.getNodeParameter('variantId', i, '')),
			pillar: this.getNodeParameter('pillar', i) as Pillar,
			costType,
			amount: parseUsd(this.getNodeParameter('amountUsd', i), 'amount_usd', { allowNegative: costType === 'adjustment' }),
			description: optional(this.getNodeParameter('description', i, '')),
		}) as Promise<IDataObject>;
	},
	budgetStatus: async function (store, i) {
		return store.budgetStatus(this.getNodeParameter('campaignId', i) as string) as Promise<IDataObject>;
	},
	summary: async function (store, i) {
		return store.costSummary(this.getNodeParameter('campaignId', i) as string) as Promise<IDataObject>;
	},
};

export class CostLedger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Cost Ledger',
		name: 'costLedger',
		icon: { light: 'file:costLedger.svg', dark: 'file:costLedger.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Estimate, reserve and settle what each paid call costs, against the campaign budget',
		defaults: { name: 'Cost Ledger' },
		// Not usableAsTool: an AI agent must not call this node (it reserves, settles and records money in the ledger).
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' }],
		properties,
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executePerItem(this, async (store, i) => handlerFor(this.getNode(), handlers, this.getNodeParameter('operation', i) as string, i).call(this, store, i));
	}
}
