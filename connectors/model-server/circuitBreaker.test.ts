import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CircuitBreaker } from './circuitBreaker.ts';

test('opens after the threshold of failures in a row, half-opens after openMs for one trial', () => {
  let now = 0;
  const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 1_000 }, () => now);
  breaker.failed();
  breaker.failed();
  breaker.succeeded(); // a success resets the count
  breaker.failed();
  breaker.failed();
  assert.equal(breaker.state, 'closed');
  breaker.failed();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.canTry(), false);
  now = 1_000;
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.canTry(), true);
  breaker.started();
  assert.equal(breaker.canTry(), false, 'one trial at a time');
  breaker.failed();
  assert.equal(breaker.state, 'open', 'a failed trial opens it again');
  now = 2_000;
  breaker.started();
  breaker.succeeded();
  assert.equal(breaker.state, 'closed', 'a successful trial closes it');
  assert.equal(breaker.canTry(), true);
});
