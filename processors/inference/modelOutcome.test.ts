import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import {
  ModelStreamBrokenError,
  ModelUnavailableError,
} from '../../connectors/model-server/modelServerPool.ts';
import { ModelTimeoutError } from '../../connectors/model-server/streamChatCompletion.ts';
import { ContextOverflowError } from './contextWindow.ts';
import { finishReasonOf, modelFailureOutcome } from './modelOutcome.ts';

const apiError = (status: number, message: string) =>
  OpenAI.APIError.generate(status, { error: { message } }, message, new Headers());

test('model failures map to the contract’s error codes, with whether asking again may help', () => {
  const cases: Array<[unknown, string, boolean]> = [
    [new ModelUnavailableError('down'), 'MODEL_UNAVAILABLE', true],
    [new ModelStreamBrokenError('twice'), 'INTERNAL', true],
    [new ModelTimeoutError('first token', 10), 'TIMEOUT', true],
    [new ContextOverflowError('big'), 'CONTEXT_OVERFLOW', false],
    [apiError(429, 'slow down'), 'RATE_LIMITED', true],
    [apiError(400, 'the request exceeds the available context size'), 'CONTEXT_OVERFLOW', false],
    [apiError(400, 'bad field'), 'INVALID_REQUEST', false],
    [apiError(500, 'oops'), 'INTERNAL', true],
  ];
  for (const [error, code, retriable] of cases)
    assert.deepEqual(
      { code: modelFailureOutcome(error)?.code, retriable: modelFailureOutcome(error)?.retriable },
      { code, retriable },
      String(error),
    );
});

test('what is not a model failure (our stores) is left to the runtime', () => {
  assert.equal(modelFailureOutcome(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), undefined);
});

test('finish reasons in the contract’s terms', () => {
  assert.equal(finishReasonOf('stop'), 'STOP');
  assert.equal(finishReasonOf('length'), 'LENGTH');
  assert.equal(finishReasonOf(null), 'OTHER');
  assert.equal(finishReasonOf('something-new'), 'OTHER');
});
