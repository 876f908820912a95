// n8n's community-node lint rules in their self-hosted (no-cloud) form: the configuration of
// @n8n/node-cli's `configWithoutCloudSupport` (node-cli 0.48.3, dist/configs/eslint.js), built
// here from the same plugins. Left out: eslint-plugin-import-x, whose resolver needs native
// bindings this registry does not carry for every platform (npm ci fails on them); tsc already
// checks every import. Every rule turned off is listed with its reason in the README ("Lint").
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
	{ ignores: ['dist/**', 'scratch/**', 'node_modules/**', 'coverage/**', 'out/**', 'scratch_*', '**/*.js', '**/*.mjs'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended, communityNodes],
		rules: { 'prefer-spread': 'off', 'no-console': 'error' },
	},
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: {
			...n8nNodesBase.configs.community.rules,
			// The package runs PGlite, pg and supabase-js (later ffmpeg, sharp) inside n8n: it is
			// self-hosted only and n8n's installer installs its runtime dependencies.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			// A connection string holds the database password, the service-role key is a secret, and a
			// notification webhook URL (Slack incoming webhook) lets anyone who has it post; the rule's
			// name heuristics know none of them.
			'@n8n/community-nodes/credential-unnecessary-password': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		// lib/ is used without n8n (DESIGN.md: no n8n-workflow import there) and test/ is not node
		// code: their typed errors are wrapped in NodeOperationError by nodes/shared/store.ts.
		files: ['lib/**/*.ts', 'test/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// Not AI-agent tools (README "Nodes"): these spend money, move statuses the approval gates
		// own, post publicly or record human decisions; each says why next to its description.
		files: ['nodes/{Approval,Campaign,CostLedger,FfmpegAssembler,ModelRouter,PlatformPublisher,ScenePoller,Voiceover}/*.node.ts'],
		rules: { '@n8n/community-nodes/node-usable-as-tool': 'off' },
	},
	{
		// Tests start real n8n, PostgreSQL and second processes, benchmarks run npm and node; none of
		// this ships in the package.
		files: ['test/**/*.ts', 'bench/**/*.ts'],
		rules: { '@n8n/community-nodes/no-dangerous-functions': 'off' },
	},
	{
		// lib/media runs ffmpeg/ffprobe (probe, local renders, assembly): spawn with an argument array,
		// never a shell string, so no text reaches a shell; paths and prompts are plain arguments.
		// The TTS helpers do the same: alignment.ts runs ffprobe/ffmpeg (duration, silencedetect) and
		// local.ts runs espeak-ng with `--` before the text, so a text starting with "-" is spoken.
		files: ['lib/media/**/*.ts', 'lib/providers/tts/alignment.ts', 'lib/providers/tts/local.ts'],
		rules: { '@n8n/community-nodes/no-dangerous-functions': 'off' },
	},
);
