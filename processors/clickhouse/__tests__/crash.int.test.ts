// kill -9 the ClickHouse projector mid-batch, restart it: no event is lost or counted twice, in the
// tables or in the views (reconcile: tables = the topic's events, views = direct aggregates).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { eventually, exited, within } from '../../../test-helpers/bounded.ts';
import { createTestDatabase, type TestDatabase } from '../../../test-helpers/clickhouse.ts';
import { config, repoRoot, uniqueName } from '../../../test-helpers/config.ts';
import { caughtUp, createChatTopic, testSerde, waitForCatchUp } from '../../../test-helpers/projector.ts';
import { formatClickHouseDifference, reconcileClickHouse } from '../reconcile.ts';

let database: TestDatabase;
before(async () => (database = await createTestDatabase()));
after(() => database.drop());

function startProjector(topic: string, groupId: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'projectorProcess.fixture.ts'),
      database.name,
      groupId,
      '300',
      topic,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

test(
  'kill -9 mid-batch, restart: every table and view counts each event exactly once',
  { timeout: 600_000 },
  async () => {
    const topic = await within('creating the topic', 30_000, createChatTopic(3));
    const groupId = uniqueName('ch-crash');
    const published = 20_000;
    const workload = new ChatWorkload(new Random(41));
    await within(
      `publishing ${published} events`,
      120_000,
      (async () => {
        const producer = await createEventProducer(config.clients);
        await producer.publishMany(
          Array.from({ length: published }, () => workload.next()),
          { topic },
        );
        await producer.close();
      })(),
    );

    const events = async () =>
      Number((await database.engine.rows<{ n: string }>('SELECT count() AS n FROM events'))[0]!.n);
    const first = startProjector(topic, groupId);
    try {
      await eventually(async () => (await events()) > 1_000, 120_000, 'the first projector inserting rows');
    } finally {
      first.kill('SIGKILL');
    }
    await exited(first, 30_000, 'the killed projector to exit');
    assert.equal(await caughtUp(groupId, topic), false, 'killed before it finished');

    const second = startProjector(topic, groupId);
    try {
      await waitForCatchUp(groupId, topic, 300_000);
    } finally {
      second.kill('SIGTERM');
    }
    assert.equal(await exited(second, 60_000, 'the restarted projector to stop on SIGTERM'), 0);

    const report = await within(
      'reconcile',
      180_000,
      reconcileClickHouse(config.clients, testSerde(), database.engine, [topic]),
    );
    assert.deepEqual(report.differences.map(formatClickHouseDifference), []);
    assert.equal(report.eventsRead, published);
    assert.equal(report.actualRows.events, published);
    assert.ok(report.viewsChecked >= 4);
  },
);
