import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where clips, voiceovers and renders go: a folder next to the n8n data by default. */
export const mediaFolderProperty: INodeProperties = {
	displayName: 'Media Folder',
	name: 'mediaFolder',
	type: 'string',
	default: '',
	placeholder: '~/.n8n/brand-infinity/media',
	description: 'Folder for clips, voiceovers and renders. Empty: brand-infinity/media inside the n8n user folder.',
};

export function mediaFolder(ctx: IExecuteFunctions, i: number): string {
	const value = String(ctx.getNodeParameter('mediaFolder', i, '') ?? '').trim();
	if (value) return value.replace(/^~(?=\/)/, homedir());
	// N8N_USER_FOLDER is where n8n keeps its own data (not a secret): media sits beside the store.
	return join(process.env.N8N_USER_FOLDER || homedir(), '.n8n', 'brand-infinity', 'media');
}
