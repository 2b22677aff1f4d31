// The shared runtime of every processor: consumer group, decoding, key-ordered parallel handling,
// retries, dead-lettering, offset commits of completed work only, backpressure, graceful stop,
// metrics. A processor supplies only its topics and a `handle` function (see ProcessorDefinition).
import type { Server } from 'node:http';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { createKafka, createSchemaRegistry } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import { logger as rootLogger } from '../../core/logger.ts';
import { createTransport, transportSettings } from '../../producers/eventProducer.ts';
import type { ProducerTransport } from '../../producers/transport.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { EventSerde, type DecodedEvent } from '../../schemas/serde.ts';
import { DLQ_HEADERS, deadLetterRecord, type SourceRecord } from './deadLetter.ts';
import { KeyedExecutor } from './keyedExecutor.ts';
import { ProcessorMetrics } from './metrics.ts';
import { OffsetTracker, parseOffset } from './offsetTracker.ts';
import { defaultRetryPolicy, RetriesExhaustedError, withRetries, type RetryPolicy } from './retry.ts';

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
  /** Default port of /metrics when PARLEY_METRICS_PORT is unset. */
  metricsPort: number;
}

export interface RuntimeOptions {
  groupId?: string;
  fromBeginning?: boolean;
  retry?: RetryPolicy;
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** Where a record taken from a fetch sits, until its effects are durable. */
interface TakenPosition {
  topic: string;
  partition: number;
  offset: number;
  tracker: OffsetTracker;
  producedAt: number;
}

interface TakenRecord extends TakenPosition {
  record: ProcessorRecord;
}

/** Records fetched ahead of those being handled: enough to keep the sink busy between fetches. */
const BUFFERED_PER_IN_FLIGHT = 4;

export class ProcessorRuntime {
  readonly metrics: ProcessorMetrics;
  readonly groupId: string;
  private readonly log;
  private readonly consumer: Consumer;
  private readonly dlq: ProducerTransport;
  private readonly serde: EventSerde;
  private readonly executor: KeyedExecutor<TakenRecord>;
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly committed = new Map<string, number>();
  /** Per partition, the highest offset whose handling has started. */
  private readonly startedUpTo = new Map<string, number>();
  private readonly activeBatches = new Set<Promise<void>>();
  /** Records fetched and not yet done (bounded: fetching waits for room, never buffers without end). */
  private readonly buffered: InFlightWindow;
  private commitChain: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | undefined;
  private metricsServer: Server | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private pausedFor = 0;
  private readonly lastLogged = new Map<string, number>();
  private readonly fetchedAge;
  private readonly durableAge;

  constructor(
    private readonly definition: ProcessorDefinition,
    private readonly config: ClientConfig,
    private readonly options: RuntimeOptions = {},
  ) {
    this.groupId = options.groupId ?? `parley.${definition.name}`;
    this.log = rootLogger.child({ processor: definition.name, group: this.groupId });
    this.metrics = new ProcessorMetrics(definition.name, () => this.buffered.size);
    this.consumer = createKafka(config, `parley-${definition.name}`).consumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1_048_576,
      retry: { retries: 10 },
    });
    this.dlq = createTransport('rdkafka', transportSettings(config, `parley-${definition.name}-dlq`));
    this.serde = new EventSerde(createSchemaRegistry(config));
    this.buffered = new InFlightWindow(BUFFERED_PER_IN_FLIGHT * config.processor.maxInFlight);
    this.executor = new KeyedExecutor<TakenRecord>({
      maxInFlight: config.processor.maxInFlight,
      batchSize: definition.batchSize ?? 1,
      batchWaitMs: definition.batchWaitMs ?? 2,
      sameKeyInBatch: definition.sameKeyInBatch ?? false,
      keyOf: (taken) => taken.record.key,
      handle: (taken) => this.handleWithRetries(taken.map((t) => t.record)),
      admit: (taken) => this.admit(taken),
      done: (taken) => this.completed(taken),
      failed: (taken, error) => this.notHandled(taken, error),
    });
    this.fetchedAge = this.metrics.recordAgeSeconds.labels('fetched');
    this.durableAge = this.metrics.recordAgeSeconds.labels('durable');
  }

  async start(): Promise<void> {
    const port = this.config.processor.metricsPort ?? this.definition.metricsPort;
    this.metricsServer = await this.metrics.serve(this.config.processor.metricsHost, port);
    await this.dlq.connect();
    await this.consumer.connect();
    for (const topic of this.definition.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed'),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // A new generation refetches from the committed offsets: start offset bookkeeping afresh.
      this.trackers.clear();
      this.committed.clear();
      this.startedUpTo.clear();
      this.log.info({ assignment: payload.memberAssignment }, 'partitions assigned');
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: (payload) => {
        const running = this.eachBatch(payload);
        this.activeBatches.add(running);
        return running.finally(() => this.activeBatches.delete(running));
      },
    });
    this.commitTimer = setInterval(() => void this.commitCompleted(), this.config.processor.commitIntervalMs);
    this.log.info(
      { topics: this.definition.topics, metrics: `${this.config.processor.metricsHost}:${port}` },
      'processor started',
    );
  }

  /** Stop fetching, let in-flight records finish, commit them, close. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.log.info('stopping: draining in-flight records');
      // New batches now start nothing; records already taken finish (or fill gaps, see admit).
      await Promise.allSettled([...this.activeBatches]);
      await this.buffered.idle();
      clearInterval(this.commitTimer);
      await this.commitCompleted();
      await this.consumer.stop();
      await this.consumer.disconnect();
      await this.dlq.disconnect();
      await new Promise<void>((resolve) =>
        this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve(),
      );
      this.log.info('stopped');
    })();
    return this.stopped;
  }

  /**
   * Once stopping, a record may still start only if a later record of its partition already did:
   * that fills the gaps below the in-flight records, so the commit covers exactly the work done.
   */
  private admit({ topic, partition, offset }: TakenRecord): boolean {
    const key = partitionKey(topic, partition);
    const high = this.startedUpTo.get(key);
    if (this.stopping) return high !== undefined && offset <= high;
    if (high === undefined || offset > high) this.startedUpTo.set(key, offset);
    return true;
  }

  private tracker(topic: string, partition: number): OffsetTracker {
    const key = partitionKey(topic, partition);
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new OffsetTracker()));
    return tracker;
  }

  /**
   * Hands the batch's records to the executor and returns once they are taken, not done: the next
   * fetch overlaps their handling (as in Confluent's Parallel Consumer), so a record waits for the
   * records ahead of it under its key and for room in the buffer, never for a whole batch.
   */
  private async eachBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const tracker = this.tracker(topic, partition);
    let lastTaken: string | undefined;
    let taken = 0;
    const fetchedAt = Date.now();
    // Heartbeat while waiting for room, so a long sink outage does not cost the partitions.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
    try {
      // Whether to stop can change only across an await (kafkajs' isStale costs a JSON.stringify).
      let mayHaveChanged = true;
      for (const message of batch.messages) {
        if (!this.buffered.tryAcquire()) {
          await this.buffered.acquire();
          mayHaveChanged = true;
        }
        if (mayHaveChanged && (!isRunning() || isStale() || this.stopping)) {
          this.buffered.release();
          break;
        }
        mayHaveChanged = false;
        const offset = parseOffset(message.offset);
        tracker.add(offset);
        lastTaken = message.offset;
        taken++;
        const producedAt = Number(message.timestamp);
        this.fetchedAge.observe((fetchedAt - producedAt) / 1000);
        const source: SourceRecord = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: message.value ?? Buffer.alloc(0),
          headers: message.headers ?? {},
        };
        // Decoded here, in log order: a record whose schema must first be fetched holds back the
        // records behind it, so no record of its key can overtake it.
        let decoded: DecodedEvent;
        try {
          const known = this.serde.decodeKnown(source.value);
          if (known) decoded = known;
          else {
            decoded = await this.serde.decode(source.value);
            mayHaveChanged = true;
          }
        } catch (error) {
          // Undecodable: no retry can fix the bytes.
          const position: TakenPosition = { topic, partition, offset, tracker, producedAt };
          this.deadLetter(source, error, 1).then(
            () => this.completed(position),
            (dlqError: unknown) => this.notHandled(position, dlqError),
          );
          continue;
        }
        const record: ProcessorRecord = { ...source, name: decoded.name, event: decoded.event };
        this.executor.submit({ topic, partition, offset, tracker, producedAt, record });
      }
    } finally {
      clearInterval(beat);
      // Taken, not committed: the fetch position moves on; commits follow completed work only.
      if (lastTaken !== undefined) resolveOffset(lastTaken);
      this.metrics.consumed.inc({ topic }, taken);
    }
    const last = batch.messages.at(-1);
    if (last)
      this.metrics.lag.set(
        { topic, partition: String(partition) },
        Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n),
      );
  }

  /** Its effects are durable (or it is in the dead-letter topic): its offset may be committed. */
  private completed({ tracker, offset, producedAt }: TakenPosition): void {
    tracker.complete(offset);
    this.durableAge.observe((Date.now() - producedAt) / 1000);
    this.buffered.release();
  }

  /**
   * A record neither landed nor reached the dead-letter topic: shutdown interrupted its retries, or
   * something unforeseen failed. Its offset is never committed; unless stopping, fetch the partition
   * again from the first incomplete record, so nothing is skipped until the next restart. Records
   * after it run again too (effects are idempotent, keys stay in order).
   */
  private notHandled({ topic, partition, tracker }: TakenPosition, error: unknown): void {
    this.buffered.release();
    if (this.stopping) return;
    const key = partitionKey(topic, partition);
    if (this.trackers.get(key) !== tracker) return; // already rewound past this tracker's offsets
    const offset = tracker.firstIncomplete;
    if (offset === undefined) return;
    this.log.error({ err: error, topic, partition, offset }, 'record not handled: fetching again from it');
    this.trackers.delete(key); // refetched offsets start a new tracker
    this.consumer.seek({ topic, partition, offset });
  }

  private async handleWithRetries(records: ProcessorRecord[]): Promise<void> {
    const started = performance.now();
    this.metrics.batchSize.observe(records.length);
    let pausedHere = false; // this call holds one pause while its sink is down
    try {
      await withRetries(
        () => this.definition.handle(records),
        this.options.retry ?? { ...defaultRetryPolicy, maxAttempts: this.config.processor.maxAttempts },
        {
          isStopping: () => this.stopping,
          onFailure: (error, kind, attempt, delayMs) => {
            this.metrics.failed.inc({ topic: records[0]!.topic, kind });
            if (kind === 'transient' && !pausedHere) {
              pausedHere = true;
              this.pause();
            }
            // One line per failure kind every few seconds, not one per record per retry.
            if (this.shouldLog(kind))
              this.log.warn(
                { err: error, kind, attempt, delayMs, records: records.length },
                'handler failed, retrying',
              );
          },
        },
      );
      // One increment per topic and event type, not one per record.
      const counts = new Map<string, { topic: string; event: string; n: number }>();
      for (const r of records) {
        const key = `${r.topic}\0${r.name}`;
        let count = counts.get(key);
        if (!count) counts.set(key, (count = { topic: r.topic, event: r.name, n: 0 }));
        count.n++;
      }
      for (const { topic, event, n } of counts.values()) this.metrics.processed.inc({ topic, event }, n);
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError)) throw error; // shutting down: leave uncommitted
      if (records.length > 1) {
        // Find the poison record: retry each alone, so the others still land (keys in parallel,
        // the records of one key in order).
        const byKey = new Map<string, ProcessorRecord[]>();
        for (const r of records) {
          const ofKey = byKey.get(r.key);
          if (ofKey) ofKey.push(r);
          else byKey.set(r.key, [r]);
        }
        await Promise.all(
          [...byKey.values()].map(async (ofKey) => {
            for (const r of ofKey) await this.handleWithRetries([r]);
          }),
        );
        return;
      }
      await this.deadLetter(records[0]!, error, error.attempts);
    } finally {
      if (pausedHere) this.resume();
      this.metrics.processingSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * The dead-letter topic is a sink too: while it refuses a record (down, or the record too large
   * for it), fetching pauses and the send is retried with backoff, whatever the error, until it
   * lands or the processor stops (then the record stays uncommitted). A record is never dropped.
   */
  private async deadLetter(source: SourceRecord, error: unknown, attempts: number): Promise<void> {
    const record = deadLetterRecord(source, error, attempts, this.definition.name);
    const where = { topic: source.topic, partition: source.partition, offset: source.offset };
    let pausedHere = false;
    try {
      await withRetries(
        () => this.dlq.send([record]),
        { ...(this.options.retry ?? defaultRetryPolicy), retryEveryFailure: true },
        {
          isStopping: () => this.stopping,
          onFailure: (sendError, _kind, attempt, delayMs) => {
            if (!pausedHere) {
              pausedHere = true;
              this.pause();
            }
            this.metrics.failed.inc({ topic: source.topic, kind: 'dead-letter' });
            if (this.shouldLog('dead-letter'))
              this.log.error(
                { ...where, err: sendError, attempt, delayMs },
                'the dead-letter topic refused a record: fetching paused, retrying',
              );
          },
        },
      );
    } finally {
      if (pausedHere) this.resume();
    }
    this.metrics.deadLettered.inc({ topic: source.topic });
    this.log.error(
      { ...where, reason: record.headers[DLQ_HEADERS.reason] },
      'record sent to the dead-letter topic',
    );
  }

  private shouldLog(kind: string): boolean {
    const now = Date.now();
    if (now - (this.lastLogged.get(kind) ?? 0) < 5_000) return false;
    this.lastLogged.set(kind, now);
    return true;
  }

  /** Pause fetching while a sink is down; in-flight records keep retrying. */
  private pause(): void {
    if (this.pausedFor++ === 0) {
      this.consumer.pause(this.definition.topics.map((topic) => ({ topic })));
      this.metrics.paused.set(1);
      this.log.warn('sink unavailable: fetching paused');
    }
  }

  private resume(): void {
    if (this.pausedFor > 0 && --this.pausedFor === 0) {
      this.consumer.resume(this.definition.topics.map((topic) => ({ topic })));
      this.metrics.paused.set(0);
      this.log.info('sink recovered: fetching resumed');
    }
  }

  /** Commits, per partition, one past the highest contiguous completed offset. Serialised. */
  private commitCompleted(): Promise<void> {
    this.commitChain = this.commitChain.then(async () => {
      const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
      for (const [key, tracker] of this.trackers) {
        const offset = tracker.takeCommittable();
        if (offset === undefined) continue;
        if ((this.committed.get(key) ?? -1) >= Number(offset)) continue;
        const [topic, partition] = [
          key.slice(0, key.lastIndexOf(':')),
          Number(key.slice(key.lastIndexOf(':') + 1)),
        ];
        offsets.push({ topic, partition, offset });
        this.committed.set(key, Number(offset));
      }
      if (offsets.length === 0) return;
      try {
        await this.consumer.commitOffsets(offsets);
      } catch (error) {
        // Not fatal: the records are handled again after a restart (effects are idempotent).
        this.log.warn({ err: error }, 'offset commit failed');
      }
    });
    return this.commitChain;
  }
}
