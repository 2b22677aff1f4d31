// The conversation of a rated answer as chat messages: what every format is built from. Fresh
// objects with keys in one order, so a line's bytes depend only on the record's facts.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';

export interface ChatMessage {
  role: string;
  content: string;
}

/** The earlier turns, oldest first, then the prompt as the user's turn. */
export function promptMessages(record: FeedbackRecord): ChatMessage[] {
  return [
    ...(record.context ?? []).map((turn) => ({ role: turn.role, content: turn.content })),
    { role: 'user', content: record.prompt },
  ];
}

export function assistantMessage(content: string): ChatMessage {
  return { role: 'assistant', content };
}

/** Export order: by rating time, then message id, so the same records give the same file. */
export function compareByRating(a: FeedbackRecord, b: FeedbackRecord): number {
  if (a.rated_at !== b.rated_at) return a.rated_at - b.rated_at;
  return a.message_id < b.message_id ? -1 : a.message_id > b.message_id ? 1 : 0;
}
