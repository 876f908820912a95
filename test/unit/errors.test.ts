import {
	BudgetExceededError,
	fromSqlError,
	IllegalTransitionError,
	NotFoundError,
	StoreError,
	ValidationError,
	VersionConflictError, secretRedactor
} from '../../lib/domain/errors';
import { redactConnectionString } from '../../lib/store/postgres';

describe('fromSqlError', () => {
	test('maps each state-API SQLSTATE to its typed error, with the JSON detail parsed', () => {
		expect(fromSqlError({ code: 'BI409', message: 'm', detail: '{"current_version":3}' })).toEqual(expect.any(VersionConflictError));
		expect((fromSqlError({ code: 'BI409', message: 'm', detail: '{"current_version":3}' }) as VersionConflictError).currentVersion).toBe(3);
		expect(fromSqlError({ code: 'BI422', message: 'm' })).toBeInstanceOf(IllegalTransitionError);
		expect(fromSqlError({ code: 'BI402', message: 'm' })).toBeInstanceOf(BudgetExceededError);
		expect(fromSqlError({ code: 'BI404', message: 'm' })).toBeInstanceOf(NotFoundError);
		const v = fromSqlError({ code: 'BI400', message: 'campaign_name is required', details: '{"field":"campaign_name"}' });
		expect(v).toBeInstanceOf(ValidationError);
		expect(v.field).toBe('campaign_name');
		expect(fromSqlError({ code: '23505', message: 'dup' })).toBeInstanceOf(StoreError);
	});

	test('keeps only code, message, detail and hint: never the query or its parameters', () => {
		const driverError = Object.assign(new Error('boom'), {
			code: 'XX000',
			query: 'select secret_fn($1)',
			params: ['s3cr3t'],
		});
		const mapped = fromSqlError(driverError);
		expect(JSON.stringify(mapped.toJSON())).not.toMatch(/s3cr3t|secret_fn/);
	});

	test('connection-string passwords are redacted from messages', () => {
		const redact = redactConnectionString('postgresql://bi:p%40ss@db:5432/x');
		const mapped = fromSqlError({ code: '28P01', message: 'password authentication failed for p@ss at postgresql://bi:p%40ss@db:5432/x' }, redact);
		expect(mapped.message).not.toContain('p@ss');
		expect(mapped.message).not.toContain('p%40ss');
	});

	test('a long key is hidden also where SQL echoed it cut to 40 or 60 characters', () => {
		const key = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + 'x'.repeat(180);
		const redact = secretRedactor([key]);
		const text = `bad uuid "${key.slice(0, 60)}" and amount "${key.slice(0, 40)}" and ${key}`;
		expect(redact(text)).not.toContain(key.slice(0, 40));
		expect(redact(text)).toBe('bad uuid "[redacted]" and amount "[redacted]" and [redacted]');
	});
});
