import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { newEvent } from '../../producers/newEvent.ts';
import { PoisonRecordError } from '../../processors/runtime/errors.ts';
import { projectChatEvent, writeTimestamp } from './chatProjection.ts';
import { BUCKET_MS, bucketOf, isUuidV7, uuidV7Millis } from './messageTime.ts';

const chat = '0b7a6f3e-4c1d-4e8a-9f10-2a3b4c5d6e7f';
const user = '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80';

test('UUIDv7 ids carry their time, and the bucket follows from the id alone', () => {
  const at = Date.UTC(2026, 10, 24, 12);
  const id = uuidv7({ msecs: at });
  assert.ok(isUuidV7(id));
  assert.equal(uuidV7Millis(id), at);
  assert.equal(bucketOf(id), Math.floor(at / BUCKET_MS));
  assert.equal(isUuidV7('3b241101-e2bb-4255-8caf-4136c566a962'), false);
});

test('write timestamps order by event time, then by log offset', () => {
  assert.equal(writeTimestamp(1_000, { offset: '7' }), 1_000_007n);
  assert.ok(writeTimestamp(1_001, { offset: '0' }) > writeTimestamp(1_000, { offset: '999' }));
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
  const statements = projectChatEvent('PromptSubmitted', prompt, { offset: '42' });
  assert.deepEqual(
    statements.map((s) => s.query.split(' ')[1]),
    ['messages_by_chat', 'chats_by_user'],
  );
  assert.deepEqual(
    statements.map((s) => s.partitionKey),
    [[chat, bucketOf(messageId)], [user]],
    'each statement names the partition its row lives in',
  );
  for (const s of statements) {
    assert.match(s.query, /^UPDATE \w+ USING TIMESTAMP \? SET /);
    assert.equal(s.params[0], writeTimestamp(prompt.occurred_at, { offset: '42' }));
  }
  assert.deepEqual(statements[0]!.params.slice(-3), [chat, bucketOf(messageId), messageId]);
  assert.deepEqual(
    projectChatEvent('PromptSubmitted', prompt, { offset: '42' }),
    statements,
    'pure: same input, same output',
  );
});

test('events without an effect on the chat read models project to nothing; bad ids are poison', () => {
  const login = newEvent('UserLoggedIn', { user_id: user, session_id: chat });
  assert.deepEqual(projectChatEvent('UserLoggedIn', login, { offset: '0' }), []);
  const rated = newEvent('MessageRated', {
    chat_id: chat,
    user_id: user,
    message_id: chat,
    rating: 'THUMBS_UP',
  });
  assert.throws(() => projectChatEvent('MessageRated', rated, { offset: '0' }), PoisonRecordError);
});
