import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Signed approval links: the HMAC key that signs and checks them, the public URL people open (the
 * approval webhook of the "Brand Infinity: Approvals" template), how long a link works, and where
 * new links are announced. Its "Test" (testedBy on the Approval node) checks the key's length and
 * the URLs; nothing is sent anywhere.
 */
export class BrandInfinityApprovalsApi implements ICredentialType {
	name = 'brandInfinityApprovalsApi';

	displayName = 'Brand Infinity Approvals API';

	icon: Icon = { light: 'file:../nodes/Approval/approval.svg', dark: 'file:../nodes/Approval/approval.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#approvals';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'At least 32 bytes of random text that signs the approval links (HMAC-SHA256). Generate one with: openssl rand -base64 48. Changing it invalidates every open link.',
		},
		{
			displayName: 'Approval Page URL',
			name: 'publicUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://n8n.example.com/webhook/brand-infinity/approval',
			description:
				'The production URL of the approval webhook, as people reach it (your n8n WEBHOOK_URL + /webhook/brand-infinity/approval). Links point here; the page posts its decision here.',
		},
		{
			displayName: 'Link Lifetime (Seconds)',
			name: 'ttlSeconds',
			type: 'number',
			typeOptions: { minValue: 60, maxValue: 2592000 },
			default: 86400,
			description: 'How long a link works unless the node says otherwise: 60 s to 30 days. Links are single use either way.',
		},
		{
			displayName: 'Notification Webhook URL',
			name: 'notifyUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'https://hooks.slack.com/services/…',
			description:
				'Optional. Each new link is POSTed here as JSON with a Slack-compatible "text" field (also approval_id, url, entity, expires_at), so the reviewer gets it.',
		},
	];
}
