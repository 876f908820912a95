import { estimateCost, parsePriceOverrides, PRICE_TABLE } from '../../lib/pricing/price-table';
import { ValidationError } from '../../lib/domain/errors';

describe('price table', () => {
	test('Veo 3.1 standard is $0.40/s at 1080p and $0.60/s at 4k', () => {
		expect(estimateCost({ provider: 'gemini', model: 'veo-3.1-generate-001', resolution: '1080p', usage: { seconds: 8 } }).amount_usd).toBe('3.200000');
		expect(estimateCost({ provider: 'gemini', model: 'veo-3.1-generate-001', resolution: '4k', usage: { seconds: 8 } }).amount).toBe(4_800_000);
	});

	test('per-million prices are exact to the micro-dollar, rounding half up', () => {
		// tts-1: $15 per 1M characters → 1001 characters = $0.015015
		expect(estimateCost({ provider: 'openai', model: 'tts-1', usage: { characters: 1001 } }).amount_usd).toBe('0.015015');
		// text-embedding-3-small: $0.02 per 1M tokens → 25 tokens = 0.5 micro-dollars → 1
		expect(estimateCost({ provider: 'openai', model: 'text-embedding-3-small', usage: { input_tokens: 25 } }).amount).toBe(1);
		const tts = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-tts', usage: { input_tokens: 1000, audio_output_tokens: 2000 } });
		expect(tts.lines.map((l) => l.amount_usd)).toEqual(['0.000600', '0.024000']);
		expect(tts.amount_usd).toBe('0.024600');
	});

	test('local costs nothing; unknown models and bad quantities are errors naming the field', () => {
		expect(estimateCost({ provider: 'local', model: 'ffmpeg', usage: { seconds: 30 } }).amount).toBe(0);
		expect(() => estimateCost({ provider: 'gemini', model: 'sora-2', usage: { seconds: 4 } })).toThrow(expect.objectContaining({ field: 'model' }));
		expect(() => estimateCost({ provider: 'openai', model: 'tts-1', usage: { characters: -1 } })).toThrow(ValidationError);
		expect(() => estimateCost({ provider: 'openai', model: 'tts-1', usage: {} })).toThrow(expect.objectContaining({ field: 'usage' }));
	});

	test('overrides win over the table and are validated', () => {
		const overrides = parsePriceOverrides('[{"provider":"gemini","model":"veo-3.1-generate-001","unit":"second","usd":"0.35","resolution":"720p"}]');
		expect(estimateCost({ provider: 'gemini', model: 'veo-3.1-generate-001', usage: { seconds: 4 } }, overrides).amount_usd).toBe('1.400000');
		expect(() => parsePriceOverrides('[{"provider":"x","model":"y","unit":"parsec","usd":"1"}]')).toThrow(
			expect.objectContaining({ field: 'priceOverrides[0].unit' }),
		);
		expect(() => parsePriceOverrides('{nope')).toThrow(expect.objectContaining({ field: 'priceOverrides' }));
	});

	test('no retired model is priced (Sora 2 shut down on 2026-09-24)', () => {
		expect(PRICE_TABLE.some((e) => /sora/i.test(e.model))).toBe(false);
	});
});
