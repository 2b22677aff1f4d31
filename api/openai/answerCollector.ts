// Follows an answer's live token stream (Redis) for the OpenAI-compatible routes, which cannot
// take back text already sent: a `restart` after text went out ends a stream with an error, while
// a whole (non-streamed) answer simply starts again.
import type { AnswerStreamEntry } from '../../connectors/tokenStream/answerStreamEntry.ts';
import { readAnswerStream } from '../../connectors/tokenStream/tokenStreamReader.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { ApiError } from '../http/errors.ts';

export interface AnswerEnd {
  finishReason: string;
  tokensIn?: number;
  tokensOut?: number;
}

/** The answer's failure as the HTTP error an OpenAI client expects. */
export function answerError(entry: Extract<AnswerStreamEntry, { type: 'error' }>): ApiError {
  const status: Record<string, number> = {
    MODEL_UNAVAILABLE: 503,
    RATE_LIMITED: 429,
    CONTEXT_OVERFLOW: 400,
    INVALID_REQUEST: 400,
    CONTENT_FILTER: 400,
    TIMEOUT: 504,
  };
  const code = entry.code === 'CONTEXT_OVERFLOW' ? 'context_length_exceeded' : entry.code.toLowerCase();
  return new ApiError(status[entry.code] ?? 502, code, entry.message);
}

export const openAiFinishReason = (reason: string): string =>
  ({ STOP: 'stop', LENGTH: 'length', CONTENT_FILTER: 'content_filter', TOOL_CALLS: 'tool_calls' })[reason] ??
  'stop';

/**
 * Calls `onText` with each piece of the answer as it arrives and resolves with how it ended.
 * `onRestart` says what to do when generation starts again: 'reset' (nothing was sent yet, or the
 * caller buffers) or 'fail'.
 */
export async function followAnswer(
  deps: ApiDeps,
  answerMessageId: string,
  onText: (text: string) => void,
  onRestart: () => 'reset' | 'fail',
  signal: AbortSignal,
): Promise<AnswerEnd> {
  const timeout = AbortSignal.timeout(deps.config.api.answerWaitMs);
  for await (const { entry } of readAnswerStream(deps.redis, answerMessageId, {
    signal: AbortSignal.any([signal, timeout]),
  })) {
    if (entry.type === 'token') onText(entry.text);
    else if ((entry.type === 'restart' || entry.type === 'start') && onRestart() === 'fail')
      throw new ApiError(502, 'stream_broken', 'the model server failed mid-answer; retry the request');
    else if (entry.type === 'done') return entry;
    else if (entry.type === 'error') throw answerError(entry);
  }
  if (signal.aborted) throw new ApiError(499, 'client_closed', 'the client went away');
  throw new ApiError(504, 'timeout', `no answer within ${deps.config.api.answerWaitMs} ms`);
}
