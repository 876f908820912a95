import { storeConfigFromCredential } from '../../nodes/shared/store';
import { rpcSql } from '../../lib/store/transport';

describe('store credential', () => {
	test('embedded defaults to a folder inside the n8n user folder', () => {
		const prev = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = '/srv/n8n';
		try {
			expect(storeConfigFromCredential({ backend: 'embedded', dataDir: '' })).toEqual({
				backend: 'embedded',
				dataDir: '/srv/n8n/.n8n/brand-infinity/store',
			});
		} finally {
			if (prev === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = prev;
		}
		expect(storeConfigFromCredential({ backend: 'embedded', dataDir: ' /data/bi ' })).toEqual({ backend: 'embedded', dataDir: '/data/bi' });
	});

	test('postgres and supabase', () => {
		expect(storeConfigFromCredential({ backend: 'postgres', connectionString: 'postgresql://x', ssl: 'require' })).toEqual({
			backend: 'postgres',
			connectionString: 'postgresql://x',
			ssl: 'require',
			applyMigrations: true,
		});
		expect(storeConfigFromCredential({ backend: 'supabase', url: 'https://p.supabase.co/', serviceRoleKey: 'k' })).toEqual({
			backend: 'supabase',
			url: 'https://p.supabase.co',
			serviceRoleKey: 'k',
		});
	});
});

describe('rpcSql', () => {
	test('named arguments as parameters; objects as JSON; set results aggregated', () => {
		expect(rpcSql('bi_x', { p_a: 1, p_b: { k: 'v' }, p_c: undefined })).toEqual({
			text: 'select to_jsonb(public.bi_x(p_a => $1, p_b => $2)) as result',
			values: [1, '{"k":"v"}'],
		});
		expect(rpcSql('bi_y', {}, true).text).toContain('jsonb_agg(to_jsonb(t))');
		expect(() => rpcSql('bi_x; drop table campaigns', {})).toThrow();
		expect(() => rpcSql('bi_x', { 'p_a) --': 1 })).toThrow();
	});
});
