// node-rdkafka (librdkafka): batching, linger, compression and idempotence happen in librdkafka's
// own threads. Delivery reports are polled while records are pending and matched by opaque id.
import Kafka from 'node-rdkafka';
import { Delivery } from './delivery.ts';
import {
  TransportClosedError,
  type OutgoingRecord,
  type ProducerTransport,
  type TransportSettings,
} from './transport.ts';

const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;

export class RdkafkaTransport implements ProducerTransport {
  readonly name = 'rdkafka';
  private readonly producer: Kafka.Producer;
  private pending = 0;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;
  private fatal: Error | undefined;

  constructor(private readonly settings: TransportSettings) {
    if (settings.compression !== 'none' && !Kafka.features.includes(settings.compression)) {
      throw new Error(
        `compression ${settings.compression} is not compiled into this librdkafka (features: ${Kafka.features.join(', ')})`,
      );
    }
    this.producer = new Kafka.Producer(
      {
        'client.id': settings.clientId,
        'metadata.broker.list': settings.brokers.join(','),
        'enable.idempotence': true,
        'compression.codec': settings.compression,
        'linger.ms': settings.lingerMs,
        'batch.num.messages': settings.batchMaxRecords,
        'queue.buffering.max.messages': settings.maxPendingRecords,
        dr_cb: true,
      },
      {
        'request.required.acks': -1,
        // murmur2 is the Java client's (and kafkajs') key→partition mapping; librdkafka's default is not.
        partitioner: 'murmur2_random',
      },
    );
    this.producer.on('delivery-report', (error, report) => {
      const delivery = report.opaque as Delivery;
      if (error) delivery.fail(new Error(`delivery to ${report.topic} failed: ${error.message}`));
      else delivery.ack();
      if (--this.pending === 0) this.stopPolling();
    });
    this.producer.on('event.error', (error) => {
      // librdkafka reports transient broker errors here and retries by itself; only a fatal
      // error (e.g. idempotence broken) ends the producer.
      if ((error as { isFatal?: boolean }).isFatal)
        this.fatal = new Error(`fatal producer error: ${error.message}`);
    });
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.producer.connect({ timeout: 30_000 }, (error) => (error ? reject(error) : resolve())),
    );
  }

  private startPolling(): void {
    // Delivery latency is bounded by the poll period, so poll often, but only while records wait.
    this.poller ??= setInterval(() => this.producer.poll(), 1);
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.closed) throw new TransportClosedError('producer is closed');
    if (this.fatal) throw this.fatal;
    const delivery = new Delivery(records.length);
    for (const record of records) {
      const headers = Object.entries(record.headers).map(([key, value]) => ({ [key]: value }));
      for (;;) {
        try {
          this.producer.produce(record.topic, null, record.value, record.key, Date.now(), delivery, headers);
          this.pending++;
          this.startPolling();
          break;
        } catch (error) {
          // Backpressure: librdkafka's queue is full, so wait for deliveries to drain it.
          if ((error as { code?: number }).code !== QUEUE_FULL) {
            delivery.fail(error instanceof Error ? error : new Error(String(error)));
            return delivery.promise;
          }
          this.startPolling();
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    }
    return delivery.promise;
  }

  flush(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.producer.flush(30_000, (error) => (error ? reject(error) : resolve())),
    );
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    while (this.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    this.stopPolling();
    await new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }
}
