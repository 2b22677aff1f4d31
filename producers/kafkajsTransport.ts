// kafkajs has no client-side batching or linger: this transport adds them. Records wait up to
// lingerMs (or until a batch is full), then go out in one sendBatch. One batch is in flight at a
// time, which keeps the idempotent producer's per-partition sequence, and so key order, intact.
import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import '../core/kafkaCodecs.ts';
import { Delivery } from './delivery.ts';
import {
  TransportClosedError,
  type OutgoingRecord,
  type ProducerTransport,
  type TransportSettings,
} from './transport.ts';

interface Pending {
  record: OutgoingRecord;
  delivery: Delivery;
}

const codecs: Partial<Record<TransportSettings['compression'], CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
};

export class KafkajsTransport implements ProducerTransport {
  readonly name = 'kafkajs';
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private capacityWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly settings: TransportSettings) {
    const codec = codecs[settings.compression];
    if (codec === undefined) {
      throw new Error(
        `compression ${settings.compression} is not available with the kafkajs transport (none, gzip, snappy); use the rdkafka transport for lz4 and zstd`,
      );
    }
    this.compression = codec;
    const kafka = new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers,
      logLevel: logLevel.NOTHING,
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner, // murmur2, the Java client's key→partition mapping
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.closed) throw new TransportClosedError('producer is closed');
    while (this.queue.length >= this.settings.maxPendingRecords) {
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
    const delivery = new Delivery(records.length);
    for (const record of records) this.queue.push({ record, delivery });
    if (this.queue.length >= this.settings.batchMaxRecords) this.dispatch();
    else this.timer ??= setTimeout(() => this.dispatch(), this.settings.lingerMs);
    return delivery.promise;
  }

  private dispatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.settings.batchMaxRecords);
    this.capacityWaiters.splice(0).forEach((wake) => wake());
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length > 0) this.dispatch();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Array<{ key: string; value: Buffer; headers: Record<string, string> }>>();
    for (const { record } of batch) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const pending of batch) pending.delivery.ack();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const pending of batch) pending.delivery.fail(failure);
    }
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight) {
      this.dispatch();
      await this.inFlight;
    }
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.producer.disconnect();
  }
}
