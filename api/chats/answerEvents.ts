// An answer as Server-Sent Events: one event per token-stream entry (its stream entry id is the
// event's id, so Last-Event-ID resumes after it), or, once the stream has expired, the answer from
// the history as one token event and done (or error).
//
//   start    {model_version?}           generation began: show nothing of this answer yet
//   token    {text}                     text to append
//   restart  {}                         generation starts again: drop what was shown
//   done     {finish_reason, tokens_out?}
//   error    {code, message}
import type { AnswerStreamItem } from '../../connectors/tokenStream/tokenStreamReader.ts';
import type { StoredMessage } from './historyReads.ts';
import type { SseEvent } from './sse.ts';

export function liveEvent({ id, entry }: AnswerStreamItem): SseEvent {
  switch (entry.type) {
    case 'start':
      return {
        id,
        event: 'start',
        data: entry.meta.model_version ? { model_version: entry.meta.model_version } : {},
      };
    case 'token':
      return { id, event: 'token', data: { text: entry.text } };
    case 'restart':
      // The reason names servers: for operators, not clients.
      return { id, event: 'restart', data: {} };
    case 'done':
      return {
        id,
        event: 'done',
        data: {
          finish_reason: entry.finishReason,
          ...(entry.tokensOut === undefined ? {} : { tokens_out: entry.tokensOut }),
        },
      };
    case 'error':
      return { id, event: 'error', data: { code: entry.code, message: entry.message } };
  }
}

/** Replayed events take ids with a zero time part, which no live stream entry has. */
const isReplayId = (id: string) => id.startsWith('0-');

/**
 * The finished answer from the history, after `after` (a Last-Event-ID); undefined if the history
 * does not hold it finished. A client that showed part of a live stream first gets `restart`.
 */
export function replayEvents(answer: StoredMessage, after: string | undefined): SseEvent[] | undefined {
  const end: SseEvent | undefined =
    answer.status === 'ANSWERED'
      ? {
          id: '0-3',
          event: 'done',
          data: {
            finish_reason: answer.finishReason ?? 'OTHER',
            ...(answer.tokensOut === null ? {} : { tokens_out: answer.tokensOut }),
          },
        }
      : answer.status === 'FAILED'
        ? {
            id: '0-3',
            event: 'error',
            data: { code: answer.errorCode ?? 'INTERNAL', message: 'the answer failed' },
          }
        : undefined;
  if (!end) return undefined;
  const events: SseEvent[] = [
    { id: '0-1', event: 'restart', data: {} },
    ...(answer.status === 'ANSWERED'
      ? [{ id: '0-2', event: 'token', data: { text: answer.content ?? '' } }]
      : []),
    end,
  ];
  if (after === undefined) return events.slice(1);
  if (isReplayId(after)) return events.filter((e) => Number(e.id.slice(2)) > Number(after.slice(2)));
  return events;
}
