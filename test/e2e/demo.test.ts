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

interface Outputs {
	master: string;
	wide: string;
	square: string;
	thumbnails: string[];
	contact_sheet: string;
}
interface Post {
	post_id: string;
	variant_id: string;
	platform: string;
	status: string;
	platform_post_id: string;
	outbox_folder: string | null;
}
interface Manifest {
	campaign_id: string;
	campaign_status: string;
	video_id: string;
	outputs: Outputs;
	variants: Array<{ variant_id: string; variant_type: string; status: string; hook: string; script_id: string; video_id: string; outputs: Outputs; posts: Post[] }>;
	posts: Post[];
	variant_comparison: { comparisons: Array<{ significant: boolean }>; summary: string[]; metrics_source: string };
	reports: { campaign_json: string; campaign_html: string; variant_comparison: string; safety: string };
	approvals: Array<{ entity: string; entity_id: string; approval_id: string }>;
}

const REQUEST = JSON.parse(readFileSync(join(ROOT, 'examples', 'stride', 'campaign-request.json'), 'utf8')) as { variants: number; target_platforms: string[] };

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

test('each variant has its own hook and three real videos of the right shape, with voice, and thumbnails', async () => {
	expect(manifest.variants).toHaveLength(REQUEST.variants);
	expect(new Set(manifest.variants.map((v) => v.variant_type)).size).toBe(REQUEST.variants);
	expect(new Set(manifest.variants.map((v) => v.hook)).size).toBe(REQUEST.variants);
	expect(new Set(manifest.variants.map((v) => v.outputs.master)).size).toBe(REQUEST.variants);
	for (const v of manifest.variants) {
		const expected: Record<string, [string, number, number]> = { master: [v.outputs.master, 1080, 1920], wide: [v.outputs.wide, 1920, 1080], square: [v.outputs.square, 1080, 1080] };
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
		expect(v.outputs.thumbnails.length).toBeGreaterThan(0);
		for (const t of v.outputs.thumbnails) expect(existsSync(t)).toBe(true);
	}
});

test('each video is built from the brand library, stock and typography (no gradient card, no asset twice), closes on the logo end card, and passes the gate at -14 LUFS with no 1 s silence', async () => {
	const report = JSON.parse(readFileSync(manifest.reports.campaign_json, 'utf8')) as {
		scene_sources: Array<{ video_id: string; sequence: number; source: { type: string; media_id?: string } }>;
	};
	for (const v of manifest.variants) {
		const scenes = report.scene_sources.filter((r) => r.video_id === v.video_id).sort((a, b) => a.sequence - b.sequence);
		expect(scenes.length).toBeGreaterThanOrEqual(3);
		for (const s of scenes) expect(['library_asset', 'stock', 'typography', 'end_card']).toContain(s.source.type);
		expect(scenes.some((s) => s.source.type === 'library_asset')).toBe(true);
		expect(scenes[scenes.length - 1].source.type).toBe('end_card');
		const assets = scenes.filter((s) => s.source.type === 'library_asset' || s.source.type === 'stock').map((s) => s.source.media_id);
		expect(new Set(assets).size).toBe(assets.length);
		expect(existsSync(v.outputs.contact_sheet)).toBe(true);
	}
	const safety = JSON.parse(readFileSync(manifest.reports.safety, 'utf8')) as Array<{ entity: string; checks: Array<{ name: string; passed: boolean; reason: string }> }>;
	const gates = safety.filter((r) => r.entity === 'video');
	expect(gates).toHaveLength(manifest.variants.length);
	for (const g of gates) {
		const check = (name: string) => g.checks.find((c) => c.name === name)!;
		expect(check('media_silence')).toMatchObject({ passed: true, reason: 'no silence of 1 s or more' });
		expect(check('media_loudness').passed).toBe(true);
		const lufs = Number(/(-?\d+(?:\.\d+)?) LUFS/.exec(check('media_loudness').reason)![1]);
		expect(Math.abs(lufs + 14)).toBeLessThanOrEqual(1);
	}
});

test('one post per variant and requested platform (on the loopback fakes) plus the outbox copy; the reports are written', async () => {
	expect(log).toMatch(/started loopback fakes of TikTok http:\/\/127\.0\.0\.1:\d+/);
	for (const v of manifest.variants) {
		expect(v.posts.map((p) => p.platform).sort()).toEqual([...REQUEST.target_platforms, 'outbox'].sort());
		for (const p of v.posts) {
			expect(p).toMatchObject({ status: 'published', variant_id: v.variant_id });
			expect(p.platform_post_id).toBeTruthy();
		}
	}
	const outboxPosts = manifest.posts.filter((p) => p.platform === 'outbox');
	const outboxDirs = readdirSync(join(out, 'outbox')).filter((d) => existsSync(join(out, 'outbox', d, 'receipt.json')));
	expect(outboxDirs).toHaveLength(outboxPosts.length);
	for (const p of outboxPosts) {
		const receipt = JSON.parse(readFileSync(join(p.outbox_folder!, 'receipt.json'), 'utf8')) as Record<string, unknown>;
		expect(JSON.stringify(receipt)).toContain(p.platform_post_id);
		const video = readdirSync(p.outbox_folder!).find((f) => f.startsWith('video.'))!;
		const info = await probeMedia(join(p.outbox_folder!, video));
		expect([info.width, info.height]).toEqual([1080, 1920]);
	}
	const report = JSON.parse(readFileSync(manifest.reports.campaign_json, 'utf8')) as {
		campaign: { campaign_id: string; status: string };
		cost: { by_variant: Array<{ variant_id: string; total_usd: string }> };
		variants: Array<{ variant_id: string; views: number }>;
		metrics_source: string;
	};
	expect(report.campaign).toMatchObject({ campaign_id: manifest.campaign_id, status: 'published' });
	expect(report.cost.by_variant.map((c) => c.variant_id).sort()).toEqual(manifest.variants.map((v) => v.variant_id).sort());
	for (const v of report.variants) expect(v.views).toBeGreaterThan(0);
	expect(report.metrics_source).toMatch(/^simulated audience/);
	expect(manifest.variant_comparison.comparisons.length).toBe(REQUEST.variants - 1);
	expect(manifest.variant_comparison.summary.join(' ')).toMatch(/significant/);
	expect(readFileSync(manifest.reports.campaign_html, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>/);
	const safety = JSON.parse(readFileSync(manifest.reports.safety, 'utf8')) as Array<{ entity: string; route: string }>;
	expect(new Set(safety.map((r) => r.entity))).toEqual(new Set(['script', 'video', 'caption']));
	// The publish gate's verdict on each video decides whether its posts waited for a person.
	const videoRoutes = safety.filter((r) => r.entity === 'video').map((r) => r.route);
	expect(videoRoutes).toHaveLength(REQUEST.variants);
	for (const route of videoRoutes) expect(['pass', 'human_review']).toContain(route);
	const held = manifest.approvals.some((a) => a.entity === 'platform_post');
	expect(held).toBe(videoRoutes.includes('human_review') || safety.some((r) => r.entity === 'caption' && r.route !== 'pass'));
});

test('the store tells the same story: every gate approved once, statuses, receipts, the ledger invariant', async () => {
	const transport = await EmbeddedTransport.open(join(out, 'store'));
	try {
		const store = new Store(transport);
		const sql = transport.session;
		// The brief once, each variant's script and video, and a post only when the publish gate held it.
		const gates = manifest.approvals.map((a) => a.entity);
		const count = (e: string) => gates.filter((g) => g === e).length;
		expect([count('creative_brief'), count('script'), count('video')]).toEqual([1, REQUEST.variants, REQUEST.variants]);
		expect(gates[0]).toBe('creative_brief');
		expect(gates.length - count('platform_post')).toBe(1 + 2 * REQUEST.variants);
		const approvals = await sql.rows<{ entity: string; status: string }>('select entity, status from approvals where campaign_id = $1 order by created_at', [manifest.campaign_id]);
		expect(approvals.map((a) => a.status)).toEqual(gates.map(() => 'approved'));
		expect(approvals.map((a) => a.entity).sort()).toEqual([...gates].sort());
		for (const v of manifest.variants) {
			const video = await store.getVideo(v.video_id);
			expect(video).toMatchObject({ approval_status: 'approved', variant_id: v.variant_id, script_id: v.script_id });
			expect((video.scenes as Array<{ status: string }>).every((s) => s.status === 'ready')).toBe(true);
		}
		const [campaign] = await sql.rows<{ status: string }>('select status from campaigns where campaign_id = $1', [manifest.campaign_id]);
		expect(campaign.status).toBe('published');
		const variants = await sql.rows<{ variant_id: string; status: string; script_id: string; video_id: string }>('select variant_id, status, script_id, video_id from variants where campaign_id = $1', [manifest.campaign_id]);
		expect(variants.map((v) => v.status)).toEqual(manifest.variants.map(() => 'published'));
		const posts = await sql.rows<{ publication_status: string; platform_post_id: string; variant_id: string }>('select publication_status, platform_post_id, variant_id from platform_posts where campaign_id = $1', [manifest.campaign_id]);
		expect(posts.map((p) => p.publication_status)).toEqual(manifest.posts.map(() => 'published'));
		expect(posts.map((p) => p.platform_post_id).sort()).toEqual(manifest.posts.map((p) => p.platform_post_id).sort());
		for (const p of posts) expect(manifest.variants.map((v) => v.variant_id)).toContain(p.variant_id);
		const [ledger] = await sql.rows<{ sum: string; current: string }>(
			'select coalesce((select sum(amount_usd) from cost_ledger where campaign_id = c.campaign_id), 0)::numeric(18,6)::text as sum, c.current_cost_usd::numeric(18,6)::text as current from campaigns c where c.campaign_id = $1',
			[manifest.campaign_id],
		);
		expect(ledger.current).toBe(ledger.sum);
		const trail = await store.auditTrail(manifest.campaign_id, 2000);
		const actions = new Set(trail.map((e) => `${e.entity}:${(e.new_state as { status?: string } | null)?.status ?? e.action}`));
		for (const step of ['creative_brief:approved', 'script:approved', 'video:approved', 'platform_post:published', 'variant:published', 'campaign:in_production', 'campaign:completed', 'campaign:published']) expect(actions).toContain(step);
	} finally {
		await transport.close();
	}
});
