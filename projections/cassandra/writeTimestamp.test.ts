import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEvent } from '../../producers/newEvent.ts';
import { TableModel } from './tableModel.ts';
import { writeTimestamp } from './writeTimestamp.ts';

const chat = '019ac3a0-0000-7000-8000-000000000001';
const user = '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80';

test('write timestamps are microseconds: event time first, then the offset within the millisecond', () => {
  assert.equal(writeTimestamp(1_000, { offset: '7' }), 1_000_007n);
  assert.ok(writeTimestamp(1_001, { offset: '0' }) > writeTimestamp(1_000, { offset: '999' }));
  assert.ok(writeTimestamp(1_000, { offset: '1998' }) < writeTimestamp(1_000, { offset: '1999' }));
  // Offsets beyond any modulus keep the event time's order: a later millisecond always wins.
  assert.ok(writeTimestamp(1_001, { offset: '0' }) > writeTimestamp(1_000, { offset: '123456789999' }));
});

test('the tie-break wraps at offset multiples of 1,000 (the documented bound), and stays deterministic', () => {
  // The bound, stated: within one millisecond, offsets 1999 and 2000 straddle the wrap, so the
  // earlier record outranks the later one.
  assert.ok(writeTimestamp(5_000, { offset: '1999' }) > writeTimestamp(5_000, { offset: '2000' }));

  // Two renames of one chat in the same millisecond across the wrap: whatever order they are
  // applied in, the same title wins (Cassandra's rule is last *timestamp* wins, not last applied).
  const at = Date.UTC(2026, 10, 27, 12);
  const rename = (title: string) =>
    newEvent('ChatRenamed', { chat_id: chat, user_id: user, title }, { occurredAt: at });
  const [first, second] = [rename('first'), rename('second')];
  const titles = [
    [
      [first, '1999'],
      [second, '2000'],
    ],
    [
      [second, '2000'],
      [first, '1999'],
    ],
  ].map((order) => {
    const model = new TableModel();
    for (const [event, offset] of order as Array<[typeof first, string]>)
      model.project('ChatRenamed', event, { offset });
    return model.row('chats', { chat_id: chat })!.get('title')!.value;
  });
  assert.deepEqual(titles, ['first', 'first'], 'deterministic: the wrap, not the arrival order, decides');
});
