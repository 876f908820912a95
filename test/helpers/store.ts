import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EmbeddedTransport, Store } from '../../lib/store';

/** A fresh embedded store in a temporary folder, removed on close. */
export async function tempStore(): Promise<{ store: Store; transport: EmbeddedTransport; dir: string; close: () => Promise<void> }> {
	const dir = mkdtempSync(join(tmpdir(), 'bi-store-'));
	const transport = await EmbeddedTransport.open(join(dir, 'db'));
	const store = new Store(transport);
	return {
		store,
		transport,
		dir,
		close: async () => {
			await transport.close();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export async function seedCampaign(store: Store, budget: string | null = '10') {
	const brand = await store.createBrand({ brand_name: 'Acme', tone: 'warm', restricted_keywords: ['cheap'] });
	const campaign = await store.createCampaign({
		campaign_name: 'Spring launch',
		brand_id: brand.brand_id,
		budget_limit_usd: budget,
	});
	return { brand, campaign };
}
