/**
 * Publishers from plain config objects (what the Platform Publisher node builds from its
 * credentials and parameters). Every remote publisher takes its base URL from here: that is how
 * the loopback fakes, proxies and sandboxes plug in.
 */
import { ValidationError } from '../../domain/errors';
import { BlotatoPublisher } from './blotato';
import { InstagramPublisher } from './instagram';
import { LinkedInPublisher } from './linkedin';
import { OutboxPublisher } from './outbox';
import { TikTokPublisher } from './tiktok';
import { PUBLISH_PLATFORMS, type PlatformSpec, type PublishPlatform, type Publisher, type RemotePublisherOptions, type SocialPlatform } from './types';
import { YouTubePublisher } from './youtube';

export interface PublisherConfig extends Partial<Omit<RemotePublisherOptions, 'accessToken'>> {
	platform: PublishPlatform;
	/** OAuth user token (YouTube, TikTok, Instagram, LinkedIn) or the Blotato API key. */
	accessToken?: string;
	/**
	 * youtube: https://www.googleapis.com; tiktok: https://open.tiktokapis.com; instagram:
	 * https://graph.facebook.com/v24.0; linkedin: https://api.linkedin.com; blotato:
	 * https://backend.blotato.com/v2.
	 */
	baseUrl?: string;
	/** instagram: the Instagram user id. */
	igUserId?: string;
	/** linkedin: urn:li:person:… or urn:li:organization:…. */
	authorUrn?: string;
	linkedinVersion?: string;
	/** blotato: where Blotato posts. */
	targetPlatform?: SocialPlatform;
	/** blotato: the connected account (else looked up). */
	accountId?: string;
	/** outbox: the folder. */
	outboxDir?: string;
	/** outbox: apply this platform's spec and text rules. */
	emulate?: SocialPlatform;
	/** youtube, tiktok: bytes per upload request. */
	chunkSizeBytes?: number;
	specOverrides?: Partial<PlatformSpec>;
}

export function createPublisher(config: PublisherConfig): Publisher {
	if (!config || !PUBLISH_PLATFORMS.includes(config.platform)) {
		throw new ValidationError(`unknown publishing platform ${String(config?.platform)}: one of ${PUBLISH_PLATFORMS.join(', ')}`, 'platform');
	}
	if (config.platform === 'outbox') {
		if (!config.outboxDir) throw new ValidationError('the outbox publisher needs outboxDir', 'outboxDir');
		return new OutboxPublisher({ outboxDir: config.outboxDir, emulate: config.emulate, specOverrides: config.specOverrides });
	}
	if (!config.accessToken) {
		throw new ValidationError(`${config.platform} needs ${config.platform === 'blotato' ? 'an API key' : 'an access token'} (accessToken)`, 'accessToken');
	}
	const base = { ...config, accessToken: config.accessToken };
	switch (config.platform) {
		case 'youtube':
			return new YouTubePublisher(base);
		case 'tiktok':
			return new TikTokPublisher(base);
		case 'instagram':
			if (!config.igUserId) throw new ValidationError('instagram needs igUserId', 'igUserId');
			return new InstagramPublisher({ ...base, igUserId: config.igUserId });
		case 'linkedin':
			if (!config.authorUrn) throw new ValidationError('linkedin needs authorUrn', 'authorUrn');
			return new LinkedInPublisher({ ...base, authorUrn: config.authorUrn });
		case 'blotato':
			if (!config.targetPlatform) throw new ValidationError('blotato needs targetPlatform (tiktok, instagram, youtube or linkedin)', 'targetPlatform');
			return new BlotatoPublisher({ ...base, targetPlatform: config.targetPlatform });
	}
}
