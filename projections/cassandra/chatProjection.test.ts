import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { newEvent } from '../../producers/newEvent.ts';
import { PoisonRecordError } from '../../core/errors.ts';
import { isUuidV7, uuidV7Millis } from '../../schemas/uuidV7.ts';
import { projectChatEvent } from './chatProjection.ts';
import { BUCKET_MS, bucketOf } from './messageTime.ts';
import { partitionKeyOf, toCql } from './rowWrites.ts';
import { writeTimestamp } from './writeTimestamp.ts';

const chat = '019ab3c4-0000-7e8a-9f10-2a3b4c5d6e7f';
const user = '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80';

test('UUIDv7 ids carry their time, and the bucket follows from the id alone', () => {
  const at = Date.UTC(2026, 10, 24, 12);
  const id = uuidv7({ msecs: at });
  assert.ok(isUuidV7(id));
  assert.equal(uuidV7Millis(id), at);
  assert.equal(bucketOf(id), Math.floor(at / BUCKET_MS));
  assert.equal(isUuidV7('3b241101-e2bb-4255-8caf-4136c566a962'), false);
});

test('a prompt becomes a message row and a chat activity update, all stamped with its time', () => {
  const messageId = uuidv7();
  const prompt = newEvent('PromptSubmitted', {
    chat_id: chat,
    user_id: user,
    message_id: messageId,
    parent_message_id: null,
    content: 'hi',
    model_version: 'm',
  });
  const writes = projectChatEvent('PromptSubmitted', prompt, { offset: '42' });
  assert.deepEqual(
    writes.map((w) => w.table),
    ['messages_by_chat', 'chats_by_user'],
  );
  assert.deepEqual(
    writes.map(partitionKeyOf),
    [[chat, bucketOf(messageId)], [user]],
    'each write names the partition its row lives in',
  );
  for (const w of writes) {
    assert.equal(w.timestamp, writeTimestamp(prompt.occurred_at, { offset: '42' }));
    assert.equal(w.eventId, prompt.event_id, 'each write names the event it is an effect of');
  }
  const cql = toCql(writes[0]!, 'ks');
  assert.match(
    cql.query,
    /^UPDATE ks\.messages_by_chat USING TIMESTAMP \? SET .* WHERE chat_id = \? AND bucket = \? AND message_id = \?$/,
  );
  assert.deepEqual(cql.params.slice(-3), [chat, bucketOf(messageId), messageId]);
  assert.deepEqual(
    projectChatEvent('PromptSubmitted', prompt, { offset: '42' }),
    writes,
    'pure: same input, same output',
  );
});

test('events without an effect on the chat read models project to nothing; bad ids are poison', () => {
  const login = newEvent('UserLoggedIn', { user_id: user, session_id: chat });
  assert.deepEqual(projectChatEvent('UserLoggedIn', login, { offset: '0' }), []);
  const rated = newEvent('MessageRated', {
    chat_id: chat,
    user_id: user,
    message_id: '0b7a6f3e-4c1d-4e8a-9f10-2a3b4c5d6e7f', // a v4 id: no time, no bucket
    rating: 'THUMBS_UP',
  });
  assert.throws(() => projectChatEvent('MessageRated', rated, { offset: '0' }), PoisonRecordError);
});
