import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { catalog } from '../../schemas/catalog.ts';
import type {
  AnswerFailed,
  AnswerGenerated,
  EventName,
  MessageRated,
} from '../../schemas/generated/events.ts';
import { analyticsRows, dateTimeText, type SourcePosition } from './rows.ts';

const at: SourcePosition = { topic: 'parley.chat', partition: 3, offset: '9007199254740993' };
const workload = new ChatWorkload(new Random(12));
const sample = <N extends EventName>(name: N) => workload.sample(name).event;
const eventNames = catalog.map((e) => e.name as EventName);

test('every event type has its events row: type, ids, time, size, source position', () => {
  for (const name of eventNames) {
    const event = sample(name);
    const { events } = analyticsRows(name, event, at, 321);
    const fields = event as unknown as Record<string, unknown>;
    assert.equal(events.event_type, name);
    assert.equal(events.event_id, event.event_id);
    assert.equal(events.occurred_at_ms, event.occurred_at);
    assert.equal(events.occurred_at, dateTimeText(event.occurred_at));
    assert.equal(events.user_id, (fields.user_id as string | undefined) ?? '', name);
    assert.equal(events.chat_id, (fields.chat_id as string | undefined) ?? '', name);
    assert.equal(events.size_bytes, 321);
    assert.deepEqual(
      [events.kafka_topic, events.kafka_partition, events.kafka_offset],
      ['parley.chat', 3, '9007199254740993'],
      'a 64-bit offset keeps every digit',
    );
  }
});

test('only answers, failures, shadow runs, ratings and feedback records have rows beyond events', () => {
  const extra = (name: EventName) =>
    Object.keys(analyticsRows(name, sample(name), at, 1))
      .filter((t) => t !== 'events')
      .sort();
  for (const name of eventNames) {
    const expected =
      name === 'AnswerGenerated' || name === 'AnswerFailed'
        ? ['answers', 'inference_runs']
        : name === 'ShadowAnswerRecorded'
          ? ['inference_runs']
          : name === 'MessageRated'
            ? ['ratings']
            : name === 'FeedbackRecord'
              ? ['feedback']
              : [];
    assert.deepEqual(extra(name), expected, name);
  }
});

test('an answer row carries the outcome the analysts query', () => {
  const answer: AnswerGenerated = {
    ...sample('AnswerGenerated'),
    server: 'gpu-a',
    traffic_role: 'CANARY',
    cache_hit: true,
    time_to_first_token_ms: null,
    finish_reason: 'LENGTH',
  };
  const { answers, inference_runs } = analyticsRows('AnswerGenerated', answer, at, 1);
  assert.deepEqual(
    {
      prompt: answers!.prompt_message_id,
      answer: answers!.answer_message_id,
      server: answers!.server,
      role: answers!.traffic_role,
      status: answers!.status,
      ttft: [answers!.ttft_ms, answers!.has_ttft],
      finish: answers!.finish_reason,
      cache: answers!.cache_hit,
    },
    {
      prompt: answer.parent_message_id,
      answer: answer.message_id,
      server: 'gpu-a',
      role: 'canary',
      status: 'ok',
      ttft: [0, 0],
      finish: 'length',
      cache: 1,
    },
  );
  assert.equal(
    inference_runs!.live_model_version,
    answer.model_version,
    'a live run is its own live version',
  );
  assert.equal(inference_runs!.live_answer_message_id, answer.message_id);

  const failed: AnswerFailed = { ...sample('AnswerFailed'), traffic_role: null, server: null };
  const failure = analyticsRows('AnswerFailed', failed, at, 1).answers!;
  assert.deepEqual(
    [failure.status, failure.error_code, failure.tokens_out, failure.traffic_role, failure.finish_reason],
    ['failed', failed.error_code?.toLowerCase(), 0, '', ''],
  );
});

test('a shadow run compares with its live answer; a rating row is positive or negative', () => {
  const shadow = sample('ShadowAnswerRecorded');
  const run = analyticsRows('ShadowAnswerRecorded', shadow, at, 1).inference_runs!;
  assert.equal(run.traffic_role, 'shadow');
  assert.equal(run.live_answer_message_id, shadow.live_answer_message_id);
  assert.equal(run.live_model_version, shadow.live_model_version);
  assert.equal(run.inference_run_id, shadow.shadow_run_id);

  const rated: MessageRated = { ...sample('MessageRated'), rating: 'THUMBS_DOWN', comment: null };
  const rating = analyticsRows('MessageRated', rated, at, 1).ratings!;
  assert.deepEqual([rating.rating, rating.comment, rating.message_id], ['negative', '', rated.message_id]);
});
