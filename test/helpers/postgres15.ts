/**
 * A throwaway PostgreSQL 15 cluster from Debian's `postgresql-15` binaries, for tests that need
 * real multi-connection Postgres (row locks, SKIP LOCKED, advisory locks) rather than PGlite's
 * single session. Listens on 127.0.0.1 on a free port with trust auth; the data directory and the
 * unix socket live in a temporary folder removed by stop().
 *
 * initdb and postgres refuse to run as root, and tests run as root here, so the folder belongs to
 * the `postgres` OS user and the binaries run through `runuser -u postgres --`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

export interface Postgres15 {
	/** postgresql://postgres@127.0.0.1:<port>/postgres */
	connectionString: string;
	/** The same server, another database (create it first, e.g. with `create database`). */
	connectionStringFor(database: string): string;
	port: number;
	stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

function osUserIds(user: string): { uid: number; gid: number } {
	const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

/** Runs a PostgreSQL binary as the postgres OS user (or directly when we are not root). */
function asPostgres(bin: string, args: string[]): { file: string; args: string[] } {
	const path = join(PG15_BIN, bin);
	if (process.getuid?.() !== 0) return { file: path, args };
	// util-linux's runuser lives in /usr/sbin, which a non-login PATH may lack.
	const runuser = existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';
	return { file: runuser, args: ['-u', OS_USER, '--', path, ...args] };
}

const DIR_PREFIX = 'bi-pg15-';
const OWNER_FILE = 'owner.pid'; // the pid of the node process that started the cluster

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Stops clusters left by test processes that died without cleaning up (SIGKILL, OOM): pg_ctl
 * daemonizes postgres, so it outlives its starter. Only folders this helper made, with a dead owner.
 */
function reapOrphans(): void {
	for (const name of readdirSync(tmpdir())) {
		if (!name.startsWith(DIR_PREFIX)) continue;
		const dir = join(tmpdir(), name);
		let owner = NaN;
		try {
			owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
		} catch {
			continue; // being created right now, or not ours
		}
		if (!Number.isInteger(owner) || alive(owner)) continue;
		if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
			try {
				const { file, args } = asPostgres('pg_ctl', ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']);
				execFileSync(file, args, { stdio: 'ignore' });
			} catch {
				// not running
			}
		}
		rmSync(dir, { recursive: true, force: true });
	}
}

function describeFailure(err: unknown, logFile: string): string {
	const e = err as { message?: string; stderr?: string; stdout?: string };
	let log = '';
	try {
		log = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
	} catch {
		// no log written yet
	}
	return [e.message, e.stderr, e.stdout, log && `server log (tail):\n${log}`].filter(Boolean).join('\n');
}

/**
 * Starts a fresh cluster. Fails (never skips) when the binaries are missing: the integration
 * suite is meant to exercise real Postgres, and `.ci/run` installs them.
 */
export async function startPostgres15(): Promise<Postgres15> {
	for (const bin of ['initdb', 'pg_ctl', 'postgres']) {
		if (!existsSync(join(PG15_BIN, bin))) {
			throw new Error(
				`PostgreSQL 15 binaries not found (${join(PG15_BIN, bin)} is missing). ` +
					`Install Debian's postgresql-15 package (apt-get install -y postgresql-15), as .ci/run does.`,
			);
		}
	}
	reapOrphans();
	const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
	writeFileSync(join(dir, OWNER_FILE), String(process.pid));
	const dataDir = join(dir, 'data');
	const logFile = join(dir, 'server.log');
	let started = false;

	// Registered before anything starts, so a crashed or interrupted test run still stops the
	// server (synchronously, as 'exit' handlers must) instead of leaving a postgres behind.
	const stopSync = () => {
		// postmaster.pid, not `started`: a signal may arrive while pg_ctl start is still waiting.
		if (existsSync(join(dataDir, 'postmaster.pid'))) {
			try {
				const { file, args } = asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
				execFileSync(file, args, { stdio: 'ignore' });
			} catch {
				// already stopped
			}
			started = false;
		}
		rmSync(dir, { recursive: true, force: true });
	};
	process.once('exit', stopSync);
	// A signal ends the process without 'exit': stop the server, then let the signal do its work.
	const onSignal = (signal: NodeJS.Signals) => {
		stopSync();
		process.kill(process.pid, signal);
	};
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
	for (const sig of signals) process.once(sig, onSignal);
	const unregister = () => {
		process.removeListener('exit', stopSync);
		for (const sig of signals) process.removeListener(sig, onSignal);
	};

	try {
		if (process.getuid?.() === 0) {
			const { uid, gid } = osUserIds(OS_USER);
			chownSync(dir, uid, gid);
		}
		const init = asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
		await run(init.file, init.args).catch((err) => {
			throw new Error(`initdb failed: ${describeFailure(err, logFile)}`);
		});

		// A port found free may be taken before postgres binds it: try a few.
		let lastError = '';
		for (let attempt = 0; attempt < 3 && !started; attempt++) {
			const port = await freePort();
			const options = [
				'-c listen_addresses=127.0.0.1',
				`-c port=${port}`,
				`-c unix_socket_directories=${dir}`,
				'-c fsync=off',
				'-c synchronous_commit=off',
				'-c full_page_writes=off',
				'-c max_connections=200',
			].join(' ');
			const ctl = asPostgres('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options]);
			try {
				await run(ctl.file, ctl.args);
				started = true;
				const connectionStringFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
				return {
					port,
					connectionString: connectionStringFor('postgres'),
					connectionStringFor,
					stop: async () => {
						unregister();
						if (started) {
							const stop = asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
							await run(stop.file, stop.args).catch(async () => {
								// Fast shutdown waits for clients; a leaked pool must not keep the server up.
								const now = asPostgres('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
								await run(now.file, now.args).catch(() => undefined);
							});
							started = false;
						}
						rmSync(dir, { recursive: true, force: true });
					},
				};
			} catch (err) {
				lastError = describeFailure(err, logFile);
			}
		}
		throw new Error(`PostgreSQL 15 did not start: ${lastError}`);
	} catch (err) {
		unregister();
		stopSync();
		throw err;
	}
}
