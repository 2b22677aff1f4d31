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
