// The error replies, over HTTP, for failures raised by the real clients: a store that cannot be
// reached (nothing listens on the port asked) is a 503 worth retrying, not a 500.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import cassandra from 'cassandra-driver';
import express from 'express';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { errorHandler, UNAVAILABLE_RETRY_AFTER_S } from './errors.ts';

/** A loopback port with nothing behind it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let base = '';
let close: () => Promise<void> = async () => undefined;
before(async () => {
  const port = await closedPort();
  const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  const app = express();
  app.get('/redis', async (_req, res, next) => {
    try {
      res.json(await redis.get('key'));
    } catch (error) {
      next(error);
    }
  });
  app.get('/cassandra', async (_req, res, next) => {
    const client = new cassandra.Client({ contactPoints: [`127.0.0.1:${port}`], localDataCenter: 'dc1' });
    try {
      await client.connect();
      res.json('connected');
    } catch (error) {
      next(error);
    } finally {
      await client.shutdown();
    }
  });
  app.get('/bug', () => {
    throw new TypeError('undefined is not a function');
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    redis.disconnect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
});
after(() => close());

for (const store of ['redis', 'cassandra'])
  test(`${store} out of reach: 503 with Retry-After, and no internals`, async () => {
    const res = await fetch(`${base}/${store}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), String(UNAVAILABLE_RETRY_AFTER_S));
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unavailable');
    assert.doesNotMatch(body.error.message, /127\.0\.0\.1|ECONNREFUSED|retries/);
  });

test('a bug is a 500, with nothing of it in the reply', async () => {
  const res = await fetch(`${base}/bug`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('retry-after'), null);
  assert.deepEqual(await res.json(), {
    error: { code: 'internal', message: 'something went wrong on our side' },
  });
});
