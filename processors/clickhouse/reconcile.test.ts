import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { analyticsRows, tombstoneRows, type AnalyticsTable } from '../../projections/clickhouse/rows.ts';
import type { AnalyticsRow } from './pendingBatch.ts';
import { compareTable, formatClickHouseDifference, type ActualRow } from './reconcile.ts';

const topic = 'parley.feedback';
const workload = new ChatWorkload(new Random(7));

/** The feedback row of a new record for `messageId` at `offset`. */
function recordRow(messageId: string, offset: number): AnalyticsRow {
  const { event } = workload.sample('FeedbackRecord');
  const at = { topic, partition: 0, offset: String(offset) };
  return analyticsRows('FeedbackRecord', { ...event, message_id: messageId }, at, 100).feedback!;
}

const tombstoneRow = (messageId: string, offset: number): AnalyticsRow =>
  tombstoneRows(messageId, 1_800_000_000_000, { topic, partition: 0, offset: String(offset) }).feedback!;

const byId = (rows: AnalyticsRow[]) => new Map(rows.map((row) => [row.event_id, row]));
const stored = (rows: AnalyticsRow[]) => rows.map((row) => ({ ...row }) as unknown as ActualRow);
const compare = (table: AnalyticsTable, wanted: AnalyticsRow[], actual: AnalyticsRow[]) =>
  compareTable(table, byId(wanted), stored(actual)).map(formatClickHouseDifference);

test('a latest-row table: a row merged away under a later row of its answer is not missing', () => {
  const [first, second] = [recordRow('a', 1), recordRow('a', 4)];
  assert.deepEqual(compare('feedback', [first, second], [second]), []);
  assert.deepEqual(compare('feedback', [first, second], [first, second]), [], 'before the merge');
});

test('a latest-row table: the latest row of an answer must be there, and right', () => {
  const [first, second] = [recordRow('a', 1), recordRow('a', 4)];
  assert.deepEqual(compare('feedback', [first, second], [first]), [
    `missing row feedback (event ${second.event_id})`,
  ]);
  const wrong = { ...second, comment: 'edited' };
  assert.equal(compare('feedback', [first, second], [wrong]).length, 1);
});

test('a latest-row table: rows whose records were compacted off the topic are not extra', () => {
  const [old, latest, gone] = [recordRow('a', 1), recordRow('a', 4), tombstoneRow('b', 6)];
  const oldOfB = recordRow('b', 2);
  // The topic kept a's latest record and dropped b's tombstone after its retention.
  assert.deepEqual(compare('feedback', [latest], [old, latest, oldOfB, gone]), []);
  const stray = recordRow('c', 3);
  assert.deepEqual(compare('feedback', [latest], [latest, stray]), [
    `extra row feedback (event ${stray.event_id})`,
  ]);
});

test('an append-only table keeps every row: nothing is excused there', () => {
  const [first, second] = [recordRow('a', 1), recordRow('a', 4)];
  assert.deepEqual(compare('events', [first, second], [second]), [
    `missing row events (event ${first.event_id})`,
  ]);
  assert.deepEqual(compare('events', [second], [first, second]), [
    `extra row events (event ${first.event_id})`,
  ]);
  assert.deepEqual(compare('events', [second], [second, second]), [
    `duplicate row events (event ${second.event_id})`,
  ]);
});
