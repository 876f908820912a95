import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Blotato (one API that posts to TikTok, Instagram, YouTube, LinkedIn…) for the Brand Infinity Platform Publisher. */
export class BrandInfinityBlotatoApi implements ICredentialType {
	name = 'brandInfinityBlotatoApi';

	displayName = 'Brand Infinity Blotato API';

	icon: Icon = { light: 'file:../nodes/PlatformPublisher/platformPublisher.svg', dark: 'file:../nodes/PlatformPublisher/platformPublisher.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#broadcaster';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true, description: 'Blotato API key (Settings → API); it does not expire' },
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'string',
			default: '',
			description: 'The connected account to post with; empty: the first account of the target platform',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://backend.blotato.com/v2',
			description: 'Change only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'blotato-api-key': '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/users/me/accounts' } };
}
