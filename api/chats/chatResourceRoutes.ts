// Chats as resources: create, list (newest activity first), rename, delete. Each write is one event;
// the ownership cache (chatDirectory.ts) makes a new chat usable at once, and the read-your-writes
// note (readYourWrites.ts) makes the owner's next list show it.
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { badRequest } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { InvalidCursorError, listChats } from '../readModels/chatList.ts';
import { publishChatEvent, requireServedModel, viaApi } from './chatEvents.ts';
import { perCaller } from '../http/callerLimits.ts';
import {
  chatCreated,
  chatListQuery,
  chatPage,
  chatParams,
  createChatBody,
  renameChatBody,
} from './chatSchemas.ts';
import type { ChatServices } from './chatServices.ts';
import { userScope, type Written } from './readYourWrites.ts';

export function chatResourceRoutes({ add }: RouteContext, services: ChatServices): void {
  const { deps, chats, writes } = services;
  const before = perCaller(deps);
  const noteListWrite = (
    userId: string,
    chatId: string,
    column: 'created_at' | 'title' | 'deleted_at',
    at: number,
  ) => {
    const written: Written = {
      table: 'chats_by_user',
      key: { user_id: userId, chat_id: chatId },
      column,
      at,
    };
    return writes
      .note(userScope(userId), written)
      .catch((err: unknown) => deps.log.warn({ err }, 'read-your-writes note failed'));
  };

  add({
    method: 'post',
    path: '/v1/chats',
    summary: 'Create a chat (ChatCreated)',
    tag: 'chats',
    access: 'user',
    body: createChatBody,
    before,
    responses: { 201: { description: 'Created; usable at once', schema: chatCreated } },
    handle: async ({ body, principal }) => {
      requireServedModel(deps, body.model, 'body.model');
      const model = body.model ?? deps.config.modelServer.model;
      const chatId = uuidv7();
      await chats.created(chatId, principal.userId, model);
      const event = await publishChatEvent(deps, 'ChatCreated', {
        chat_id: chatId,
        user_id: principal.userId,
        title: body.title ?? null,
        model_version: model,
        system_prompt: null,
        via_api: viaApi(principal),
      });
      await noteListWrite(principal.userId, chatId, 'created_at', event.occurred_at);
      return { status: 201, body: { chat_id: chatId } };
    },
  });

  add({
    method: 'get',
    path: '/v1/chats',
    summary: "The caller's chats, newest activity first",
    tag: 'chats',
    access: 'user',
    query: chatListQuery,
    before,
    responses: { 200: { description: 'A page of chats', schema: chatPage } },
    handle: async ({ query, principal }) => {
      if (query.cursor === undefined) await writes.awaitProjected(userScope(principal.userId));
      try {
        const page = await listChats(deps.cassandra, deps.keyspace(), principal.userId, query);
        return { status: 200, body: page };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badRequest(error.message, 'query.cursor');
        throw error;
      }
    },
  });

  add({
    method: 'patch',
    path: '/v1/chats/:chat_id',
    summary: 'Rename a chat (ChatRenamed)',
    tag: 'chats',
    access: 'user',
    params: chatParams,
    body: renameChatBody,
    before,
    responses: {
      200: { description: 'Renamed', schema: z.object({ chat_id: z.uuid(), title: z.string() }) },
      404: { description: 'No such chat of the caller' },
    },
    handle: async ({ params, body, principal }) => {
      const chat = await chats.owned(principal.userId, params.chat_id);
      const event = await publishChatEvent(deps, 'ChatRenamed', {
        chat_id: chat.chatId,
        user_id: principal.userId,
        title: body.title,
      });
      await noteListWrite(principal.userId, chat.chatId, 'title', event.occurred_at);
      return { status: 200, body: { chat_id: chat.chatId, title: body.title } };
    },
  });

  add({
    method: 'delete',
    path: '/v1/chats/:chat_id',
    summary: 'Delete a chat (ChatDeleted); it and its messages are 404 from now on',
    tag: 'chats',
    access: 'user',
    params: chatParams,
    before,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'No such chat of the caller' } },
    handle: async ({ params, principal }) => {
      const chat = await chats.owned(principal.userId, params.chat_id);
      await chats.deleted(chat.chatId);
      let event;
      try {
        event = await publishChatEvent(deps, 'ChatDeleted', {
          chat_id: chat.chatId,
          user_id: principal.userId,
        });
      } catch (error) {
        await chats.undeleted(chat.chatId).catch(() => undefined);
        throw error;
      }
      await noteListWrite(principal.userId, chat.chatId, 'deleted_at', event.occurred_at);
      return { status: 204 };
    },
  });
}
