// Who owns a chat, and is it deleted: an ownership cache in Redis, written by the API when it
// creates (or deletes) a chat, in front of Cassandra's `chats` table, which the projector fills
// from the events. The cache makes a new chat usable by its owner's very next request, before the
// projector has written it (read-your-writes without writing the read model twice). It is only a
// cache: a miss reads `chats` (and fills the cache); neither → not found.
//
// Safety does not rest on the cache: an entry is written only for the authenticated creator of a
// fresh UUIDv7 chat id, or copied from Cassandra; `deleted` is only ever set (cleared only by the
// request that set it, when its ChatDeleted could not be published). Failure mode: if Redis loses the entry while the projector lags, a chat created moments ago
// is 404 to its owner until the projector catches up (seconds), and a chat deleted moments ago is
// still usable until the projector has written the deletion (the inference processor then answers
// its prompts with INVALID_REQUEST, "the chat was deleted"). Nobody else's chat ever becomes usable.
import type { Redis } from 'ioredis';
import { isUuidV7 } from '../../schemas/uuidV7.ts';
import { notFound } from '../http/errors.ts';
import type { HistoryReads } from './historyReads.ts';
import { CHAT_TTL_S, chatKey } from './redisKeys.ts';
import { execAll } from './redisExec.ts';

export interface OwnedChat {
  chatId: string;
  ownerId: string;
  /** The chat's model (name or version); null if unknown. */
  model: string | null;
  /** The newest message the API issued in the chat (see chatHead.ts); null if Redis does not know. */
  head: string | null;
}

interface ChatState extends OwnedChat {
  deleted: boolean;
}

export class ChatDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly history: HistoryReads,
  ) {}

  /** Before ChatCreated is published: the creator may use the chat at once. */
  async created(chatId: string, ownerId: string, model: string): Promise<void> {
    const key = chatKey(chatId);
    await execAll(this.redis.multi().hset(key, { owner: ownerId, model }).expire(key, CHAT_TTL_S));
  }

  /** Before ChatDeleted is published: 404 from now on, whatever the projector's lag. */
  async deleted(chatId: string): Promise<void> {
    const key = chatKey(chatId);
    await execAll(this.redis.multi().hset(key, 'deleted', '1').expire(key, CHAT_TTL_S));
  }

  /** Takes back `deleted` when the ChatDeleted could not be published (the chat lives on). */
  async undeleted(chatId: string): Promise<void> {
    await this.redis.hdel(chatKey(chatId), 'deleted');
  }

  private async state(chatId: string): Promise<ChatState | undefined> {
    const key = chatKey(chatId);
    const [owner, deleted, cachedModel, cachedHead] = await this.redis.hmget(
      key,
      'owner',
      'deleted',
      'model',
      'head',
    );
    const [model, head] = [cachedModel ?? null, cachedHead ?? null];
    if (deleted === '1') return { chatId, ownerId: owner ?? '', model, head, deleted: true };
    if (owner) return { chatId, ownerId: owner, model, head, deleted: false };
    const stored = await this.history.chat(chatId);
    if (!stored) return undefined;
    // Refill: owner and model never change; `deleted` is only ever set (so a refill racing a
    // deletion cannot undo it).
    const fill = this.redis
      .multi()
      .hset(key, { owner: stored.ownerId, ...(stored.model ? { model: stored.model } : {}) });
    if (stored.deleted) fill.hset(key, 'deleted', '1');
    await execAll(fill.expire(key, CHAT_TTL_S));
    return { chatId, ownerId: stored.ownerId, model: stored.model ?? model, head, deleted: stored.deleted };
  }

  /** The chat, if `userId` owns it and it is not deleted; otherwise 404 (someone else's looks absent). */
  async owned(userId: string, chatId: string): Promise<OwnedChat> {
    const id = chatId.toLowerCase();
    const chat = isUuidV7(id) ? await this.state(id) : undefined;
    if (!chat || chat.deleted || chat.ownerId !== userId) throw notFound('chat');
    return { chatId: id, ownerId: chat.ownerId, model: chat.model, head: chat.head };
  }
}
