import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** fal.ai for Brand Infinity's video and image generation. */
export class BrandInfinityFalApi implements ICredentialType {
	name = 'brandInfinityFalApi';

	displayName = 'Brand Infinity fal.ai API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#provider-credentials';

	properties: INodeProperties[] = [
		{ displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'https://queue.fal.run' },
	];

	authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Key {{$credentials.apiKey}}' } } };

	// fal's queue has no read-only endpoint; its platform API lists models with the same key.
	test: ICredentialTestRequest = { request: { url: 'https://api.fal.ai/v1/models?limit=1' } };
}
