// A processor's failure policy on the real runtime and Kafka: a record that keeps failing
// transiently (or passes its deadline) goes to the dead-letter topic after a bounded number of
// attempts while the other keys move on; a 429 with Retry-After is waited for, not dead-lettered;
// the processor's classify hook comes first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { consumeFrom } from '../../../test-helpers/kafka.ts';
import { createChatTopic, testConfig, waitForCatchUp } from '../../../test-helpers/projector.ts';
import { DLQ_HEADERS } from '../deadLetter.ts';
import type { ProcessorDefinition, ProcessorRecord } from '../processorDefinition.ts';
import { ProcessorRuntime } from '../processorRuntime.ts';

let producer: EventProducer;
before(async () => (producer = await createEventProducer(config.clients)));
after(() => producer.close());

const fastRetry = { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 3 };

/** Three chats' ChatCreated on a topic of their own (one partition: one order to reason about). */
async function threeChats(): Promise<{ topic: string; chats: string[] }> {
  const topic = await createChatTopic(1);
  const workload = new ChatWorkload(new Random(8));
  const items = [0, 1, 2].map(() => workload.sample('ChatCreated'));
  await within('publishing', 60_000, producer.publishMany(items, { topic }));
  return { topic, chats: items.map((i) => i.event.chat_id) };
}

async function run(
  topic: string,
  definition: Omit<ProcessorDefinition, 'topics' | 'metricsPort'>,
  retry = fastRetry,
) {
  const runtime = new ProcessorRuntime({ ...definition, topics: [topic], metricsPort: 0 }, testConfig, {
    groupId: uniqueName(definition.name),
    retry,
  });
  await runtime.start();
  try {
    await waitForCatchUp(runtime.groupId, topic, 60_000);
  } finally {
    await within('stopping the runtime', 60_000, runtime.stop());
  }
  return runtime;
}

const keyOf = (records: ProcessorRecord[]) => records[0]!.key;

test('a record failing transiently for ever is dead-lettered after the bounded attempts; the others land', async () => {
  const { topic, chats } = await threeChats();
  const attempts = new Map<string, number>();
  const handled: string[] = [];
  await run(topic, {
    name: 'bounded-transient',
    maxTransientAttempts: 3,
    async handle(records) {
      const key = keyOf(records);
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      if (key === chats[1]) throw Object.assign(new Error('model server timed out'), { code: 'ETIMEDOUT' });
      handled.push(key);
    },
  });
  assert.deepEqual(handled.sort(), [chats[0], chats[2]].sort());
  assert.equal(attempts.get(chats[1]!), 3);
  const [dead] = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 1);
  assert.equal(dead!.key, chats[1]);
  assert.equal(dead!.headers[DLQ_HEADERS.reason], 'model server timed out');
  assert.equal(dead!.headers[DLQ_HEADERS.attempts], '3');
});

test('an attempt past its deadline is aborted through its signal, then retried, then dead-lettered', async () => {
  const { topic, chats } = await threeChats();
  let aborted = 0;
  const handled: string[] = [];
  await run(topic, {
    name: 'deadline',
    callTimeoutMs: 200,
    maxTransientAttempts: 2,
    async handle(records, { signal }) {
      if (keyOf(records) !== chats[0]) return void handled.push(keyOf(records));
      await new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted++;
          reject(signal.reason);
        }),
      );
    },
  });
  assert.equal(aborted, 2, 'each attempt was told to stop');
  assert.deepEqual(handled.sort(), [chats[1], chats[2]].sort());
  const [dead] = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 1);
  assert.equal(dead!.headers[DLQ_HEADERS.reason], 'handler call took longer than 200 ms');
  assert.equal(dead!.headers[DLQ_HEADERS.errorClass], 'CallDeadlineError');
});

test('a 429 with Retry-After is waited for and retried; a permanent error by the classify hook goes at once', async () => {
  const { topic, chats } = await threeChats();
  const calls = new Map<string, number[]>();
  const runtime = await run(topic, {
    name: 'http-policy',
    classifyFailure: (error) =>
      error instanceof Error && error.message === 'content policy' ? 'permanent' : undefined,
    async handle(records) {
      const key = keyOf(records);
      const times = calls.get(key) ?? [];
      calls.set(key, [...times, Date.now()]);
      if (key === chats[0] && times.length === 0)
        throw OpenAI.APIError.generate(429, undefined, 'rate limited', new Headers({ 'retry-after': '1' }));
      if (key === chats[2]) throw new Error('content policy');
    },
  });
  const limited = calls.get(chats[0]!)!;
  assert.equal(limited.length, 2, 'retried once, then handled');
  assert.ok(limited[1]! - limited[0]! >= 1000, `waited for Retry-After (${limited[1]! - limited[0]!} ms)`);
  assert.equal(calls.get(chats[2]!)!.length, 1, 'permanent: one attempt');
  const [dead] = await consumeFrom(`${topic}.dlq`, new Map([[0, 0n]]), 1);
  assert.equal(dead!.key, chats[2]);
  const deadLettered = (await runtime.metrics.deadLettered.get()).values.reduce((sum, v) => sum + v.value, 0);
  assert.equal(deadLettered, 1, 'the rate-limited record was not dead-lettered');
});
