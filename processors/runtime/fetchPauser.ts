// Pauses fetching while a sink is down; in-flight records keep retrying. Each failing call (a
// handler call or a dead-letter send) holds one pause, so fetching resumes only once every sink
// that was down has recovered.
import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ProcessorMetrics } from './metrics.ts';

export class FetchPauser {
  private pausedFor = 0;

  constructor(
    private readonly consumer: Pick<Consumer, 'pause' | 'resume'>,
    private readonly topics: readonly string[],
    private readonly metrics: ProcessorMetrics,
    private readonly log: Logger,
  ) {}

  /** Takes one pause; the first pauses fetching. Pair each call with one `resume`. */
  pause(): void {
    if (this.pausedFor++ === 0) {
      this.consumer.pause(this.topics.map((topic) => ({ topic })));
      this.metrics.paused.set(1);
      this.log.warn('sink unavailable: fetching paused');
    }
  }

  /** Gives one pause back; the last resumes fetching. */
  resume(): void {
    if (this.pausedFor > 0 && --this.pausedFor === 0) {
      this.consumer.resume(this.topics.map((topic) => ({ topic })));
      this.metrics.paused.set(0);
      this.log.info('sink recovered: fetching resumed');
    }
  }
}
