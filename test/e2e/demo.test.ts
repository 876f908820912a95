/**
 * The README's first command, end to end: `node scripts/demo.js --exit` runs the demo campaign
 * through all five pillars in a real n8n (local providers), approving every gate through its signed
 * link. Then the outputs are checked with ffprobe, the store (statuses, ledger invariant, receipts,
 * audit trail, approvals) and the outbox.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { probeMedia } from '../../lib/media/probe';
import { EmbeddedTransport } from '../../lib/store/embedded';
import { Store } from '../../lib/store';
import { ROOT } from '../helpers/e2e';

interface Manifest {
	campaign_id: string;
	video_id: string;
	outputs: { master: string; wide: string; square: string; thumbnails: string[] };
	posts: Array<{ post_id: string; platform: string; status: string; platform_post_id: string; outbox_folder: string | null }>;
	reports: { campaign_json: string; campaign_html: string; safety: string };
	approvals: Array<{ entity: string; entity_id: string; approval_id: string }>;
}

// Each step calls real n8n (webhooks, ffmpeg, the store): jest's 5 s default is not a bound on them.
jest.setTimeout(180_000);

let out: string;
let manifest: Manifest;
let log = '';

beforeAll(async () => {
	out = mkdtempSync(join(tmpdir(), 'bi-demo-'));
	log = await new Promise<string>((resolve, reject) => {
		execFile('node', [join(ROOT, 'scripts', 'demo.js'), '--exit', '--out', out], { cwd: ROOT, timeout: 40 * 60_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NODE_ENV: 'production' } }, (err, stdout, stderr) => {
			if (err) reject(new Error(`demo failed: ${err.message}\n${stdout}\n${stderr}`));
			else resolve(stdout);
		});
	});
	manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
}, 45 * 60_000);

afterAll(() => {
	if (out && !process.env.BI_KEEP_E2E) rmSync(out, { recursive: true, force: true });
});

test('the demo shows progress and says where everything is', () => {
	expect(log).toMatch(/production: \d+ of \d+ scenes ready/);
	expect(log).toMatch(/approval link for the script arrived/);
	expect(log).toMatch(/n8n is running: editor http:\/\/127\.0\.0\.1:\d+/);
	for (const p of [manifest.outputs.master, manifest.reports.campaign_html]) expect(log).toContain(p.split('/').pop());
});

test('the three formats are real videos of the right shape, with voice, and thumbnails exist', async () => {
	const expected: Record<string, [string, number, number]> = { master: [manifest.outputs.master, 1080, 1920], wide: [manifest.outputs.wide, 1920, 1080], square: [manifest.outputs.square, 1080, 1080] };
	const durations: number[] = [];
	for (const [, [path, w, h]] of Object.entries(expected)) {
		expect(path.startsWith(out)).toBe(true);
		const info = await probeMedia(path);
		expect([info.width, info.height, info.hasVideo, info.hasAudio, info.videoCodec, info.audioCodec]).toEqual([w, h, true, true, 'h264', 'aac']);
		expect(info.durationSeconds).toBeGreaterThanOrEqual(15);
		expect(info.durationSeconds).toBeLessThanOrEqual(61);
		durations.push(info.durationSeconds);
	}
	// The three cuts are the same edit.
	expect(Math.max(...durations) - Math.min(...durations)).toBeLessThan(0.25);
	expect(manifest.outputs.thumbnails.length).toBeGreaterThan(0);
	for (const t of manifest.outputs.thumbnails) expect(existsSync(t)).toBe(true);
});

test('one post per platform in the outbox, each with its receipt and video; the reports are written', async () => {
	expect(manifest.posts.length).toBeGreaterThanOrEqual(1);
	const outboxDirs = readdirSync(join(out, 'outbox')).filter((d) => existsSync(join(out, 'outbox', d, 'receipt.json')));
	expect(outboxDirs).toHaveLength(manifest.posts.length);
	for (const p of manifest.posts) {
		expect(p.status).toBe('published');
		const receipt = JSON.parse(readFileSync(join(p.outbox_folder!, 'receipt.json'), 'utf8')) as Record<string, unknown>;
		expect(JSON.stringify(receipt)).toContain(p.platform_post_id);
		const video = readdirSync(p.outbox_folder!).find((f) => f.startsWith('video.'))!;
		const info = await probeMedia(join(p.outbox_folder!, video));
		expect([info.width, info.height]).toEqual([1080, 1920]);
	}
	const report = JSON.parse(readFileSync(manifest.reports.campaign_json, 'utf8')) as { campaign: { campaign_id: string }; posts: unknown[] };
	expect(report.campaign.campaign_id).toBe(manifest.campaign_id);
	expect(readFileSync(manifest.reports.campaign_html, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
	const safety = JSON.parse(readFileSync(manifest.reports.safety, 'utf8')) as Array<{ entity: string; route: string }>;
	expect(new Set(safety.map((r) => r.entity))).toEqual(new Set(['script', 'video', 'caption']));
	// The publish gate's verdict on the video decides whether the post waited for a person.
	const videoRoute = safety.filter((r) => r.entity === 'video').map((r) => r.route);
	expect(videoRoute.length).toBe(1);
	expect(['pass', 'human_review']).toContain(videoRoute[0]);
	const held = manifest.approvals.some((a) => a.entity === 'platform_post');
	expect(held).toBe(videoRoute[0] === 'human_review' || safety.some((r) => r.entity === 'caption' && r.route !== 'pass'));
});

test('the store tells the same story: every gate approved once, statuses, receipts, the ledger invariant', async () => {
	const transport = await EmbeddedTransport.open(join(out, 'store'));
	try {
		const store = new Store(transport);
		const sql = transport.session;
		// Brief, script and video always pass a person; a post only when the publish gate held it.
		const gates = manifest.approvals.map((a) => a.entity);
		expect(gates.slice(0, 3)).toEqual(['creative_brief', 'script', 'video']);
		expect(gates.slice(3)).toEqual(gates.length === 4 ? ['platform_post'] : []);
		const approvals = await sql.rows<{ entity: string; status: string }>('select entity, status from approvals where campaign_id = $1 order by created_at', [manifest.campaign_id]);
		expect(approvals).toEqual(gates.map((entity) => ({ entity, status: 'approved' })));
		const video = await store.getVideo(manifest.video_id);
		expect(video.approval_status).toBe('approved');
		expect((video.scenes as Array<{ status: string }>).every((s) => s.status === 'ready')).toBe(true);
		const posts = await sql.rows<{ publication_status: string; platform_post_id: string }>('select publication_status, platform_post_id from platform_posts where campaign_id = $1', [manifest.campaign_id]);
		expect(posts.map((p) => p.publication_status)).toEqual(manifest.posts.map(() => 'published'));
		expect(posts.map((p) => p.platform_post_id).sort()).toEqual(manifest.posts.map((p) => p.platform_post_id).sort());
		const [ledger] = await sql.rows<{ sum: string; current: string }>(
			'select coalesce((select sum(amount_usd) from cost_ledger where campaign_id = c.campaign_id), 0)::numeric(18,6)::text as sum, c.current_cost_usd::numeric(18,6)::text as current from campaigns c where c.campaign_id = $1',
			[manifest.campaign_id],
		);
		expect(ledger.current).toBe(ledger.sum);
		const trail = await store.auditTrail(manifest.campaign_id, 2000);
		const actions = new Set(trail.map((e) => `${e.entity}:${(e.new_state as { status?: string } | null)?.status ?? e.action}`));
		for (const step of ['creative_brief:approved', 'script:approved', 'video:approved', 'platform_post:published']) expect(actions).toContain(step);
	} finally {
		await transport.close();
	}
});
