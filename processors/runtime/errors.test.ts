import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventValidationError } from '../../schemas/serde.ts';
import { PoisonRecordError } from '../../core/errors.ts';
import { classifyFailure } from './errors.ts';

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
