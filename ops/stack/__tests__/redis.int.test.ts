import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRedis } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const redis = createRedis(config.clients);
after(() => redis.quit());

test('ioredis round-trips a value and a stream entry', async () => {
  const key = uniqueName('stack-test');
  await redis.set(key, 'value', 'EX', 60);
  assert.equal(await redis.get(key), 'value');
  assert.ok((await redis.ttl(key)) > 0);
  const stream = `${key}:tokens`;
  await redis.xadd(stream, '*', 'token', 'Hel');
  await redis.xadd(stream, '*', 'token', 'lo');
  const entries = await redis.xrange(stream, '-', '+');
  assert.deepEqual(
    entries.map(([, fields]) => fields[1]),
    ['Hel', 'lo'],
  );
  await redis.del(key, stream);
});
