import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentEventIds } from './recentEventIds.ts';

test('remembers the last `capacity` ids of each partition, and only those', () => {
  const recent = new RecentEventIds(3);
  for (const id of ['a', 'b', 'c', 'd']) recent.add('t/0', id);
  assert.equal(recent.has('t/0', 'a'), false, 'evicted');
  assert.deepEqual(
    ['b', 'c', 'd'].map((id) => recent.has('t/0', id)),
    [true, true, true],
  );
  assert.equal(recent.has('t/1', 'd'), false, 'partitions are apart');
});

test('an id held twice stays known until both copies are evicted', () => {
  const recent = new RecentEventIds(2);
  recent.add('p', 'x');
  recent.add('p', 'x');
  recent.add('p', 'y');
  assert.equal(recent.has('p', 'x'), true);
  recent.add('p', 'z');
  assert.equal(recent.has('p', 'x'), false);
});

test('reset seeds a partition from stored ids, keeping the newest', () => {
  const recent = new RecentEventIds(2);
  recent.add('p', 'old');
  recent.reset('p', ['a', 'b', 'c']);
  assert.deepEqual(
    ['old', 'a', 'b', 'c'].map((id) => recent.has('p', id)),
    [false, false, true, true],
  );
});
