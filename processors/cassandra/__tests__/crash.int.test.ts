// Crash safety: kill -9 the projector mid-stream, restart it, and the read models still match the
// log exactly (redelivered records are harmless because every write is idempotent). Every wait has
// its own bound naming what it waited for (test-helpers/bounded.ts).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCassandraClient } from '../../../core/clients.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { eventually, exited, within } from '../../../test-helpers/bounded.ts';
import { config, repoRoot, uniqueName } from '../../../test-helpers/config.ts';
import {
  caughtUp,
  createChatTopic,
  createTestKeyspace,
  testSerde,
  waitForCatchUp,
} from '../../../test-helpers/projector.ts';
import { formatDifference, reconcileCassandra } from '../reconcile.ts';

const client = createCassandraClient(config.clients);
after(() => client.shutdown());

function startProjector(topic: string, keyspace: string, groupId: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'projectorProcess.fixture.ts'), topic, keyspace, groupId],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

test('kill -9 mid-stream, restart: reconcile finds no difference', { timeout: 600_000 }, async () => {
  const topic = await within('creating the topic', 30_000, createChatTopic(3));
  const keyspace = await within('creating the keyspace', 60_000, createTestKeyspace());
  const groupId = uniqueName('crash-test');
  const workload = new ChatWorkload(new Random(21));
  await within(
    'publishing 20,000 events',
    120_000,
    (async () => {
      const producer = await createEventProducer(config.clients);
      await producer.publishMany(
        Array.from({ length: 20_000 }, () => workload.next()),
        { topic },
      );
      await producer.close();
    })(),
  );

  const rows = async () =>
    Number((await client.execute(`SELECT count(*) FROM ${keyspace}.messages_by_chat`)).first().get(0));
  const first = startProjector(topic, keyspace, groupId);
  try {
    await eventually(async () => (await rows()) > 500, 120_000, 'the first projector writing rows');
  } finally {
    first.kill('SIGKILL');
  }
  await exited(first, 30_000, 'the killed projector to exit');
  assert.equal(await caughtUp(groupId, topic), false, 'killed before it finished');

  const second = startProjector(topic, keyspace, groupId);
  try {
    await waitForCatchUp(groupId, topic, 240_000);
  } finally {
    second.kill('SIGTERM');
  }
  assert.equal(
    await exited(second, 60_000, 'the restarted projector to stop on SIGTERM'),
    0,
    'a graceful stop exits 0',
  );

  const report = await within(
    'reconcile',
    120_000,
    reconcileCassandra(config.clients, client, testSerde(), topic, keyspace),
  );
  assert.ok(report.eventsRead >= 18_000 && report.expectedRows > 10_000);
  assert.deepEqual(report.differences.map(formatDifference), []);
});
