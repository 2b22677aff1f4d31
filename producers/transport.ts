// The seam between event logic and the Kafka client library: an EventProducer hands a transport
// serialised records; the transport owns batching, delivery and acknowledgement.

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export type TransportName = 'kafkajs' | 'rdkafka';
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface TransportSettings {
  brokers: string[];
  clientId: string;
  compression: CompressionName;
  /** How long a record may wait for more to join its batch. */
  lingerMs: number;
  /** Upper bound on records sent in one produce request. */
  batchMaxRecords: number;
  /** Records accepted but not yet acknowledged; `send` waits when this many are pending. */
  maxPendingRecords: number;
}

export interface ProducerTransport {
  readonly name: TransportName;
  connect(): Promise<void>;
  /**
   * Resolves once the cluster acknowledged every record (acks=all, idempotent); rejects if any
   * failed. Records are delivered in call order per partition, so records with one key keep their
   * order. Sending many records in one call is cheaper than one call per record.
   */
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Resolves once every record sent so far is acknowledged (or failed). */
  flush(): Promise<void>;
  /** Flushes, then closes the connection. Safe to call twice. */
  disconnect(): Promise<void>;
}

export class TransportClosedError extends Error {
  override name = 'TransportClosedError';
  readonly retriable = false;
}
