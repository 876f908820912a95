/**
 * The campaign report (issue 5, Campaign additions): cost per pillar and per variant, the status
 * timeline, posts and their engagement, and the variant comparison with its significance, as JSON
 * (one SQL call, bi_campaign_report, plus the z-tests) and as a small self-contained HTML page
 * with an inline SVG bar chart of the cost per pillar. Every text that reaches the page is escaped.
 */
import { parseUsd, type Micros } from '../domain/money';
import { escapeHtml, htmlPage } from '../approvals/service';
import type { Json, Store } from '../store/store';
import { compareEngagement, type EngagementComparison, type EngagementMetric, type EngagementRow } from './variants';

export const REPORT_PILLARS = ['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster'] as const;

export interface TimelineEntry {
	seq: number;
	at: string;
	action: string;
	entity: string | null;
	entity_id: string | null;
	from_status: string | null;
	to_status: string | null;
	actor: string | null;
	reason: string | null;
}

export interface CampaignReport {
	campaign: Json & { campaign_id: string; campaign_name: string; status: string; brand_name?: string };
	generated_at: string;
	cost: Json & { total_usd: string; by_pillar: Record<string, string>; by_variant: Json[]; unattributed_usd: string; budget: Json };
	variants: EngagementRow[];
	/** Each variant against the baseline on views → `metric`. */
	comparisons: EngagementComparison[];
	metric: EngagementMetric;
	timeline: TimelineEntry[];
	posts: Json[];
	approvals: Json[];
	assets: Json;
	/** Issue 11: what each scene was made from (library asset id, stock id, typography, end card, generator). */
	scene_sources?: Json[];
}

export interface CampaignReportOptions {
	/** What counts as a success in the comparison (default engagements). */
	metric?: EngagementMetric;
	baselineVariantId?: string;
	alpha?: number;
}

/** Builds the report of one campaign. */
export async function campaignReport(store: Store, campaignId: string, opts: CampaignReportOptions = {}): Promise<CampaignReport> {
	const raw = (await store.campaignReport(campaignId)) as unknown as Omit<CampaignReport, 'comparisons' | 'metric'>;
	const metric = opts.metric ?? 'engagements';
	return {
		...raw,
		metric,
		comparisons: compareEngagement(raw.variants ?? [], { metric, baselineVariantId: opts.baselineVariantId, alpha: opts.alpha }),
		scene_sources: await store.sceneSources(campaignId),
	};
}

const micros = (v: unknown): Micros => {
	try {
		return parseUsd(v ?? '0', 'amount', { allowNegative: true });
	} catch {
		return 0;
	}
};

/** Dollars and cents; below a cent, every micro-dollar digit that is not a trailing zero. */
export function formatMoney(v: unknown): string {
	const m = micros(v);
	const sign = m < 0 ? '-' : '';
	const abs = Math.abs(m);
	const whole = Math.floor(abs / 1_000_000);
	const frac = String(abs % 1_000_000).padStart(6, '0');
	if (abs === 0 || abs >= 10_000) return `${sign}$${(abs / 1_000_000).toFixed(2)}`;
	return `${sign}$${whole}.${frac.replace(/0+$/, '').padEnd(2, '0')}`;
}

/**
 * A horizontal bar chart (inline SVG, no script, no external resource) of the cost per pillar.
 * Bars are proportional to the exact micro-dollar amounts; a negative net cost draws no bar.
 */
export function costChartSvg(byPillar: Record<string, unknown>, opts: { width?: number; title?: string } = {}): string {
	const width = opts.width ?? 640;
	const labelW = 150;
	const valueW = 100;
	const barH = 22;
	const gap = 10;
	// The five pillars always, in pipeline order; any other key after them.
	const keys = [...REPORT_PILLARS, ...Object.keys(byPillar).filter((k) => !(REPORT_PILLARS as readonly string[]).includes(k))];
	const amounts = keys.map((k) => micros(byPillar[k]));
	const max = Math.max(0, ...amounts);
	const plot = width - labelW - valueW;
	const height = keys.length * (barH + gap) + gap;
	const title = opts.title ?? 'Cost per pillar';
	const bars = keys
		.map((k, i) => {
			const y = gap + i * (barH + gap);
			const w = max > 0 && amounts[i] > 0 ? Math.max(1, Math.round((amounts[i] / max) * plot)) : 0;
			return [
				`<g><title>${escapeHtml(`${k.replace(/_/g, ' ')}: ${formatMoney(byPillar[k])}`)}</title>`,
				`<text x="${labelW - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${escapeHtml(k.replace(/_/g, ' '))}</text>`,
				`<rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="3" fill="#4c6ef5"></rect>`,
				`<text x="${labelW + w + 6}" y="${y + barH / 2 + 4}">${escapeHtml(formatMoney(byPillar[k]))}</text></g>`,
			].join('');
		})
		.join('\n');
	return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${escapeHtml(title)}</title>\n${bars}\n</svg>`;
}

const pct = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`);
const num = (x: unknown) => (x === null || x === undefined || x === '' ? '—' : escapeHtml(x));
const short = (id: unknown) => (typeof id === 'string' ? escapeHtml(id.slice(0, 8)) : '—');
const when = (at: unknown) => {
	const t = typeof at === 'string' ? Date.parse(at) : NaN;
	return Number.isFinite(t) ? escapeHtml(new Date(t).toISOString().replace('T', ' ').slice(0, 19)) : num(at);
};

function table(head: string[], rows: string[][], empty: string): string {
	if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
	return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
		.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
		.join('')}</tbody></table>`;
}

/** The report as one self-contained HTML page (strict CSP, no script). */
export function campaignReportHtml(report: CampaignReport): string {
	const c = report.campaign;
	const cost = report.cost;
	const budget = (cost.budget ?? {}) as Record<string, unknown>;
	const variantCost = new Map((cost.by_variant ?? []).map((v) => [String(v.variant_id), v.total_usd]));
	const labelOf = new Map(report.variants.map((v) => [v.variant_id, `${v.variant_type ?? 'variant'} ${String(v.variant_id).slice(0, 8)}`]));

	const variants = table(
		['Variant', 'Status', 'Posts', 'Views', 'Engagements', 'Rate', 'Clicks', 'Conversions', 'Cost'],
		report.variants.map((v) => [
			escapeHtml(labelOf.get(v.variant_id)),
			num(v.status),
			num(v.posts),
			num(v.views),
			num(v.engagements),
			v.engagement_rate === null || v.engagement_rate === undefined ? '—' : pct(Number(v.engagement_rate)),
			num(v.clicks),
			num(v.conversions),
			escapeHtml(formatMoney(variantCost.get(v.variant_id) ?? '0')),
		]),
		'No variants yet.',
	);
	const comparisons = table(
		['Variant', 'vs baseline', `${report.metric} rate`, 'Baseline rate', 'Lift', 'z', 'p-value', `Significant (α = ${report.comparisons[0]?.alpha ?? 0.05})`],
		report.comparisons.map((r) => [
			escapeHtml(labelOf.get(r.variant_id) ?? r.variant_id),
			escapeHtml(labelOf.get(r.baseline_variant_id) ?? r.baseline_variant_id),
			pct(r.b.rate),
			pct(r.a.rate),
			r.lift === null ? '—' : `${r.lift >= 0 ? '+' : ''}${(r.lift * 100).toFixed(1)} %`,
			r.z === null ? '—' : escapeHtml(r.z.toFixed(2)),
			r.p_value === null ? '—' : escapeHtml(r.p_value < 1e-4 ? r.p_value.toExponential(2) : r.p_value.toFixed(4)),
			r.z === null
				? `<span class="muted">${escapeHtml(r.note)}</span>`
				: r.significant
					? `<strong class="pass">yes</strong>${r.reliable ? '' : ' <span class="warn">(few conversions)</span>'}`
					: `no${r.reliable ? '' : ' <span class="warn">(few conversions)</span>'}`,
		]),
		'Fewer than two variants: nothing to compare.',
	);
	const timeline = table(
		['When', 'What', 'Item', 'Change', 'By', 'Note'],
		report.timeline.map((e) => [
			when(e.at),
			escapeHtml(e.action.replace(/_/g, ' ')),
			`${escapeHtml((e.entity ?? '').replace(/_/g, ' '))} ${short(e.entity_id)}`,
			e.from_status || e.to_status ? `${num(e.from_status ?? '·')} → ${num(e.to_status ?? '·')}` : '',
			num(e.actor),
			escapeHtml(e.reason ?? ''),
		]),
		'Nothing has happened yet.',
	);
	const posts = table(
		['Platform', 'Variant', 'Status', 'Published', 'Post id', 'Views', 'Likes', 'Shares', 'Comments'],
		report.posts.map((p) => {
			const m = (p.metrics ?? {}) as Record<string, unknown>;
			return [
				num(p.platform),
				escapeHtml(labelOf.get(String(p.variant_id)) ?? '—'),
				num(p.status),
				p.published_at ? when(p.published_at) : '—',
				num(p.platform_post_id),
				num(m.views ?? 0),
				num(m.likes ?? 0),
				num(m.shares ?? 0),
				num(m.comments ?? 0),
			];
		}),
		'No posts yet.',
	);
	const sources = table(
		['Video', 'Scene', 'Made from', 'Asset / stock id', 'Licence and credit'],
		(report.scene_sources ?? []).map((r) => {
			const src = (r.source ?? {}) as Record<string, unknown>;
			const media = (r.media ?? null) as Record<string, unknown> | null;
			const what = src.type === 'generator' ? `generator ${String(src.provider ?? '')}/${String(src.model ?? '')}` : String(src.type ?? '').replace(/_/g, ' ');
			return [
				short(String(r.video_id)),
				num(r.sequence),
				escapeHtml(`${what}${media ? ` (${String(media.kind)}: ${String(media.file_name)})` : ''}`),
				escapeHtml(String(src.stock_id ?? src.media_id ?? '—')),
				escapeHtml(media ? [media.licence, media.attribution].filter(Boolean).join(' · ') : '—'),
			];
		}),
		'No scenes yet.',
	);
	const body = [
		`<header><p class="muted">${escapeHtml(c.brand_name ?? '')} · generated ${when(report.generated_at)}</p>`,
		`<h1>${escapeHtml(c.campaign_name)}</h1><p>Status: <strong>${escapeHtml(c.status)}</strong></p></header>`,
		'<h2>Cost</h2>',
		`<p>Total: <strong>${escapeHtml(formatMoney(cost.total_usd))}</strong>${budget.budget_limit_usd ? ` of ${escapeHtml(formatMoney(budget.budget_limit_usd))} (${num(budget.percent_used ?? 0)} %)` : ''}${micros(cost.unattributed_usd) ? `; ${escapeHtml(formatMoney(cost.unattributed_usd))} not tied to a variant` : ''}</p>`,
		costChartSvg(cost.by_pillar ?? {}),
		'<h2>Variants</h2>',
		variants,
		'<h2>Variant comparison</h2>',
		`<p class="muted">Two-proportion z-test (pooled) of each variant against the baseline, ${escapeHtml(report.metric)} per view.</p>`,
		comparisons,
		'<h2>Scene sources</h2>',
		sources,
		'<h2>Posts</h2>',
		posts,
		'<h2>Status timeline</h2>',
		timeline,
	].join('\n');
	return htmlPage({ title: `Campaign report – ${c.campaign_name}`, body });
}
