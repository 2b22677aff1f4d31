import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answerStreamKey,
  compareEntryIds,
  decodeEntry,
  encodeEntry,
  isStreamEntryId,
  isTerminal,
  type AnswerStreamEntry,
} from './answerStreamEntry.ts';

test('every entry type round-trips through its stream fields', () => {
  const entries: AnswerStreamEntry[] = [
    { type: 'start', meta: { chat_id: 'c1', model_version: 'gemma-3@2' } },
    { type: 'start', meta: {} },
    { type: 'token', text: 'Hel' },
    { type: 'token', text: ' lo, "wörld"\n' },
    { type: 'restart', reason: 'server http://gpu-3 broke' },
    { type: 'done', finishReason: 'stop', tokensOut: 42 },
    { type: 'done', finishReason: 'length' },
    { type: 'error', code: 'MODEL_UNAVAILABLE', message: 'no server could take the request' },
  ];
  for (const entry of entries) {
    const fields = encodeEntry(entry);
    assert.ok(fields.every((f) => typeof f === 'string'));
    assert.equal(fields[0], 'type');
    assert.deepEqual(decodeEntry(fields), entry);
  }
  assert.deepEqual(
    entries.map((e) => isTerminal(e)),
    [false, false, false, false, false, true, true, true],
  );
});

test('entries this version cannot read decode to undefined', () => {
  for (const fields of [
    [],
    ['type', 'thinking', 'text', 'x'],
    ['type', 'token'],
    ['type', 'restart'],
    ['type', 'done'],
    ['type', 'done', 'finish_reason', 'stop', 'tokens_out', 'many'],
    ['type', 'done', 'finish_reason', 'stop', 'tokens_out', '-1'],
    ['type', 'error', 'code', 'X'],
    ['type', 'start', 'meta', '{not json'],
    ['type', 'start', 'meta', '["a"]'],
    ['type', 'start', 'meta', '{"n":1}'],
  ])
    assert.equal(decodeEntry(fields), undefined, JSON.stringify(fields));
  // Unknown extra fields are ignored (a newer writer may add some).
  assert.deepEqual(decodeEntry(['type', 'token', 'text', 'a', 'seq', '7']), { type: 'token', text: 'a' });
});

test('keys and entry ids', () => {
  assert.equal(answerStreamKey('0190-abc'), 'parley:answer:0190-abc:tokens');
  assert.equal(answerStreamKey('m', 'test:'), 'test:m:tokens');
  assert.ok(isStreamEntryId('1712345678901-0'));
  for (const bad of ['', '0', '1-', '-1', '1-2-3', '$', '>', '1712345678901-0\n', 'abc-1'])
    assert.equal(isStreamEntryId(bad), false, bad);
});

test('entry ids compare by time, then sequence, as numbers', () => {
  assert.equal(compareEntryIds('1-0', '1-0'), 0);
  assert.ok(compareEntryIds('1-0', '1-1') < 0);
  assert.ok(compareEntryIds('9-5', '10-0') < 0, 'numerically, not as strings');
  assert.ok(compareEntryIds('1712345678901-10', '1712345678901-9') > 0);
  assert.ok(compareEntryIds('18446744073709551615-0', '18446744073709551614-99') > 0);
});
