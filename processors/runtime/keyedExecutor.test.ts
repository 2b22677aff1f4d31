import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedExecutor, type KeyedExecutorOptions } from './keyedExecutor.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome = { ok: true } | { ok: false; error: unknown };

/** Submits every [key, item] and resolves with each item's outcome once all are settled. */
function runAll<T>(
  options: Omit<KeyedExecutorOptions<T>, 'done' | 'failed' | 'keyOf'>,
  submissions: Array<[string, T]>,
): { executor: KeyedExecutor<T>; outcomes: Promise<Map<T, Outcome>> } {
  const outcomes = new Map<T, Outcome>();
  let finished: (value: Map<T, Outcome>) => void;
  const all = new Promise<Map<T, Outcome>>((resolve) => (finished = resolve));
  const record = (item: T, outcome: Outcome) => {
    assert.ok(!outcomes.has(item), `${String(item)} settled twice`);
    outcomes.set(item, outcome);
    if (outcomes.size === submissions.length) finished(outcomes);
  };
  const keys = new Map(submissions.map(([key, item]) => [item, key]));
  const executor = new KeyedExecutor<T>({
    ...options,
    keyOf: (item) => keys.get(item)!,
    done: (item) => record(item, { ok: true }),
    failed: (item, error) => record(item, { ok: false, error }),
  });
  for (const [, item] of submissions) executor.submit(item);
  return { executor, outcomes: all };
}

test('one key runs in order, different keys run concurrently within the window', async () => {
  const seen = new Map<string, number[]>();
  let running = 0;
  let peak = 0;
  const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
  const submissions: Array<[string, { key: string; seq: number }]> = [];
  for (let seq = 0; seq < 20; seq++) for (const key of keys) submissions.push([key, { key, seq }]);
  const { executor, outcomes } = runAll(
    {
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
    },
    submissions,
  );
  assert.ok([...(await outcomes).values()].every((o) => o.ok));
  for (const key of keys) assert.deepEqual(seen.get(key), [...Array(20).keys()]);
  assert.equal(peak, 4, 'the window is used fully and never exceeded');
  assert.equal(executor.activeKeys, 0);
  assert.equal(executor.inFlight, 0);
});

test('batches group ready records of distinct keys', async () => {
  const batches: string[][] = [];
  const { outcomes } = runAll(
    {
      maxInFlight: 100,
      batchSize: 3,
      batchWaitMs: 5,
      handle: async (items) => void batches.push(items),
    },
    ['k1', 'k2', 'k3', 'k4', 'k1'].map((key, i): [string, string] => [key, `${key}#${i}`]),
  );
  await outcomes;
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
  const { executor, outcomes } = runAll(
    {
      maxInFlight: 2,
      batchSize: 1,
      batchWaitMs: 0,
      handle: async ([item]) => {
        if (item === 'a1') throw new Error('boom');
        handled.push(item!);
      },
    },
    ['a1', 'a2', 'b1'].map((item): [string, string] => [item[0]!, item]),
  );
  const settled = await outcomes;
  assert.deepEqual(
    ['a1', 'a2', 'b1'].map((item) => settled.get(item)?.ok),
    [false, false, true],
  );
  const a2 = settled.get('a2');
  assert.ok(a2 && !a2.ok && a2.error instanceof Error && /earlier record of key a/.test(a2.error.message));
  assert.deepEqual(handled, ['b1']);
  assert.equal(executor.activeKeys, 0, 'a failed key is free again');
});

test('a refused record fails unhandled, with the records behind it', async () => {
  const handled: string[] = [];
  const { outcomes } = runAll(
    {
      maxInFlight: 1,
      batchSize: 1,
      batchWaitMs: 0,
      handle: async ([item]) => {
        await sleep(2); // x0 holds the only slot, so a2 queues behind a1 before a1's turn
        handled.push(item!);
      },
      admit: (item) => item !== 'a1',
    },
    ['x0', 'a1', 'a2', 'b1'].map((item): [string, string] => [item[0]!, item]),
  );
  const settled = await outcomes;
  assert.equal(settled.get('a1')?.ok, false);
  assert.equal(settled.get('a2')?.ok, false);
  assert.deepEqual(handled, ['x0', 'b1']);
});

test('with sameKeyInBatch, the records queued behind a key join its batch, in order', async () => {
  const batches: string[][] = [];
  const { executor, outcomes } = runAll(
    {
      maxInFlight: 3,
      batchSize: 3,
      batchWaitMs: 1,
      sameKeyInBatch: true,
      handle: async (items) => {
        batches.push(items);
        await sleep(5);
      },
    },
    ['a1', 'b1', 'c1', 'a2', 'a3', 'b2'].map((item): [string, string] => [item[0]!, item]),
  );
  assert.ok([...(await outcomes).values()].every((o) => o.ok));
  // The first batch fills the window, so a2, a3 and b2 wait; a2 then takes a3 along.
  assert.deepEqual(batches, [
    ['a1', 'b1', 'c1'],
    ['a2', 'a3', 'b2'],
  ]);
  assert.equal(executor.activeKeys, 0);
  assert.equal(executor.inFlight, 0);
});

test('inFlight counts the records in handler calls: it rises while they run, never past the window, and returns to 0', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { executor, outcomes } = runAll(
    { maxInFlight: 3, batchSize: 1, batchWaitMs: 0, handle: () => gate },
    ['a', 'b', 'c', 'd', 'e'].map((item): [string, string] => [item, item]),
  );
  assert.equal(executor.inFlight, 3, 'three calls running; d and e wait for a slot');
  assert.equal(executor.activeKeys, 5);
  release();
  assert.ok([...(await outcomes).values()].every((o) => o.ok));
  assert.equal(executor.inFlight, 0);
  assert.equal(executor.activeKeys, 0);
});

test('a limit function is asked at each dispatch: raising it (and poking) starts more at once', async () => {
  let limit = 1;
  let running = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const done: string[] = [];
  const executor = new KeyedExecutor<string>({
    maxInFlight: () => limit,
    batchSize: 1,
    batchWaitMs: 0,
    keyOf: (item) => item,
    handle: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    },
    done: (item) => done.push(item),
    failed: () => assert.fail('nothing fails here'),
  });
  for (const key of ['a', 'b', 'c', 'd']) executor.submit(key);
  assert.equal(executor.inFlight, 1);
  limit = 3;
  executor.poke();
  assert.equal(executor.inFlight, 3);
  limit = 0; // treated as 1: a processor that asks for nothing still makes progress
  while (done.length < 4) {
    gates.shift()?.();
    await sleep(1);
  }
  assert.equal(peak, 3);
});
