/**
 * The two-proportion z-test of the variant comparison, against values computed independently
 * (Python's libm erfc and scipy.stats.norm; R's prop.test(correct = FALSE) gives the same p-values).
 */
import { ValidationError } from '../../lib/domain/errors';
import { compareEngagement, compareVariants, erfc, normalCdf, normalQuantile } from '../../lib/reports/variants';

const rel = (got: number, want: number, tol: number) => expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(tol);

describe('normal distribution', () => {
	test('erfc matches libm across the series / continued-fraction switch and far into the tail', () => {
		const known: Array<[number, number]> = [
			[0.5, 0.4795001221869535],
			[1, 0.15729920705028513],
			[0.9999, 0.15734072195124052],
			[2.4999, 0.0004071699003334514],
			[2.5, 0.0004069520174449589],
			[3, 2.2090496998585438e-5],
			[5, 1.5374597944280351e-12],
		];
		for (const [x, want] of known) rel(erfc(x), want, 1e-13);
		expect(erfc(0)).toBe(1);
		rel(erfc(-1), 2 - 0.15729920705028513, 1e-15);
		expect(erfc(Infinity)).toBe(0);
	});

	test('Φ and Φ⁻¹ match scipy', () => {
		rel(normalCdf(-1), 0.15865525393145707, 1e-13);
		rel(normalCdf(2.3), 0.9892758899783242, 1e-14);
		rel(normalCdf(-6), 9.865876450376946e-10, 1e-12);
		rel(normalCdf(-10), 7.61985302416047e-24, 1e-11);
		expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
		expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
		expect(normalCdf(normalQuantile(0.001))).toBeCloseTo(0.001, 14);
		expect(() => normalQuantile(1.5)).toThrow(RangeError);
	});
});

describe('compareVariants', () => {
	test('200/1000 vs 250/1000: z ≈ −2.68, p ≈ 0.0074, significant, b wins with +25 % lift', () => {
		const r = compareVariants({ label: 'humorous', impressions: 1000, conversions: 200 }, { label: 'serious', impressions: 1000, conversions: 250 });
		expect(r.z).toBeCloseTo(-2.677397763008329, 10);
		rel(r.p_value as number, 0.007419649261025693, 1e-10);
		expect(r.pooled_rate).toBeCloseTo(0.225, 12);
		expect(r.standard_error).toBeCloseTo(Math.sqrt(0.225 * 0.775 * 0.002), 12);
		expect(r.confidence).toBeCloseTo(0.99258, 5);
		expect(r).toMatchObject({ significant: true, winner: 'b', reliable: true, alpha: 0.05 });
		expect(r.lift).toBeCloseTo(0.25, 12);
		expect(r.difference).toBeCloseTo(0.05, 12);
		// Unpooled 95 % interval of the difference: 0.05 ± 1.96·√(.2·.8/1000 + .25·.75/1000).
		const half = 1.959963984540054 * Math.sqrt(0.16 / 1000 + 0.1875 / 1000);
		expect(r.difference_interval?.[0]).toBeCloseTo(0.05 - half, 10);
		expect(r.difference_interval?.[1]).toBeCloseTo(0.05 + half, 10);
		expect(r.note).toContain('significant at α = 0.05: serious wins');
	});

	test('more cases against independent values, views and engagements accepted as trials and successes', () => {
		const cases: Array<[number, number, number, number, number, number]> = [
			[30, 1000, 45, 1000, -1.7654696590094991, 0.07748486513264467],
			[500, 10000, 620, 10000, -3.6905087347884207, 0.000223806003121609],
			[1, 20, 3, 25, -0.8199122499151819, 0.41226613290061015],
		];
		for (const [xa, na, xb, nb, z, p] of cases) {
			const r = compareVariants({ views: na, engagements: xa }, { views: nb, engagements: xb });
			expect(r.z).toBeCloseTo(z, 10);
			rel(r.p_value as number, p, 1e-9);
			expect(r.significant).toBe(p < 0.05);
		}
		// Swapping the sides flips z and keeps p.
		const ab = compareVariants({ impressions: 1000, conversions: 30 }, { impressions: 1000, conversions: 45 });
		const ba = compareVariants({ impressions: 1000, conversions: 45 }, { impressions: 1000, conversions: 30 });
		expect(ba.z).toBeCloseTo(-(ab.z as number), 12);
		expect(ba.p_value).toBeCloseTo(ab.p_value as number, 14);
		// A stricter alpha turns a significant result into a non-significant one.
		expect(compareVariants({ impressions: 1000, conversions: 200 }, { impressions: 1000, conversions: 250 }, { alpha: 0.005 })).toMatchObject({ significant: false, winner: null });
		// A small sample is flagged as rough.
		expect(compareVariants({ impressions: 20, conversions: 1 }, { impressions: 25, conversions: 3 }).reliable).toBe(false);
	});

	test('edge cases: no impressions, zero or full conversions on both sides, a zero baseline', () => {
		expect(compareVariants({ impressions: 0, conversions: 0 }, { impressions: 100, conversions: 5 })).toMatchObject({
			z: null,
			p_value: null,
			significant: false,
			winner: null,
			note: expect.stringContaining('no impressions yet for A'),
		});
		expect(compareVariants({ impressions: 100, conversions: 0 }, { impressions: 100, conversions: 0 })).toMatchObject({ z: 0, p_value: 1, significant: false, lift: null, reliable: false });
		expect(compareVariants({ impressions: 50, conversions: 50 }, { impressions: 80, conversions: 80 })).toMatchObject({ z: 0, p_value: 1, significant: false, lift: 0 });
		const zeroBase = compareVariants({ impressions: 1000, conversions: 0 }, { impressions: 1000, conversions: 20 });
		expect(zeroBase.lift).toBeNull();
		expect(zeroBase.significant).toBe(true);
		expect(Number.isFinite(zeroBase.z)).toBe(true);
		// A huge difference: p is tiny but not rounded to zero.
		const huge = compareVariants({ impressions: 100000, conversions: 1000 }, { impressions: 100000, conversions: 2000 });
		expect(huge.p_value).toBeGreaterThan(0);
		expect(huge.p_value).toBeLessThan(1e-40);
	});

	test('bad counts are refused with the field named', () => {
		for (const [a, field] of [
			[{ impressions: 10, conversions: 11 }, 'a.conversions'],
			[{ impressions: -1, conversions: 0 }, 'a.impressions'],
			[{ impressions: 1.5, conversions: 0 }, 'a.impressions'],
			[{ impressions: 10, conversions: Number.NaN }, 'a.conversions'],
		] as const) {
			expect(() => compareVariants(a, { impressions: 10, conversions: 1 })).toThrow(ValidationError);
			try {
				compareVariants(a, { impressions: 10, conversions: 1 });
			} catch (e) {
				expect((e as ValidationError).field).toBe(field);
			}
		}
		expect(() => compareVariants({ impressions: 1 }, { impressions: 1 }, { alpha: 1 })).toThrow(ValidationError);
	});
});

test('compareEngagement compares every variant with the baseline on views → engagements', () => {
	const rows = [
		{ variant_id: 'aaaaaaaa-0000-4000-8000-000000000001', variant_type: 'humorous', views: 1000, engagements: 200, clicks: 10 },
		{ variant_id: 'bbbbbbbb-0000-4000-8000-000000000002', variant_type: 'serious', views: 1000, engagements: 250, clicks: 12 },
		{ variant_id: 'cccccccc-0000-4000-8000-000000000003', variant_type: 'emotional', views: 0, engagements: 0, clicks: 0 },
	];
	const out = compareEngagement(rows);
	expect(out).toHaveLength(2);
	expect(out[0]).toMatchObject({ baseline_variant_id: rows[0].variant_id, variant_id: rows[1].variant_id, metric: 'engagements', significant: true, winner: 'b' });
	expect(out[0].z).toBeCloseTo(-2.6774, 4);
	expect(out[1]).toMatchObject({ variant_id: rows[2].variant_id, z: null, significant: false });
	expect(compareEngagement(rows, { metric: 'clicks', baselineVariantId: rows[1].variant_id })[0]).toMatchObject({ variant_id: rows[0].variant_id, significant: false });
	expect(compareEngagement([])).toEqual([]);
	expect(() => compareEngagement(rows, { metric: 'watch_time_seconds' as never })).toThrow(ValidationError);
});
