// Backoff with jitter, one implementation for every processor. Transient failures are retried
// until they stop (or the processor shuts down); others a bounded number of times.
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyFailure, retryAfterMs, type FailureKind } from '../../core/failures.ts';

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts for failures that are not known to be transient. */
  maxAttempts: number;
  /**
   * Attempts for transient failures (default: no limit, right for a sink outage). A processor
   * whose record can fail transiently for ever (a prompt the model always times out on) bounds
   * it, so one record cannot stall its partitions.
   */
  maxTransientAttempts?: number;
  /**
   * Retry every failure, permanent ones included, until stopping: for a destination nothing else
   * can replace (the dead-letter topic), where giving up would lose the record.
   */
  retryEveryFailure?: boolean;
}

export const defaultRetryPolicy: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 5 };

export class RetriesExhaustedError extends Error {
  override name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly kind: FailureKind,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export class ShutdownError extends Error {
  override name = 'ShutdownError';
}

export interface RetryHooks {
  onFailure?: (error: unknown, kind: FailureKind, attempt: number, delayMs: number) => void;
  isStopping: () => boolean;
  /** The processor's own view of an error; undefined falls back to classifyFailure. */
  classify?: (error: unknown) => FailureKind | undefined;
}

/** The longest Retry-After honoured: a server asking for more is retried after this. */
const MAX_RETRY_AFTER_MS = 300_000;

/** Exponential backoff with jitter: between half and all of min(max, initial × 2^(attempt-1)). */
function backoffMs(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

export async function withRetries<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const kind = hooks.classify?.(error) ?? classifyFailure(error);
      const exhausted =
        kind === 'permanent' ||
        (kind === 'unknown' && attempt >= policy.maxAttempts) ||
        (kind === 'transient' && attempt >= (policy.maxTransientAttempts ?? Infinity));
      if (exhausted && !policy.retryEveryFailure) {
        throw new RetriesExhaustedError(attempt, kind, error);
      }
      if (hooks.isStopping()) throw new ShutdownError('shutting down during retries', { cause: error });
      // A server that says when to come back (Retry-After) is believed, up to a bound.
      const delayMs = Math.max(
        backoffMs(policy, attempt),
        Math.min(retryAfterMs(error) ?? 0, MAX_RETRY_AFTER_MS),
      );
      hooks.onFailure?.(error, kind, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
