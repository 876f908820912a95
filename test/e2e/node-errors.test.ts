/**
 * Errors in a real n8n 2.41.1 (the packed package installed as a community package, workflows run
 * with `n8n execute`): for every node with several outputs, a failed item under "On Error:
 * Continue (regular output)" leaves on the output that means failure (the Judge's Reject, the
 * Approval's Refused), never on one that means success, and under "Continue (using error output)"
 * on n8n's error output; an unknown operation fails with a message that names it.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { e2eWorld, type E2eWorld } from '../helpers/e2e';

jest.setTimeout(300_000);

const PACKAGE = 'n8n-nodes-brand-infinity';
const CREDENTIALS = {
	brandInfinityStoreApi: { id: 'bi-store', name: 'Brand Infinity Store' },
	brandInfinityApprovalsApi: { id: 'bi-approvals', name: 'Brand Infinity Approvals' },
};

interface Run {
	status?: string;
	data: { resultData: { runData: Record<string, { data: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]>; error?: { message: string } } };
}

/** Manual Trigger → `node` → one No Operation node per output, named after it. */
function workflow(id: string, node: Record<string, unknown>, outputs: string[]) {
	const sinks = outputs.map((name, i) => ({ id: randomUUID(), name: `On ${name}`, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [480, i * 160], parameters: {} }));
	return {
		id,
		name: `Node errors: ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: randomUUID(), name: 'Under Test', typeVersion: 1, position: [240, 0], credentials: CREDENTIALS, ...node },
			...sinks,
		],
		connections: {
			Start: { main: [[{ node: 'Under Test', type: 'main', index: 0 }]] },
			'Under Test': { main: sinks.map((s) => [{ node: s.name, type: 'main', index: 0 }]) },
		},
	};
}

const missingScript = randomUUID();
const judge = (onError: string, parameters: Record<string, unknown> = {}) => ({
	type: `${PACKAGE}.judge`,
	onError,
	parameters: { operation: 'checkScript', scriptId: missingScript, moderationProvider: 'local', embeddingProvider: 'local', useRubric: false, ...parameters },
});
// An expression that throws while the node reads its parameter (a broken workflow edit).
const approvalDecide = (onError: string) => ({
	type: `${PACKAGE}.approval`,
	onError,
	parameters: { operation: 'decide', formField: '={{ $json.body.form.approval }}' },
});

const WORKFLOWS = [
	workflow('biErrJudgeRegular1', judge('continueRegularOutput'), ['Pass', 'Human Review', 'Reject']),
	workflow('biErrJudgeErrorOut', judge('continueErrorOutput'), ['Pass', 'Human Review', 'Reject', 'Error']),
	workflow('biErrJudgeBogusOp1', judge('stopWorkflow', { operation: 'bogus' }), ['Pass', 'Human Review', 'Reject']),
	workflow('biErrJudgeBogusCof', judge('continueRegularOutput', { operation: 'bogus' }), ['Pass', 'Human Review', 'Reject']),
	workflow('biErrApprovalRegul', approvalDecide('continueRegularOutput'), ['Approved', 'Rejected', 'Refused']),
	workflow('biErrApprovalError', approvalDecide('continueErrorOutput'), ['Approved', 'Rejected', 'Refused', 'Error']),
];

let world: E2eWorld;

beforeAll(async () => {
	world = await e2eWorld('node-errors');
	const files = WORKFLOWS.map((wf) => {
		const file = join(world.work, `${wf.id}.json`);
		writeFileSync(file, JSON.stringify(wf));
		return file;
	});
	await world.harness.importWorkflows(files);
}, 900_000);

afterAll(async () => {
	await world?.close();
});

/** Which sink nodes ran, and the items the node under test put on each of its outputs. */
async function run(id: string): Promise<{ ran: string[]; outputs: Record<string, unknown>[][] }> {
	const result = (await world.harness.execute(id)) as Run;
	const runData = result.data.resultData.runData;
	const main = runData['Under Test'][0].data.main;
	return { ran: Object.keys(runData).filter((n) => n.startsWith('On ')).sort(), outputs: main.map((items) => (items ?? []).map((i) => i.json)) };
}

describe('errors in a real n8n', () => {
	test('Judge, Continue (regular output): a judgement that failed leaves on Reject with its error, never on Pass', async () => {
		const { ran, outputs } = await run('biErrJudgeRegular1');
		expect(outputs[0]).toEqual([]);
		expect(outputs[1]).toEqual([]);
		expect(outputs[2]).toHaveLength(1);
		expect(outputs[2][0].error).toEqual(expect.stringContaining(missingScript));
		expect(outputs[2][0].route).toBeUndefined();
		expect(ran).toEqual(['On Reject']);
	});

	test("Judge, Continue (using error output): the failed item leaves on n8n's error output", async () => {
		const { ran, outputs } = await run('biErrJudgeErrorOut');
		expect(outputs.slice(0, 3)).toEqual([[], [], []]);
		expect(outputs[3]).toHaveLength(1);
		expect(outputs[3][0].error).toEqual(expect.stringContaining(missingScript));
		expect(ran).toEqual(['On Error']);
	});

	test('an unknown operation fails with a message naming it (not a TypeError), or leaves on Reject under Continue', async () => {
		await expect(run('biErrJudgeBogusOp1')).rejects.toThrow(/The operation "bogus" is not supported/);
		const { ran, outputs } = await run('biErrJudgeBogusCof');
		expect(outputs[2].map((o) => o.error)).toEqual(['The operation "bogus" is not supported']);
		expect(ran).toEqual(['On Reject']);
	});

	test('Approval Decide, Continue (regular output): a failure leaves on Refused, never on Approved', async () => {
		const { ran, outputs } = await run('biErrApprovalRegul');
		expect(outputs[0]).toEqual([]);
		expect(outputs[1]).toEqual([]);
		expect(outputs[2]).toHaveLength(1);
		expect(typeof outputs[2][0].error).toBe('string');
		expect(ran).toEqual(['On Refused']);
	});

	test("Approval Decide, Continue (using error output): the failure leaves on n8n's error output", async () => {
		const { ran, outputs } = await run('biErrApprovalError');
		expect(outputs.slice(0, 3)).toEqual([[], [], []]);
		expect(outputs[3]).toHaveLength(1);
		expect(ran).toEqual(['On Error']);
	});
});
