/**
 * The platform credentials' Test requests, sent the way n8n builds them (the credential's
 * `authenticate` headers, its `test.request` with `={{$credentials.x}}` resolved) to each
 * platform's fake: the right token passes, a wrong one is refused.
 */
import { randomBytes } from 'node:crypto';

import type { ICredentialType } from 'n8n-workflow';

import { BrandInfinityBlotatoApi } from '../../credentials/BrandInfinityBlotatoApi.credentials';
import { BrandInfinityInstagramApi } from '../../credentials/BrandInfinityInstagramApi.credentials';
import { BrandInfinityLinkedInApi } from '../../credentials/BrandInfinityLinkedInApi.credentials';
import { BrandInfinityTikTokApi } from '../../credentials/BrandInfinityTikTokApi.credentials';
import { BrandInfinityYouTubeApi } from '../../credentials/BrandInfinityYouTubeApi.credentials';
import { startBlotatoFake } from '../fakes/blotato';
import { startInstagramFake } from '../fakes/instagram';
import { startLinkedInFake } from '../fakes/linkedin';
import { startTikTokFake } from '../fakes/tiktok';
import { startYouTubeFake } from '../fakes/youtube';

const secret = () => randomBytes(8).toString('hex');

/** `={{$credentials.x}}` (whole value or embedded) → the credential's value. */
function resolve(value: unknown, data: Record<string, string>): string {
	const s = String(value);
	const body = s.startsWith('=') ? s.slice(1) : s;
	return body.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, k: string) => data[k] ?? '');
}

async function runTest(cred: ICredentialType, data: Record<string, string>): Promise<number> {
	const defaults = Object.fromEntries(cred.properties.map((p) => [p.name, String(p.default ?? '')]));
	const values = { ...defaults, ...data };
	const req = cred.test!.request;
	const url = new URL(`${resolve(req.baseURL, values).replace(/\/+$/, '')}${resolve(req.url, values)}`);
	for (const [k, v] of Object.entries(req.qs ?? {})) url.searchParams.set(k, resolve(v, values));
	const auth = cred.authenticate as { properties: { headers: Record<string, string> } };
	const headers = Object.fromEntries(Object.entries(auth.properties.headers).map(([k, v]) => [k, resolve(v, values)]));
	const res = await fetch(url, { method: req.method ?? 'GET', headers: { accept: 'application/json', ...headers } });
	await res.text();
	return res.status;
}

test('YouTube: channels?mine=true', async () => {
	const token = secret();
	const fake = await startYouTubeFake({ token });
	try {
		expect(await runTest(new BrandInfinityYouTubeApi(), { accessToken: token, baseUrl: fake.url })).toBe(200);
		expect(await runTest(new BrandInfinityYouTubeApi(), { accessToken: 'expired', baseUrl: fake.url })).toBe(401);
	} finally {
		await fake.close();
	}
});

test('TikTok: creator_info', async () => {
	const token = secret();
	const fake = await startTikTokFake({ token });
	try {
		expect(await runTest(new BrandInfinityTikTokApi(), { accessToken: token, baseUrl: fake.url })).toBe(200);
		expect(await runTest(new BrandInfinityTikTokApi(), { accessToken: 'expired', baseUrl: fake.url })).toBe(401);
	} finally {
		await fake.close();
	}
});

test('Instagram: the user’s content_publishing_limit', async () => {
	const token = secret();
	const fake = await startInstagramFake({ token, igUserId: '17841400000000001' });
	try {
		expect(await runTest(new BrandInfinityInstagramApi(), { accessToken: token, igUserId: '17841400000000001', baseUrl: fake.graphUrl })).toBe(200);
		expect(await runTest(new BrandInfinityInstagramApi(), { accessToken: 'expired', igUserId: '17841400000000001', baseUrl: fake.graphUrl })).not.toBe(200);
	} finally {
		await fake.close();
	}
});

test('LinkedIn: the author’s posts (with the version headers)', async () => {
	const token = secret();
	const authorUrn = 'urn:li:organization:1234';
	const fake = await startLinkedInFake({ token, authorUrn });
	try {
		expect(await runTest(new BrandInfinityLinkedInApi(), { accessToken: token, authorUrn, baseUrl: fake.url })).toBe(200);
		expect(await runTest(new BrandInfinityLinkedInApi(), { accessToken: 'expired', authorUrn, baseUrl: fake.url })).toBe(401);
	} finally {
		await fake.close();
	}
});

test('Blotato: the connected accounts', async () => {
	const apiKey = secret();
	const fake = await startBlotatoFake({ apiKey });
	try {
		expect(await runTest(new BrandInfinityBlotatoApi(), { apiKey, baseUrl: fake.apiUrl })).toBe(200);
		expect(await runTest(new BrandInfinityBlotatoApi(), { apiKey: 'wrong', baseUrl: fake.apiUrl })).toBe(401);
	} finally {
		await fake.close();
	}
});
