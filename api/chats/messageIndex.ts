// Which chat a message belongs to, and a prompt's latest answer: a Redis index the API writes when
// it issues the ids (at submit and regeneration), so the very next request can stream the answer
// or rate it although the projector has not written the rows yet. The rating route has no chat id
// in its path, so it needs this index; so does the stream route, because a prompt's row does not
// store its answer's id. Entries live MESSAGE_TTL (redisKeys.ts); after that, or if Redis lost
// them, historyReads.ts finds the same facts in Cassandra.
import type { Redis } from 'ioredis';
import { messageKey } from './redisKeys.ts';
import { execAll } from './redisExec.ts';

export interface IndexedMessage {
  chatId: string;
  role: 'user' | 'assistant';
  /** A prompt's latest answer. */
  answer?: string;
  /** An answer's prompt. */
  prompt?: string;
}

export class MessageIndex {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** A prompt and the answer it asks for (new ids); a regeneration's answer is the prompt's latest. */
  async answering(chatId: string, promptId: string, answerId: string): Promise<void> {
    const [prompt, answer] = [messageKey(promptId), messageKey(answerId)];
    await execAll(
      this.redis
        .multi()
        .hset(prompt, { chat: chatId, role: 'user', answer: answerId })
        .expire(prompt, this.ttlSeconds)
        .hset(answer, { chat: chatId, role: 'assistant', prompt: promptId })
        .expire(answer, this.ttlSeconds),
    );
  }

  async get(messageId: string): Promise<IndexedMessage | undefined> {
    const [chat, role, answer, prompt] = await this.redis.hmget(
      messageKey(messageId),
      'chat',
      'role',
      'answer',
      'prompt',
    );
    if (!chat || (role !== 'user' && role !== 'assistant')) return undefined;
    return { chatId: chat, role, ...(answer ? { answer } : {}), ...(prompt ? { prompt } : {}) };
  }
}
