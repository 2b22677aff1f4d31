// The ClickHouse projector against real Kafka, registry and ClickHouse: every event lands once in
// its tables with its values, the views equal direct aggregates (reconcile), a replay or a lost
// insert reply doubles nothing, a poison record is dead-lettered, and an outage pauses fetching
// and loses nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createEventProducer,
  createTransport,
  transportSettings,
  type EventProducer,
} from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { createClickHouse, createKafka } from '../../../core/clients.ts';
import { eventually, within } from '../../../test-helpers/bounded.ts';
import {
  createTestDatabase,
  faultyStore,
  openTestDatabase,
  startTestProjector,
  type TestDatabase,
} from '../../../test-helpers/clickhouse.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { createFeedbackTopic, publishTombstones } from '../../../test-helpers/feedback.ts';
import { consumeFrom } from '../../../test-helpers/kafka.ts';
import { createChatTopic, testSerde, waitForCatchUp } from '../../../test-helpers/projector.ts';
import { clickHouseGroupId } from '../clickhouseProjector.ts';
import { rebuildClickHouse } from '../rebuild.ts';
import { formatClickHouseDifference, reconcileClickHouse } from '../reconcile.ts';

let producer: EventProducer;
let database: TestDatabase;
before(async () => {
  producer = await createEventProducer(config.clients);
  database = await createTestDatabase();
});
after(async () => {
  await producer.close();
  await database.drop();
});

async function publishWorkload(topic: string, count: number, seed: number): Promise<void> {
  const workload = new ChatWorkload(new Random(seed));
  await within(
    `publishing ${count} events`,
    120_000,
    producer.publishMany(
      Array.from({ length: count }, () => workload.next()),
      { topic },
    ),
  );
}

async function assertReconciled(topic: string, db: TestDatabase, published: number): Promise<void> {
  const report = await within(
    'reconcile',
    120_000,
    reconcileClickHouse(config.clients, testSerde(), db.engine, [topic]),
  );
  assert.deepEqual(report.differences.map(formatClickHouseDifference), []);
  assert.equal(report.eventsRead, published);
  assert.equal(report.expectedRows.events, published - report.deadLettered);
  assert.ok(
    report.expectedRows.answers > 0 && report.expectedRows.ratings > 0,
    'the mix has answers and ratings',
  );
  assert.ok(report.viewsChecked >= 4);
}

test(
  'every event lands once, with its values; a full replay inserts nothing twice',
  { timeout: 600_000 },
  async () => {
    const topic = await createChatTopic(3);
    await publishWorkload(topic, 4_000, 31);
    const first = await startTestProjector([topic], database, { flushRows: 500 });
    try {
      await waitForCatchUp(first.groupId, topic, 180_000);
    } finally {
      await first.stop();
    }
    await assertReconciled(topic, database, 4_000);

    // A new consumer group reads everything again from offset 0: the inserted prefix skips it all.
    const replay = await startTestProjector([topic], database, { flushRows: 500 });
    try {
      await waitForCatchUp(replay.groupId, topic, 180_000);
    } finally {
      await replay.stop();
    }
    await assertReconciled(topic, database, 4_000);
  },
);

test(
  'an event sent twice (the outbox is at-least-once) is stored once, also after a restart between the copies',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(2);
    const events = Array.from(
      { length: 600 },
      (
        (workload) => () =>
          workload.next()
      )(new ChatWorkload(new Random(35))),
    );
    await producer.publishMany(events, { topic });
    await producer.publishMany(events.slice(0, 100), { topic }); // re-sent while the projector runs
    const groupId = `${topic}.projector`;
    const first = await startTestProjector([topic], database, { flushRows: 200, groupId });
    try {
      await waitForCatchUp(first.groupId, topic, 180_000);
    } finally {
      await first.stop();
    }
    // Re-sent once more while it is down: the restarted projector knows the ids from ClickHouse.
    await producer.publishMany(events.slice(100, 200), { topic });
    const second = await startTestProjector([topic], database, { flushRows: 200, groupId });
    try {
      await waitForCatchUp(second.groupId, topic, 180_000);
    } finally {
      await second.stop();
    }
    const report = await reconcileClickHouse(config.clients, testSerde(), database.engine, [topic]);
    assert.deepEqual(report.differences.map(formatClickHouseDifference), []);
    assert.equal(report.eventsRead, 800);
    assert.equal(report.expectedRows.events, 600, 'each event once');
  },
);

test(
  'an insert whose reply is lost after it landed is not inserted again',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(2);
    await publishWorkload(topic, 1_500, 32);
    const store = faultyStore(database, { loseRepliesOf: 3 });
    const projector = await startTestProjector([topic], database, { flushRows: 200, store });
    try {
      await waitForCatchUp(projector.groupId, topic, 180_000);
    } finally {
      await projector.stop();
    }
    assert.equal(store.repliesLost(), 3, 'three inserts landed and then failed for the projector');
    await assertReconciled(topic, database, 1_500);
  },
);

test(
  'ClickHouse refusing inserts pauses fetching; once it accepts, nothing is missing',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(2);
    await publishWorkload(topic, 1_000, 33);
    const store = faultyStore(database, { refuseFirst: 6 });
    const projector = await startTestProjector([topic], database, { flushRows: 250, store });
    try {
      await eventually(
        async () => (await projector.metrics.paused.get()).values[0]?.value === 1,
        60_000,
        'fetching paused while inserts fail',
      );
      await waitForCatchUp(projector.groupId, topic, 180_000);
    } finally {
      await projector.stop();
    }
    assert.equal(store.refused(), 6);
    await assertReconciled(topic, database, 1_000);
  },
);

test(
  'an undecodable record goes to the dead-letter topic with its reason; the next is projected',
  { timeout: 300_000 },
  async () => {
    const topic = await createChatTopic(1);
    const raw = createTransport('rdkafka', transportSettings(config.clients, uniqueName('poison')));
    await raw.connect();
    try {
      await raw.send([{ topic, key: 'k', value: Buffer.from('not an event'), headers: {} }]);
    } finally {
      await raw.disconnect();
    }
    await publishWorkload(topic, 50, 34);
    const projector = await startTestProjector([topic], database, { flushRows: 10 });
    try {
      await waitForCatchUp(projector.groupId, topic, 120_000);
    } finally {
      await projector.stop();
    }
    const [dead] = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 1, 60_000);
    assert.match(dead!.headers['parley-dlq-reason']!, /wire format/);
    const report = await reconcileClickHouse(config.clients, testSerde(), database.engine, [topic]);
    assert.equal(report.deadLettered, 1);
    assert.deepEqual(report.differences.map(formatClickHouseDifference), []);
    assert.equal(report.actualRows.events, 50);
  },
);

test('feedback records and their tombstones: the latest row of each answer wins, as on the compacted topic, before and after a merge', async () => {
  const topic = await createFeedbackTopic(2);
  const workload = new ChatWorkload(new Random(35));
  const records = Array.from({ length: 20 }, () => workload.sample('FeedbackRecord'));
  await producer.publishMany(records, { topic });
  const deleted = records.slice(0, 5).map((r) => r.event.message_id);
  await publishTombstones(topic, deleted);
  const projector = await startTestProjector([topic], database, { flushRows: 7 });
  try {
    await waitForCatchUp(projector.groupId, topic, 120_000);
  } finally {
    await projector.stop();
  }
  const report = await reconcileClickHouse(config.clients, testSerde(), database.engine, [topic]);
  assert.deepEqual(report.differences.map(formatClickHouseDifference), []);
  assert.deepEqual(
    [report.actualRows.feedback, report.actualRows.events],
    [25, 20],
    'tombstones are no events',
  );
  const live = await database.engine.rows<{ message_id: string }>(
    `SELECT message_id FROM (SELECT message_id, argMax(deleted, kafka_offset) AS gone FROM feedback WHERE kafka_topic = '${topic}' GROUP BY message_id) WHERE gone = 0 ORDER BY message_id`,
  );
  assert.deepEqual(
    live.map((r) => r.message_id),
    records
      .slice(5)
      .map((r) => r.event.message_id)
      .sort(),
  );
  // A merge drops the records the tombstones superseded: still no difference.
  await database.engine.exec('OPTIMIZE TABLE feedback FINAL');
  const merged = await reconcileClickHouse(config.clients, testSerde(), database.engine, [topic]);
  assert.deepEqual(merged.differences.map(formatClickHouseDifference), []);
  assert.equal(merged.actualRows.feedback, 20, 'the 5 superseded records are merged away');
});

test('rebuild: a fresh database from offset 0, and the projector pointed at it continues where the rebuild stopped', async () => {
  const topic = await createChatTopic(2);
  await publishWorkload(topic, 1_000, 36);
  const client = createClickHouse(config.clients);
  const admin = createKafka(config.clients, 'rebuild-test').admin();
  await admin.connect();
  const rebuilt = await rebuildClickHouse(config.clients, client, admin, { topics: [topic] });
  const copy = openTestDatabase(rebuilt.database);
  try {
    assert.equal(rebuilt.records, 1_000n);
    await assertReconciled(topic, copy, 1_000);
    await publishWorkload(topic, 200, 37);
    // The live projector's group is the rebuild's (named after the database): it takes the 200 only.
    const live = await startTestProjector([topic], copy, {
      flushRows: 100,
      groupId: clickHouseGroupId(copy.name),
    });
    try {
      await waitForCatchUp(live.groupId, topic, 120_000);
    } finally {
      await live.stop();
    }
    await assertReconciled(topic, copy, 1_200);
  } finally {
    await copy.drop();
    await admin.disconnect();
    await client.close();
  }
});
