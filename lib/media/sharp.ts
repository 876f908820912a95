/**
 * sharp (libvips, about 19 MB of native code) is loaded on first use, not with the package: the
 * library entry and n8n's start-up then load only what every node needs (README, "Install size and
 * load time"; `npm run bench:install` measures it).
 */
import type SharpModule from 'sharp';

export type Sharp = typeof SharpModule;

export async function loadSharp(): Promise<Sharp> {
	return (await import('sharp')).default;
}
