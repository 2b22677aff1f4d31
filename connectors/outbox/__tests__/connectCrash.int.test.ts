// kill -9 of the Connect worker while writers keep committing outbox rows: after `up` restarts it,
// every event arrives at least once, a duplicate is the same record again (at-least-once), and the
// chat read models projected from the topic, duplicates and all, equal those of the events once each.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { createCassandraClient, createKafka, createPgPool } from '../../../core/clients.ts';
import { compareTables, formatDifference } from '../../../processors/cassandra/reconcile.ts';
import { TableModel } from '../../../projections/cassandra/tableModel.ts';
import { createTestKeyspace, projectTopic } from '../../../test-helpers/projector.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { consumeUntil, type ConsumedRecord } from '../../../test-helpers/kafka.ts';
import { servicePid, stackCli } from '../../../test-helpers/stack.ts';
import { appendToOutbox, toOutboxRecords, type OutboxRecord } from '../outbox.ts';

const EVENTS = 3_000;
const PER_TRANSACTION = 5;
const TRANSACTIONS_PER_SECOND = 75; // 600 transactions over ~8 s: before, during and after the outage

const admin = createKafka(config.clients, 'outbox-crash-test').admin();
const pool = createPgPool(config.clients);
let producer: EventProducer;

before(async () => {
  await admin.connect();
  producer = await createEventProducer(config.clients, { clientId: 'outbox-crash-test' });
});
after(async () => {
  // Whatever happened, leave the stack's worker running for the tests after this one.
  if ((await servicePid('connect')) === undefined) await stackCli('up', 'connect');
  await producer.close();
  await admin.disconnect();
  await pool.end();
});

async function appendPaced(records: OutboxRecord[]): Promise<void> {
  const client = await pool.connect();
  const started = Date.now();
  try {
    for (let i = 0; i * PER_TRANSACTION < records.length; i++) {
      const due = started + (i * 1000) / TRANSACTIONS_PER_SECOND;
      if (due > Date.now()) await sleep(due - Date.now());
      await client.query('BEGIN');
      await appendToOutbox(client, records.slice(i * PER_TRANSACTION, (i + 1) * PER_TRANSACTION));
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
}

const gone = async (pid: number) => {
  try {
    return (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
};

const sameRecord = (a: ConsumedRecord, b: ConsumedRecord) =>
  a.value.equals(b.value) &&
  a.key === b.key &&
  a.partition === b.partition &&
  JSON.stringify(a.headers) === JSON.stringify(b.headers);

test(
  'every event committed around a kill -9 of the worker arrives; duplicates are identical',
  { timeout: 300_000 },
  async (t) => {
    const topic = uniqueName('outbox-crash');
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
    // One millisecond per event: a duplicate then never ties with a later event of its chat (a tie
    // is broken by log position, which a redelivery changes; see README, "write timestamps").
    let now = Date.now();
    const workload = new ChatWorkload(new Random(21), () => now++);
    const events = Array.from({ length: EVENTS }, () => workload.next());
    const records = await toOutboxRecords(producer, events, { topic });
    const pid = await servicePid('connect');
    assert.ok(pid, 'the stack runs a Connect worker');

    const writing = appendPaced(records);
    await sleep(1_500);
    process.kill(pid, 'SIGKILL');
    await eventually(() => gone(pid), 10_000, 'the killed worker to be gone');
    const killedAt = Date.now();
    const restart = await stackCli('up', 'connect');
    assert.equal(restart.code, 0, `npm run stack -- up connect: ${restart.stderr}`);
    t.diagnostic(`worker restarted and connector RUNNING ${Date.now() - killedAt} ms after the kill`);
    await writing;

    const ids = new Set(records.map((r) => r.eventId));
    const seen = new Set<string>();
    const consumed = await consumeUntil(
      topic,
      new Map(Array.from({ length: 6 }, (_, p) => [p, 0n] as const)),
      {
        done: (all) => {
          seen.add(all.at(-1)!.headers.id!);
          return seen.size >= ids.size;
        },
        progress: () => `${seen.size} of ${ids.size} event ids`,
      },
      120_000,
    );
    assert.deepEqual(
      [...ids].filter((id) => !seen.has(id)),
      [],
      'every event id arrived',
    );
    const first = new Map<string, ConsumedRecord>();
    let duplicates = 0;
    for (const record of consumed) {
      const earlier = first.get(record.headers.id!);
      if (!earlier) first.set(record.headers.id!, record);
      else {
        duplicates++;
        assert.ok(sameRecord(earlier, record), `duplicate of ${record.headers.id} is the same record`);
      }
    }
    assert.equal(first.size, EVENTS, 'no id that was not written');
    t.diagnostic(`${consumed.length} records for ${EVENTS} events (${duplicates} duplicates)`);

    // Projections stay identical: the topic as delivered, against the events applied once each.
    const keyspace = await createTestKeyspace();
    const cassandra = createCassandraClient(config.clients);
    try {
      await projectTopic(cassandra, topic, keyspace);
      const once = new TableModel();
      events.forEach(({ name, event }, i) => once.project(name, event, { offset: String(i) }));
      const { differences } = await compareTables(cassandra, keyspace, once);
      assert.deepEqual(
        differences.map(formatDifference),
        [],
        'the read models match the events applied once',
      );
    } finally {
      await cassandra.shutdown();
    }
    await admin.deleteTopics({ topics: [topic] });
  },
);
