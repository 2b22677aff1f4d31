// The feedback processor against real Kafka, registry, PostgreSQL and the Debezium outbox: each
// rated answer becomes one FeedbackRecord (latest rating wins), a rating logged before its answer
// is held without stalling its partition, siblings carry their ratings, a deletion or an opt-out
// tombstones, and a restart resumes from its state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { createKafka, createSchemaRegistry } from '../../../core/clients.ts';
import {
  createEventProducer,
  type EventProducer,
  type PublishItem,
} from '../../../producers/eventProducer.ts';
import { newEvent, type Cause } from '../../../producers/newEvent.ts';
import { provisionTopics, topicSpecs } from '../../../producers/topics.ts';
import { topics } from '../../../schemas/catalog.ts';
import type { FeedbackRecord } from '../../../schemas/generated/events.ts';
import { EventSerde } from '../../../schemas/serde.ts';
import { eventually } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { consumeFrom, type ConsumedRecord } from '../../../test-helpers/kafka.ts';
import { startFeedbackProcessor, type RunningFeedbackProcessor } from '../startFeedbackProcessor.ts';

const serde = new EventSerde(createSchemaRegistry(config.clients));
const names = {
  chat: uniqueName('fb_chat'),
  identity: uniqueName('fb_identity'),
  feedback: uniqueName('fb_feedback'),
};
const groupId = uniqueName('fb-test');
let producer: EventProducer;
let processor: RunningFeedbackProcessor | undefined;

const start = async () =>
  (processor = await startFeedbackProcessor(
    { ...config.clients, processor: { ...config.clients.processor, metricsPort: 0 } },
    { groupId, chatTopic: names.chat, identityTopic: names.identity, feedbackTopic: names.feedback },
  ));

before(async () => {
  const admin = createKafka(config.clients, 'fb-test').admin();
  await admin.connect();
  const specs = topicSpecs(config.clients.topics);
  const spec = (topic: string) => specs.find((s) => s.topic === topic)!;
  // One partition each: a held rating and the records behind it share a partition, as in the worst case.
  await provisionTopics(admin, [
    { ...spec(topics.chat), topic: names.chat, partitions: 1 },
    { ...spec(topics.identity), topic: names.identity, partitions: 1 },
    { ...spec(topics.feedback), topic: names.feedback, partitions: 1 },
  ]);
  await admin.disconnect();
  producer = await createEventProducer(config.clients);
  await start();
});
after(async () => {
  await processor?.stop();
  await producer.close();
});

/** Every record the feedback topic holds so far, in order. */
let seen = 0;
async function feedbackRecords(atLeast: number): Promise<ConsumedRecord[]> {
  const records = await consumeFrom(names.feedback, new Map([[0, 0n]]), atLeast, 60_000);
  seen = records.length;
  return records;
}

/** The compacted view: the latest record per answer id, tombstones removing. */
async function latest(records: ConsumedRecord[]): Promise<Map<string, FeedbackRecord>> {
  const view = new Map<string, FeedbackRecord>();
  for (const record of records) {
    if (record.tombstone) view.delete(record.key);
    // Plain objects (avsc decodes nested records as class instances).
    else
      view.set(
        record.key,
        JSON.parse(JSON.stringify((await serde.decode(record.value)).event)) as FeedbackRecord,
      );
  }
  return view;
}

/** One user's chat, scripted: each call publishes its events to the chat topic. */
function chat(userId: string, systemPrompt: string | null = null) {
  const chatId = uuidv7();
  let head: string | null = null;
  const publish = (items: PublishItem[]) => producer.publishMany(items, { topic: names.chat });
  return {
    chatId,
    userId,
    created: () =>
      publish([
        {
          name: 'ChatCreated',
          event: newEvent('ChatCreated', {
            chat_id: chatId,
            user_id: userId,
            title: null,
            model_version: 'm1',
            system_prompt: systemPrompt,
          }),
        },
      ]),
    prompt: async (content: string) => {
      const event = newEvent('PromptSubmitted', {
        chat_id: chatId,
        user_id: userId,
        message_id: uuidv7(),
        parent_message_id: head,
        content,
        model_version: 'm1',
      });
      head = event.message_id;
      await publish([{ name: 'PromptSubmitted', event }]);
      return event;
    },
    answer: async (
      prompt: Cause & { message_id: string },
      content: string,
      answerId = uuidv7(),
      model = 'm1',
    ) => {
      const event = newEvent(
        'AnswerGenerated',
        {
          chat_id: chatId,
          user_id: userId,
          message_id: answerId,
          parent_message_id: prompt.message_id,
          content,
          model_version: model,
          tokens_in: 5,
          tokens_out: 9,
          latency_ms: 100,
          time_to_first_token_ms: 10,
          finish_reason: 'STOP',
        },
        { causedBy: prompt },
      );
      head = answerId;
      await publish([{ name: 'AnswerGenerated', event }]);
      return event;
    },
    rate: (messageId: string, rating: 'THUMBS_UP' | 'THUMBS_DOWN', comment: string | null = null) =>
      publish([
        {
          name: 'MessageRated',
          event: newEvent('MessageRated', {
            chat_id: chatId,
            user_id: userId,
            message_id: messageId,
            rating,
            comment,
            reasons: comment ? ['other'] : [],
          }),
        },
      ]),
    deleted: () =>
      publish([
        { name: 'ChatDeleted', event: newEvent('ChatDeleted', { chat_id: chatId, user_id: userId }) },
      ]),
  };
}

const settings = (userId: string, optIn: boolean) =>
  producer.publishMany(
    [
      {
        name: 'UserSettingsChanged',
        event: newEvent('UserSettingsChanged', { user_id: userId, training_opt_in: optIn }),
      },
    ],
    { topic: names.identity },
  );

test('a rated answer becomes one record with its prompt, conversation and comment; the latest rating wins', async () => {
  const c = chat(uuidv7(), 'Be brief.');
  await c.created();
  const p1 = await c.prompt('What is Kafka?');
  await c.answer(p1, 'A distributed log.');
  const p2 = await c.prompt('And a partition?');
  const a2 = await c.answer(p2, 'An ordered shard of a topic.');
  await c.rate(a2.message_id, 'THUMBS_UP');
  await c.rate(a2.message_id, 'THUMBS_DOWN', 'too short');
  await c.rate(a2.message_id, 'THUMBS_UP', 'fine after all');

  const records = await feedbackRecords(seen + 3);
  const view = await latest(records);
  const record = view.get(a2.message_id)!;
  assert.equal(records.filter((r) => r.key === a2.message_id).length, 3, 'one record per rating, same key');
  assert.deepEqual(
    { rating: record.rating, comment: record.comment, prompt: record.prompt, answer: record.answer },
    {
      rating: 'THUMBS_UP',
      comment: 'fine after all',
      prompt: 'And a partition?',
      answer: 'An ordered shard of a topic.',
    },
  );
  assert.deepEqual(record.context, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is Kafka?' },
    { role: 'assistant', content: 'A distributed log.' },
  ]);
  assert.equal(record.prompt_message_id, p2.message_id);
  assert.equal(record.model_version, 'm1');
});

test('a rating logged before its answer is held, the partition keeps moving, and the record follows the answer', async () => {
  const early = chat(uuidv7());
  await early.created();
  const prompt = await early.prompt('Explain offsets');
  const answerId = uuidv7();
  await early.rate(answerId, 'THUMBS_DOWN', 'wrong');
  // Behind the held rating on the same partition: another chat's rated answer is published at once.
  const other = chat(uuidv7());
  await other.created();
  const otherPrompt = await other.prompt('hi');
  const otherAnswer = await other.answer(otherPrompt, 'hello');
  await other.rate(otherAnswer.message_id, 'THUMBS_UP');
  const before = await latest(await feedbackRecords(seen + 1));
  assert.ok(before.has(otherAnswer.message_id), 'the record behind the held rating is out');
  assert.ok(!before.has(answerId), 'no record before its answer');

  await early.answer(prompt, 'An offset is a position in a partition.', answerId);
  const after = await latest(await feedbackRecords(seen + 1));
  assert.equal(after.get(answerId)?.rating, 'THUMBS_DOWN');
  assert.equal(after.get(answerId)?.comment, 'wrong');
});

test('siblings (regenerations) carry their ratings into each other’s records', async () => {
  const c = chat(uuidv7());
  await c.created();
  const prompt = await c.prompt('Name a colour');
  const first = await c.answer(prompt, 'Blue.');
  const second = await c.answer(prompt, 'Purple-ish teal.', uuidv7(), 'm2');
  await c.rate(first.message_id, 'THUMBS_UP');
  await c.rate(second.message_id, 'THUMBS_DOWN');
  // The second rating republishes the first answer's record too (its sibling's rating changed).
  const view = await latest(await feedbackRecords(seen + 3));
  const good = view.get(first.message_id)!;
  const bad = view.get(second.message_id)!;
  assert.deepEqual(good.siblings, [
    {
      message_id: second.message_id,
      answer: 'Purple-ish teal.',
      model_version: 'm2',
      rating: 'THUMBS_DOWN',
      comment: null,
    },
  ]);
  assert.equal(bad.siblings?.[0]?.rating, 'THUMBS_UP');
  assert.deepEqual(good.sibling_message_ids, [second.message_id]);
});

test('an opt-out tombstones the user’s records and keeps new ones out; opting back in republishes', async () => {
  const userId = uuidv7();
  const c = chat(userId);
  await c.created();
  const prompt = await c.prompt('q');
  const answer = await c.answer(prompt, 'a');
  await c.rate(answer.message_id, 'THUMBS_UP');
  assert.ok((await latest(await feedbackRecords(seen + 1))).has(answer.message_id));

  await settings(userId, false);
  const afterOptOut = await feedbackRecords(seen + 1);
  assert.equal(afterOptOut.at(-1)!.tombstone, true);
  assert.equal(afterOptOut.at(-1)!.key, answer.message_id);
  const later = await c.answer(await c.prompt('q2'), 'a2');
  await c.rate(later.message_id, 'THUMBS_UP');
  // A marker behind it shows the rating was handled, and published nothing.
  const marker = chat(uuidv7());
  await marker.created();
  const markerAnswer = await marker.answer(await marker.prompt('m'), 'm');
  await marker.rate(markerAnswer.message_id, 'THUMBS_UP');
  const view = await latest(await feedbackRecords(seen + 1));
  assert.ok(view.has(markerAnswer.message_id));
  assert.ok(!view.has(answer.message_id) && !view.has(later.message_id), 'an opted-out user has no records');

  await settings(userId, true);
  const back = await latest(await feedbackRecords(seen + 2));
  assert.ok(back.has(answer.message_id) && back.has(later.message_id));
});

test('a deleted chat tombstones its records; a restart resumes from the stored state', async () => {
  const c = chat(uuidv7());
  await c.created();
  const answer = await c.answer(await c.prompt('to delete'), 'bye');
  await c.rate(answer.message_id, 'THUMBS_DOWN');
  assert.ok((await latest(await feedbackRecords(seen + 1))).has(answer.message_id));
  await c.deleted();
  const records = await feedbackRecords(seen + 1);
  assert.equal(records.at(-1)!.tombstone, true);
  assert.ok(!(await latest(records)).has(answer.message_id));

  // The answer is published while the processor is down; its rating after the restart still finds it.
  const kept = chat(uuidv7());
  await kept.created();
  const prompt = await kept.prompt('across a restart');
  await processor!.stop();
  processor = undefined;
  const answered = await kept.answer(prompt, 'still here');
  await start();
  await kept.rate(answered.message_id, 'THUMBS_UP');
  await eventually(
    async () =>
      (await latest(await feedbackRecords(seen + 1))).get(answered.message_id)?.prompt === 'across a restart',
    60_000,
    'the record after the restart',
  );
});
