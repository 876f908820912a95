/**
 * What the n8n editor (2.41) sends to its server, for e2e tests that act as a person in the UI:
 * the same REST endpoints under /rest, the `n8n-auth` cookie and the `browser-id` header the
 * cookie is bound to (n8n hashes the browser id into the JWT and refuses a request without it).
 * Read in n8n 2.41.1's dist and its editor bundle (n8n-editor-ui 2.41.0):
 * - owner setup: POST /rest/owner/setup {email, firstName, lastName, password}, which also signs
 *   the new owner in (sets the cookie), as the setup page does;
 * - credentials: POST /rest/credentials {name, type, data}; the Test button: POST
 *   /rest/credentials/test {credentials: {id, name, type, data}};
 * - a new workflow: POST /rest/workflows; saving: PATCH /rest/workflows/:id with the versionId and
 *   checksum it was read with; Publish: POST /rest/workflows/:id/activate {versionId,
 *   expectedChecksum}, then GET /rest/workflows/:id/publication-status until it settles;
 * - Execute workflow: POST /rest/workflows/:id/run {triggerToStartFrom: {name}} (the server runs
 *   the saved workflow), then the execution as GET /rest/executions/:id, whose `data` is
 *   serialised with `flatted`;
 * - node descriptions: GET /types/nodes.json.
 * Every answer is `{ data }`; an error answer has `message`, which the thrown error carries.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface EditorNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string | null; name: string }>;
	disabled?: boolean;
}

export interface EditorWorkflow {
	id: string;
	name: string;
	nodes: EditorNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	versionId: string;
	checksum: string;
	active: boolean;
	activeVersionId: string | null;
}

export interface Credential {
	id: string;
	name: string;
	type: string;
}

export interface Execution {
	id: string;
	status: string;
	finished: boolean;
	/** The run data (`flatted`-parsed): `resultData.runData[node][run].data.main[output][item].json`. */
	data: { resultData: { runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>; error?: { message: string; node?: { name: string } } } };
}

export interface PublicationStatus {
	status: 'not_published' | 'in_progress' | 'published' | 'partial' | 'failed';
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

/** An n8n REST error: the HTTP status and n8n's message. */
export class EditorRequestError extends Error {
	constructor(
		readonly status: number,
		readonly what: string,
		readonly serverMessage: string,
	) {
		super(`${what} answered ${status}: ${serverMessage}`);
	}
}

const SETTLED = ['success', 'error', 'crashed', 'canceled'];

export class EditorSession {
	private cookie = '';

	/** The browser's id, as the editor keeps it in localStorage and sends on every request. */
	private readonly browserId = randomUUID();

	/** `runtimeDir`: the n8n runtime folder; its `flatted` reads the execution data as the editor does. */
	constructor(
		readonly baseUrl: string,
		private readonly runtimeDir: string,
	) {}

	/** The owner account on a fresh n8n (the setup page): signed in afterwards. */
	async setupOwner(owner: { email: string; firstName: string; lastName: string; password: string }): Promise<{ id: string; email: string }> {
		return this.rest('POST', '/owner/setup', owner);
	}

	async rest<T>(method: string, path: string, body?: unknown): Promise<T> {
		return this.request<T>(method, `/rest${path}`, body);
	}

	/** The node descriptions the editor draws and checks nodes with. */
	async nodeTypes(): Promise<NodeTypeDescription[]> {
		const res = await this.send('GET', '/types/nodes.json');
		if (res.status !== 200) throw new EditorRequestError(res.status, 'GET /types/nodes.json', await res.text());
		return (await res.json()) as NodeTypeDescription[];
	}

	async createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<Credential> {
		return this.rest('POST', '/credentials', credential);
	}

	/** The credential's Test button: `{ status: 'OK' | 'Error', message }`. */
	async testCredential(credential: Credential, data: Record<string, unknown>): Promise<{ status: string; message: string }> {
		return this.rest('POST', '/credentials/test', { credentials: { id: credential.id, name: credential.name, type: credential.type, data } });
	}

	async credentials(): Promise<Credential[]> {
		return this.rest('GET', '/credentials');
	}

	async createWorkflow(workflow: { name: string; nodes: EditorNode[]; connections: Record<string, unknown> }): Promise<EditorWorkflow> {
		return this.rest('POST', '/workflows', { ...workflow, active: false, settings: { executionOrder: 'v1' }, pinData: {} });
	}

	async workflow(id: string): Promise<EditorWorkflow> {
		return this.rest('GET', `/workflows/${encodeURIComponent(id)}`);
	}

	/** Publish (n8n 1.x: Activate) the workflow's current version; resolves when n8n says it is live. */
	async publish(workflow: EditorWorkflow, { timeoutMs = 120_000 } = {}): Promise<PublicationStatus> {
		const path = `/workflows/${encodeURIComponent(workflow.id)}`;
		await this.rest('POST', `${path}/activate`, { versionId: workflow.versionId, expectedChecksum: workflow.checksum });
		const started = Date.now();
		for (;;) {
			const status = await this.rest<PublicationStatus>('GET', `${path}/publication-status`);
			if (status.status !== 'in_progress' && status.status !== 'not_published') return status;
			if (Date.now() - started > timeoutMs) throw new Error(`workflow ${workflow.id} still "${status.status}" ${timeoutMs / 1000} s after Publish`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	/** Execute workflow (from `trigger`), then the finished execution, as the editor shows it. */
	async executeWorkflow(workflowId: string, trigger: string, { timeoutMs = 120_000 } = {}): Promise<Execution> {
		const started = await this.rest<{ executionId?: string; waitingForWebhook?: boolean }>('POST', `/workflows/${encodeURIComponent(workflowId)}/run`, {
			triggerToStartFrom: { name: trigger },
		});
		if (!started.executionId) throw new Error(`Execute workflow on ${workflowId} started no execution: ${JSON.stringify(started)}`);
		const since = Date.now();
		for (;;) {
			const execution = await this.rest<{ id: string; status: string; finished: boolean; data: string }>('GET', `/executions/${started.executionId}`);
			if (SETTLED.includes(execution.status)) return { ...execution, data: this.flatted().parse(execution.data) as Execution['data'] };
			if (Date.now() - since > timeoutMs) throw new Error(`execution ${started.executionId} still "${execution.status}" after ${timeoutMs / 1000} s`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	private flatted(): { parse(text: string): unknown } {
		return createRequire(join(this.runtimeDir, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
	}

	private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.send(method, path, body);
		const text = await res.text();
		let parsed: { data?: T; message?: string } | undefined;
		try {
			parsed = JSON.parse(text) as { data?: T; message?: string };
		} catch {
			// not JSON: reported below as text
		}
		if (res.status >= 400 || !parsed || !('data' in parsed)) {
			throw new EditorRequestError(res.status, `${method} ${path}`, parsed?.message ?? text.slice(0, 500));
		}
		return parsed.data as T;
	}

	private async send(method: string, path: string, body?: unknown): Promise<Response> {
		const headers: Record<string, string> = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		return res;
	}
}

/** The parts of a node description the editor's credential checks read. */
export interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number | number[];
	defaults: { name?: string };
	properties: unknown[];
	credentials?: Array<{ name: string; required?: boolean; displayName?: string; displayOptions?: unknown }>;
}
