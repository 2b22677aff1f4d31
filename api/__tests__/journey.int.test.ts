// The whole journey as a new user takes it, against the real model server (the stack's
// llama-server): register, log in, create a chat, send a prompt, stream the answer over SSE, see it
// in the history, rate it, log out (the token is dead at once).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../../test-helpers/bounded.ts';
import { call, login, registerUser } from '../../test-helpers/api.ts';
import { startInferenceHarness, type InferenceHarness } from '../../test-helpers/inference.ts';
import { config } from '../../test-helpers/config.ts';
import { testConfig } from '../../test-helpers/projector.ts';
import { readSse, shownText } from '../../test-helpers/sse.ts';
import { startApi, type RunningApi } from '../server.ts';

const { url: modelUrl, model } = config.clients.modelServer;
let harness: InferenceHarness;
let api: RunningApi;

before(async () => {
  harness = await startInferenceHarness([
    {
      version: model,
      modelName: model,
      servers: [{ url: modelUrl, slots: config.stack.PARLEY_MODEL_SLOTS }],
    },
  ]);
  api = await startApi(testConfig, {
    port: 0,
    keyspace: harness.keyspace,
    topics: { chat: harness.topics.chat },
    modelTopic: harness.topics.model,
  });
});
after(async () => {
  await api?.stop();
  await harness?.close();
});

test(
  'register, log in, chat with the real model over SSE, history, rating, log out',
  { timeout: 240_000 },
  async () => {
    const { email, password } = await registerUser(api.url);
    const { token } = await login(api.url, email, password);
    const chat = await call(api.url, 'POST', '/v1/chats', { token, body: { title: 'First steps' } });
    assert.equal(chat.status, 201);
    const chatId = chat.body.chat_id as string;
    const sent = await call(api.url, 'POST', `/v1/chats/${chatId}/messages`, {
      token,
      body: { content: 'Name a primary colour in one word.' },
    });
    assert.equal(sent.status, 202);
    const { message_id: promptId, answer_message_id: answerId } = sent.body as Record<string, string>;

    const stream = await readSse(`${api.url}/v1/chats/${chatId}/messages/${promptId}/stream`, {
      token,
      timeoutMs: 180_000,
    });
    assert.equal(stream.events.at(-1)?.event, 'done', JSON.stringify(stream.events.slice(-3)));
    const text = shownText(stream.events);
    assert.ok(text.trim().length > 0, 'the real model streamed text');

    await eventually(
      async () => {
        const history = await call(api.url, 'GET', `/v1/chats/${chatId}/messages?limit=10`, { token });
        const items = history.body.items as Array<Record<string, unknown>>;
        const answer = items.find((m) => m.message_id === answerId);
        return (
          answer?.role === 'assistant' && answer.content === text && answer.parent_message_id === promptId
        );
      },
      30_000,
      'the streamed answer in the history',
    );
    const rated = await call(api.url, 'POST', `/v1/messages/${answerId}/rating`, {
      token,
      body: { rating: 'positive' },
    });
    assert.equal(rated.status, 202);

    assert.equal((await call(api.url, 'POST', '/v1/auth/logout', { token })).status, 204);
    assert.equal((await call(api.url, 'GET', '/v1/me', { token })).status, 401, 'the token is dead at once');
  },
);
