/**
 * A throwaway Redis from Debian's `redis-server` package (queue-mode tests): loopback only, no
 * persistence, stopped (and its process group killed) by stop() or when the test process exits.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

import { freePort } from './postgres15';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface Redis {
	port: number;
	stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(1000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (d) => {
			answer += d.toString();
			if (answer.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(answer.startsWith('+PONG')));
		socket.on('error', () => resolve(false));
	});
}

export async function startRedis(): Promise<Redis> {
	if (!existsSync(REDIS_SERVER)) {
		throw new Error(`redis-server not found (${REDIS_SERVER}). Install Debian's redis-server package, as .ci/run does.`);
	}
	const port = await freePort();
	const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
		stdio: 'ignore',
		detached: true,
	});
	const kill = () => {
		try {
			process.kill(-child.pid!, 'SIGKILL');
		} catch {
			// gone already
		}
	};
	process.once('exit', kill);
	let exited = false;
	child.on('exit', () => (exited = true));
	for (let i = 0; !(await ping(port)); i++) {
		if (exited || i > 100) {
			kill();
			throw new Error(`redis-server did not start on port ${port}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		port,
		async stop() {
			if (exited) return;
			const done = new Promise((r) => child.on('exit', r));
			child.kill('SIGTERM');
			await done;
			process.removeListener('exit', kill);
		},
	};
}
