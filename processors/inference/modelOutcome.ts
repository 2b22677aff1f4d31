// How a model call ended, in the contracts' terms: the finish reason of an answer, or the error
// code of a failure (and whether asking again may help).
import {
  ModelStreamBrokenError,
  ModelUnavailableError,
} from '../../connectors/model-server/modelServerPool.ts';
import { ModelTimeoutError } from '../../connectors/model-server/streamChatCompletion.ts';
import type { AnswerErrorCode, FinishReason } from '../../schemas/generated/events.ts';
import { ContextOverflowError } from './contextWindow.ts';

const finishReasons: Record<string, FinishReason> = {
  stop: 'STOP',
  length: 'LENGTH',
  content_filter: 'CONTENT_FILTER',
  tool_calls: 'TOOL_CALLS',
  function_call: 'TOOL_CALLS',
};

export const finishReasonOf = (reason: string | null): FinishReason =>
  (reason && finishReasons[reason]) || 'OTHER';

export interface FailureOutcome {
  code: AnswerErrorCode;
  /** For the user and the logs: no prompt text, no secrets. */
  message: string;
  retriable: boolean;
}

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
};

/** The outcome of a model call that failed for good; undefined: not a model failure (rethrow it). */
export function modelFailureOutcome(error: unknown): FailureOutcome | undefined {
  const message = error instanceof Error ? error.message.slice(0, 500) : String(error);
  if (error instanceof ContextOverflowError) return { code: 'CONTEXT_OVERFLOW', message, retriable: false };
  if (error instanceof ModelUnavailableError) return { code: 'MODEL_UNAVAILABLE', message, retriable: true };
  if (error instanceof ModelStreamBrokenError) return { code: 'INTERNAL', message, retriable: true };
  if (error instanceof ModelTimeoutError) return { code: 'TIMEOUT', message, retriable: true };
  const status = statusOf(error);
  if (status === 429) return { code: 'RATE_LIMITED', message, retriable: true };
  if (status === 400 && /context|too long|exceed/i.test(message))
    return { code: 'CONTEXT_OVERFLOW', message, retriable: false };
  if (status !== undefined && status >= 400 && status < 500)
    return { code: 'INVALID_REQUEST', message, retriable: false };
  if (status !== undefined && status >= 500) return { code: 'INTERNAL', message, retriable: true };
  return undefined;
}
