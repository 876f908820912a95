/** One process owns an embedded data dir: a second one gets a clear error, and nothing is lost. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmbeddedTransport } from '../../lib/store/embedded';
import { Store } from '../../lib/store';

const secondProcess = (dataDir: string) =>
	JSON.parse(
		execFileSync(process.execPath, [join(__dirname, '..', 'helpers', 'open-embedded.js'), dataDir], { encoding: 'utf8' }).trim(),
	);

let dir: string;
beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'bi-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a second process is refused while the first holds the store, and sees all data after', async () => {
	const dataDir = join(dir, 'db');
	const first = await EmbeddedTransport.open(dataDir);
	const store = new Store(first);
	await store.createBrand({ brand_name: 'Held' });

	const refused = secondProcess(dataDir);
	expect(refused).toMatchObject({ opened: false, name: 'StoreLockedError', code: 'STORE_LOCKED' });
	expect(refused.message).toContain(`in use by process ${process.pid}`);

	// The first process is unaffected and keeps writing.
	await store.createBrand({ brand_name: 'Still writing' });
	await first.close();

	expect(secondProcess(dataDir)).toEqual({ opened: true, brands: 2 });
}, 60_000);

test('a lock left by a dead process on this host is taken over', async () => {
	const dataDir = join(dir, 'stale');
	writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'earlier' }));
	expect(secondProcess(dataDir)).toEqual({ opened: true, brands: 0 });
}, 60_000);

test('a lock held from another host is never broken', () => {
	const dataDir = join(dir, 'remote');
	writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 1, host: 'other-host', since: 'earlier' }));
	expect(secondProcess(dataDir)).toMatchObject({ opened: false, code: 'STORE_LOCKED' });
});
