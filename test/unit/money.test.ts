import { formatUsd, parseUsd } from '../../lib/domain/money';
import { ValidationError } from '../../lib/domain/errors';

describe('money', () => {
	test.each([
		['0.1', 100_000],
		[0.1, 100_000],
		['12.345678', 12_345_678],
		[3, 3_000_000],
		['1e-7', NaN],
		[1e-7, NaN],
		['0', 0],
		[' 2.50 ', 2_500_000],
	])('parseUsd(%p)', (input, micros) => {
		if (Number.isNaN(micros)) expect(() => parseUsd(input, 'amount')).toThrow(ValidationError);
		else expect(parseUsd(input, 'amount')).toBe(micros);
	});

	test('rejects what is not an exact amount and names the field', () => {
		for (const bad of ['1.2345678', 'abc', '', '1,5', null, {}, Infinity, '-1']) {
			expect(() => parseUsd(bad, 'budget_limit_usd')).toThrow(expect.objectContaining({ field: 'budget_limit_usd' }));
		}
		expect(parseUsd('-1.5', 'a', { allowNegative: true })).toBe(-1_500_000);
	});

	test('sums of parsed amounts are exact where floats are not', () => {
		const micros = Array.from({ length: 10 }, () => parseUsd('0.1', 'x')).reduce((a, b) => a + b, 0);
		expect(formatUsd(micros)).toBe('1.000000');
		expect(formatUsd(parseUsd(0.1, 'x') + parseUsd(0.2, 'x'))).toBe('0.300000'); // 0.1 + 0.2 !== 0.3 in floats
	});

	test('formatUsd round-trips', () => {
		for (const m of [0, 1, 999_999, 1_000_000, 123_456_789, -5]) expect(parseUsd(formatUsd(m), 'x', { allowNegative: true })).toBe(m);
		expect(formatUsd(-5)).toBe('-0.000005');
		expect(() => formatUsd(0.5)).toThrow(RangeError);
	});
});
