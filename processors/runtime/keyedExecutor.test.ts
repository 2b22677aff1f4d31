import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedExecutor } from './keyedExecutor.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one key runs in order, different keys run concurrently within the window', async () => {
  const seen = new Map<string, number[]>();
  let running = 0;
  let peak = 0;
  const executor = new KeyedExecutor<{ key: string; seq: number }>({
    maxInFlight: 4,
    batchSize: 1,
    batchWaitMs: 0,
    handle: async ([item]) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(Math.random() * 3);
      seen.set(item!.key, [...(seen.get(item!.key) ?? []), item!.seq]);
      running--;
    },
  });
  const all: Array<Promise<void>> = [];
  for (let seq = 0; seq < 20; seq++)
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) all.push(executor.submit(key, { key, seq }));
  await Promise.all(all);
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) assert.deepEqual(seen.get(key), [...Array(20).keys()]);
  assert.equal(peak, 4, 'the window is used fully and never exceeded');
  assert.equal(executor.activeKeys, 0);
});

test('batches group ready records of distinct keys', async () => {
  const batches: string[][] = [];
  const executor = new KeyedExecutor<string>({
    maxInFlight: 100,
    batchSize: 3,
    batchWaitMs: 5,
    handle: async (items) => void batches.push(items),
  });
  await Promise.all(['k1', 'k2', 'k3', 'k4', 'k1'].map((key, i) => executor.submit(key, `${key}#${i}`)));
  assert.ok(
    batches.every((b) => new Set(b.map((x) => x.split('#')[0])).size === b.length),
    'no key twice in a batch',
  );
  assert.deepEqual(batches.flat().sort(), ['k1#0', 'k1#4', 'k2#1', 'k3#2', 'k4#3']);
  assert.ok(batches.flat().indexOf('k1#0') < batches.flat().indexOf('k1#4'));
  assert.ok(batches.some((b) => b.length > 1));
});

test('a failure stops the later records of its key only', async () => {
  const handled: string[] = [];
  const executor = new KeyedExecutor<string>({
    maxInFlight: 2,
    batchSize: 1,
    batchWaitMs: 0,
    handle: async ([item]) => {
      if (item === 'a1') throw new Error('boom');
      handled.push(item!);
    },
  });
  const results = await Promise.allSettled(['a1', 'a2', 'b1'].map((item) => executor.submit(item[0]!, item)));
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(handled, ['b1']);
});
