/**
 * The n8n editor as a new user meets it, in a real browser: real n8n 2.41.1 with the packed package
 * installed as a community package and every template imported, Debian's chromium driven by
 * playwright-core. The owner account is set up through n8n's REST API on first start, then the
 * test signs in through the sign-in page like a person.
 *
 * - The node panel ("What happens next?", a canvas with only a trigger, no AI nodes) finds each of
 *   the twelve nodes by its name, all of them by "Brand Infinity", and by the words a user would
 *   type. With no AI node on the canvas n8n hides nodes whose codex category is a bare "AI"
 *   (filterOutAiNodes), which is what made nine of them unfindable: this test fails if a codex goes
 *   back to that.
 * - A node is dragged from the panel onto the canvas.
 * - An AI Agent's Tool connector offers the Tool variants of the read/score/draft nodes only.
 * - Every template opens with all its nodes known (no issue badge, no "install this node"
 *   placeholder) and at least one sticky note; a screenshot of each goes to out/e2e/editor/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { launchChromium } from '../helpers/browser';
import { e2eWorld, ROOT, type E2eWorld } from '../helpers/e2e';

jest.setTimeout(300_000);

const OUT = join(ROOT, 'out', 'e2e', 'editor');
// A fresh owner per run (n8n wants 8+ characters with a digit and an upper-case letter).
const OWNER = { email: 'owner@example.com', firstName: 'Editor', lastName: 'Test', password: `Owner-${randomBytes(9).toString('hex')}-7` };
const PACKAGE = 'n8n-nodes-brand-infinity';

const NODES = [
	'Brand Infinity Approval',
	'Brand Infinity Brand RAG',
	'Brand Infinity Campaign',
	'Brand Infinity Cost Ledger',
	'Brand Infinity FFmpeg Assembler',
	'Brand Infinity Hook Generator',
	'Brand Infinity Judge',
	'Brand Infinity Model Router',
	'Brand Infinity Platform Publisher',
	'Brand Infinity Scene Poller',
	'Brand Infinity Script Writer',
	'Brand Infinity Voiceover',
];
const TOOLS = ['Brand Infinity Brand RAG Tool', 'Brand Infinity Hook Generator Tool', 'Brand Infinity Judge Tool', 'Brand Infinity Script Writer Tool'];
const KEYWORDS: [string, string[]][] = [
	['ffmpeg', ['Brand Infinity FFmpeg Assembler']],
	['video', ['Brand Infinity FFmpeg Assembler', 'Brand Infinity Model Router', 'Brand Infinity Scene Poller']],
	['publish', ['Brand Infinity Platform Publisher']],
	['tiktok', ['Brand Infinity Platform Publisher']],
	['voice', ['Brand Infinity Voiceover']],
	['judge', ['Brand Infinity Judge']],
	['budget', ['Brand Infinity Cost Ledger', 'Brand Infinity Campaign']],
	['approval', ['Brand Infinity Approval']],
];

interface TemplateFile {
	file: string;
	id: string;
	nodes: { name: string; type: string }[];
}
const TEMPLATES: TemplateFile[] = readdirSync(join(ROOT, 'workflows'))
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((file) => ({ file, ...(JSON.parse(readFileSync(join(ROOT, 'workflows', file), 'utf8')) as Omit<TemplateFile, 'file'>) }));

/** Two workflows of the test's own: a canvas with only a trigger, and one with an AI Agent. */
const BLANK_ID = 'biEditorBlank0001';
const AGENT_ID = 'biEditorAgent0001';
function fixtures(dir: string): string[] {
	const trigger = { id: 'e0a1b2c3-0000-4000-8000-000000000001', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const blank = { id: BLANK_ID, name: 'Editor test: blank', active: false, settings: { executionOrder: 'v1' }, connections: {}, nodes: [trigger] };
	const agent = {
		id: AGENT_ID,
		name: 'Editor test: agent',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [trigger, { id: 'e0a1b2c3-0000-4000-8000-000000000002', name: 'Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: 2.2, position: [240, 0], parameters: {} }],
		connections: { Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] } },
	};
	return [blank, agent].map((wf) => {
		const file = join(dir, `${wf.id}.json`);
		writeFileSync(file, JSON.stringify(wf));
		return file;
	});
}

let world: E2eWorld;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
	mkdirSync(OUT, { recursive: true });
	world = await e2eWorld('editor');
	await world.start([...TEMPLATES.map((t) => t.file), ...fixtures(world.work)], []);
	const setup = await fetch(`${world.harness.editorUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	expect([setup.status, setup.status === 200 ? '' : await setup.text()]).toEqual([200, '']);
	browser = await launchChromium();
	context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
	// The machine is shared with other test runs: give the editor time, never a race.
	context.setDefaultTimeout(120_000);
	const page = await context.newPage();
	await page.goto(`${world.harness.editorUrl}/signin`);
	await page.fill('input[name="emailOrLdapLoginId"]', OWNER.email);
	await page.fill('input[name="password"]', OWNER.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	await page.close();
}, 900_000);

afterAll(async () => {
	await browser?.close();
	await world?.close();
});

async function openWorkflow(id: string): Promise<Page> {
	const page = await context.newPage();
	await page.goto(`${world.harness.editorUrl}/workflow/${id}`);
	await page.waitForSelector('[data-test-id="canvas-node"]');
	return page;
}

/** The names the node panel lists right now (evaluated in the page). */
const LISTED = `[...document.querySelectorAll('[data-test-id="node-creator"] [data-test-id="node-creator-item-name"]')].map((e) => e.innerText.trim())`;

function listed(page: Page): Promise<string[]> {
	return page.evaluate(LISTED) as Promise<string[]>;
}

/**
 * Types `text` into the panel's search and waits until every name in `expected` is listed. The
 * search first goes through a query nothing matches, so the list that answers is this query's,
 * never the previous one's.
 */
async function search(page: Page, text: string, expected: string[]): Promise<string[]> {
	await page.fill('[data-test-id="node-creator-search-bar"]', 'qqzzxxjjvv');
	await page.waitForFunction(`!(${LISTED}).some((name) => name.startsWith('Brand Infinity'))`, undefined, { timeout: 60_000 });
	await page.fill('[data-test-id="node-creator-search-bar"]', text);
	try {
		await page.waitForFunction(`${JSON.stringify(expected)}.every((name) => (${LISTED}).includes(name))`, undefined, { timeout: 60_000 });
	} catch {
		throw new Error(`searching "${text}" should list ${JSON.stringify(expected)}; the panel lists ${JSON.stringify(await listed(page))}`);
	}
	return listed(page);
}

describe('the n8n editor with Brand Infinity installed (real n8n, chromium)', () => {
	test('the node panel finds every node by its name, by "Brand Infinity" and by keywords', async () => {
		const page = await openWorkflow(BLANK_ID);
		await page.click('[data-test-id="node-creator-plus-button"]');
		await page.waitForSelector('[data-test-id="node-creator-search-bar"]');
		for (const name of NODES) await search(page, name, [name]);

		const all = await search(page, 'Brand Infinity', NODES);
		// The regular panel on a canvas without AI nodes: n8n's AI filter is on (Tool variants are AI → Tools).
		expect(all.filter((n) => n.startsWith('Brand Infinity')).sort()).toEqual([...NODES].sort());
		await page.screenshot({ path: join(OUT, 'node-panel-brand-infinity.png') });

		for (const [keyword, expected] of KEYWORDS) await search(page, keyword, expected);
		const ffmpeg = await search(page, 'ffmpeg', ['Brand Infinity FFmpeg Assembler']);
		expect(ffmpeg).not.toContain('Brand Infinity Judge');
		await page.screenshot({ path: join(OUT, 'node-panel-ffmpeg.png') });
		await page.close();
	});

	test('a node is dragged from the panel onto the canvas', async () => {
		const page = await openWorkflow(BLANK_ID);
		expect(await page.locator('[data-test-id="canvas-node"]').count()).toBe(1);
		await page.click('[data-test-id="node-creator-plus-button"]');
		await search(page, 'judge', ['Brand Infinity Judge']);
		// n8n opens a community node's details (its actions) from the list; actions drag onto the canvas.
		await page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^Brand Infinity Judge$/ }).click();
		const action = page.locator('[data-test-id="node-creator"] [draggable]', { hasText: 'Check a video before approval or publishing' }).first();
		await action.dragTo(page.locator('[data-test-id="canvas"]'), { targetPosition: { x: 500, y: 500 } });
		const judge = page.locator(`[data-test-id="canvas-node"][data-node-type="${PACKAGE}.judge"]`);
		await judge.waitFor();
		// The node details view opens on the new node, with the dragged operation chosen.
		await page.waitForFunction(`[...document.querySelectorAll('[data-test-id="ndv"] [data-test-id="parameter-input-operation"] input')].some((i) => i.value === 'Check Video')`);
		await page.screenshot({ path: join(OUT, 'dragged-judge.png') });
		expect(await page.locator('[data-test-id="canvas-node"]').count()).toBe(2);
		await page.close();
	});

	test("an AI Agent's Tool connector offers the Tool variants of the nodes that read, score or draft, and no others", async () => {
		const page = await openWorkflow(AGENT_ID);
		// The Agent has no chat model yet: n8n draws its issue badge (what the template checks look for).
		expect(await page.locator('[data-test-id="canvas-node"][data-node-name="Agent"] [data-test-id="node-issues"]').count()).toBe(1);
		await page.click('[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"] [data-test-id="canvas-handle-plus"]');
		await page.waitForSelector('[data-test-id="node-creator-search-bar"]');
		const tools = await search(page, 'Brand Infinity', TOOLS);
		expect(tools.filter((n) => n.startsWith('Brand Infinity')).sort()).toEqual(TOOLS);
		await page.screenshot({ path: join(OUT, 'agent-tools.png') });
		await page.close();
	});

	test.each(TEMPLATES.map((t) => [t.file, t]))('%s opens with every node known, no issue badge, and a sticky note', async (file, template) => {
		const page = await openWorkflow(template.id);
		const regular = template.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
		await page.waitForFunction(`document.querySelectorAll('[data-test-id="canvas-node"]').length === ${regular.length}`);
		expect(await page.locator('[data-test-id="sticky"]').count()).toBe(template.nodes.length - regular.length);
		expect(await page.locator('[data-test-id="sticky"]').count()).toBeGreaterThan(0);
		await page.click('[data-test-id="zoom-to-fit"]');
		await page.screenshot({ path: join(OUT, file.replace(/\.json$/, '.png')) });
		expect(await page.locator('[data-test-id="node-not-installed"]').count()).toBe(0);
		const issues = await page.$$eval('[data-test-id="canvas-node"]:has([data-test-id="node-issues"])', (els) => els.map((e) => e.getAttribute('data-node-name')));
		expect(issues).toEqual([]);
		// Each of our nodes is drawn by its own description (its icon), not as an unknown type.
		const ours = regular.filter((n) => n.type.startsWith(`${PACKAGE}.`));
		const drawn = await page.$$eval(`[data-test-id="canvas-node"][data-node-type^="${PACKAGE}."]:has(img[src*="/icons/${PACKAGE}/"])`, (els) => els.map((e) => e.getAttribute('data-node-name')));
		expect(drawn.sort()).toEqual(ours.map((n) => n.name).sort());
		await page.close();
	});
});
