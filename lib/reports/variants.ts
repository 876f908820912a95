/**
 * A/B comparison of two variants (seed 003 pillar 4, "variant performance compared statistically"):
 * the two-proportion z-test with a pooled standard error,
 *
 *   p̂ = (x_a + x_b) / (n_a + n_b),   SE = √(p̂ (1 − p̂) (1/n_a + 1/n_b)),   z = (x_a/n_a − x_b/n_b) / SE,
 *
 * and the two-sided p-value 2·(1 − Φ(|z|)) = erfc(|z|/√2), computed to about 1e-15 (series below
 * 1, continued fraction above), so small p-values keep their digits. Trials are impressions or
 * views, successes conversions or engagements. `a` is the baseline: a negative z means b did better;
 * lift is b's rate relative to a's.
 */
import { ValidationError } from '../domain/errors';
import type { Store } from '../store/store';

export interface VariantSample {
	label?: string;
	/** Trials: impressions, or views when impressions are not known. */
	impressions?: number;
	views?: number;
	/** Successes: conversions, or engagements (likes + shares + comments), or clicks. */
	conversions?: number;
	engagements?: number;
	clicks?: number;
}

export interface VariantRate {
	label: string;
	trials: number;
	successes: number;
	/** successes / trials; null without trials. */
	rate: number | null;
}

export interface VariantComparison {
	a: VariantRate;
	b: VariantRate;
	/** rate_b − rate_a. */
	difference: number | null;
	/** (rate_b − rate_a) / rate_a; null when rate_a is 0 or unknown. */
	lift: number | null;
	pooled_rate: number | null;
	standard_error: number | null;
	/** (rate_a − rate_b) / SE (pooled); negative when b converts better. */
	z: number | null;
	/** Two-sided. */
	p_value: number | null;
	/** 1 − p. */
	confidence: number | null;
	alpha: number;
	significant: boolean;
	/** The better variant when the difference is significant. */
	winner: 'a' | 'b' | null;
	/** Interval for rate_b − rate_a at 1 − alpha (unpooled standard error). */
	difference_interval: [number, number] | null;
	/** False when an expected count is under 5 (the normal approximation is rough there). */
	reliable: boolean;
	note: string;
}

const SQRT_PI = Math.sqrt(Math.PI);

/** erfc(x) to about 1e-15 relative: a series for |x| < 1, a continued fraction beyond (300 terms: converged from 1 on). */
export function erfc(x: number): number {
	if (Number.isNaN(x)) return NaN;
	if (x < 0) return 2 - erfc(-x);
	if (x === Infinity) return 0;
	if (x < 1) {
		// erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)); every term positive, no cancellation.
		let term = x;
		let sum = x;
		for (let n = 1; n < 200; n++) {
			term *= (2 * x * x) / (2 * n + 1);
			sum += term;
			if (term < sum * 1e-17) break;
		}
		return 1 - ((2 / SQRT_PI) * Math.exp(-x * x) * sum);
	}
	// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
	let t = x;
	for (let n = 300; n >= 1; n--) t = x + n / 2 / t;
	return Math.exp(-x * x) / SQRT_PI / t;
}

/** The standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
	return 0.5 * erfc(-x / Math.SQRT2);
}

/** The standard normal quantile Φ⁻¹(p), by bisection on normalCdf (exact to double precision). */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) {
		if (p === 0) return -Infinity;
		if (p === 1) return Infinity;
		throw new RangeError(`probability must be in (0, 1), got ${p}`);
	}
	let lo = -40;
	let hi = 40;
	for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
		const mid = (lo + hi) / 2;
		if (normalCdf(mid) < p) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}

function count(value: unknown, field: string): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
		throw new ValidationError(`${field} must be a whole number ≥ 0, got ${JSON.stringify(value)}`, field);
	}
	return value;
}

function rateOf(s: VariantSample, side: 'a' | 'b'): VariantRate {
	if (!s || typeof s !== 'object') throw new ValidationError(`variant ${side} must be an object`, side);
	const trialsRaw = s.impressions ?? s.views;
	const successRaw = s.conversions ?? s.engagements ?? s.clicks;
	const trials = count(trialsRaw ?? 0, `${side}.impressions`);
	const successes = count(successRaw ?? 0, `${side}.conversions`);
	if (successes > trials) {
		throw new ValidationError(`variant ${side} has more successes (${successes}) than trials (${trials})`, `${side}.conversions`);
	}
	return { label: s.label ?? side.toUpperCase(), trials, successes, rate: trials > 0 ? successes / trials : null };
}

const round = (x: number, digits = 12) => Number(x.toPrecision(digits));

/** Two-proportion z-test (pooled) of b against a; see the file comment. */
export function compareVariants(a: VariantSample, b: VariantSample, opts: { alpha?: number } = {}): VariantComparison {
	const alpha = opts.alpha ?? 0.05;
	if (!(alpha > 0 && alpha < 1)) throw new ValidationError('alpha must be between 0 and 1', 'alpha');
	const ra = rateOf(a, 'a');
	const rb = rateOf(b, 'b');
	const base: VariantComparison = {
		a: ra,
		b: rb,
		difference: null,
		lift: null,
		pooled_rate: null,
		standard_error: null,
		z: null,
		p_value: null,
		confidence: null,
		alpha,
		significant: false,
		winner: null,
		difference_interval: null,
		reliable: false,
		note: '',
	};
	if (ra.rate === null || rb.rate === null) {
		const which = [ra.rate === null ? ra.label : null, rb.rate === null ? rb.label : null].filter(Boolean).join(' and ');
		return { ...base, note: `no impressions yet for ${which}: nothing to compare` };
	}
	const difference = rb.rate - ra.rate;
	const lift = ra.rate > 0 ? difference / ra.rate : null;
	const pooled = (ra.successes + rb.successes) / (ra.trials + rb.trials);
	const se = Math.sqrt(pooled * (1 - pooled) * (1 / ra.trials + 1 / rb.trials));
	const zCrit = normalQuantile(1 - alpha / 2);
	const seDiff = Math.sqrt((ra.rate * (1 - ra.rate)) / ra.trials + (rb.rate * (1 - rb.rate)) / rb.trials);
	const interval: [number, number] = [round(difference - zCrit * seDiff), round(difference + zCrit * seDiff)];
	const minExpected = Math.min(ra.trials, rb.trials) * Math.min(pooled, 1 - pooled);
	const reliable = minExpected >= 5;
	if (se === 0) {
		// Every trial failed, or every trial succeeded, on both sides: identical rates, no evidence.
		return {
			...base,
			difference: 0,
			lift: ra.rate > 0 ? 0 : null,
			pooled_rate: pooled,
			standard_error: 0,
			z: 0,
			p_value: 1,
			confidence: 0,
			difference_interval: interval,
			reliable: false,
			note: `both variants have a rate of ${pooled}: no difference to test`,
		};
	}
	const z = (ra.rate - rb.rate) / se;
	const p = Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
	const significant = p < alpha;
	const winner = significant ? (difference > 0 ? 'b' : 'a') : null;
	const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
	const note = [
		`${rb.label} ${pct(rb.rate)} vs ${ra.label} ${pct(ra.rate)}`,
		lift === null ? null : `lift ${lift >= 0 ? '+' : ''}${(lift * 100).toFixed(1)} %`,
		`z = ${z.toFixed(2)}, p = ${p < 1e-4 ? p.toExponential(2) : p.toFixed(4)}`,
		significant ? `significant at α = ${alpha}: ${winner === 'b' ? rb.label : ra.label} wins` : `not significant at α = ${alpha}`,
		reliable ? null : 'few conversions: treat as indicative only',
	]
		.filter(Boolean)
		.join('; ');
	return {
		...base,
		difference: round(difference),
		lift: lift === null ? null : round(lift),
		pooled_rate: round(pooled),
		standard_error: round(se),
		z: round(z),
		p_value: p,
		confidence: round(1 - p),
		significant,
		winner,
		difference_interval: interval,
		reliable,
		note,
	};
}

/** The success counts a comparison can use, from bi_variant_engagement's rows. */
export const ENGAGEMENT_METRICS = ['engagements', 'clicks', 'conversions', 'likes', 'shares', 'comments'] as const;
export type EngagementMetric = (typeof ENGAGEMENT_METRICS)[number];

export interface EngagementRow {
	variant_id: string;
	variant_type?: string;
	views: number;
	[metric: string]: unknown;
}

export interface EngagementComparison extends VariantComparison {
	baseline_variant_id: string;
	variant_id: string;
	metric: EngagementMetric;
}

/**
 * Each variant against a baseline (the given one, else the first with views), on views → `metric`
 * (default engagements). Rows come from Store.variantEngagement(...).variants.
 */
export function compareEngagement(
	rows: EngagementRow[],
	opts: { metric?: EngagementMetric; baselineVariantId?: string; alpha?: number } = {},
): EngagementComparison[] {
	const metric = opts.metric ?? 'engagements';
	if (!ENGAGEMENT_METRICS.includes(metric)) throw new ValidationError(`metric must be one of ${ENGAGEMENT_METRICS.join(', ')}`, 'metric');
	const baseline = opts.baselineVariantId ? rows.find((r) => r.variant_id === opts.baselineVariantId) : (rows.find((r) => Number(r.views) > 0) ?? rows[0]);
	if (!baseline) return [];
	const sample = (r: EngagementRow): VariantSample => ({
		label: r.variant_type ? `${r.variant_type} (${r.variant_id.slice(0, 8)})` : r.variant_id.slice(0, 8),
		impressions: Number(r.views ?? 0),
		// Engagements are counted per action: more than views is possible (a viewer likes and shares);
		// the test needs at most one success per trial, so the count is capped at the views.
		conversions: Math.min(Number(r[metric] ?? 0), Number(r.views ?? 0)),
	});
	return rows
		.filter((r) => r.variant_id !== baseline.variant_id)
		.map((r) => ({
			...compareVariants(sample(baseline), sample(r), { alpha: opts.alpha }),
			baseline_variant_id: baseline.variant_id,
			variant_id: r.variant_id,
			metric,
		}));
}

export interface CampaignVariantComparison {
	campaign_id: string;
	metric: EngagementMetric;
	alpha: number;
	/** Views and success counts per variant (the latest metrics snapshot of each post, summed). */
	variants: EngagementRow[];
	comparisons: EngagementComparison[];
	/** One line per comparison (the significance in words), or why there is nothing to compare. */
	summary: string[];
}

/** The variant comparison of one campaign, from its posts' engagement in the store. */
export async function compareCampaignVariants(
	store: Store,
	campaignId: string,
	opts: { metric?: EngagementMetric; baselineVariantId?: string; alpha?: number } = {},
): Promise<CampaignVariantComparison> {
	const metric = opts.metric ?? 'engagements';
	const alpha = opts.alpha ?? 0.05;
	const variants = (((await store.variantEngagement(campaignId)).variants as EngagementRow[] | null) ?? []).map((v) => ({ ...v }));
	if (opts.baselineVariantId && !variants.some((v) => v.variant_id === opts.baselineVariantId)) {
		throw new ValidationError(`variant ${opts.baselineVariantId} is not a variant of campaign ${campaignId}`, 'baseline_variant_id');
	}
	const comparisons = compareEngagement(variants, { metric, baselineVariantId: opts.baselineVariantId, alpha });
	const summary = comparisons.length
		? comparisons.map((c) => c.note)
		: [variants.length < 2 ? `campaign has ${variants.length} variant${variants.length === 1 ? '' : 's'} with posts: nothing to compare` : 'no variant has views yet'];
	return { campaign_id: campaignId, metric, alpha, variants, comparisons, summary };
}
