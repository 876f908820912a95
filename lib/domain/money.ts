/**
 * Money in TypeScript is integer micro-dollars (1 USD = 1_000_000); in SQL it is numeric(18,6).
 * Decimal strings cross the boundary both ways, so no float ever takes part in a sum.
 */
import { ValidationError } from './errors';

export type Micros = number;

export const MICROS_PER_USD = 1_000_000;
const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/;

/** Parses a USD amount given as a decimal string or a number (as typed into n8n) into micro-dollars. */
export function parseUsd(value: unknown, field: string, opts: { allowNegative?: boolean } = {}): Micros {
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) throw new ValidationError(`${field} must be a finite amount in USD`, field);
		// Shortest round-trip form: 0.1 stays "0.1", not 0.1000000000000000055.
		text = String(value);
		if (/e/i.test(text)) text = value.toFixed(12).replace(/\.?0+$/, ''); // 1e-7 → "0.0000001", then refused
	} else if (typeof value === 'string') {
		text = value.trim();
	} else {
		throw new ValidationError(`${field} must be an amount in USD`, field);
	}
	const m = DECIMAL.exec(text);
	if (!m) {
		throw new ValidationError(
			`${field} must be a decimal amount in USD with at most 6 decimal places, got "${String(value).slice(0, 40)}"`,
			field,
		);
	}
	const micros = Number(m[2]) * MICROS_PER_USD + Number((m[3] ?? '').padEnd(6, '0'));
	if (m[1]) {
		if (!opts.allowNegative) throw new ValidationError(`${field} must not be negative`, field);
		return -micros;
	}
	return micros;
}

/** Formats micro-dollars as the exact decimal string SQL takes ("1.250000"). */
export function formatUsd(micros: Micros): string {
	if (!Number.isSafeInteger(micros)) throw new RangeError(`not an integer amount of micro-dollars: ${micros}`);
	const sign = micros < 0 ? '-' : '';
	const abs = Math.abs(micros);
	const whole = Math.floor(abs / MICROS_PER_USD);
	const frac = String(abs % MICROS_PER_USD).padStart(6, '0');
	return `${sign}${whole}.${frac}`;
}

/** Multiplies a per-unit price in micro-dollars by a quantity, rounding half up to a whole micro-dollar. */
export function priceTimes(unitMicros: Micros, quantity: number): Micros {
	if (!(quantity >= 0) || !Number.isFinite(quantity)) throw new RangeError(`bad quantity: ${quantity}`);
	return Math.round(unitMicros * quantity);
}
