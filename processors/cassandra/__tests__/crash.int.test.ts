// Crash safety: kill -9 the projector mid-stream, restart it, and the read models still match the
// log exactly (redelivered records are harmless because every write is idempotent).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCassandraClient } from '../../../core/clients.ts';
import { repoRoot } from '../../../ops/stack/paths.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { reconcileCassandra } from '../../../projections/cassandra/reconcile.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import {
  caughtUp,
  createChatTopic,
  createTestKeyspace,
  eventually,
  testSerde,
} from '../../../test-helpers/projector.ts';

const client = createCassandraClient(config.clients);
after(() => client.shutdown());

function startProjector(topic: string, keyspace: string, groupId: string): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'projectorProcess.fixture.ts'), topic, keyspace, groupId],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

test('kill -9 mid-stream, restart: reconcile finds no difference', { timeout: 240_000 }, async () => {
  const topic = await createChatTopic(3);
  const keyspace = await createTestKeyspace();
  const groupId = uniqueName('crash-test');
  const producer = await createEventProducer(config.clients);
  const workload = new ChatWorkload(new Random(21));
  await producer.publishMany(
    Array.from({ length: 20_000 }, () => workload.next()),
    { topic },
  );
  await producer.close();

  const rows = async () =>
    Number((await client.execute(`SELECT count(*) FROM ${keyspace}.messages_by_chat`)).first().get(0));
  const first = startProjector(topic, keyspace, groupId);
  await eventually(async () => (await rows()) > 500, 60_000, 'projection under way');
  first.kill('SIGKILL');
  await exited(first);
  assert.equal(await caughtUp(groupId, topic), false, 'killed before it finished');

  const second = startProjector(topic, keyspace, groupId);
  await eventually(() => caughtUp(groupId, topic), 120_000, 'restarted projector caught up');
  second.kill('SIGTERM');
  assert.equal(await exited(second), 0, 'a graceful stop exits 0');

  const report = await reconcileCassandra(config.clients, client, testSerde(), topic, keyspace);
  assert.ok(report.eventsRead >= 18_000 && report.expectedRows > 10_000);
  assert.deepEqual({ missing: report.missing, extra: report.extra }, { missing: [], extra: [] });
});
