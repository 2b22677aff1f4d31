// Reconcile: what the log says the read models must hold, against what the tables hold. Reports
// every event id whose row is missing (or holds another event) and every row no event explains.
import type cassandra from 'cassandra-driver';
import type { Admin } from 'kafkajs';
import { createKafka } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { endOffsets } from '../../processors/runtime/groupProgress.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import { writeTimestamp } from './chatProjection.ts';

export interface ReconcileReport {
  eventsRead: number;
  undecodable: number;
  expectedRows: number;
  actualRows: number;
  /** Event ids whose row is absent or holds a different event. */
  missing: string[];
  /** Rows (table:key, with their event id when they have one) that no event in the log explains. */
  extra: string[];
}

interface Expected {
  eventId: string;
  version: bigint;
}

/** Reads `topic` from offset 0 up to the end offsets at the time of the call. */
export async function readTopicSnapshot(
  config: ClientConfig,
  admin: Admin,
  topic: string,
  onRecord: (value: Buffer, offset: string) => Promise<void>,
): Promise<number> {
  const end = await endOffsets(admin, topic);
  const remaining = new Set([...end].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return 0;
  const groupId = `parley.reconcile.${process.pid}.${Date.now()}`;
  const consumer = createKafka(config, 'parley-reconcile').consumer({
    groupId,
    maxBytesPerPartition: 4_194_304,
  });
  await consumer.connect();
  let read = 0;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end.get(batch.partition)!) break;
              read++;
              await onRecord(message.value ?? Buffer.alloc(0), message.offset);
            }
            const last = batch.messages.at(-1);
            if (last && BigInt(last.offset) + 1n >= end.get(batch.partition)!)
              remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return read;
}

async function scan(
  client: cassandra.Client,
  query: string,
  onRow: (row: cassandra.types.Row) => void,
): Promise<void> {
  // The result stream is a Readable (async-iterable); the driver's typings only say EventEmitter.
  const rows = client.stream(query, [], {
    prepare: true,
    fetchSize: 5000,
  }) as unknown as AsyncIterable<cassandra.types.Row>;
  for await (const row of rows) onRow(row);
}

function keep(map: Map<string, Expected>, key: string, candidate: Expected): void {
  const current = map.get(key);
  if (!current || candidate.version >= current.version) map.set(key, candidate);
}

export async function reconcileCassandra(
  config: ClientConfig,
  client: cassandra.Client,
  serde: EventSerde,
  topic: string,
  keyspace: string,
): Promise<ReconcileReport> {
  const expected = new Map<string, Expected>(); // "table:key" → the event whose write must be visible
  let undecodable = 0;
  const admin = createKafka(config, 'parley-reconcile-admin').admin();
  await admin.connect();
  let eventsRead: number;
  try {
    eventsRead = await readTopicSnapshot(config, admin, topic, async (value, offset) => {
      let decoded;
      try {
        decoded = await serde.decode(value);
      } catch {
        undecodable++; // dead-lettered by the projector, never projected
        return;
      }
      const { name, event } = decoded;
      const e = event as { event_id: string; occurred_at: number; chat_id?: string; message_id?: string };
      const version = writeTimestamp(e.occurred_at, { offset });
      if (name === 'ChatCreated') keep(expected, `chats:${e.chat_id}`, { eventId: e.event_id, version });
      if (name === 'PromptSubmitted' || name === 'AnswerGenerated' || name === 'AnswerFailed') {
        keep(expected, `messages_by_chat:${e.chat_id}/${e.message_id}`, { eventId: e.event_id, version });
      }
      if (name === 'MessageRated')
        keep(expected, `message_ratings:${e.chat_id}/${e.message_id}`, { eventId: e.event_id, version });
    });
  } finally {
    await admin.disconnect();
  }

  const actual = new Map<string, string | null>();
  const record = (key: string, eventId: unknown) => actual.set(key, eventId ? String(eventId) : null);
  await scan(client, `SELECT chat_id, event_id FROM ${keyspace}.chats`, (r) =>
    record(`chats:${r.get('chat_id')}`, r.get('event_id')),
  );
  await scan(client, `SELECT chat_id, message_id, event_id FROM ${keyspace}.messages_by_chat`, (r) =>
    record(`messages_by_chat:${r.get('chat_id')}/${r.get('message_id')}`, r.get('event_id')),
  );
  await scan(client, `SELECT chat_id, message_id, event_id FROM ${keyspace}.message_ratings`, (r) =>
    record(`message_ratings:${r.get('chat_id')}/${r.get('message_id')}`, r.get('event_id')),
  );

  const missing: string[] = [];
  const extra: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (got !== want.eventId) missing.push(want.eventId);
    if (got && got !== want.eventId) extra.push(`${key} (event ${got})`);
  }
  for (const [key, got] of actual) if (!expected.has(key)) extra.push(got ? `${key} (event ${got})` : key);
  return { eventsRead, undecodable, expectedRows: expected.size, actualRows: actual.size, missing, extra };
}
