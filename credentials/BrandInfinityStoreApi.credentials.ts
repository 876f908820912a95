import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Where Brand Infinity keeps its state. One credential, three backends: the embedded store (PGlite
 * in the n8n process, for one n8n instance), any Postgres with pgvector, or a Supabase project.
 * Its "Test" runs through the nodes' credentialTest (testedBy), since two backends are not HTTP.
 */
export class BrandInfinityStoreApi implements ICredentialType {
	name = 'brandInfinityStoreApi';

	displayName = 'Brand Infinity Store API';

	icon: Icon = { light: 'file:../nodes/Campaign/campaign.svg', dark: 'file:../nodes/Campaign/campaign.dark.svg' };

	documentationUrl = 'https://github.com/brand-infinity/n8n-nodes-brand-infinity#the-brand-infinity-store-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'Embedded (PGlite, This n8n Only)',
					value: 'embedded',
					description: 'Postgres with pgvector inside the n8n process, saved to a folder. Not for queue mode.',
				},
				{ name: 'Postgres', value: 'postgres', description: 'Any Postgres 15+ (pgvector needed for brand search)' },
				{ name: 'Supabase', value: 'supabase', description: 'A Supabase project, through its REST API' },
			],
			default: 'embedded',
		},
		{
			displayName: 'Data Folder',
			name: 'dataDir',
			type: 'string',
			default: '',
			placeholder: '~/.n8n/brand-infinity/store',
			description: 'Folder of the embedded store. Empty: brand-infinity/store inside the n8n user folder.',
			displayOptions: { show: { backend: ['embedded'] } },
		},
		{
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'postgresql://user:password@host:5432/db',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Verify Certificate)', value: 'require' },
				{ name: 'Require (Do Not Verify)', value: 'no-verify' },
			],
			default: 'disable',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Apply Migrations',
			name: 'applyMigrations',
			type: 'boolean',
			default: true,
			description: 'Whether to create or update the Brand Infinity tables and functions on first use',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Project URL',
			name: 'url',
			type: 'string',
			default: '',
			placeholder: 'https://your-project.supabase.co',
			displayOptions: { show: { backend: ['supabase'] } },
		},
		{
			displayName: 'Service Role Key',
			name: 'serviceRoleKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Project Settings → API → service_role. Apply supabase/migrations to the project first.',
			displayOptions: { show: { backend: ['supabase'] } },
		},
	];
}
