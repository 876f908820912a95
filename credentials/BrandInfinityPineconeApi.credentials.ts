import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Pinecone, when brand vectors should live there instead of the store's pgvector. */
export class BrandInfinityPineconeApi implements ICredentialType {
	name = 'brandInfinityPineconeApi';

	displayName = 'Brand Infinity Pinecone API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{
			displayName: 'Index Name',
			name: 'indexName',
			type: 'string',
			default: 'brand-guidelines',
			required: true,
			description: 'A 1536-dimension cosine index; each brand is a namespace',
		},
		{
			displayName: 'Index Host',
			name: 'indexHost',
			type: 'string',
			default: '',
			placeholder: 'https://brand-guidelines-abc123.svc.us-east-1-aws.pinecone.io',
			description: 'Optional: skips the lookup of the index host',
		},
		{ displayName: 'Control Plane URL', name: 'controllerHostUrl', type: 'string', default: 'https://api.pinecone.io' },
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'Api-Key': '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.controllerHostUrl}}', url: '/indexes' } };
}
