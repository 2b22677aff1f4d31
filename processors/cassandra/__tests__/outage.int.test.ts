// A Cassandra outage: the projector pauses fetching and retries, then catches up, losing nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createCassandraClient } from '../../../core/clients.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { formatDifference, reconcileCassandra } from '../reconcile.ts';
import { eventually, within } from '../../../test-helpers/bounded.ts';
import { config, repoRoot } from '../../../test-helpers/config.ts';
import {
  caughtUp,
  createChatTopic,
  createTestKeyspace,
  projectorRuntime,
  testSerde,
  waitForCatchUp,
} from '../../../test-helpers/projector.ts';

const stack = (...args: string[]) =>
  within(
    `npm run stack -- ${args.join(' ')}`,
    180_000,
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'ops/cli/stack.ts', ...args], {
      cwd: repoRoot,
    }),
  );
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
  { timeout: 900_000 },
  async () => {
    const topic = await createChatTopic(3);
    const keyspace = await createTestKeyspace();
    const producer = await createEventProducer(config.clients);
    const workload = new ChatWorkload(new Random(33));
    const runtime = projectorRuntime(client, topic, keyspace);
    await runtime.start();
    try {
      await within(
        'publishing 500 events',
        60_000,
        producer.publishMany(
          Array.from({ length: 500 }, () => workload.next()),
          { topic },
        ),
      );
      await waitForCatchUp(runtime.groupId, topic, 120_000);

      await stack('down', 'cassandra');
      await within(
        'publishing 1,000 events while Cassandra is down',
        60_000,
        producer.publishMany(
          Array.from({ length: 1_000 }, () => workload.next()),
          { topic },
        ),
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
      await waitForCatchUp(runtime.groupId, topic, 240_000);
      assert.equal(await metric(runtime, 'parley_processor_paused'), 0, 'fetching resumed');
    } finally {
      await within('stopping the projector', 60_000, runtime.stop());
      await within('closing the producer', 30_000, producer.close());
    }
    const report = await within(
      'reconcile',
      120_000,
      reconcileCassandra(config.clients, client, testSerde(), topic, keyspace),
    );
    assert.deepEqual(report.differences.map(formatDifference), []);
    assert.ok(report.eventsRead >= 1_400);
  },
);
