/**
 * Bounded concurrency, in-process: a counting semaphore and an order-keeping map with a limit.
 */

/** At most `max` holders at once; the others wait in arrival order. */
export class Semaphore {
	private active = 0;
	private readonly waiting: (() => void)[] = [];
	constructor(readonly max: number) {}
	/** Resolves with the release function once a place is free; `onStart` runs when it is taken. */
	async acquire(onStart: () => void = () => {}): Promise<() => void> {
		if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
		this.active++;
		onStart();
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.active--;
			this.waiting.shift()?.();
		};
	}
	/** Runs `fn` holding a place. */
	async run<T>(fn: () => Promise<T>): Promise<T> {
		const release = await this.acquire();
		try {
			return await fn();
		} finally {
			release();
		}
	}
	get running(): number {
		return this.active;
	}
}

/**
 * `fn` over `items`, at most `limit` at a time, results in item order. After a rejection no new
 * item starts; the running ones finish, then the first rejection (by item order) is thrown.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	const failures: { i: number; err: unknown }[] = [];
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length && !failures.length) {
			const i = next++;
			try {
				out[i] = await fn(items[i], i);
			} catch (err) {
				failures.push({ i, err });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
	if (failures.length) throw failures.sort((a, b) => a.i - b.i)[0].err;
	return out;
}
