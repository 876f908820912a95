import { mapLimit, Semaphore } from '../../lib/domain/concurrency';
import { coresPerRender, CORES_PER_RENDER, defaultRenderConcurrency, renderConcurrency, withRenderSlot } from '../../lib/media/schedule';

/** A promise resolved from outside, so a test decides when each piece of work ends (no timers). */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
	let resolve!: (v: T) => void;
	let reject!: (e: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('mapLimit', () => {
	test('never runs more than the limit at once, keeps item order, uses every lane', async () => {
		const gates = Array.from({ length: 7 }, () => deferred<number>());
		let running = 0;
		let most = 0;
		const started: number[] = [];
		const all = mapLimit(gates, 3, async (g, i) => {
			started.push(i);
			running++;
			most = Math.max(most, running);
			const v = await g.promise;
			running--;
			return v * 10;
		});
		await tick();
		expect(started).toEqual([0, 1, 2]);
		// Finish out of order: the freed lane takes the next item.
		gates[2].resolve(2);
		await tick();
		expect(started).toEqual([0, 1, 2, 3]);
		gates.forEach((g, i) => g.resolve(i));
		expect(await all).toEqual([0, 10, 20, 30, 40, 50, 60]);
		expect(most).toBe(3);
	});

	test('after a failure no new item starts; the running ones finish; the first failure by item is thrown', async () => {
		const gates = Array.from({ length: 5 }, () => deferred<number>());
		const started: number[] = [];
		const finished: number[] = [];
		const all = mapLimit(gates, 2, async (g, i) => {
			started.push(i);
			const v = await g.promise;
			finished.push(i);
			return v;
		});
		await tick();
		gates[1].reject(new Error('item 1 failed'));
		await tick();
		gates[0].resolve(0);
		await expect(all).rejects.toThrow('item 1 failed');
		expect(started).toEqual([0, 1]);
		expect(finished).toEqual([0]);
	});
});

describe('Semaphore', () => {
	test('holds at most max; a waiter starts when a place is released, in arrival order', async () => {
		const s = new Semaphore(1);
		const order: string[] = [];
		const r1 = await s.acquire(() => order.push('a'));
		const b = s.acquire(() => order.push('b'));
		const c = s.acquire(() => order.push('c'));
		await tick();
		expect(order).toEqual(['a']);
		r1();
		r1(); // releasing twice frees one place only
		const rb = await b;
		await tick();
		expect(order).toEqual(['a', 'b']);
		expect(s.running).toBe(1);
		rb();
		(await c)();
		expect(order).toEqual(['a', 'b', 'c']);
		expect(s.running).toBe(0);
	});
});

describe('render scheduling', () => {
	test('default: cores / CORES_PER_RENDER, at least one; an explicit setting wins, 0 means the default', () => {
		expect(CORES_PER_RENDER).toBe(2);
		expect(defaultRenderConcurrency(1)).toBe(1);
		expect(defaultRenderConcurrency(2)).toBe(1);
		expect(defaultRenderConcurrency(3)).toBe(1);
		expect(defaultRenderConcurrency(8)).toBe(4);
		expect(renderConcurrency(0, 8)).toBe(4);
		expect(renderConcurrency(undefined, 16)).toBe(8);
		expect(renderConcurrency(3, 2)).toBe(3);
		expect(renderConcurrency(Number.NaN, 2)).toBe(1);
	});

	test('each render gets its share of the cores, so renders × segment processes stay within them', () => {
		expect(coresPerRender(1, 2)).toBe(2);
		expect(coresPerRender(defaultRenderConcurrency(8), 8)).toBe(2);
		expect(coresPerRender(3, 8)).toBe(2);
		expect(coresPerRender(4, 2)).toBe(1);
		expect(coresPerRender(0, 4)).toBe(4);
		for (const cores of [1, 2, 3, 4, 8, 16]) expect(coresPerRender(defaultRenderConcurrency(cores), cores) * defaultRenderConcurrency(cores)).toBeLessThanOrEqual(Math.max(cores, 1));
	});

	test('callers with the same limit share its places (two executions in one process): limit 1 renders one at a time', async () => {
		const gates = [deferred(), deferred()];
		const started: number[] = [];
		const runs = gates.map((g, i) =>
			withRenderSlot(1, async () => {
				started.push(i);
				await g.promise;
			}),
		);
		await tick();
		expect(started).toEqual([0]);
		gates[0].resolve();
		await tick();
		await tick();
		expect(started).toEqual([0, 1]);
		gates[1].resolve();
		await Promise.all(runs);
		// Another limit has places of its own: it is not held up by a busy limit-1 render.
		const busy = deferred();
		const held = withRenderSlot(1, () => busy.promise);
		expect(await withRenderSlot(2, async () => 'own places')).toBe('own places');
		busy.resolve();
		await held;
	});
});
