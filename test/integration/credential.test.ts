/** The credential's Test button (checkStore) and the process-wide shared store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { borrowStore, checkStore, closeSharedStores } from '../../lib/store';

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'bi-cred-'));
});
afterAll(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

test('an embedded store passes the credential test once its migrations are applied', async () => {
	const result = await checkStore({ backend: 'embedded', dataDir: join(dir, 'db') });
	expect(result).toEqual({ ok: true, message: expect.stringMatching(/Connected to the embedded store; schema \d{14}; pgvector ready/) });
}, 60_000);

test('borrowers share one open store per configuration', async () => {
	const config = { backend: 'embedded' as const, dataDir: join(dir, 'shared') };
	const a = await borrowStore(config);
	const b = await borrowStore(config);
	expect(b.store).toBe(a.store);
	await a.store.createBrand({ brand_name: 'Shared' });
	a.release();
	b.release();
	const c = await borrowStore(config);
	expect(c.store).toBe(a.store); // still open within the idle window
	c.release();
}, 60_000);

test('a postgres backend that cannot be reached fails the test with a clear error and no password', async () => {
	await expect(
		checkStore({ backend: 'postgres', connectionString: 'postgresql://bi:hunter2-secret@127.0.0.1:1/bi', applyMigrations: true }),
	).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2-secret') }));
});
