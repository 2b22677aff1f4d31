// One chat's scripted life, every chat event type: created, renamed, a prompt, a rating logged
// before the answer it rates, the answer, a regeneration (a sibling), a failure, the deletion.
import { v7 as uuidv7 } from 'uuid';
import type { PublishItem } from '../../../producers/eventProducer.ts';
import { newEvent } from '../../../producers/newEvent.ts';

export const user = '6f1c2a4e-1b2c-4d3e-8f40-5a6b7c8d9e0f';

export function scriptedChat() {
  const t0 = Date.now() - 60_000;
  const ids = { chat: uuidv7(), p1: uuidv7(), a1: uuidv7(), a2: uuidv7(), f1: uuidv7() };
  let t = t0;
  const at = () => (t += 1000);
  const created = newEvent(
    'ChatCreated',
    { chat_id: ids.chat, user_id: user, title: null, model_version: 'gemma-3-270m' },
    { occurredAt: at() },
  );
  const prompt = newEvent(
    'PromptSubmitted',
    {
      chat_id: ids.chat,
      user_id: user,
      message_id: ids.p1,
      parent_message_id: null,
      content: 'Plan a trip to Lisbon',
      model_version: 'gemma-3-270m',
    },
    { occurredAt: at() },
  );
  const answer = (id: string, content: string) =>
    newEvent(
      'AnswerGenerated',
      {
        chat_id: ids.chat,
        user_id: user,
        message_id: id,
        parent_message_id: ids.p1,
        content,
        model_version: 'gemma-3-270m',
        tokens_in: 12,
        tokens_out: 40,
        latency_ms: 900,
        time_to_first_token_ms: 80,
        finish_reason: 'STOP',
      },
      { causedBy: prompt, occurredAt: at() },
    );
  const items: PublishItem[] = [
    { name: 'ChatCreated', event: created },
    {
      name: 'ChatRenamed',
      event: newEvent(
        'ChatRenamed',
        { chat_id: ids.chat, user_id: user, title: 'Trip plans' },
        { occurredAt: at() },
      ),
    },
    { name: 'PromptSubmitted', event: prompt },
    // The rating is logged before the answer it rates: neither may be lost.
    {
      name: 'MessageRated',
      event: newEvent(
        'MessageRated',
        {
          chat_id: ids.chat,
          user_id: user,
          message_id: ids.a1,
          rating: 'THUMBS_DOWN',
          comment: 'too vague',
          reasons: ['unhelpful'],
        },
        { occurredAt: at() },
      ),
    },
    { name: 'AnswerGenerated', event: answer(ids.a1, 'Visit Alfama.') },
    { name: 'AnswerGenerated', event: answer(ids.a2, 'Take tram 28.') }, // a regeneration: a sibling of a1
    {
      name: 'AnswerFailed',
      event: newEvent(
        'AnswerFailed',
        {
          chat_id: ids.chat,
          user_id: user,
          message_id: ids.f1,
          parent_message_id: ids.p1,
          model_version: 'gemma-3-270m',
          error_code: 'TIMEOUT',
          error_message: 'timed out',
          retriable: true,
          latency_ms: 60_000,
        },
        { occurredAt: at() },
      ),
    },
    {
      name: 'ChatDeleted',
      event: newEvent('ChatDeleted', { chat_id: ids.chat, user_id: user }, { occurredAt: at() }),
    },
  ];
  return { items, ids };
}
