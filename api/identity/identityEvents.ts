// Every identity write is a PostgreSQL change (or a session) plus its event, committed together: the
// event goes into the Debezium outbox in the same transaction as the row it describes
// (connectors/outbox/outbox.ts), encoded by the producer's own serde, and reaches parley.identity
// keyed by user_id.
import type { Request } from 'express';
import type pg from 'pg';
import { appendToOutbox, toOutboxRecords } from '../../connectors/outbox/outbox.ts';
import type { EventProducer, PublishItem } from '../../producers/eventProducer.ts';

/**
 * Appends the events to the outbox inside `tx` (validated against their contracts first: an event
 * that does not fit fails the transaction). The request's traceparent, if any, parents their spans.
 */
export async function appendEvents(
  tx: pg.ClientBase,
  producer: Pick<EventProducer, 'toRecord'>,
  items: readonly PublishItem[],
  req: Request,
): Promise<void> {
  const records = await toOutboxRecords(producer, items, { traceparent: req.get('traceparent') });
  await appendToOutbox(tx, records);
}
