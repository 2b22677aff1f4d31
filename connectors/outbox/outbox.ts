// Writing events through the transactional outbox: in the same PostgreSQL transaction as the state
// change they describe, never by a dual write to Kafka. Debezium (connectorConfig.ts) reads the rows
// from the WAL and publishes each as the record our producers would have written.
//
// The connector must be registered (its replication slot must exist) before writers start: a row
// committed while there is no slot is never emitted (snapshot.mode no_data, and the row is deleted
// at once). The stack's `connect` service registers it on `up`.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { EventProducer, PublishItem, PublishOptions } from '../../producers/eventProducer.ts';
import { EVENT_TYPE_HEADER, TRACEPARENT_HEADER } from '../../producers/eventProducer.ts';
import { childTraceparent } from '../../producers/traceparent.ts';

export interface OutboxRecord {
  eventId: string;
  /** Must exist: the connector fails rather than create a topic. */
  topic: string;
  key: string;
  eventType: string;
  /** Confluent wire format, exactly as a producer sends it; null: a tombstone (deletes the key). */
  payload: Buffer | null;
  traceparent: string;
}

/** A tombstone for `key` on a compacted topic: the connector writes a record with a null value. */
export function tombstoneRecord(
  topic: string,
  key: string,
  eventType: string,
  parentTraceparent?: string,
): OutboxRecord {
  return {
    eventId: randomUUID(),
    topic,
    key,
    eventType,
    payload: null,
    traceparent: childTraceparent(parentTraceparent),
  };
}

/**
 * The outbox rows of `items`: validated and encoded by the producer's own toRecord, so the bytes
 * on Kafka are the same whichever way an event travels. Only the producer's serde is used: no
 * Kafka connection is needed.
 */
export async function toOutboxRecords(
  producer: Pick<EventProducer, 'toRecord'>,
  items: readonly PublishItem[],
  options: PublishOptions = {},
): Promise<OutboxRecord[]> {
  return Promise.all(
    items.map(async ({ name, event }) => {
      const record = await producer.toRecord(name, event, options);
      return {
        eventId: event.event_id,
        topic: record.topic,
        key: record.key,
        eventType: record.headers[EVENT_TYPE_HEADER]!,
        payload: record.value,
        traceparent: record.headers[TRACEPARENT_HEADER]!,
      };
    }),
  );
}

/**
 * Inserts the rows and deletes them again, inside the caller's transaction (the caller owns BEGIN
 * and COMMIT): the WAL keeps the inserts for Debezium, the table stays empty. Rows are published
 * in array order; one statement each way, whatever the count.
 */
export async function appendToOutbox(tx: pg.ClientBase, records: readonly OutboxRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ids = records.map((r) => r.eventId);
  await tx.query(
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, traceparent)
     SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::bytea[], $6::varchar[])`,
    [
      ids,
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => r.eventType),
      records.map((r) => r.payload),
      records.map((r) => r.traceparent),
    ],
  );
  await tx.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [ids]);
}
