import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatListState } from '../../projections/cassandra/chatList.ts';
import { ListStateCache } from './listStateCache.ts';

const state = (at: number): ChatListState => ({
  lastActivityAt: at,
  timestamp: BigInt(at) * 1000n,
  deleted: false,
});

test('keeps states per keyspace, forgets the least recently used first', () => {
  const cache = new ListStateCache(2);
  cache.set('ks1', 'a', state(1));
  cache.set('ks2', 'a', state(2));
  assert.deepEqual(cache.get('ks1', 'a'), state(1), 'a rebuild keyspace has states of its own');
  cache.set('ks1', 'b', state(3)); // ks2/a is now the least recently used
  assert.equal(cache.get('ks2', 'a'), undefined);
  assert.deepEqual(cache.get('ks1', 'a'), state(1));
  assert.equal(cache.size, 2);
});

test('forgets on doubt: the chats of a failed call, everything on a new assignment', () => {
  const cache = new ListStateCache(10);
  for (const chat of ['a', 'b', 'c']) cache.set('ks', chat, state(1));
  cache.forget('ks', ['a', 'b']);
  assert.equal(cache.get('ks', 'a'), undefined);
  assert.deepEqual(cache.get('ks', 'c'), state(1));
  cache.clear();
  assert.equal(cache.size, 0);
  const off = new ListStateCache(0);
  off.set('ks', 'a', state(1));
  assert.equal(off.get('ks', 'a'), undefined, 'size 0: always read');
});
