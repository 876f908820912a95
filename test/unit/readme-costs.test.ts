/**
 * The README's cost table ("What a 30-second video costs") is computed here from the price table
 * (lib/pricing/price-table.ts) through estimateCost, the function every reservation uses, so the
 * README cannot drift from what the Cost Ledger charges. When a price changes, this test fails and
 * prints the table to paste between the README's `costs:begin` / `costs:end` markers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseUsd } from '../../lib/domain/money';
import { estimateCost, PRICE_TABLE, type UsageQuantities } from '../../lib/pricing/price-table';
import { anthropicImageTokens } from '../fakes/anthropic';
import { openAiImageTokens } from '../fakes/openai';

const SECONDS = 30;
/** A 30 s voiceover: about 75 words, 450 characters (2.5 words a second, 6 characters a word). */
const VOICE_CHARACTERS = 450;

interface Row {
	what: string;
	provider: string;
	model: string;
	resolution?: string;
	usage: UsageQuantities;
	credential: string;
}

const VIDEO: Row[] = [
	['Veo 3.1 (Gemini API)', 'gemini', 'veo-3.1-generate-001', 'Gemini (Veo)'],
	['Veo 3.1 Fast (Gemini API)', 'gemini', 'veo-3.1-fast-generate-001', 'Gemini (Veo)'],
	['Veo 3.1 Lite (Gemini API)', 'gemini', 'veo-3.1-lite-generate-preview', 'Gemini (Veo)'],
	['Veo 3.1 on fal', 'fal', 'fal-ai/veo3.1', 'fal.ai'],
	['Veo 3.1 Fast on fal', 'fal', 'fal-ai/veo3.1/fast', 'fal.ai'],
	['Kling 3 Pro on fal', 'fal', 'fal-ai/kling-video/v3/pro/text-to-video', 'fal.ai'],
	['Kling 3 Standard on fal', 'fal', 'fal-ai/kling-video/v3/standard/text-to-video', 'fal.ai'],
	['Seedance 2.0 on fal', 'fal', 'bytedance/seedance-2.0/text-to-video', 'fal.ai'],
	['Seedance 2.0 Fast on fal', 'fal', 'bytedance/seedance-2.0/fast/text-to-video', 'fal.ai'],
	['Seedance 2.0 (BytePlus ModelArk)', 'byteplus', 'dreamina-seedance-2-0-260128', 'BytePlus ModelArk'],
	['Veo 3 on Kie', 'kie', 'veo3', 'Kie.ai'],
	['Veo 3 Fast on Kie', 'kie', 'veo3_fast', 'Kie.ai'],
	['Kling 3 on Kie', 'kie', 'kling-3.0/video', 'Kie.ai'],
	['Local render (FFmpeg)', 'local', 'local', 'none'],
].map(([what, provider, model, credential]) => ({ what, provider, model, resolution: '720p', usage: { seconds: SECONDS }, credential }));

const VOICE: Row[] = [
	{ what: 'OpenAI tts-1', provider: 'openai', model: 'tts-1', usage: { characters: VOICE_CHARACTERS }, credential: 'OpenAI' },
	{ what: 'OpenAI tts-1-hd', provider: 'openai', model: 'tts-1-hd', usage: { characters: VOICE_CHARACTERS }, credential: 'OpenAI' },
	// As lib/providers/tts/openai.ts meters it: a token per 4 characters in, 1250 audio tokens a minute out.
	{
		what: 'OpenAI gpt-4o-mini-tts',
		provider: 'openai',
		model: 'gpt-4o-mini-tts',
		usage: { input_tokens: Math.ceil(VOICE_CHARACTERS / 4), audio_output_tokens: Math.ceil((SECONDS * 1250) / 60) },
		credential: 'OpenAI',
	},
	{ what: 'ElevenLabs Multilingual v2 / v3', provider: 'elevenlabs', model: 'eleven_multilingual_v2', usage: { characters: VOICE_CHARACTERS }, credential: 'ElevenLabs' },
	{ what: 'ElevenLabs Flash / Turbo v2.5', provider: 'elevenlabs', model: 'eleven_flash_v2_5', usage: { characters: VOICE_CHARACTERS }, credential: 'ElevenLabs' },
	{ what: 'Local voice (espeak-ng)', provider: 'local', model: 'local', usage: { characters: VOICE_CHARACTERS }, credential: 'none' },
];

const TEXT_MODELS: Array<[string, string, string, string]> = [
	['OpenAI gpt-4o-mini', 'openai', 'gpt-4o-mini', 'OpenAI'],
	['OpenAI gpt-4o', 'openai', 'gpt-4o', 'OpenAI'],
	['Anthropic Claude Haiku 4.5', 'anthropic', 'claude-haiku-4-5', 'Anthropic'],
	['Anthropic Claude Sonnet 5', 'anthropic', 'claude-sonnet-5', 'Anthropic'],
	['DeepSeek chat (OpenAI-compatible)', 'deepseek', 'deepseek-chat', 'OpenAI-Compatible'],
];

/**
 * Describing one brand media image with a vision model (Brand RAG → Ingest Media): the picture at
 * ≤512 px (a 16:10 photo is 512 × 320), about 200 tokens of instructions, file name and schema in,
 * about 30 tokens of JSON out. Image tokens as each vendor bills them (the rules the fakes answer
 * with): gpt-4o-mini 2,833 per low-detail image, gpt-4o 85, Anthropic width × height / 750.
 */
const DESCRIBE_TEXT_TOKENS = 200;
const DESCRIBE_OUTPUT_TOKENS = 30;
const DESCRIBE: Row[] = [
	['OpenAI gpt-4o-mini', 'openai', 'gpt-4o-mini', 'OpenAI', openAiImageTokens('gpt-4o-mini', { width: 512, height: 320, detail: 'low' })],
	['OpenAI gpt-4o', 'openai', 'gpt-4o', 'OpenAI', openAiImageTokens('gpt-4o', { width: 512, height: 320, detail: 'low' })],
	['Anthropic Claude Haiku 4.5', 'anthropic', 'claude-haiku-4-5', 'Anthropic', anthropicImageTokens({ width: 512, height: 320 })],
	['Anthropic Claude Sonnet 5', 'anthropic', 'claude-sonnet-5', 'Anthropic', anthropicImageTokens({ width: 512, height: 320 })],
].map(([what, provider, model, credential, image]) => ({
	what: what as string,
	provider: provider as string,
	model: model as string,
	credential: credential as string,
	usage: { input_tokens: DESCRIBE_TEXT_TOKENS + (image as number), output_tokens: DESCRIBE_OUTPUT_TOKENS },
}));

/** Dollars as a reader wants them: cents for dollars, four decimals under ten cents. */
function usd(micros: number): string {
	if (micros === 0) return '$0';
	// Integer arithmetic, half up, as the ledger rounds: never a float's 0.00675 → "0.0067".
	if (micros < 100_000) return `$0.${String(Math.round(micros / 100)).padStart(4, '0')}`;
	const cents = Math.round(micros / 10_000);
	return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function priced(row: Row): { amount: string; verified: boolean } {
	const est = estimateCost({ provider: row.provider, model: row.model, resolution: row.resolution, usage: row.usage });
	return { amount: usd(est.amount), verified: est.lines.every((l) => l.verified) };
}

function perMillion(provider: string, model: string, unit: 'input_token' | 'output_token'): string {
	const entry = PRICE_TABLE.find((e) => e.provider === provider && e.model === model && e.unit === unit);
	if (!entry) throw new Error(`no ${unit} price for ${provider}/${model}`);
	return `$${(parseUsd(entry.usd, 'usd') / 1_000_000 / (entry.per / 1_000_000)).toFixed(2)}`;
}

function costTable(): string {
	const mark = (r: Row, verified: boolean) => (r.provider === 'local' ? 'free: runs on your n8n host' : verified ? 'vendor list price' : 'estimate');
	const lines = [
		`| Video, ${SECONDS} s at 720p | Credential | Cost | Price is |`,
		'|---|---|---|---|',
		...VIDEO.map((r) => {
			const p = priced(r);
			return `| ${r.what} (\`${r.model}\`) | ${r.credential} | ${p.amount} | ${mark(r, p.verified)} |`;
		}),
		'',
		`| Voiceover, ${SECONDS} s (${VOICE_CHARACTERS} characters) | Credential | Cost | Price is |`,
		'|---|---|---|---|',
		...VOICE.map((r) => {
			const p = priced(r);
			return `| ${r.what} | ${r.credential} | ${p.amount} | ${mark(r, p.verified)} |`;
		}),
		'',
		'| Text model (brief, hooks, script, captions, judge rubric) | Credential | Input per 1M tokens | Output per 1M tokens |',
		'|---|---|---|---|',
		...TEXT_MODELS.map(([what, provider, model, credential]) => `| ${what} | ${credential} | ${perMillion(provider, model, 'input_token')} | ${perMillion(provider, model, 'output_token')} |`),
		'',
		'| Vision description of a library image or clip frame (Ingest Media) | Credential | Image tokens | Per 1,000 images |',
		'|---|---|---|---|',
		...DESCRIBE.map((r) => {
			const est = estimateCost({ provider: r.provider, model: r.model, usage: r.usage });
			return `| ${r.what} | ${r.credential} | ${r.usage.input_tokens! - DESCRIBE_TEXT_TOKENS} | ${usd(est.amount * 1000)} |`;
		}),
	];
	return lines.join('\n');
}

test('the README cost table is the price table, priced by estimateCost', () => {
	const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
	const found = /<!-- costs:begin -->\n([\s\S]*?)\n<!-- costs:end -->/.exec(readme);
	expect(found).not.toBeNull();
	const expected = costTable();
	if (found![1] !== expected) {
		throw new Error(`README.md's cost table is out of date; paste this between the costs markers:\n\n${expected}\n`);
	}
	// The figures a reader checks by hand: Veo 3.1 at $0.40/s is $12.00 for 30 s; local is free.
	expect(expected).toContain('| Veo 3.1 (Gemini API) (`veo-3.1-generate-001`) | Gemini (Veo) | $12.00 | vendor list price |');
	expect(expected).toMatch(/\| Local render \(FFmpeg\) \(`local`\) \| none \| \$0 \| free/);
});
