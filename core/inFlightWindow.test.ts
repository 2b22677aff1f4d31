import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightWindow } from './inFlightWindow.ts';

test('never runs more than the limit at once, and runs everything', async () => {
  const window = new InFlightWindow(3);
  let running = 0;
  let peak = 0;
  let done = 0;
  for (let i = 0; i < 50; i++) {
    await window.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      done++;
    });
  }
  await window.idle();
  assert.equal(peak, 3);
  assert.equal(done, 50);
  assert.equal(window.size, 0);
});

test('a failing task frees its slot', async () => {
  const window = new InFlightWindow(1);
  await window.run(() => Promise.reject(new Error('boom')).catch(() => undefined));
  await window.run(async () => undefined);
  await window.idle();
  assert.equal(window.size, 0);
});

test('rejects a nonsensical limit', () => {
  assert.throws(() => new InFlightWindow(0), RangeError);
});

test('a raised limit lets waiters in at once; a cut one takes effect as slots are released', async () => {
  const window = new InFlightWindow(1);
  assert.ok(window.tryAcquire());
  let entered = 0;
  const waiting = [window.acquire(), window.acquire()].map((p) => p.then(() => entered++));
  window.setLimit(3);
  await Promise.all(waiting);
  assert.equal(entered, 2);
  assert.equal(window.size, 3);
  window.setLimit(1);
  assert.equal(window.tryAcquire(), false);
  window.release();
  window.release();
  assert.equal(window.tryAcquire(), false, 'still one in flight: the new limit');
  window.release();
  assert.ok(window.tryAcquire());
  assert.throws(() => window.setLimit(0), RangeError);
});
