// The outbox's Debezium PostgreSQL connector, as data: Kafka Connect runs it (the stack's `connect`
// service registers it); nothing of ours relays records. What it does per outbox insert: the
// EventRouter turns the row into one record on the topic named by `aggregatetype`, keyed by
// `aggregateid`, whose value is `payload` unchanged (already Confluent wire format), with headers
// `id` (the event id), `parley-event-type` and `traceparent` — the record our producers write.
import type { ClientConfig } from '../../core/config.ts';
import { EVENT_TYPE_HEADER, TRACEPARENT_HEADER } from '../../producers/eventProducer.ts';
import type { TopicSpec } from '../../producers/topics.ts';

export const OUTBOX_CONNECTOR = 'parley-outbox';
/** One slot and publication per database; fixed names, so a restarted connector resumes its slot. */
export const OUTBOX_SLOT = 'parley_outbox';
export const OUTBOX_PUBLICATION = 'parley_outbox';
export const OUTBOX_TABLE = 'public.outbox';
export const OUTBOX_HEARTBEAT_TABLE = 'public.outbox_heartbeat';
const TOPIC_PREFIX = 'parley-outbox';
const HEARTBEAT_PREFIX = '__debezium-heartbeat';

/**
 * Topics the connector writes besides the event topics: its heartbeat and the heartbeat table's
 * changes. Connect's own topic creation stays off (see below), so these are provisioned beforehand.
 */
export function outboxTopicSpecs(topics: ClientConfig['topics']): TopicSpec[] {
  const heartbeatRetention = { 'cleanup.policy': 'delete', 'retention.ms': String(24 * 60 * 60 * 1000) };
  return [`${HEARTBEAT_PREFIX}.${TOPIC_PREFIX}`, `${TOPIC_PREFIX}.${OUTBOX_HEARTBEAT_TABLE}`].map(
    (topic) => ({
      topic,
      partitions: 1,
      replicationFactor: topics.replicationFactor,
      configs: heartbeatRetention,
    }),
  );
}

export function outboxConnectorConfig(clients: ClientConfig): Record<string, string> {
  const db = new URL(clients.postgresUrl);
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    // One slot streams one database in commit order; more tasks would not help.
    'tasks.max': '1',
    'database.hostname': db.hostname,
    'database.port': db.port || '5432',
    'database.user': decodeURIComponent(db.username),
    // Visible through Connect's REST API; acceptable for the local stack, a config provider elsewhere.
    'database.password': decodeURIComponent(db.password),
    'database.dbname': decodeURIComponent(db.pathname.slice(1)),
    'topic.prefix': TOPIC_PREFIX,
    'plugin.name': 'pgoutput', // built into PostgreSQL (the default, decoderbufs, is an extension)
    'slot.name': OUTBOX_SLOT,
    'publication.name': OUTBOX_PUBLICATION,
    'publication.autocreate.mode': 'filtered',
    'table.include.list': `${OUTBOX_TABLE},${OUTBOX_HEARTBEAT_TABLE}`,
    // The writer deletes each row in the transaction that inserted it: only inserts are events.
    'skipped.operations': 'd,t',
    'tombstones.on.delete': 'false',
    // Rows committed before the slot exists are never emitted: register before writers start.
    'snapshot.mode': 'no_data',
    'heartbeat.interval.ms': '10000',
    'heartbeat.action.query': `INSERT INTO ${OUTBOX_HEARTBEAT_TABLE} (id, beat_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at`,
    // The latency knob: a poll returns early only when max.batch.size records are queued, else
    // after this long. Measured here (npm run bench -- outbox, 200 rows/s, kafkajs consumer): 20 ms
    // gives commit → visible p50 ~32 ms, ~13 ms over producing directly, with the idle worker at
    // 0.065 core; 5 ms matches the direct path (p50 21 ms) but idles at 0.18 core.
    'poll.interval.ms': '20',
    // Debezium 3.6 would add four __debezium.context.* headers to every record.
    'extended.headers.enabled': 'false',
    // No topic.creation.* here: every topic is provisioned beforehand (outboxTopicSpecs and the
    // platform's topics), and the worker has topic creation off.
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    // Outbox values are bytes, written as they are; heartbeat records (Structs) go to JSON.
    'value.converter': 'io.debezium.converters.BinaryDataConverter',
    'value.converter.delegate.converter.type': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.delegate.converter.type.schemas.enable': 'false',
    'header.converter': 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    transforms: 'outbox',
    'transforms.outbox.type': 'io.debezium.transforms.outbox.EventRouter',
    'transforms.outbox.predicate': 'isOutboxTable',
    'transforms.outbox.table.field.event.id': 'id',
    'transforms.outbox.table.field.event.key': 'aggregateid',
    'transforms.outbox.table.field.event.payload': 'payload',
    'transforms.outbox.table.expand.json.payload': 'false',
    // A row with a NULL payload is a tombstone: a compacted topic's way to delete its key.
    'transforms.outbox.route.tombstone.on.empty.payload': 'true',
    'transforms.outbox.route.by.field': 'aggregatetype',
    'transforms.outbox.route.topic.replacement': '${routedByValue}',
    // Header placements keep the value = the payload itself (an envelope placement would wrap it).
    'transforms.outbox.table.fields.additional.placement': `type:header:${EVENT_TYPE_HEADER},traceparent:header:${TRACEPARENT_HEADER}`,
    predicates: 'isOutboxTable',
    'predicates.isOutboxTable.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
    'predicates.isOutboxTable.pattern': `${TOPIC_PREFIX}\\.${OUTBOX_TABLE.replace('.', '\\.')}`,
    // As our producers: no added wait, every replica, no duplicates from producer retries (Connect's
    // defaults are linger 5 ms and no idempotence).
    'producer.override.linger.ms': '0',
    'producer.override.acks': 'all',
    'producer.override.enable.idempotence': 'true',
    // A topic deleted after use (tests' scratch topics) is asked for, with a warning a second, until
    // the producer forgets it: after 1 minute instead of 5. A rarely written topic pays one metadata
    // request more.
    'producer.override.metadata.max.idle.ms': '60000',
  };
}
