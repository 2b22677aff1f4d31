import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { newEvent } from '../producers/newEvent.ts';
import { EventSerde, EventValidationError } from './serde.ts';

// validate() is pure: the registry client is never called here.
const serde = new EventSerde(new SchemaRegistry({ host: 'http://127.0.0.1:1' }));

const prompt = () =>
  newEvent('PromptSubmitted', {
    chat_id: '019ab3c4-0000-7e8a-9f10-2a3b4c5d6e7f',
    user_id: '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80',
    message_id: '019ab3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b',
    parent_message_id: null,
    content: 'hello',
    model_version: 'gemma-3-270m',
  });

test('a valid event passes validation', () => {
  assert.doesNotThrow(() => serde.validate('PromptSubmitted', prompt()));
});

test('a field of the wrong type is named in the error', () => {
  const bad = { ...prompt(), content: 42 };
  assert.throws(
    () => serde.validate('PromptSubmitted', bad),
    (error: unknown) =>
      error instanceof EventValidationError &&
      error.eventType === 'PromptSubmitted' &&
      /content: expected string, got 42/.test(error.message),
  );
});

test('a missing required field and a bad enum symbol are both reported', () => {
  const { model_version: _, ...missing } = prompt();
  const bad = { ...missing, role: 'ROBOT' };
  assert.throws(
    () => serde.validate('PromptSubmitted', bad),
    (error: unknown) =>
      error instanceof EventValidationError &&
      error.problems.some((p) => p.startsWith('model_version: expected string, missing')) &&
      error.problems.some((p) => p.startsWith('role:')),
  );
});

test('ids the contract marks as UUIDv7 must be UUIDv7: chat and message ids, parents included', () => {
  const v4 = '0b7a6f3e-4c1d-4e8a-9f10-2a3b4c5d6e7f';
  const bad = { ...prompt(), chat_id: v4, parent_message_id: 'not-a-uuid' };
  assert.throws(
    () => serde.validate('PromptSubmitted', bad),
    (error: unknown) =>
      error instanceof EventValidationError &&
      error.problems.includes(`chat_id: expected a UUIDv7, got "${v4}"`) &&
      error.problems.includes('parent_message_id: expected a UUIDv7, got "not-a-uuid"'),
  );
  const created = newEvent('ChatCreated', {
    chat_id: v4,
    user_id: v4, // user ids are not ordered by time: any UUID
    title: null,
    model_version: 'm',
  });
  assert.throws(() => serde.validate('ChatCreated', created), /chat_id: expected a UUIDv7/);
  assert.doesNotThrow(() => serde.validate('ChatCreated', { ...created, chat_id: prompt().chat_id }));
});

test('an unknown event type is rejected', () => {
  assert.throws(() => serde.validate('NoSuchEvent', {}), /unknown event type NoSuchEvent/);
});

test('newEvent links a caused event to its cause', () => {
  const cause = prompt();
  const caused = newEvent(
    'ChatRenamed',
    { chat_id: cause.chat_id, user_id: cause.user_id, title: 't' },
    { causedBy: cause },
  );
  assert.equal(caused.correlation_id, cause.correlation_id);
  assert.equal(caused.causation_id, cause.event_id);
  assert.notEqual(caused.event_id, cause.event_id);
  assert.equal(cause.correlation_id, cause.event_id, 'a root event correlates with itself');
  assert.equal(cause.causation_id, null);
});
