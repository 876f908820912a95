/**
 * README.md's "Use it in your n8n", followed step by step on a fresh n8n 2.41.1 (the pinned
 * runtime), as literally as a program can; it ends with the first campaign request answered with a
 * campaign_id. Everything on loopback, the n8n user folder (and so the embedded store) in a temp dir.
 *
 * - Install: the README's shell lines, read from README.md and run by bash with HOME at the temp
 *   user folder (only the tarball's path is put in for `/path/to/…`): the npm install is the
 *   README's, not the harness's copy of the Community Nodes screen. Then n8n starts.
 * - The first five minutes, through the REST endpoints the editor calls (test/helpers/n8n-editor.ts):
 *   the owner setup of a fresh n8n, the two credentials with the names and fields the README gives
 *   (and their Test button), the brand workflow (Trigger manually → Brand Infinity Campaign →
 *   Brand RAG) built and run with Execute workflow, the README's `n8n import:workflow` command run
 *   by bash against this n8n, the editor's credential warnings checked on every imported node, each
 *   template published in the README's order, and the README's curl sent with fetch (same method,
 *   headers and body); its answer is checked against the one the README promises, then the
 *   `progress` path and the approval link are opened.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { NodeHelpers, type INode, type INodeTypeDescription } from 'n8n-workflow';

import { buildAndPack, ROOT } from '../helpers/e2e';
import { EditorRequestError, EditorSession, type Credential, type EditorNode, type EditorWorkflow, type NodeTypeDescription } from '../helpers/n8n-editor';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { N8nHarness } = require('../../scripts/n8n-harness');

// Each step calls a real n8n, npm and the store: jest's 5 s default is not a bound on them.
jest.setTimeout(300_000);

const PACKAGE = 'n8n-nodes-brand-infinity';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const STRIDE = join(ROOT, 'examples', 'stride');

// ------------------------------------------------------------------ what README.md says

/** The text under a `### heading` of README.md, up to the next heading. */
function readmeSection(heading: string): string {
	const start = README.indexOf(`\n### ${heading}\n`);
	if (start === -1) throw new Error(`README.md has no section "### ${heading}"`);
	const rest = README.slice(start + heading.length + 6);
	const next = rest.search(/\n#{1,3} /);
	return next === -1 ? rest : rest.slice(0, next);
}

/** The ```bash blocks of a text, their list indentation removed. */
function bashBlocks(text: string): string[] {
	return [...text.matchAll(/^( *)```bash\n([\s\S]*?)\n\1```/gm)].map(([, indent, body]) =>
		body
			.split('\n')
			.map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
			.join('\n'),
	);
}

/** Step `n.` of a numbered list, up to the next step. */
function step(text: string, n: number): string {
	const start = text.indexOf(`\n${n}. `);
	if (start === -1) throw new Error(`README.md's "The first five minutes" has no step ${n}`);
	const end = text.indexOf(`\n${n + 1}. `, start);
	return text.slice(start, end === -1 ? undefined : end);
}

const INSTALL = readmeSection('Install');
const FIRST_FIVE = readmeSection('The first five minutes');

// ------------------------------------------------------------------ running what a user runs

function bash(script: string, opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`${script}\nfailed: ${error.message}\n--- stdout ---\n${stdout.slice(-3000)}\n--- stderr ---\n${stderr.slice(-3000)}`));
			else resolve({ stdout, stderr });
		});
	});
}

/**
 * The environment of a user's shell on the n8n host: HOME is the n8n user folder's parent (n8n's
 * default user folder is HOME), Node 24 first on PATH, and none of the npm settings `npm test`
 * exports (this project's .npmrc must not change what a user's npm does). npm keeps using this
 * machine's cache, so the registry is asked only for what it does not hold.
 */
function userShellEnv(home: string, pathEnv: string): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
	return { ...env, HOME: home, PATH: pathEnv, npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm') };
}

// ------------------------------------------------------------------ the editor's credential warnings

/**
 * What the editor flags as a credential issue on a node (editor-ui useNodeHelpers
 * getNodeCredentialIssues): for every credential the node's description shows for its parameters,
 * a required one that is not set, or one that is set but matches none of this user's credentials
 * of that type by id, nor exactly one by name.
 */
function credentialWarnings(node: EditorNode, type: NodeTypeDescription | undefined, mine: Credential[]): string[] {
	if (!type?.credentials?.length || node.disabled) return [];
	const description = type as unknown as INodeTypeDescription;
	const parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters as INode['parameters'], true, false, node as unknown as INode, description) ?? {};
	const warnings: string[] = [];
	for (const cred of type.credentials) {
		if (!NodeHelpers.displayParameter(parameters, cred as never, node as unknown as INode, description)) continue;
		const selected = node.credentials?.[cred.name];
		if (!selected) {
			if (cred.required) warnings.push(`${cred.name}: not set`);
			continue;
		}
		const ofType = mine.filter((c) => c.type === cred.name);
		if (selected.id && ofType.some((c) => c.id === selected.id)) continue;
		if (ofType.filter((c) => c.name === selected.name).length !== 1) warnings.push(`${cred.name}: "${selected.name}" (${selected.id}) is none of this n8n's credentials`);
	}
	return warnings;
}

// ------------------------------------------------------------------ the walkthrough

let work: string;
let home: string;
let tarball: string;
let harness: InstanceType<typeof N8nHarness>;
let editor: EditorSession;
let nodeTypes: NodeTypeDescription[];
let credentials: Credential[];
let brandId: string;
let imported: EditorWorkflow[];
let approvalPageUrl: string;
let answer: { status: number; body: Record<string, unknown> };

const installedPackage = () => join(home, '.n8n', 'nodes', 'node_modules', PACKAGE);

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), 'bi-e2e-readme-'));
	home = join(work, 'home');
	mkdirSync(home);
	// README, Install: `npm ci && npm run build && npm pack` (npm ci is this checkout's own).
	expect(bashBlocks(INSTALL)[0]).toContain('npm run build && npm pack');
	tarball = buildAndPack(work);
	// The harness finds the pinned runtime and keeps n8n's logs under the user folder (= HOME).
	harness = await N8nHarness.create({ userFolder: home });
}, 20 * 60_000);

afterAll(async () => {
	await harness?.stop();
	// BI_KEEP_E2E=1 keeps the folder (n8n logs under home/harness-logs/) to look into a failure.
	if (process.env.BI_KEEP_E2E) process.stderr.write(`e2e folder kept: ${work}\n`);
	else if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("README's Use it in your n8n, followed on a fresh n8n 2.41.1", () => {
	test('Install: the README names the tarball npm pack makes, and its npm install puts the package into ~/.n8n/nodes', async () => {
		const block = bashBlocks(INSTALL)[0];
		const named = /npm pack\s+#\s*makes (\S+\.tgz)/.exec(block)?.[1];
		expect(named).toBe(tarball.split('/').pop());
		// From `mkdir -p ~/.n8n/nodes` on, the lines a user runs on the n8n host.
		const lines = block.split('\n');
		const from = lines.findIndex((l) => l.startsWith('mkdir -p ~/.n8n/nodes'));
		expect(from).toBeGreaterThan(-1);
		const script = lines
			.slice(from)
			.join('\n')
			.replace(/\/path\/to\/\S+\.tgz/g, tarball);
		expect(script).toContain(tarball);
		await bash(script, { cwd: home, env: userShellEnv(home, harness.pathEnv()) });

		const ledger = JSON.parse(readFileSync(join(home, '.n8n', 'nodes', 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
		expect(ledger.name).toBe('installed-nodes');
		expect(Object.keys(ledger.dependencies)).toEqual([PACKAGE]);
		const installed = JSON.parse(readFileSync(join(installedPackage(), 'package.json'), 'utf8')) as { name: string; version: string };
		const packed = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
		expect(installed).toMatchObject({ name: PACKAGE, version: packed.version });
		// --omit=peer: n8n brings n8n-workflow; the package's own runtime dependencies are there.
		expect(existsSync(join(home, '.n8n', 'nodes', 'node_modules', 'n8n-workflow'))).toBe(false);
		expect(existsSync(join(home, '.n8n', 'nodes', 'node_modules', '@electric-sql', 'pglite'))).toBe(true);
	});

	test('Then start n8n: a fresh one, asking for its owner account, with the twelve nodes loaded', async () => {
		await harness.start();
		editor = new EditorSession(harness.editorUrl, harness.runtime.dir);
		const settings = await editor.rest<{ userManagement: { showSetupOnFirstLoad: boolean } }>('GET', '/settings');
		expect(settings.userManagement.showSetupOnFirstLoad).toBe(true);
		const owner = await editor.setupOwner({ email: 'owner@example.com', firstName: 'Readme', lastName: 'Walker', password: `Owner-${randomBytes(9).toString('hex')}-7` });
		expect(owner.email).toBe('owner@example.com');
		nodeTypes = await editor.nodeTypes();
		// n8n adds a `<name>Tool` variant of each node usable as an AI tool; the package's own are the rest.
		const listed = JSON.parse(readFileSync(join(installedPackage(), 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
		const ours = new Set(nodeTypes.filter((t) => t.name.startsWith(`${PACKAGE}.`) && !t.name.endsWith('Tool')).map((t) => t.name));
		expect(ours.size).toBe(listed.n8n.nodes.length);
		expect(ours.size).toBe(12);
	});

	test('Step 1: the two credentials with the names the README gives; Test passes on both; the store goes to ~/.n8n/brand-infinity/store', async () => {
		const first = step(FIRST_FIVE, 1);
		const named = Object.fromEntries([...first.matchAll(/\*\*(Brand Infinity [\w ]+ API)\*\*, named `([^`]+)`/g)].map(([, displayName, name]) => [displayName, name]));
		expect(Object.keys(named).sort()).toEqual(['Brand Infinity Approvals API', 'Brand Infinity Store API']);
		// The Approval Page URL: this n8n's address + the path the README gives.
		const path = /\+\s*`(\/webhook\/[^`]+)`/.exec(first)?.[1];
		expect(path).toBe('/webhook/brand-infinity/approval');
		approvalPageUrl = `${harness.editorUrl}${path}`;

		// What the credential form sends: every field it shows, at its default unless the README says otherwise.
		const store = { backend: 'embedded', dataDir: '' };
		const approvals = { secret: randomBytes(48).toString('base64'), publicUrl: approvalPageUrl, ttlSeconds: 86400, notifyUrl: '' };
		const storeCred = await editor.createCredential({ name: named['Brand Infinity Store API'], type: 'brandInfinityStoreApi', data: store });
		const approvalsCred = await editor.createCredential({ name: named['Brand Infinity Approvals API'], type: 'brandInfinityApprovalsApi', data: approvals });
		expect(await editor.testCredential(storeCred, store)).toMatchObject({ status: 'OK' });
		expect(await editor.testCredential(approvalsCred, approvals)).toMatchObject({ status: 'OK' });
		expect(existsSync(join(home, '.n8n', 'brand-infinity', 'store'))).toBe(true);
		credentials = await editor.credentials();
		expect(credentials.map((c) => c.name).sort()).toEqual(Object.values(named).sort());
	});

	test('Steps 2 and 3: Trigger manually → Campaign (Brand, Create) → Brand RAG (Ingest Guidelines), Execute workflow once: a brand_id and its chunks', async () => {
		expect(step(FIRST_FIVE, 2)).toContain('*Color Palette* (`#0A2540, #FF6B00`)');
		const third = step(FIRST_FIVE, 3);
		expect(third).toContain('*Brand ID* `{{ $json.brand_id }}`, *Document ID* `brand-book.md`');
		const typeOf = (name: string) => {
			const t = nodeTypes.find((d) => d.name === name);
			if (!t) throw new Error(`the editor knows no node type ${name}`);
			return t;
		};
		const storeCred = credentials.find((c) => c.type === 'brandInfinityStoreApi')!;
		// The editor names a new node after its description's default name and selects the only credential of its type.
		const trigger = typeOf('n8n-nodes-base.manualTrigger');
		const campaign = typeOf(`${PACKAGE}.campaign`);
		const rag = typeOf(`${PACKAGE}.brandRag`);
		const brand = JSON.parse(readFileSync(join(STRIDE, 'brand.json'), 'utf8')) as { brand_name: string; tone: string; visual_style: string; restricted_keywords: string[] };
		const nodes: EditorNode[] = [
			{ name: trigger.defaults.name!, type: trigger.name, typeVersion: 1, position: [0, 0], parameters: {} },
			{
				name: campaign.defaults.name!,
				type: campaign.name,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'brand',
					operation: 'create',
					brandName: brand.brand_name,
					brandFields: { tone: brand.tone, palette: '#0A2540, #FF6B00', visualStyle: brand.visual_style, restrictedKeywords: brand.restricted_keywords.join(', ') },
				},
				credentials: { brandInfinityStoreApi: { id: storeCred.id, name: storeCred.name } },
			},
			{
				name: rag.defaults.name!,
				type: rag.name,
				typeVersion: 1,
				position: [440, 0],
				// Typing `{{` turns the field into an expression, stored with a leading `=`.
				parameters: { operation: 'ingest', brandId: '={{ $json.brand_id }}', documentId: 'brand-book.md', source: 'text', text: readFileSync(join(STRIDE, 'guidelines.md'), 'utf8') },
				credentials: { brandInfinityStoreApi: { id: storeCred.id, name: storeCred.name } },
			},
		];
		const connect = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
		const workflow = await editor.createWorkflow({ name: 'My brand', nodes, connections: { [nodes[0].name]: connect(nodes[1].name), [nodes[1].name]: connect(nodes[2].name) } });
		const execution = await editor.executeWorkflow(workflow.id, nodes[0].name);
		const failure = execution.data.resultData.error;
		expect([execution.status, failure ? `${failure.node?.name}: ${failure.message}` : '']).toEqual(['success', '']);
		const out = (node: string) => execution.data.resultData.runData[node]?.[0]?.data?.main?.[0]?.map((i) => i.json) ?? [];
		const [created] = out(nodes[1].name);
		const [ingested] = out(nodes[2].name);
		expect(created).toMatchObject({ brand_name: brand.brand_name, color_palette: ['#0A2540', '#FF6B00'], restricted_keywords: brand.restricted_keywords });
		brandId = String(created.brand_id);
		expect(brandId).toMatch(UUID);
		expect(ingested).toMatchObject({ brand_id: brandId, document_id: 'brand-book.md' });
		expect(ingested.chunks).toBeGreaterThan(0);
	});

	test("Step 4: the README's import:workflow command imports every template of the installed package; no node shows a credential warning", async () => {
		const [command] = bashBlocks(step(FIRST_FIVE, 4));
		expect(command).toMatch(/^n8n import:workflow --separate --input=/);
		const folder = join(installedPackage(), 'dist', 'workflows');
		const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
		expect(files.length).toBeGreaterThan(0);
		// The user's `n8n` on PATH: this runtime's, with this n8n's environment (its database, its key).
		const bin = join(work, 'bin');
		mkdirSync(bin, { recursive: true });
		writeFileSync(join(bin, 'n8n'), `#!/bin/sh\nexec '${harness.runtime.node}' '${harness.runtime.n8n}' "$@"\n`);
		chmodSync(join(bin, 'n8n'), 0o755);
		const env = { ...(await harness.n8nEnv()), HOME: home, PATH: `${bin}:${harness.pathEnv()}` };
		const { stdout } = await bash(command, { cwd: home, env, timeoutMs: 180_000 });
		const said = /^\s*It says `([^`]+)`/m.exec(step(FIRST_FIVE, 4))?.[1];
		expect(said).toBe(`Successfully imported ${files.length} workflows.`);
		expect(stdout).toContain(said);

		const templates = files.map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as { id: string; name: string });
		imported = [];
		for (const t of templates) imported.push(await editor.workflow(t.id));
		expect(imported.map((w) => w.name)).toEqual(templates.map((t) => t.name));
		// "Open each one": what the editor flags on each node, with this user's credentials.
		const warnings = imported.flatMap((w) =>
			w.nodes.flatMap((n) =>
				credentialWarnings(
					n,
					nodeTypes.find((t) => t.name === n.type),
					credentials,
				).map((issue) => `${w.name} / ${n.name}: ${issue}`),
			),
		);
		expect(warnings).toEqual([]);
		const selected = new Set(imported.flatMap((w) => w.nodes.flatMap((n) => Object.values(n.credentials ?? {}).map((c) => c.id))));
		expect([...selected].sort()).toEqual(credentials.map((c) => c.id).sort());
	});

	test('Step 5: published in the README order (the sub-workflows first, which n8n insists on), every trigger live', async () => {
		const fifth = step(FIRST_FIVE, 5);
		const first = [...fifth.matchAll(/\*(Brand Infinity: [^*]+)\*/g)].map(([, name]) => name);
		expect(first.length).toBeGreaterThan(0);
		const byName = (name: string) => {
			const w = imported.find((x) => x.name === name);
			if (!w) throw new Error(`README step 5 names "${name}", which is not an imported template`);
			return w;
		};
		// The README's reason holds: every workflow an Execute Workflow node calls is among the first.
		const called = new Set(imported.flatMap((w) => w.nodes.filter((n) => n.type === 'n8n-nodes-base.executeWorkflow').map((n) => (n.parameters.workflowId as { value: string }).value)));
		expect([...called].sort()).toEqual(first.map((name) => byName(name).id).sort());
		// ...and so does its warning: a caller published before its sub-workflows is refused.
		const caller = imported.find((w) => w.nodes.some((n) => n.type === 'n8n-nodes-base.executeWorkflow'))!;
		const refused = await editor.publish(caller).then(
			() => null,
			(error: unknown) => error,
		);
		expect(refused).toBeInstanceOf(EditorRequestError);
		expect((refused as EditorRequestError).serverMessage).toContain('Please publish all referenced sub-workflows first');

		const order = [...first.map(byName), ...imported.filter((w) => !first.includes(w.name))];
		for (const w of order) {
			const published = await editor.publish(w);
			expect([w.name, published.status, published.triggers.filter((t) => t.status !== 'activated')]).toEqual([w.name, 'published', []]);
		}
	});

	test("Step 6: the README's curl is answered 202 with the campaign_id and every field the README promises", async () => {
		const sixth = step(FIRST_FIVE, 6);
		const [curl] = bashBlocks(sixth);
		const oneLine = curl.replace(/\\\n/g, ' ');
		const [, method, url] = /-X (\w+) (\S+)/.exec(oneLine) ?? [];
		expect(url).toBe('http://localhost:5678/webhook/brand-infinity/campaign');
		const headers = Object.fromEntries([...oneLine.matchAll(/-H '([^:']+):\s*([^']*)'/g)].map(([, k, v]) => [k, v]));
		const body = /-d '([\s\S]*?)'/.exec(curl)?.[1];
		expect(body).toContain('<your brand_id>');
		// On this machine n8n listens on its own loopback port instead of localhost:5678.
		const res = await fetch(url.replace('http://localhost:5678', harness.editorUrl), { method, headers, body: body!.replace('<your brand_id>', brandId) });
		answer = { status: res.status, body: (await res.json()) as Record<string, unknown> };

		const [, promisedStatus, promisedJson] = /It answers `(\d{3})` with `(\{[\s\S]*?\})`/.exec(sixth) ?? [];
		expect(answer.status).toBe(Number(promisedStatus));
		const promised = JSON.parse(promisedJson.replace(/\n\s*/g, '')) as Record<string, string>;
		expect(Object.keys(promised)).toEqual(expect.arrayContaining(['campaign_id', 'brief_id', 'approval_url', 'progress', 'status']));
		for (const [key, value] of Object.entries(promised)) {
			const got = answer.body[key];
			if (value === '…') expect([key, typeof got === 'string' && got.length > 0]).toEqual([key, true]);
			else if (value.endsWith('…')) expect([key, String(got).startsWith(value.slice(0, -1))]).toEqual([key, true]);
			else expect([key, got]).toEqual([key, value]);
		}
		expect(answer.body.campaign_id).toMatch(UUID);
		expect(answer.body.brief_id).toMatch(UUID);
		expect(answer.body.progress).toBe(`/webhook/brand-infinity/campaign/status?campaign_id=${answer.body.campaign_id}`);
		expect(String(answer.body.approval_url).startsWith(`${approvalPageUrl}?`)).toBe(true);
	});

	test('…then GET the progress path: the campaign, at the strategist, waiting for its brief to be approved; the approval link opens its page', async () => {
		const res = await fetch(`${harness.editorUrl}${answer.body.progress}`);
		const progress = (await res.json()) as Record<string, unknown>;
		expect(res.status).toBe(200);
		expect(progress).toMatchObject({ campaign_id: answer.body.campaign_id, pillar: 'strategist', campaign_status: 'draft' });
		expect(String(progress.summary)).toContain('waiting for a person to approve');
		const page = await fetch(String(answer.body.approval_url));
		const html = await page.text();
		expect([page.status, html.includes('value="approved"')]).toEqual([200, true]);
	});
});
