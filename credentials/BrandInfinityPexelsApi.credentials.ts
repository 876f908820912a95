import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Pexels (free stock video and photos) for Brand Infinity's stock generator. */
export class BrandInfinityPexelsApi implements ICredentialType {
	name = 'brandInfinityPexelsApi';

	displayName = 'Brand Infinity Pexels API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#brand-media-library-and-stock-footage';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true, description: 'A free key from pexels.com/api' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://api.pexels.com' },
	];

	// Pexels takes the key itself in Authorization, with no scheme.
	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v1/search', qs: { query: 'running', per_page: 1 } } };
}
