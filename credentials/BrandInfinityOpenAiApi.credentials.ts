import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** OpenAI for Brand Infinity: structured LLM output, embeddings, moderation (and later TTS). */
export class BrandInfinityOpenAiApi implements ICredentialType {
	name = 'brandInfinityOpenAiApi';

	displayName = 'Brand Infinity OpenAI API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.openai.com/v1',
			description: 'Change only for a proxy or gateway that speaks the OpenAI API',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/models' } };
}
