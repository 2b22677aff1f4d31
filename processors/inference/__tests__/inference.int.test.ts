// The inference path end to end on the real stack (Kafka, registry, PostgreSQL + Debezium outbox,
// Redis, Cassandra), with the GPU-server simulator (a labelled stand-in) as the model server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPgPool, createRedis } from '../../../core/clients.ts';
import { readAnswerStream } from '../../../connectors/tokenStream/tokenStreamReader.ts';
import { newEvent } from '../../../producers/newEvent.ts';
import type { AnswerGenerated, ShadowAnswerRecorded } from '../../../schemas/generated/events.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import { readUntil, startInferenceHarness, type InferenceHarness } from '../../../test-helpers/inference.ts';
import { startModelServerSimulator, type ModelServerSimulator } from '../../../test-helpers/modelServerSimulator.ts';
import { testSerde } from '../../../test-helpers/projector.ts';
import type { ConsumedRecord } from '../../../test-helpers/kafka.ts';

const serde = testSerde();
const decodeAll = async (records: readonly ConsumedRecord[]) =>
  Promise.all(records.map(async (r) => ({ record: r, ...(await serde.decode(r.value)) })));

async function answersOn(topic: string, count: number, what = `${count} answers`) {
  const records = await readUntil(
    topic,
    (rs) => rs.filter((r) => r.headers['parley-event-type'] === 'AnswerGenerated' || r.headers['parley-event-type'] === 'AnswerFailed').length >= count,
    what,
  );
  return (await decodeAll(records)).filter((d) => d.name === 'AnswerGenerated' || d.name === 'AnswerFailed');
}

describe('inference: prompts become answers', () => {
  let sim: ModelServerSimulator;
  let harness: InferenceHarness;
  const redis = createRedis(config.clients);
  const db = createPgPool(config.clients);

  before(async () => {
    sim = await startModelServerSimulator({ slots: 4, timeToFirstTokenMs: 5, tokensPerSecond: 500, answerTokens: 12 });
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
    const [answer, ...more] = await answersOn(harness.topics.chat, 1);
    assert.equal(more.length, 0);
    assert.equal(answer!.name, 'AnswerGenerated');
    const event = answer!.event as AnswerGenerated;
    assert.equal(event.message_id, prompt.answer_message_id, 'the answer takes the id the prompt fixed');
    assert.equal(event.parent_message_id, prompt.message_id);
    assert.equal(event.correlation_id, prompt.correlation_id);
    assert.equal(event.model_version, 'sim-v1');
    assert.ok(event.content.length > 0 && event.tokens_out > 0 && event.tokens_in > 0);
    assert.equal(answer!.record.key, chat.chatId, 'keyed by chat, so it lands on its chat partition');
    assert.equal(answer!.record.headers.id, event.event_id, 'Debezium adds the event id');

    const streamed: string[] = [];
    for await (const { entry } of readAnswerStream(redis, event.message_id, { idleTimeoutMs: 5_000 })) {
      if (entry.type === 'token') streamed.push(entry.text);
      if (entry.type === 'done') assert.equal(entry.finishReason, 'STOP');
    }
    assert.equal(streamed.join(''), event.content, 'the live stream carried the same text');

    const runs = await db.query('SELECT status, model_version, cache_hit, tokens_out FROM inference_runs WHERE answer_message_id = $1', [event.message_id]);
    assert.deepEqual(runs.rows, [{ status: 'ANSWERED', model_version: 'sim-v1', cache_hit: false, tokens_out: event.tokens_out }]);
  });

});

