/** Three projects: unit (no database, no n8n), integration (real PGlite / Postgres, loopback fakes), e2e (real n8n). */
const ts = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] };
module.exports = {
	projects: [
		{ displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform: ts, testEnvironment: 'node' },
		{
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			transform: ts,
			testEnvironment: 'node',
		},
		{ displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], transform: ts, testEnvironment: 'node' },
	],
};
