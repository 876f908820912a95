/**
 * The approval webhook's answers on PGlite (lib/approvals/webhook.ts): the page and its status for
 * live, used, tampered and expired links, the video served only to a live link, decisions from the
 * posted form, the credential check; and a rejected script revised with the reviewer's feedback.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { requestApproval } from '../../lib/approvals/service';
import { approvalEndpoint, approvalNotice, decideFromForm, showApprovalPage } from '../../lib/approvals/webhook';
import { ValidationError } from '../../lib/domain/errors';
import { LocalEmbeddingProvider } from '../../lib/providers/embeddings/local';
import { LocalLlmProvider } from '../../lib/providers/llm/local';
import type { Store } from '../../lib/store';
import type { SqlSession } from '../../lib/store/migrations';
import { generateBrief } from '../../lib/strategy/brand-rag';
import { reviseScriptWithFeedback } from '../../lib/strategy/copywriter';
import { tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
let sql: SqlSession;
let dir: string;
let briefId: string;
let campaignId: string;
const SECRET = randomBytes(32).toString('base64');
const PUBLIC = 'https://n8n.example.test/webhook/brand-infinity/approval';
const endpoint = { secret: SECRET, publicUrl: PUBLIC };

const scene = (n: number, voice: string) => ({
	sequence: n,
	duration_seconds: 5,
	visual_prompt: `scene ${n}, navy #0A2540, cinematic`,
	voiceover_text: voice,
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'static', lighting: 'soft' },
	audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' },
});
const newScript = async () =>
	(
		await store.createScript({
			brief_id: briefId,
			script: {
				hook: { text: 'Your run deserves better.', hook_type: 'statement', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' },
				scenes: [scene(1, 'Your run deserves better.'), scene(2, 'Light and springy.'), scene(3, 'Stride. Run further.')],
				voiceover_full_text: 'Your run deserves better. Light and springy. Stride. Run further.',
				total_duration_seconds: 15,
				variant_tag: 'emotional',
			},
		})
	).script_id as string;
const link = (url: string) => Object.fromEntries(new URL(url).searchParams);

beforeAll(async () => {
	t = await tempStore();
	store = t.store;
	sql = t.transport.session;
	dir = mkdtempSync(join(tmpdir(), 'bi-approval-webhook-'));
	const brand = await store.createBrand({ brand_name: 'Stride', tone: 'warm', visual_style: 'cinematic natural light', color_palette: ['#0A2540'], restricted_keywords: ['cheap'] });
	const brief = await generateBrief(
		{ store, embedder: new LocalEmbeddingProvider(), llm: new LocalLlmProvider() },
		{ brand_id: brand.brand_id, product_category: 'running shoes', target_demographic: 'urban runners', campaign_objective: 'awareness', budget_tier: 'standard' },
		{ createCampaign: true, autoApprove: true },
	);
	briefId = brief.brief_id as string;
	campaignId = brief.campaign_id as string;
	if (brief.approval_status !== 'approved') {
		await store.transition({ entity: 'creative_brief', id: briefId, expectedVersion: brief.state_version as number, toStatus: 'approved' });
	}
}, 60_000);
afterAll(async () => {
	await t.close();
	rmSync(dir, { recursive: true, force: true });
});

test('the credential check names the field at fault', () => {
	expect(approvalEndpoint({ secret: SECRET, publicUrl: PUBLIC, ttlSeconds: 600 })).toMatchObject({ publicUrl: PUBLIC, ttlSeconds: 600, notifyUrl: '' });
	const bad: [Record<string, unknown>, string][] = [
		[{ secret: 'short', publicUrl: PUBLIC }, 'secret'],
		[{ secret: SECRET, publicUrl: '/webhook/brand-infinity/approval' }, 'publicUrl'],
		[{ secret: SECRET, publicUrl: 'ftp://x/y' }, 'publicUrl'],
		[{ secret: SECRET, publicUrl: PUBLIC, notifyUrl: 'hooks.slack.com' }, 'notifyUrl'],
	];
	for (const [fields, field] of bad) {
		let err: unknown;
		try {
			approvalEndpoint(fields);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(ValidationError);
		expect(err).toMatchObject({ field });
	}
});

test('a live link shows the page; the form decides once; the used link then answers 409 everywhere', async () => {
	const scriptId = await newScript();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: PUBLIC, secret: SECRET });
	const notice = approvalNotice(req);
	expect(notice).toMatchObject({ url: req.url, approval_id: req.approval_id, entity: 'script' });
	expect(notice.text).toContain(req.url);

	const page = await showApprovalPage(store, link(req.url), endpoint);
	expect(page).toMatchObject({ kind: 'page', status_code: 200, entity: 'script', entity_id: scriptId, status: 'pending', video: 'none' });
	if (page.kind !== 'page') throw new Error('expected a page');
	expect(page.html).toContain('Light and springy.');
	expect(page.html).toContain(`action="${PUBLIC}"`);
	expect(page.headers['X-Frame-Options']).toBe('DENY');

	const { token, approval } = link(req.url);
	const form = new URLSearchParams({ approval, token, decision: 'approved', feedback: ' fine ' }).toString();
	const decided = await decideFromForm(store, form, { ...endpoint, actor: 'reviewer@example.com' });
	expect(decided).toMatchObject({ kind: 'approved', status_code: 200 });
	if (decided.kind !== 'approved') throw new Error('expected approved');
	expect(decided.result).toMatchObject({ entity_id: scriptId, next_pillar: 'production', next_action: 'continue', feedback: 'fine', decided_by: 'reviewer@example.com' });

	const again = await decideFromForm(store, { approval, token, decision: 'rejected' }, endpoint);
	expect(again).toMatchObject({ kind: 'refused', reason: 'reused', status_code: 409 });
	const reopened = await showApprovalPage(store, link(req.url), endpoint);
	expect(reopened).toMatchObject({ kind: 'page', status: 'approved', status_code: 409 });
	if (reopened.kind !== 'page') throw new Error('expected a page');
	expect(reopened.html).not.toContain('<button');
	expect((await store.getScript(scriptId)).approval_status).toBe('approved');
});

test('tampered, malformed and expired links are refused with their status; a bad form is a 400', async () => {
	const scriptId = await newScript();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: PUBLIC, secret: SECRET, ttlSeconds: 60 });
	const q = link(req.url);
	const tampered = { ...q, token: `${q.token.slice(0, -1)}${q.token.endsWith('A') ? 'B' : 'A'}` };
	expect(await showApprovalPage(store, tampered, endpoint)).toMatchObject({ kind: 'refused', reason: 'tampered', status_code: 403 });
	expect(await showApprovalPage(store, { approval: q.approval }, endpoint)).toMatchObject({ kind: 'refused', reason: 'invalid_request', status_code: 400 });
	expect(await showApprovalPage(store, { ...q, token: 'not a token' }, endpoint)).toMatchObject({ kind: 'refused', reason: 'malformed', status_code: 400 });
	expect(await showApprovalPage(store, { ...q, media: 'audio' }, endpoint)).toMatchObject({ kind: 'refused', status_code: 400 });
	expect(await decideFromForm(store, { ...q, decision: 'maybe' }, endpoint)).toMatchObject({ kind: 'refused', status_code: 400 });

	const later = Date.now() + 120_000;
	const expiredPage = await showApprovalPage(store, q, { ...endpoint, now: later });
	expect(expiredPage).toMatchObject({ kind: 'page', status: 'expired', status_code: 410 });
	const expiredDecision = await decideFromForm(store, { ...q, decision: 'approved' }, { ...endpoint, now: later });
	expect(expiredDecision).toMatchObject({ kind: 'refused', reason: 'expired', status_code: 410 });
	const [row] = await sql.rows<{ status: string }>('select status from approvals where approval_id = $1', [q.approval]);
	expect(row.status).toBe('pending');
	expect((await store.getScript(scriptId)).approval_status).toBe('pending');
});

test('a video approval serves its file to a live link only, and links an http(s) video directly', async () => {
	const scriptId = await newScript();
	const file = join(dir, 'master.mp4');
	writeFileSync(file, Buffer.alloc(2048, 1));
	const [v] = await sql.rows<{ id: string }>(
		"insert into videos (script_id, campaign_id, master_mp4_url, approval_status) values ($1, $2, $3, 'draft') returning video_id as id",
		[scriptId, campaignId, file],
	);
	const req = await requestApproval(store, { entity: 'video', entityId: v.id, baseUrl: PUBLIC, secret: SECRET });
	const page = await showApprovalPage(store, link(req.url), endpoint);
	expect(page).toMatchObject({ kind: 'page', video: 'served' });
	if (page.kind !== 'page') throw new Error('expected a page');
	expect(page.html).toMatch(/<video [^>]*src="https:\/\/n8n\.example\.test\/webhook\/brand-infinity\/approval\?approval=[^"]+&amp;media=video"/);
	expect(page.html).toContain('media-src https://n8n.example.test');
	const media = await showApprovalPage(store, { ...link(req.url), media: 'video' }, endpoint);
	expect(media).toMatchObject({ kind: 'media', path: file, content_type: 'video/mp4', size: 2048, status_code: 200 });
	expect(await showApprovalPage(store, { ...link(req.url), media: 'video', token: 'a.b' }, endpoint)).toMatchObject({ kind: 'refused', status_code: 403 });

	const { approval, token } = link(req.url);
	await decideFromForm(store, { approval, token, decision: 'rejected', feedback: 'too dark' }, endpoint);
	expect(await showApprovalPage(store, { ...link(req.url), media: 'video' }, endpoint)).toMatchObject({ kind: 'refused', reason: 'reused', status_code: 409 });

	const [w] = await sql.rows<{ id: string }>(
		"insert into videos (script_id, campaign_id, master_mp4_url, approval_status) values ($1, $2, 'https://cdn.example.test/v.mp4', 'draft') returning video_id as id",
		[scriptId, campaignId],
	);
	const remote = await requestApproval(store, { entity: 'video', entityId: w.id, baseUrl: PUBLIC, secret: SECRET });
	const remotePage = await showApprovalPage(store, link(remote.url), endpoint);
	expect(remotePage).toMatchObject({ kind: 'page', video: 'linked' });
	if (remotePage.kind !== 'page') throw new Error('expected a page');
	expect(remotePage.html).toContain('src="https://cdn.example.test/v.mp4"');
});

test('a rejected script is revised with the feedback as its next version; a pending one is not', async () => {
	const scriptId = await newScript();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: PUBLIC, secret: SECRET });
	await expect(reviseScriptWithFeedback({ store, llm: new LocalLlmProvider() }, { scriptId, feedback: 'x' })).rejects.toMatchObject({ field: 'script_id' });
	const { approval, token } = link(req.url);
	await decideFromForm(store, { approval, token, decision: 'rejected', feedback: 'Mention the river trail.' }, endpoint);
	const revised = await reviseScriptWithFeedback({ store, llm: new LocalLlmProvider() }, { scriptId, feedback: 'Mention the river trail.', approvalId: approval });
	expect(revised).toMatchObject({ script_id: scriptId, version: 2, revision: { feedback: 'Mention the river trail.', approval_id: approval, previous_version: 1 } });
	const script = await store.getScript(scriptId);
	expect([script.approval_status, script.version]).toEqual(['rejected', 2]);
	expect(script.voiceover_full_text).not.toBe('Your run deserves better. Light and springy. Stride. Run further.');
	const [v2] = await sql.rows<{ d: { revision: { feedback: string } } }>('select script_data as d from script_versions where script_id = $1 and version_number = 2', [scriptId]);
	expect(v2.d.revision.feedback).toBe('Mention the river trail.');
	// A new link moves the revision back to pending.
	const next = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: PUBLIC, secret: SECRET });
	expect(next.entity_status).toBe('pending');
});
