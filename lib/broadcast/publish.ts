/**
 * Publishing exactly once. The attempt is recorded before the platform is called (one row per
 * variant x platform x account), every checkpoint the publisher reports is stored as it comes, and an
 * attempt whose outcome is unknown — a retry, a duplicate webhook, a crash between the platform's
 * success and our commit — is resolved by asking the platform whether the post exists. Only a
 * platform that confirms "no such post" is posted to again; one that cannot tell holds for a person.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';

import { ValidationError } from '../domain/errors';
import { PublishUnverifiableError, type PublishCheckpoint, type Publisher, type PublishPost } from '../providers/publish/types';
import { ProviderError } from '../providers/types';
import type { Json, Store } from '../store/store';

export interface PublishRequest {
	campaignId: string;
	variantId?: string | null;
	platform: string;
	accountId?: string;
	videoPath: string;
	videoUrl?: string;
	caption: string;
	hashtags: string[];
	title?: string;
	aspectRatio?: '9:16' | '16:9' | '1:1';
	durationSeconds?: number;
	thumbnailPath?: string;
	/** Stored with a new post row (lib/broadcast/broadcaster.ts): the video, the publisher options, the gate. */
	videoId?: string | null;
	publishOptions?: Json;
	requiresApproval?: boolean;
}

/**
 * unknown: the attempt may have reached the platform; the next attempt asks the platform first.
 * held_for_review: the post waits for a person's approval (the publish gate); scheduled: it waits
 * for its time (Publish Due publishes it); cancelled: a person rejected it.
 */
export type PublishOutcome =
	| 'published'
	| 'already_published'
	| 'in_progress'
	| 'unknown'
	| 'held_for_person'
	| 'held_for_review'
	| 'scheduled'
	| 'cancelled'
	| 'failed';

/** One key per variant x platform x account. */
export function publishKey(r: Pick<PublishRequest, 'campaignId' | 'variantId' | 'platform' | 'accountId'>): string {
	return createHash('sha256')
		.update(JSON.stringify([r.variantId ?? `campaign:${r.campaignId}`, r.platform, r.accountId ?? 'default']))
		.digest('hex')
		.slice(0, 40);
}

/** The platform_posts row a request makes (bi_begin_publish, bi_prepare_post). */
export function publishRow(req: PublishRequest, idempotencyKey = publishKey(req)): Json {
	return {
		campaign_id: req.campaignId,
		variant_id: req.variantId ?? null,
		platform: req.platform,
		account_id: req.accountId,
		idempotency_key: idempotencyKey,
		formatted_video_url: req.videoPath,
		caption: req.caption,
		hashtags: req.hashtags,
		aspect_ratio: req.aspectRatio,
		duration_seconds: req.durationSeconds,
		thumbnail_url: req.thumbnailPath,
		title: req.title,
		video_id: req.videoId ?? null,
		publish_options: req.publishOptions ?? null,
		requires_approval: req.requiresApproval ?? false,
	};
}

export async function publishOnce(
	deps: { store: Store; publisher: Publisher; owner: string; leaseSeconds?: number },
	req: PublishRequest,
): Promise<Json & { outcome: PublishOutcome }> {
	const { store, publisher, owner } = deps;
	const idempotencyKey = publishKey(req);
	const post: PublishPost = {
		idempotencyKey,
		videoPath: req.videoPath,
		videoUrl: req.videoUrl,
		mimeType: 'video/mp4',
		sizeBytes: statSync(req.videoPath).size,
		caption: req.caption,
		hashtags: req.hashtags,
		title: req.title,
		thumbnailPath: req.thumbnailPath,
		accountId: req.accountId,
	} as PublishPost;
	const row = publishRow(req, idempotencyKey);

	for (let round = 0; round < 2; round++) {
		const begun = await store.beginPublish(row, owner, deps.leaseSeconds);
		const current = begun.post as Json;
		const postId = current.post_id as string;
		switch (begun.action) {
			case 'done':
				return { ...current, outcome: current.publication_status === 'cancelled' ? 'cancelled' : 'already_published' };
			case 'busy':
				return { ...current, outcome: 'in_progress' };
			case 'hold':
				return { ...current, outcome: 'held_for_review' };
			case 'wait':
				return { ...current, outcome: 'scheduled' };
			case 'resolve': {
				let existing;
				try {
					existing = await publisher.findExisting({ idempotencyKey, post, checkpoint: (current.publish_checkpoint as PublishCheckpoint | null) ?? undefined });
				} catch (err) {
					const held = await store.failPublish(postId, owner, `cannot tell whether the post exists: ${(err as Error).message}`, false);
					return { ...held, outcome: 'held_for_person' };
				}
				if (existing && existing.state === 'failed') {
					const failed = await store.failPublish(postId, owner, `the platform failed the post (${existing.ref})`, true);
					return { ...failed, outcome: 'failed' };
				}
				if (existing) {
					const processing = existing.state === 'processing';
					const done = await store.completePublish(
						postId,
						owner,
						existing.platformPostId ?? (processing ? null : existing.ref),
						existing.url ?? null,
						'resolved: the platform has the post',
						{ ref: existing.ref, platformState: processing ? 'processing' : 'published' },
					);
					return { ...done, outcome: 'published' };
				}
				// The platform confirms there is no such post: safe to publish again.
				await store.failPublish(postId, owner, 'previous attempt did not reach the platform', true);
				continue;
			}
			case 'publish': {
				try {
					const result = await publisher.publish(post, {
						onCheckpoint: async (checkpoint) => {
							await store.recordPublishCheckpoint(postId, owner, checkpoint as unknown as Json);
						},
					});
					const processing = result.status === 'processing';
					const done = await store.completePublish(postId, owner, result.platformPostId ?? (processing ? null : result.ref), result.url ?? null, 'publish', {
						ref: result.ref,
						platformState: processing ? 'processing' : 'published',
					});
					return { ...done, outcome: 'published' };
				} catch (err) {
					if (err instanceof ValidationError) {
						await store.failPublish(postId, owner, err.message, true);
						throw err;
					}
					const known = err instanceof ProviderError && err.outcomeKnown && !(err instanceof PublishUnverifiableError);
					const failed = await store.failPublish(postId, owner, (err as Error).message, known);
					return { ...failed, outcome: known ? 'failed' : 'unknown' };
				}
			}
			default:
				throw new ValidationError(`the store answered an unknown publish action "${String(begun.action)}"`, 'action');
		}
	}
	throw new ValidationError('publishing did not settle after resolving the previous attempt', 'idempotency_key');
}
