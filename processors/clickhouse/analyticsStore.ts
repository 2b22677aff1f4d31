// The projector's two operations on ClickHouse: insert one table's rows of a batch (one INSERT, so
// one atomic block), and read back how far each table got per partition (the exactly-once scheme).
import type { ClickHouseClient } from '@clickhouse/client';
import type { AnalyticsTable } from '../../projections/clickhouse/rows.ts';

/** A Kafka topic name as ClickHouse text: topic names are [a-zA-Z0-9._-], so nothing to escape. */
function topicLiteral(topic: string): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(topic)) throw new Error(`not a Kafka topic name: ${topic}`);
  return `'${topic}'`;
}

export class AnalyticsStore {
  constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
  ) {}

  async insert(table: AnalyticsTable, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({ table: `${this.database}.${table}`, values: rows, format: 'JSONEachRow' });
  }

  /** The ids of the last `limit` events of a partition in `events` (every event has its row there), oldest first. */
  async lastEventIds(topic: string, partition: number, limit: number): Promise<string[]> {
    const result = await this.client.query({
      query: `SELECT event_id FROM ${this.database}.events WHERE kafka_topic = ${topicLiteral(topic)} AND kafka_partition = ${Math.trunc(partition)} ORDER BY kafka_offset DESC LIMIT ${Math.trunc(limit)}`,
      format: 'JSONEachRow',
    });
    return (await result.json<{ event_id: string }>()).map((r) => r.event_id).reverse();
  }

  /**
   * The highest offset of `topic` each partition has in `table` (absent: none). Every insert holds
   * a contiguous range of the log per partition and they land in log order, so the table holds
   * exactly the rows at or below this offset: the ones to skip on a redelivery or a replay.
   */
  async insertedOffsets(table: AnalyticsTable, topic: string): Promise<Map<number, bigint>> {
    const result = await this.client.query({
      query: `SELECT kafka_partition AS partition, toString(max(kafka_offset)) AS offset FROM ${this.database}.${table} WHERE kafka_topic = ${topicLiteral(topic)} GROUP BY kafka_partition`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ partition: number | string; offset: string }>();
    return new Map(rows.map((r) => [Number(r.partition), BigInt(r.offset)]));
  }
}
