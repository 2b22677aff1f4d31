import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneAtATime } from './consoleSnapshots.ts';
import { takeSnapshot, type SnapshotReaders } from './snapshot.ts';
import { consoleSnapshot } from './snapshotSchema.ts';

const now = new Date('2030-01-02T03:04:05.000Z');
const healthy: SnapshotReaders = {
  kafka: async () => ({
    topics: [{ topic: 'parley.chat', partitions: 6, end_offset: 42 }],
    deadLetters: [{ topic: 'parley.chat.dlq', source_topic: 'parley.chat', end_offset: 1 }],
    groups: [{ processor: 'inference', group_id: 'parley.inference', lag: 3, topics: [] }],
    errors: [],
  }),
  models: async () => ({ models: [], failedAnswers: { total: 0, by_code: [] } }),
  slots: async () => ({ slots: [{ model_version: 'v1', server: 'http://s', busy: 1, free: 1 }], errors: [] }),
};

test('a snapshot of healthy sources has every section and no errors', async () => {
  const snapshot = consoleSnapshot.parse(await takeSnapshot(healthy, { now }));
  assert.equal(snapshot.at, '2030-01-02T03:04:05.000Z');
  assert.equal(snapshot.topics?.[0]?.end_offset, 42);
  assert.equal(snapshot.groups?.[0]?.lag, 3);
  assert.deepEqual(snapshot.errors, []);
});

test('the ClickHouse window ends at the snapshot time', async () => {
  let asked: Date | undefined;
  await takeSnapshot(
    {
      ...healthy,
      models: async (since) => ((asked = since), healthy.models(since, new AbortController().signal)),
    },
    { now },
  );
  assert.equal(asked?.toISOString(), '2030-01-02T02:59:05.000Z');
});

test('a failed source nulls its sections and says why; a hung one is cut off and its request aborted', async () => {
  let aborted = false;
  const started = Date.now();
  const snapshot = await takeSnapshot(
    {
      ...healthy,
      kafka: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
      },
      models: (_since, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          }),
        ),
    },
    { now, timeoutMs: 100 },
  );
  assert.ok(Date.now() - started < 1_000, 'bounded');
  assert.equal(snapshot.topics, null);
  assert.equal(snapshot.dead_letters, null);
  assert.equal(snapshot.groups, null);
  assert.equal(snapshot.models, null);
  assert.equal(snapshot.failed_answers, null);
  assert.equal(snapshot.slots?.length, 1, 'the healthy source still reports');
  assert.deepEqual(snapshot.errors, [
    { source: 'kafka', message: 'connect ECONNREFUSED 127.0.0.1:9092' },
    { source: 'clickhouse', message: 'clickhouse: not done within 100 ms' },
  ]);
  assert.ok(aborted, 'the ClickHouse request is cancelled, not left running');
  consoleSnapshot.parse(snapshot);
});

test("a source's partial answer keeps what it read and names what it left out", async () => {
  const snapshot = await takeSnapshot(
    {
      ...healthy,
      kafka: async () => ({ ...(await healthy.kafka()), errors: ['parley.model.dlq: unknown topic'] }),
      slots: async () => ({ slots: [], errors: ['http://b/metrics: fetch failed: connect ECONNREFUSED'] }),
    },
    { now },
  );
  assert.equal(snapshot.topics?.length, 1);
  assert.deepEqual(snapshot.errors, [
    { source: 'kafka', message: 'parley.model.dlq: unknown topic' },
    { source: 'metrics', message: 'http://b/metrics: fetch failed: connect ECONNREFUSED' },
  ]);
});

test('a Kafka read still running after its bound keeps the next one from starting', async () => {
  let finish: () => void = () => undefined;
  let calls = 0;
  const read = oneAtATime('Kafka', () => {
    calls++;
    return new Promise<number>((resolve) => (finish = () => resolve(calls)));
  });
  const first = read();
  await assert.rejects(read(), /Kafka has not answered the previous request yet/);
  finish();
  assert.equal(await first, 1);
  const second = read();
  finish();
  assert.equal(await second, 2);
});
