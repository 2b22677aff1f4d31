// The ClickHouse projector: a batching sink, like a Kafka Connect sink task. It reads every topic,
// turns each event into its analytics rows (projections/clickhouse/rows.ts) and inserts them in
// large batches, one INSERT per table per batch (flush by rows or by age). Offsets are committed
// only after the inserts.
//
// Exactly-once in effect, without a transaction ClickHouse does not have: batches of a partition are
// inserted in log order, each table's rows of a batch in one INSERT (one atomic block), so every
// table holds a prefix of each partition's log. On assignment the projector reads that prefix back
// (max kafka_offset per table and partition) and skips what is at or below it; before retrying a
// failed insert, whose reply may have been lost after it landed, it reads it again. A redelivery
// after a crash and a full replay from offset 0 therefore insert nothing twice, and the
// materialised views, fed only by those inserts, count nothing twice. The same event sent twice
// (the outbox is at-least-once) sits at two offsets: the second is skipped by its id when it comes
// within the last DEDUPE_WINDOW events of its partition (recentEventIds.ts).
//
// It does not use the shared processor runtime: that runtime runs records of different keys in
// parallel and splits failing batches, which would break the in-order prefix this scheme rests on.
// It reuses the runtime's dead-letter sender, fetch pauser, retry policy and metrics.
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createKafka, createSchemaRegistry } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { logger as rootLogger } from '../../core/logger.ts';
import { createTransport, transportSettings } from '../../producers/eventProducer.ts';
import type { ProducerTransport } from '../../producers/transport.ts';
import {
  ANALYTICS_TABLES,
  analyticsRows,
  tombstoneRows,
  type AnalyticsRows,
  type AnalyticsTable,
} from '../../projections/clickhouse/rows.ts';
import { EventSerde, type DecodedEvent } from '../../schemas/serde.ts';
import { sourceRecordOf } from '../runtime/deadLetter.ts';
import { DeadLetterSender } from '../runtime/deadLetterSender.ts';
import { FetchPauser } from '../runtime/fetchPauser.ts';
import { LogThrottle } from '../runtime/logThrottle.ts';
import { ProcessorMetrics } from '../runtime/metrics.ts';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from '../runtime/retry.ts';
import type { AnalyticsStore } from './analyticsStore.ts';
import { PendingBatch, type AnalyticsRow, type TakenBatch } from './pendingBatch.ts';
import { RecentEventIds } from './recentEventIds.ts';

export const CLICKHOUSE_PROJECTOR = 'clickhouse';

/**
 * The consumer group of a projector into `database`: one group per database, so a rebuilt database
 * comes with its own offsets, and pointing the live projector at it continues where its rebuild
 * stopped (processors/clickhouse/rebuild.ts).
 */
export const clickHouseGroupId = (database: string) => `parley.${CLICKHOUSE_PROJECTOR}.${database}`;
export const DEFAULT_CLICKHOUSE_METRICS_PORT = 9466;
const STALE_CHECK_EVERY = 500;
/** Events per partition whose ids are remembered; Debezium re-sends within seconds of a restart. */
export const DEDUPE_WINDOW = 20_000;

export interface ClickHouseProjectorOptions {
  topics: readonly string[];
  store: AnalyticsStore;
  groupId?: string;
  flushRows: number;
  flushMs: number;
  metricsPort?: number;
  retry?: RetryPolicy;
  /** After each batch is in: its events' Kafka timestamps and when their rows became visible (benchmarks). */
  onFlushed?: (producedAt: readonly number[], visibleAt: number) => void;
  /** When the group gave this instance its partitions (benchmarks time a drain from here). */
  onAssigned?: () => void;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
/** The `event` label of records skipped as a second copy of an event already in. */
const DUPLICATE = 'duplicate (skipped)';

export class ClickHouseProjector {
  readonly metrics: ProcessorMetrics;
  readonly groupId: string;
  private readonly log: Logger;
  private readonly consumer: Consumer;
  private readonly dlq: ProducerTransport;
  private readonly serde: EventSerde;
  private readonly pauser: FetchPauser;
  private readonly deadLetters: DeadLetterSender;
  private readonly throttle = new LogThrottle();
  private readonly retry: RetryPolicy;
  private pending = new PendingBatch();
  /** The inserted prefix: highest offset per table and partition (key: table, topic, partition). */
  private readonly inserted = new Map<string, bigint>();
  /** Partitions whose prefix has been read since the last assignment. */
  private readonly loaded = new Set<string>();
  private readonly recent = new RecentEventIds(DEDUPE_WINDOW);
  /** Flushes run one after another, so batches land in log order. */
  private flushing: Promise<void> = Promise.resolve();
  private flushesRunning = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private metricsServer: Server | undefined;
  private stopping = false;
  private reportCrash: (error: unknown) => void = () => undefined;
  readonly crashed: Promise<unknown> = new Promise((resolve) => (this.reportCrash = resolve));

  constructor(
    private readonly config: ClientConfig,
    private readonly options: ClickHouseProjectorOptions,
  ) {
    this.groupId = options.groupId ?? clickHouseGroupId(options.store.database);
    this.log = rootLogger.child({ processor: CLICKHOUSE_PROJECTOR, group: this.groupId });
    this.retry = { ...(options.retry ?? defaultRetryPolicy), retryEveryFailure: true };
    this.metrics = new ProcessorMetrics(CLICKHOUSE_PROJECTOR, {
      buffered: () => this.pending.size,
      inFlight: () => this.pending.size,
    });
    this.consumer = createKafka(config, `parley-${CLICKHOUSE_PROJECTOR}`).consumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 4_194_304,
      retry: { retries: 10 },
    });
    this.dlq = createTransport('rdkafka', transportSettings(config, `parley-${CLICKHOUSE_PROJECTOR}-dlq`));
    this.serde = new EventSerde(createSchemaRegistry(config));
    this.pauser = new FetchPauser(this.consumer, options.topics, this.metrics, this.log);
    this.deadLetters = new DeadLetterSender({
      transport: this.dlq,
      processor: CLICKHOUSE_PROJECTOR,
      retry: this.retry,
      isStopping: () => this.stopping,
      pauser: this.pauser,
      metrics: this.metrics,
      log: this.log,
    });
  }

  async start(): Promise<void> {
    const port =
      this.options.metricsPort ?? this.config.processor.metricsPort ?? DEFAULT_CLICKHOUSE_METRICS_PORT;
    this.metricsServer = await this.metrics.serve(this.config.processor.metricsHost, port);
    await this.dlq.connect();
    await this.consumer.connect();
    for (const topic of this.options.topics) await this.consumer.subscribe({ topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart && !this.stopping) this.reportCrash(payload.error);
    });
    // Before partitions move, land what is buffered; after, read the prefixes again (another
    // instance may have inserted into a partition this one now owns).
    this.consumer.on(this.consumer.events.REBALANCING, () => void this.flush().catch(() => undefined));
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.loaded.clear();
      this.log.info({ assignment: payload.memberAssignment }, 'partitions assigned');
      this.options.onAssigned?.();
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    const tick = Math.max(10, Math.floor(this.options.flushMs / 4));
    this.flushTimer = setInterval(() => {
      if (this.pending.age() >= this.options.flushMs) void this.flush().catch(() => undefined);
    }, tick);
    this.log.info(
      { topics: this.options.topics, database: this.options.store.database },
      'processor started',
    );
  }

  private async eachBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
    let taken = 0;
    try {
      await this.loadPrefix(topic, partition);
      // What each table already holds of this partition: only rows above it are inserted. Read once
      // per batch: inserts in flight hold rows below this batch, so they cannot move it past a row here.
      const floors = ANALYTICS_TABLES.map(
        (t) => this.inserted.get(this.prefixKey(t, topic, partition)) ?? -1n,
      );
      const processed = new Map<string, number>();
      const key = partitionKey(topic, partition);
      for (const [index, message] of batch.messages.entries()) {
        // kafkajs' isStale serialises the assignment on every call: asked once in a while, not per record.
        if (index % STALE_CHECK_EVERY === 0 && (!isRunning() || isStale() || this.stopping)) break;
        const source = sourceRecordOf(topic, partition, message);
        const at = { topic, partition, offset: message.offset };
        const offset = BigInt(message.offset);
        let rows: AnalyticsRows;
        if (message.value === null) {
          // A tombstone (compacted topics): the key is deleted.
          rows = tombstoneRows(source.key, Number(message.timestamp), at);
        } else {
          let decoded: DecodedEvent;
          try {
            decoded = this.serde.decodeKnown(source.value) ?? (await this.serde.decode(source.value));
          } catch (error) {
            // Undecodable: no retry can fix the bytes. Sent before the offset moves past it.
            await this.deadLetters.send(source, error, 1);
            this.pending.taken(topic, partition, message.offset, Number(message.timestamp));
            resolveOffset(message.offset);
            taken++;
            continue;
          }
          // Above the events prefix, an event is new here unless its id came moments ago (a re-send).
          if (offset > floors[0]!) {
            const eventId = decoded.event.event_id;
            const again = this.recent.has(key, eventId);
            if (!again) this.recent.add(key, eventId);
            if (again) {
              processed.set(DUPLICATE, (processed.get(DUPLICATE) ?? 0) + 1);
              this.pending.taken(topic, partition, message.offset, Number(message.timestamp));
              resolveOffset(message.offset);
              taken++;
              continue;
            }
          }
          rows = analyticsRows(decoded.name, decoded.event, at, source.value.length);
          processed.set(decoded.name, (processed.get(decoded.name) ?? 0) + 1);
        }
        for (const [i, table] of ANALYTICS_TABLES.entries()) {
          const row = rows[table];
          if (row && offset > floors[i]!) this.pending.add(table, row);
        }
        this.pending.taken(topic, partition, message.offset, Number(message.timestamp));
        resolveOffset(message.offset);
        taken++;
      }
      this.metrics.consumed.inc({ topic }, taken);
      for (const [event, count] of processed) this.metrics.processed.inc({ topic, event }, count);
      const last = batch.messages.at(-1);
      if (last)
        this.metrics.lag.set(
          { topic, partition: String(partition) },
          Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n),
        );
      // A full batch is inserted while the next one fills; when that one is full too, fetching
      // waits for the insert (backpressure: at most two batches in memory).
      if (this.pending.size >= this.options.flushRows) {
        if (this.flushesRunning > 0) await this.flushing;
        if (this.pending.size >= this.options.flushRows) void this.flush().catch(() => undefined);
      }
    } finally {
      clearInterval(beat);
    }
  }

  private prefixKey(table: AnalyticsTable, topic: string, partition: number): string {
    return `${table}\u0000${partitionKey(topic, partition)}`;
  }

  /** Reads how far each table got in this partition, once per assignment (after any flush in progress). */
  private async loadPrefix(topic: string, partition: number): Promise<void> {
    const key = partitionKey(topic, partition);
    if (this.loaded.has(key)) return;
    await this.flushing;
    await withRetries(
      async () => {
        await this.readPrefix(topic);
        this.recent.reset(key, await this.options.store.lastEventIds(topic, partition, DEDUPE_WINDOW));
      },
      this.retry,
      {
        isStopping: () => this.stopping,
        onFailure: (error, _kind, attempt, delayMs) =>
          this.warn('reading inserted offsets', error, attempt, delayMs),
      },
    );
    this.loaded.add(key);
  }

  private async readPrefix(
    topic: string,
    tables: readonly AnalyticsTable[] = ANALYTICS_TABLES,
  ): Promise<void> {
    for (const table of tables) {
      const offsets = await this.options.store.insertedOffsets(table, topic);
      for (const [partition, offset] of offsets)
        this.inserted.set(this.prefixKey(table, topic, partition), offset);
    }
  }

  /** Inserts what is pending (after any flush in progress), then commits its offsets. */
  flush(): Promise<void> {
    this.flushesRunning++;
    const next = this.flushing.then(() => this.flushOnce()).finally(() => this.flushesRunning--);
    this.flushing = next.catch((error: unknown) => {
      // Inserts retry without limit, so only stopping ends one early. Anything else would leave a
      // taken batch out while later offsets get committed: stop consuming instead (the process
      // exits, and a restart redelivers from the last commit).
      if (this.stopping) return;
      this.log.fatal({ err: error }, 'a batch could not be flushed: stopping');
      this.reportCrash(error);
    });
    return next;
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending.take();
    // Each table's prefix is its own: the tables' inserts run side by side (waiting for all of them).
    const inserts = await Promise.allSettled(
      [...batch.rows].map(([table, rows]) => this.insert(table, rows)),
    );
    for (const result of inserts) if (result.status === 'rejected') throw result.reason;
    const durableAt = Date.now();
    const age = this.metrics.recordAgeSeconds.labels('durable');
    for (const producedAt of batch.producedAt) age.observe((durableAt - producedAt) / 1000);
    this.options.onFlushed?.(batch.producedAt, durableAt);
    this.metrics.batchSize.observe(batch.events);
    await this.commit(batch);
  }

  private async insert(table: AnalyticsTable, firstRows: AnalyticsRow[]): Promise<void> {
    let rows = firstRows;
    let failedBefore = false;
    let pausedHere = false;
    const started = performance.now();
    try {
      await withRetries(
        async () => {
          if (failedBefore) rows = await this.notYetInserted(table, rows);
          await this.options.store.insert(table, rows);
        },
        this.retry,
        {
          isStopping: () => this.stopping,
          onFailure: (error, _kind, attempt, delayMs) => {
            failedBefore = true;
            if (!pausedHere) {
              pausedHere = true;
              this.pauser.pause();
            }
            this.metrics.failed.inc({ topic: table, kind: 'transient' });
            this.warn(`inserting into ${table}`, error, attempt, delayMs);
          },
        },
      );
    } finally {
      if (pausedHere) this.pauser.resume();
    }
    this.metrics.processingSeconds.observe((performance.now() - started) / 1000);
    // Rows of a partition are in log order: its last row is its highest offset.
    const last = new Map<string, string>();
    for (const row of rows)
      last.set(this.prefixKey(table, row.kafka_topic, row.kafka_partition), row.kafka_offset);
    for (const [key, offset] of last)
      if (BigInt(offset) > (this.inserted.get(key) ?? -1n)) this.inserted.set(key, BigInt(offset));
  }

  /** After a failed insert: the rows it may not have landed (its reply can be lost after it did). */
  private async notYetInserted<
    R extends { kafka_topic: string; kafka_partition: number; kafka_offset: string },
  >(table: AnalyticsTable, rows: R[]): Promise<R[]> {
    for (const topic of new Set(rows.map((r) => r.kafka_topic))) await this.readPrefix(topic, [table]);
    return rows.filter(
      (r) =>
        BigInt(r.kafka_offset) >
        (this.inserted.get(this.prefixKey(table, r.kafka_topic, r.kafka_partition)) ?? -1n),
    );
  }

  /** A failed commit costs nothing but a redelivery, which the prefix skips: logged, not retried. */
  private async commit(batch: TakenBatch): Promise<void> {
    if (batch.positions.length === 0) return;
    try {
      await this.consumer.commitOffsets(batch.positions);
    } catch (error) {
      if (this.throttle.shouldLog('commit'))
        this.log.warn({ err: error }, 'offset commit failed: the rows are in; a redelivery will skip them');
    }
  }

  private warn(what: string, error: unknown, attempt: number, delayMs: number): void {
    if (this.throttle.shouldLog(what))
      this.log.warn({ err: error, attempt, delayMs }, `${what} failed: fetching paused, retrying`);
  }

  /** Stops fetching, inserts what is pending, commits, closes. */
  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.consumer.stop();
    // One last attempt: what does not land stays uncommitted and is redelivered on the next start.
    this.stopping = true;
    await this.flush().catch((error: unknown) =>
      this.log.warn({ err: error }, 'final flush failed: its records will be redelivered'),
    );
    await this.consumer.disconnect();
    await this.dlq.disconnect();
    await new Promise<void>((resolve) =>
      this.metricsServer ? this.metricsServer.close(() => resolve()) : resolve(),
    );
  }
}
