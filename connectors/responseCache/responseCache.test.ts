import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, isCacheable, responseCacheKey, type ResponseCacheRequest } from './responseCache.ts';

const base: ResponseCacheRequest = {
  modelVersion: 'gemma-3@2',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is Kafka?' },
  ],
  maxTokens: 256,
  temperature: 0,
  parameters: { top_p: 1, stop: ['\n\n'], response_format: { type: 'text', schema: { a: 1, b: [1, 2] } } },
};

test('canonical JSON sorts keys at every level and drops undefined members', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }),
    '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
  assert.equal(canonicalJson([undefined, -0]), '[null,0]');
  for (const bad of [NaN, Infinity, 1n, () => 1, new Date(0), new Map()])
    assert.throws(() => canonicalJson(bad), TypeError, String(bad));
  assert.throws(() => canonicalJson({ nested: [Symbol('s')] }), TypeError);
});

test('the key is a sha256 that does not depend on key order', () => {
  const key = responseCacheKey(base);
  assert.match(key, /^[0-9a-f]{64}$/);
  const reordered: ResponseCacheRequest = {
    parameters: {
      response_format: { schema: { b: [1, 2], a: 1 }, type: 'text' },
      stop: ['\n\n'],
      top_p: 1,
    },
    temperature: 0,
    maxTokens: 256,
    messages: [
      { content: 'You are terse.', role: 'system' },
      { content: 'What is Kafka?', role: 'user' },
    ],
    modelVersion: 'gemma-3@2',
  };
  assert.equal(responseCacheKey(reordered), key);
  assert.equal(responseCacheKey(structuredClone(base)), key);
  // Undefined parameters are absent parameters; fields of a message beyond role and content do not count.
  assert.equal(responseCacheKey({ ...base, parameters: { ...base.parameters, seed: undefined } }), key);
  const withIds = base.messages.map((m, i) => ({ ...m, message_id: `m${i}` }));
  assert.equal(responseCacheKey({ ...base, messages: withIds }), key);
  // No parameters and empty parameters are the same request.
  assert.equal(
    responseCacheKey({ ...base, parameters: undefined }),
    responseCacheKey({ ...base, parameters: {} }),
  );
});

test('any semantic change gives another key', () => {
  const [system, user] = base.messages as [
    ResponseCacheRequest['messages'][0],
    ResponseCacheRequest['messages'][0],
  ];
  const variants: Record<string, ResponseCacheRequest> = {
    modelVersion: { ...base, modelVersion: 'gemma-3@3' },
    content: { ...base, messages: [system, { ...user, content: 'What is Kafka? ' }] },
    role: { ...base, messages: [{ ...system, role: 'user' }, user] },
    order: { ...base, messages: [user, system] },
    fewerMessages: { ...base, messages: [user] },
    moreMessages: { ...base, messages: [...base.messages, { role: 'assistant', content: '' }] },
    splitContent: {
      ...base,
      messages: [system, { role: 'user', content: 'What is' }, { role: 'user', content: ' Kafka?' }],
    },
    maxTokens: { ...base, maxTokens: 257 },
    maxTokensNull: { ...base, maxTokens: null },
    temperature: { ...base, temperature: 0.5 },
    temperatureAbsent: { ...base, temperature: undefined },
    topP: { ...base, parameters: { ...base.parameters, top_p: 0.9 } },
    stop: { ...base, parameters: { ...base.parameters, stop: ['\n'] } },
    nested: {
      ...base,
      parameters: { ...base.parameters, response_format: { type: 'text', schema: { a: 1, b: [2, 1] } } },
    },
    addedParameter: { ...base, parameters: { ...base.parameters, seed: 7 } },
    nullParameter: { ...base, parameters: { ...base.parameters, seed: null } },
    noParameters: { ...base, parameters: undefined },
    stringNumber: { ...base, parameters: { ...base.parameters, top_p: '1' } },
  };
  const keys = new Map<string, string>([[responseCacheKey(base), 'base']]);
  for (const [name, request] of Object.entries(variants)) {
    const key = responseCacheKey(request);
    assert.equal(keys.get(key), undefined, `${name} has the key of ${keys.get(key)}`);
    keys.set(key, name);
  }
});

test('only temperature 0 is cacheable', () => {
  assert.equal(isCacheable(base), true);
  assert.equal(isCacheable({ ...base, temperature: -0 }), true);
  for (const temperature of [0.7, 1, 1e-9, null, undefined, NaN])
    assert.equal(isCacheable({ ...base, temperature }), false, String(temperature));
});
