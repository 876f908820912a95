/**
 * Durable approvals in a real browser: real n8n 2.41.1 with the Approvals and Production House
 * templates, Debian's chromium driven by playwright-core. A script approval link is opened, the
 * script with its scores and the cost so far is shown, Approve starts the Production House; the
 * used, a tampered and an expired link are refused and change nothing; a rejection with feedback
 * comes back as a revised script version with a new link; a video approval page plays its video.
 * The store is seeded before n8n starts and read after it stops (it has one owner at a time).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { requestApproval } from '../../lib/approvals/service';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import { generateBrief } from '../../lib/strategy/brand-rag';
import { launchChromium } from '../helpers/browser';
import { e2eWorld, ROOT, type E2eWorld } from '../helpers/e2e';


let world: E2eWorld;
let harness: E2eWorld['harness'];
let browser: Browser;
const notices: Record<string, unknown>[] = [];
let notifyServer: Server;
const seeded: { scriptA: string; scriptB: string; scriptC: string; videoId: string; expiredUrl: string; campaignId: string; stateVersionC: number; expiresAtC: string } = {
	scriptA: '',
	scriptB: '',
	scriptC: '',
	videoId: '',
	expiredUrl: '',
	campaignId: '',
	stateVersionC: 0,
	expiresAtC: '',
};

const scene = (n: number, voice: string) => ({
	sequence: n,
	duration_seconds: 5,
	visual_prompt: `Scene ${n}: a runner on a city street at dawn, navy #0A2540 and orange #FF6B00, cinematic`,
	voiceover_text: voice,
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540', '#FF6B00'], camera_movement: 'slow dolly', lighting: 'golden hour' },
	audio_cues: { music_style: 'warm pop', sfx: [], voice_tone: 'warm' },
});
const VOICES = ['Your morning run deserves better shoes.', 'Light, springy and made for city streets.', 'Stride. Run further, feel lighter.'];
const scriptJson = (tag: string) => ({
	hook: { text: VOICES[0], hook_type: 'statement', quality_score: 0.8, variations_generated: 50, selected_rationale: `seeded ${tag}` },
	scenes: VOICES.map((v, i) => scene(i + 1, v)),
	voiceover_full_text: VOICES.join(' '),
	total_duration_seconds: 15,
	variant_tag: 'emotional',
	brand_compliance_score: 0.93,
});

/** Resolves with the next notice POSTed for `entityId` (the credential's notification webhook). */
async function noticeFor(entityId: string, after = 0): Promise<Record<string, unknown>> {
	for (let i = 0; i < 600; i++) {
		const found = notices.slice(after).find((n) => n.entity_id === entityId);
		if (found) return found;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`no approval notice for ${entityId}`);
}

async function requestViaNode(entity: string, entityId: string): Promise<Record<string, string>> {
	const res = await harness.webhook('brand-infinity/test/request-approval', { entity, entity_id: entityId });
	expect(res.status).toBe(200);
	return res.body;
}

async function open(url: string): Promise<{ page: Page; status: number }> {
	const page = await browser.newPage();
	const response = await page.goto(url);
	return { page, status: response!.status() };
}

/** The decision form posted again by hand, as a second click or a replayed request would. */
async function postForm(url: string, decision: string): Promise<{ status: number; text: string }> {
	const u = new URL(url);
	const body = new URLSearchParams({ approval: u.searchParams.get('approval') ?? '', token: u.searchParams.get('token') ?? '', decision, feedback: 'again' });
	const res = await fetch(`${u.origin}${u.pathname}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
	return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
	notifyServer = createServer((req, res) => {
		let data = '';
		req.on('data', (c) => (data += c));
		req.on('end', () => {
			try {
				notices.push(JSON.parse(data));
			} catch {
				notices.push({ unparsed: data });
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((r) => notifyServer.listen(0, '127.0.0.1', r));
	const notifyUrl = `http://127.0.0.1:${(notifyServer.address() as AddressInfo).port}/notify`;

	world = await e2eWorld('approvals', { approvalsNotifyUrl: notifyUrl });
	harness = world.harness;
	await world.withStore(async (store, sql) => {
		const brand = await store.createBrand({
			brand_name: 'Stride',
			tone: 'warm, optimistic, plain-spoken',
			visual_style: 'cinematic natural light',
			color_palette: ['#0A2540', '#FF6B00'],
			restricted_keywords: ['cheap', 'guaranteed'],
		});
		const brief = await generateBrief(
			{ store, embedder: new LocalEmbeddingProvider(), llm: new LocalLlmProvider() },
			{
				brand_id: brand.brand_id,
				campaign_name: 'Spring running',
				product_category: 'running shoes',
				target_demographic: 'urban runners aged 25-40',
				campaign_objective: 'awareness',
				budget_tier: 'standard',
				budget_limit_usd: '25',
			},
			{ createCampaign: true, autoApprove: true },
		);
		if (brief.approval_status !== 'approved') {
			await store.transition({ entity: 'creative_brief', id: brief.brief_id as string, expectedVersion: brief.state_version as number, toStatus: 'approved' });
		}
		seeded.campaignId = brief.campaign_id as string;
		const script = async (tag: string) => (await store.createScript({ brief_id: brief.brief_id as string, script: scriptJson(tag) })).script_id as string;
		seeded.scriptA = await script('A');
		seeded.scriptB = await script('B');
		seeded.scriptC = await script('C');
		// C: a link signed with a clock 57 s back and the shortest lifetime (60 s), so it expires moments after it is stored.
		const expired = await requestApproval(store, {
			entity: 'script',
			entityId: seeded.scriptC,
			ttlSeconds: 60,
			baseUrl: world.approvals.publicUrl,
			secret: world.approvals.secret,
			now: Date.now() - 57_000,
		});
		seeded.expiredUrl = expired.url;
		seeded.expiresAtC = expired.expires_at;
		const [c] = await sql.rows<{ v: number }>('select state_version as v from scripts where script_id = $1', [seeded.scriptC]);
		seeded.stateVersionC = c.v;

		// A finished video of script A, as the assembler leaves it: a real H.264/AAC mp4 on disk.
		const file = join(world.work, 'master-9x16.mp4');
		execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-y', file]);
		const [v] = await sql.rows<{ video_id: string }>(
			"insert into videos (script_id, campaign_id, master_mp4_url, master_duration_seconds, total_cost_usd, approval_status) values ($1, $2, $3, 3, 1.25, 'draft') returning video_id",
			[seeded.scriptA, seeded.campaignId, file],
		);
		seeded.videoId = v.video_id;
	});
	await harness.importWorkflows([join(ROOT, 'test', 'fixtures', 'approval-request.workflow.json')]);
	await harness.publish('biTestApprReq001');
	await world.start(['approvals.json', 'production.json'], ['biApprovals000001', 'biProduction00001']);
	browser = await launchChromium();
}, 20 * 60_000);

afterAll(async () => {
	await browser?.close();
	await world?.close();
	await new Promise((r) => notifyServer?.close(r));
}, 120_000);

describe('approval links in a real browser (real n8n, chromium)', () => {
	let urlA = '';
	let urlB2 = '';
	const FEEDBACK = 'Make the middle scene about the river trail, and end on the shoe.';

	test('a script approval: the page shows the script, its scores and the cost; Approve starts the Production House', async () => {
		const request = await requestViaNode('script', seeded.scriptA);
		expect(request).toMatchObject({ entity: 'script', entity_id: seeded.scriptA, entity_status: 'pending', notified: true });
		urlA = request.url;
		expect(urlA.startsWith(`${world.approvals.publicUrl}?approval=${request.approval_id}&token=`)).toBe(true);
		// The reviewer's notice carries the same link.
		expect((await noticeFor(seeded.scriptA)).url).toBe(urlA);

		const { page, status } = await open(urlA);
		expect(status).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Approve: Script');
		const text = await page.locator('body').innerText();
		for (const line of VOICES) expect(text).toContain(line);
		expect(text).toMatch(/brand compliance score: 0\.93/);
		expect(text).toMatch(/Spent so far: \$\d+\.\d{2}/);
		expect(text).toContain('Spring running');
		await page.fill('textarea[name=feedback]', 'Looks great');
		const [nav] = await Promise.all([page.waitForNavigation(), page.click('button.approve')]);
		expect(nav!.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Approved');
		await expect(page.locator('[role=status]').textContent()).resolves.toBe('The script is approved; the production step starts now.');
		await page.close();
	}, 120_000);

	test('the used link is refused clearly, by the page and when the form is posted again', async () => {
		const { page, status } = await open(urlA);
		expect(status).toBe(409);
		await expect(page.locator('[role=status]').textContent()).resolves.toBe('This was approved. The link has been used.');
		await expect(page.locator('button').count()).resolves.toBe(0);
		await page.close();
		const again = await postForm(urlA, 'rejected');
		expect(again.status).toBe(409);
		expect(again.text).toContain('This approval link has already been used: the decision was recorded.');
	}, 120_000);

	test('a tampered link is refused', async () => {
		const u = new URL(urlA);
		const token = u.searchParams.get('token')!;
		// Another signature of the same length: the body still names approval A.
		u.searchParams.set('token', token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'));
		const { page, status } = await open(u.toString());
		expect(status).toBe(403);
		await expect(page.locator('[role=alert]').textContent()).resolves.toBe('This approval link is not valid: its signature does not match.');
		await expect(page.locator('button').count()).resolves.toBe(0);
		await page.close();
		const post = await postForm(u.toString(), 'approved');
		expect(post.status).toBe(403);
	}, 120_000);

	test('an expired link shows what it was for, without buttons, and a posted decision is refused', async () => {
		// The link's expiry passed (n8n took longer than that to start); wait if it has not.
		while (Date.now() <= Date.parse(seeded.expiresAtC)) await new Promise((r) => setTimeout(r, 250));
		const { page, status } = await open(seeded.expiredUrl);
		expect(status).toBe(410);
		await expect(page.locator('[role=status]').textContent()).resolves.toBe('This approval link has expired. Ask for a new one.');
		await expect(page.locator('button').count()).resolves.toBe(0);
		await page.close();
		const post = await postForm(seeded.expiredUrl, 'approved');
		expect(post.status).toBe(410);
		expect(post.text).toContain('This approval link has expired.');
	}, 120_000);

	test('a rejection with feedback comes back as a revised script version with a new link', async () => {
		const request = await requestViaNode('script', seeded.scriptB);
		const { page } = await open(request.url);
		await page.fill('textarea[name=feedback]', FEEDBACK);
		const [nav] = await Promise.all([page.waitForNavigation(), page.click('button.reject')]);
		expect(nav!.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Rejected');
		await expect(page.locator('[role=status]').textContent()).resolves.toBe('The script is rejected; it goes back to the copywriter step with your feedback.');
		await page.close();

		// The Approvals template revises the script, judges it and requests a new approval.
		const before = notices.findIndex((n) => n.url === request.url) + 1;
		const notice = await noticeFor(seeded.scriptB, before);
		expect(notice.approval_id).not.toBe(request.approval_id);
		urlB2 = notice.url as string;
		const second = await open(urlB2);
		expect(second.status).toBe(200);
		const text = await second.page.locator('body').innerText();
		expect(text).toMatch(/Version\s+2/);
		await expect(second.page.locator('button.approve').count()).resolves.toBe(1);
		await second.page.close();
	}, 120_000);

	test('a video approval page plays its video', async () => {
		const request = await requestViaNode('video', seeded.videoId);
		const { page, status } = await open(request.url);
		expect(status).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Approve: Video');
		const duration = await page.waitForFunction(
			// Runs in the page: the element is the page's <video>.
			() => {
				const v = (globalThis as unknown as { document: { querySelector(s: string): { readyState: number; duration: number } | null } }).document.querySelector('video');
				return v && v.readyState >= 1 && v.duration > 0 ? v.duration : null;
			},
			undefined,
			{ timeout: 60_000 },
		);
		expect(await duration.jsonValue()).toBeGreaterThan(2.5);
		await page.close();
		// The video is only for the link's holder.
		const src = new URL(request.url);
		src.searchParams.set('media', 'video');
		src.searchParams.set('token', 'x.y');
		const refused = await fetch(src);
		expect(refused.status).toBe(403);
	}, 120_000);

	test('the store: A approved and in production, B revised with the feedback and pending again, C unchanged', async () => {
		await harness.stop();
		await world.withStore(async (store, sql) => {
			const a = await store.getScript(seeded.scriptA);
			expect(a.approval_status).toBe('approved');
			const approvalsA = await sql.rows<{ status: string; feedback: string | null; decided_by: string }>(
				'select status, feedback, decided_by from approvals where entity_id = $1',
				[seeded.scriptA],
			);
			expect(approvalsA).toEqual([{ status: 'approved', feedback: 'Looks great', decided_by: 'approval-link' }]);
			// One decision only: the replayed and tampered posts wrote nothing.
			const decisions = await sql.rows('select 1 from campaign_audit_log where action = $1 and entity_id = $2', ['decide_approval', seeded.scriptA]);
			expect(decisions).toHaveLength(1);
			// The Production House ran for A: a video with its scenes queued as generation jobs.
			const jobs = await sql.rows<{ status: string }>(
				'select j.status from generation_jobs j join scenes s on s.scene_id = j.scene_id join videos v on v.video_id = s.video_id where v.script_id = $1 and v.video_id <> $2',
				[seeded.scriptA, seeded.videoId],
			);
			expect(jobs.length).toBe(3);

			const b = await store.getScript(seeded.scriptB);
			expect([b.approval_status, b.version]).toEqual(['pending', 2]);
			const [v2] = await sql.rows<{ d: { revision: { feedback: string; previous_version: number } } }>(
				'select script_data as d from script_versions where script_id = $1 and version_number = 2',
				[seeded.scriptB],
			);
			expect(v2.d.revision).toMatchObject({ feedback: FEEDBACK, previous_version: 1 });
			const approvalsB = await sql.rows<{ status: string; feedback: string | null }>(
				'select status, feedback from approvals where entity_id = $1 order by created_at',
				[seeded.scriptB],
			);
			expect(approvalsB).toEqual([
				{ status: 'rejected', feedback: FEEDBACK },
				{ status: 'pending', feedback: null },
			]);
			expect(urlB2).toContain(`approval=${(await sql.rows<{ id: string }>("select approval_id as id from approvals where entity_id = $1 and status = 'pending'", [seeded.scriptB]))[0].id}`);

			const c = await sql.rows<{ approval_status: string; state_version: number }>('select approval_status, state_version from scripts where script_id = $1', [seeded.scriptC]);
			expect(c).toEqual([{ approval_status: 'pending', state_version: seeded.stateVersionC }]);
			const approvalsC = await sql.rows<{ status: string; decided_at: string | null }>('select status, decided_at from approvals where entity_id = $1', [seeded.scriptC]);
			expect(approvalsC).toHaveLength(1);
			expect(approvalsC[0].decided_at).toBeNull();
			expect(['pending', 'expired']).toContain(approvalsC[0].status);

			const video = await sql.rows<{ approval_status: string }>('select approval_status from videos where video_id = $1', [seeded.videoId]);
			expect(video).toEqual([{ approval_status: 'pending' }]);
		});
	}, 120_000);
});
