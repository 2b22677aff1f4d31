// The OpenAI-compatible routes with the official `openai` SDK, unchanged, against the real inference
// path (Kafka, outbox, Redis token streams) and the GPU-server simulator (a labelled stand-in).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startApi, type RunningApi } from '../../server.ts';
import type { AnswerGenerated, PromptSubmitted } from '../../../schemas/generated/events.ts';
import { call, issueApiKey, newUser } from '../../../test-helpers/api.ts';
import {
  decodeAll,
  readUntil,
  startInferenceHarness,
  type InferenceHarness,
} from '../../../test-helpers/inference.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
} from '../../../test-helpers/modelServerSimulator.ts';
import { testConfig } from '../../../test-helpers/projector.ts';

describe('OpenAI-compatible API', () => {
  let sim: ModelServerSimulator;
  let harness: InferenceHarness;
  let api: RunningApi;
  let client: OpenAI;
  let apiKey: string;

  before(async () => {
    sim = await startModelServerSimulator({
      slots: 4,
      timeToFirstTokenMs: 5,
      tokensPerSecond: 500,
      answerTokens: 12,
    });
    harness = await startInferenceHarness([{ version: 'sim-v1', servers: [{ url: sim.url, slots: 4 }] }]);
    api = await startApi(testConfig, {
      port: 0,
      keyspace: harness.keyspace,
      topics: { chat: harness.topics.chat },
      modelTopic: harness.topics.model,
    });
    const user = await newUser(api.url);
    apiKey = await issueApiKey(api.url, user.token);
    client = new OpenAI({ baseURL: `${api.url}/v1`, apiKey, maxRetries: 0 });
  });
  after(async () => {
    await api?.stop();
    await harness?.close();
    await sim?.close();
  });

  test('models.list shows the live deployments by name and version', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids.sort(), ['sim-model', 'sim-v1']);
  });

  test('a whole completion: the answer, its usage, the client’s conversation as context, recorded via_api', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-model',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'What is Parley?' },
      ],
    });
    const text = completion.choices[0]!.message.content ?? '';
    assert.ok(text.length > 0);
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    assert.ok(completion.usage!.completion_tokens > 0 && completion.usage!.prompt_tokens > 0);
    const sent = sim.received().find((r) => r.messages.at(-1)?.content === 'What is Parley?');
    assert.deepEqual(sent?.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'What is Parley?' },
    ]);
    // The answer reached the client from its token stream; the outbox delivers it a moment later.
    const records = await readUntil(
      harness.topics.chat,
      (rs) => rs.some((r) => r.headers['parley-event-type'] === 'AnswerGenerated'),
      'the AnswerGenerated',
    );
    const events = await decodeAll(records);
    const prompt = events.find(
      (e) => e.name === 'PromptSubmitted' && (e.event as PromptSubmitted).content === 'What is Parley?',
    );
    assert.equal((prompt?.event as PromptSubmitted).via_api, true);
    const answer = events.find(
      (e) =>
        e.name === 'AnswerGenerated' &&
        (e.event as AnswerGenerated).message_id === completion.id.replace('chatcmpl-', ''),
    );
    assert.equal(
      (answer?.event as AnswerGenerated | undefined)?.content,
      text,
      'the same answer is on the chat topic',
    );
  });

  test('a streamed completion: chunks that add up to the answer, a finish reason, usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim-v1',
      messages: [{ role: 'user', content: 'Stream me something' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.ok(text.length > 0);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  test('errors in OpenAI’s shape: a wrong key, a session token, an unknown model, bad input', async () => {
    const wrong = new OpenAI({ baseURL: `${api.url}/v1`, apiKey: 'pk_nope', maxRetries: 0 });
    await assert.rejects(
      wrong.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.AuthenticationError && e.status === 401,
    );
    const session = (await newUser(api.url)).token;
    const viaSession = await call(api.url, 'POST', '/v1/chat/completions', {
      token: session,
      body: { model: 'sim-model', messages: [{ role: 'user', content: 'x' }] },
    });
    assert.equal(viaSession.status, 401, 'API keys only');
    assert.equal((viaSession.body as { error: { type: string } }).error.type, 'authentication_error');
    await assert.rejects(
      client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.NotFoundError,
    );
    const bad = await call(api.url, 'POST', '/v1/chat/completions', {
      token: apiKey,
      body: { model: 'sim-model', messages: [{ role: 'assistant', content: 'no prompt' }] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body as { error: { param: string } }).error.param, 'messages');
  });
});
