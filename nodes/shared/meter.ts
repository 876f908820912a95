import type { IExecuteFunctions } from 'n8n-workflow';

import type { CostMeter } from '../../lib/providers/metered';
import type { Pillar, Store } from '../../lib/store';

/**
 * The Cost Ledger meter of item i, or null without a campaign (then only free providers may run).
 * Reservation references carry the execution, node and item, so a retried execution reserves anew
 * while a replay inside one execution does not reserve twice.
 */
export function meterFor(ctx: IExecuteFunctions, store: Store, i: number, campaignId: unknown, pillar: Pillar, what: string): CostMeter | null {
	if (typeof campaignId !== 'string' || !campaignId) return null;
	return { store, campaignId, pillar, refPrefix: `${ctx.getExecutionId()}:${ctx.getNode().id}:${i}:${what}` };
}
