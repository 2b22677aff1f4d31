// The shared runtime of every processor: consumer group, decoding, key-ordered parallel handling,
// retries, dead-lettering, offset commits of completed work only, backpressure, graceful stop,
// metrics. A processor supplies only its topics and a `handle` function (see ProcessorDefinition).
//
// This file wires the parts and runs their lifecycle. A record's way through them:
//   fetchIntake.ts       takes fetched records in: buffer room, decoding in log order
//   keyedExecutor.ts     runs them: one key in order, different keys in parallel
//   retryingHandler.ts   calls `handle` with retries; isolates a failing call's poison record
//   deadLetterSender.ts  sends what cannot be handled to the dead-letter topic, never dropping it
//   fetchPauser.ts       pauses fetching while a sink is down
//   offsetCommitter.ts   commits the offsets of completed records only
import type { Server } from 'node:http';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka, createSchemaRegistry } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import { logger as rootLogger } from '../../core/logger.ts';
import { createTransport, transportSettings } from '../../producers/eventProducer.ts';
import type { ProducerTransport } from '../../producers/transport.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { DeadLetterSender } from './deadLetterSender.ts';
import { FetchIntake, type TakenRecord } from './fetchIntake.ts';
import { FetchPauser } from './fetchPauser.ts';
import { KeyedExecutor } from './keyedExecutor.ts';
import { ProcessorMetrics } from './metrics.ts';
import { OffsetCommitter } from './offsetCommitter.ts';
import type { ProcessorDefinition } from './processorDefinition.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import { RetryingHandler } from './retryingHandler.ts';

export type { ProcessorDefinition, ProcessorRecord } from './processorDefinition.ts';

export interface RuntimeOptions {
  groupId?: string;
  fromBeginning?: boolean;
  retry?: RetryPolicy;
}

/** Records fetched ahead of those being handled: enough to keep the sink busy between fetches. */
const BUFFERED_PER_IN_FLIGHT = 4;
const CAPACITY_REFRESH_MS = 500;

export class ProcessorRuntime {
  readonly metrics: ProcessorMetrics;
  readonly groupId: string;
  private readonly log: Logger;
  private readonly consumer: Consumer;
  private readonly dlq: ProducerTransport;
  /** Records fetched and not yet done (bounded: fetching waits for room, never buffers without end). */
  private readonly buffered: InFlightWindow;
  private readonly executor: KeyedExecutor<TakenRecord>;
  private readonly offsets: OffsetCommitter;
  private readonly intake: FetchIntake;
  private readonly activeBatches = new Set<Promise<void>>();
  private commitTimer: NodeJS.Timeout | undefined;
  private capacityTimer: NodeJS.Timeout | undefined;
  private metricsServer: Server | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private reportCrash: (error: unknown) => void = () => undefined;
  /**
   * Settles with the error when the Kafka consumer has crashed for good (kafkajs will not restart
   * it): the processor then consumes nothing, so its process should exit non-zero.
   */
  readonly crashed: Promise<unknown> = new Promise((resolve) => (this.reportCrash = resolve));

  constructor(
    private readonly definition: ProcessorDefinition,
    private readonly config: ClientConfig,
    private readonly options: RuntimeOptions = {},
  ) {
    this.groupId = options.groupId ?? `parley.${definition.name}`;
    this.log = rootLogger.child({ processor: definition.name, group: this.groupId });
    this.metrics = new ProcessorMetrics(definition.name, {
      buffered: () => this.buffered.size,
      inFlight: () => this.executor.inFlight,
    });
    this.consumer = createKafka(config, `parley-${definition.name}`).consumer({
      groupId: this.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1_048_576,
      retry: { retries: 10 },
    });
    this.dlq = createTransport('rdkafka', transportSettings(config, `parley-${definition.name}-dlq`));
    this.buffered = new InFlightWindow(this.bufferedLimit());

    const isStopping = () => this.stopping;
    const { metrics, log } = this;
    const pauser = new FetchPauser(this.consumer, definition.topics, metrics, log);
    const deadLetters = new DeadLetterSender({
      transport: this.dlq,
      processor: definition.name,
      retry: options.retry ?? defaultRetryPolicy,
      isStopping,
      pauser,
      metrics,
      log,
    });
    const handler = new RetryingHandler({
      handle: (records, context) => definition.handle(records, context),
      retry: {
        ...(options.retry ?? { ...defaultRetryPolicy, maxAttempts: config.processor.maxAttempts }),
        // The processor's bound, whatever the backoff (tests shorten the backoff, not the policy).
        maxTransientAttempts: definition.maxTransientAttempts,
      },
      classify: definition.classifyFailure && ((error) => definition.classifyFailure!(error)),
      callTimeoutMs: definition.callTimeoutMs,
      isStopping,
      pauser,
      deadLetters,
      metrics,
      log,
    });
    this.offsets = new OffsetCommitter({
      consumer: this.consumer,
      buffered: this.buffered,
      isStopping,
      metrics,
      log,
    });
    this.executor = new KeyedExecutor<TakenRecord>({
      maxInFlight: definition.capacity ? () => this.capacity() : config.processor.maxInFlight,
      batchSize: definition.batchSize ?? 1,
      batchWaitMs: definition.batchWaitMs ?? 2,
      sameKeyInBatch: definition.sameKeyInBatch ?? false,
      keyOf: (taken) => taken.record.key,
      handle: (taken) => handler.handle(taken.map((t) => t.record)),
      admit: (taken) => this.offsets.admit(taken),
      done: (taken) => this.offsets.completed(taken),
      failed: (taken, error) => this.offsets.notHandled(taken, error),
    });
    this.intake = new FetchIntake({
      buffered: this.buffered,
      serde: new EventSerde(createSchemaRegistry(config)),
      executor: this.executor,
      offsets: this.offsets,
      deadLetters,
      isStopping,
      metrics,
    });
  }

  /** The in-flight limit the processor asks for now, within 1..PARLEY_PROCESSOR_MAX_IN_FLIGHT. */
  private capacity(): number {
    const { maxInFlight } = this.config.processor;
    const wanted = this.definition.capacity?.() ?? maxInFlight;
    return Math.min(maxInFlight, Math.max(1, Math.floor(wanted)));
  }

  /** Fetched ahead of the handlers: a fixed multiple of the in-flight limit, or 2× a processor's capacity. */
  private bufferedLimit(): number {
    return this.definition.capacity ? 2 * this.capacity() : BUFFERED_PER_IN_FLIGHT * this.capacity();
  }

  async start(): Promise<void> {
    if (this.definition.capacity)
      this.capacityTimer = setInterval(() => {
        this.buffered.setLimit(this.bufferedLimit());
        this.executor.poke();
      }, CAPACITY_REFRESH_MS).unref();
    const port = this.config.processor.metricsPort ?? this.definition.metricsPort;
    this.metricsServer = await this.metrics.serve(this.config.processor.metricsHost, port);
    await this.dlq.connect();
    await this.consumer.connect();
    for (const topic of this.definition.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (!payload.restart && !this.stopping) this.reportCrash(payload.error);
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.offsets.reset();
      this.definition.onPartitionsAssigned?.();
      this.log.info({ assignment: payload.memberAssignment }, 'partitions assigned');
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: (payload: EachBatchPayload) => {
        const running = this.intake.eachBatch(payload);
        this.activeBatches.add(running);
        return running.finally(() => this.activeBatches.delete(running));
      },
    });
    this.commitTimer = setInterval(
      () => void this.offsets.commitCompleted(),
      this.config.processor.commitIntervalMs,
    );
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
      // New batches now start nothing; records already taken finish (or fill gaps, see
      // OffsetCommitter.admit).
      await Promise.allSettled([...this.activeBatches]);
      await this.buffered.idle();
      clearInterval(this.commitTimer);
      clearInterval(this.capacityTimer);
      await this.offsets.commitCompleted();
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
}
