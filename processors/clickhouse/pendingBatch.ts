// The rows waiting for the next insert, by table, and how far into each partition they reach (the
// offsets to commit once they are in ClickHouse).
import {
  ANALYTICS_TABLES,
  type AnalyticsRows,
  type AnalyticsTable,
} from '../../projections/clickhouse/rows.ts';

export type AnalyticsRow = NonNullable<AnalyticsRows[AnalyticsTable]>;

export interface TakenBatch {
  rows: Map<AnalyticsTable, AnalyticsRow[]>;
  /** The next offset to consume, per topic and partition: what to commit after the inserts. */
  positions: Array<{ topic: string; partition: number; offset: string }>;
  /** Kafka timestamps of the batch's records (for the freshness metric). */
  producedAt: number[];
  events: number;
}

export class PendingBatch {
  private rows = new Map<AnalyticsTable, AnalyticsRow[]>();
  private positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private producedAt: number[] = [];
  private oldest: number | undefined;

  /** Records taken since the last `take` (rows skipped as already inserted included). */
  get size(): number {
    return this.producedAt.length;
  }

  /** How long the oldest record has waited, in ms (0 when empty). */
  age(now = Date.now()): number {
    return this.oldest === undefined ? 0 : now - this.oldest;
  }

  add(table: AnalyticsTable, row: AnalyticsRow): void {
    const list = this.rows.get(table);
    if (list) list.push(row);
    else this.rows.set(table, [row]);
  }

  /** Marks a record as taken: its offset will be committed with this batch. */
  taken(topic: string, partition: number, offset: string, producedAt: number): void {
    this.positions.set(`${topic}\u0000${partition}`, { topic, partition, offset: BigInt(offset) + 1n });
    this.producedAt.push(producedAt);
    this.oldest ??= Date.now();
  }

  take(): TakenBatch {
    const taken: TakenBatch = {
      rows: new Map(ANALYTICS_TABLES.flatMap((t) => (this.rows.has(t) ? [[t, this.rows.get(t)!]] : []))),
      positions: [...this.positions.values()].map((p) => ({ ...p, offset: p.offset.toString() })),
      producedAt: this.producedAt,
      events: this.producedAt.length,
    };
    this.rows = new Map();
    this.positions = new Map();
    this.producedAt = [];
    this.oldest = undefined;
    return taken;
  }
}
