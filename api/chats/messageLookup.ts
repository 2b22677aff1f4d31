// Finding a message for a route: first the Redis index the API wrote when it issued the id
// (messageIndex.ts), then the Cassandra history (historyReads.ts). A malformed, foreign or unknown
// id is 404 "message not found" alike: someone else's message is indistinguishable from none.
import { isUuidV7 } from '../../schemas/uuidV7.ts';
import { notFound } from '../http/errors.ts';
import type { HistoryReads } from './historyReads.ts';
import type { MessageIndex } from './messageIndex.ts';

export interface FoundMessage {
  messageId: string;
  chatId: string;
  role: 'user' | 'assistant';
  /** A prompt's latest answer, when known. */
  answer?: string;
  /** An answer's prompt, when known. */
  prompt?: string;
}

const v7OrNotFound = (messageId: string): string => {
  const id = messageId.toLowerCase();
  if (!isUuidV7(id)) throw notFound('message');
  return id;
};

export class MessageLookup {
  constructor(
    private readonly index: MessageIndex,
    private readonly history: HistoryReads,
  ) {}

  /** The message, if it is a prompt or an answer in `chatId`. */
  async inChat(chatId: string, messageId: string): Promise<FoundMessage> {
    const id = v7OrNotFound(messageId);
    const indexed = await this.index.get(id);
    if (indexed) {
      if (indexed.chatId !== chatId) throw notFound('message');
      return { messageId: id, ...indexed };
    }
    const stored = await this.history.message(chatId, id);
    if (!stored || stored.role === 'SYSTEM') throw notFound('message');
    return stored.role === 'USER'
      ? { messageId: id, chatId, role: 'user' }
      : {
          messageId: id,
          chatId,
          role: 'assistant',
          ...(stored.parentMessageId ? { prompt: stored.parentMessageId } : {}),
        };
  }

  /** The message and its chat, searched among `userId`'s chats (the caller then checks ownership). */
  async anywhere(userId: string, messageId: string): Promise<FoundMessage> {
    const id = v7OrNotFound(messageId);
    const indexed = await this.index.get(id);
    if (indexed) return { messageId: id, ...indexed };
    const found = await this.history.chatOfMessage(userId, id);
    if (!found || found.message.role === 'SYSTEM') throw notFound('message');
    return {
      messageId: id,
      chatId: found.chatId,
      role: found.message.role === 'USER' ? 'user' : 'assistant',
    };
  }

  /** The answer a stream of `message` shows: itself if an answer, else the prompt's latest answer. */
  async answerOf(message: FoundMessage): Promise<string> {
    if (message.role === 'assistant') return message.messageId;
    const answer = message.answer ?? (await this.history.latestAnswerTo(message.chatId, message.messageId));
    if (!answer) throw notFound('answer');
    return answer;
  }

  /** The prompt a regeneration answers again: itself if a prompt, else the answer's prompt. */
  async promptOf(message: FoundMessage): Promise<string> {
    if (message.role === 'user') return message.messageId;
    if (message.prompt) return message.prompt;
    const stored = await this.history.message(message.chatId, message.messageId);
    if (!stored?.parentMessageId) throw notFound('prompt');
    return stored.parentMessageId;
  }
}
