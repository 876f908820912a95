import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * TikTok Content Posting API for the Brand Infinity Platform Publisher (scopes video.publish, and
 * video.list for the listing that proves a post exists). TikTok user access tokens live 24 hours
 * (refresh tokens a year): refresh with TikTok's /v2/oauth/token/ and paste the new token.
 */
export class BrandInfinityTikTokApi implements ICredentialType {
	name = 'brandInfinityTikTokApi';

	displayName = 'Brand Infinity TikTok API';

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
			description: 'User access token (act.…) with video.publish and video.list (valid 24 hours)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://open.tiktokapis.com',
			description: 'Change only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v2/post/publish/creator_info/query/', method: 'POST' } };
}
