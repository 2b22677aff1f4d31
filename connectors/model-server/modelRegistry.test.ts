import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { newEvent } from '../../producers/newEvent.ts';
import type { ModelDeployed } from '../../schemas/generated/events.ts';
import { ModelRegistry } from './modelRegistry.ts';

let clock = Date.UTC(2026, 10, 27);
const deployed = (version: string, extra: Partial<ModelDeployed> = {}) =>
  newEvent(
    'ModelDeployed',
    {
      model_version: version,
      model_name: 'gemma-3',
      endpoint_url: `http://127.0.0.1:8080/v1`,
      context_length: 4096,
      ...extra,
    },
    { occurredAt: (clock += 1000) },
  );

function registry(...events: ModelDeployed[]): ModelRegistry {
  const r = new ModelRegistry();
  for (const e of events) r.apply('ModelDeployed', e);
  return r;
}

test('a canary takes its share of chats, sticky per chat; the stable version the rest', () => {
  const r = registry(deployed('gemma-3@1'), deployed('gemma-3@2', { role: 'CANARY', traffic_share: 0.05 }));
  const chats = Array.from({ length: 20_000 }, () => randomUUID());
  const toCanary = chats.filter((c) => r.route('gemma-3', c, randomUUID())!.serving.version === 'gemma-3@2');
  const share = toCanary.length / chats.length;
  assert.ok(share > 0.04 && share < 0.06, `canary share ${share}`);
  for (const chat of chats.slice(0, 500))
    assert.equal(
      r.route('gemma-3', chat, randomUUID())!.serving.version,
      r.route('gemma-3', chat, randomUUID())!.serving.version,
      'sticky: every request of a chat goes to the same version',
    );
});

test('shadows get a copy of their share of requests and never serve; a named version is pinned', () => {
  const r = registry(deployed('gemma-3@1'), deployed('gemma-3@3', { role: 'SHADOW', traffic_share: 0.5 }));
  const routes = Array.from({ length: 4_000 }, () => r.route('gemma-3', randomUUID(), randomUUID())!);
  assert.ok(
    routes.every((route) => route.serving.version === 'gemma-3@1'),
    'a shadow never answers the user',
  );
  const copied = routes.filter((route) => route.shadows.length === 1).length / routes.length;
  assert.ok(copied > 0.45 && copied < 0.55, `shadow copy share ${copied}`);
  assert.equal(r.route('gemma-3@3', randomUUID(), randomUUID()), undefined, 'a shadow cannot be asked for');
  assert.equal(r.route('gemma-3@1', randomUUID(), randomUUID())!.serving.version, 'gemma-3@1');
  assert.equal(r.route('llama-9', randomUUID(), randomUUID()), undefined, 'nothing serves an unknown model');
});

test('the latest event per version wins; retirement removes it; servers default to the endpoint', () => {
  const first = deployed('gemma-3@1', { servers: [{ url: 'http://a:8000', slots: 8 }] });
  const moved = deployed('gemma-3@1', { servers: [{ url: 'http://b:8000', slots: 4 }] });
  const r = new ModelRegistry();
  r.apply('ModelDeployed', moved);
  r.apply('ModelDeployed', first); // late, older: ignored
  assert.deepEqual(r.get('gemma-3@1')!.servers, [{ url: 'http://b:8000', slots: 4 }]);
  r.apply(
    'ModelRetired',
    newEvent('ModelRetired', { model_version: 'gemma-3@1' }, { occurredAt: (clock += 1000) }),
  );
  assert.equal(r.get('gemma-3@1'), undefined);
  const plain = registry(deployed('gemma-3@2'));
  assert.deepEqual(plain.get('gemma-3@2')!.servers, [{ url: 'http://127.0.0.1:8080', slots: 1 }]);
});
