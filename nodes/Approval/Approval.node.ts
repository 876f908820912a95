import { createReadStream } from 'node:fs';

import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { parseJsonField } from '../../lib/domain/json';
import { APPROVAL_ENTITIES, requestApproval, type ApprovalEntity } from '../../lib/approvals/service';
import { approvalEndpoint, approvalNotice, decideFromForm, showApprovalPage } from '../../lib/approvals/webhook';
import type { Json } from '../../lib/store/store';
import { borrowStore } from '../../lib/store';
import { errorJson, STORE_CREDENTIAL, storeConfigFromCredential, testStoreCredential, toNodeError, unsupportedOperation } from '../shared/store';

const APPROVALS_CREDENTIAL = 'brandInfinityApprovalsApi';
const ops = (operation: string[]) => ({ show: { operation } });
const OPERATIONS = ['decide', 'expireOverdue', 'request', 'showPage'];

/** The outputs of each operation (evaluated by n8n in the editor; keep it self-contained). */
const configuredOutputs = (parameters: { operation?: string }) => {
	if (parameters.operation === 'decide') {
		return [
			{ type: 'main', displayName: 'Approved' },
			{ type: 'main', displayName: 'Rejected' },
			{ type: 'main', displayName: 'Refused' },
		];
	}
	if (parameters.operation === 'showPage') {
		return [
			{ type: 'main', displayName: 'Page' },
			{ type: 'main', displayName: 'Media' },
		];
	}
	return [{ type: 'main' }];
};

async function testApprovalsCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		approvalEndpoint(credential.data ?? {});
		return { status: 'OK', message: 'The secret is long enough and the URLs are valid' };
	} catch (err) {
		return { status: 'Error', message: err instanceof Error ? err.message : String(err) };
	}
}

/** Reads a field of the incoming item by dotted path (e.g. "body", "query"). */
function fieldOf(json: IDataObject, path: string): unknown {
	return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), json);
}

export class Approval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Brand Infinity Approval',
		name: 'approval',
		icon: { light: 'file:approval.svg', dark: 'file:approval.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Durable human approvals: signed single-use links, the approval page, and the decision that starts the next pillar',
		defaults: { name: 'Approval' },
		// Not usableAsTool: an AI agent must not call this node (it records human decisions).
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [
			{ name: 'brandInfinityStoreApi', required: true, testedBy: 'brandInfinityStoreTest' },
			{ name: 'brandInfinityApprovalsApi', required: true, testedBy: 'brandInfinityApprovalsTest' },
		],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Decide',
						value: 'decide',
						description: 'Record the decision posted by the approval page (single use); outputs Approved, Rejected or Refused',
						action: 'Record a decision from the approval page',
					},
					{
						name: 'Expire Overdue',
						value: 'expireOverdue',
						description: 'Mark pending approvals past their expiry as expired (run it from a Schedule Trigger)',
						action: 'Expire overdue approvals',
					},
					{
						name: 'Request',
						value: 'request',
						description: 'Store a pending approval of an asset and create its signed, single-use link',
						action: 'Request an approval',
					},
					{
						name: 'Show Page',
						value: 'showPage',
						description: 'Build the approval page (or stream its video) for a GET on the approval webhook',
						action: 'Show the approval page',
					},
				],
				default: 'request',
			},

			// request
			{
				displayName: 'Asset Type',
				name: 'entity',
				type: 'options',
				options: [
					{ name: 'Creative Brief', value: 'creative_brief' },
					{ name: 'Platform Post', value: 'platform_post' },
					{ name: 'Script', value: 'script' },
					{ name: 'Video', value: 'video' },
				],
				default: 'script',
				displayOptions: ops(['request']),
			},
			{
				displayName: 'Asset ID',
				name: 'entityId',
				type: 'string',
				default: '',
				required: true,
				placeholder: '00000000-0000-0000-0000-000000000000',
				description: 'The brief, script, video or post to approve',
				displayOptions: ops(['request']),
			},
			{
				displayName: 'Link Lifetime (Seconds)',
				name: 'ttlSeconds',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 2592000 },
				default: 0,
				description: "How long the link works, 60 s to 30 days; 0 uses the credential's lifetime",
				displayOptions: ops(['request']),
			},
			{
				displayName: 'Options',
				name: 'requestOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: ops(['request']),
				options: [
					{ displayName: 'Actor', name: 'actor', type: 'string', default: '', description: 'Who asks, for the audit trail' },
					{
						displayName: 'Context (JSON)',
						name: 'context',
						type: 'json',
						default: '{}',
						description: 'An object handed back with the decision (e.g. the workflow that asked)',
					},
					{
						displayName: 'Notify',
						name: 'notify',
						type: 'boolean',
						default: true,
						description: "Whether to POST the new link to the credential's notification webhook (when one is set)",
					},
					{
						displayName: 'Replace a Pending Link',
						name: 'supersede',
						type: 'boolean',
						default: false,
						description: 'Whether a live approval of the same asset is cancelled (its link stops working) instead of failing',
					},
				],
			},

			// show page / decide
			{
				displayName: 'Query Field',
				name: 'queryField',
				type: 'string',
				default: 'query',
				description: 'Where the incoming item (a Webhook node, GET) holds the query parameters approval, token and media',
				displayOptions: ops(['showPage']),
			},
			{
				displayName: 'Form Field',
				name: 'formField',
				type: 'string',
				default: 'body',
				description: 'Where the incoming item (a Webhook node, POST) holds the posted form: approval, token, decision, feedback',
				displayOptions: ops(['decide']),
			},
			{
				displayName: 'Actor',
				name: 'actor',
				type: 'string',
				default: '',
				description: 'Who decides, for the audit trail (e.g. from the webhook\'s authentication); empty: "approval-link"',
				displayOptions: ops(['decide']),
			},

			// expire
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 50,
				description: 'Max number of results to return',
				displayOptions: ops(['expireOverdue']),
			},
		],
	};

	methods = { credentialTest: { brandInfinityStoreTest: testStoreCredential, brandInfinityApprovalsTest: testApprovalsCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		if (!OPERATIONS.includes(operation)) throw unsupportedOperation(this.getNode(), operation, OPERATIONS);
		const outputs: INodeExecutionData[][] = Array.from({ length: configuredOutputs({ operation }).length }, () => []);
		// continueOnFail error items go where the webhook answers a failure: Refused (decide), Page (show page).
		const errorOutput = operation === 'decide' ? 2 : 0;

		let endpoint: ReturnType<typeof approvalEndpoint>;
		try {
			endpoint = approvalEndpoint(await this.getCredentials(APPROVALS_CREDENTIAL));
		} catch (err) {
			throw new NodeOperationError(this.getNode(), err instanceof Error ? err.message : String(err), {
				description: 'Check the Brand Infinity Approvals credential.',
			});
		}
		const { store, release } = await borrowStore(storeConfigFromCredential(await this.getCredentials(STORE_CREDENTIAL))).catch((err: unknown) => {
			throw new NodeOperationError(this.getNode(), err instanceof Error ? err.message : String(err), {
				description: 'Check the Brand Infinity Store credential.',
			});
		});
		try {
			for (let i = 0; i < items.length; i++) {
				const pairedItem = { item: i };
				try {
					if (operation === 'request') {
						const options = this.getNodeParameter('requestOptions', i, {}) as IDataObject;
						const ttl = this.getNodeParameter('ttlSeconds', i, 0) as number;
						const context = options.context === undefined || options.context === '' ? null : parseJsonField(options.context, 'context');
						const entity = this.getNodeParameter('entity', i) as ApprovalEntity;
						if (!APPROVAL_ENTITIES.includes(entity)) throw new NodeOperationError(this.getNode(), `Unknown asset type "${entity}"`, { itemIndex: i });
						const request = await requestApproval(store, {
							entity,
							entityId: String(this.getNodeParameter('entityId', i)).trim(),
							ttlSeconds: ttl > 0 ? ttl : endpoint.ttlSeconds,
							baseUrl: endpoint.publicUrl,
							secret: endpoint.secret,
							actor: (options.actor as string) || `n8n:${this.getNode().name}`,
							context: (context && typeof context === 'object' && Object.keys(context).length ? context : undefined) as Json | undefined,
							supersede: options.supersede === true,
						});
						const json: IDataObject = { ...request, notified: false };
						if (endpoint.notifyUrl && options.notify !== false) {
							// The approval is stored either way; a failed notice is reported, not fatal.
							try {
								await this.helpers.httpRequestWithAuthentication.call(this, APPROVALS_CREDENTIAL, {
									method: 'POST',
									url: endpoint.notifyUrl,
									body: approvalNotice(request),
									json: true,
									timeout: 15_000,
								});
								json.notified = true;
							} catch (err) {
								json.notify_error = err instanceof Error ? err.message : String(err);
							}
						}
						outputs[0].push({ json, pairedItem });
					} else if (operation === 'expireOverdue') {
						const result = await store.expireApprovals(this.getNodeParameter('limit', i, 50) as number);
						outputs[0].push({ json: result as unknown as IDataObject, pairedItem });
					} else if (operation === 'showPage') {
						const query = fieldOf(items[i].json, this.getNodeParameter('queryField', i, 'query') as string);
						const answer = await showApprovalPage(store, query, endpoint);
						if (answer.kind === 'media') {
							const { path, ...json } = answer;
							const binary = await this.helpers.prepareBinaryData(createReadStream(path), answer.file_name, answer.content_type);
							outputs[1].push({ json: json as unknown as IDataObject, binary: { data: binary }, pairedItem });
						} else {
							outputs[0].push({ json: { ...answer, refused: answer.kind === 'refused' } as unknown as IDataObject, pairedItem });
						}
					} else {
						const body = fieldOf(items[i].json, this.getNodeParameter('formField', i, 'body') as string);
						const actor = (this.getNodeParameter('actor', i, '') as string) || null;
						const answer = await decideFromForm(store, body, { ...endpoint, actor });
						if (answer.kind === 'refused') {
							outputs[2].push({ json: { ...answer, refused: true } as unknown as IDataObject, pairedItem });
						} else {
							const { result, ...page } = answer;
							outputs[answer.kind === 'approved' ? 0 : 1].push({ json: { ...result, ...page } as unknown as IDataObject, pairedItem });
						}
					}
				} catch (err) {
					if (this.continueOnFail()) {
						outputs[errorOutput].push({ json: errorJson(err), pairedItem });
						continue;
					}
					throw toNodeError(this, err, i);
				}
			}
		} finally {
			release();
		}
		return outputs;
	}
}
