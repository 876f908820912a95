import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Anthropic (Claude) for Brand Infinity's structured LLM calls. */
export class BrandInfinityAnthropicApi implements ICredentialType {
	name = 'brandInfinityAnthropicApi';

	displayName = 'Brand Infinity Anthropic API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://api.anthropic.com' },
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-api-key': '={{$credentials.apiKey}}', 'anthropic-version': '2023-06-01' } },
	};

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v1/models' } };
}
