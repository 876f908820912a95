import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

// n8n's community-node rules in their self-hosted (no-cloud) form. Every rule turned off here is
// listed with its reason in the README ("Lint").
export default [
	...configWithoutCloudSupport,
	{ ignores: ['dist/**', 'scratch/**', 'node_modules/**', 'coverage/**', 'out/**', '**/*.js', '**/*.mjs'] },
	{
		// The package runs PGlite, pg, supabase-js (and later ffmpeg, sharp) inside n8n: it is
		// self-hosted only and its runtime dependencies are installed by n8n's own installer.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			// The product names this credential "Brand Infinity Store": it is a data store, not an API.
			'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
			// A connection string holds the database password and the service-role key is a secret;
			// the rule's name heuristics do not know either.
			'@n8n/community-nodes/credential-unnecessary-password': 'off',
		},
	},
	{
		// lib/ is used without n8n (DESIGN.md: no n8n-workflow import there) and test/ is not node
		// code: their typed errors are wrapped in NodeOperationError by nodes/shared/store.ts.
		files: ['lib/**/*.ts', 'test/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Tests start real n8n, PostgreSQL and second processes; none of this ships in the package.
		files: ['test/**/*.ts'],
		rules: { '@n8n/community-nodes/no-dangerous-functions': 'off' },
	},
];
