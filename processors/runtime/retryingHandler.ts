// Calls the processor's `handle` with retries: transient failures pause fetching and retry (without
// limit unless the processor bounds them); a call that still fails is split to find its poison
// record, which goes to the dead-letter topic while the call's other records still land.
import type { Logger } from 'pino';
import type { DeadLetterSender } from './deadLetterSender.ts';
import type { FetchPauser } from './fetchPauser.ts';
import { LogThrottle } from './logThrottle.ts';
import type { ProcessorMetrics } from './metrics.ts';
import type { FailureKind } from '../../core/failures.ts';
import type { HandleContext, ProcessorRecord } from './processorDefinition.ts';
import { RetriesExhaustedError, withRetries, type RetryPolicy } from './retry.ts';

/** An attempt that passed the processor's deadline: transient, like any other timeout. */
export class CallDeadlineError extends Error {
  override name = 'CallDeadlineError';
  readonly retriable = true;
}

export interface RetryingHandlerOptions {
  /** The processor's handler. */
  handle: (records: ProcessorRecord[], context: HandleContext) => Promise<void>;
  retry: RetryPolicy;
  classify?: (error: unknown) => FailureKind | undefined;
  /** Deadline of one attempt (undefined: none). */
  callTimeoutMs?: number;
  isStopping: () => boolean;
  pauser: FetchPauser;
  deadLetters: DeadLetterSender;
  metrics: ProcessorMetrics;
  log: Logger;
}

export class RetryingHandler {
  private readonly throttle = new LogThrottle();

  constructor(private readonly options: RetryingHandlerOptions) {}

  /**
   * Resolves once every record landed or is in the dead-letter topic; rejects (records left
   * uncommitted) only if the processor stops during retries or something unforeseen fails.
   */
  async handle(records: ProcessorRecord[]): Promise<void> {
    const started = performance.now();
    this.options.metrics.batchSize.observe(records.length);
    let pausedHere = false; // this call holds one pause while its sink is down
    try {
      await withRetries(() => this.attempt(records), this.options.retry, {
        isStopping: this.options.isStopping,
        classify: this.options.classify,
        onFailure: (error, kind, attempt, delayMs) => {
          this.options.metrics.failed.inc({ topic: records[0]!.topic, kind });
          if (kind === 'transient' && !pausedHere) {
            pausedHere = true;
            this.options.pauser.pause();
          }
          if (this.throttle.shouldLog(kind))
            this.options.log.warn(
              { err: error, kind, attempt, delayMs, records: records.length },
              'handler failed, retrying',
            );
        },
      });
      // One increment per topic and event type, not one per record.
      const counts = new Map<string, { topic: string; event: string; n: number }>();
      for (const r of records) {
        const key = `${r.topic}\0${r.name}`;
        let count = counts.get(key);
        if (!count) counts.set(key, (count = { topic: r.topic, event: r.name, n: 0 }));
        count.n++;
      }
      for (const { topic, event, n } of counts.values())
        this.options.metrics.processed.inc({ topic, event }, n);
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError)) throw error; // shutting down: leave uncommitted
      if (records.length > 1) {
        await this.isolatePoison(records);
        return;
      }
      await this.options.deadLetters.send(records[0]!, error, error.attempts);
    } finally {
      if (pausedHere) this.options.pauser.resume();
      this.options.metrics.processingSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /** One call of the handler, failed at its deadline (its signal aborted) if it has one. */
  private attempt(records: ProcessorRecord[]): Promise<void> {
    const controller = new AbortController();
    const call = this.options.handle(records, { signal: controller.signal });
    const ms = this.options.callTimeoutMs;
    if (ms === undefined) return call;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new CallDeadlineError(`handler call took longer than ${ms} ms`);
        controller.abort(error);
        reject(error);
      }, ms);
    });
    return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
  }

  /**
   * Finds the poison record of a call that failed: retries each record alone, so the others still
   * land (keys in parallel, the records of one key in order).
   */
  private async isolatePoison(records: ProcessorRecord[]): Promise<void> {
    const byKey = new Map<string, ProcessorRecord[]>();
    for (const r of records) {
      const ofKey = byKey.get(r.key);
      if (ofKey) ofKey.push(r);
      else byKey.set(r.key, [r]);
    }
    await Promise.all(
      [...byKey.values()].map(async (ofKey) => {
        for (const r of ofKey) await this.handle([r]);
      }),
    );
  }
}
