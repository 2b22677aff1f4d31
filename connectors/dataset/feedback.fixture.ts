// FeedbackRecords for tests, shaped as the feedback processor writes them: one record per rated
// answer, each listing the other answers to its prompt as siblings with their ratings.
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { FeedbackRating, FeedbackRecord, FeedbackTurn } from '../../schemas/generated/events.ts';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export interface AnswerSpec {
  answer: string;
  /** null: generated but never rated, so it has no record of its own. */
  rating: FeedbackRating | null;
  model?: string;
  /** Default: T0 plus the answer's position in minutes. */
  ratedAt?: number;
  messageId?: string;
}

export interface PromptSpec {
  prompt: string;
  context?: FeedbackTurn[];
  answers: AnswerSpec[];
  chatId?: string;
  promptMessageId?: string;
}

/** The records of one prompt's rated answers (regenerations), in the order of `answers`. */
export function promptFeedback(spec: PromptSpec): FeedbackRecord[] {
  const chatId = spec.chatId ?? uuidv7();
  const promptMessageId = spec.promptMessageId ?? uuidv7();
  const userId = randomUUID();
  const answers = spec.answers.map((a, i) => ({
    ...a,
    messageId: a.messageId ?? uuidv7(),
    model: a.model ?? 'parley-1',
    ratedAt: a.ratedAt ?? T0 + i * 60_000,
  }));
  return answers.flatMap((a) => {
    if (a.rating === null) return [];
    const siblings = answers
      .filter((s) => s.messageId !== a.messageId)
      .map((s) => ({
        message_id: s.messageId,
        answer: s.answer,
        model_version: s.model,
        rating: s.rating,
        comment: null,
      }));
    const eventId = randomUUID();
    return [
      {
        event_id: eventId,
        occurred_at: a.ratedAt,
        correlation_id: eventId,
        causation_id: null,
        message_id: a.messageId,
        chat_id: chatId,
        user_id: userId,
        prompt_message_id: promptMessageId,
        prompt: spec.prompt,
        answer: a.answer,
        model_version: a.model,
        rating: a.rating,
        comment: null,
        rated_at: a.ratedAt,
        sibling_message_ids: siblings.map((s) => s.message_id),
        context: spec.context ?? [],
        siblings,
        reasons: [],
      },
    ];
  });
}
