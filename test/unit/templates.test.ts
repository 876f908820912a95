/**
 * Every template in workflows/ against the package's own node descriptions: the node types exist,
 * each parameter is one the node has, fixed option values are among the node's options, every
 * connection and Execute Workflow reference points at something real, and our nodes use the
 * store credential id the README tells users to select.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

const ROOT = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(join(ROOT, 'package.json')) as { name: string; n8n: { nodes: string[] } };

const descriptions = new Map<string, INodeTypeDescription>(
	pkg.n8n.nodes.map((file) => {
		const source = join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(source) as Record<string, new () => { description: INodeTypeDescription }>;
		// The node class is named after its file (a node file may export other things too).
		const description = new mod[source.replace(/^.*\/([^/]+)\.node\.ts$/, '$1')]().description;
		return [`${pkg.name}.${description.name}`, description];
	}),
);

interface TemplateNode {
	id: string;
	name: string;
	type: string;
	notes?: string;
	notesInFlow?: boolean;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Template {
	id: string;
	name: string;
	meta?: Record<string, unknown>;
	nodes: TemplateNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const templates = readdirSync(join(ROOT, 'workflows'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'workflows', f), 'utf8')) as Template] as const);
const templateIds = new Set(templates.map(([, t]) => t.id));

/** Every string in a JSON value (parameters, notes, sticky notes), with where it is. */
function strings(value: unknown, where: string): [string, string][] {
	if (typeof value === 'string') return [[where, value]];
	if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${where}[${i}]`));
	if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${where}.${k}`));
	return [];
}

/** A path that only exists on one machine: a temp or home folder, or a Windows drive. */
const MACHINE_PATH = /(^|[\s"'`=(:])(\/tmp\/|\/var\/folders\/|\/private\/var\/|\/home\/|\/root(\/|$)|\/Users\/|[A-Za-z]:\\)/;

function optionValues(p: INodeProperties): unknown[] | null {
	if (p.type !== 'options' && p.type !== 'multiOptions') return null;
	return (p.options ?? []).map((o) => (o as { value: unknown }).value);
}

test('the templates have distinct ids and names', () => {
	expect(templates.length).toBeGreaterThanOrEqual(8);
	expect(templateIds.size).toBe(templates.length);
	expect(new Set(templates.map(([, t]) => t.name)).size).toBe(templates.length);
});

describe.each(templates)('%s', (_file, t) => {
	test('node ids and names are unique; every connection joins two nodes of the template', () => {
		const names = new Set(t.nodes.map((n) => n.name));
		expect(names.size).toBe(t.nodes.length);
		expect(new Set(t.nodes.map((n) => n.id)).size).toBe(t.nodes.length);
		for (const [from, conn] of Object.entries(t.connections)) {
			expect(names).toContain(from);
			for (const target of conn.main.flat()) expect(names).toContain(target.node);
		}
	});

	test("our nodes exist, take only their own parameters and options, and use the store credential 'bi-store'", () => {
		for (const n of t.nodes.filter((x) => x.type.startsWith(`${pkg.name}.`))) {
			const d = descriptions.get(n.type);
			expect([n.name, d ? 'known' : 'unknown type']).toEqual([n.name, 'known']);
			const props = d!.properties;
			for (const [key, value] of Object.entries(n.parameters)) {
				const candidates = props.filter((p) => p.name === key);
				expect([n.name, key, candidates.length > 0]).toEqual([n.name, key, true]);
				const fixed = typeof value === 'string' && !value.startsWith('=') ? [value] : Array.isArray(value) ? value : [];
				const allowed = candidates.map(optionValues).filter((v): v is unknown[] => v !== null);
				if (allowed.length && fixed.length) {
					for (const v of fixed) expect([n.name, key, v, allowed.some((a) => a.includes(v))]).toEqual([n.name, key, v, true]);
				}
			}
			expect([n.name, n.credentials?.brandInfinityStoreApi?.id]).toEqual([n.name, 'bi-store']);
		}
	});

	test('every webhook has its own webhookId (without one n8n never registers the production URL)', () => {
		const hooks = t.nodes.filter((x) => x.type === 'n8n-nodes-base.webhook') as Array<TemplateNode & { webhookId?: string }>;
		for (const n of hooks) expect([n.name, typeof n.webhookId === 'string' && n.webhookId.length > 0]).toEqual([n.name, true]);
		expect(new Set(hooks.map((n) => n.webhookId)).size).toBe(hooks.length);
	});

	test('Execute Workflow nodes call templates that exist', () => {
		for (const n of t.nodes.filter((x) => x.type === 'n8n-nodes-base.executeWorkflow')) {
			const ref = n.parameters.workflowId as { value: string };
			expect([n.name, templateIds.has(ref.value)]).toEqual([n.name, true]);
		}
	});

	test('no path or id of one machine: no temp or home folder, no instance id (defaults resolve at run time)', () => {
		const found = strings(t, t.id).filter(([, v]) => MACHINE_PATH.test(v));
		expect(found).toEqual([]);
		expect(t.meta?.instanceId).toBeUndefined();
		for (const n of t.nodes) {
			for (const key of ['mediaFolder', 'outboxFolder', 'dataDir']) {
				if (key in n.parameters) expect([n.name, key, n.parameters[key]]).toEqual([n.name, key, '']);
			}
		}
	});

	test('a sticky note says what the template does, what to configure and how to trigger it', () => {
		const stickies = t.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(stickies.length).toBeGreaterThan(0);
		const about = stickies.map((n) => String(n.parameters.content ?? '')).find((c) => c.includes('**What it does:**'));
		expect(about).toBeDefined();
		expect(about).toMatch(/\*\*Configure:\*\*.*Brand Infinity Store/s);
		expect(about).toMatch(/\*\*Trigger:\*\*/);
		for (const w of t.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook')) {
			// Every webhook path of the template is named in its notes, sticky or node note.
			const path = String(w.parameters.path).replace(/^brand-infinity\//, '');
			const text = [...stickies.map((n) => String(n.parameters.content)), ...t.nodes.map((n) => n.notes ?? '')].join('\n');
			expect([w.name, text.includes(path.split('/').pop()!)]).toEqual([w.name, true]);
		}
	});

	test('node notes are shown on the canvas (notesInFlow)', () => {
		for (const n of t.nodes.filter((x) => x.notes)) expect([n.name, n.notesInFlow]).toEqual([n.name, true]);
	});
});

test("the Broadcaster's gate wiring explains itself: Judge Video's three routes enter Publish, which reads the route and never passes an error", () => {
	const [, b] = templates.find(([f]) => f === 'broadcaster.json')!;
	const gate = b.connections['Judge Video'].main;
	expect(gate.slice(0, 3).map((out) => out.map((c) => c.node))).toEqual([['Publish'], ['Publish'], ['Publish']]);
	const publish = b.nodes.find((n) => n.name === 'Publish')!;
	expect(publish.parameters.publishGate).toMatch(/\$json\.error \? 'reject'/);
	const note = b.nodes.find((n) => n.type === 'n8n-nodes-base.stickyNote' && /three outputs all enter Publish/.test(String(n.parameters.content)));
	expect(note).toBeDefined();
	for (const route of ['Pass', 'Human Review', 'Reject', 'error']) expect(String(note!.parameters.content)).toContain(route);
});

