import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Instagram Graph API (Reels) for the Brand Infinity Platform Publisher: a professional account's
 * user id and a token with instagram_content_publish (and instagram_basic). Long-lived tokens last
 * 60 days; refresh before they expire.
 */
export class BrandInfinityInstagramApi implements ICredentialType {
	name = 'brandInfinityInstagramApi';

	displayName = 'Brand Infinity Instagram API';

	icon: Icon = { light: 'file:../nodes/PlatformPublisher/platformPublisher.svg', dark: 'file:../nodes/PlatformPublisher/platformPublisher.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#broadcaster';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Long-lived user access token with instagram_content_publish (valid 60 days)',
		},
		{
			displayName: 'Instagram User ID',
			name: 'igUserId',
			type: 'string',
			default: '',
			required: true,
			description: 'The professional account’s Instagram user ID (not the username)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com/v24.0',
			description: 'Graph API base with its version; change only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '=/{{$credentials.igUserId}}/content_publishing_limit' } };
}
