// What a processor supplies to the runtime (its topics and a `handle` function), and the records
// the runtime hands it.
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import type { SourceRecord } from './deadLetter.ts';

export interface ProcessorRecord<N extends EventName = EventName> extends SourceRecord {
  name: N;
  event: EventMap[N];
}

export interface ProcessorDefinition {
  /** Names the consumer group, the metrics and the logs. */
  name: string;
  topics: string[];
  /**
   * Makes the records' effects durable. Records of one key arrive in log order: one call after
   * another, or (with sameKeyInBatch) several in one call, in order. Must be idempotent: after a
   * crash, records since the last commit are handled again.
   */
  handle(records: ProcessorRecord[]): Promise<void>;
  /** Records per handle call (default 1). */
  batchSize?: number;
  /**
   * A call may hold several records of one key, in log order (default: one per key per call).
   * For handlers whose effects come out the same whatever order a call's records are applied in.
   */
  sameKeyInBatch?: boolean;
  batchWaitMs?: number;
  /**
   * Called when the group assigns partitions anew (before their records arrive): what the
   * processor cached about its keys may be stale, since another member may have handled them.
   */
  onPartitionsAssigned?(): void;
  /** Default port of /metrics when PARLEY_METRICS_PORT is unset. */
  metricsPort: number;
}
