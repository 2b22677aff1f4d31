// A prompt's answer as Server-Sent Events (answerEvents.ts), from the answer's Redis token stream:
// what was streamed so far, then what arrives, until done or error. `Last-Event-ID` resumes after
// that event. An answer whose stream has expired (or went quiet without an end: its writer died) is
// replayed from the Cassandra history if it is finished there. The message may be the prompt (its
// latest answer streams) or an answer (that one streams, e.g. a regeneration's).
import type { Request } from 'express';
import { z } from 'zod';
import { isStreamEntryId, isTerminal } from '../../connectors/tokenStream/answerStreamEntry.ts';
import { answerStreamState, readAnswerStream } from '../../connectors/tokenStream/tokenStreamReader.ts';
import { badRequest } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { liveEvent, replayEvents } from './answerEvents.ts';
import { perCaller } from '../http/callerLimits.ts';
import { chatMessageParams } from './chatSchemas.ts';
import type { ChatServices } from './chatServices.ts';
import { SseStream } from './sse.ts';

function lastEventId(req: Request): string | undefined {
  const value = req.headers['last-event-id'];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isStreamEntryId(value))
    throw badRequest('header.Last-Event-ID: not an event id this stream sent', 'header.Last-Event-ID');
  return value;
}

export function streamRoute({ add }: RouteContext, services: ChatServices): void {
  const { deps, chats, history, messages } = services;
  add({
    method: 'get',
    path: '/v1/chats/:chat_id/messages/:message_id/stream',
    summary: "A prompt's answer as Server-Sent Events: start, token…, restart, done | error",
    tag: 'messages',
    access: 'user',
    params: chatMessageParams,
    before: perCaller(deps),
    responses: {
      200: {
        description:
          "text/event-stream; each event's id resumes it (Last-Event-ID); data is JSON: start {model_version?}, token {text}, restart {} (drop what was shown), done {finish_reason, tokens_out?}, error {code, message}",
        // OpenAPI 3.1 has a text/event-stream schema describe each event (3.2 calls it itemSchema).
        schema: z
          .object({
            id: z.string(),
            event: z.enum(['start', 'token', 'restart', 'done', 'error']),
            data: z.string().openapi({ description: 'JSON, by event (see above)' }),
          })
          .openapi('AnswerStreamEvent'),
        contentType: 'text/event-stream',
      },
      404: { description: 'No such chat, message or answer of the caller' },
    },
    handle: async ({ params, principal, req, res }) => {
      const after = lastEventId(req);
      const chat = await chats.owned(principal.userId, params.chat_id);
      const answerId = await messages.answerOf(await messages.inChat(chat.chatId, params.message_id));

      const sse = new SseStream(res);
      /** Sends the answer from the history if it is finished there. */
      const replay = async (lastSent: string | undefined): Promise<boolean> => {
        const stored = await history.message(chat.chatId, answerId);
        const events = stored && replayEvents(stored, lastSent);
        if (!events) return false;
        for (const event of events) await sse.send(event);
        return true;
      };
      try {
        let lastSent = after;
        if ((await answerStreamState(deps.redis, answerId)) === 'absent' && (await replay(lastSent))) return;
        let ended = false;
        for await (const item of readAnswerStream(deps.redis, answerId, { after, signal: sse.signal })) {
          await sse.send(liveEvent(item));
          lastSent = item.id;
          ended = isTerminal(item.entry);
        }
        if (ended || sse.signal.aborted) return;
        // No end came: the stream expired under us, or went quiet (its writer died). If it still
        // ends in done/error, the client had it all already; otherwise the history may have the answer.
        const state = await answerStreamState(deps.redis, answerId);
        if (state === 'absent' || state === 'streaming') await replay(lastSent);
      } catch (err) {
        // Headers are sent: end the stream; the client reconnects with Last-Event-ID.
        deps.log.warn({ err, answerId }, 'answer stream failed');
      } finally {
        sse.end();
      }
    },
  });
}
