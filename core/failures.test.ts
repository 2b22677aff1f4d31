import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { EventValidationError } from '../schemas/serde.ts';
import { PoisonRecordError } from './errors.ts';
import { classifyFailure, retryAfterMs } from './failures.ts';

test('failures are classified by what they say about the sink and the record', () => {
  assert.equal(classifyFailure(Object.assign(new Error('x'), { name: 'NoHostAvailableError' })), 'transient');
  assert.equal(classifyFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'transient');
  assert.equal(
    classifyFailure(Object.assign(new Error('x'), { name: 'ResponseError', code: 0x1100 })),
    'transient',
  );
  assert.equal(
    classifyFailure(Object.assign(new Error('x'), { name: 'ResponseError', code: 0x2200 })),
    'unknown',
  );
  assert.equal(classifyFailure(new EventValidationError('PromptSubmitted', ['content: bad'])), 'permanent');
  assert.equal(classifyFailure(new PoisonRecordError('bad')), 'permanent');
  assert.equal(
    classifyFailure(new Error('wrapped', { cause: Object.assign(new Error(), { code: 'ETIMEDOUT' }) })),
    'transient',
  );
  assert.equal(classifyFailure(new Error('no idea')), 'unknown');
  assert.equal(classifyFailure('a string'), 'unknown');
});

test('HTTP statuses: 408, 429 and 503 are transient, other 4xx permanent, other 5xx unknown', () => {
  for (const status of [408, 429, 503])
    assert.equal(classifyFailure({ status }), 'transient', String(status));
  for (const status of [400, 401, 404, 422])
    assert.equal(classifyFailure({ status }), 'permanent', String(status));
  for (const status of [500, 502]) assert.equal(classifyFailure({ status }), 'unknown', String(status));
  // The OpenAI SDK's own errors, as a model server's answers reach the inference processor.
  const limited = OpenAI.APIError.generate(429, undefined, 'slow down', new Headers({ 'retry-after': '2' }));
  assert.equal(classifyFailure(limited), 'transient');
  assert.equal(retryAfterMs(limited), 2000);
  assert.equal(classifyFailure(OpenAI.APIError.generate(400, undefined, 'bad', new Headers())), 'permanent');
});

test('Retry-After is read as seconds or as a date, from headers or a wrapped cause', () => {
  const now = Date.UTC(2026, 10, 27, 12);
  assert.equal(retryAfterMs({ headers: { 'retry-after': '1.5' } }), 1500);
  assert.equal(retryAfterMs({ headers: { 'retry-after': new Date(now + 3000).toUTCString() } }, now), 3000);
  assert.equal(
    retryAfterMs(new Error('wrapped', { cause: { headers: new Headers({ 'retry-after': '4' }) } })),
    4000,
  );
  assert.equal(retryAfterMs({ headers: {} }), undefined);
  assert.equal(retryAfterMs({ headers: { 'retry-after': 'soon' } }), undefined);
});

test('PostgreSQL errors: connection, resource, shutdown and serialisation states are transient', () => {
  const pgError = (code: string) => Object.assign(new Error('db'), { name: 'error', code });
  for (const code of ['08006', '08001', '53300', '57P01', '57P03', '40001', '40P01'])
    assert.equal(classifyFailure(pgError(code)), 'transient', code);
  for (const code of ['23505', '42P01', '22P02'])
    assert.equal(classifyFailure(pgError(code)), 'unknown', code);
});
