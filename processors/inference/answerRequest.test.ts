import assert from 'node:assert/strict';
import { test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { PoisonRecordError } from '../../core/errors.ts';
import type { PromptSubmitted } from '../../schemas/generated/events.ts';
import { promptEvent } from '../../test-helpers/inference.ts';
import { isUuidV7, uuidV7Millis } from '../../schemas/uuidV7.ts';
import { derivedAnswerId, promptRequest } from './answerRequest.ts';

const prompt = (extra: Partial<PromptSubmitted> = {}) =>
  promptEvent({ chatId: uuidv7(), userId: crypto.randomUUID() }, 'hi', extra);

test('the answer id is the one the prompt fixed', () => {
  const event = prompt();
  assert.equal(promptRequest(event).answerMessageId, event.answer_message_id);
});

test('a prompt without one gets the same derived UUIDv7 every time, at the prompt’s time', () => {
  const event = prompt({ answer_message_id: null });
  const id = promptRequest(event).answerMessageId;
  assert.equal(id, promptRequest(event).answerMessageId);
  assert.equal(id, derivedAnswerId(event.message_id));
  assert.ok(isUuidV7(id), id);
  assert.equal(uuidV7Millis(id), uuidV7Millis(event.message_id));
  assert.notEqual(derivedAnswerId(uuidv7()), id);
});

test('only USER prompts are answered: another role is a poison record', () => {
  assert.throws(() => promptRequest(prompt({ role: 'SYSTEM' })), PoisonRecordError);
});
