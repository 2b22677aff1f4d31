import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PoisonRecordError } from '../../core/errors.ts';
import { RetriesExhaustedError, ShutdownError, withRetries } from './retry.ts';

const fast = { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };

/** Fails with `error` the first `failures` calls, then succeeds; counts calls. */
function flaky(failures: number, error: () => Error) {
  let calls = 0;
  return {
    fn: async () => {
      if (++calls <= failures) throw error();
      return calls;
    },
    calls: () => calls,
  };
}

test('a permanent failure is not retried', async () => {
  const op = flaky(1, () => new PoisonRecordError('bad record'));
  await assert.rejects(withRetries(op.fn, fast, { isStopping: () => false }), RetriesExhaustedError);
  assert.equal(op.calls(), 1);
});

test('retryEveryFailure retries permanent failures too, until success', async () => {
  const op = flaky(5, () => new PoisonRecordError('refused'));
  const result = await withRetries(op.fn, { ...fast, retryEveryFailure: true }, { isStopping: () => false });
  assert.equal(result, 6);
});

test('retryEveryFailure still gives up when stopping', async () => {
  const op = flaky(100, () => new Error('down'));
  await assert.rejects(
    withRetries(op.fn, { ...fast, retryEveryFailure: true }, { isStopping: () => op.calls() >= 4 }),
    ShutdownError,
  );
  assert.equal(op.calls(), 4);
});

test('transient failures retry without limit unless the policy bounds them', async () => {
  const timeout = () => Object.assign(new Error('slow'), { code: 'ETIMEDOUT' });
  const unbounded = flaky(10, timeout);
  assert.equal(await withRetries(unbounded.fn, fast, { isStopping: () => false }), 11);
  const bounded = flaky(100, timeout);
  await assert.rejects(
    withRetries(bounded.fn, { ...fast, maxTransientAttempts: 3 }, { isStopping: () => false }),
    (error) => error instanceof RetriesExhaustedError && error.kind === 'transient' && error.attempts === 3,
  );
  assert.equal(bounded.calls(), 3);
});

test("a processor's classify hook comes first; undefined defers to the shared rules", async () => {
  const op = flaky(1, () => new Error('quota exceeded for this user'));
  const classify = (error: unknown) =>
    error instanceof Error && error.message.startsWith('quota') ? ('permanent' as const) : undefined;
  await assert.rejects(
    withRetries(op.fn, fast, { isStopping: () => false, classify }),
    RetriesExhaustedError,
  );
  assert.equal(op.calls(), 1, 'permanent by the hook: not retried');
  const other = flaky(1, () => new Error('no idea'));
  assert.equal(await withRetries(other.fn, fast, { isStopping: () => false, classify }), 2);
});

test('a Retry-After longer than the backoff is waited for', async () => {
  const op = flaky(1, () =>
    Object.assign(new Error('busy'), { status: 503, headers: { 'retry-after': '0.3' } }),
  );
  const delays: number[] = [];
  await withRetries(op.fn, fast, {
    isStopping: () => false,
    onFailure: (_e, _k, _a, delayMs) => delays.push(delayMs),
  });
  assert.deepEqual(delays, [300]);
});
