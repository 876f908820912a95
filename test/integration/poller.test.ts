/**
 * The Scene Poller with the real Veo adapter against its loopback fake and the real SQL on PGlite:
 * routed scenes are paid once, unknown outcomes are never resubmitted, a provider-confirmed failure
 * is retried, parallel pollers never submit a job twice, and private result URLs are refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollDueJobs, type PollerDeps } from '../../lib/production/poller';
import { routeScript, submitRoutedScene } from '../../lib/production/produce';
import { GeminiVeoProvider } from '../../lib/providers/video/gemini-veo';
import { VIDEO_MODELS } from '../../lib/providers/video/registry';
import type { Json } from '../../lib/store';
import { startGeminiFake, type GeminiFake } from '../fakes/gemini-veo';
import { seedCampaign, tempStore } from '../helpers/store';

const KEY = `AIza-test-${randomBytes(12).toString('hex')}`;
let t: Awaited<ReturnType<typeof tempStore>>;
let fake: GeminiFake;
let mediaDir: string;

beforeAll(async () => {
	t = await tempStore();
	fake = await startGeminiFake({ apiKey: KEY, pollsUntilDone: 1 });
	mediaDir = mkdtempSync(join(tmpdir(), 'bi-poller-media-'));
}, 120_000);
afterAll(async () => {
	await fake.close();
	await t.close();
	rmSync(mediaDir, { recursive: true, force: true });
});

const veo = (over: Record<string, unknown> = {}) =>
	new GeminiVeoProvider({ apiKey: KEY, baseUrl: fake.baseUrl, allowPrivateNetwork: true, retryBaseDelayMs: 10, timeoutMs: 5_000, ...over });

function deps(over: Partial<PollerDeps> = {}): PollerDeps {
	const provider = veo();
	return { store: t.store, providerFor: () => provider, mediaDir, allowPrivateNetwork: true, firstPollSeconds: 0, ...over };
}

async function approvedScript(prompts: string[], budget = '20'): Promise<{ scriptId: string; campaignId: string }> {
	const { brand, campaign } = await seedCampaign(t.store, budget);
	const brief = await t.store.createBrief({ brand_id: brand.brand_id, campaign_id: campaign.campaign_id, campaign_request: { budget_tier: 'standard' }, creative_brief: {}, brand_alignment_score: 0.9, auto_approve: true });
	const script = await t.store.createScript({
		brief_id: brief.brief_id as string,
		script: {
			hook: { text: 'h', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' },
			scenes: prompts.map((p, k) => ({
				sequence: k + 1,
				duration_seconds: 5,
				visual_prompt: p,
				voiceover_text: 'line',
				visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'static', lighting: 'soft' },
				audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' },
			})),
			voiceover_full_text: 'lines',
			total_duration_seconds: prompts.length * 5,
			variant_tag: 'serious',
		},
	});
	const id = script.script_id as string;
	await t.store.transition({ entity: 'script', id, expectedVersion: 1, toStatus: 'pending' });
	await t.store.transition({ entity: 'script', id, expectedVersion: 2, toStatus: 'approved' });
	return { scriptId: id, campaignId: campaign.campaign_id as string };
}

async function routeAndSubmit(scriptId: string): Promise<Json[]> {
	const routed = await routeScript(t.store, { scriptId, available: new Set(['gemini']), catalogue: VIDEO_MODELS });
	return Promise.all(routed.map((r) => submitRoutedScene(t.store, r)));
}

async function pollUntilQuiet(d: PollerDeps, worker: string, rounds = 12) {
	const events = [];
	for (let k = 0; k < rounds; k++) {
		const report = await pollDueJobs(d, { worker, maxJobs: 10, leaseSeconds: 60 });
		events.push(...report.events);
		if (report.videos_ready.length) return { events, ready: report.videos_ready };
		if (report.claimed === 0 && k > 2) break;
	}
	return { events, ready: [] as string[] };
}

test('routed scenes are generated, downloaded, checked and paid once at the price table', async () => {
	const { scriptId, campaignId } = await approvedScript(['A city street at dawn', 'A runner on a bridge']);
	const jobs = await routeAndSubmit(scriptId);
	expect(jobs.map((j) => j.provider)).toEqual(['gemini', 'gemini']);
	const before = fake.predictRequests().length;
	const { ready } = await pollUntilQuiet(deps(), 'w1');
	expect(ready).toHaveLength(1);
	expect(fake.predictRequests().length - before).toBe(2);
	const ledger = await t.transport.session.rows<{ amount_usd: string }>('select amount_usd::text from cost_ledger where campaign_id = $1', [campaignId]);
	expect(ledger).toHaveLength(2);
	const budget = await t.store.budgetStatus(campaignId);
	expect(budget.reserved_usd).toBe('0.000000');
	expect(Number(budget.committed_usd)).toBeGreaterThan(0);
});

test('an unknown submission outcome is dead-lettered, settled at the estimate, and never resubmitted', async () => {
	const { scriptId, campaignId } = await approvedScript(['A quiet harbour']);
	await routeAndSubmit(scriptId);
	const before = fake.predictRequests().length;
	fake.setFault({ kind: 'drop' }, 1);
	const { events } = await pollUntilQuiet(deps(), 'w2', 4);
	expect(events.map((e) => e.event)).toContain('dead_letter');
	expect(fake.predictRequests().length - before).toBe(1);
	const [row] = await t.transport.session.rows<{ status: string; error_message: string }>(
		'select status, error_message from generation_jobs where campaign_id = $1',
		[campaignId],
	);
	expect(row.status).toBe('dead_letter');
	expect(row.error_message).toContain('not resubmitted');
	const [ledger] = await t.transport.session.rows<{ description: string }>('select description from cost_ledger where campaign_id = $1', [campaignId]);
	expect(ledger.description).toContain('settled at the estimate');
});

test('a provider-confirmed failure (safety block) is retried up to the limit, then dead-lettered, uncharged', async () => {
	const { scriptId, campaignId } = await approvedScript(['A forbidden scene']);
	await routeAndSubmit(scriptId);
	const { events } = await pollUntilQuiet(deps(), 'w3', 8);
	expect(events.filter((e) => e.event === 'retry_scheduled').length).toBeGreaterThanOrEqual(1);
	const [job] = await t.transport.session.rows<{ status: string; attempts: number }>('select status, attempts from generation_jobs where campaign_id = $1', [campaignId]);
	expect(job).toEqual({ status: 'dead_letter', attempts: 3 });
	// Blocked videos are not charged: the reservation was released, nothing settled.
	expect(await t.transport.session.rows('select 1 from cost_ledger where campaign_id = $1', [campaignId])).toEqual([]);
	expect((await t.store.budgetStatus(campaignId)).reserved_usd).toBe('0.000000');
});

test('two pollers at once never submit the same job twice', async () => {
	const { scriptId } = await approvedScript(['One', 'Two', 'Three', 'Four']);
	await routeAndSubmit(scriptId);
	const before = fake.predictRequests().length;
	const [a, b] = await Promise.all([pollUntilQuiet(deps(), 'pa', 8), pollUntilQuiet(deps(), 'pb', 8)]);
	const submitted = [...a.events, ...b.events].filter((e) => e.event === 'submitted').map((e) => e.job_id);
	expect(new Set(submitted).size).toBe(submitted.length);
	expect(fake.predictRequests().length - before).toBe(4);
	expect([...a.ready, ...b.ready]).toHaveLength(1);
});

test('result URLs on private addresses are refused unless allowed', async () => {
	const { scriptId, campaignId } = await approvedScript(['A mountain lake']);
	await routeAndSubmit(scriptId);
	const strict = veo({ allowPrivateNetwork: false });
	const { events } = await pollUntilQuiet(deps({ providerFor: () => strict, allowPrivateNetwork: false }), 'w5', 6);
	expect(events.map((e) => e.event)).toEqual(['submitted', 'dead_letter']);
	const [job] = await t.transport.session.rows<{ status: string; error_message: string }>('select status, error_message from generation_jobs where campaign_id = $1', [campaignId]);
	// The provider finished and charged: a refused download is never resubmitted (that would pay twice).
	expect(job.status).toBe('dead_letter');
	expect(job.error_message).toMatch(/private|loopback/i);
});
