// Which turns of a conversation go to the model: the system prompt, then the newest turns of the
// prompt's thread that fit the model's context, then the prompt. Pure: the history is read elsewhere.
import type { ChatMessage } from '../../connectors/model-server/streamChatCompletion.ts';

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * A cheap upper estimate of a text's tokens without the model's tokenizer: BPE vocabularies
 * average about 4 bytes of English per token; 3 keeps the estimate on the safe side for other text.
 */
export const estimateTokens = (text: string): number => Math.ceil(Buffer.byteLength(text) / 3) + 4;

export interface ContextBudget {
  contextLength: number;
  /** Tokens kept free for the answer. */
  answerTokens: number;
}

export class ContextOverflowError extends Error {
  override name = 'ContextOverflowError';
  readonly retriable = false;
}

/**
 * `thread` is oldest first and ends before the prompt. Older turns are dropped first, whole
 * user/assistant pairs at a time so the model never sees an answer without its question.
 */
export function fitContext(
  systemPrompt: string | null,
  thread: Turn[],
  prompt: string,
  budget: ContextBudget,
): ChatMessage[] {
  let left = budget.contextLength - budget.answerTokens - estimateTokens(prompt);
  if (systemPrompt) left -= estimateTokens(systemPrompt);
  if (left < 0)
    throw new ContextOverflowError(
      `the prompt needs about ${budget.contextLength - left} tokens with its answer; the model's context holds ${budget.contextLength}`,
    );
  let start = thread.length;
  while (start > 0) {
    // Step back over one turn, and over the question too when the turn is an answer.
    let from = start - 1;
    if (thread[from]!.role === 'assistant' && from > 0 && thread[from - 1]!.role === 'user') from--;
    const cost = thread.slice(from, start).reduce((sum, t) => sum + estimateTokens(t.content), 0);
    if (cost > left) break;
    left -= cost;
    start = from;
  }
  return [
    ...(systemPrompt ? [{ role: 'system' as const, content: systemPrompt }] : []),
    ...thread.slice(start),
    { role: 'user', content: prompt },
  ];
}
