import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OffsetTracker, parseOffset } from './offsetTracker.ts';

test('commits only up to the highest contiguous completed offset', () => {
  const tracker = new OffsetTracker();
  for (const o of [10, 11, 12, 13]) tracker.add(o);
  tracker.complete(12);
  assert.equal(tracker.takeCommittable(), undefined, '10 and 11 are still in flight');
  tracker.complete(10);
  assert.equal(tracker.takeCommittable(), '11');
  tracker.complete(11);
  assert.equal(tracker.takeCommittable(), '13', '11 and the earlier-finished 12 are both done');
  assert.equal(tracker.takeCommittable(), undefined, 'nothing new');
  tracker.complete(13);
  assert.equal(tracker.takeCommittable(), '14');
  assert.equal(tracker.inFlight, 0);
});

test('offsets with gaps (compaction, transactions) are handled', () => {
  const tracker = new OffsetTracker();
  tracker.add(5);
  tracker.add(9);
  tracker.complete(9);
  tracker.complete(5);
  assert.equal(tracker.takeCommittable(), '10');
});

test('rejects offsets added out of order', () => {
  const tracker = new OffsetTracker();
  tracker.add(5);
  assert.throws(() => tracker.add(5), /out of order/);
});

test('the settled prefix is dropped without losing pending offsets', () => {
  const tracker = new OffsetTracker();
  for (let o = 0; o < 5000; o++) tracker.add(o);
  for (let o = 1; o < 5000; o++) tracker.complete(o);
  assert.equal(tracker.takeCommittable(), undefined, 'offset 0 holds everything back');
  tracker.complete(0);
  assert.equal(tracker.takeCommittable(), '5000');
  tracker.add(5000);
  assert.equal(tracker.firstIncomplete, '5000');
  assert.equal(tracker.inFlight, 1);
});

test('offsets parse to numbers and refuse the unsafe range', () => {
  assert.equal(parseOffset('42'), 42);
  assert.throws(() => parseOffset('9007199254740993'), /unsupported offset/);
  assert.throws(() => parseOffset('-1'), /unsupported offset/);
});
