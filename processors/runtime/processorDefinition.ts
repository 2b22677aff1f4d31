// What a processor supplies to the runtime (its topics and a `handle` function), and the records
// the runtime hands it.
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import type { SourceRecord } from './deadLetter.ts';
import type { FailureKind } from '../../core/failures.ts';

export interface ProcessorRecord<N extends EventName = EventName> extends SourceRecord {
  name: N;
  event: EventMap[N];
}

/** A record header's text (kafkajs gives a Buffer, a string, or nothing). */
export const headerText = (value: unknown): string | undefined =>
  Buffer.isBuffer(value) ? value.toString() : typeof value === 'string' ? value : undefined;

export interface HandleContext {
  /** Aborted when the attempt passes its deadline (callTimeoutMs) or the processor gives up on it. */
  signal: AbortSignal;
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
  handle(records: ProcessorRecord[], context: HandleContext): Promise<void>;
  /**
   * The processor's own view of a failure, asked before the shared rules (processors/runtime/
   * errors.ts); undefined defers to them.
   */
  classifyFailure?(error: unknown): FailureKind | undefined;
  /**
   * Attempts for a call that keeps failing transiently, then its records go to the dead-letter
   * topic (default: no limit, right for a sink outage; bound it where one record can fail
   * transiently for ever, such as a prompt the model always times out on).
   */
  maxTransientAttempts?: number;
  /**
   * Deadline of one attempt: its signal aborts and the attempt fails as transient (default: none).
   * The handler must stop on the signal: an abandoned attempt's writes may still land.
   */
  callTimeoutMs?: number;
  /**
   * Records the sink can work on at once right now, such as free and busy model-server slots (default:
   * PARLEY_PROCESSOR_MAX_IN_FLIGHT, which also caps it). Asked as records finish and twice a second:
   * at most this many are in flight and as many again fetched ahead, so when the sink is full
   * fetching waits instead of buffering.
   */
  capacity?(): number;
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
