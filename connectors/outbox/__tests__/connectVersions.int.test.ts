// The running worker and the Debezium plugin agree on Kafka Connect's API: Connect loads some of
// its own classes (converters) from the plugin's folder first, so a plugin built for another
// connect-api than the worker's would mix two versions of one API in one task.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { config } from '../../../test-helpers/config.ts';
import { servicePid } from '../../../test-helpers/stack.ts';

const getJson = async (path: string): Promise<unknown> => {
  const response = await fetch(`${config.clients.connectUrl}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200, `GET ${path}`);
  return response.json();
};

/** What the worker process really runs: its classpath folder and its plugin.path. */
async function workerLayout(): Promise<{ libs: string; pluginPath: string }> {
  const pid = await servicePid('connect');
  assert.ok(pid, 'the stack runs a Connect worker');
  const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  const classpath = args[args.indexOf('-cp') + 1]!;
  const properties = await readFile(args.at(-1)!, 'utf8');
  const pluginPath = /^plugin\.path=(.+)$/m.exec(properties)?.[1];
  assert.ok(pluginPath, 'worker.properties sets plugin.path');
  return { libs: dirname(classpath), pluginPath };
}

async function connectApiVersions(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.flatMap((entry) => /(?:^|\/)connect-api-([\d.]+)\.jar$/.exec(entry)?.[1] ?? []);
}

test('the worker is Kafka Connect 4.3 and lists Debezium’s PostgreSQL connector 3.6.1', async () => {
  const root = (await getJson('/')) as { version: string };
  assert.match(root.version, /^4\.3\.\d+$/);
  const plugins = (await getJson('/connector-plugins')) as Array<{ class: string; version: string }>;
  assert.deepEqual(
    plugins.find((p) => p.class === 'io.debezium.connector.postgresql.PostgresConnector'),
    { class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source', version: '3.6.1.Final' },
  );
});

test('the plugin’s bundled connect-api is the worker’s own version', async () => {
  const { version } = (await getJson('/')) as { version: string };
  const { libs, pluginPath } = await workerLayout();
  assert.deepEqual(await connectApiVersions(libs), [version], 'the worker’s connect-api');
  assert.deepEqual(await connectApiVersions(pluginPath), [version], 'the plugin’s connect-api');
});
