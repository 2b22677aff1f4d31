import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childTraceparent, parseTraceparent } from './traceparent.ts';

const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('a child span keeps the trace id and gets a new span id', () => {
  const child = parseTraceparent(childTraceparent(parent));
  assert.equal(child?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.notEqual(child?.spanId, '00f067aa0ba902b7');
  assert.equal(child?.sampled, true);
});

test('without a valid parent a new trace starts; span ids do not repeat', () => {
  for (const bad of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']) {
    const fresh = parseTraceparent(childTraceparent(bad));
    assert.match(fresh?.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(fresh?.traceId, '00000000000000000000000000000000');
  }
  const spans = new Set(
    Array.from({ length: 5000 }, () => parseTraceparent(childTraceparent(parent))!.spanId),
  );
  assert.equal(spans.size, 5000);
});

test('an unsampled parent stays unsampled', () => {
  assert.equal(parseTraceparent(childTraceparent(parent.replace(/01$/, '00')))?.sampled, false);
});
