/**
 * What a user's n8n installs and loads: the packed tarball's size, the installed size and package
 * count, and the time to load the library entry and the node files.
 *
 *   npm run build && npm run bench:install -- [--runs 9] [--baseline OLD.tgz]
 *
 * 1. `npm pack` of this checkout (it must be built: `npm run build`); with --baseline, also the
 *    tarball given (an older release), measured in the same run: its timing runs alternate with
 *    this checkout's, so the machine's load weighs on both alike, and the ratios are printed.
 * 2. An empty folder, then `npm install <tarball> --ignore-scripts --omit=dev --omit=peer`, the
 *    flags n8n's Community Nodes installer uses (it also strips dev, peer and optional dependencies
 *    from the package's package.json; this package has none it needs at run time there).
 * 3. Installed size as `du -sk node_modules` reports it, and the number of packages (folders with a
 *    package.json under node_modules, nested ones included).
 * 4. Load time, wall-clock and CPU: a fresh `node` per run requires the installed package's entry
 *    (`require(name)`), median of --runs; and all node and credential files listed in package.json's "n8n" section (what
 *    n8n loads at start-up) minus the time to load n8n-workflow alone, which n8n provides (it is a
 *    peer dependency, taken here from this checkout's node_modules).
 *
 * Prints a table, then one JSON line (the last line). npm's exported settings (`npm_config_*`, set
 * when this runs under `npm run`) are removed from the children's environment so the project's
 * .npmrc does not change what a user's install does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const baselineArg = process.argv.indexOf('--baseline');
const BASELINE = baselineArg > 0 ? resolve(process.argv[baselineArg + 1]) : undefined;

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(cmd: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): string {
	return execFileSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function countPackages(nodeModules: string): number {
	let count = 0;
	const visit = (dir: string): void => {
		if (!existsSync(dir)) return;
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
			const path = join(dir, entry.name);
			if (entry.name.startsWith('@')) {
				visit(path);
				continue;
			}
			if (existsSync(join(path, 'package.json'))) count++;
			visit(join(path, 'node_modules'));
		}
	};
	visit(nodeModules);
	return count;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One timed `body` in a fresh node process: wall-clock and CPU milliseconds (user + system, from
 * process.cpuUsage). On a busy machine the wall time includes waiting for a core; the CPU time
 * mostly does not, so it is the steadier figure to compare.
 */
function timeInFreshNode(cwd: string, body: string, extraEnv: Record<string, string> = {}): { wall: number; cpu: number } {
	const script = `const t=process.hrtime.bigint(),c=process.cpuUsage();${body};const u=process.cpuUsage(c);process.stdout.write(JSON.stringify({wall:Number(process.hrtime.bigint()-t)/1e6,cpu:(u.user+u.system)/1e3}))`;
	return JSON.parse(run(process.execPath, ['-e', script], cwd, extraEnv)) as { wall: number; cpu: number };
}

type Sample = { wall: number; cpu: number };
const medianOf = (samples: Sample[], key: keyof Sample): number => median(samples.map((s) => s[key]));

interface Packed {
	name: string;
	filename: string;
	size: number;
	unpackedSize: number;
	entryCount: number;
	files: Array<{ path: string }>;
}

interface Install {
	label: string;
	packed: Packed;
	app: string;
	installedKb: number;
	packages: number;
	files: string[];
	entry: Sample[];
	nodes: Sample[];
}

/** Installs `tarball` into `<work>/<label>` with n8n's installer flags; sizes measured, timings to come. */
function install(work: string, label: string, tarball: string, packed: Packed): Install {
	const app = join(work, label);
	mkdirSync(app);
	writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bi-install-check', private: true }));
	run('npm', ['install', tarball, '--ignore-scripts', '--omit=dev', '--omit=peer', '--audit=false', '--fund=false', '--package-lock=false'], app);
	const nodeModules = join(app, 'node_modules');
	const pkgDir = join(nodeModules, packed.name);
	const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	return {
		label,
		packed,
		app,
		installedKb: Number(run('du', ['-sk', nodeModules], app).split('\t')[0]),
		packages: countPackages(nodeModules),
		files: [...pkg.n8n.nodes, ...pkg.n8n.credentials].map((f) => join(pkgDir, f)),
		entry: [],
		nodes: [],
	};
}

function main(): void {
	if (!existsSync(join(ROOT, 'dist', 'lib', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
	const work = mkdtempSync(join(tmpdir(), 'bi-install-'));
	try {
		const [current] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Packed[];
		const installs = [install(work, 'current', join(work, current.filename), current)];
		if (BASELINE) {
			// `npm pack --dry-run <tarball>` lists a tarball without writing anything.
			const [base] = JSON.parse(run('npm', ['pack', '--json', '--dry-run', BASELINE], work)) as Packed[];
			installs.unshift(install(work, 'baseline', BASELINE, base));
		}
		// n8n-workflow is n8n's own (a peer dependency): taken from this checkout, timed apart.
		const peer = { NODE_PATH: join(ROOT, 'node_modules') };
		const workflow: Sample[] = [];
		for (let i = 0; i < RUNS; i++) {
			workflow.push(timeInFreshNode(installs[0].app, `require('n8n-workflow')`, peer));
			for (const it of installs) {
				it.entry.push(timeInFreshNode(it.app, `require(${JSON.stringify(it.packed.name)})`));
				it.nodes.push(timeInFreshNode(it.app, `require('n8n-workflow');for(const f of ${JSON.stringify(it.files)})require(f)`, peer));
			}
		}
		const workflowMs = medianOf(workflow, 'wall');
		const workflowCpu = medianOf(workflow, 'cpu');
		const results = installs.map((it) => ({
			label: it.label,
			tarball_kb: Math.round(it.packed.size / 1024),
			unpacked_kb: Math.round(it.packed.unpackedSize / 1024),
			tarball_files: it.packed.entryCount,
			source_maps: it.packed.files.filter((f) => f.path.endsWith('.map')).length,
			installed_mb: Math.round((it.installedKb / 1024) * 10) / 10,
			packages: it.packages,
			entry_load_ms: Math.round(medianOf(it.entry, 'wall')),
			entry_load_cpu_ms: Math.round(medianOf(it.entry, 'cpu')),
			nodes_and_credentials_load_ms: Math.round(medianOf(it.nodes, 'wall') - workflowMs),
			nodes_and_credentials_load_cpu_ms: Math.round(medianOf(it.nodes, 'cpu') - workflowCpu),
			node_and_credential_files: it.files.length,
		}));
		const rows: Array<[string, (r: (typeof results)[number]) => string]> = [
			['tarball', (r) => `${r.tarball_kb} kB, ${r.tarball_files} files, ${r.source_maps} maps`],
			['installed (du -sk node_modules)', (r) => `${r.installed_mb} MB`],
			['packages installed', (r) => String(r.packages)],
			[`require('${current.name}'), median of ${RUNS}`, (r) => `${r.entry_load_ms} ms (CPU ${r.entry_load_cpu_ms} ms)`],
			[`${results[0].node_and_credential_files} node + credential files, beyond n8n-workflow`, (r) => `${r.nodes_and_credentials_load_ms} ms (CPU ${r.nodes_and_credentials_load_cpu_ms} ms)`],
		];
		process.stdout.write(`${''.padEnd(52)}${results.map((r) => r.label.padEnd(34)).join('')}\n`);
		for (const [k, f] of rows) process.stdout.write(`${k.padEnd(52)}${results.map((r) => f(r).padEnd(34)).join('')}\n`);
		const summary: Record<string, unknown> = { runs: RUNS, n8n_workflow_load_ms: Math.round(workflowMs), n8n_workflow_load_cpu_ms: Math.round(workflowCpu), results };
		if (results.length === 2) {
			const [b, c] = results;
			summary.ratios = {
				installed: Math.round((c.installed_mb / b.installed_mb) * 100) / 100,
				entry_load: Math.round((c.entry_load_ms / b.entry_load_ms) * 100) / 100,
				nodes_load: Math.round((c.nodes_and_credentials_load_ms / b.nodes_and_credentials_load_ms) * 100) / 100,
				entry_load_cpu: Math.round((c.entry_load_cpu_ms / b.entry_load_cpu_ms) * 100) / 100,
				nodes_load_cpu: Math.round((c.nodes_and_credentials_load_cpu_ms / b.nodes_and_credentials_load_cpu_ms) * 100) / 100,
			};
		}
		process.stdout.write(`${JSON.stringify(summary)}\n`);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

main();
