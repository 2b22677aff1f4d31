// Reconcile ClickHouse against the log: every table holds exactly the rows the topics' events make
// (projections/clickhouse/rows.ts), once each, with the values the events say; and every
// materialised view equals the same aggregate computed directly from its base tables. Rows of
// records produced after the snapshot's end offsets are ignored, so it can run beside a live
// projector (which must have caught up to the snapshot for a clean report).
// Like the Cassandra reconcile, it holds the expected rows in memory: right for tests, drills and
// a development stack; a production-sized check would go one partition at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientConfig } from '../../core/config.ts';
import { readTopicSnapshotRecords } from '../../core/kafkaProgress.ts';
import {
  ANALYTICS_TABLES,
  analyticsRows,
  tombstoneRows,
  type AnalyticsRows,
  type AnalyticsTable,
} from '../../projections/clickhouse/rows.ts';
import type { SqlEngine } from '../../projections/clickhouse/sqlEngine.ts';
import { sameFigures, viewChecks } from '../../projections/clickhouse/viewChecks.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import type { AnalyticsRow } from './pendingBatch.ts';

export interface ClickHouseDifference {
  /** A table, or a view. */
  relation: string;
  kind: 'missing row' | 'duplicate row' | 'extra row' | 'wrong value' | 'view differs';
  eventId?: string;
  column?: string;
  expected?: unknown;
  actual?: unknown;
}

export interface ClickHouseReconcileReport {
  eventsRead: number;
  /** Undecodable records: the projector dead-letters them, so they have no rows. */
  deadLettered: number;
  expectedRows: Record<AnalyticsTable, number>;
  actualRows: Record<AnalyticsTable, number>;
  viewsChecked: number;
  differences: ClickHouseDifference[];
}

const VIEW_RECHECK_MS = 2_000;

export type ActualRow = Record<string, unknown> & {
  event_id: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
};

const emptyCounts = (): Record<AnalyticsTable, number> => ({
  events: 0,
  answers: 0,
  inference_runs: 0,
  ratings: 0,
  feedback: 0,
});

/** Both engines' JSON: 64-bit integers may come quoted; compare the text of scalars, arrays as JSON. */
const comparable = (value: unknown): string =>
  Array.isArray(value) ? JSON.stringify(value.map(String)) : String(value);

function compareRow(
  table: AnalyticsTable,
  expected: AnalyticsRow,
  actual: ActualRow,
  differences: ClickHouseDifference[],
): void {
  for (const [column, value] of Object.entries(expected)) {
    if (comparable(value) !== comparable(actual[column]))
      differences.push({
        relation: table,
        kind: 'wrong value',
        eventId: expected.event_id,
        column,
        expected: value,
        actual: actual[column],
      });
  }
}

/**
 * Tables that keep the latest row of a key (ReplacingMergeTree by kafka_offset: migrations 001 and
 * 004). A background merge drops a row once a later row of its key is in, and compaction of the
 * feedback topic drops a record once a later one of its key is on the topic, or, for a tombstone,
 * after delete.retention.ms. So a superseded row may be missing, or present without its record.
 */
export const LATEST_ROW_KEY: Partial<Record<AnalyticsTable, 'message_id'>> = {
  ratings: 'message_id',
  feedback: 'message_id',
};

/** One table's rows against the rows its events make (`wanted`, by event id). Pure. */
export function compareTable(
  table: AnalyticsTable,
  wanted: ReadonlyMap<string, AnalyticsRow>,
  actual: readonly ActualRow[],
): ClickHouseDifference[] {
  const differences: ClickHouseDifference[] = [];
  const keyColumn = LATEST_ROW_KEY[table];
  /** Per key, the highest offset ClickHouse holds (latest-row tables only). */
  const latest = new Map<string, bigint>();
  if (keyColumn)
    for (const row of actual) {
      const key = String(row[keyColumn]);
      if (BigInt(row.kafka_offset) > (latest.get(key) ?? -1n)) latest.set(key, BigInt(row.kafka_offset));
    }
  const superseded = (row: object) => {
    if (!keyColumn) return false;
    const fields = row as Record<string, unknown>;
    return (latest.get(String(fields[keyColumn])) ?? -1n) > BigInt(String(fields.kafka_offset));
  };
  const seen = new Set<string>();
  for (const row of actual) {
    const want = wanted.get(row.event_id);
    if (!want) {
      // A record compacted off the topic: a superseded row, or a tombstone past its retention.
      if (!(superseded(row) || (keyColumn && Number(row.deleted) === 1)))
        differences.push({ relation: table, kind: 'extra row', eventId: row.event_id });
    } else if (seen.has(row.event_id))
      differences.push({ relation: table, kind: 'duplicate row', eventId: row.event_id });
    else compareRow(table, want, row, differences);
    seen.add(row.event_id);
  }
  for (const [eventId, want] of wanted)
    if (!seen.has(eventId) && !superseded(want))
      differences.push({ relation: table, kind: 'missing row', eventId });
  return differences;
}

export async function reconcileClickHouse(
  config: ClientConfig,
  serde: EventSerde,
  engine: SqlEngine,
  topics: readonly string[],
): Promise<ClickHouseReconcileReport> {
  const expected = new Map<AnalyticsTable, Map<string, AnalyticsRow>>(
    ANALYTICS_TABLES.map((t) => [t, new Map()]),
  );
  /** Per topic, the first offset of each partition not in the snapshot. */
  const ends = new Map<string, Map<number, bigint>>();
  let eventsRead = 0;
  let deadLettered = 0;
  for (const topic of topics) {
    const end = new Map<number, bigint>();
    ends.set(topic, end);
    eventsRead += await readTopicSnapshotRecords(
      config,
      topic,
      async ({ partition, offset, key, value, timestamp }) => {
        if (BigInt(offset) + 1n > (end.get(partition) ?? 0n)) end.set(partition, BigInt(offset) + 1n);
        const at = { topic, partition, offset };
        let rows: AnalyticsRows;
        if (value === null) rows = tombstoneRows(key?.toString() ?? '', timestamp, at);
        else {
          let decoded;
          try {
            decoded = await serde.decode(value);
          } catch {
            deadLettered++;
            return;
          }
          rows = analyticsRows(decoded.name, decoded.event, at, value.length);
        }
        // An event sent twice (the outbox is at-least-once) is expected once, at its first offset:
        // the projector skips the later copy (processors/clickhouse/recentEventIds.ts).
        for (const table of ANALYTICS_TABLES) {
          const row = rows[table];
          const wanted = expected.get(table)!;
          if (row && !wanted.has(row.event_id)) wanted.set(row.event_id, row);
        }
      },
    );
  }

  const differences: ClickHouseDifference[] = [];
  const expectedRows = emptyCounts();
  const actualRows = emptyCounts();
  const inSnapshot = (row: ActualRow) => {
    const end = ends.get(String(row.kafka_topic))?.get(Number(row.kafka_partition));
    return end !== undefined && BigInt(row.kafka_offset) < end;
  };
  const topicList = topics.map((t) => `'${t.replace(/[^a-zA-Z0-9._-]/g, '')}'`).join(', ');
  for (const table of ANALYTICS_TABLES) {
    const wanted = expected.get(table)!;
    expectedRows[table] = wanted.size;
    const actual = (
      await engine.rows<ActualRow>(`SELECT * FROM ${table} WHERE kafka_topic IN (${topicList})`)
    ).filter(inSnapshot);
    actualRows[table] = actual.length;
    differences.push(...compareTable(table, wanted, actual));
  }

  for (const check of viewChecks) {
    const compare = async () => {
      const [fromView, direct] = [
        await engine.rows<Record<string, unknown>>(check.viewSql),
        await engine.rows<Record<string, unknown>>(check.directSql),
      ];
      return { fromView, direct, same: sameFigures(check, fromView, direct) };
    };
    // Beside a live projector an insert can land between the two queries: a difference is looked at twice.
    let result = await compare();
    if (!result.same) result = await sleep(VIEW_RECHECK_MS).then(compare);
    if (!result.same)
      differences.push({
        relation: check.view,
        kind: 'view differs',
        expected: result.direct,
        actual: result.fromView,
      });
  }
  return { eventsRead, deadLettered, expectedRows, actualRows, viewsChecked: viewChecks.length, differences };
}

/** One line per difference, for logs and the CLI. */
export function formatClickHouseDifference(d: ClickHouseDifference): string {
  const what = d.eventId ? ` (event ${d.eventId})` : '';
  const column = d.column ? `.${d.column}` : '';
  const values =
    d.kind === 'wrong value' || d.kind === 'view differs'
      ? `: expected ${JSON.stringify(d.expected)?.slice(0, 300)}, found ${JSON.stringify(d.actual)?.slice(0, 300)}`
      : '';
  return `${d.kind} ${d.relation}${column}${what}${values}`;
}
