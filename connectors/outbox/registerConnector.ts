// Registering a connector with Kafka Connect's REST API, idempotently, and waiting until it runs.
// An unchanged config is not PUT again: a PUT restarts the connector and its tasks.
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConnectorState {
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: ConnectorState;
  tasks: Array<ConnectorState & { id: number }>;
}

export class ConnectorError extends Error {
  override name = 'ConnectorError';
}

export interface RegisterOptions {
  /** Bound on the whole registration: PUT (retried while the worker rebalances) and the wait. */
  timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

async function request(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const connectorUrl = (connectUrl: string, name: string) =>
  `${connectUrl}/connectors/${encodeURIComponent(name)}`;

/** The connector's status, or undefined if Connect does not know it. */
export async function connectorStatus(
  connectUrl: string,
  name: string,
): Promise<ConnectorStatus | undefined> {
  const { status, body } = await request('GET', `${connectorUrl(connectUrl, name)}/status`);
  if (status === 404) return undefined;
  if (status !== 200)
    throw new ConnectorError(`GET status of ${name} answered ${status}: ${JSON.stringify(body)}`);
  return body as ConnectorStatus;
}

async function currentConfig(connectUrl: string, name: string): Promise<Record<string, string> | undefined> {
  const { status, body } = await request('GET', `${connectorUrl(connectUrl, name)}/config`);
  if (status === 404) return undefined;
  if (status !== 200)
    throw new ConnectorError(`GET config of ${name} answered ${status}: ${JSON.stringify(body)}`);
  return body as Record<string, string>;
}

const sameConfig = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Creates or updates the connector (PUT only when its config differs); returns what it did. */
async function putConfig(
  connectUrl: string,
  name: string,
  config: Record<string, string>,
  deadline: number,
): Promise<'created' | 'updated' | 'unchanged'> {
  const desired = { ...config, name };
  for (;;) {
    const current = await currentConfig(connectUrl, name);
    if (current && sameConfig(current, desired)) return 'unchanged';
    const { status, body } = await request('PUT', `${connectorUrl(connectUrl, name)}/config`, desired);
    if (status === 200 || status === 201) return current ? 'updated' : 'created';
    // 409: the worker is rebalancing or has not joined its group yet; anything else is our mistake.
    if (status !== 409 || Date.now() > deadline)
      throw new ConnectorError(`PUT config of ${name} answered ${status}: ${JSON.stringify(body)}`);
    await sleep(500);
  }
}

const failed = (s: ConnectorStatus) => [s.connector, ...s.tasks].filter((t) => t.state === 'FAILED');
const running = (s: ConnectorStatus) =>
  s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');

/**
 * Waits until the connector and every task are RUNNING. A failed one is restarted once (its cause
 * may have been passing: PostgreSQL restarting); failing again, it throws with the trace.
 */
export async function waitUntilRunning(connectUrl: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let restarted = false;
  let last = 'no status yet';
  while (Date.now() < deadline) {
    const status = await connectorStatus(connectUrl, name);
    if (status) {
      if (running(status)) return;
      const failures = failed(status);
      if (failures.length > 0) {
        const traces = failures.map((f) => f.trace ?? f.state).join('\n');
        if (restarted) throw new ConnectorError(`connector ${name} failed:\n${traces}`);
        await request('POST', `${connectorUrl(connectUrl, name)}/restart?includeTasks=true&onlyFailed=true`);
        restarted = true;
      }
      last = `connector ${status.connector.state}, tasks ${status.tasks.map((t) => t.state).join(',') || 'none'}`;
    }
    await sleep(250);
  }
  throw new ConnectorError(`connector ${name} not RUNNING within ${timeoutMs} ms (${last})`);
}

/** Registers the connector idempotently and waits, bounded, until it and its tasks run. */
export async function registerConnector(
  connectUrl: string,
  name: string,
  config: Record<string, string>,
  { timeoutMs = 60_000 }: RegisterOptions = {},
): Promise<'created' | 'updated' | 'unchanged'> {
  const deadline = Date.now() + timeoutMs;
  const outcome = await putConfig(connectUrl, name, config, deadline);
  await waitUntilRunning(connectUrl, name, Math.max(1_000, deadline - Date.now()));
  return outcome;
}
