// Routing and faults on the inference path, against GPU-server simulators (labelled stand-ins):
// canary share and stickiness, shadows kept off the chat topic, backpressure on the servers'
// slots, and a stream that breaks mid-answer.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { unitPoint } from '../../../connectors/model-server/modelRegistry.ts';
import { readAnswerStream } from '../../../connectors/tokenStream/tokenStreamReader.ts';
import { createRedis } from '../../../core/clients.ts';
import type {
  AnswerFailed,
  AnswerGenerated,
  ShadowAnswerRecorded,
} from '../../../schemas/generated/events.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import { newEvent } from '../../../producers/newEvent.ts';
import {
  answersOf,
  decodeAll,
  deploy,
  readUntil,
  startInferenceHarness,
  type InferenceHarness,
} from '../../../test-helpers/inference.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
} from '../../../test-helpers/modelServerSimulator.ts';

const fast = { timeToFirstTokenMs: 2, tokensPerSecond: 2_000, answerTokens: 8 };
const redis = createRedis(config.clients);
after(() => redis.disconnect());

describe('routing: canary and shadow', () => {
  const sims: ModelServerSimulator[] = [];
  let harness: InferenceHarness;
  after(async () => {
    await harness?.close();
    await Promise.all(sims.map((s) => s.close()));
  });

  test('a canary takes its share of chats, sticky per chat; a shadow answers a copy on its own topic only', async () => {
    const [stable, canary, shadow] = await Promise.all(
      [1, 2, 3].map(() => startModelServerSimulator({ slots: 8, ...fast })),
    );
    sims.push(stable!, canary!, shadow!);
    const share = 0.3;
    harness = await startInferenceHarness([
      { version: 'sim-stable', servers: [{ url: stable!.url, slots: 8 }] },
      {
        version: 'sim-canary',
        role: 'CANARY',
        trafficShare: share,
        servers: [{ url: canary!.url, slots: 8 }],
      },
      { version: 'sim-shadow', role: 'SHADOW', trafficShare: 1, servers: [{ url: shadow!.url, slots: 8 }] },
    ]);
    const chats = await Promise.all(Array.from({ length: 40 }, () => harness.createChat()));
    for (const chat of chats) await harness.prompt(chat, 'which version am I?');
    for (const chat of chats) await harness.prompt(chat, 'and still the same one?');
    const answers = await readUntil(
      harness.topics.chat,
      (rs) => rs.filter((r) => r.headers['parley-event-type'] === 'AnswerGenerated').length >= 80,
      '80 answers',
      120_000,
    );
    const byChat = new Map<string, string[]>();
    for (const { name, event } of await decodeAll(answers)) {
      if (name !== 'AnswerGenerated') continue;
      const e = event as AnswerGenerated;
      byChat.set(e.chat_id, [...(byChat.get(e.chat_id) ?? []), e.model_version]);
    }
    for (const chat of chats) {
      const expected = unitPoint(chat.chatId) < share ? 'sim-canary' : 'sim-stable';
      assert.deepEqual(
        byChat.get(chat.chatId),
        [expected, expected],
        `chat ${chat.chatId}: sticky, by its point`,
      );
    }
    const canaryChats = chats.filter((c) => byChat.get(c.chatId)?.[0] === 'sim-canary').length;
    assert.ok(
      canaryChats > 0 && canaryChats < chats.length,
      `canary took ${canaryChats} of ${chats.length} chats`,
    );
    assert.equal(canary!.stats().requests, canaryChats * 2);

    const shadows = await readUntil(
      harness.topics.shadow,
      (rs) => rs.length >= 80,
      '80 shadow answers',
      120_000,
    );
    const shadowEvents = (await decodeAll(shadows)).map((d) => d.event as ShadowAnswerRecorded);
    assert.ok(
      shadowEvents.every((e) => e.model_version === 'sim-shadow' && e.content && e.error_code === null),
    );
    assert.equal(
      new Set(shadowEvents.map((e) => e.live_answer_message_id)).size,
      80,
      'one shadow per request',
    );
    assert.equal(shadow!.stats().requests, 80);
    assert.ok(
      [...byChat.values()].flat().every((v) => v !== 'sim-shadow'),
      'no shadow answer on the chat topic',
    );
  });
});

describe('routing: the registry followed live', () => {
  const sims: ModelServerSimulator[] = [];
  let harness: InferenceHarness;
  after(async () => {
    await harness?.close();
    await Promise.all(sims.map((s) => s.close()));
  });

  test('a version deployed or retired while the processor runs takes or leaves traffic at once', async () => {
    const [v1, v2] = await Promise.all([1, 2].map(() => startModelServerSimulator({ slots: 4, ...fast })));
    sims.push(v1!, v2!);
    harness = await startInferenceHarness([{ version: 'live-v1', servers: [{ url: v1!.url, slots: 4 }] }]);
    const versionOf = async (chat: { chatId: string; userId: string }, n: number) => {
      await harness.prompt(chat, `prompt ${n}`);
      const answers = await answersOf(harness.topics.chat, chat.chatId, n);
      return (answers.at(-1)!.event as AnswerGenerated).model_version;
    };
    const chat = await harness.createChat();
    assert.equal(await versionOf(chat, 1), 'live-v1');
    await deploy(harness.producer, harness.topics.model, {
      version: 'live-v2',
      role: 'CANARY',
      trafficShare: 1,
      servers: [{ url: v2!.url, slots: 4 }],
    });
    await eventually(
      async () => harness.processor.pools.pool('live-v2') !== undefined,
      30_000,
      'the new pool',
    );
    assert.equal(await versionOf(chat, 2), 'live-v2', 'a canary with all the traffic answers');
    await harness.producer.publish(
      'ModelRetired',
      newEvent('ModelRetired', { model_version: 'live-v2', replaced_by: 'live-v1', reason: 'test' }),
      { topic: harness.topics.model },
    );
    await eventually(
      async () => harness.processor.pools.pool('live-v2') === undefined,
      30_000,
      'the pool closed',
    );
    assert.equal(await versionOf(chat, 3), 'live-v1', 'retired: back to the stable version');
  });
});

describe('backpressure and broken streams', () => {
  const sims: ModelServerSimulator[] = [];
  const harnesses: InferenceHarness[] = [];
  after(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    await Promise.all(sims.map((s) => s.close()));
  });

  test('with every slot busy, fetching waits: never more requests at the servers than their slots', async () => {
    const sim = await startModelServerSimulator({
      slots: 16,
      timeToFirstTokenMs: 50,
      tokensPerSecond: 100,
      answerTokens: 10,
    });
    sims.push(sim);
    const harness = await startInferenceHarness([
      { version: 'sim-narrow', servers: [{ url: sim.url, slots: 3 }] },
    ]);
    harnesses.push(harness);
    const chats = await Promise.all(Array.from({ length: 30 }, () => harness.createChat()));
    let maxBuffered = 0;
    const sample = setInterval(() => {
      void harness.processor.runtime.metrics.recordsBuffered.get().then((m) => {
        maxBuffered = Math.max(maxBuffered, m.values[0]?.value ?? 0);
      });
    }, 20);
    try {
      for (const chat of chats) await harness.prompt(chat, 'take your time');
      for (const chat of chats) await answersOf(harness.topics.chat, chat.chatId, 1);
    } finally {
      clearInterval(sample);
    }
    assert.equal(sim.stats().completed, 30);
    assert.ok(
      sim.stats().maxInFlight <= 3,
      `the server saw ${sim.stats().maxInFlight} at once with 3 slots declared`,
    );
    assert.equal(sim.stats().maxInFlight, 3, 'and the slots were all used');
    // In flight: ⌈3 slots × 1.25⌉ = 4 (the extra one waits in the pool); fetched ahead: as many again.
    assert.ok(
      maxBuffered <= 8,
      `records fetched and not done peaked at ${maxBuffered}: 2 × ⌈1.25 × slots⌉ at most`,
    );
  });

  test('a stream that breaks mid-answer starts again on another server (readers are told); breaking twice is AnswerFailed', async () => {
    const [flaky, steady] = await Promise.all([
      startModelServerSimulator({ slots: 4, ...fast, answerTokens: 20, dropRate: 1 }),
      startModelServerSimulator({ slots: 4, ...fast, answerTokens: 20 }),
    ]);
    sims.push(flaky!, steady!);
    const harness = await startInferenceHarness([
      {
        version: 'sim-mixed',
        servers: [
          { url: flaky!.url, slots: 4 },
          { url: steady!.url, slots: 4 },
        ],
      },
      { version: 'sim-broken', modelName: 'sim-model', servers: [{ url: flaky!.url, slots: 4 }] },
    ]);
    harnesses.push(harness);
    const chats = await Promise.all(Array.from({ length: 6 }, () => harness.createChat()));
    const prompts = [];
    for (const chat of chats)
      prompts.push(await harness.prompt(chat, 'tell me a story', { model_version: 'sim-mixed' }));
    for (const chat of chats) {
      const [answer] = await answersOf(harness.topics.chat, chat.chatId, 1);
      assert.equal(
        answer!.name,
        'AnswerGenerated',
        'answered after a restart, or at once on the steady server',
      );
    }
    assert.ok(flaky!.stats().drops > 0, 'some streams broke');
    let restarts = 0;
    for (const prompt of prompts)
      for await (const { entry } of readAnswerStream(redis, prompt.answer_message_id!, {
        idleTimeoutMs: 5_000,
      }))
        if (entry.type === 'restart') restarts++;
    assert.equal(restarts, flaky!.stats().drops, 'every broken stream told its readers it starts again');

    const chat = await harness.createChat();
    const doomed = await harness.prompt(chat, 'this one cannot finish', { model_version: 'sim-broken' });
    const [failed] = await answersOf(harness.topics.chat, chat.chatId, 1);
    assert.equal(failed!.name, 'AnswerFailed');
    const f = failed!.event as AnswerFailed;
    assert.equal(f.message_id, doomed.answer_message_id);
    assert.equal(f.error_code, 'INTERNAL');
    const entries = [];
    for await (const { entry } of readAnswerStream(redis, doomed.answer_message_id!, {
      idleTimeoutMs: 5_000,
    }))
      entries.push(entry.type);
    assert.equal(entries.at(-1), 'error', 'the live stream ends with the error, never silence');
  });
});
