// The response cache against the stack's Redis: round trip and TTL, corrupt values as misses, and a
// Redis that is gone or hangs failing soft (misses, skipped writes, onError, never a throw).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { createRedis } from '../../../core/clients.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import {
  CorruptCacheValueError,
  ResponseCache,
  responseCacheKey,
  type CachedAnswer,
  type ResponseCacheErrorContext,
  type ResponseCacheRequest,
} from '../responseCache.ts';

const redis = createRedis(config.clients);
const extraClients: Redis[] = [];
const servers: Server[] = [];
// A prefix of this run's own, so the test never meets (or deletes) anyone else's entries.
const keyPrefix = `${uniqueName('test')}:response-cache:`;
after(async () => {
  for (const client of extraClients) client.disconnect();
  for (const server of servers) server.close();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const request = (content: string): ResponseCacheRequest => ({
  modelVersion: 'gemma-3@2',
  messages: [{ role: 'user', content }],
  maxTokens: 128,
  temperature: 0,
});

const answer: Omit<CachedAnswer, 'cachedAt'> = {
  content: 'Kafka is a distributed log.',
  finishReason: 'stop',
  tokensIn: 12,
  tokensOut: 7,
  modelVersion: 'gemma-3@2',
};

function errorLog() {
  const errors: { error: Error; context: ResponseCacheErrorContext }[] = [];
  return {
    errors,
    onError: (error: Error, context: ResponseCacheErrorContext) => errors.push({ error, context }),
  };
}

function clientOn(port: number): Redis {
  const client = createRedis({ ...config.clients, redisUrl: `redis://127.0.0.1:${port}` });
  client.on('error', () => {});
  extraClients.push(client);
  return client;
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

test('an answer round-trips with its cachedAt and the default 24 h TTL; another request misses', async () => {
  const { errors, onError } = errorLog();
  const registry = new Registry();
  const cache = new ResponseCache(redis, { keyPrefix, onError, registry, now: () => 1_700_000_000_000 });
  const key = responseCacheKey(request('What is Kafka?'));
  assert.equal(await cache.get(key), undefined);
  assert.equal(await cache.put(key, answer), true);
  assert.deepEqual(await cache.get(key), { ...answer, cachedAt: 1_700_000_000_000 });
  const ttl = await redis.ttl(cache.redisKey(key));
  assert.ok(ttl > 86_000 && ttl <= 86_400, `TTL ${ttl}`);
  assert.equal(await cache.get(responseCacheKey(request('What is Kafka'))), undefined);

  assert.equal(await cache.put(key, { ...answer, cachedAt: 5 }, 60), true);
  assert.equal((await cache.get(key))?.cachedAt, 5);
  const shorter = await redis.ttl(cache.redisKey(key));
  assert.ok(shorter > 0 && shorter <= 60, `TTL ${shorter}`);
  assert.deepEqual(errors, []);
  const lookups = await registry.getSingleMetric('parley_response_cache_lookups_total')!.get();
  assert.deepEqual(Object.fromEntries(lookups.values.map((v) => [v.labels.outcome, v.value])), {
    miss: 2,
    hit: 2,
  });
});

test('a corrupt value is a miss, reported, never thrown', async () => {
  const { errors, onError } = errorLog();
  const cache = new ResponseCache(redis, { keyPrefix, onError });
  const corrupt = {
    notJson: '{"v":1,"content":',
    wrongShape: JSON.stringify({ v: 1, content: 'x' }),
    wrongType: JSON.stringify({
      v: 1,
      content: 'x',
      finish_reason: 'stop',
      tokens_in: '12',
      tokens_out: 7,
      model_version: 'm',
      cached_at: 1,
    }),
    otherVersion: JSON.stringify({
      v: 2,
      content: 'x',
      finish_reason: 'stop',
      tokens_in: 12,
      tokens_out: 7,
      model_version: 'm',
      cached_at: 1,
    }),
    array: '[]',
  };
  for (const [name, value] of Object.entries(corrupt)) {
    const key = responseCacheKey(request(name));
    await redis.set(cache.redisKey(key), value, 'EX', 60);
    assert.equal(await cache.get(key), undefined, name);
  }
  assert.equal(errors.length, Object.keys(corrupt).length);
  assert.ok(errors.every((e) => e.error instanceof CorruptCacheValueError && e.context.operation === 'get'));
  // A value of another Redis type is a failed read: a miss too.
  const key = responseCacheKey(request('a list'));
  await redis.rpush(cache.redisKey(key), 'x');
  await redis.expire(cache.redisKey(key), 60);
  assert.equal(await cache.get(key), undefined);
  assert.equal(cache.errors, Object.keys(corrupt).length + 1);
  // What the cache could not read back, it does not write.
  assert.equal(await cache.put(key, { ...answer, tokensOut: -1 }), false);
  assert.equal(await cache.put(key, { ...answer, tokensIn: Number.NaN }), false);
});

test('a Redis that is gone: reads miss, writes are skipped, both reported, nothing thrown', async () => {
  const closed = createServer();
  const port = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const { errors, onError } = errorLog();
  const cache = new ResponseCache(clientOn(port), { keyPrefix, onError });
  const key = responseCacheKey(request('anyone there?'));
  assert.equal(await within('get', 5_000, cache.get(key)), undefined);
  assert.equal(await within('put', 5_000, cache.put(key, answer)), false);
  assert.deepEqual(
    errors.map((e) => e.context.operation),
    ['get', 'put'],
  );
});

test('a Redis that hangs: a read is a miss after readTimeoutMs', async () => {
  // Accepts connections and never answers: every command waits forever.
  const port = await listen(createServer((socket) => socket.on('error', () => {})));
  const { errors, onError } = errorLog();
  const cache = new ResponseCache(clientOn(port), {
    keyPrefix,
    onError,
    readTimeoutMs: 200,
    writeTimeoutMs: 300,
  });
  const key = responseCacheKey(request('hello?'));
  const started = performance.now();
  assert.equal(await within('get', 5_000, cache.get(key)), undefined);
  const waited = performance.now() - started;
  assert.ok(waited >= 150 && waited < 3_000, `a miss after ${Math.round(waited)} ms`);
  assert.equal(await within('put', 5_000, cache.put(key, answer)), false);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!.error.message, /GET .* not done within 200 ms/);
});
