// A chat's head: the last message of its thread, which the next prompt follows (its
// parent_message_id). Kept in the chat's Redis hash (redisKeys.ts) and moved by the API itself: a
// prompt swaps in its answer's id (fixed at submit, so the head is known before the answer exists),
// a regeneration its new answer's (the thread goes on from the newest answer, as a chat UI shows
// it). The swap is atomic, so two prompts sent at once form a chain, not two branches.
// When Redis does not know the head (expired, lost), the chat's newest message in Cassandra is.
import type { Redis } from 'ioredis';
import { bucketAt } from '../readModels/messages.ts';
import type { OwnedChat } from './chatDirectory.ts';
import type { HistoryReads } from './historyReads.ts';
import { CHAT_TTL_S, chatKey } from './redisKeys.ts';

const SWAP = `local old = redis.call('HGET', KEYS[1], 'head')
redis.call('HSET', KEYS[1], 'head', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return old`;

const UNDO = `if redis.call('HGET', KEYS[1], 'head') == ARGV[1] then
  if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'head') else redis.call('HSET', KEYS[1], 'head', ARGV[2]) end
  return 1
end
return 0`;

export class ChatHead {
  constructor(
    private readonly redis: Redis,
    private readonly history: HistoryReads,
  ) {}

  /** Makes `messageId` the head; returns the head before it as Redis knew it (null: unknown). */
  async swap(chatId: string, messageId: string): Promise<string | null> {
    return (await this.redis.eval(SWAP, 1, chatKey(chatId), messageId, CHAT_TTL_S)) as string | null;
  }

  /** Makes `messageId` the head; returns the head before it (the new prompt's parent; null: none). */
  async advance(chat: OwnedChat, messageId: string): Promise<string | null> {
    const previous = await this.swap(chat.chatId, messageId);
    if (previous) return previous;
    const from = (await this.history.lastActivityBucket(chat.ownerId, chat.chatId)) ?? bucketAt(Date.now());
    return (await this.history.newestMessage(chat.chatId, from)) ?? null;
  }

  /** Puts `previous` back if the head is still `messageId` (its event could not be published). */
  async undo(chatId: string, messageId: string, previous: string | null): Promise<void> {
    await this.redis.eval(UNDO, 1, chatKey(chatId), messageId, previous ?? '');
  }
}
