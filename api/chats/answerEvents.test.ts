import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveEvent, replayEvents } from './answerEvents.ts';
import type { StoredMessage } from './historyReads.ts';

const answer: StoredMessage = {
  messageId: '01936b2e-7c1a-7d3e-9f00-5a1b2c3d4e5f',
  role: 'ASSISTANT',
  status: 'ANSWERED',
  content: 'Kafka is a log.',
  parentMessageId: null,
  errorCode: null,
  finishReason: 'STOP',
  tokensOut: 5,
};

test('live entries map 1:1 to SSE events with the entry id; restart hides its server-naming reason', () => {
  assert.deepEqual(liveEvent({ id: '5-0', entry: { type: 'token', text: 'Hi' } }), {
    id: '5-0',
    event: 'token',
    data: { text: 'Hi' },
  });
  assert.deepEqual(
    liveEvent({ id: '6-0', entry: { type: 'restart', reason: 'http://10.0.0.7 broke' } }).data,
    {},
  );
  assert.deepEqual(
    liveEvent({ id: '7-0', entry: { type: 'done', finishReason: 'STOP', tokensOut: 3 } }).data,
    {
      finish_reason: 'STOP',
      tokens_out: 3,
    },
  );
  assert.deepEqual(
    liveEvent({ id: '1-0', entry: { type: 'start', meta: { model_version: 'v1', chat_id: 'c' } } }).data,
    {
      model_version: 'v1',
    },
  );
});

test('a finished answer replays from the history: token + done; after a live id, restart first', () => {
  const events = (after?: string) => replayEvents(answer, after)!.map((e) => [e.id, e.event]);
  assert.deepEqual(events(), [
    ['0-2', 'token'],
    ['0-3', 'done'],
  ]);
  assert.deepEqual(events('1732000000000-3'), [
    ['0-1', 'restart'],
    ['0-2', 'token'],
    ['0-3', 'done'],
  ]);
  assert.deepEqual(events('0-2'), [['0-3', 'done']]);
  assert.deepEqual(events('0-3'), []);
  assert.deepEqual(
    replayEvents({ ...answer, status: 'FAILED', content: null, errorCode: 'TIMEOUT' }, undefined)!.map(
      (e) => [e.event, e.data],
    ),
    [['error', { code: 'TIMEOUT', message: 'the answer failed' }]],
  );
  assert.equal(
    replayEvents({ ...answer, status: 'SUBMITTED' }, undefined),
    undefined,
    'not finished: stream it live',
  );
});
