// Answer token streams against the stack's Redis: coalescing, order, TTL, late and resuming
// readers, the reader's ways to end, and a Redis that is gone (a closed port, a dropped
// connection) or goes away mid-answer and comes back (a TCP proxy the test cuts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { createRedis } from '../../../core/clients.ts';
import { eventually, within } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import { answerStreamKey, decodeEntry, type AnswerStreamEntry } from '../answerStreamEntry.ts';
import {
  answerStreamState,
  readAnswerStream,
  readerConnectionName,
  type AnswerStreamItem,
  type ReadAnswerStreamOptions,
} from '../tokenStreamReader.ts';
import { TokenStreamWriter, type TokenStreamWriterOptions } from '../tokenStreamWriter.ts';

const redis = createRedis(config.clients);
const extraClients: Redis[] = [];
const keys: string[] = [];
after(async () => {
  for (const client of extraClients) client.disconnect();
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** A fresh answer id whose key is deleted after the run. */
function answerId(): string {
  const id = randomUUID();
  keys.push(answerStreamKey(id));
  return id;
}

async function entriesOf(id: string): Promise<{ id: string; entry: AnswerStreamEntry }[]> {
  const raw = await redis.xrange(answerStreamKey(id), '-', '+');
  return raw.map(([entryId, fields]) => {
    const entry = decodeEntry(fields);
    assert.ok(entry, `entry ${entryId} decodes: ${JSON.stringify(fields)}`);
    return { id: entryId, entry };
  });
}

/** What a reader shows after these entries: start and restart reset, tokens append. */
function shown(entries: AnswerStreamEntry[]): string {
  let text = '';
  for (const e of entries) {
    if (e.type === 'start' || e.type === 'restart') text = '';
    else if (e.type === 'token') text += e.text;
  }
  return text;
}

async function collect(
  id: string,
  options: ReadAnswerStreamOptions = {},
  ms = 15_000,
): Promise<AnswerStreamItem[]> {
  return within(
    `reading ${id}`,
    ms,
    (async () => {
      const items: AnswerStreamItem[] = [];
      for await (const item of readAnswerStream(redis, id, options)) items.push(item);
      return items;
    })(),
  );
}

function collectErrors(): { errors: Error[]; onError: TokenStreamWriterOptions['onError'] } {
  const errors: Error[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function clientOn(port: number): Redis {
  const client = createRedis({ ...config.clients, redisUrl: `redis://127.0.0.1:${port}` });
  client.on('error', () => {}); // the writer hears of failures through its commands
  extraClients.push(client);
  return client;
}

test('500 appends within a short window become a few ordered entries with the exact text', async () => {
  const { errors, onError } = collectErrors();
  const registry = new Registry();
  const writer = new TokenStreamWriter(redis, { onError, registry });
  const id = answerId();
  const started = performance.now();
  const stream = writer.open(id, { chat_id: 'c1', model_version: 'gemma-3@2' });
  let expected = '';
  for (let burst = 0; burst < 50; burst++) {
    for (let i = 0; i < 10; i++) {
      const token = `t${burst * 10 + i} `;
      expected += token;
      stream.append(token);
    }
    await sleep(2);
  }
  const elapsed = performance.now() - started;
  assert.equal(await within('finish', 5_000, stream.finish({ finishReason: 'stop', tokensOut: 500 })), true);

  const entries = (await entriesOf(id)).map((e) => e.entry);
  const tokens = entries.filter((e) => e.type === 'token');
  assert.deepEqual(entries[0], { type: 'start', meta: { chat_id: 'c1', model_version: 'gemma-3@2' } });
  assert.deepEqual(entries.at(-1), { type: 'done', finishReason: 'stop', tokensOut: 500 });
  assert.equal(entries.length, tokens.length + 2);
  // At most one write per 20 ms flush interval (plus the leading and the final one), whatever the pace.
  const bound = Math.min(100, Math.ceil(elapsed / 20) + 2);
  assert.ok(
    tokens.length >= 1 && tokens.length <= bound,
    `500 appends in ${Math.round(elapsed)} ms made ${tokens.length} token entries (at most ${bound})`,
  );
  assert.equal(shown(entries), expected, 'the text, in order');
  assert.deepEqual(errors, []);
  assert.equal(writer.openStreams, 0);
  const written = await registry.getSingleMetric('parley_token_stream_entries_total')!.get();
  const byType = Object.fromEntries(written.values.map((v) => [v.labels.type, v.value]));
  assert.deepEqual(byType, { start: 1, token: tokens.length, done: 1 });
});

test('order holds across restarts; the restart entry is there; the stream has a TTL, refreshed at the end', async () => {
  const writer = new TokenStreamWriter(redis, { ttlSeconds: 300 });
  const id = answerId();
  const key = answerStreamKey(id);
  const stream = writer.open(id);
  stream.append('Hel');
  stream.append('lo');
  stream.restart('model server gpu-3 broke');
  stream.append('Hi');
  await eventually(async () => (await redis.xlen(key)) === 4, 5_000, 'first write');
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= 300, `TTL after the first write: ${ttl}`);

  await redis.expire(key, 5); // the end must bring it back to ttlSeconds
  stream.append(' there');
  assert.equal(await within('finish', 5_000, stream.finish({ finishReason: 'length' })), true);
  const refreshed = await redis.ttl(key);
  assert.ok(refreshed > 5 && refreshed <= 300, `TTL after the end: ${refreshed}`);

  const entries = (await entriesOf(id)).map((e) => e.entry);
  assert.deepEqual(entries, [
    { type: 'start', meta: {} },
    { type: 'token', text: 'Hello' },
    { type: 'restart', reason: 'model server gpu-3 broke' },
    { type: 'token', text: 'Hi' },
    { type: 'token', text: ' there' },
    { type: 'done', finishReason: 'length' },
  ]);
  assert.equal(shown(entries), 'Hi there');
  // Calls after the end change nothing, and a second end returns the first one's outcome.
  stream.append('late');
  assert.equal(await stream.fail({ code: 'X', message: 'late' }), true);
  assert.equal(await redis.xlen(key), 6);
});

test('a late reader gets everything from the start; a reader with `after` resumes right behind that entry', async () => {
  const writer = new TokenStreamWriter(redis);
  const id = answerId();
  const stream = writer.open(id);
  for (const word of ['one ', 'two ', 'three ']) {
    stream.append(word);
    await sleep(60); // three separate token entries
  }
  await stream.finish({ finishReason: 'stop', tokensOut: 3 });
  const all = await entriesOf(id);
  assert.ok(all.length >= 5, `entries: ${all.length}`);

  const late = await collect(id);
  assert.deepEqual(late, all, 'the late reader saw every entry with its id, and ended at done');

  for (let i = 0; i < all.length - 1; i++) {
    const resumed = await collect(id, { after: all[i]!.id });
    assert.deepEqual(resumed, all.slice(i + 1), `after entry ${i}`);
  }
  // A client that saw done and reconnects anyway gets nothing, at once (not after the idle timeout).
  assert.deepEqual(await collect(id, { after: all.at(-1)!.id }, 2_000), []);
  await assert.rejects(collect(id, { after: 'not-an-id' }), RangeError);
});

test('a live reader waits for the stream, follows it and ends on done; its blocking connection is closed', async () => {
  const writer = new TokenStreamWriter(redis);
  const id = answerId();
  assert.equal(await answerStreamState(redis, id), 'absent');
  const reading = collect(id, { blockMs: 200 });
  await sleep(300); // the reader is blocked on a stream that does not exist yet
  const stream = writer.open(id, { chat_id: 'c2' });
  await eventually(async () => (await answerStreamState(redis, id)) === 'streaming', 5_000, 'streaming');
  let expected = '';
  for (let i = 0; i < 20; i++) {
    expected += `w${i} `;
    stream.append(`w${i} `);
    await sleep(10);
  }
  await stream.finish({ finishReason: 'stop' });
  const items = await reading;
  assert.deepEqual(
    items.map((i) => i.entry),
    (await entriesOf(id)).map((e) => e.entry),
  );
  assert.equal(items.at(-1)!.entry.type, 'done');
  assert.equal(shown(items.map((i) => i.entry)), expected);
  assert.equal(await answerStreamState(redis, id), 'complete');
  await eventually(
    async () => !((await redis.client('LIST')) as string).includes(`name=${readerConnectionName} `),
    5_000,
    'the reader’s blocking connection to close',
  );
});

test('a reader ends on an error entry; the state says failed', async () => {
  const writer = new TokenStreamWriter(redis);
  const id = answerId();
  const stream = writer.open(id);
  stream.append('partial');
  const reading = collect(id);
  await stream.fail({ code: 'MODEL_STREAM_BROKEN', message: 'the stream broke twice' });
  const items = await reading;
  assert.deepEqual(items.at(-1)!.entry, {
    type: 'error',
    code: 'MODEL_STREAM_BROKEN',
    message: 'the stream broke twice',
  });
  assert.equal(await answerStreamState(redis, id), 'failed');
});

test('a reader ends when its signal aborts, and after an idle timeout', async () => {
  const writer = new TokenStreamWriter(redis);
  const id = answerId();
  const stream = writer.open(id);
  stream.append('waiting');
  await eventually(async () => (await redis.xlen(answerStreamKey(id))) === 2, 5_000, 'first write');

  const controller = new AbortController();
  const aborted = collect(id, { signal: controller.signal, blockMs: 30_000, idleTimeoutMs: 60_000 }, 5_000);
  await sleep(300); // blocked in XREAD for up to 30 s
  controller.abort();
  assert.deepEqual(
    (await aborted).map((i) => i.entry.type),
    ['start', 'token'],
  );

  const started = performance.now();
  const idle = await collect(id, { idleTimeoutMs: 400, blockMs: 5_000 }, 5_000);
  assert.equal(idle.length, 2);
  assert.ok(performance.now() - started >= 350, 'waited for the idle timeout');

  await stream.close(); // no terminal entry: the stream stays "streaming" until its TTL
  assert.equal(await answerStreamState(redis, id), 'streaming');
});

test('a re-opened answer replaces what an earlier run left', async () => {
  const writer = new TokenStreamWriter(redis);
  const id = answerId();
  const first = writer.open(id);
  first.append('from a processor that died');
  await first.close();
  const second = writer.open(id, { run: '2' });
  second.append('fresh');
  await second.finish({ finishReason: 'stop' });
  assert.deepEqual(
    (await entriesOf(id)).map((e) => e.entry),
    [
      { type: 'start', meta: { run: '2' } },
      { type: 'token', text: 'fresh' },
      { type: 'done', finishReason: 'stop' },
    ],
  );
});

/** A client that was connected and then dropped its connection (it does not reconnect). */
async function disconnectedClient(): Promise<Redis> {
  const client = createRedis(config.clients);
  extraClients.push(client);
  await client.ping();
  client.disconnect();
  return client;
}

test('a Redis that is not there never throws into the writer’s caller; failures reach onError', async () => {
  for (const [what, client] of [
    ['a closed port', clientOn(await closedPort())],
    ['a disconnected client', await disconnectedClient()],
  ] as const) {
    const { errors, onError } = collectErrors();
    const writer = new TokenStreamWriter(client, { onError, finalWriteTimeoutMs: 1_500 });
    const stream = writer.open(answerId(), { chat_id: 'c3' });
    for (let i = 0; i < 100; i++) stream.append(`x${i}`);
    stream.restart('again');
    stream.append('y');
    const started = performance.now();
    const written = await within(`${what}: finish`, 10_000, stream.finish({ finishReason: 'stop' }));
    assert.equal(written, false, `${what}: the final entry is not in Redis`);
    assert.ok(performance.now() - started < 5_000, `${what}: finish bounded`);
    assert.ok(errors.length >= 1, `${what}: reported`);
    assert.equal(writer.errors, errors.length);
    assert.equal(writer.openStreams, 0);
    // A throwing onError does not reach the caller either.
    const rude = new TokenStreamWriter(client, {
      finalWriteTimeoutMs: 500,
      onError: () => {
        throw new Error('callback bug');
      },
    });
    const s = rude.open(answerId());
    s.append('z');
    assert.equal(await within(`${what}: rude finish`, 10_000, s.fail({ code: 'E', message: 'm' })), false);
  }
});

/** A TCP proxy to the stack's Redis that the test can cut and restore on the same port. */
async function redisProxy(): Promise<{
  port: number;
  cut: () => Promise<void>;
  restore: () => Promise<void>;
}> {
  const target = new URL(config.clients.redisUrl);
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  return {
    port,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: async () => {
      await listen(port);
    },
  };
}

test('Redis lost mid-answer and back: the answer goes on, and readers end with the exact text (resync)', async () => {
  const proxy = await redisProxy();
  const client = clientOn(proxy.port);
  const { errors, onError } = collectErrors();
  const writer = new TokenStreamWriter(client, { onError, finalWriteTimeoutMs: 15_000 });
  const id = answerId();
  const stream = writer.open(id);
  stream.append('before ');
  await eventually(async () => (await redis.xlen(answerStreamKey(id))) === 2, 5_000, 'first write');

  await proxy.cut();
  let expected = 'before ';
  for (let i = 0; i < 30; i++) {
    expected += `during${i} `;
    stream.append(`during${i} `);
    await sleep(5);
  }
  await eventually(async () => errors.length >= 1, 10_000, 'a failed write reported');
  await proxy.restore();
  stream.append('after');
  expected += 'after';
  assert.equal(await within('finish', 20_000, stream.finish({ finishReason: 'stop' })), true);

  const entries = (await entriesOf(id)).map((e) => e.entry);
  assert.ok(
    entries.some((e) => e.type === 'restart' && e.reason === 'resync'),
    'a resync entry after the outage',
  );
  assert.deepEqual(entries.at(-1), { type: 'done', finishReason: 'stop' });
  assert.equal(shown(entries), expected);
  assert.equal(shown((await collect(id)).map((i) => i.entry)), expected);
});
