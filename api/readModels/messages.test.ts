import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { BUCKET_MS, bucketOf } from '../../projections/cassandra/messageTime.ts';
import { decodeMessageCursor, encodeMessageCursor, InvalidCursorError } from './messages.ts';

const chatId = uuidv7({ msecs: Date.now() - 30 * 24 * 3_600_000 });
const message = uuidv7();
const cursor = (text: string) => Buffer.from(text).toString('base64url');

test('a message cursor round-trips: a position in a bucket, or a bucket from its newest row', () => {
  const mid = { bucket: bucketOf(message), before: message };
  assert.deepEqual(decodeMessageCursor(encodeMessageCursor(mid), chatId), mid);
  const start = { bucket: bucketOf(chatId) + 1 };
  assert.deepEqual(decodeMessageCursor(encodeMessageCursor(start), chatId), start);
});

test('a cursor the reader did not make for this chat is an InvalidCursorError naming cursor', () => {
  const now = Math.floor(Date.now() / BUCKET_MS);
  for (const bad of [
    '',
    '%%%',
    'x'.repeat(300),
    cursor('nonsense'),
    cursor(`m:${bucketOf(message)}:${randomUUID()}`), // not a UUIDv7
    cursor(`m:${bucketOf(message) - 1}:${message}`), // the id is not in that bucket
    cursor(`b:${bucketOf(chatId) - 1}`), // older than the chat
    cursor(`b:${now + 5}`), // the future
    cursor(`b:${now}:extra`),
    cursor(`m:${bucketOf(message)}:${message}:more`),
    cursor('b:1e3'),
  ])
    assert.throws(
      () => decodeMessageCursor(bad, chatId),
      (e: unknown) => e instanceof InvalidCursorError && e.field === 'cursor',
      bad,
    );
});
