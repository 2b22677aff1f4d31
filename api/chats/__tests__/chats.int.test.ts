// The chat routes on the real stack: the API in-process on a chat topic and keyspace of the test's
// own, with a Cassandra projector and the inference processor answering through the outbox; the
// model server is the GPU-server simulator (a labelled stand-in, not a model).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { createCassandraClient, createRedis } from '../../../core/clients.ts';
import { BUCKET_MS } from '../../../projections/cassandra/messageTime.ts';
import { answerStreamKey } from '../../../connectors/tokenStream/answerStreamEntry.ts';
import { readerConnectionName } from '../../../connectors/tokenStream/tokenStreamReader.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { call, issueApiKey, newUser } from '../../../test-helpers/api.ts';
import { startInferenceHarness, type InferenceHarness } from '../../../test-helpers/inference.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
} from '../../../test-helpers/modelServerSimulator.ts';
import { testConfig } from '../../../test-helpers/projector.ts';
import { startApi, type RunningApi } from '../../server.ts';
import { chatKey, messageKey } from '../redisKeys.ts';
import { readSse, shownText, type ReceivedEvent } from '../../../test-helpers/sse.ts';

let sim: ModelServerSimulator;
let harness: InferenceHarness;
let api: RunningApi;
let url: string;
const redis = createRedis(testConfig);
const apiConfig = { ...testConfig, modelServer: { ...testConfig.modelServer, model: 'sim-model' } };

before(async () => {
  await redis.connect();
  sim = await startModelServerSimulator({
    slots: 4,
    timeToFirstTokenMs: 5,
    tokensPerSecond: 400,
    answerTokens: 12,
  });
  harness = await startInferenceHarness([{ version: 'sim-v1', servers: [{ url: sim.url, slots: 4 }] }]);
  api = await startApi(apiConfig, {
    port: 0,
    keyspace: harness.keyspace,
    topics: { chat: harness.topics.chat },
    modelTopic: harness.topics.model,
  });
  url = api.url;
});
after(async () => {
  await api?.stop();
  await harness?.close();
  await sim?.close();
  redis.disconnect();
});

type User = { userId: string; token: string };

async function createChat(user: User, body: object = {}): Promise<string> {
  const r = await call(url, 'post', '/v1/chats', { token: user.token, body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.chat_id as string;
}

async function prompt(user: User, chatId: string, content: string) {
  const r = await call(url, 'post', `/v1/chats/${chatId}/messages`, { token: user.token, body: { content } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body as { message_id: string; answer_message_id: string };
}

const streamUrl = (chatId: string, messageId: string) =>
  `${url}/v1/chats/${chatId}/messages/${messageId}/stream`;

async function history(user: User, chatId: string, query = '') {
  const r = await call(url, 'get', `/v1/chats/${chatId}/messages${query}`, { token: user.token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as { items: Array<Record<string, unknown>>; next_cursor: string | null };
}

/** The history once `done` holds for it. */
async function historyWhen(
  user: User,
  chatId: string,
  done: (items: Array<Record<string, unknown>>) => boolean,
  what: string,
) {
  let items: Array<Record<string, unknown>> = [];
  await eventually(
    async () => {
      items = (await history(user, chatId, '?limit=100')).items;
      return done(items);
    },
    30_000,
    what,
  );
  return items;
}

const ids = (events: readonly ReceivedEvent[]) => events.map((e) => e.id);

test('the journey: chat, prompt, live answer over SSE, history, rating, regeneration, chat list', async () => {
  const user = await newUser(url);
  const chatId = await createChat(user, { title: 'Kafka questions' });
  const first = await prompt(user, chatId, 'What is Kafka?');

  const live = await readSse(streamUrl(chatId, first.message_id), { token: user.token });
  assert.equal(live.status, 200);
  assert.match(live.contentType ?? '', /^text\/event-stream/);
  assert.equal(live.ended, 'terminal');
  assert.equal(live.events.at(-1)!.event, 'done');
  assert.equal(live.events.at(-1)!.data.finish_reason, 'STOP');
  assert.ok(live.events.some((e) => e.event === 'token'));
  assert.ok(
    live.events.every((e) => e.id && /^\d+-\d+$/.test(e.id)),
    'every event has its stream entry id',
  );
  const text = shownText(live.events);
  assert.ok(text.length > 0);

  const answered = await historyWhen(
    user,
    chatId,
    (items) => items.some((m) => m.message_id === first.answer_message_id && m.status === 'answered'),
    'the answer in the history',
  );
  const answer = answered.find((m) => m.message_id === first.answer_message_id)!;
  assert.equal(answer.role, 'assistant');
  assert.equal(answer.parent_message_id, first.message_id);
  assert.equal(answer.content, text, 'the history holds what was streamed');
  assert.equal(answer.model_version, 'sim-v1');
  const question = answered.find((m) => m.message_id === first.message_id)!;
  assert.deepEqual(
    { role: question.role, content: question.content, parent: question.parent_message_id },
    { role: 'user', content: 'What is Kafka?', parent: undefined },
  );
  assert.deepEqual(
    answered.map((m) => m.message_id),
    [first.answer_message_id, first.message_id],
    'newest first',
  );

  // Rating: accepted, and the owner's next read shows it (read-your-writes).
  const rated = await call(url, 'post', `/v1/messages/${first.answer_message_id}/rating`, {
    token: user.token,
    body: { rating: 'positive', comment: 'clear' },
  });
  assert.deepEqual(
    [rated.status, rated.body],
    [202, { message_id: first.answer_message_id, rating: 'positive' }],
  );
  const afterRating = await history(user, chatId);
  assert.equal(afterRating.items.find((m) => m.message_id === first.answer_message_id)!.rating, 'positive');

  // Regeneration: a sibling answer (same parent), streamed by the prompt's id (its latest answer).
  const regen = await call(url, 'post', `/v1/chats/${chatId}/messages/${first.message_id}/regenerate`, {
    token: user.token,
  });
  assert.equal(regen.status, 202, JSON.stringify(regen.body));
  const siblingId = regen.body.answer_message_id as string;
  const regenerated = await readSse(streamUrl(chatId, first.message_id), { token: user.token });
  assert.equal(regenerated.events.at(-1)!.event, 'done');
  const withSibling = await historyWhen(
    user,
    chatId,
    (items) => items.some((m) => m.message_id === siblingId && m.status === 'answered'),
    'the regenerated answer in the history',
  );
  const sibling = withSibling.find((m) => m.message_id === siblingId)!;
  assert.equal(sibling.role, 'assistant');
  assert.equal(sibling.parent_message_id, first.message_id, 'a sibling of the first answer');
  assert.equal(sibling.content, shownText(regenerated.events));

  // The next prompt follows the chat's head: the newest answer.
  const second = await prompt(user, chatId, 'And partitions?');
  const secondRow = (await history(user, chatId)).items.find((m) => m.message_id === second.message_id)!;
  assert.equal(secondRow.parent_message_id, siblingId);
  await historyWhen(
    user,
    chatId,
    (items) => items.some((m) => m.message_id === second.answer_message_id && m.status === 'answered'),
    'the second answer in the history',
  );

  // The chat list, newest activity first; a rename shows at once.
  const otherChat = await createChat(user);
  let list = await call(url, 'get', '/v1/chats', { token: user.token });
  assert.deepEqual(
    list.body.items.map((c: { chat_id: string }) => c.chat_id),
    [otherChat, chatId],
  );
  assert.equal(list.body.items[1].title, 'Kafka questions');
  assert.equal(list.body.items[0].model_version, 'sim-model');
  assert.equal(
    (await call(url, 'patch', `/v1/chats/${chatId}`, { token: user.token, body: { title: 'Kafka' } })).status,
    200,
  );
  list = await call(url, 'get', '/v1/chats', { token: user.token });
  assert.equal(list.body.items.find((c: { chat_id: string }) => c.chat_id === chatId).title, 'Kafka');
  await prompt(user, chatId, 'One more');
  await eventually(
    async () => {
      const items = (await call(url, 'get', '/v1/chats?limit=1', { token: user.token })).body.items;
      return items[0]?.chat_id === chatId;
    },
    30_000,
    'the chat with the newest prompt first',
  );

  // Deletion: gone from the list at once, and 404 on its routes.
  assert.equal((await call(url, 'delete', `/v1/chats/${otherChat}`, { token: user.token })).status, 204);
  list = await call(url, 'get', '/v1/chats', { token: user.token });
  assert.deepEqual(
    list.body.items.map((c: { chat_id: string }) => c.chat_id),
    [chatId],
  );
  assert.equal(
    (await call(url, 'get', `/v1/chats/${otherChat}/messages`, { token: user.token })).status,
    404,
  );
});

test('read-your-writes: a new chat takes a prompt and shows it on the very next requests', async () => {
  const user = await newUser(url);
  for (let i = 0; i < 3; i++) {
    const chatId = await createChat(user);
    const sent = await prompt(user, chatId, `hello ${i}`);
    const page = await history(user, chatId);
    assert.deepEqual(
      page.items.filter((m) => m.role === 'user').map((m) => [m.message_id, m.content]),
      [[sent.message_id, `hello ${i}`]],
    );
    const list = await call(url, 'get', '/v1/chats', { token: user.token });
    assert.ok(list.body.items.some((c: { chat_id: string }) => c.chat_id === chatId));
  }
});

test('an API key works like a session on the chat routes', async () => {
  const user = await newUser(url);
  const key = await issueApiKey(url, user.token);
  const chatId = await createChat({ userId: user.userId, token: key });
  const sent = await prompt({ userId: user.userId, token: key }, chatId, 'via a key');
  const streamed = await readSse(streamUrl(chatId, sent.message_id), { token: key });
  assert.equal(streamed.events.at(-1)!.event, 'done');
  assert.equal((await history(user, chatId)).items.at(-1)!.content, 'via a key', 'the session sees it too');
});

describe('SSE', () => {
  test('late join, Last-Event-ID resume, replay from the history once the stream expired', async () => {
    const user = await newUser(url);
    const chatId = await createChat(user);
    sim.configure({ tokensPerSecond: 25, answerTokens: 25 }); // about a second of tokens
    try {
      const readers = async () =>
        ((await redis.client('LIST')) as string)
          .split('\n')
          .filter((l) => l.includes(`name=${readerConnectionName} `)).length;
      const baseline = await readers();
      const sent = await prompt(user, chatId, 'a slow one');

      // A client that sees a few events and goes away.
      const part = await readSse(streamUrl(chatId, sent.message_id), { token: user.token, stopAfter: 3 });
      assert.equal(part.ended, 'stopped');
      assert.equal(part.events.length, 3);
      await eventually(
        async () => (await readers()) <= baseline,
        10_000,
        'the reader closed after the disconnect',
      );

      // It comes back with Last-Event-ID: only what follows, nothing twice.
      const rest = await readSse(streamUrl(chatId, sent.message_id), {
        token: user.token,
        lastEventId: part.events.at(-1)!.id,
      });
      assert.equal(rest.events.at(-1)!.event, 'done');
      const seen = [...ids(part.events), ...ids(rest.events)];
      assert.equal(new Set(seen).size, seen.length, 'no event twice');
      const resumed = shownText(rest.events, shownText(part.events));

      // A client joining after the end gets the whole answer from the stream.
      const late = await readSse(streamUrl(chatId, sent.message_id), { token: user.token });
      assert.deepEqual(ids(late.events), seen);
      assert.equal(shownText(late.events), resumed);

      // Reconnecting after done sends nothing more (EventSource reconnects by itself).
      const again = await readSse(streamUrl(chatId, sent.message_id), {
        token: user.token,
        lastEventId: late.events.at(-1)!.id,
      });
      assert.deepEqual([again.ended, again.events.length], ['server', 0]);

      // Once the stream has expired, the answer comes from the history: one token, then done.
      await historyWhen(
        user,
        chatId,
        (items) => items.some((m) => m.message_id === sent.answer_message_id && m.status === 'answered'),
        'the answer in the history',
      );
      await redis.del(answerStreamKey(sent.answer_message_id));
      const replayed = await readSse(streamUrl(chatId, sent.message_id), { token: user.token });
      assert.deepEqual(
        replayed.events.map((e) => e.event),
        ['token', 'done'],
      );
      assert.equal(replayed.events[0]!.data.text, resumed);
      // A client that saw part of the live stream is told to drop it first.
      const replayedAfterLive = await readSse(streamUrl(chatId, sent.message_id), {
        token: user.token,
        lastEventId: part.events.at(-1)!.id,
      });
      assert.deepEqual(
        replayedAfterLive.events.map((e) => e.event),
        ['restart', 'token', 'done'],
      );
      // The answer's id streams it too (how a regeneration's answer is followed).
      const byAnswerId = await readSse(streamUrl(chatId, sent.answer_message_id), { token: user.token });
      assert.equal(shownText(byAnswerId.events), resumed);
    } finally {
      sim.configure({ tokensPerSecond: 400, answerTokens: 12 });
    }
  });
  test('a client that disconnects mid-answer closes its Redis reader', async () => {
    const user = await newUser(url);
    const chatId = await createChat(user);
    const readers = async () =>
      ((await redis.client('LIST')) as string)
        .split('\n')
        .filter((l) => l.includes(`name=${readerConnectionName} `)).length;
    const baseline = await readers();
    sim.configure({ tokensPerSecond: 4, answerTokens: 12 }); // three seconds of tokens
    try {
      const sent = await prompt(user, chatId, 'take your time');
      const controller = new AbortController();
      const response = await fetch(streamUrl(chatId, sent.message_id), {
        headers: { authorization: `Bearer ${user.token}` },
        signal: controller.signal,
      });
      assert.equal(response.status, 200);
      await eventually(async () => (await readers()) > baseline, 10_000, 'a blocking reader for the client');
      controller.abort();
      await eventually(
        async () => (await readers()) <= baseline,
        10_000,
        'the reader closed after the disconnect',
      );
      const rest = await readSse(streamUrl(chatId, sent.message_id), {
        token: user.token,
        timeoutMs: 30_000,
      });
      assert.equal(rest.events.at(-1)!.event, 'done', 'the answer went on without the client');
    } finally {
      sim.configure({ tokensPerSecond: 400, answerTokens: 12 });
    }
  });
});

test('Redis is only a cache: without its entries, ownership, streams and ratings come from Cassandra', async () => {
  const owner = await newUser(url);
  const other = await newUser(url);
  const chatId = await createChat(owner);
  const sent = await prompt(owner, chatId, 'remember me');
  await readSse(streamUrl(chatId, sent.message_id), { token: owner.token });
  await historyWhen(
    owner,
    chatId,
    (items) => items.some((m) => m.message_id === sent.answer_message_id && m.status === 'answered'),
    'the answer in the history',
  );
  await redis.del(chatKey(chatId), messageKey(sent.message_id), messageKey(sent.answer_message_id));

  assert.equal((await history(owner, chatId)).items.length, 2);
  assert.equal((await call(url, 'get', `/v1/chats/${chatId}/messages`, { token: other.token })).status, 404);
  const streamed = await readSse(streamUrl(chatId, sent.message_id), { token: owner.token });
  assert.equal(streamed.events.at(-1)!.event, 'done', 'the prompt → answer link from the history');
  await redis.del(messageKey(sent.answer_message_id));
  const rated = await call(url, 'post', `/v1/messages/${sent.answer_message_id}/rating`, {
    token: owner.token,
    body: { rating: 'negative' },
  });
  assert.equal(rated.status, 202, 'the chat of the message found in Cassandra');
  await redis.del(messageKey(sent.answer_message_id));
  const foreign = await call(url, 'post', `/v1/messages/${sent.answer_message_id}/rating`, {
    token: other.token,
    body: { rating: 'negative' },
  });
  assert.equal(foreign.status, 404);
  // The head came back from the history too: the next prompt follows the answer.
  await redis.del(chatKey(chatId));
  const next = await prompt(owner, chatId, 'and next');
  const row = (await history(owner, chatId)).items.find((m) => m.message_id === next.message_id)!;
  assert.equal(row.parent_message_id, sent.answer_message_id);
});

test('history pages run across 10-day buckets, a bounded number of reads per page, until the chat began', async () => {
  const user = await newUser(url);
  // A chat begun six buckets ago, three messages then, a silence of four buckets, two messages last
  // bucket: written straight into the read model (the projector's tables), as if long projected.
  const b0 = Math.floor(Date.now() / BUCKET_MS) - 6;
  const at = (bucket: number, hours: number) => (b0 + bucket) * BUCKET_MS + hours * 3_600_000;
  const chatId = uuidv7({ msecs: at(0, 1) });
  const messages = [at(0, 2), at(0, 3), at(0, 4), at(5, 1), at(5, 2)].map((msecs) => uuidv7({ msecs }));
  const cassandra = createCassandraClient(testConfig);
  try {
    const ks = harness.keyspace;
    await cassandra.execute(`INSERT INTO ${ks}.chats (chat_id, user_id, model_version) VALUES (?, ?, ?)`, [
      chatId,
      user.userId,
      'sim-model',
    ]);
    await cassandra.execute(
      `INSERT INTO ${ks}.chats_by_user (user_id, chat_id, last_activity_at) VALUES (?, ?, ?)`,
      [user.userId, chatId, new Date(at(5, 2))],
      { prepare: true },
    );
    for (const [i, id] of messages.entries())
      await cassandra.execute(
        `INSERT INTO ${ks}.messages_by_chat (chat_id, bucket, message_id, role, content, created_at) VALUES (?, ?, ?, 'USER', ?, ?)`,
        [chatId, i < 3 ? b0 : b0 + 5, id, `m${i}`, new Date(i < 3 ? at(0, 2 + i) : at(5, i - 2))],
        { prepare: true },
      );
  } finally {
    await cassandra.shutdown();
  }

  const pages: Array<Array<unknown>> = [];
  let cursor: string | null = null;
  do {
    const page = await history(user, chatId, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(page.items.length <= 2);
    pages.push(page.items.map((m) => m.content));
    cursor = page.next_cursor;
  } while (cursor && pages.length < 10);
  assert.deepEqual(
    pages,
    [['m4', 'm3'], [], ['m2', 'm1'], ['m0']],
    'an empty page where the silence ran past 3 reads',
  );
  const whole = await history(user, chatId, '?limit=100');
  assert.deepEqual(
    whole.items.map((m) => m.content),
    ['m4', 'm3'],
    'one page reads at most 3 buckets, then hands back a cursor',
  );
  assert.ok(whole.next_cursor);
});

test("authorisation: another user's ids are 404 on every route, no token is 401", async () => {
  const a = await newUser(url);
  const b = await newUser(url);
  const chatId = await createChat(a, { title: 'private' });
  const sent = await prompt(a, chatId, 'secret question');
  await readSse(streamUrl(chatId, sent.message_id), { token: a.token });
  const bChat = await createChat(b);

  const routes: Array<[string, string, object?]> = [
    ['patch', `/v1/chats/${chatId}`, { title: 'mine now' }],
    ['post', `/v1/chats/${chatId}/messages`, { content: 'hi' }],
    ['get', `/v1/chats/${chatId}/messages`],
    ['get', `/v1/chats/${chatId}/messages/${sent.message_id}/stream`],
    ['post', `/v1/chats/${chatId}/messages/${sent.message_id}/regenerate`, {}],
    ['post', `/v1/messages/${sent.answer_message_id}/rating`, { rating: 'negative' }],
    ['post', `/v1/messages/${sent.message_id}/rating`, { rating: 'negative' }],
    // B's own chat with A's messages.
    ['get', `/v1/chats/${bChat}/messages/${sent.message_id}/stream`],
    ['get', `/v1/chats/${bChat}/messages/${sent.answer_message_id}/stream`],
    ['post', `/v1/chats/${bChat}/messages/${sent.message_id}/regenerate`, {}],
    ['delete', `/v1/chats/${chatId}`],
  ];
  for (const [method, path, body] of routes) {
    const r = await call(url, method, path, { token: b.token, body });
    assert.equal(r.status, 404, `${method} ${path} as another user: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'not_found');
  }
  for (const [method, path, body] of [...routes, ['get', '/v1/chats'], ['post', '/v1/chats', {}]] as const) {
    const r = await call(url, method, path, { body });
    assert.equal(r.status, 401, `${method} ${path} without a token`);
    const bad = await call(url, method, path, { body, token: 'pst_not-a-session' });
    assert.equal(bad.status, 401, `${method} ${path} with a dead token`);
  }
  // Nothing B tried changed A's chat.
  const list = await call(url, 'get', '/v1/chats', { token: a.token });
  assert.deepEqual(
    list.body.items.map((c: { chat_id: string; title: string }) => [c.chat_id, c.title]),
    [[chatId, 'private']],
  );
  assert.equal((await call(url, 'get', '/v1/chats', { token: b.token })).body.items.length, 1);

  // A deleted chat is 404 to its owner on every route.
  assert.equal((await call(url, 'delete', `/v1/chats/${chatId}`, { token: a.token })).status, 204);
  for (const [method, path, body] of routes.filter(([, path]) => !path.includes(bChat))) {
    const r = await call(url, method, path, { token: a.token, body });
    assert.equal(r.status, 404, `${method} ${path} after deletion: ${r.status}`);
  }
});

test('bad input on every route is a 4xx JSON error naming the field, never a 5xx', async () => {
  const user = await newUser(url);
  const chatId = await createChat(user);
  const sent = await prompt(user, chatId, 'question');
  const stranger = uuidv7();
  const v4 = randomUUID();
  const huge = 'x'.repeat(apiConfig.api.maxContentBytes + 1);
  const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

  const cases: Array<{
    method: string;
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
    status: number;
    field?: string;
  }> = [
    { method: 'post', path: '/v1/chats', body: '{"title":', status: 400, field: 'body' },
    { method: 'post', path: '/v1/chats', body: { title: 42 }, status: 400, field: 'body.title' },
    { method: 'post', path: '/v1/chats', body: { title: '' }, status: 400, field: 'body.title' },
    { method: 'post', path: '/v1/chats', body: { model: 'no-such-model' }, status: 400, field: 'body.model' },
    { method: 'post', path: '/v1/chats', body: [1, 2], status: 400, field: 'body' },
    { method: 'get', path: '/v1/chats?limit=0', status: 400, field: 'query.limit' },
    { method: 'get', path: '/v1/chats?limit=abc', status: 400, field: 'query.limit' },
    { method: 'get', path: '/v1/chats?limit=1&limit=2', status: 400, field: 'query.limit' },
    { method: 'get', path: '/v1/chats?cursor=%%%', status: 400 },
    { method: 'get', path: '/v1/chats?cursor=bm90LWEtY3Vyc29y', status: 400, field: 'query.cursor' },
    {
      method: 'patch',
      path: '/v1/chats/not-a-uuid',
      body: { title: 't' },
      status: 400,
      field: 'path.chat_id',
    },
    { method: 'patch', path: `/v1/chats/${chatId}`, body: {}, status: 400, field: 'body.title' },
    {
      method: 'patch',
      path: `/v1/chats/${chatId}`,
      body: { title: ['t'] },
      status: 400,
      field: 'body.title',
    },
    { method: 'patch', path: `/v1/chats/${v4}`, body: { title: 't' }, status: 404 },
    { method: 'delete', path: '/v1/chats/1', status: 400, field: 'path.chat_id' },
    { method: 'delete', path: `/v1/chats/${stranger}`, status: 404 },
    { method: 'post', path: `/v1/chats/${chatId}/messages`, body: {}, status: 400, field: 'body.content' },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: { content: 7 },
      status: 400,
      field: 'body.content',
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: { content: '' },
      status: 400,
      field: 'body.content',
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: 'content=hi',
      headers: { 'content-type': 'application/json' },
      status: 400,
      field: 'body',
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: { content: huge },
      status: 413,
      field: 'body.content',
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: { content: 'x'.repeat(apiConfig.api.bodyLimitBytes + 10) },
      status: 413,
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages`,
      body: { content: 'hi', model: 'no-such-model' },
      status: 400,
      field: 'body.model',
    },
    { method: 'post', path: `/v1/chats/${stranger}/messages`, body: { content: 'hi' }, status: 404 },
    { method: 'get', path: `/v1/chats/${chatId}/messages?limit=101`, status: 400, field: 'query.limit' },
    {
      method: 'get',
      path: `/v1/chats/${chatId}/messages?cursor=${cursorOf('m:1:x')}`,
      status: 400,
      field: 'query.cursor',
    },
    {
      method: 'get',
      path: `/v1/chats/${chatId}/messages?cursor=${cursorOf('b:1')}`,
      status: 400,
      field: 'query.cursor',
    },
    {
      method: 'get',
      path: `/v1/chats/${chatId}/messages?cursor=${cursorOf(`m:999999:${stranger}`)}`,
      status: 400,
      field: 'query.cursor',
    },
    { method: 'get', path: '/v1/chats/zzz/messages', status: 400, field: 'path.chat_id' },
    {
      method: 'get',
      path: `/v1/chats/${chatId}/messages/nope/stream`,
      status: 400,
      field: 'path.message_id',
    },
    { method: 'get', path: `/v1/chats/${chatId}/messages/${stranger}/stream`, status: 404 },
    { method: 'get', path: `/v1/chats/${chatId}/messages/${v4}/stream`, status: 404 },
    {
      method: 'get',
      path: `/v1/chats/${chatId}/messages/${sent.message_id}/stream`,
      headers: { 'last-event-id': 'yesterday' },
      status: 400,
      field: 'header.Last-Event-ID',
    },
    { method: 'post', path: `/v1/chats/${chatId}/messages/${stranger}/regenerate`, status: 404 },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages/x/regenerate`,
      status: 400,
      field: 'path.message_id',
    },
    {
      method: 'post',
      path: `/v1/chats/${chatId}/messages/${sent.message_id}/regenerate`,
      body: { model: 5 },
      status: 400,
      field: 'body.model',
    },
    {
      method: 'post',
      path: `/v1/messages/${sent.answer_message_id}/rating`,
      body: { rating: 'meh' },
      status: 400,
      field: 'body.rating',
    },
    {
      method: 'post',
      path: `/v1/messages/${sent.answer_message_id}/rating`,
      body: {},
      status: 400,
      field: 'body.rating',
    },
    {
      method: 'post',
      path: `/v1/messages/${sent.answer_message_id}/rating`,
      body: { rating: 'positive', comment: 5 },
      status: 400,
      field: 'body.comment',
    },
    {
      method: 'post',
      path: `/v1/messages/${sent.answer_message_id}/rating`,
      body: '{rating}',
      status: 400,
      field: 'body',
    },
    {
      method: 'post',
      path: `/v1/messages/${sent.message_id}/rating`,
      body: { rating: 'positive' },
      status: 400,
      field: 'path.message_id',
    },
    {
      method: 'post',
      path: '/v1/messages/%00/rating',
      body: { rating: 'positive' },
      status: 400,
      field: 'path.message_id',
    },
    { method: 'post', path: `/v1/messages/${stranger}/rating`, body: { rating: 'positive' }, status: 404 },
  ];
  for (const c of cases) {
    const r = await call(url, c.method, c.path, { token: user.token, body: c.body, headers: c.headers });
    const what = `${c.method} ${c.path.slice(0, 120)}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
    assert.equal(r.status, c.status, what);
    assert.equal(typeof r.body?.error?.code, 'string', what);
    assert.equal(typeof r.body?.error?.message, 'string', what);
    if (c.field) assert.equal(r.body.error.field, c.field, what);
  }
});

test('a known path asked with an undeclared method is a 405 naming the allowed ones; an unknown path is a 404', async () => {
  const user = await newUser(url);
  const chatId = (await call(url, 'post', '/v1/chats', { token: user.token, body: {} })).body.chat_id;
  const put = await call(url, 'put', `/v1/chats/${chatId}`, { token: user.token, body: { title: 't' } });
  assert.equal(put.status, 405);
  assert.equal(put.body.error.code, 'method_not_allowed');
  assert.deepEqual(put.headers.get('allow')?.split(', ').sort(), ['DELETE', 'PATCH']);
  const list = await call(url, 'delete', '/v1/chats', { token: user.token });
  assert.equal(list.status, 405);
  assert.deepEqual(list.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
  assert.equal((await call(url, 'post', '/openapi.json')).status, 405);
  const unknown = await call(url, 'get', '/v1/no-such-route', { token: user.token });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
});

test('prompts are rate limited per caller: 429 with Retry-After', async () => {
  const limited = await startApi(
    { ...apiConfig, api: { ...apiConfig.api, promptRateLimitPerMinute: 2 } },
    {
      port: 0,
      keyspace: harness.keyspace,
      topics: { chat: harness.topics.chat },
      modelTopic: harness.topics.model,
    },
  );
  try {
    const user = await newUser(limited.url);
    const chatId = (await call(limited.url, 'post', '/v1/chats', { token: user.token, body: {} })).body
      .chat_id;
    let accepted = 0;
    let refused: Awaited<ReturnType<typeof call>> | undefined;
    // Two per window; a window boundary between the calls can let two more through, no more.
    for (let i = 0; i < 5 && !refused; i++) {
      const r = await call(limited.url, 'post', `/v1/chats/${chatId}/messages`, {
        token: user.token,
        body: { content: `n${i}` },
      });
      if (r.status === 429) refused = r;
      else {
        assert.equal(r.status, 202);
        accepted++;
      }
    }
    assert.ok(refused, 'a prompt past the limit is refused');
    assert.ok(accepted >= 2 && accepted <= 4);
    assert.equal(refused.body.error.code, 'rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Reading is limited separately (the general limit): still fine.
    assert.equal(
      (await call(limited.url, 'get', `/v1/chats/${chatId}/messages`, { token: user.token })).status,
      200,
    );
  } finally {
    await limited.stop();
  }
});

test('the OpenAPI document describes the chat routes', async () => {
  const doc = (await call(url, 'get', '/openapi.json')).body;
  for (const path of [
    '/v1/chats',
    '/v1/chats/{chat_id}',
    '/v1/chats/{chat_id}/messages',
    '/v1/chats/{chat_id}/messages/{message_id}/stream',
    '/v1/chats/{chat_id}/messages/{message_id}/regenerate',
    '/v1/messages/{message_id}/rating',
  ])
    assert.ok(doc.paths[path], path);
  assert.ok(doc.paths['/v1/chats/{chat_id}/messages'].post.responses['413']);
});
