import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** ElevenLabs voices, with word timestamps for captions. */
export class BrandInfinityElevenLabsApi implements ICredentialType {
	name = 'brandInfinityElevenLabsApi';

	displayName = 'Brand Infinity ElevenLabs API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://api.elevenlabs.io' },
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'xi-api-key': '={{$credentials.apiKey}}' } } };

	test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v1/voices' } };
}
