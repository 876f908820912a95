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
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))) as Record<string, new () => { description: INodeTypeDescription }>;
		const description = new (Object.values(mod)[0])().description;
		return [`${pkg.name}.${description.name}`, description];
	}),
);

interface TemplateNode {
	id: string;
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}
interface Template {
	id: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const templates = readdirSync(join(ROOT, 'workflows'))
	.filter((f) => f.endsWith('.json'))
	.map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'workflows', f), 'utf8')) as Template] as const);
const templateIds = new Set(templates.map(([, t]) => t.id));

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
});
