/**
 * How many videos render at once, and how many cores each may use. One render (assemble.ts) runs
 * that many segment processes side by side, each with a filter thread and one encoder per output:
 * two cores' worth keeps a render's own segments busy and its last segment short. Renders × cores
 * per render stays within the machine's cores: more would oversubscribe it, each render slower and
 * none finished sooner, with memory growing per process.
 */
import { availableParallelism } from 'node:os';

import { Semaphore } from '../domain/concurrency';

/** Cores one render keeps busy. */
export const CORES_PER_RENDER = 2;

/** Renders at once on this machine: cores / 2, at least 1. */
export function defaultRenderConcurrency(cores: number = availableParallelism()): number {
	return Math.max(1, Math.floor(cores / CORES_PER_RENDER));
}

/** Cores (segment processes at once) for each of `renders` renders running together, at least 1. */
export function coresPerRender(renders: number, cores: number = availableParallelism()): number {
	return Math.max(1, Math.floor(cores / Math.max(1, renders)));
}

/** The setting as given (a node parameter): 0, empty or invalid means the machine's default. */
export function renderConcurrency(setting?: number | null, cores?: number): number {
	const n = Math.floor(Number(setting));
	return Number.isFinite(n) && n >= 1 ? n : defaultRenderConcurrency(cores);
}

const slots = new Map<number, Semaphore>();

/**
 * Runs `render` when one of `limit` process-wide places is free. Every caller asking for the same
 * limit shares the places, so several executions in one n8n process (a poll that starts while the
 * previous one still renders) together stay within it.
 */
export function withRenderSlot<T>(limit: number, render: () => Promise<T>): Promise<T> {
	let s = slots.get(limit);
	if (!s) slots.set(limit, (s = new Semaphore(limit)));
	return s.run(render);
}
