// Session tokens in the real Redis: a live token resolves to its user, an expired or revoked one
// never does, and Redis holds only the token's digest.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { createRedis } from '../../../core/clients.ts';
import { config } from '../../../test-helpers/config.ts';
import { SessionStore } from '../sessions.ts';

const redis = createRedis(config.clients);
before(() => redis.connect());
after(() => redis.disconnect());

test('a session resolves until it expires or is revoked; Redis keeps no usable token', async () => {
  const userId = randomUUID();
  const short = new SessionStore(redis, 1);
  const expiring = await short.create(userId);
  assert.equal((await short.resolve(expiring.token))?.userId, userId);
  assert.equal((await redis.keys(`*${expiring.token}*`)).length, 0, 'the token itself is stored nowhere');
  await sleep(1_500);
  assert.equal(await short.resolve(expiring.token), undefined, 'expired');

  const sessions = new SessionStore(redis, 3600);
  const live = await sessions.create(userId);
  assert.equal((await sessions.resolve(live.token))?.sessionId, live.sessionId);
  assert.equal(await sessions.revoke(live.token), true);
  assert.equal(await sessions.resolve(live.token), undefined, 'revoked');
  assert.equal(await sessions.revoke(live.token), false, 'a second revoke finds nothing');
  assert.equal(await sessions.resolve(`${live.token}x`), undefined, 'a forged token');
  assert.equal(await sessions.resolve('not-a-token'), undefined);
});
