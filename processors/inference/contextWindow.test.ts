import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContextOverflowError, estimateTokens, fitContext, type Turn } from './contextWindow.ts';

const turn = (role: Turn['role'], words: number): Turn => ({
  role,
  content: `${role} `.repeat(words).trim(),
});

test('everything fits: system prompt, the whole thread in order, then the prompt', () => {
  const thread = [turn('user', 3), turn('assistant', 5)];
  const messages = fitContext('be brief', thread, 'and now?', { contextLength: 4096, answerTokens: 512 });
  assert.deepEqual(messages, [
    { role: 'system', content: 'be brief' },
    ...thread,
    { role: 'user', content: 'and now?' },
  ]);
});

test('the oldest turns go first, a question with its answer, never an answer alone', () => {
  const thread = [turn('user', 40), turn('assistant', 40), turn('user', 40), turn('assistant', 40)];
  const pair = estimateTokens(thread[2]!.content) + estimateTokens(thread[3]!.content);
  const budget = { contextLength: pair + estimateTokens('q') + 10 + 100, answerTokens: 100 };
  const messages = fitContext(null, thread, 'q', budget);
  assert.deepEqual(messages, [thread[2], thread[3], { role: 'user', content: 'q' }]);
});

test('a prompt that cannot fit with its answer is a ContextOverflowError (not retriable)', () => {
  assert.throws(
    () => fitContext(null, [], 'x'.repeat(3_000), { contextLength: 512, answerTokens: 256 }),
    (error: unknown) => error instanceof ContextOverflowError && error.retriable === false,
  );
});
