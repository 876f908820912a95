/**
 * Durable approvals on PGlite: a row plus a signed link. Request → decide moves the approval and the
 * asset with OCC and writes the audit; a rejection carries the feedback back; an expired, tampered,
 * reused, replaced or wrong-audience link is refused and changes nothing; the token is never stored.
 */
import { createHash, randomBytes } from 'node:crypto';

import { ApprovalLinkError, signApprovalToken, tokenHash, verifyApprovalToken } from '../../lib/approvals/links';
import { approvalPage, decide, readDecisionForm, requestApproval, resultPage, viewApproval, type DecisionResult } from '../../lib/approvals/service';
import { ValidationError, VersionConflictError } from '../../lib/domain/errors';
import type { SqlSession } from '../../lib/store/migrations';
import type { Json, Store } from '../../lib/store';
import { seedCampaign, tempStore } from '../helpers/store';

let t: Awaited<ReturnType<typeof tempStore>>;
let store: Store;
let sql: SqlSession;
const SECRET = randomBytes(32).toString('hex');
const BASE = 'https://n8n.example.test/webhook/approvals';

beforeAll(async () => {
	t = await tempStore();
	store = t.store;
	sql = t.transport.session;
}, 60_000);
afterAll(() => t.close());

const scene = (n: number) => ({
	sequence: n,
	duration_seconds: 5,
	visual_prompt: `scene ${n} in teal`,
	voiceover_text: `line ${n}`,
	visual_cues: { style: 'cinematic', color_palette: ['#0A2540'], camera_movement: 'static', lighting: 'soft' },
	audio_cues: { music_style: 'pop', sfx: [], voice_tone: 'warm' },
});

async function seedAssets(): Promise<{ campaignId: string; briefId: string; scriptId: string; brandId: string }> {
	const { brand, campaign } = await seedCampaign(store, '20');
	const brief = await store.createBrief({
		brand_id: brand.brand_id,
		campaign_id: campaign.campaign_id,
		campaign_request: { product: 'tea' },
		creative_brief: { core_message: { primary_hook: 'Tea <script>alert(1)</script> time', value_proposition: 'calm', call_to_action: 'Try it' } },
		brand_alignment_score: 0.9,
	});
	const script = await store.createScript({
		brief_id: brief.brief_id as string,
		script: {
			hook: { text: 'Ever tried <b>tea</b>?', hook_type: 'question', quality_score: 0.8, variations_generated: 50, selected_rationale: 'r' },
			scenes: [scene(1), scene(2), scene(3)],
			voiceover_full_text: 'line 1 line 2 line 3',
			total_duration_seconds: 15,
			variant_tag: 'humorous',
		},
	});
	return { campaignId: campaign.campaign_id as string, briefId: brief.brief_id as string, scriptId: script.script_id as string, brandId: brand.brand_id as string };
}

async function row(table: string, idColumn: string, id: string): Promise<Json> {
	const [r] = await sql.rows<{ r: Json }>(`select to_jsonb(t) as r from public.${table} t where ${idColumn} = $1`, [id]);
	return r.r;
}

/** Everything a decision could touch: both rows, the audit log, the pipeline events. */
async function snapshot(approvalId: string, table: string, idColumn: string, id: string): Promise<Json> {
	const [counts] = await sql.rows<{ audit: number; events: number }>(
		'select (select count(*)::int from campaign_audit_log) as audit, (select count(*)::int from pipeline_events) as events',
	);
	return { approval: await row('approvals', 'approval_id', approvalId), asset: await row(table, idColumn, id), ...counts };
}

async function refused(p: Promise<unknown>, reason: string): Promise<ApprovalLinkError> {
	const err = await p.then(
		() => {
			throw new Error(`expected a refusal (${reason})`);
		},
		(e: unknown) => e,
	);
	expect(err).toBeInstanceOf(ApprovalLinkError);
	expect(err).toMatchObject({ reason });
	return err as ApprovalLinkError;
}

const linkParts = (url: string) => {
	const u = new URL(url);
	return { approvalId: u.searchParams.get('approval') as string, token: u.searchParams.get('token') as string };
};

test('request → page → approve: the script moves draft → pending → approved with OCC, audited, and the next pillar is named', async () => {
	const { campaignId, scriptId } = await seedAssets();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET, actor: 'copywriter', context: { workflow: 'production' } });
	expect(req).toMatchObject({ entity: 'script', entity_id: scriptId, campaign_id: campaignId, entity_status: 'pending' });
	expect(req.url.startsWith(`${BASE}?approval=${req.approval_id}&token=`)).toBe(true);
	expect(Date.parse(req.expires_at) - Date.now()).toBeGreaterThan(3500_000);
	expect(Date.parse(req.expires_at) - Date.now()).toBeLessThanOrEqual(3600_000);
	const { approvalId, token } = linkParts(req.url);
	expect(approvalId).toBe(req.approval_id);

	// The request itself moved the script to pending and recorded that version.
	const script = await row('scripts', 'script_id', scriptId);
	expect(script).toMatchObject({ approval_status: 'pending', state_version: 2 });
	expect(await row('approvals', 'approval_id', approvalId)).toMatchObject({ status: 'pending', entity_version: 2, token_hash: tokenHash(token), requested_by: 'copywriter' });

	// The page shows the script, escaped, with the form posting the token back.
	const view = await viewApproval(store, { token, secret: SECRET, approvalId });
	expect(view).toMatchObject({ approval_id: approvalId, effective_status: 'pending', cost_so_far: '0.000000', campaign: { campaign_name: 'Spring launch', brand_name: 'Acme' } });
	expect(view).not.toHaveProperty('token_hash');
	const html = approvalPage(view, { actionUrl: BASE, token });
	expect(html).toContain('Ever tried &lt;b&gt;tea&lt;/b&gt;?');
	expect(html).not.toContain('<b>tea</b>');
	expect(html).toContain(`name="token" value="${token}"`);
	expect(html).toContain('value="approved">Approve</button>');
	expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[^"]+; form-action https:\/\/n8n\.example\.test/);
	expect(html).not.toMatch(/<script/i);

	const form = readDecisionForm(`approval=${approvalId}&token=${encodeURIComponent(token)}&decision=approved&feedback=`);
	const auditBefore = (await store.auditTrail(campaignId, 1000)).length;
	const result = await decide(store, { ...form, secret: SECRET, actor: 'creative.director@example.test' });
	expect(result).toMatchObject({
		approval_id: approvalId,
		entity: 'script',
		entity_id: scriptId,
		decision: 'approved',
		feedback: null,
		campaign_id: campaignId,
		entity_status: 'approved',
		entity_state_version: 3,
		next_pillar: 'production',
		next_action: 'continue',
		context: { workflow: 'production' },
		decided_by: 'creative.director@example.test',
	});
	expect(await row('scripts', 'script_id', scriptId)).toMatchObject({ approval_status: 'approved', state_version: 3 });
	expect(await row('approvals', 'approval_id', approvalId)).toMatchObject({ status: 'approved', state_version: 2, decided_by: 'creative.director@example.test' });

	const audit = (await store.auditTrail(campaignId, 1000)).slice(auditBefore);
	expect(audit.map((a) => [a.action, a.entity, (a.new_state as Json).status])).toEqual([
		['transition', 'script', 'approved'],
		['transition', 'approval', 'approved'],
		['decide_approval', 'script', 'approved'],
	]);
	const [event] = await sql.rows<{ event_type: string; payload: Json }>('select event_type, payload from pipeline_events where payload->>\'approval_id\' = $1', [approvalId]);
	expect(event).toMatchObject({ event_type: 'approval_approved', payload: { entity: 'script', next_pillar: 'production' } });
	expect(resultPage(result)).toContain('the production step starts now');
});

test('reject with feedback: the brief is rejected, the feedback is kept and handed back to regenerate', async () => {
	const { campaignId, briefId } = await seedAssets();
	// bi_create_brief leaves a brief pending already.
	const req = await requestApproval(store, { entity: 'creative_brief', entityId: briefId, baseUrl: BASE, secret: SECRET });
	expect(req.entity_status).toBe('pending');
	const { approvalId, token } = linkParts(req.url);
	const view = await viewApproval(store, { token, secret: SECRET, approvalId });
	const html = approvalPage(view, { actionUrl: BASE, token });
	expect(html).toContain('Tea &lt;script&gt;alert(1)&lt;/script&gt; time');
	expect(html).toContain('brand alignment score: <strong>0.90</strong>');

	const feedback = 'Too pushy. Mention the <calm> angle & drop the "alert".';
	const result = await decide(store, { token, approvalId, decision: 'rejected', feedback, secret: SECRET, actor: 'brand.manager' });
	expect(result).toMatchObject({ decision: 'rejected', feedback, entity: 'creative_brief', next_pillar: 'strategist', next_action: 'regenerate', campaign_id: campaignId });
	const brief = await row('creative_briefs', 'brief_id', briefId);
	expect(brief).toMatchObject({ approval_status: 'rejected', creative_brief: { approval_status: 'rejected' } });
	expect(await row('approvals', 'approval_id', approvalId)).toMatchObject({ status: 'rejected', feedback, decided_by: 'brand.manager' });
	const page = resultPage(result);
	expect(page).toContain('Too pushy. Mention the &lt;calm&gt; angle &amp; drop the &quot;alert&quot;.');
	expect(page).toContain('goes back to the strategist step with your feedback');

	// The regenerated brief goes back for approval: rejected → draft → pending, with a new link.
	const again = await requestApproval(store, { entity: 'creative_brief', entityId: briefId, baseUrl: BASE, secret: SECRET });
	expect(again.entity_status).toBe('pending');
	const second = linkParts(again.url);
	await expect(decide(store, { ...second, decision: 'approved', secret: SECRET })).resolves.toMatchObject({ next_pillar: 'copywriter', entity_status: 'approved' });
});

test('an expired link is refused, by the token and by the store, and changes nothing', async () => {
	const { scriptId } = await seedAssets();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET, ttlSeconds: 60 });
	const { approvalId, token } = linkParts(req.url);
	const before = await snapshot(approvalId, 'scripts', 'script_id', scriptId);

	// The token's own expiry, checked before the store is asked.
	await refused(decide(store, { token, approvalId, decision: 'approved', secret: SECRET, now: Date.now() + 61_000 }), 'expired');
	// The store's clock: the row is past its expiry although the token still looks valid here.
	await sql.exec(`update approvals set expires_at = now() - interval '1 second' where approval_id = '${approvalId}'`);
	const expiredBefore = await snapshot(approvalId, 'scripts', 'script_id', scriptId);
	const err = await refused(decide(store, { token, approvalId, decision: 'approved', secret: SECRET }), 'expired');
	expect(err.httpStatus).toBe(410);
	expect(resultPage(err)).toContain('This approval link has expired');
	expect(await snapshot(approvalId, 'scripts', 'script_id', scriptId)).toEqual(expiredBefore);
	expect((before.asset as Json).approval_status).toBe('pending');
	expect(await row('scripts', 'script_id', scriptId)).toMatchObject({ approval_status: 'pending', state_version: (before.asset as Json).state_version });

	// The page still says what it was for, without the form.
	const view = await viewApproval(store, { token, secret: SECRET, approvalId });
	expect(view.effective_status).toBe('expired');
	const html = approvalPage(view, { actionUrl: BASE, token });
	expect(html).toContain('This approval link has expired');
	expect(html).not.toContain('<form');

	// The sweeper closes it; a new link can then be sent and used.
	expect(await store.expireApprovals()).toMatchObject({ approval_ids: expect.arrayContaining([approvalId]) });
	expect(await row('approvals', 'approval_id', approvalId)).toMatchObject({ status: 'expired' });
	await refused(decide(store, { token, approvalId, decision: 'approved', secret: SECRET }), 'expired');
	const fresh = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET });
	await expect(decide(store, { ...linkParts(fresh.url), decision: 'approved', secret: SECRET })).resolves.toMatchObject({ entity_status: 'approved' });
});

test('a tampered or forged token is refused and changes nothing', async () => {
	const { scriptId } = await seedAssets();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET });
	const { approvalId, token } = linkParts(req.url);
	const before = await snapshot(approvalId, 'scripts', 'script_id', scriptId);
	const [body, sig] = token.split('.');

	const flipped = `${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
	await refused(decide(store, { token: flipped, approvalId, decision: 'approved', secret: SECRET }), 'tampered');
	// A payload with a later expiry, keeping the old signature.
	const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Json;
	const longer = Buffer.from(JSON.stringify({ ...payload, exp: Number(payload.exp) + 86400 })).toString('base64url');
	await refused(decide(store, { token: `${longer}.${sig}`, approvalId, decision: 'approved', secret: SECRET }), 'tampered');
	// Signed with another key.
	const other = signApprovalToken({ approvalId, expiresAt: Date.now() + 3600_000 }, randomBytes(32));
	await refused(decide(store, { token: other, approvalId, decision: 'approved', secret: SECRET }), 'tampered');
	// Signed with the right key for this approval, but not the link that was issued (single-use record).
	const forged = signApprovalToken({ approvalId, expiresAt: Date.now() + 3600_000 }, SECRET);
	const err = await refused(decide(store, { token: forged, approvalId, decision: 'approved', secret: SECRET }), 'tampered');
	expect(err.detail).toMatchObject({ store_code: 'BI422' });
	await refused(viewApproval(store, { token: forged, secret: SECRET, approvalId }), 'tampered');
	for (const junk of ['', 'abc', `${body}.${sig}.x`, `${body}.${sig}=`, 'x'.repeat(2000)]) {
		await refused(decide(store, { token: junk, approvalId, decision: 'approved', secret: SECRET }), 'malformed');
	}
	expect(await snapshot(approvalId, 'scripts', 'script_id', scriptId)).toEqual(before);
	// The genuine link still works afterwards.
	await expect(decide(store, { token, approvalId, decision: 'approved', secret: SECRET })).resolves.toMatchObject({ decision: 'approved' });
});

test('a used link is refused (single use), even when two clicks race', async () => {
	const { scriptId } = await seedAssets();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET });
	const { approvalId, token } = linkParts(req.url);
	const clicks = await Promise.allSettled([
		decide(store, { token, approvalId, decision: 'approved', secret: SECRET }),
		decide(store, { token, approvalId, decision: 'rejected', feedback: 'no', secret: SECRET }),
	]);
	expect(clicks.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
	const loser = clicks.find((c) => c.status === 'rejected') as PromiseRejectedResult;
	expect(loser.reason).toMatchObject({ reason: 'reused' });
	const won = (clicks.find((c) => c.status === 'fulfilled') as PromiseFulfilledResult<DecisionResult>).value;

	const after = await snapshot(approvalId, 'scripts', 'script_id', scriptId);
	const err = await refused(decide(store, { token, approvalId, decision: won.decision === 'approved' ? 'rejected' : 'approved', secret: SECRET }), 'reused');
	expect(err.httpStatus).toBe(409);
	expect(resultPage(err)).toContain('already been used');
	expect(await snapshot(approvalId, 'scripts', 'script_id', scriptId)).toEqual(after);
	expect(await row('scripts', 'script_id', scriptId)).toMatchObject({ approval_status: won.decision });

	const html = approvalPage(await viewApproval(store, { token, secret: SECRET, approvalId }), { actionUrl: BASE, token });
	expect(html).toContain(`This was ${won.decision}. The link has been used.`);
	expect(html).not.toContain('<form');
});

test('a link presented for another approval is refused (audience)', async () => {
	const a = await seedAssets();
	const b = await seedAssets();
	const ra = linkParts((await requestApproval(store, { entity: 'script', entityId: a.scriptId, baseUrl: BASE, secret: SECRET })).url);
	const rb = linkParts((await requestApproval(store, { entity: 'script', entityId: b.scriptId, baseUrl: BASE, secret: SECRET })).url);
	const before = await snapshot(rb.approvalId, 'scripts', 'script_id', b.scriptId);
	const err = await refused(decide(store, { token: ra.token, approvalId: rb.approvalId, decision: 'approved', secret: SECRET }), 'wrong_audience');
	expect(err.httpStatus).toBe(403);
	await refused(viewApproval(store, { token: ra.token, secret: SECRET, approvalId: rb.approvalId }), 'wrong_audience');
	expect(() => verifyApprovalToken(ra.token, SECRET, { approvalId: rb.approvalId })).toThrow(ApprovalLinkError);
	expect(await snapshot(rb.approvalId, 'scripts', 'script_id', b.scriptId)).toEqual(before);
	expect(verifyApprovalToken(ra.token, SECRET, { approvalId: ra.approvalId.toUpperCase() })).toMatchObject({ aud: ra.approvalId });
});

test('the token is never stored: only its SHA-256, and no table holds the token text', async () => {
	const { scriptId } = await seedAssets();
	const req = await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET });
	const { approvalId, token } = linkParts(req.url);
	await decide(store, { token, approvalId, decision: 'rejected', feedback: 'shorter please', secret: SECRET });
	const [stored] = await sql.rows<{ token_hash: string }>('select token_hash from approvals where approval_id = $1', [approvalId]);
	expect(stored.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
	const tables = await sql.rows<{ relname: string }>("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'");
	const [body, sig] = token.split('.');
	for (const { relname } of tables) {
		const [hit] = await sql.rows<{ n: number }>(`select count(*)::int as n from public.${relname} t where t::text like '%' || $1 || '%' or t::text like '%' || $2 || '%'`, [body, sig]);
		expect({ table: relname, rows: hit.n }).toEqual({ table: relname, rows: 0 });
	}
	// A token cannot be stored in place of its hash.
	await expect(
		store.createApproval({ entity: 'script', entity_id: scriptId, token_hash: token, expires_at: new Date(Date.now() + 60_000).toISOString() }),
	).rejects.toMatchObject({ code: 'BI400', field: 'token_hash' });
	expect(await viewApproval(store, { token, secret: SECRET, approvalId })).not.toHaveProperty('token_hash');
	expect(JSON.stringify(await store.campaignReport(req.campaign_id as string))).not.toContain(stored.token_hash);
});

test('the asset is locked in: a second link needs supersede, a replaced link is refused, a changed asset refuses the decision', async () => {
	const { scriptId } = await seedAssets();
	const first = linkParts((await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET })).url);
	await expect(requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET })).rejects.toMatchObject({
		code: 'BI409',
		detail: { reason: 'approval_pending', approval_id: first.approvalId },
	});
	const second = linkParts((await requestApproval(store, { entity: 'script', entityId: scriptId, baseUrl: BASE, secret: SECRET, supersede: true })).url);
	await refused(decide(store, { ...first, decision: 'approved', secret: SECRET }), 'cancelled');

	// Someone else moves the script while the link is out: OCC refuses the decision.
	const s = await row('scripts', 'script_id', scriptId);
	await store.transition({ entity: 'script', id: scriptId, expectedVersion: s.state_version as number, toStatus: 'rejected', actor: 'someone' });
	const before = await snapshot(second.approvalId, 'scripts', 'script_id', scriptId);
	const err = await refused(decide(store, { ...second, decision: 'approved', secret: SECRET }), 'changed');
	expect((err as { cause?: unknown }).cause).toBeInstanceOf(VersionConflictError);
	expect(await snapshot(second.approvalId, 'scripts', 'script_id', scriptId)).toEqual(before);
});

test('a video and a post at the publish gate: the page plays the video; a rejected post is cancelled, an approved one stays scheduled', async () => {
	const { campaignId, scriptId } = await seedAssets();
	await store.transition({ entity: 'script', id: scriptId, expectedVersion: 1, toStatus: 'pending' });
	await store.transition({ entity: 'script', id: scriptId, expectedVersion: 2, toStatus: 'approved' });
	const variant = await store.createVariant({ campaign_id: campaignId, variant_type: 'humorous', script_id: scriptId });
	const video = await store.createVideo({ script_id: scriptId, variant_id: variant.variant_id as string });
	const videoId = video.video_id as string;
	await store.setVideoOutputs(videoId, '/media/master.mp4', 15, { '9:16': '/media/v.mp4', '16:9': '/media/w.mp4' });
	await store.recordSafetyReport({ entity: 'video', entity_id: videoId, campaign_id: campaignId, route: 'human_review', confidence: 0.8, checks: [{ name: 'black_frames', score: 0.5, passed: false, severity: 'major', reason: '2.0 s of <black>' }] });
	await store.recordCost({ campaignId, variantId: variant.variant_id as string, pillar: 'production', costType: 'api_cost', amount: 1_250_000 });

	const vr = await requestApproval(store, { entity: 'video', entityId: videoId, baseUrl: BASE, secret: SECRET });
	expect(vr.variant_id).toBe(variant.variant_id);
	const vl = linkParts(vr.url);
	const view = await viewApproval(store, { ...vl, secret: SECRET });
	expect(view).toMatchObject({ cost_so_far: '1.250000', asset: { master_mp4_url: '/media/master.mp4', outputs: { '9:16': '/media/v.mp4' } }, scores: { safety: { route: 'human_review' } } });
	const html = approvalPage(view, { actionUrl: BASE, token: vl.token, videoSrc: `${BASE}/media?approval=${vl.approvalId}&token=${vl.token}` });
	expect(html).toContain(`<video controls preload="metadata" playsinline src="${BASE}/media?approval=${vl.approvalId}&amp;token=${vl.token}"></video>`);
	expect(html).toContain('2.0 s of &lt;black&gt;');
	expect(html).toContain('Spent so far: <strong>$1.25</strong> of $20.00');
	expect(html).toContain('media-src https://n8n.example.test');
	expect(() => approvalPage(view, { actionUrl: BASE, token: vl.token, videoSrc: 'javascript:alert(1)' })).toThrow(ValidationError);
	expect(() => approvalPage(view, { actionUrl: '//evil.example/x', token: vl.token })).toThrow(ValidationError);
	await expect(decide(store, { ...vl, decision: 'approved', secret: SECRET })).resolves.toMatchObject({ next_pillar: 'broadcaster', variant_id: variant.variant_id, entity_status: 'approved' });

	const [pub] = await sql.rows<{ publication_id: string }>('insert into publications (campaign_id, variant_id) values ($1, $2) returning publication_id', [campaignId, variant.variant_id]);
	const posts = await sql.rows<{ post_id: string }>(
		"insert into platform_posts (publication_id, platform, formatted_video_url, caption, hashtags, aspect_ratio) values ($1, 'outbox', '/media/v.mp4', 'Tea time', '{tea,calm}', '9:16'), ($1, 'youtube', '/media/w.mp4', 'Tea', '{tea}', '16:9') returning post_id",
		[pub.publication_id],
	);
	const [ok, no] = await Promise.all(posts.map((p) => requestApproval(store, { entity: 'platform_post', entityId: p.post_id, baseUrl: BASE, secret: SECRET })));
	expect(ok.campaign_id).toBe(campaignId);
	const okView = await viewApproval(store, { ...linkParts(ok.url), secret: SECRET });
	expect(approvalPage(okView, { actionUrl: BASE, token: linkParts(ok.url).token })).toContain('#tea #calm');
	await expect(decide(store, { ...linkParts(ok.url), decision: 'approved', secret: SECRET })).resolves.toMatchObject({ entity_status: 'scheduled', next_pillar: 'broadcaster' });
	await expect(decide(store, { ...linkParts(no.url), decision: 'rejected', feedback: 'wrong crop', secret: SECRET })).resolves.toMatchObject({ entity_status: 'cancelled' });
	expect(await row('platform_posts', 'post_id', posts[0].post_id)).toMatchObject({ publication_status: 'scheduled', state_version: 1 });
	expect(await row('platform_posts', 'post_id', posts[1].post_id)).toMatchObject({ publication_status: 'cancelled', state_version: 2 });
});

test('bad requests are refused with the field named', async () => {
	const { scriptId } = await seedAssets();
	const base = { entity: 'script' as const, entityId: scriptId, baseUrl: BASE, secret: SECRET };
	await expect(requestApproval(store, { ...base, secret: 'short' })).rejects.toMatchObject({ field: 'secret' });
	await expect(requestApproval(store, { ...base, ttlSeconds: 5 })).rejects.toMatchObject({ field: 'ttl_seconds' });
	await expect(requestApproval(store, { ...base, baseUrl: 'ftp://x' })).rejects.toMatchObject({ field: 'base_url' });
	await expect(requestApproval(store, { ...base, entity: 'campaign' as never })).rejects.toMatchObject({ field: 'entity' });
	await expect(requestApproval(store, { ...base, entityId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'BI404' });
	const hash = 'a'.repeat(64);
	await expect(store.createApproval({ entity: 'script', entity_id: scriptId, token_hash: hash, expires_at: new Date(Date.now() - 1000).toISOString() })).rejects.toMatchObject({ field: 'expires_at' });
	await expect(store.createApproval({ entity: 'script', entity_id: scriptId, token_hash: hash, expires_at: new Date(Date.now() + 40 * 86400_000).toISOString() })).rejects.toMatchObject({ field: 'expires_at' });
	await expect(store.decideApproval('00000000-0000-4000-8000-000000000000', hash, 'maybe' as never)).rejects.toMatchObject({ field: 'decision' });
	expect(() => readDecisionForm({ decision: 'maybe' })).toThrow(ValidationError);
	// Nothing was left behind by the refused requests.
	expect(await row('scripts', 'script_id', scriptId)).toMatchObject({ approval_status: 'draft', state_version: 1 });
});
