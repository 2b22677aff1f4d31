import assert from 'node:assert/strict';
import { test } from 'node:test';
import { promptFeedback } from './feedback.fixture.ts';
import { FeedbackState } from './feedbackState.ts';

const [first, second] = promptFeedback({
  prompt: 'p',
  answers: [
    { answer: 'a', rating: 'THUMBS_UP' },
    { answer: 'b', rating: 'THUMBS_DOWN' },
  ],
});

test('the latest record per key wins', () => {
  const state = new FeedbackState();
  state.put(first!.message_id, first!);
  state.put(first!.message_id, { ...first!, rating: 'THUMBS_DOWN' });
  assert.deepEqual(
    state.live().map((r) => r.rating),
    ['THUMBS_DOWN'],
  );
  assert.deepEqual(state.stats, { read: 2, superseded: 1, tombstones: 0, removed: 0 });
});

test('a tombstone removes its key; a later record brings it back', () => {
  const state = new FeedbackState();
  state.put(first!.message_id, first!);
  state.put(second!.message_id, second!);
  state.tombstone(first!.message_id);
  assert.deepEqual(
    state.live().map((r) => r.answer),
    ['b'],
  );
  state.tombstone(first!.message_id); // already gone: counted as read, removes nothing
  state.put(first!.message_id, first!);
  assert.deepEqual(
    state
      .live()
      .map((r) => r.answer)
      .sort(),
    ['a', 'b'],
  );
  assert.deepEqual(state.stats, { read: 5, superseded: 0, tombstones: 2, removed: 1 });
});

test('an unreadable record stays reported until its key is superseded or removed', () => {
  const state = new FeedbackState();
  const unreadable = { key: first!.message_id, partition: 0, offset: '7', error: 'truncated buffer' };
  state.unreadable(unreadable);
  state.unreadable({ key: null, partition: 1, offset: '3', error: 'no key' });
  assert.equal(state.unreadableRecords().length, 2);
  state.put(first!.message_id, first!);
  assert.deepEqual(state.unreadableRecords(), [{ key: null, partition: 1, offset: '3', error: 'no key' }]);
  state.unreadable(unreadable);
  state.tombstone(first!.message_id);
  assert.deepEqual(state.live(), []);
  assert.equal(state.unreadableRecords().length, 1);
});
