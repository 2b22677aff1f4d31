// Typed, validated event publishing: contract check and Confluent encoding (schemas/serde), key by
// aggregate, trace context in headers, then the configured transport (kafkajs or node-rdkafka).
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry } from '../core/clients.ts';
import type { ClientConfig } from '../core/config.ts';
import { eventDefinition } from '../schemas/catalog.ts';
import type { EventMap, EventName } from '../schemas/generated/events.ts';
import { EventSerde } from '../schemas/serde.ts';
import { KafkajsTransport } from './kafkajsTransport.ts';
import { RdkafkaTransport } from './rdkafkaTransport.ts';
import { childTraceparent } from './traceparent.ts';
import type { OutgoingRecord, ProducerTransport, TransportName, TransportSettings } from './transport.ts';

export const EVENT_TYPE_HEADER = 'parley-event-type';
export const TRACEPARENT_HEADER = 'traceparent';

export interface PublishOptions {
  /** The caller's W3C traceparent; the event gets a child span of it. */
  traceparent?: string;
  /** Another topic than the event's own (tests, benchmarks, replays into a scratch topic). */
  topic?: string;
}

// Snappy: cheap on CPU, and every client reads it (kafkajs only through core/kafkaCodecs).
const DEFAULT_COMPRESSION: TransportSettings['compression'] = 'snappy';

export interface PublishItem<N extends EventName = EventName> {
  name: N;
  event: EventMap[N];
}

export function transportSettings(config: ClientConfig, clientId: string): TransportSettings {
  return {
    brokers: config.kafkaBrokers,
    clientId,
    compression: config.producer.compression ?? DEFAULT_COMPRESSION,
    lingerMs: config.producer.lingerMs,
    batchMaxRecords: config.producer.batchMaxRecords,
    maxPendingRecords: config.producer.maxPendingRecords,
  };
}

export function createTransport(name: TransportName, settings: TransportSettings): ProducerTransport {
  return name === 'kafkajs' ? new KafkajsTransport(settings) : new RdkafkaTransport(settings);
}

/**
 * The Kafka record of an event, however it travels (a producer, or the outbox): validated, in
 * Confluent's wire format, keyed by its aggregate, with its type and trace context in headers.
 */
export async function encodeEventRecord<N extends EventName>(
  serde: EventSerde,
  name: N,
  event: EventMap[N],
  options: PublishOptions = {},
): Promise<OutgoingRecord> {
  const definition = eventDefinition(name);
  const value = await serde.encode(name, event);
  const key = (event as unknown as Record<string, unknown>)[definition.keyField];
  return {
    topic: options.topic ?? definition.topic,
    key: String(key),
    value,
    headers: { [EVENT_TYPE_HEADER]: name, [TRACEPARENT_HEADER]: childTraceparent(options.traceparent) },
  };
}

export class EventProducer {
  private closing: Promise<void> | undefined;

  constructor(
    readonly serde: EventSerde,
    readonly transport: ProducerTransport,
  ) {}

  /** Validates, encodes and sends one event; resolves when Kafka acknowledged it (acks=all). */
  async publish<N extends EventName>(
    name: N,
    event: EventMap[N],
    options: PublishOptions = {},
  ): Promise<void> {
    await this.transport.send([await this.toRecord(name, event, options)]);
  }

  /** Like publish, for many events at once: one acknowledgement for the lot, far less overhead. */
  async publishMany(events: ReadonlyArray<PublishItem>, options: PublishOptions = {}): Promise<void> {
    const records = await Promise.all(events.map(({ name, event }) => this.toRecord(name, event, options)));
    await this.transport.send(records);
  }

  toRecord<N extends EventName>(
    name: N,
    event: EventMap[N],
    options: PublishOptions = {},
  ): Promise<OutgoingRecord> {
    return encodeEventRecord(this.serde, name, event, options);
  }

  /** Flushes every pending record, then disconnects; later calls wait for the same close. */
  close(): Promise<void> {
    this.closing ??= this.transport.disconnect();
    return this.closing;
  }
}

export interface EventProducerOptions {
  transport?: TransportName;
  clientId?: string;
  registry?: SchemaRegistry;
}

/** Connects a producer and registers the contracts (idempotent) so the first publish is fast. */
export async function createEventProducer(
  config: ClientConfig,
  options: EventProducerOptions = {},
): Promise<EventProducer> {
  const serde = new EventSerde(options.registry ?? createSchemaRegistry(config));
  const name = options.transport ?? config.producer.transport;
  const transport = createTransport(name, transportSettings(config, options.clientId ?? 'parley-producer'));
  await serde.prepare();
  await transport.connect();
  return new EventProducer(serde, transport);
}
