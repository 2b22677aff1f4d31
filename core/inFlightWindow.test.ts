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
