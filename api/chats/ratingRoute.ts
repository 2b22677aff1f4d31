// Rating an answer (MessageRated). The path names only the message, so its chat comes from the
// message index (Redis, written when the API issued the id) or, after that expired, from a search
// of the caller's recently active chats in Cassandra (historyReads.ts, chatOfMessage).
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { ApiError, badRequest, notFound } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { publishChatEvent } from './chatEvents.ts';
import { perCaller } from '../http/callerLimits.ts';
import { messageParams, ratingAccepted, ratingBody } from './chatSchemas.ts';
import type { ChatServices } from './chatServices.ts';
import { chatScope } from './readYourWrites.ts';

const ratings = { positive: 'THUMBS_UP', negative: 'THUMBS_DOWN' } as const;

export function ratingRoute({ add }: RouteContext, services: ChatServices): void {
  const { deps, chats, messages, writes } = services;
  add({
    method: 'post',
    path: '/v1/messages/:message_id/rating',
    summary: 'Rate an answer (MessageRated); a later rating replaces it',
    tag: 'messages',
    access: 'user',
    params: messageParams,
    body: ratingBody,
    before: perCaller(deps),
    responses: {
      202: { description: 'Accepted', schema: ratingAccepted },
      404: { description: 'No such message of the caller' },
    },
    handle: async ({ params, body, principal }) => {
      const message = await messages.anywhere(principal.userId, params.message_id);
      const chat = await chats.owned(principal.userId, message.chatId).catch((error: unknown) => {
        throw error instanceof ApiError && error.status === 404 ? notFound('message') : error;
      });
      if (message.role !== 'assistant')
        throw badRequest('path.message_id: only an answer can be rated', 'path.message_id');
      const event = await publishChatEvent(deps, 'MessageRated', {
        chat_id: chat.chatId,
        user_id: principal.userId,
        message_id: message.messageId,
        rating: ratings[body.rating],
        comment: body.comment ?? null,
        reasons: [],
      });
      await writes
        .note(chatScope(chat.chatId), {
          table: 'messages_by_chat',
          key: { chat_id: chat.chatId, bucket: bucketOf(message.messageId), message_id: message.messageId },
          column: 'rating',
          at: event.occurred_at,
        })
        .catch((err: unknown) => deps.log.warn({ err }, 'read-your-writes note failed'));
      return { status: 202, body: { message_id: message.messageId, rating: body.rating } };
    },
  });
}
