// Streams an answer's tokens into a Redis Stream (format: answerStreamEntry.ts) so a client that
// connects late or reconnects catches up. Tokens are coalesced: appends within `flushIntervalMs`
// become one XADD; each stream has at most one write in flight, so its entries stay in order.
//
// Redis is a convenience here, not the record (the answer is an event on Kafka): a Redis failure is
// counted and reported to `onError`, never thrown into the caller. A failed write may or may not
// have landed, so the writer does not resend it; the next write is a resync instead (a `restart`
// entry with reason `resync`, then the whole text of the current attempt), which leaves every
// reader correct whatever the failed write did. A stream's first write deletes what an earlier run
// for the same answer left (a processor that crashed mid-answer), writes `start` and sets the TTL;
// the final write (done, error, or close) refreshes the TTL.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import {
  answerStreamKey,
  defaultAnswerStreamPrefix,
  encodeEntry,
  resyncReason,
  type AnswerStreamEntry,
} from './answerStreamEntry.ts';

export interface TokenStreamErrorContext {
  answerMessageId: string;
  /** `write`: a Redis write failed; `final-timeout`: the final write did not settle in time. */
  operation: 'write' | 'final-timeout';
}

export interface TokenStreamWriterOptions {
  /**
   * The most a token waits before it is written (and the least time between two writes of one
   * stream). Default 20 ms: about one display frame (16.7 ms at 60 Hz), so a reader sees no
   * difference from per-token writes, while one stream costs at most 50 writes/s however fast the
   * model (servers burst 100+ tokens/s). The first write after a quiet interval goes at once.
   */
  flushIntervalMs?: number;
  /** Life of a stream, set on its first write and refreshed by its last. Default 3600 (1 h). */
  ttlSeconds?: number;
  /**
   * How long finish/fail/close wait for their final write (retried with backoff until then).
   * Default 2000 ms: a local Redis answers in about a millisecond, and 2 s rides out a reconnect,
   * yet bounds how long a dead Redis can hold up an answer's completion or a shutdown.
   */
  finalWriteTimeoutMs?: number;
  /** First delay after a failed write (doubling per failure up to 2 s). Default 100 ms. */
  retryBackoffMs?: number;
  /** Key prefix. Default `parley:answer:` (keys `parley:answer:<id>:tokens`). */
  keyPrefix?: string;
  /** Every Redis failure; called synchronously, must not throw (a throw is ignored). */
  onError?: (error: Error, context: TokenStreamErrorContext) => void;
  /** Registers parley_token_stream_* metrics here when given. */
  registry?: Registry;
}

export interface AnswerTokenStream {
  readonly answerMessageId: string;
  readonly key: string;
  /** Queues text; written within flushIntervalMs. Ignored after the stream ended. */
  append(text: string): void;
  /** Generation starts again from scratch: readers drop what they showed. */
  restart(reason: string): void;
  /**
   * Writes pending text and a `done` entry. Resolves when the final write settled (true: in Redis)
   * or after finalWriteTimeoutMs (false); never rejects. A second end call returns the first's promise.
   */
  finish(info: { finishReason: string; tokensIn?: number; tokensOut?: number }): Promise<boolean>;
  /** As finish, with an `error` entry. */
  fail(info: { code: string; message: string }): Promise<boolean>;
  /** Writes pending text without a terminal entry (the answer is abandoned here, e.g. at shutdown). */
  close(): Promise<boolean>;
}

export interface TokenStreamMetrics {
  writes: Counter<'outcome'>;
  entries: Counter<'type'>;
}

const defaults = {
  flushIntervalMs: 20,
  ttlSeconds: 3600,
  finalWriteTimeoutMs: 2000,
  retryBackoffMs: 100,
  keyPrefix: defaultAnswerStreamPrefix,
};

const maxRetryBackoffMs = 2000;

type Command = [string, ...(string | number)[]];

function metricsIn(registry: Registry, openStreams: () => number): TokenStreamMetrics {
  const existing = (name: string) => registry.getSingleMetric(name);
  const registers = [registry];
  const writes =
    (existing('parley_token_stream_writes_total') as Counter<'outcome'> | undefined) ??
    new Counter({
      name: 'parley_token_stream_writes_total',
      help: 'Redis writes (one XADD batch each) of answer token streams, by outcome',
      labelNames: ['outcome'],
      registers,
    });
  const entries =
    (existing('parley_token_stream_entries_total') as Counter<'type'> | undefined) ??
    new Counter({
      name: 'parley_token_stream_entries_total',
      help: 'Entries written to answer token streams, by type',
      labelNames: ['type'],
      registers,
    });
  if (!existing('parley_token_stream_open'))
    new Gauge({
      name: 'parley_token_stream_open',
      help: 'Answer token streams open (not yet finished, failed or closed)',
      registers,
      collect() {
        this.set(openStreams());
      },
    });
  return { writes, entries };
}

export class TokenStreamWriter {
  private readonly settings: typeof defaults;
  private readonly open_ = new Set<Stream>();
  private readonly metrics: TokenStreamMetrics | undefined;
  private errorCount = 0;

  /** The writer does not own `redis`: the caller quits it after close(). */
  constructor(
    private readonly redis: Redis,
    private readonly options: TokenStreamWriterOptions = {},
  ) {
    this.settings = {
      flushIntervalMs: options.flushIntervalMs ?? defaults.flushIntervalMs,
      ttlSeconds: options.ttlSeconds ?? defaults.ttlSeconds,
      finalWriteTimeoutMs: options.finalWriteTimeoutMs ?? defaults.finalWriteTimeoutMs,
      retryBackoffMs: options.retryBackoffMs ?? defaults.retryBackoffMs,
      keyPrefix: options.keyPrefix ?? defaults.keyPrefix,
    };
    const s = this.settings;
    if (!(s.flushIntervalMs >= 0))
      throw new RangeError(`flushIntervalMs must be >= 0, got ${s.flushIntervalMs}`);
    if (!Number.isInteger(s.ttlSeconds) || s.ttlSeconds < 1)
      throw new RangeError(`ttlSeconds must be a positive integer, got ${s.ttlSeconds}`);
    if (!(s.finalWriteTimeoutMs > 0))
      throw new RangeError(`finalWriteTimeoutMs must be > 0, got ${s.finalWriteTimeoutMs}`);
    this.metrics = options.registry && metricsIn(options.registry, () => this.open_.size);
  }

  /** Redis failures so far (each also reported to onError). */
  get errors(): number {
    return this.errorCount;
  }

  /** Streams not yet finished, failed or closed. */
  get openStreams(): number {
    return this.open_.size;
  }

  /**
   * Starts an answer's stream: replaces whatever the key holds with a `start` entry carrying `meta`
   * (e.g. chat id, model version), written at once so a reader finds the stream before the first token.
   */
  open(answerMessageId: string, meta: Record<string, string> = {}): AnswerTokenStream {
    const stream = new Stream(
      this.redis,
      answerMessageId,
      answerStreamKey(answerMessageId, this.settings.keyPrefix),
      meta,
      this.settings,
      {
        error: (error, operation) => this.report(error, { answerMessageId, operation }),
        written: (entries, ok) => {
          this.metrics?.writes.inc({ outcome: ok ? 'ok' : 'error' });
          if (ok) for (const e of entries) this.metrics?.entries.inc({ type: e.type });
        },
        ended: () => this.open_.delete(stream),
      },
    );
    this.open_.add(stream);
    return stream;
  }

  /** Closes every open stream (pending text written, no terminal entry); resolves when all settled. */
  async close(): Promise<void> {
    await Promise.all([...this.open_].map((s) => s.close()));
  }

  private report(error: unknown, context: TokenStreamErrorContext): void {
    this.errorCount += 1;
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // the callback's own failure must not reach the answer's path either
    }
  }
}

interface StreamHooks {
  error: (error: unknown, operation: TokenStreamErrorContext['operation']) => void;
  written: (entries: AnswerStreamEntry[], ok: boolean) => void;
  ended: () => void;
}

class Stream implements AnswerTokenStream {
  /** Entries not yet handed to Redis; a trailing token entry grows as text arrives. */
  private queue: AnswerStreamEntry[];
  /** The text of the current attempt (since start or the last restart), for a resync. */
  private attemptText = '';
  private readonly startEntry: AnswerStreamEntry;
  private startConfirmed = false;
  private ttlConfirmed = false;
  private needsResync = false;
  private state: 'open' | 'ending' | 'ended' = 'open';
  private terminal: AnswerStreamEntry | undefined;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = -Infinity;
  private failures = 0;
  private lastFailureAt = -Infinity;
  private ending: Promise<boolean> | undefined;
  private settle: ((written: boolean) => void) | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    readonly answerMessageId: string,
    readonly key: string,
    meta: Record<string, string>,
    private readonly settings: typeof defaults,
    private readonly hooks: StreamHooks,
  ) {
    this.startEntry = { type: 'start', meta: { ...meta } };
    this.queue = [this.startEntry];
    this.schedule();
  }

  append(text: string): void {
    if (this.state !== 'open' || text === '') return;
    this.attemptText += text;
    const last = this.queue.at(-1);
    if (last?.type === 'token') last.text += text;
    else this.queue.push({ type: 'token', text });
    this.schedule();
  }

  restart(reason: string): void {
    if (this.state !== 'open') return;
    this.attemptText = '';
    // Text queued before the restart still goes out first: readers drop it at the restart entry.
    this.queue.push({ type: 'restart', reason });
    this.schedule();
  }

  finish(info: { finishReason: string; tokensIn?: number; tokensOut?: number }): Promise<boolean> {
    return this.end({
      type: 'done',
      finishReason: info.finishReason,
      ...(info.tokensIn === undefined ? {} : { tokensIn: info.tokensIn }),
      ...(info.tokensOut === undefined ? {} : { tokensOut: info.tokensOut }),
    });
  }

  fail(info: { code: string; message: string }): Promise<boolean> {
    return this.end({ type: 'error', code: info.code, message: info.message });
  }

  close(): Promise<boolean> {
    return this.end(undefined);
  }

  private end(terminal: AnswerStreamEntry | undefined): Promise<boolean> {
    if (this.ending) return this.ending;
    this.state = 'ending';
    this.terminal = terminal;
    this.ending = new Promise<boolean>((resolve) => (this.settle = resolve));
    this.deadline = setTimeout(() => {
      this.hooks.error(
        new Error(`${this.key}: final write not settled within ${this.settings.finalWriteTimeoutMs} ms`),
        'final-timeout',
      );
      this.finalize(false);
    }, this.settings.finalWriteTimeoutMs);
    // The terminal write goes at once (after a write in flight), not at the next interval.
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
    return this.ending;
  }

  private finalize(written: boolean): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.timer = undefined;
    this.queue = [];
    this.hooks.ended();
    this.settle?.(written);
  }

  private hasWork(): boolean {
    return this.state === 'ending' || this.queue.length > 0 || this.needsResync;
  }

  private schedule(): void {
    if (this.timer || this.inFlight || this.state === 'ended' || !this.hasWork()) return;
    const now = performance.now();
    let at = this.state === 'ending' ? now : this.lastWriteAt + this.settings.flushIntervalMs;
    if (this.failures > 0) {
      const backoff = Math.min(maxRetryBackoffMs, this.settings.retryBackoffMs * 2 ** (this.failures - 1));
      at = Math.max(at, this.lastFailureAt + backoff);
    }
    // Always a timer, even at delay 0: appends made in the same tick join this write.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.flush();
      },
      Math.max(0, at - now),
    );
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.state === 'ended' || !this.hasWork()) return;
    const final = this.state === 'ending';
    const entries: AnswerStreamEntry[] = [];
    let replace = false;
    if (this.needsResync) {
      // The last write may or may not have landed: rewrite the current attempt whole.
      if (this.startConfirmed) entries.push({ type: 'restart', reason: resyncReason });
      else {
        replace = true;
        entries.push(this.startEntry);
      }
      if (this.attemptText !== '') entries.push({ type: 'token', text: this.attemptText });
    } else {
      replace = !this.startConfirmed; // the first write, which begins with the start entry
      entries.push(...this.queue);
    }
    if (final && this.terminal) entries.push(this.terminal);
    this.queue = [];
    this.needsResync = false;
    const expire = final || !this.ttlConfirmed;

    const commands: Command[] = [];
    if (replace) commands.push(['del', this.key]);
    for (const entry of entries) commands.push(['xadd', this.key, '*', ...encodeEntry(entry)]);
    if (expire) commands.push(['expire', this.key, this.settings.ttlSeconds]);

    this.inFlight = true;
    this.lastWriteAt = performance.now();
    const ok = await this.write(commands);
    this.inFlight = false;
    this.hooks.written(entries, ok);
    if (ok) {
      this.failures = 0;
      this.startConfirmed = true;
      if (expire) this.ttlConfirmed = true;
      if (final) this.finalize(true);
    } else {
      this.failures += 1;
      this.lastFailureAt = performance.now();
      this.needsResync = true;
    }
    this.schedule();
  }

  /** One round trip: a single command alone, several as MULTI/EXEC (all or nothing). */
  private async write(commands: Command[]): Promise<boolean> {
    try {
      if (commands.length === 1) {
        const [name, ...args] = commands[0]!;
        await this.redis.call(name, ...args);
        return true;
      }
      const results = await this.redis.multi(commands).exec();
      if (results === null) throw new Error(`${this.key}: transaction discarded`);
      for (const [error] of results) if (error) throw error;
      return true;
    } catch (error) {
      this.hooks.error(error, 'write');
      return false;
    }
  }
}
