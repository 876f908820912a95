'use strict';
/**
 * Drives a REAL n8n 2.41.1 (pinned runtime from scripts/n8n-runtime.sh) for e2e tests and the demo.
 * Plain CommonJS, Node built-ins only, runs under the system Node 20; n8n itself runs on Node 24.
 *
 * What we found in n8n 2.41.1 (read in its dist/ and checked by running it):
 * - Loading installed packages: at start-up AND in every CLI command that needs nodes (execute,
 *   start) n8n scans `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/` for directories named
 *   `n8n-nodes-*` or `@scope/n8n-nodes-*` (n8n-core `scanDirectoryForPackages`, called by the
 *   community-packages module's `nodeLoaders()`). The directory is what loads the package; the
 *   `nodes/package.json` is only the UI's ledger (`dependencies`: name → version). We still write
 *   the ledger entry, as the Community Nodes screen does, so the folder looks like a UI install.
 *   Node types are `<packageName>.<nodeName>`. The package's removed peer dependency
 *   (`n8n-workflow`) resolves because n8n prepends its own module paths to NODE_PATH.
 * - Credentials: `import:credentials` encrypts `data` when it is a plain object
 *   (`cipher.encryptV2` in `readCredentials`), so plaintext fields are fine. Workflows reference a
 *   credential as `"credentials": { "<credType>": { "id": "<id>", "name": "<name>" } }`.
 * - `import:workflow` exits 0 even when it skips a workflow (content-import policy); we check its
 *   "Successfully imported N workflows." line instead.
 * - `execute --rawOutput` prints `JSON.stringify(run, null, 2)` through n8n's logger at info
 *   level, so N8N_LOG_LEVEL must stay at info or above; other log lines can precede it. A failed
 *   execution logs the run data and exits 1.
 * - Task runners cannot be disabled in 2.x: every process that runs nodes starts a task broker on
 *   N8N_RUNNERS_BROKER_PORT (default 5679) plus a JS runner child. Two n8n processes at once (e.g.
 *   `start` and a CLI `execute`) collide on that port, so each process gets a free one.
 * - NODE_ENV must not be `test` (jest sets it): n8n then logs nothing and CLI commands never exit.
 * - The fixed N8N_ENCRYPTION_KEY must be the same for the CLI commands and `start`; n8n also
 *   writes it to `<userFolder>/.n8n/config` on first run and later fails with "Mismatching
 *   encryption keys" if a different key is passed for that folder.
 * - Publish workflows before `start`: `publish:workflow` only writes the database (it says
 *   "restart n8n for changes to take effect"). A running n8n does pick it up at its next periodic
 *   reconciliation (every 10 s; a webhook answered after 3.7 s here), but nothing signals when.
 * - /healthz/readiness turns 200 BEFORE published workflows are registered: 2.41.1 activates them
 *   through its workflow-publication service (N8N_USE_WORKFLOW_PUBLICATION_SERVICE, default true),
 *   whose start-up reconciliation runs in the background; a webhook called right after readiness
 *   answered 404 "not registered". start() therefore also waits for that first reconciliation,
 *   seen on /metrics (N8N_METRICS + N8N_METRICS_INCLUDE_WORKFLOW_PUBLICATION_METRICS).
 */
const { spawn, execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const RUNTIME_SCRIPT = path.join(__dirname, 'n8n-runtime.sh');
const ENCRYPTION_KEY = 'brand-infinity-e2e-harness-fixed-key';
const CLI_TIMEOUT_MS = 180_000;
const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const TAIL_LINES = 40;
// What the Community Nodes screen removes from an installed package's package.json.
const STRIPPED_DEPENDENCY_FIELDS = ['devDependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * The pinned runtime's folder (the script prints it as its last stdout line). Tests only check it:
 * the script proves that its Node loads sqlite3 and isolated-vm and that `n8n --version` answers,
 * and a runtime that fails is refused with the command that repairs it, instead of an n8n that
 * dies at its first import. The demo provisions (and repairs) it.
 */
function resolveRuntime({ provision = false } = {}) {
  let stdout;
  try {
    stdout = execFileSync('bash', provision ? [RUNTIME_SCRIPT] : [RUNTIME_SCRIPT, '--check'], {
      encoding: 'utf8',
      // Provisioning takes minutes the first time: its progress goes to the user's terminal.
      stdio: ['ignore', 'pipe', provision ? 'inherit' : 'pipe'],
    });
  } catch (err) {
    const said = String(err.stderr ?? '').trim().split('\n').filter(Boolean).pop();
    throw new Error(said || `scripts/n8n-runtime.sh failed (${err.message}); run: npm run n8n:runtime`);
  }
  const dir = stdout.trim().split('\n').pop();
  return {
    dir,
    nodeBinDir: path.join(dir, 'node', 'bin'),
    node: path.join(dir, 'node', 'bin', 'node'),
    n8n: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** SIGKILL a process group; it may already be gone. */
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

function tail(text, lines = TAIL_LINES) {
  return text.split('\n').slice(-lines).join('\n');
}

function readIfExists(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function execFileAsync(file, args, options) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`;
        reject(error);
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * `execute` prints the run as `JSON.stringify(run, null, 2)`, with log lines before it and, on
 * failure, the error after it. Pretty-printing puts the top-level braces alone on their lines.
 */
function parseRunJson(stdout) {
  const lines = stdout.split('\n');
  const start = lines.indexOf('{');
  const end = lines.indexOf('}', start);
  if (start === -1 || end === -1) throw new Error('no run JSON in n8n execute output');
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

function tryParseRun(stdout) {
  try {
    return parseRunJson(stdout);
  } catch {
    return undefined;
  }
}

/**
 * One line saying why an `execute` failed. n8n prints the run when a node failed; when a
 * pre-execution check fails instead (e.g. a credential id that does not exist, before `start` ever
 * ran), the run ends before the CLI awaits it and n8n only prints "No active execution found".
 */
function executeFailureSummary(stdout) {
  const error = tryParseRun(stdout)?.data?.resultData?.error;
  if (error) return error.node?.name ? `${error.node.name}: ${error.message}` : error.message;
  if (stdout.includes('No active execution found')) {
    return 'rejected before its first node ran (pre-execution check: are its credential ids imported?)';
  }
  return undefined;
}

class N8nHarness {
  /** @param {{ userFolder?: string, port?: number, env?: object, log?: (line: string) => void, provision?: boolean }} opts */
  static async create(opts = {}) {
    const runtime = resolveRuntime({ provision: opts.provision });
    const userFolder = opts.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bi-n8n-'));
    const port = opts.port ?? (await freePort());
    return new N8nHarness({ runtime, userFolder, port, env: opts.env ?? {}, log: opts.log ?? (() => {}) });
  }

  constructor({ runtime, userFolder, port, env, log }) {
    this.runtime = runtime;
    this.userFolder = userFolder;
    this.port = port;
    this.extraEnv = env;
    this.log = log;
    this.logDir = path.join(userFolder, 'harness-logs');
    this.nodesDir = path.join(userFolder, '.n8n', 'nodes');
    this.server = null;
    fs.mkdirSync(this.logDir, { recursive: true });
    // Continue the numbering when several harnesses share a userFolder, so logs are not overwritten.
    this.runCount = fs.readdirSync(this.logDir).filter((f) => f.endsWith('.stdout.log')).length;
  }

  get editorUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** PATH with Node 24 first, so `npm` and the task runner run on the runtime's Node. */
  pathEnv() {
    return `${this.runtime.nodeBinDir}${path.delimiter}${process.env.PATH}`;
  }

  async n8nEnv() {
    return {
      ...process.env,
      PATH: this.pathEnv(),
      // jest sets NODE_ENV=test, which silences n8n's logger and keeps its CLI commands from
      // exiting. production is what n8n's Docker image sets.
      NODE_ENV: 'production',
      N8N_USER_FOLDER: this.userFolder,
      N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
      N8N_LISTEN_ADDRESS: '127.0.0.1',
      N8N_PORT: String(this.port),
      N8N_SECURE_COOKIE: 'false',
      N8N_DIAGNOSTICS_ENABLED: 'false',
      N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
      N8N_PERSONALIZATION_ENABLED: 'false',
      N8N_TEMPLATES_ENABLED: 'false',
      N8N_HIRING_BANNER_ENABLED: 'false',
      N8N_DYNAMIC_BANNERS_ENABLED: 'false',
      // No vetted-package lookups against api.n8n.io (unreachable here).
      N8N_VERIFIED_PACKAGES_ENABLED: 'false',
      // /metrics tells start() when published workflows are registered.
      N8N_METRICS: 'true',
      N8N_METRICS_INCLUDE_WORKFLOW_PUBLICATION_METRICS: 'true',
      // The default (deprecated, but the only mode without a separate runner launcher), so Code
      // nodes in test workflows still run; the broker port must differ per process (see top).
      N8N_RUNNERS_MODE: 'internal',
      N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
      N8N_RUNNERS_BROKER_PORT: String(await freePort()),
      ...this.extraEnv,
    };
  }

  /** Spawns `n8n <args>` with stdout/stderr going to files under harness-logs/. */
  async spawnN8n(args, { detached = false, env = {} } = {}) {
    const label = `${String(++this.runCount).padStart(2, '0')}-${args[0].replace(/:/g, '-')}`;
    const outFile = path.join(this.logDir, `${label}.stdout.log`);
    const errFile = path.join(this.logDir, `${label}.stderr.log`);
    const out = fs.openSync(outFile, 'w');
    const err = fs.openSync(errFile, 'w');
    this.log(`n8n ${args.join(' ')}  (logs: ${this.logDir}/${label}.*)`);
    const child = spawn(this.runtime.node, [this.runtime.n8n, ...args], {
      cwd: this.userFolder,
      env: { ...(await this.n8nEnv()), ...env },
      stdio: ['ignore', out, err],
      detached,
    });
    fs.closeSync(out);
    fs.closeSync(err);
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const output = () => ({ stdout: readIfExists(outFile), stderr: readIfExists(errFile) });
    const describe = (what) => {
      const { stdout, stderr } = output();
      return `n8n ${args.join(' ')}: ${what}\n--- stdout (tail) ---\n${tail(stdout)}\n--- stderr (tail) ---\n${tail(stderr)}`;
    };
    return { child, exited, output, describe };
  }

  /** Runs a CLI command to completion; resolves with its stdout, rejects on non-zero exit. */
  async cli(args) {
    const started = Date.now();
    const run = await this.spawnN8n(args);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    const { code, signal } = await run.exited;
    clearTimeout(timer);
    this.log(`n8n ${args[0]} finished in ${((Date.now() - started) / 1000).toFixed(1)} s (exit ${code ?? signal})`);
    const { stdout } = run.output();
    if (code !== 0) {
      throw Object.assign(new Error(run.describe(`exited with ${code ?? signal}`)), { stdout });
    }
    return stdout;
  }

  /** Writes a JSON input file for an import command under harness-logs/. */
  writeInput(name, value) {
    const file = path.join(this.logDir, `${String(this.runCount + 1).padStart(2, '0')}-${name}.json`);
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
    return file;
  }

  /** Repeats the Community Nodes screen's install (`downloadPackage`) with a local tarball. */
  async installPackage(tarballPath) {
    const tarball = path.resolve(tarballPath);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    const packageDir = path.join(this.nodesDir, 'node_modules', manifest.name);
    await fsp.rm(packageDir, { recursive: true, force: true });
    await fsp.mkdir(packageDir, { recursive: true });
    await execFileAsync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);

    const installed = { ...manifest };
    for (const field of STRIPPED_DEPENDENCY_FIELDS) delete installed[field];
    await fsp.writeFile(path.join(packageDir, 'package.json'), JSON.stringify(installed, null, 2));

    const started = Date.now();
    await execFileAsync(
      'npm',
      [
        'install',
        '--audit=false',
        '--fund=false',
        '--bin-links=false',
        '--install-strategy=shallow',
        '--ignore-scripts=true',
        '--package-lock=false',
      ],
      { cwd: packageDir, env: { ...process.env, PATH: this.pathEnv() } },
    );
    this.log(`npm install for ${manifest.name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await this.recordInLedger(manifest.name, manifest.version);
    return { name: manifest.name, version: manifest.version, dir: packageDir };
  }

  /** The UI keeps `nodes/package.json` dependencies in step with installed packages. */
  async recordInLedger(name, version) {
    const ledgerFile = path.join(this.nodesDir, 'package.json');
    const ledger = fs.existsSync(ledgerFile)
      ? JSON.parse(await fsp.readFile(ledgerFile, 'utf8'))
      : { name: 'installed-nodes', private: true, dependencies: {} };
    ledger.dependencies = { ...ledger.dependencies, [name]: version };
    await fsp.writeFile(ledgerFile, JSON.stringify(ledger, null, 2));
  }

  /** @param {{ id: string, name: string, type: string, data: object }[]} credentials plaintext data */
  async importCredentials(credentials) {
    const input = this.writeInput('credentials', credentials);
    try {
      await this.cli(['import:credentials', `--input=${input}`]);
    } finally {
      // The file holds plaintext secrets; n8n stored them encrypted.
      await fsp.rm(input, { force: true });
    }
  }

  /** Imports workflow files (each one workflow object or an array) in a single CLI run. */
  async importWorkflows(files) {
    const workflows = files.flatMap((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
    const input = this.writeInput('workflows', workflows);
    const stdout = await this.cli(['import:workflow', `--input=${input}`]);
    const expected = `Successfully imported ${workflows.length} workflow`;
    if (!stdout.includes(expected)) {
      throw new Error(`n8n import:workflow did not report "${expected}":\n${tail(stdout)}`);
    }
  }

  async publish(workflowId) {
    await this.cli(['publish:workflow', `--id=${workflowId}`]);
  }

  /**
   * Runs a workflow from its start node and returns the run (`data.resultData.runData`, `status`).
   * A failed execution throws with the reason first, then the output tail; `error.run` holds the
   * run when n8n printed one.
   */
  async execute(workflowId) {
    let stdout;
    try {
      stdout = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
    } catch (error) {
      const summary = error.stdout && executeFailureSummary(error.stdout);
      if (summary) error.message = `workflow ${workflowId} failed: ${summary}\n${error.message}`;
      error.run = error.stdout && tryParseRun(error.stdout);
      throw error;
    }
    return parseRunJson(stdout);
  }

  /**
   * `n8n start`; resolves when /healthz/readiness answers 200 and the start-up publication
   * reconciliation has registered the published workflows (webhooks answer from then on).
   */
  async start() {
    if (this.server) throw new Error('n8n is already running');
    const started = Date.now();
    // Own process group, so a forced stop also ends the task-runner child.
    const server = await this.spawnN8n(['start'], { detached: true });
    this.server = server;
    this.killOnExit = () => killGroup(server.child.pid);
    process.once('exit', this.killOnExit);
    let exit = null;
    server.exited.then((result) => (exit = result));
    while (!(await this.isReady())) {
      if (exit) {
        this.forgetServer();
        throw new Error(server.describe(`exited with ${exit.code ?? exit.signal} before it was ready`));
      }
      if (Date.now() - started > READY_TIMEOUT_MS) {
        await this.stop();
        throw new Error(server.describe(`not ready after ${READY_TIMEOUT_MS / 1000} s`));
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.log(`n8n ready at ${this.editorUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  async isReady() {
    try {
      const health = await fetch(`${this.editorUrl}/healthz/readiness`);
      return health.status === 200 && (await this.publicationReconciliations()) > 0;
    } catch {
      return false; // not listening yet
    }
  }

  /** How many publication reconciliation passes n8n has finished (a Prometheus counter). */
  async publicationReconciliations() {
    const metrics = await (await fetch(`${this.editorUrl}/metrics`)).text();
    const counts = metrics.matchAll(/^\w*workflow_publication_reconciliation_duration_seconds_count\{[^}]*\} (\d+)$/gm);
    return [...counts].reduce((sum, match) => sum + Number(match[1]), 0);
  }

  /** SIGTERM, then SIGKILL (whole process group) if n8n has not exited after 20 s. */
  async stop() {
    const server = this.server;
    if (!server) return;
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(server.child.pid), STOP_GRACE_MS);
    await server.exited;
    clearTimeout(timer);
    this.forgetServer();
  }

  forgetServer() {
    process.removeListener('exit', this.killOnExit);
    this.server = null;
  }

  /**
   * Queue mode (the harness `env` must set EXECUTIONS_MODE=queue, a Postgres database and Redis):
   * starts `n8n worker`; resolves when its /healthz/readiness (database and Redis reachable)
   * answers 200. Each worker gets its own health port and task-broker port.
   */
  async startWorker({ concurrency = 5 } = {}) {
    const healthPort = await freePort();
    const worker = await this.spawnN8n(['worker', `--concurrency=${concurrency}`], {
      detached: true,
      env: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_METRICS: 'false' },
    });
    const kill = () => killGroup(worker.child.pid);
    process.once('exit', kill);
    let exit = null;
    worker.exited.then((result) => (exit = result));
    const started = Date.now();
    for (;;) {
      if (exit) throw new Error(worker.describe(`exited with ${exit.code ?? exit.signal} before it was ready`));
      const ok = await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() - started > READY_TIMEOUT_MS) {
        kill();
        throw new Error(worker.describe(`worker not ready after ${READY_TIMEOUT_MS / 1000} s`));
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    this.log(`n8n worker ready (health port ${healthPort}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const handle = {
      pid: worker.child.pid,
      output: worker.output,
      stop: async () => {
        if (exit) return;
        worker.child.kill('SIGTERM');
        const timer = setTimeout(kill, STOP_GRACE_MS);
        await worker.exited;
        clearTimeout(timer);
        process.removeListener('exit', kill);
      },
    };
    this.workers = [...(this.workers ?? []), handle];
    return handle;
  }

  async stopWorkers() {
    const workers = this.workers ?? [];
    this.workers = [];
    await Promise.all(workers.map((w) => w.stop()));
  }

  /**
   * Waits until n8n has registered a production webhook (answers anything but its own 404 "is not
   * registered"). Call it with a request that is harmless for the workflow (e.g. a GET status path).
   */
  async waitForWebhook(webhookPath, { method = 'GET', timeoutMs = 120_000 } = {}) {
    const url = `${this.editorUrl}/webhook/${webhookPath.replace(/^\//, '')}`;
    const started = Date.now();
    for (;;) {
      const res = await fetch(url, { method });
      const text = await res.text();
      if (!(res.status === 404 && text.includes('is not registered'))) return;
      if (Date.now() - started > timeoutMs) throw new Error(`webhook ${method} ${webhookPath} still not registered after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Calls a production (or, with test: true, a test) webhook; body is parsed as JSON when possible. */
  async webhook(webhookPath, body, { method = 'POST', test = false, headers = {}, timeoutMs } = {}) {
    const url = `${this.editorUrl}/${test ? 'webhook-test' : 'webhook'}/${webhookPath.replace(/^\//, '')}`;
    const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
    const res = await fetch(url, {
      method,
      headers: hasBody ? { 'content-type': 'application/json', ...headers } : headers,
      body: hasBody ? JSON.stringify(body) : undefined,
      signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: return the text as is
    }
    return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) };
  }
}

/** Output items of every node of a run: { nodeName: [json, ...] } (first output, last run). */
function outputsByNode(run) {
  const runData = run.data.resultData.runData;
  return Object.fromEntries(
    Object.entries(runData).map(([node, runs]) => {
      const main = runs[runs.length - 1].data?.main?.[0] ?? [];
      return [node, main.map((item) => item.json)];
    }),
  );
}

module.exports = { N8nHarness, outputsByNode, parseRunJson };

const USAGE = `usage: node scripts/n8n-harness.js run [--tarball X.tgz] [--credentials creds.json]
         [--workflows a.json,b.json] [--execute ID[,ID]]
  creds.json: [{ "id", "name", "type", "data": { plaintext fields } }]`;

/** `--name value` or `--name=value` pairs after the command. */
function parseCliArgs(argv) {
  const [command, ...rest] = argv;
  const flags = {};
  for (let i = 0; i < rest.length; i++) {
    const [name, inline] = rest[i].replace(/^--/, '').split(/=(.*)/s);
    flags[name] = inline ?? rest[++i];
  }
  return { command, flags };
}

async function main() {
  const { command, flags } = parseCliArgs(process.argv.slice(2));
  if (command !== 'run') {
    console.error(USAGE);
    process.exit(2);
  }
  const list = (value) => (value ? value.split(',').filter(Boolean) : []);
  const h = await N8nHarness.create({ log: (line) => console.error(`[harness] ${line}`) });
  if (flags.tarball) await h.installPackage(flags.tarball);
  if (flags.credentials) await h.importCredentials(JSON.parse(fs.readFileSync(flags.credentials, 'utf8')));
  if (flags.workflows) await h.importWorkflows(list(flags.workflows));
  for (const id of list(flags.execute)) {
    const run = await h.execute(id);
    console.log(JSON.stringify({ workflowId: id, status: run.status, outputs: outputsByNode(run) }, null, 2));
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
