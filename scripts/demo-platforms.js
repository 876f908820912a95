'use strict';
/**
 * The demo's social platforms: TikTok, Instagram, YouTube and LinkedIn as the loopback fakes the tests
 * use (test/fakes/, each speaking its platform's real protocol: OAuth bearer tokens, chunked or
 * resumable uploads, processing polls, metrics endpoints), so the Platform Publisher's real adapters
 * publish to them exactly as they would to the platforms. Nothing here reaches the internet.
 *
 * Also: a web server over the media folder (Instagram pulls the video from a public URL), and a
 * simulated audience: after publishing, each post gets view and engagement counters on its fake (or in
 * the outbox), which the Analytics template's Fetch Metrics reads like real numbers. They are labelled
 * as simulated wherever the demo reports them.
 */
const { createReadStream, existsSync, statSync } = require('node:fs');
const http = require('node:http');
const path = require('node:path');

require('../test/helpers/ts-register');
const { startTikTokFake } = require('../test/fakes/tiktok');
const { startInstagramFake } = require('../test/fakes/instagram');
const { startYouTubeFake } = require('../test/fakes/youtube');
const { startLinkedInFake } = require('../test/fakes/linkedin');

const TOKENS = { tiktok: 'demo-tiktok-token', instagram: 'demo-instagram-token', youtube: 'demo-youtube-token', linkedin: 'demo-linkedin-token' };
const IG_USER = '17841400000000042';
const LI_AUTHOR = 'urn:li:organization:90000042';
const CREDENTIAL_TYPES = {
  tiktok: 'brandInfinityTikTokApi',
  instagram: 'brandInfinityInstagramApi',
  youtube: 'brandInfinityYouTubeApi',
  linkedin: 'brandInfinityLinkedInApi',
};
const NAMES = { tiktok: 'TikTok', instagram: 'Instagram Reels', youtube: 'YouTube Shorts', linkedin: 'LinkedIn' };

/** Serves `dir` read-only at `/media/…` (what a user's web server or CDN in front of the media folder does). */
function serveFolder(dir) {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/media\//, '');
    const file = path.join(dir, rel);
    if (rel.split('/').includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/media`, close: () => server.close() }));
  });
}

/** Starts the four platform fakes and the media server; returns credentials and template edits for them. */
async function startPlatforms({ mediaDir }) {
  const fakes = {
    tiktok: await startTikTokFake({ token: TOKENS.tiktok, processingPolls: 0, username: 'stride.running' }),
    instagram: await startInstagramFake({ token: TOKENS.instagram, igUserId: IG_USER, processingPolls: 0 }),
    youtube: await startYouTubeFake({ token: TOKENS.youtube, processingPolls: 0 }),
    linkedin: await startLinkedInFake({ token: TOKENS.linkedin, authorUrn: LI_AUTHOR, processingPolls: 0 }),
  };
  const media = await serveFolder(mediaDir);
  const baseUrl = { tiktok: fakes.tiktok.url, instagram: fakes.instagram.graphUrl, youtube: fakes.youtube.url, linkedin: fakes.linkedin.url };
  const credentials = Object.entries(CREDENTIAL_TYPES).map(([platform, type]) => ({
    id: `bi-demo-${platform}`,
    name: `${NAMES[platform]} (demo fake)`,
    type,
    data: {
      accessToken: TOKENS[platform],
      baseUrl: baseUrl[platform],
      ...(platform === 'instagram' ? { igUserId: IG_USER } : {}),
      ...(platform === 'linkedin' ? { authorUrn: LI_AUTHOR } : {}),
    },
  }));
  return {
    fakes,
    mediaUrl: media.url,
    credentials,
    describe: () => Object.entries(baseUrl).map(([p, u]) => `${NAMES[p]} ${u}`).join(', '),
    /** Gives every Platform Publisher node the four credentials, and the Publish node the media URL. */
    editNode(node) {
      if (!node.type.endsWith('.platformPublisher')) return;
      node.credentials = { ...(node.credentials ?? {}) };
      for (const c of credentials) node.credentials[c.type] = { id: c.id, name: c.name };
      if (node.parameters.operation === 'publish' || node.parameters.operation === 'publishDue') node.parameters.publicMediaUrl = media.url;
    },
    async close() {
      media.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    },
  };
}

/**
 * A simulated audience for the A/B comparison: counters per post, fixed per variant so a rerun tells
 * the same story (the first variant's hook is made to land better). Written where each platform
 * keeps them (the fakes' metrics endpoints, the outbox's metrics.json), then read by Fetch Metrics.
 */
async function simulateAudience(platforms, posts, outboxDir, variantOrder) {
  const counters = (variantIndex, platformIndex) => {
    const views = 4000 - 900 * variantIndex + 350 * platformIndex;
    const rate = 0.085 - 0.03 * variantIndex;
    const likes = Math.round(views * rate * 0.7);
    return { views, likes, comments: Math.round(views * rate * 0.1), shares: Math.round(views * rate * 0.2) };
  };
  const order = ['tiktok', 'instagram', 'youtube', 'linkedin', 'outbox'];
  for (const p of posts) {
    if (p.status !== 'published' || !p.platform_post_id) continue;
    const m = counters(Math.max(0, variantOrder.indexOf(p.variant_id)), order.indexOf(p.platform));
    if (p.platform === 'tiktok') platforms.fakes.tiktok.setMetrics(p.platform_post_id, { view_count: m.views, like_count: m.likes, comment_count: m.comments, share_count: m.shares });
    else if (p.platform === 'instagram') platforms.fakes.instagram.setInsights(p.platform_post_id, m);
    else if (p.platform === 'youtube') platforms.fakes.youtube.setStatistics(p.platform_post_id, { views: m.views, likes: m.likes, comments: m.comments });
    else if (p.platform === 'linkedin') platforms.fakes.linkedin.setSocial(p.platform_post_id, { likes: m.likes, comments: m.comments });
    else if (p.platform === 'outbox') {
      const { createPublisher } = require(path.join(__dirname, '..', 'dist', 'lib'));
      await createPublisher({ platform: 'outbox', outboxDir }).recordMetrics(p.platform_post_id, m);
    }
  }
}

const METRICS_LABEL =
  'simulated audience: the demo set these counters on its loopback platform fakes and in the outbox after publishing; they are not real engagement';

module.exports = { startPlatforms, simulateAudience, METRICS_LABEL, PLATFORM_NAMES: NAMES };
