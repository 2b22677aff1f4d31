// Sends the records no handler call can make durable to their topic's dead-letter topic.
import type { Logger } from 'pino';
import type { ProducerTransport } from '../../producers/transport.ts';
import { DLQ_HEADERS, deadLetterRecord, type SourceRecord } from './deadLetter.ts';
import type { FetchPauser } from './fetchPauser.ts';
import { LogThrottle } from './logThrottle.ts';
import type { ProcessorMetrics } from './metrics.ts';
import { withRetries, type RetryPolicy } from './retry.ts';

export interface DeadLetterSenderOptions {
  transport: ProducerTransport;
  /** The processor's name, recorded in the dead-letter headers. */
  processor: string;
  /** Backoff between sends; every failure is retried, whatever this policy's attempts. */
  retry: RetryPolicy;
  isStopping: () => boolean;
  pauser: FetchPauser;
  metrics: ProcessorMetrics;
  log: Logger;
}

export class DeadLetterSender {
  private readonly retry: RetryPolicy;
  private readonly throttle = new LogThrottle();

  constructor(private readonly options: DeadLetterSenderOptions) {
    this.retry = { ...options.retry, retryEveryFailure: true };
  }

  /**
   * The dead-letter topic is a sink too: while it refuses a record (down, or the record too large
   * for it), fetching pauses and the send is retried with backoff, whatever the error, until it
   * lands or the processor stops (then the record stays uncommitted). A record is never dropped.
   */
  async send(source: SourceRecord, error: unknown, attempts: number): Promise<void> {
    const record = deadLetterRecord(source, error, attempts, this.options.processor);
    const where = { topic: source.topic, partition: source.partition, offset: source.offset };
    let pausedHere = false;
    try {
      await withRetries(() => this.options.transport.send([record]), this.retry, {
        isStopping: this.options.isStopping,
        onFailure: (sendError, _kind, attempt, delayMs) => {
          if (!pausedHere) {
            pausedHere = true;
            this.options.pauser.pause();
          }
          this.options.metrics.failed.inc({ topic: source.topic, kind: 'dead-letter' });
          if (this.throttle.shouldLog('dead-letter'))
            this.options.log.error(
              { ...where, err: sendError, attempt, delayMs },
              'the dead-letter topic refused a record: fetching paused, retrying',
            );
        },
      });
    } finally {
      if (pausedHere) this.options.pauser.resume();
    }
    this.options.metrics.deadLettered.inc({ topic: source.topic });
    this.options.log.error(
      { ...where, reason: record.headers[DLQ_HEADERS.reason] },
      'record sent to the dead-letter topic',
    );
  }
}
