// What a FeedbackRecord says about one rated answer, from the processor's state. Pure.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import type { RecordMaterial } from './feedbackState.ts';

export type FeedbackRecordBody = Omit<
  FeedbackRecord,
  'event_id' | 'occurred_at' | 'correlation_id' | 'causation_id'
>;

export function feedbackRecordBody(m: RecordMaterial): Required<FeedbackRecordBody> {
  return {
    message_id: m.answer.message_id,
    chat_id: m.answer.chat_id,
    user_id: m.rating.user_id,
    prompt_message_id: m.prompt.message_id,
    prompt: m.prompt.content,
    answer: m.answer.content,
    model_version: m.answer.model_version,
    rating: m.rating.rating,
    comment: m.rating.comment,
    rated_at: m.rating.rated_at.getTime(),
    reasons: m.rating.reasons,
    context: [...(m.systemPrompt ? [{ role: 'system', content: m.systemPrompt }] : []), ...m.thread],
    sibling_message_ids: m.siblings.map((s) => s.message_id),
    siblings: m.siblings.map((s) => ({
      message_id: s.message_id,
      answer: s.content,
      model_version: s.model_version,
      rating: s.rating,
      comment: s.comment,
    })),
  };
}
