/**
 * n8n in queue mode on this machine: PostgreSQL 15 (Debian, no pgvector) holding n8n's database and
 * the store, Redis, n8n main plus two workers, the Veo fake as the paid video provider. The Scene
 * Poller runs overlap (two "Poll Now" calls at a time, plus its every-minute schedule) across the
 * workers: no job is polled twice at once, no scene is submitted or paid twice, and the video is
 * assembled once; then duplicate Broadcaster calls on both workers publish it once.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from 'pg';

import { startGeminiFake, type GeminiFake } from '../fakes/gemini-veo';
import { e2eWorld, editedTemplate, type E2eWorld } from '../helpers/e2e';
import { startPostgres15, type Postgres15 } from '../helpers/postgres15';
import { startRedis, type Redis } from '../helpers/redis';

const POLLS_UNTIL_DONE = 3;
const VEO_KEY = 'veo-queue-mode-test-key';

let pg: Postgres15;
let redis: Redis;
let veo: GeminiFake;
let world: E2eWorld;
let scriptId: string;
let workers: Array<{ output: () => { stdout: string; stderr: string } }>;

/** A template with the Veo provider configured where the local generator was. */
function withVeo(file: string, work: string): string {
	return editedTemplate(file, work, (nodes) => {
		for (const n of nodes) {
			if (n.name === 'Route Scenes' || n.name === 'Poll Due Jobs') {
				n.parameters.generators = ['gemini'];
				n.credentials = { ...n.credentials, brandInfinityGeminiApi: { id: 'bi-gemini', name: 'Gemini' } };
			}
			// The fake's media host is on 127.0.0.1, which the SSRF guard refuses by default.
			if (n.name === 'Poll Due Jobs') n.parameters.allowPrivateNetwork = true;
			if (n.name === 'Assemble') n.parameters.size = 'draft';
		}
	});
}

const scene = (n: number) => ({
	sequence: n,
	duration_seconds: 6,
	visual_prompt: `Scene ${n}: a running shoe on wet asphalt, navy and orange, cinematic`,
	// About as many words as a voice says in six seconds, so the voice covers the picture.
	voiceover_text: [
		'Your morning run deserves better shoes, light enough to forget and springy on every single step.',
		'Built for wet city streets at dawn, with grip that holds and foam that keeps giving back.',
		'Stride Cloudline. Run further, feel lighter, and make tomorrow morning the best run of your week.',
	][n - 1],
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540', '#FF6B00'], camera_movement: 'slow dolly', lighting: 'golden hour' },
	audio_cues: { music_style: 'warm pop', sfx: [], voice_tone: 'warm' },
});

beforeAll(async () => {
	pg = await startPostgres15();
	const admin = new Client({ connectionString: pg.connectionString });
	await admin.connect();
	await admin.query('create database n8n');
	await admin.query('create database bi_store');
	await admin.end();
	redis = await startRedis();
	veo = await startGeminiFake({ apiKey: VEO_KEY, pollsUntilDone: POLLS_UNTIL_DONE, pollDelayMs: 1500 });
	world = await e2eWorld('queue', {
		postgresStore: pg.connectionStringFor('bi_store'),
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			...(process.env.BI_N8N_LOG_LEVEL ? { N8N_LOG_LEVEL: process.env.BI_N8N_LOG_LEVEL } : {}),
		},
	});
	await world.harness.importCredentials([{ id: 'bi-gemini', name: 'Gemini', type: 'brandInfinityGeminiApi', data: { apiKey: VEO_KEY, baseUrl: veo.baseUrl } }]);
	scriptId = await world.withStore(async (store) => {
		const brand = await store.createBrand({ brand_name: 'Stride', tone: 'warm', color_palette: ['#0A2540', '#FF6B00'], visual_style: 'cinematic' });
		const campaign = await store.createCampaign({ campaign_name: 'Queue mode', brand_id: brand.brand_id, budget_limit_usd: '20' });
		const brief = await store.createBrief({ brand_id: brand.brand_id, campaign_id: campaign.campaign_id, campaign_request: { budget_tier: 'standard' }, creative_brief: {}, brand_alignment_score: 0.9, auto_approve: true });
		const script = await store.createScript({
			brief_id: brief.brief_id as string,
			script: {
				hook: { text: 'Your morning run deserves better.', hook_type: 'statement', quality_score: 0.8, variations_generated: 50, selected_rationale: 'best' },
				scenes: [scene(1), scene(2), scene(3)],
				voiceover_full_text: [1, 2, 3].map((n) => scene(n).voiceover_text).join(' '),
				total_duration_seconds: 18,
				variant_tag: 'emotional',
			},
		});
		const id = script.script_id as string;
		await store.transition({ entity: 'script', id, expectedVersion: 1, toStatus: 'pending' });
		await store.transition({ entity: 'script', id, expectedVersion: 2, toStatus: 'approved' });
		return id;
	});
	const h = world.harness;
	// A local voice may end a few seconds before the picture: the test tunes Judge Video's silence
	// threshold, as a user with a silent end card would, so the post is published straight away.
	const broadcaster = editedTemplate('broadcaster.json', world.work, (nodes) => {
		nodes.find((n) => n.name === 'Judge Video')!.parameters.expect = { silenceMinSeconds: 8 };
	});
	await h.importWorkflows([withVeo('production.json', world.work), withVeo('scene-poller.json', world.work), broadcaster]);
	await h.publish('biProduction00001');
	await h.publish('biScenePoller0001');
	await h.publish('biBroadcaster0001');
	await h.start();
	workers = [await h.startWorker({ concurrency: 4 }), await h.startWorker({ concurrency: 4 })];
}, 25 * 60_000);

afterAll(async () => {
	await world?.close();
	await veo?.close();
	await redis?.stop();
	await pg?.stop();
}, 120_000);

test('overlapping Scene Poller runs on two workers: each job polled one at a time, each scene paid once, one video', async () => {
	const h = world.harness;
	const res = await h.webhook('brand-infinity/production', { script_id: scriptId });
	expect(res.status).toBe(200);
	expect(res.body.statuses).toEqual(['queued', 'queued', 'queued']);
	const videoId = res.body.video_id as string;

	let video: Record<string, unknown> = {};
	let unanswered = 0;
	const deadline = Date.now() + 10 * 60_000;
	while (!video.master_mp4_url && Date.now() < deadline) {
		// Two poller executions at once, each on whichever worker takes it. n8n 2.41 in queue mode
		// now and then never answers a "last node" webhook although the worker finished the run
		// (n8n-io/n8n#21364): such a poll is counted, and the worker logs below prove every run ended.
		const poll = () => h.webhook('brand-infinity/scene-poller/poll', {}, { timeoutMs: 120_000 }).catch((err: Error) => {
			if (err.name !== 'TimeoutError') throw err;
			unanswered++;
			return { status: 200 };
		});
		const polls = await Promise.all([poll(), poll()]);
		for (const p of polls) expect(p.status).toBe(200);
		video = (await h.webhook('brand-infinity/production/status', { video_id: videoId })).body;
		// Jobs come due again after their backoff (seconds).
		if (!video.master_mp4_url) await new Promise((r) => setTimeout(r, 1000));
	}
	expect(video.master_mp4_url).toEqual(expect.stringContaining('master-9x16.mp4'));

	// The provider's view: three submissions (one per scene), each operation polled exactly until
	// done, and never by two pollers at the same time (each poll takes 1.5 s to answer).
	const predicts = veo.predictRequests();
	expect(predicts).toHaveLength(3);
	expect(new Set(predicts.map((r) => (r.body as { instances: Array<{ prompt: string }> }).instances[0].prompt)).size).toBe(3);
	expect(veo.overlappingPolls()).toEqual([]);
	const pollsPerOperation = new Map<string, number>();
	for (const r of veo.requests) {
		const m = /^\/v1beta\/(models\/[^/]+\/operations\/[^/?]+)/.exec(r.path);
		if (m && r.method === 'GET') pollsPerOperation.set(m[1], (pollsPerOperation.get(m[1]) ?? 0) + 1);
	}
	expect([...pollsPerOperation.values()]).toEqual([POLLS_UNTIL_DONE, POLLS_UNTIL_DONE, POLLS_UNTIL_DONE]);

	// Publishing from both workers at once: four duplicate webhooks together, then two retries, make
	// one post in the outbox and one receipt.
	const outbox = join(world.harness.userFolder, '.n8n', 'brand-infinity', 'outbox');
	const together = await Promise.all([1, 2, 3, 4].map(() => h.webhook('brand-infinity/broadcaster', { video_id: videoId })));
	const retries = [await h.webhook('brand-infinity/broadcaster', { video_id: videoId }), await h.webhook('brand-infinity/broadcaster', { video_id: videoId })];
	for (const r of [...together, ...retries]) expect([r.status, Array.isArray(r.body) || r.body]).toEqual([200, true]);
	const outcomes = [...together, ...retries].map((r) => r.body[0].outcome as string);
	const why = async () => ({ outcomes, first: together[0].body[0].caption_judgement, reports: await world.withStore((_s, sql) => sql.rows("select entity, route, reasons from safety_reports where entity in ('video', 'caption')")) });
	expect(outcomes.filter((o) => o === 'published').length === 1 ? 'one published' : await why()).toBe('one published');
	expect(outcomes.every((o) => ['published', 'already_published', 'in_progress'].includes(o))).toBe(true);
	expect(new Set([...together, ...retries].map((r) => r.body[0].post.post_id)).size).toBe(1);
	const posts = readdirSync(outbox).filter((d) => existsSync(join(outbox, d, 'receipt.json')));
	expect(posts).toHaveLength(1);

	// Both workers ran executions, and every execution a worker started, it finished (a stopping
	// worker finishes what it runs first).
	await h.stopWorkers();
	for (const w of workers) {
		const log = w.output().stdout;
		const started = [...log.matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]);
		const finished = new Set([...log.matchAll(/Worker finished execution (\d+)/g)].map((m) => m[1]));
		expect(started.length).toBeGreaterThan(0);
		expect(started.filter((id) => !finished.has(id))).toEqual([]);
	}
	if (unanswered) process.stderr.write(`queue mode: ${unanswered} poll webhook(s) got no answer from n8n main\n`);

	await world.withStore(async (store, sql) => {
		const jobs = await sql.rows<{ status: string; attempts: number }>(
			'select j.status, j.attempts from generation_jobs j join scenes s on s.scene_id = j.scene_id where s.video_id = $1',
			[videoId],
		);
		expect(jobs.map((j) => [j.status, j.attempts])).toEqual([
			['completed', 1],
			['completed', 1],
			['completed', 1],
		]);
		// Each scene charged once; nothing left reserved; the campaign's total is the ledger's sum.
		const charges = await sql.rows<{ n: number; scenes: number }>("select count(*)::int as n, count(distinct reservation_id)::int as scenes from cost_ledger where pillar = 'production'");
		expect(charges[0]).toEqual({ n: 3, scenes: 3 });
		const [open] = await sql.rows<{ n: number }>("select count(*)::int as n from budget_reservations where status = 'active'");
		expect(open.n).toBe(0);
		const [sums] = await sql.rows<{ ledger: string; campaign: string }>(
			'select (select sum(amount_usd) from cost_ledger l where l.campaign_id = c.campaign_id)::text as ledger, c.current_cost_usd::text as campaign from campaigns c where c.campaign_id = (select campaign_id from videos where video_id = $1)',
			[videoId],
		);
		expect(Number(sums.ledger)).toBeGreaterThan(0);
		expect(sums.campaign).toBe(sums.ledger);
		const v = await store.getVideo(videoId);
		expect(v.approval_status).toBe('pending');
		const [assembled] = await sql.rows<{ n: number }>("select count(*)::int as n from campaign_audit_log where action = 'assemble' and entity_id = $1", [videoId]);
		expect(assembled.n).toBe(1);
		const receipts = await sql.rows<{ publication_status: string }>('select publication_status from platform_posts where video_id = $1', [videoId]);
		expect(receipts).toEqual([{ publication_status: 'published' }]);
	});
}, 20 * 60_000);
