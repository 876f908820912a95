/** The package's n8n conventions: every listed node and credential has its source, codex and icons. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('package.json', () => {
	test('is an n8n community package with n8n-workflow as a peer and no install scripts', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.peerDependencies).toHaveProperty('n8n-workflow');
		expect(pkg.dependencies).not.toHaveProperty('n8n-workflow');
		expect(pkg.optionalDependencies).toBeUndefined();
		for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook]).toBeUndefined();
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
	});

	test.each(pkg.n8n.nodes as string[])('%s has source, codex and light/dark icons', (distPath) => {
		const source = join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		expect(existsSync(source)).toBe(true);
		const text = readFileSync(source, 'utf8');
		const name = /name: '([a-zA-Z]+)',\n\t\ticon/.exec(text)?.[1];
		const codex = JSON.parse(readFileSync(source.replace(/\.ts$/, '.json'), 'utf8'));
		expect(codex.node).toBe(`${pkg.name}.${name}`);
		const icons = /icon: \{ light: 'file:([^']+)', dark: 'file:([^']+)' \}/.exec(text);
		expect(icons).not.toBeNull();
		for (const icon of icons!.slice(1)) expect(existsSync(join(source, '..', icon))).toBe(true);
	});

	test.each(pkg.n8n.credentials as string[])('%s has its source', (distPath) => {
		expect(existsSync(join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
	});

	test('templates use the installed-package node types', () => {
		const wf = JSON.parse(readFileSync(join(ROOT, 'workflows', 'campaign-manager.json'), 'utf8'));
		const ours = wf.nodes.filter((n: { type: string }) => !n.type.startsWith('n8n-nodes-base.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const n of ours) expect(n.type).toMatch(new RegExp(`^${pkg.name}\\.(campaign|costLedger)$`));
	});

	test('loading the library entry and every node and credential file loads no package beyond what n8n-workflow loads (zod): the SDKs, sharp, pg and PGlite load on first use', () => {
		// A fresh node process, as n8n's start-up: n8n-workflow first (n8n brings it), then ours; the
		// packages that appear after n8n-workflow are the ones the package itself loads.
		const files = ['./lib/index.ts', ...[...pkg.n8n.nodes, ...pkg.n8n.credentials].map((f: string) => `./${f.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`)];
		const script = `
			const pkgOf = (f) => { const i = f.lastIndexOf('node_modules/'); if (i < 0) return null; const p = f.slice(i + 13).split('/'); return p[0].startsWith('@') ? p[0] + '/' + p[1] : p[0]; };
			const loaded = () => new Set(Object.keys(require.cache).map(pkgOf).filter(Boolean));
			require('n8n-workflow');
			const before = loaded();
			for (const f of ${JSON.stringify(files)}) require(f);
			process.stdout.write(JSON.stringify([...loaded()].filter((p) => !before.has(p)).sort()));`;
		const out = execFileSync(process.execPath, ['-r', './test/helpers/ts-register.js', '-e', script], { cwd: ROOT, encoding: 'utf8' });
		expect(JSON.parse(out)).toEqual([]);
	}, 60_000);
});
