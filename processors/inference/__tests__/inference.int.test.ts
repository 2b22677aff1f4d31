// The inference path end to end on the real stack (Kafka, registry, PostgreSQL + Debezium outbox,
// Redis, Cassandra), with the GPU-server simulator (a labelled stand-in) as the model server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { after, before, describe, test } from 'node:test';
import { createPgPool, createRedis } from '../../../core/clients.ts';
import { readAnswerStream } from '../../../connectors/tokenStream/tokenStreamReader.ts';
import { newEvent } from '../../../producers/newEvent.ts';
import type { AnswerFailed, AnswerGenerated } from '../../../schemas/generated/events.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import {
  answersOf,
  promptEvent,
  readUntil,
  startInferenceHarness,
  type InferenceHarness,
} from '../../../test-helpers/inference.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
} from '../../../test-helpers/modelServerSimulator.ts';
import { cassandraRows } from '../../../test-helpers/inference.ts';

describe('inference: prompts become answers', () => {
  let sim: ModelServerSimulator;
  let harness: InferenceHarness;
  const redis = createRedis(config.clients);
  const db = createPgPool(config.clients);

  before(async () => {
    sim = await startModelServerSimulator({
      slots: 4,
      timeToFirstTokenMs: 5,
      tokensPerSecond: 500,
      answerTokens: 12,
    });
    harness = await startInferenceHarness([{ version: 'sim-v1', servers: [{ url: sim.url, slots: 4 }] }]);
  });
  after(async () => {
    await harness?.close();
    await sim?.close();
    redis.disconnect();
    await db.end();
  });

  test('a prompt gets exactly one AnswerGenerated through the outbox, its tokens in Redis, its run in PostgreSQL', async () => {
    const chat = await harness.createChat({ systemPrompt: 'Answer briefly.' });
    const prompt = await harness.prompt(chat, 'What is Kafka?');
    const [answer, ...more] = await answersOf(harness.topics.chat, chat.chatId, 1);
    assert.equal(more.length, 0);
    assert.equal(answer!.name, 'AnswerGenerated');
    const event = answer!.event as AnswerGenerated;
    assert.equal(event.message_id, prompt.answer_message_id, 'the answer takes the id the prompt fixed');
    assert.equal(event.parent_message_id, prompt.message_id);
    assert.equal(event.correlation_id, prompt.correlation_id);
    assert.equal(event.model_version, 'sim-v1');
    assert.ok(event.content.length > 0 && event.tokens_out > 0 && event.tokens_in > 0);
    assert.equal(event.traffic_role, 'STABLE');
    assert.equal(event.cache_hit, false);
    assert.equal(answer!.record.key, chat.chatId, 'keyed by chat, so it lands on its chat partition');
    assert.equal(answer!.record.headers.id, event.event_id, 'Debezium adds the event id');

    const streamed: string[] = [];
    for await (const { entry } of readAnswerStream(redis, event.message_id, { idleTimeoutMs: 5_000 })) {
      if (entry.type === 'start' || entry.type === 'restart') streamed.length = 0; // readers reset here
      if (entry.type === 'token') streamed.push(entry.text);
      if (entry.type === 'done') assert.equal(entry.finishReason, 'STOP');
    }
    assert.equal(streamed.join(''), event.content, 'the live stream carried the same text');

    const runs = await db.query(
      'SELECT run_id, status, model_version, server, cache_hit, tokens_out FROM inference_runs WHERE answer_message_id = $1',
      [event.message_id],
    );
    assert.deepEqual(runs.rows, [
      {
        run_id: event.inference_run_id,
        status: 'ANSWERED',
        model_version: 'sim-v1',
        server: event.server,
        cache_hit: false,
        tokens_out: event.tokens_out,
      },
    ]);
    assert.ok(event.server, 'the answering server is named');
  });

  test('the next prompt sends the thread (system prompt, earlier turns) as context; a regeneration is a sibling', async () => {
    const chat = await harness.createChat({ systemPrompt: 'You are terse.' });
    const first = await harness.prompt(chat, 'first question');
    const [firstAnswer] = await answersOf(harness.topics.chat, chat.chatId, 1);
    const firstText = (firstAnswer!.event as AnswerGenerated).content;
    // The history is the projector's: wait until it has the answer the next prompt follows.
    await eventually(
      async () =>
        (await cassandraRows(harness.keyspace, chat.chatId)).some(
          (r) => r.message_id === first.answer_message_id && r.status === 'ANSWERED',
        ),
      30_000,
      'the first answer in the history',
    );
    const second = await harness.prompt(chat, 'second question', {
      parent_message_id: first.answer_message_id!,
    });
    await answersOf(harness.topics.chat, chat.chatId, 2);
    const request = sim.received().find((r) => r.messages.at(-1)?.content === 'second question');
    assert.deepEqual(request?.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: firstText },
      { role: 'user', content: 'second question' },
    ]);

    await eventually(
      async () =>
        (await cassandraRows(harness.keyspace, chat.chatId)).some((r) => r.message_id === second.message_id),
      30_000,
      'the second prompt in the history',
    );
    const regeneration = newEvent('RegenerationRequested', {
      chat_id: chat.chatId,
      user_id: chat.userId,
      prompt_message_id: second.message_id,
      answer_message_id: uuidv7(),
      model_version: null,
      temperature: null,
      max_tokens: null,
      via_api: false,
    });
    await harness.producer.publish('RegenerationRequested', regeneration, { topic: harness.topics.chat });
    const answers = await answersOf(harness.topics.chat, chat.chatId, 3);
    const sibling = answers
      .map((a) => a.event as AnswerGenerated)
      .find((a) => a.message_id === regeneration.answer_message_id);
    assert.ok(sibling, 'the regeneration answered with the id it fixed');
    assert.equal(sibling.parent_message_id, second.message_id, 'same parent as the first answer: a sibling');
    const regenerated = sim.received().filter((r) => r.messages.at(-1)?.content === 'second question');
    assert.equal(regenerated.length, 2, 'the regeneration asked the model again, with the same thread');
    assert.deepEqual(regenerated[1]!.messages, regenerated[0]!.messages);
  });

  test('a redelivered prompt is not answered twice: one answer, one model call', async () => {
    const chat = await harness.createChat();
    const prompt = await harness.prompt(chat, 'only once please');
    await answersOf(harness.topics.chat, chat.chatId, 1);
    await harness.producer.publish('PromptSubmitted', prompt, { topic: harness.topics.chat }); // the same event again
    const marker = await harness.prompt(chat, 'after the duplicate');
    const answers = await answersOf(harness.topics.chat, chat.chatId, 2);
    assert.deepEqual(
      answers.map((a) => (a.event as AnswerGenerated).message_id).sort(),
      [prompt.answer_message_id, marker.answer_message_id].sort(),
    );
    assert.equal(sim.received().filter((r) => r.messages.at(-1)?.content === 'only once please').length, 1);
  });

  test('an identical deterministic request is answered from the response cache, without a model call, still recorded', async () => {
    const content = `what is 2 + 2? (${uuidv7()})`;
    const [a, b] = [await harness.createChat(), await harness.createChat()];
    await harness.prompt(a, content, { temperature: 0 });
    const [first] = await answersOf(harness.topics.chat, a.chatId, 1);
    const cached = await harness.prompt(b, content, { temperature: 0 });
    const [second] = await answersOf(harness.topics.chat, b.chatId, 1);
    assert.equal((second!.event as AnswerGenerated).content, (first!.event as AnswerGenerated).content);
    assert.equal(
      sim.received().filter((r) => r.messages.at(-1)?.content === content).length,
      1,
      'one model call',
    );
    const { rows } = await db.query(
      'SELECT cache_hit, server FROM inference_runs WHERE answer_message_id = $1',
      [cached.answer_message_id],
    );
    assert.deepEqual(rows, [{ cache_hit: true, server: 'response-cache' }]);
    const hit = second!.event as AnswerGenerated;
    assert.equal(hit.cache_hit, true);
    assert.equal(hit.server, 'response-cache');
  });

  test('an unknown model or a deleted chat gets AnswerFailed; a malformed request goes to the dead-letter topic', async () => {
    const chat = await harness.createChat();
    const unknown = await harness.prompt(chat, 'hello?', { model_version: 'no-such-model' });
    const [failed] = await answersOf(harness.topics.chat, chat.chatId, 1);
    assert.equal(failed!.name, 'AnswerFailed');
    assert.equal((failed!.event as AnswerFailed).message_id, unknown.answer_message_id);
    assert.equal((failed!.event as AnswerFailed).error_code, 'MODEL_UNAVAILABLE');
    assert.equal((failed!.event as AnswerFailed).via_api, false);
    assert.ok((failed!.event as AnswerFailed).inference_run_id, 'the failure names its recorded run');
    const live: string[] = [];
    for await (const { entry } of readAnswerStream(redis, unknown.answer_message_id!, {
      idleTimeoutMs: 5_000,
    }))
      live.push(entry.type);
    assert.equal(live.at(-1), 'error', 'a client waiting on the live stream hears of the failure too');

    const stranger = { chatId: chat.chatId, userId: randomUUID() };
    const notTheirs = await harness.prompt(stranger, 'let me in');
    const system = await harness.prompt(chat, 'I am a system message', { role: 'SYSTEM' });
    const dead = await readUntil(`${harness.topics.chat}.dlq`, (rs) => rs.length >= 2, 'two dead letters');
    const reasons = dead.map((r) => r.headers['parley-dlq-reason'] ?? JSON.stringify(r.headers));
    assert.ok(
      reasons.some((r) => r.includes('does not own')),
      reasons.join(' | '),
    );
    assert.ok(
      reasons.some((r) => r.includes('only USER prompts')),
      reasons.join(' | '),
    );
    const runs = await db.query('SELECT 1 FROM inference_runs WHERE answer_message_id = ANY($1)', [
      [notTheirs.answer_message_id, system.answer_message_id],
    ]);
    assert.equal(runs.rowCount, 0, 'nothing answered for them');
  });
});

test('a prompt that waited longer than PARLEY_INFERENCE_REQUEST_TTL_S fails with TIMEOUT, unsent to the model', async () => {
  const sim = await startModelServerSimulator({ slots: 2 });
  const harness = await startInferenceHarness([
    { version: 'sim-ttl', servers: [{ url: sim.url, slots: 2 }] },
  ]);
  try {
    const chat = await harness.createChat();
    const stale = promptEvent(chat, 'still there?', { model_version: 'sim-ttl' });
    stale.occurred_at = Date.now() - (config.clients.inference.requestTtlSeconds + 60) * 1000;
    await harness.producer.publish('PromptSubmitted', stale, { topic: harness.topics.chat });
    const fresh = await harness.prompt(chat, 'and now?', { model_version: 'sim-ttl' });
    const answers = await answersOf(harness.topics.chat, chat.chatId, 2);
    const byId = new Map(answers.map((a) => [(a.event as AnswerFailed).message_id, a]));
    const expired = byId.get(stale.answer_message_id!);
    assert.equal(expired?.name, 'AnswerFailed');
    assert.equal((expired!.event as AnswerFailed).error_code, 'TIMEOUT');
    assert.match((expired!.event as AnswerFailed).error_message ?? '', /PARLEY_INFERENCE_REQUEST_TTL_S/);
    assert.equal(byId.get(fresh.answer_message_id!)?.name, 'AnswerGenerated', 'a fresh prompt is answered');
    assert.equal(sim.stats().requests, 1, 'only the fresh prompt reached the model');
  } finally {
    await harness.close();
    await sim.close();
  }
});

describe('inference: the real llama-server', () => {
  let harness: InferenceHarness;
  after(async () => harness?.close());

  test('the stack model server answers a prompt through the whole path', { timeout: 180_000 }, async () => {
    const { url, model } = config.clients.modelServer;
    harness = await startInferenceHarness([
      {
        version: `${model}-test`,
        modelName: model,
        servers: [{ url, slots: config.stack.PARLEY_MODEL_SLOTS }],
      },
    ]);
    const chat = await harness.createChat();
    const prompt = await harness.prompt(chat, 'Name one colour.', {
      model_version: `${model}-test`,
      max_tokens: 16,
    });
    const [answer] = await answersOf(harness.topics.chat, chat.chatId, 1, 150_000);
    assert.equal(answer!.name, 'AnswerGenerated');
    const event = answer!.event as AnswerGenerated;
    assert.equal(event.message_id, prompt.answer_message_id);
    assert.ok(event.content.trim().length > 0, 'real text');
    assert.ok(event.tokens_out > 0 && event.tokens_out <= 16 && event.tokens_in > 0, 'counted by the server');
  });
});
