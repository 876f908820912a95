import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * LinkedIn Posts and Videos APIs for the Brand Infinity Platform Publisher: a member or
 * organization author URN and a token with w_member_social (or w_organization_social). Tokens
 * last 60 days.
 */
export class BrandInfinityLinkedInApi implements ICredentialType {
	name = 'brandInfinityLinkedInApi';

	displayName = 'Brand Infinity LinkedIn API';

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
			description: 'OAuth 2.0 access token with w_member_social or w_organization_social (valid 60 days)',
		},
		{
			displayName: 'Author URN',
			name: 'authorUrn',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'urn:li:organization:123456',
			description: 'Who posts: urn:li:person:… or urn:li:organization:…',
		},
		{
			displayName: 'LinkedIn Version',
			name: 'linkedinVersion',
			type: 'string',
			default: '202510',
			description: 'The LinkedIn-Version header (YYYYMM); LinkedIn retires versions after about a year',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.linkedin.com',
			description: 'Change only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
				'LinkedIn-Version': '={{$credentials.linkedinVersion}}',
				'X-Restli-Protocol-Version': '2.0.0',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/rest/posts', qs: { q: 'author', author: '={{$credentials.authorUrn}}', count: 1 } },
	};
}
