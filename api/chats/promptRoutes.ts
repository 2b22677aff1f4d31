// Prompts and regenerations: each is one event asking the inference processor for an answer whose
// id the API fixes here (UUIDv7), so the client can stream it at once and a redelivered request can
// never make a second answer. A prompt follows the chat's head (chatHead.ts); the message index
// (messageIndex.ts) and the read-your-writes note make the new ids usable by the next request.
import { v7 as uuidv7 } from 'uuid';
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { ApiError } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { publishChatEvent, requireServedModel, viaApi } from './chatEvents.ts';
import { perPrompt } from '../http/callerLimits.ts';
import {
  chatMessageParams,
  chatParams,
  promptAccepted,
  promptBody,
  regenerateBody,
  regenerationAccepted,
} from './chatSchemas.ts';
import type { ChatServices } from './chatServices.ts';
import { chatScope } from './readYourWrites.ts';

export function promptRoutes({ add }: RouteContext, services: ChatServices): void {
  const { deps, chats, head, index, messages, writes } = services;
  const before = perPrompt(deps);

  add({
    method: 'post',
    path: '/v1/chats/:chat_id/messages',
    summary: 'Send a prompt (PromptSubmitted); its answer streams from …/messages/{message_id}/stream',
    tag: 'messages',
    access: 'user',
    params: chatParams,
    body: promptBody,
    before,
    responses: {
      202: { description: 'Accepted; the answer is on its way', schema: promptAccepted },
      404: { description: 'No such chat of the caller' },
      413: { description: 'The content is larger than the limit' },
    },
    handle: async ({ params, body, principal }) => {
      const max = deps.config.api.maxContentBytes;
      if (Buffer.byteLength(body.content) > max)
        throw new ApiError(413, 'payload_too_large', `body.content: more than ${max} bytes`, 'body.content');
      const chat = await chats.owned(principal.userId, params.chat_id);
      requireServedModel(deps, body.model, 'body.model');
      const messageId = uuidv7();
      const answerId = uuidv7();
      const parent = await head.advance(chat, answerId);
      let event;
      try {
        await index.answering(chat.chatId, messageId, answerId);
        event = await publishChatEvent(deps, 'PromptSubmitted', {
          chat_id: chat.chatId,
          user_id: principal.userId,
          message_id: messageId,
          parent_message_id: parent,
          role: 'USER',
          content: body.content,
          model_version: body.model ?? chat.model ?? deps.config.modelServer.model,
          attachment_ids: [],
          via_api: viaApi(principal),
          temperature: null,
          max_tokens: null,
          answer_message_id: answerId,
        });
      } catch (error) {
        await head.undo(chat.chatId, answerId, parent).catch(() => undefined);
        throw error;
      }
      await writes
        .note(chatScope(chat.chatId), {
          table: 'messages_by_chat',
          key: { chat_id: chat.chatId, bucket: bucketOf(messageId), message_id: messageId },
          column: 'content',
          at: event.occurred_at,
        })
        .catch((err: unknown) => deps.log.warn({ err }, 'read-your-writes note failed'));
      return { status: 202, body: { message_id: messageId, answer_message_id: answerId } };
    },
  });

  add({
    method: 'post',
    path: '/v1/chats/:chat_id/messages/:message_id/regenerate',
    summary: 'Answer a prompt again (RegenerationRequested): a sibling answer, same parent',
    tag: 'messages',
    access: 'user',
    params: chatMessageParams,
    body: regenerateBody,
    before,
    responses: {
      202: { description: 'Accepted; stream the new answer by its id', schema: regenerationAccepted },
      404: { description: 'No such chat or message of the caller' },
    },
    handle: async ({ params, body, principal }) => {
      const chat = await chats.owned(principal.userId, params.chat_id);
      const promptId = await messages.promptOf(await messages.inChat(chat.chatId, params.message_id));
      requireServedModel(deps, body.model, 'body.model');
      const answerId = uuidv7();
      await index.answering(chat.chatId, promptId, answerId);
      await publishChatEvent(deps, 'RegenerationRequested', {
        chat_id: chat.chatId,
        user_id: principal.userId,
        prompt_message_id: promptId,
        answer_message_id: answerId,
        model_version: body.model ?? null,
        temperature: null,
        max_tokens: null,
        via_api: viaApi(principal),
      });
      // The thread goes on from the newest answer.
      await head
        .swap(chat.chatId, answerId)
        .catch((err: unknown) => deps.log.warn({ err }, 'head not moved'));
      return { status: 202, body: { answer_message_id: answerId } };
    },
  });
}
