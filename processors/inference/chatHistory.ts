// Reads what the inference processor needs from the Cassandra read models: the chat (owner, system
// prompt, deletion) and the prompt's thread, walking parent links back through the chat's time
// buckets, newest first, until the thread's start or the token budget.
import type cassandra from 'cassandra-driver';
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import type { Turn } from './contextWindow.ts';
import { estimateTokens } from './contextWindow.ts';

export interface ChatFacts {
  userId: string | null;
  systemPrompt: string | null;
  deleted: boolean;
}

export interface StoredMessage {
  messageId: string;
  parentMessageId: string | null;
  role: string | null;
  content: string | null;
  modelVersion: string | null;
  status: string | null;
}

const PAGE = 200;

const toMessage = (row: cassandra.types.Row): StoredMessage => ({
  messageId: String(row.get('message_id')),
  parentMessageId: row.get('parent_message_id')?.toString() ?? null,
  role: row.get('role') ?? null,
  content: row.get('content') ?? null,
  modelVersion: row.get('model_version') ?? null,
  status: row.get('status') ?? null,
});

export class ChatHistory {
  constructor(
    private readonly client: cassandra.Client,
    /** The active read-model keyspace (a rebuild may switch it). */
    private readonly keyspace: () => string,
  ) {}

  /** undefined: the projector has not written the chat yet (or it never existed). */
  async chat(chatId: string): Promise<ChatFacts | undefined> {
    const row = (
      await this.client.execute(
        `SELECT user_id, system_prompt, deleted_at FROM ${this.keyspace()}.chats WHERE chat_id = ?`,
        [chatId],
        { prepare: true },
      )
    ).first();
    if (!row) return undefined;
    return {
      userId: row.get('user_id')?.toString() ?? null,
      systemPrompt: row.get('system_prompt') ?? null,
      deleted: row.get('deleted_at') !== null,
    };
  }

  async message(chatId: string, messageId: string): Promise<StoredMessage | undefined> {
    const row = (
      await this.client.execute(
        `SELECT message_id, parent_message_id, role, content, model_version, status FROM ${this.keyspace()}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
        [chatId, bucketOf(messageId), messageId],
        { prepare: true },
      )
    ).first();
    return row ? toMessage(row) : undefined;
  }

  /**
   * The thread that ends at `lastId` (inclusive), oldest first, as far back as `tokenBudget` reaches
   * (the newest turns win). Failed answers and messages the projector has not written yet are
   * skipped: the thread is what the chat shows.
   */
  async thread(chatId: string, lastId: string | null, tokenBudget: number): Promise<Turn[]> {
    const turns: Turn[] = [];
    let wanted = lastId;
    let spent = 0;
    const seen = new Map<string, StoredMessage>();
    const firstBucket = bucketOf(chatId);
    while (wanted && bucketOf(wanted) >= firstBucket) {
      const bucket = bucketOf(wanted);
      let pageState: string | undefined;
      do {
        const result = await this.client.execute(
          `SELECT message_id, parent_message_id, role, content, model_version, status FROM ${this.keyspace()}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id <= ?`,
          [chatId, bucket, wanted],
          { prepare: true, fetchSize: PAGE, pageState },
        );
        for (const row of result.rows) seen.set(String(row.get('message_id')), toMessage(row));
        pageState = result.pageState ?? undefined;
        // Follow the parent links as far as the rows read so far allow.
        while (wanted && seen.has(wanted)) {
          const message: StoredMessage = seen.get(wanted)!;
          wanted = message.parentMessageId;
          if (!message.content || message.status === 'FAILED') continue;
          const cost = estimateTokens(message.content);
          if (spent + cost > tokenBudget) return turns.reverse();
          spent += cost;
          turns.push({ role: message.role === 'ASSISTANT' ? 'assistant' : 'user', content: message.content });
        }
      } while (pageState && wanted && bucketOf(wanted) === bucket);
      // Not in its bucket: the projector has not written it yet; the thread starts after it.
      if (wanted && bucketOf(wanted) === bucket) break;
    }
    return turns.reverse();
  }
}
