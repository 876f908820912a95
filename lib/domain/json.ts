import { ValidationError } from './errors';

/** A JSON field typed into n8n (a string) or already parsed (an object): parsed, or an error naming the field. */
export function parseJsonField(value: unknown, field: string): unknown {
	if (typeof value !== 'string') return value;
	if (!value.trim()) return undefined;
	try {
		return JSON.parse(value);
	} catch {
		throw new ValidationError(`${field} is not valid JSON`, field);
	}
}
