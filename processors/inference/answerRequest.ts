// What the inference processor answers: a prompt (PromptSubmitted) or a request for another answer to
// a prompt already in the chat (RegenerationRequested), as one shape. The answer's id comes from the
// request, never from the answering, so handling a request twice can only find the same answer.
import { createHash } from 'node:crypto';
import { PoisonRecordError } from '../../core/errors.ts';
import type { Cause } from '../../producers/newEvent.ts';
import type { PromptSubmitted, RegenerationRequested } from '../../schemas/generated/events.ts';
import { isUuidV7, uuidV7Millis } from '../../schemas/uuidV7.ts';

export interface AnswerRequest {
  kind: 'prompt' | 'regeneration';
  cause: Cause;
  /** When the request was made (its event's occurred_at): one waiting too long is not answered. */
  requestedAt: number;
  chatId: string;
  userId: string;
  promptMessageId: string;
  /** The prompt's text when the request carries it (a regeneration reads it from the history). */
  promptContent?: string;
  /** The prompt's parent: where the history before it starts (unknown for a regeneration until read). */
  parentMessageId?: string | null;
  answerMessageId: string;
  /** Model name or version asked for; undefined: the prompt's own (a regeneration). */
  requestedModel?: string;
  temperature?: number;
  maxTokens?: number;
  viaApi: boolean;
  /** The conversation an OpenAI-compatible client sent with the prompt, used instead of the history. */
  context?: Array<{ role: string; content: string }>;
  /** The request record's W3C trace context: the answer continues its trace. */
  traceparent?: string;
}

/**
 * A UUIDv7 for the answer of a prompt written before prompts carried one: the prompt's time and a
 * hash of its id, so every attempt derives the same id.
 */
export function derivedAnswerId(promptMessageId: string): string {
  const hash = createHash('sha256').update(`answer-of:${promptMessageId}`).digest('hex');
  const millis = uuidV7Millis(promptMessageId).toString(16).padStart(12, '0');
  const variant = ((parseInt(hash[15]!, 16) & 0x3) | 0x8).toString(16);
  const hex = `${millis}7${hash.slice(0, 3)}${variant}${hash.slice(3, 6)}${hash.slice(6, 18)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

export function promptRequest(e: PromptSubmitted): AnswerRequest {
  if ((e.role ?? 'USER') !== 'USER')
    throw new PoisonRecordError(
      `PromptSubmitted ${e.message_id} has role ${e.role}: only USER prompts are answered`,
    );
  if (!isUuidV7(e.message_id)) throw new PoisonRecordError(`message_id ${e.message_id} is not a UUIDv7`);
  return {
    kind: 'prompt',
    cause: e,
    requestedAt: e.occurred_at,
    chatId: e.chat_id,
    userId: e.user_id,
    promptMessageId: e.message_id,
    promptContent: e.content,
    parentMessageId: e.parent_message_id ?? null,
    answerMessageId: e.answer_message_id ?? derivedAnswerId(e.message_id),
    requestedModel: e.model_version,
    temperature: orUndefined(e.temperature),
    maxTokens: orUndefined(e.max_tokens),
    viaApi: e.via_api ?? false,
    context: orUndefined(e.context),
  };
}

export function regenerationRequest(e: RegenerationRequested): AnswerRequest {
  return {
    kind: 'regeneration',
    cause: e,
    requestedAt: e.occurred_at,
    chatId: e.chat_id,
    userId: e.user_id,
    promptMessageId: e.prompt_message_id,
    answerMessageId: e.answer_message_id,
    requestedModel: orUndefined(e.model_version),
    temperature: orUndefined(e.temperature),
    maxTokens: orUndefined(e.max_tokens),
    viaApi: e.via_api ?? false,
  };
}
