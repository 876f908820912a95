import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** Any server that speaks the OpenAI chat API: DeepSeek, Ollama, vLLM, LM Studio, a gateway. */
export class BrandInfinityOpenAiCompatibleApi implements ICredentialType {
	name = 'brandInfinityOpenAiCompatibleApi';

	displayName = 'Brand Infinity OpenAI-Compatible API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.deepseek.com/v1',
			required: true,
			placeholder: 'http://localhost:11434/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Leave empty for servers without authentication (a local Ollama)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/models' } };
}
