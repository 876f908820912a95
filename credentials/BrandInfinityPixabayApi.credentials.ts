import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Pixabay (free stock video and photos) for Brand Infinity's stock generator. */
export class BrandInfinityPixabayApi implements ICredentialType {
	name = 'brandInfinityPixabayApi';

	displayName = 'Brand Infinity Pixabay API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#brand-media-library-and-stock-footage';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true, description: 'A free key from pixabay.com/api/docs' },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://pixabay.com' },
	];

	// Pixabay takes the key as the `key` query parameter.
	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { qs: { key: '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/api/', qs: { q: 'running', per_page: 3 } } };
}
