/**
 * The Scene Poller: one pass over the due generation jobs, claimed with a lease so parallel pollers
 * never work the same job. Submission and polling are separate steps recorded in the store, so a
 * restart anywhere resumes: the provider's job id is stored as soon as the provider answers, a
 * provider-confirmed failure is retried with backoff (then dead-lettered), and an unknown outcome
 * is never resubmitted blindly.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

import { DownloadError, type DownloadFailure } from '../media/download';
import { probeMedia } from '../media/probe';
import { estimateCost, type PriceEntry } from '../pricing/price-table';
import { ProviderError, type AspectRatio, type Resolution, type VideoJobRequest, type VideoProvider } from '../providers/types';
import type { Json, Store } from '../store/store';

/** Download failures that another try cannot fix. */
const PERMANENT_DOWNLOAD_FAILURES = new Set<DownloadFailure>(['bad_url', 'scheme', 'private_address', 'too_large', 'expired', 'too_many_redirects']);

export interface ProviderLimits {
	/** Jobs of this provider worked at once by this poller. */
	concurrency: number;
}

export interface PollerDeps {
	store: Store;
	/** The adapter for a job's provider name. */
	providerFor: (name: string) => VideoProvider;
	/** Where downloaded clips go (the media store folder). */
	mediaDir: string;
	/** Tests allow loopback fakes; production refuses private and loopback result URLs. */
	allowPrivateNetwork?: boolean;
	limits?: Record<string, ProviderLimits>;
	priceOverrides?: readonly PriceEntry[];
	/** Seconds before the first status check after a submission; doubles per poll up to maxPollInterval. */
	firstPollSeconds?: number;
	maxPollIntervalSeconds?: number;
	/** Tolerance between the requested and the delivered clip duration. */
	durationToleranceSeconds?: number;
}

export interface PollOptions {
	worker: string;
	maxJobs?: number;
	leaseSeconds?: number;
}

export interface PollEvent {
	job_id: string;
	provider: string;
	event: 'submitted' | 'still_running' | 'completed' | 'retry_scheduled' | 'dead_letter';
	detail?: string;
}

export interface PollReport {
	claimed: number;
	events: PollEvent[];
	videos_ready: string[];
}

export function jobRequest(job: Json): VideoJobRequest {
	const p = (job.parameters ?? {}) as Record<string, unknown>;
	return {
		prompt: String(job.prompt),
		model: String(job.model_name),
		durationSeconds: Number(p.durationSeconds ?? job.duration_seconds ?? 5),
		aspectRatio: (p.aspectRatio as AspectRatio) ?? '9:16',
		resolution: (p.resolution as Resolution) ?? '720p',
		imageUrl: p.imageUrl as string | undefined,
		negativePrompt: p.negativePrompt as string | undefined,
		palette: p.palette as string[] | undefined,
		callbackUrl: p.callbackUrl as string | undefined,
		source: p.source && (p.source as { type?: string }).type !== 'generator' ? (p.source as VideoJobRequest['source']) : undefined,
	};
}

function backoffSeconds(deps: PollerDeps, pollCount: number): number {
	const first = deps.firstPollSeconds ?? 10;
	return Math.min(deps.maxPollIntervalSeconds ?? 300, first * 2 ** Math.min(pollCount, 10));
}

/** Ends a job's budget reservation: released when nothing was charged, settled at the estimate when it may have been. */
async function closeReservation(store: Store, job: Json, how: 'release' | 'settle_estimate', reason: string): Promise<void> {
	const reservationId = job.reservation_id as string | null;
	if (!reservationId) return;
	const description = `${job.provider}/${job.model_name}: ${reason}`.slice(0, 500);
	if (how === 'release') await store.releaseReservation(reservationId, description);
	else await store.settleAtEstimate(reservationId, `${description} (outcome unknown: settled at the estimate)`);
}

async function workJob(deps: PollerDeps, worker: string, job: Json): Promise<PollEvent & { video_ready?: boolean; video_id?: string }> {
	const { store } = deps;
	const id = job.job_id as string;
	const providerName = job.provider as string;
	const provider = deps.providerFor(providerName);
	const base = { job_id: id, provider: providerName };

	if (job.status === 'queued') {
		await store.beginJobSubmission(id, worker);
		try {
			const sub = await provider.submit(jobRequest(job));
			await store.recordJobSubmission(id, worker, sub.jobId, deps.firstPollSeconds ?? 10);
			return { ...base, event: 'submitted', detail: sub.jobId };
		} catch (err) {
			return failed(deps, worker, job, err);
		}
	}
	if (!job.job_api_id) {
		// Submitting with no provider id: the call may or may not have reached the provider.
		await closeReservation(store, job, 'settle_estimate', 'submission outcome unknown');
		await store.failJob(id, worker, 'the submission was interrupted and its outcome is unknown; check the provider before resubmitting', false);
		return { ...base, event: 'dead_letter', detail: 'submission outcome unknown' };
	}

	let status;
	try {
		status = await provider.status(job.job_api_id as string, job.model_name as string);
	} catch (err) {
		// Asking failed (network, 5xx): nothing changed at the provider; ask again later.
		await store.recordJobPoll(id, worker, backoffSeconds(deps, Number(job.poll_count ?? 0)), `status check failed: ${(err as Error).message}`);
		return { ...base, event: 'still_running', detail: 'status check failed' };
	}
	if (status.state === 'queued' || status.state === 'processing') {
		await store.recordJobPoll(id, worker, backoffSeconds(deps, Number(job.poll_count ?? 0) + 1));
		return { ...base, event: 'still_running', detail: status.state };
	}
	if (status.state === 'failed') {
		return failed(deps, worker, job, new ProviderError(status.error ?? 'failed at the provider', providerName, null, status.providerConfirmedFailure ?? true));
	}

	const dir = join(deps.mediaDir, String(job.video_id ?? 'clips'));
	mkdirSync(dir, { recursive: true });
	const dest = join(dir, `${id}.mp4`);
	try {
		await provider.download(status, dest, { allowPrivateNetwork: deps.allowPrivateNetwork });
	} catch (err) {
		if (err instanceof DownloadError && PERMANENT_DOWNLOAD_FAILURES.has(err.reason)) {
			// The provider finished (and charged); resubmitting would pay again. A person decides.
			await closeReservation(store, job, 'settle_estimate', `clip not downloadable: ${err.reason}`);
			await store.failJob(id, worker, `the clip could not be downloaded (${err.reason}): ${err.message}`, false);
			return { ...base, event: 'dead_letter', detail: err.message };
		}
		// Transient (network, 5xx): ask and download again on a later poll.
		await store.recordJobPoll(id, worker, backoffSeconds(deps, Number(job.poll_count ?? 0) + 1), `download failed: ${(err as Error).message}`);
		return { ...base, event: 'still_running', detail: 'download failed, retrying' };
	}
	const probe = await probeMedia(dest);
	const wanted = jobRequest(job).durationSeconds;
	const tolerance = deps.durationToleranceSeconds ?? 4;
	if (!probe.width || !(probe.durationSeconds > 0) || Math.abs(probe.durationSeconds - wanted) > tolerance) {
		return failed(
			deps,
			worker,
			job,
			new ProviderError(`the clip failed its checks: ${probe.width ?? 0}x${probe.height ?? 0}, ${probe.durationSeconds}s for ${wanted}s`, providerName, null, true),
		);
	}
	const seconds = status.usage?.seconds ?? probe.durationSeconds;
	const cost = providerName === 'local'
		? 0
		: estimateCost({ provider: providerName, model: job.model_name as string, resolution: jobRequest(job).resolution, usage: { seconds } }, deps.priceOverrides).amount;
	if (job.reservation_id) {
		await store.settleReservation({ reservationId: job.reservation_id as string, actual: cost, costType: 'api_cost', description: `scene clip ${providerName}/${job.model_name}` });
	}
	const done = await store.completeJob(id, worker, dest, Math.round(probe.durationSeconds * 100) / 100, cost);
	return { ...base, event: 'completed', detail: dest, video_ready: done.video_ready as boolean, video_id: job.video_id as string };
}

async function failed(deps: PollerDeps, worker: string, job: Json, err: unknown): Promise<PollEvent> {
	const known = err instanceof ProviderError && err.outcomeKnown;
	const reason = err instanceof Error ? err.message : String(err);
	const retryAfter = err instanceof ProviderError && err.retryAfterSeconds ? err.retryAfterSeconds : backoffSeconds(deps, Number(job.attempts ?? 0));
	const result = await deps.store.failJob(job.job_id as string, worker, reason, known, retryAfter);
	if (!result.will_retry) await closeReservation(deps.store, job, known ? 'release' : 'settle_estimate', reason);
	return { job_id: job.job_id as string, provider: job.provider as string, event: result.will_retry ? 'retry_scheduled' : 'dead_letter', detail: reason };
}

/** One poll: claim due jobs, work them (per-provider concurrency), report what happened. */
export async function pollDueJobs(deps: PollerDeps, opts: PollOptions): Promise<PollReport> {
	const jobs = await deps.store.claimGenerationJobs(opts.worker, opts.maxJobs ?? 10, opts.leaseSeconds ?? 300);
	const byProvider = new Map<string, Json[]>();
	for (const job of jobs) byProvider.set(job.provider as string, [...(byProvider.get(job.provider as string) ?? []), job]);
	const events: PollEvent[] = [];
	const ready = new Set<string>();
	await Promise.all(
		[...byProvider.entries()].map(async ([provider, list]) => {
			const lanes = Math.max(1, deps.limits?.[provider]?.concurrency ?? 2);
			const queue = [...list];
			await Promise.all(
				Array.from({ length: Math.min(lanes, queue.length) }, async () => {
					for (let job = queue.shift(); job; job = queue.shift()) {
						const event = await workJob(deps, opts.worker, job).catch((err: unknown) => ({
							job_id: job!.job_id as string,
							provider,
							event: 'still_running' as const,
							detail: `left for the next poll: ${(err as Error).message}`,
						}));
						events.push(event);
						if ('video_ready' in event && event.video_ready && event.video_id) ready.add(event.video_id);
					}
				}),
			);
		}),
	);
	return { claimed: jobs.length, events, videos_ready: [...ready] };
}
