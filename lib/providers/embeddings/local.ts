/**
 * The `local` embedder: deterministic 1536-dim feature hashing of words and word pairs, signed,
 * L2-normalised. Texts sharing words land near each other, so brand search, tone similarity and
 * hook similarity work offline. It is not a language model and says so (provider "local").
 */
import { createHash } from 'node:crypto';

import type { EmbeddingProvider, EmbeddingResult } from '../types';

export const LOCAL_EMBEDDING_DIMENSIONS = 1536;

export function tokenize(text: string): string[] {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter((w) => w.length > 1);
}

function bucket(feature: string): { index: number; sign: number } {
	const h = createHash('sha256').update(feature).digest();
	return { index: h.readUInt32BE(0) % LOCAL_EMBEDDING_DIMENSIONS, sign: h[4] & 1 ? 1 : -1 };
}

export function localEmbedding(text: string): number[] {
	const v = new Array<number>(LOCAL_EMBEDDING_DIMENSIONS).fill(0);
	const words = tokenize(text);
	const features = [...words.map((w) => `w:${w}`), ...words.slice(1).map((w, i) => `p:${words[i]} ${w}`)];
	for (const f of features) {
		const { index, sign } = bucket(f);
		v[index] += f.startsWith('p:') ? 0.5 * sign : sign;
	}
	const norm = Math.hypot(...v);
	return norm === 0 ? v : v.map((x) => x / norm);
}

export class LocalEmbeddingProvider implements EmbeddingProvider {
	readonly name = 'local';
	readonly model = 'local-hashing-1536';
	readonly dimensions = LOCAL_EMBEDDING_DIMENSIONS;

	async embed(texts: string[]): Promise<EmbeddingResult> {
		return {
			vectors: texts.map(localEmbedding),
			provider: this.name,
			model: this.model,
			usage: { input_tokens: texts.reduce((n, t) => n + tokenize(t).length, 0) },
		};
	}
}

export function cosine(a: number[], b: number[]): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		dot += a[i] * b[i];
		na += a[i] * a[i];
		nb += b[i] * b[i];
	}
	return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
