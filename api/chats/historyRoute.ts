// A chat's history, newest first (api/readModels/messages.ts: one range read per page). The first
// page waits, bounded, for the caller's latest write to the chat to be projected (read-your-writes).
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { badRequest } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { InvalidCursorError, listMessages } from '../readModels/messages.ts';
import { perCaller } from '../http/callerLimits.ts';
import { chatParams, historyQuery, messagePage } from './chatSchemas.ts';
import type { ChatServices } from './chatServices.ts';
import { chatScope } from './readYourWrites.ts';

export function historyRoute({ add }: RouteContext, services: ChatServices): void {
  const { deps, chats, history, writes } = services;
  add({
    method: 'get',
    path: '/v1/chats/:chat_id/messages',
    summary: "A chat's messages, newest first",
    tag: 'messages',
    access: 'user',
    params: chatParams,
    query: historyQuery,
    before: perCaller(deps),
    responses: {
      200: { description: 'A page of messages', schema: messagePage },
      404: { description: 'No such chat of the caller' },
    },
    handle: async ({ params, query, principal }) => {
      const chat = await chats.owned(principal.userId, params.chat_id);
      let newestBucket: number | undefined;
      if (query.cursor === undefined) {
        await writes.awaitProjected(chatScope(chat.chatId));
        // Where the newest message can be: the head's bucket (the newest id the API issued), else
        // the chat's last activity's (no message is newer than its chat's last activity).
        newestBucket = chat.head
          ? bucketOf(chat.head)
          : await history.lastActivityBucket(principal.userId, chat.chatId);
      }
      try {
        const page = await listMessages(deps.cassandra, deps.keyspace(), chat.chatId, {
          limit: query.limit,
          cursor: query.cursor,
          newestBucket,
        });
        return { status: 200, body: page };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badRequest(error.message, 'query.cursor');
        throw error;
      }
    },
  });
}
