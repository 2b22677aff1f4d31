// A Cassandra outage: the projector pauses fetching and retries, then catches up, losing nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createCassandraClient } from '../../../core/clients.ts';
import { repoRoot } from '../../../ops/stack/paths.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { reconcileCassandra } from '../../../projections/cassandra/reconcile.ts';
import { config } from '../../../test-helpers/config.ts';
import {
  caughtUp,
  createChatTopic,
  createTestKeyspace,
  eventually,
  projectorRuntime,
  testSerde,
} from '../../../test-helpers/projector.ts';

const stack = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'ops/cli/stack.ts', ...args], { cwd: repoRoot });
const client = createCassandraClient(config.clients);
after(async () => {
  try {
    await stack('up', 'cassandra'); // whatever happened, leave the stack whole
  } finally {
    await client.shutdown();
  }
});

async function metric(
  runtime: ReturnType<typeof projectorRuntime>,
  name: string,
  labels: Record<string, string> = {},
) {
  const found = (await runtime.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

test(
  'Cassandra stopped: the projector pauses and retries, then catches up with nothing lost',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(3);
    const keyspace = await createTestKeyspace();
    const producer = await createEventProducer(config.clients);
    const workload = new ChatWorkload(new Random(33));
    const runtime = projectorRuntime(client, topic, keyspace);
    await runtime.start();
    try {
      await producer.publishMany(
        Array.from({ length: 500 }, () => workload.next()),
        { topic },
      );
      await eventually(() => caughtUp(runtime.groupId, topic), 60_000, 'caught up before the outage');

      await stack('down', 'cassandra');
      await producer.publishMany(
        Array.from({ length: 1_000 }, () => workload.next()),
        { topic },
      );
      await eventually(
        async () => (await metric(runtime, 'parley_processor_paused')) === 1,
        60_000,
        'fetching paused',
      );
      assert.ok((await metric(runtime, 'parley_processor_attempts_failed_total', { kind: 'transient' })) > 0);
      assert.equal(
        await metric(runtime, 'parley_processor_records_dead_lettered_total'),
        0,
        'nothing dead-lettered for an outage',
      );
      assert.equal(await caughtUp(runtime.groupId, topic), false, 'nothing committed while the sink is down');

      await stack('up', 'cassandra');
      await eventually(() => caughtUp(runtime.groupId, topic), 120_000, 'caught up after the outage');
      assert.equal(await metric(runtime, 'parley_processor_paused'), 0, 'fetching resumed');
    } finally {
      await runtime.stop();
      await producer.close();
    }
    const report = await reconcileCassandra(config.clients, client, testSerde(), topic, keyspace);
    assert.deepEqual({ missing: report.missing, extra: report.extra }, { missing: [], extra: [] });
    assert.ok(report.eventsRead >= 1_400);
  },
);
