import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * YouTube Data API v3 for the Brand Infinity Platform Publisher (scope youtube.upload, plus
 * youtube.readonly for the listing that proves a post exists). Google access tokens live about an
 * hour: paste a fresh one, or let n8n's OAuth2 flow refresh it upstream.
 */
export class BrandInfinityYouTubeApi implements ICredentialType {
	name = 'brandInfinityYouTubeApi';

	displayName = 'Brand Infinity YouTube API';

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
			description: 'OAuth 2.0 user access token with the youtube.upload and youtube.readonly scopes (valid about one hour)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://www.googleapis.com',
			description: 'Change only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/youtube/v3/channels', qs: { part: 'id', mine: 'true' } } };
}
