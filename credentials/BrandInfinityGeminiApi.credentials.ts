import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Google Gemini API (Veo) for Brand Infinity's video and image generation. */
export class BrandInfinityGeminiApi implements ICredentialType {
	name = 'brandInfinityGeminiApi';

	displayName = 'Brand Infinity Google Gemini (Veo) API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://generativelanguage.googleapis.com/v1beta' },
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'x-goog-api-key': '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/models' } };
}
