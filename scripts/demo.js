'use strict';
/**
 * `npm run demo`: the whole campaign on this machine with local providers, in a real n8n.
 *
 * Builds and packs the package, provisions the pinned n8n runtime (first run: about 9 minutes),
 * seeds the demo brand from examples/stride into an embedded store, installs the package into a
 * fresh n8n the way the Community Nodes screen does, imports every template, starts n8n, and posts
 * the campaign request to the Campaign template. Then it acts as the reviewer: every approval link
 * n8n sends (the Approvals credential's notification URL points at a small inbox here) is opened
 * and approved through the page's form, as a person would. It shows which pillar is running and how
 * many scenes are done, and leaves everything under out/demo/ with out/demo/manifest.json.
 *
 *   npm run demo                  run, then keep n8n running for the editor (Ctrl+C stops it)
 *   npm run demo -- --exit        run and stop (what the e2e test does)
 *   npm run demo -- --out DIR     another output folder (default out/demo)
 */
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { N8nHarness } = require('./n8n-harness');
const { METRICS_LABEL, PLATFORM_NAMES, simulateAudience, startPlatforms } = require('./demo-platforms');

const ROOT = path.join(__dirname, '..');
const TEMPLATES = ['campaign', 'strategist', 'copywriter', 'production', 'scene-poller', 'approvals', 'broadcaster', 'analytics'];
const TIMEOUT_MS = 30 * 60_000;

function parseArgs(argv) {
  const args = { exit: false, out: path.join(ROOT, 'out', 'demo') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--exit') args.exit = true;
    else if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--out=')) args.out = path.resolve(argv[i].slice(6));
    else throw new Error(`unknown argument ${argv[i]} (use --exit, --out DIR)`);
  }
  return args;
}

const started = Date.now();
function say(line) {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[demo ${s}s] ${line}\n`);
}

/** A loopback inbox: the Approvals credential posts every new link here (as to Slack). */
function startInbox() {
  const notes = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        notes.push(JSON.parse(body));
      } catch {
        // not JSON: ignore
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/notify`, notes, close: () => server.close() }));
  });
}

/** A template with the demo's folders: media and outbox under the output folder. */
function editTemplate(name, out, platforms) {
  const wf = JSON.parse(fs.readFileSync(path.join(ROOT, 'workflows', `${name}.json`), 'utf8'));
  for (const n of wf.nodes) {
    if (!n.type.startsWith('n8n-nodes-brand-infinity.')) continue;
    platforms.editNode(n);
    if (n.type.endsWith('.platformPublisher')) n.parameters.outboxFolder = path.join(out, 'outbox');
    if ('mediaFolder' in (n.parameters ?? {}) || /(voiceover|ffmpegAssembler|scenePoller|platformPublisher)$/.test(n.type)) {
      n.parameters.mediaFolder = path.join(out, 'media');
    }
  }
  if (name === 'production') useLibraryAndStock(wf);
  const file = path.join(out, 'n8n-templates', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(wf, null, 1));
  return { file, id: wf.id };
}

// ------------------------------------------------------------ brand media library and stock (issue 11)

/**
 * The brand's own media: every file of examples/<brand>/media (described by its media.json) goes
 * into the brand media library before the campaign, so the Model Router builds scenes from it.
 */
async function ingestBrandMedia(lib, store, brandId, example, out) {
  const folder = path.join(example, 'media');
  if (!fs.existsSync(folder)) {
    say(`no media folder at ${path.relative(ROOT, folder)}: scenes come from stock and kinetic typography`);
    return;
  }
  const result = await lib.ingestMediaFolder(
    { store, embedder: lib.createEmbeddingProvider({ provider: 'local' }), mediaDir: path.join(out, 'media') },
    { brandId, folder },
  );
  const kinds = {};
  for (const m of [...result.ingested, ...result.duplicates]) kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  say(`brand media library: ${result.ingested.length} files from ${path.relative(ROOT, folder)} (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`);
}

/**
 * Pexels and Pixabay as loopback fakes (test/fakes: they speak the real search and download
 * protocol, serving illustrated HD footage of what each item's tags say, rendered once into the
 * OS temp dir when they start): the demo needs no stock keys and never calls the real APIs.
 * Their credentials point at the fakes.
 */
async function startStockFakes() {
  require(path.join(ROOT, 'test', 'helpers', 'ts-register.js'));
  const { startPexelsFake } = require(path.join(ROOT, 'test', 'fakes', 'pexels.ts'));
  const { startPixabayFake } = require(path.join(ROOT, 'test', 'fakes', 'pixabay.ts'));
  const pexelsKey = `demo-${randomBytes(12).toString('hex')}`;
  const pixabayKey = `demo-${randomBytes(12).toString('hex')}`;
  const pexels = await startPexelsFake({ apiKey: pexelsKey });
  const pixabay = await startPixabayFake({ apiKey: pixabayKey });
  say(`stock footage: Pexels fake at ${pexels.baseUrl} and Pixabay fake at ${pixabay.baseUrl} (loopback test servers started by the demo, not the real APIs)`);
  return {
    credentials: [
      { id: 'bi-pexels', name: 'Brand Infinity Pexels (demo fake)', type: 'brandInfinityPexelsApi', data: { apiKey: pexelsKey, baseUrl: pexels.baseUrl } },
      { id: 'bi-pixabay', name: 'Brand Infinity Pixabay (demo fake)', type: 'brandInfinityPixabayApi', data: { apiKey: pixabayKey, baseUrl: pixabay.baseUrl } },
    ],
    close: async () => {
      await pexels.close();
      await pixabay.close();
    },
  };
}

/** The Model Router of the production template: the library first, then the stock fakes (loopback downloads allowed). */
function useLibraryAndStock(wf) {
  for (const n of wf.nodes) {
    if (!n.type.endsWith('.modelRouter')) continue;
    n.parameters.generators = ['library', 'pexels', 'pixabay', 'local'];
    n.parameters.allowPrivateNetwork = true;
    n.credentials = {
      ...n.credentials,
      brandInfinityPexelsApi: { id: 'bi-pexels', name: 'Brand Infinity Pexels (demo fake)' },
      brandInfinityPixabayApi: { id: 'bi-pixabay', name: 'Brand Infinity Pixabay (demo fake)' },
    };
  }
}

/** Which scene of each variant's video came from where (library asset, stock, typography, end card, generator). */
function printSceneSources(reportFile, manifest) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const rows = report.scene_sources ?? [];
  if (!rows.length) return;
  process.stdout.write('  scene sources\n');
  const videos = [...new Set(rows.map((r) => r.video_id))];
  for (const videoId of videos) {
    const variant = manifest.variants.find((v) => v.video_id === videoId);
    process.stdout.write(`    variant ${variant ? variant.variant_type : videoId}\n`);
    for (const r of rows.filter((x) => x.video_id === videoId)) {
      const s = r.source ?? {};
      const what = s.type === 'generator' ? `generator ${s.provider}/${s.model}` : s.type.replace(/_/g, ' ');
      const id = s.stock_id ?? s.media_id ?? '';
      const file = r.media ? ` ${r.media.kind} ${r.media.file_name}` : '';
      process.stdout.write(`      scene ${r.sequence}: ${what}${file}${id ? ` (${id})` : ''}\n`);
    }
  }
}

/** What a person does with a link: open the page, check it, click Approve (the form's POST). */
async function approveLink(link) {
  const page = await fetch(link.url);
  const html = await page.text();
  if (page.status !== 200 || !html.includes('value="approved"')) {
    throw new Error(`approval page for ${link.entity} answered ${page.status} without an Approve button`);
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  const field = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const form = new URLSearchParams({ approval: field('approval'), token: field('token'), decision: 'approved', feedback: '' });
  const res = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  const result = await res.text();
  if (res.status !== 200 || !result.includes('Approved')) throw new Error(`approving ${link.entity} answered ${res.status}: ${result.slice(0, 300)}`);
}

/**
 * ffmpeg, ffprobe, the offline voices (Festival with the SLT HTS voice, espeak-ng as its fallback)
 * and the caption font: installed with apt when missing (as root), else a clear stop.
 */
function provisionTools() {
  const has = (cmd) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = [];
  if (!has('ffmpeg') || !has('ffprobe')) missing.push('ffmpeg');
  if (!has('espeak-ng')) missing.push('espeak-ng');
  if (!has('text2wave')) missing.push('festival');
  if (!fs.existsSync('/usr/share/festival/voices/us/cmu_us_slt_arctic_hts')) missing.push('festvox-us-slt-hts');
  if (!fs.existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')) missing.push('fonts-dejavu-core');
  if (!missing.length) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) {
    throw new Error(`the demo needs ${missing.join(', ')}: install them (Debian/Ubuntu: sudo apt-get install -y ${missing.join(' ')}) and run it again`);
  }
  say(`installing ${missing.join(', ')} with apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  provisionTools();
  const out = args.out;
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'reports'), { recursive: true });

  say('building and packing the package');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = path.join(out, fs.readdirSync(out).find((f) => f.endsWith('.tgz')));
  const lib = require(path.join(ROOT, 'dist', 'lib'));

  say('seeding the demo brand from examples/stride');
  const dataDir = path.join(out, 'store');
  const example = path.join(ROOT, 'examples', 'stride');
  const brandSpec = JSON.parse(fs.readFileSync(path.join(example, 'brand.json'), 'utf8'));
  const request = JSON.parse(fs.readFileSync(path.join(example, 'campaign-request.json'), 'utf8'));
  let transport = await lib.EmbeddedTransport.open(dataDir);
  let store = new lib.Store(transport);
  const brand = await store.createBrand(brandSpec);
  await lib.ingestGuidelines(
    { store, embedder: lib.createEmbeddingProvider({ provider: 'local' }) },
    { brandId: brand.brand_id, documentId: 'brand-book', text: fs.readFileSync(path.join(example, 'guidelines.md'), 'utf8') },
  );
  await ingestBrandMedia(lib, store, brand.brand_id, example, out);
  await transport.close();

  say('provisioning n8n 2.41.1 (cached after the first run)');
  const inbox = await startInbox();
  const stock = await startStockFakes();
  const platforms = await startPlatforms({ mediaDir: path.join(out, 'media') });
  say(`started loopback fakes of ${platforms.describe()}: they speak each platform's API, nothing leaves this machine`);
  const harness = await N8nHarness.create({ userFolder: path.join(out, 'n8n'), port: await preferredPort(5678), provision: true });
  await harness.installPackage(tarball);
  await harness.importCredentials([
    { id: 'bi-store', name: 'Brand Infinity Store', type: 'brandInfinityStoreApi', data: { backend: 'embedded', dataDir } },
    {
      id: 'bi-approvals',
      name: 'Brand Infinity Approvals',
      type: 'brandInfinityApprovalsApi',
      data: { secret: randomBytes(48).toString('base64'), publicUrl: `${harness.editorUrl}/webhook/brand-infinity/approval`, ttlSeconds: 3600, notifyUrl: inbox.url },
    },
    ...platforms.credentials,
    ...stock.credentials,
  ]);
  const templates = TEMPLATES.map((t) => editTemplate(t, out, platforms));
  await harness.importWorkflows(templates.map((t) => t.file));
  for (const t of templates) await harness.publish(t.id);
  await harness.start();
  // Published workflows are activated in the background after start: wait for the ones we call.
  await harness.waitForWebhook('brand-infinity/campaign/status');
  await harness.waitForWebhook('brand-infinity/approval');
  say(`n8n is running: editor ${harness.editorUrl} (executions are listed there)`);

  let outcome;
  try {
    outcome = await runCampaign(harness, inbox, { ...request, brand_id: brand.brand_id });
    outcome.comparison = await measureVariants(harness, platforms, out, outcome.campaignId);
  } finally {
    await harness.stop();
    inbox.close();
    await platforms.close();
    await stock.close();
  }

  say('collecting outputs');
  transport = await lib.EmbeddedTransport.open(dataDir);
  store = new lib.Store(transport);
  let manifest;
  try {
    manifest = await collect(store, lib, out, outcome);
  } finally {
    await transport.close();
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  printSummary(manifest, out);
  printSceneSources(path.join(out, 'reports', 'campaign-report.json'), manifest);

  if (args.exit) return;
  await harness.start();
  say(`n8n editor: ${harness.editorUrl}  (the campaign's executions are there; Ctrl+C stops n8n)`);
  await new Promise((resolve) => process.once('SIGINT', resolve));
  await harness.stop();
}

async function preferredPort(port) {
  const free = await new Promise((resolve) => {
    const s = require('node:net').createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? port : undefined;
}

/** Posts the request, then approves every link and nudges the poller until the posts are out. */
async function runCampaign(harness, inbox, request) {
  say(`submitting the campaign "${request.campaign_name}"`);
  const res = await harness.webhook('brand-infinity/campaign', request);
  if (res.status !== 202) throw new Error(`the campaign webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  const campaignId = res.body.campaign_id;
  say(`campaign ${campaignId}: brief written (brand alignment ${res.body.brand_alignment_score})`);
  const approved = [];
  let handled = 0;
  let last = '';
  let polling = null;
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the campaign did not finish in ${TIMEOUT_MS / 60000} minutes (last: ${last})`);
    while (handled < inbox.notes.length) {
      const link = inbox.notes[handled++];
      say(`approval link for the ${link.entity.replace('_', ' ')} arrived: opening it and clicking Approve`);
      await approveLink(link);
      approved.push({ entity: link.entity, entity_id: link.entity_id, approval_id: link.approval_id });
    }
    const status = await statusOf(harness, campaignId);
    if (status.summary !== last) say((last = status.summary));
    if (status.pillar === 'done') {
      await polling;
      return { campaignId, approved };
    }
    // Nudge the poller (its schedule runs every minute anyway) without waiting on it: one poll
    // that assembles a video can outlast an HTTP client's patience.
    if (status.pillar === 'production' && !polling) {
      polling = harness
        .webhook('brand-infinity/scene-poller/poll', {})
        .catch((err) => say(`the poll webhook did not answer (${err.message}); the every-minute schedule polls too`))
        .finally(() => (polling = null));
    }
    await new Promise((r) => setTimeout(r, 1500));
  }
}

/**
 * The A/B comparison on the demo's data: a simulated audience on the fakes and in the outbox (see
 * demo-platforms.js), read by the Analytics template's Fetch Metrics like real counters, then its
 * Compare Variants endpoint.
 */
async function measureVariants(harness, platforms, out, campaignId) {
  const status = await statusOf(harness, campaignId);
  const order = status.variants.map((v) => v.variant_id);
  await simulateAudience(platforms, status.raw.posts, path.join(out, 'outbox'), order);
  say('a simulated audience watched the posts (counters set on the fakes and in the outbox); fetching metrics');
  // A post the platform is still processing has no counters yet: fetch again until every post has
  // its snapshot (Fetch Metrics skips the posts it read in the last 50 minutes).
  const waiting = new Set(status.raw.posts.filter((p) => p.status === 'published').map((p) => p.post_id));
  for (let round = 0; waiting.size; round++) {
    if (round === 30) throw new Error(`no metrics for ${waiting.size} published posts after 30 rounds of Fetch Metrics`);
    if (round) await new Promise((r) => setTimeout(r, 2000));
    const fetched = await harness.webhook('brand-infinity/analytics/fetch-metrics', {});
    if (fetched.status !== 200) throw new Error(`fetch-metrics answered ${fetched.status}: ${JSON.stringify(fetched.body)}`);
    for (const r of [fetched.body].flat()) if (r && r.snapshot) waiting.delete(r.post_id);
  }
  const res = await fetch(`${harness.editorUrl}/webhook/brand-infinity/analytics/variants?campaign_id=${campaignId}`);
  const comparison = await res.json();
  if (res.status !== 200) throw new Error(`compare variants answered ${res.status}: ${JSON.stringify(comparison)}`);
  for (const line of comparison.summary ?? []) say(`A/B: ${line}`);
  return { ...comparison, metrics_source: METRICS_LABEL };
}

async function statusOf(harness, campaignId) {
  const res = await fetch(`${harness.editorUrl}/webhook/brand-infinity/campaign/status?campaign_id=${campaignId}`);
  const body = await res.json();
  if (res.status !== 200) throw new Error(`campaign status answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * The contact sheet of a video: one frame per scene for each format. The assembler writes it next to
 * the outputs; an older assembly without one gets it made here.
 */
async function contactSheetOf(lib, full) {
  const outputs = full.outputs.outputs;
  const made = full.outputs.contact_sheet;
  if (made && fs.existsSync(made)) return made;
  let start = 0;
  const scenes = (full.scenes ?? []).map((s) => {
    const d = Number(s.duration_target ?? s.duration_seconds);
    const scene = { startSeconds: start, durationSeconds: d };
    start += d;
    return scene;
  });
  const sheet = await lib.makeContactSheet({
    outputs: ['9:16', '16:9', '1:1'].filter((a) => outputs[a]).map((a) => ({ aspect: a, path: outputs[a].path })),
    scenes,
    dest: path.join(path.dirname(outputs['9:16'].path), 'contact-sheet.png'),
    frameHeight: 320,
  });
  return sheet.path;
}

/** Reads the store after n8n stopped: outputs per variant, posts, reports; writes the reports. */
async function collect(store, lib, out, outcome) {
  const { campaignId } = outcome;
  const progress = await lib.campaignProgress(store, campaignId);
  const report = { ...(await lib.campaignReport(store, campaignId)), variant_comparison: outcome.comparison, metrics_source: outcome.comparison.metrics_source };
  fs.writeFileSync(path.join(out, 'reports', 'campaign-report.json'), JSON.stringify(report, null, 2));
  fs.writeFileSync(path.join(out, 'reports', 'campaign-report.html'), lib.campaignReportHtml(report));
  fs.writeFileSync(path.join(out, 'reports', 'variant-comparison.json'), JSON.stringify(outcome.comparison, null, 2));
  const safety = await store.safetyReports(campaignId);
  fs.writeFileSync(path.join(out, 'reports', 'safety-reports.json'), JSON.stringify(safety, null, 2));
  const postOf = (p) => {
    const receiptDir = p.platform === 'outbox' ? path.join(out, 'outbox', p.platform_post_id ?? '') : null;
    return { ...p, outbox_folder: receiptDir && fs.existsSync(receiptDir) ? receiptDir : null };
  };
  const variants = [];
  for (const v of progress.raw.variants) {
    const full = await store.getVideo(v.video_id);
    const outputs = full.outputs.outputs;
    const script = await store.getScript(v.script_id);
    const contactSheet = await contactSheetOf(lib, full);
    variants.push({
      variant_id: v.variant_id,
      variant_type: v.variant_type,
      status: v.status,
      hook: script.hook?.text ?? null,
      script_id: v.script_id,
      video_id: v.video_id,
      outputs: {
        master: outputs['9:16'].path,
        wide: outputs['16:9'].path,
        square: outputs['1:1'].path,
        thumbnails: (full.outputs.thumbnails ?? []).map((t) => t.path),
        contact_sheet: contactSheet,
      },
      posts: report.posts.filter((p) => p.variant_id === v.variant_id && p.status === 'published').map(postOf),
    });
  }
  return {
    campaign_id: campaignId,
    campaign_status: progress.campaign_status,
    // The first variant's outputs, where a single video is expected.
    video_id: variants[0].video_id,
    outputs: variants[0].outputs,
    variants,
    posts: variants.flatMap((v) => v.posts),
    variant_comparison: outcome.comparison,
    reports: {
      campaign_json: path.join(out, 'reports', 'campaign-report.json'),
      campaign_html: path.join(out, 'reports', 'campaign-report.html'),
      variant_comparison: path.join(out, 'reports', 'variant-comparison.json'),
      safety: path.join(out, 'reports', 'safety-reports.json'),
    },
    approvals: outcome.approved,
    cost: report.cost,
  };
}

function printSummary(m, out) {
  say(`done: campaign ${m.campaign_status}, ${m.variants.length} variants. Outputs:`);
  const rel = (p) => path.relative(process.cwd(), p);
  const lines = [];
  for (const v of m.variants) {
    lines.push(`  variant ${v.variant_type} (${v.status}): "${v.hook}"`);
    lines.push(`    9:16 master (captions, voice)  ${rel(v.outputs.master)}`);
    lines.push(`    16:9 / 1:1                     ${rel(v.outputs.wide)}, ${rel(v.outputs.square)}`);
    lines.push(`    contact sheet                  ${rel(v.outputs.contact_sheet)}`);
    for (const p of v.posts) lines.push(`    ${`post (${PLATFORM_NAMES[p.platform] ?? p.platform})`.padEnd(31)}${p.outbox_folder ? rel(p.outbox_folder) : `${p.platform_post_id} on the loopback fake`}`);
    const c = m.cost.by_variant?.find?.((x) => x.variant_id === v.variant_id);
    if (c) lines.push(`    cost                           $${c.total_usd}`);
  }
  process.stdout.write(
    [
      ...lines,
      `  A/B comparison                 ${rel(m.reports.variant_comparison)} (${m.variant_comparison.metrics_source.split(':')[0]})`,
      `  campaign report                ${rel(m.reports.campaign_html)} (and .json)`,
      `  safety reports                 ${rel(m.reports.safety)}`,
      `  manifest                       ${rel(path.join(out, 'manifest.json'))}`,
      `  total cost                     $${m.cost.total_usd} (local providers are free)`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
