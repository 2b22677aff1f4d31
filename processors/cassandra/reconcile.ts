// Reconcile: what the log says the chat read models must hold, against what they hold, table by
// table, row by row, column by column. "What the log says" is the projection's own row writes and
// list moves applied in log order to an in-memory model under Cassandra's last-write-wins rules
// (projections/cassandra/tableModel.ts), so nothing here restates what an event writes.
// The model holds every row of the topic in memory: fine for the topics tests, drills and a
// development stack hold; a production-sized check would compare one partition range at a time.
import type cassandra from 'cassandra-driver';
import type { ClientConfig } from '../../core/config.ts';
import { PoisonRecordError } from '../../core/errors.ts';
import { readTopicSnapshot } from '../../core/kafkaProgress.ts';
import { primaryKeyColumns, tables, type Table } from '../../projections/cassandra/rowWrites.ts';
import { normalise, rowId, TableModel, type ModelCell } from '../../projections/cassandra/tableModel.ts';
import type { EventSerde } from '../../schemas/serde.ts';

export interface Difference {
  table: Table;
  /** The row's primary key, `column=value` pairs. */
  key: string;
  kind: 'missing row' | 'extra row' | 'wrong value';
  column?: string;
  expected?: unknown;
  actual?: unknown;
  /** The event whose write is missing or overwritten (missing rows and wrong values). */
  eventId?: string;
}

export interface ReconcileReport {
  eventsRead: number;
  /** Records the projector dead-letters (undecodable, or rejected by the projection). */
  deadLettered: number;
  expectedRows: number;
  actualRows: number;
  differences: Difference[];
}

/** The model of every table after the topic's records, as the projector applies them. */
export async function expectedTables(
  config: ClientConfig,
  serde: EventSerde,
  topic: string,
): Promise<{ model: TableModel; eventsRead: number; deadLettered: number }> {
  const model = new TableModel();
  let deadLettered = 0;
  const eventsRead = await readTopicSnapshot(config, topic, async (value, offset) => {
    let decoded;
    try {
      decoded = await serde.decode(value);
    } catch {
      deadLettered++; // undecodable: dead-lettered by the projector, never projected
      return;
    }
    try {
      model.project(decoded.name, decoded.event, { offset });
    } catch (error) {
      if (!(error instanceof PoisonRecordError)) throw error;
      deadLettered++; // rejected by the projection: dead-lettered, never projected
    }
  });
  return { model, eventsRead, deadLettered };
}

const describeKey = (table: Table, key: Readonly<Record<string, unknown>>) =>
  primaryKeyColumns(table)
    .map((column) => `${column}=${JSON.stringify(normalise(key[column]))}`)
    .join(', ');

/**
 * A table is read in token ranges: each query then meets only its share of the table's tombstones
 * (every prompt moves its chat in chats_by_activity, leaving one), far below the count at which
 * Cassandra aborts a query (tombstone_failure_threshold, 100,000): a drill at 1× passes that in minutes.
 */
const SCAN_RANGES = 256n;
const [MIN_TOKEN, MAX_TOKEN] = [-(2n ** 63n), 2n ** 63n - 1n]; // Murmur3Partitioner's; no key has MIN_TOKEN

async function scanTable(
  client: cassandra.Client,
  keyspace: string,
  table: Table,
  onRow: (row: cassandra.types.Row) => void,
): Promise<void> {
  const partitionKey = tables[table].partitionKey.join(', ');
  const query = `SELECT * FROM ${keyspace}.${table} WHERE token(${partitionKey}) > ? AND token(${partitionKey}) <= ?`;
  const step = (MAX_TOKEN - MIN_TOKEN) / SCAN_RANGES;
  for (let low = MIN_TOKEN; low < MAX_TOKEN; low += step) {
    const high = MAX_TOKEN - low <= step ? MAX_TOKEN : low + step;
    // The result stream is a Readable (async-iterable); the driver's typings only say EventEmitter.
    const rows = client.stream(query, [low, high], {
      prepare: true,
      fetchSize: 5000,
    }) as unknown as AsyncIterable<cassandra.types.Row>;
    for await (const row of rows) onRow(row);
    if (high === MAX_TOKEN) break;
  }
}

/** Every difference between the model and the keyspace's tables. */
export async function compareTables(
  client: cassandra.Client,
  keyspace: string,
  model: TableModel,
): Promise<{ differences: Difference[]; expectedRows: number; actualRows: number }> {
  const differences: Difference[] = [];
  let [expectedRows, actualRows] = [0, 0];
  for (const table of Object.keys(tables) as Table[]) {
    const expected = new Map(model.rows(table));
    expectedRows += expected.size;
    const keyColumns = new Set(primaryKeyColumns(table));
    await scanTable(client, keyspace, table, (row) => {
      actualRows++;
      const key = Object.fromEntries([...keyColumns].map((c) => [c, row.get(c) as unknown]));
      const want = expected.get(rowId(table, key));
      const where = { table, key: describeKey(table, key) };
      if (!want) {
        differences.push({ ...where, kind: 'extra row' });
        return;
      }
      expected.delete(rowId(table, key));
      for (const column of row.keys()) {
        if (keyColumns.has(column)) continue;
        const cell: ModelCell | undefined = want.cells.get(column);
        const [wanted, found] = [normalise(cell?.value), normalise(row.get(column))];
        if (JSON.stringify(wanted) !== JSON.stringify(found))
          differences.push({
            ...where,
            kind: 'wrong value',
            column,
            expected: wanted,
            actual: found,
            eventId: cell?.eventId,
          });
      }
    });
    for (const { key, cells } of expected.values()) {
      const eventIds = new Set([...cells.values()].map((c) => c.eventId));
      differences.push({
        table,
        key: describeKey(table, key),
        kind: 'missing row',
        eventId: [...eventIds].join(' '),
      });
    }
  }
  return { differences, expectedRows, actualRows };
}

export async function reconcileCassandra(
  config: ClientConfig,
  client: cassandra.Client,
  serde: EventSerde,
  topic: string,
  keyspace: string,
): Promise<ReconcileReport> {
  const { model, eventsRead, deadLettered } = await expectedTables(config, serde, topic);
  return { eventsRead, deadLettered, ...(await compareTables(client, keyspace, model)) };
}

/** One line per difference, for people. */
export function formatDifference(d: Difference): string {
  const where = `${d.table} (${d.key})`;
  if (d.kind === 'extra row') return `extra row    ${where}: no event explains it`;
  if (d.kind === 'missing row') return `missing row  ${where}: written by event ${d.eventId}`;
  return `wrong value  ${where}.${d.column}: expected ${JSON.stringify(d.expected)}${d.eventId ? ` (event ${d.eventId})` : ''}, found ${JSON.stringify(d.actual)}`;
}
