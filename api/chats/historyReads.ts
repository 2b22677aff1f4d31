// What the chat routes read from the Cassandra read models when Redis does not know (the fallback
// of every cache in redisKeys.ts): a chat's owner, a message, a prompt's answer, a chat's newest
// message, the chat a message belongs to. Each read is bounded: a few partitions at most.
import type cassandra from 'cassandra-driver';
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { isUuidV7, uuidV7Millis } from '../../schemas/uuidV7.ts';
import { bucketAt } from '../readModels/messages.ts';

export interface StoredChat {
  ownerId: string;
  deleted: boolean;
  model: string | null;
}

export interface StoredMessage {
  messageId: string;
  role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  status: string | null;
  content: string | null;
  parentMessageId: string | null;
  errorCode: string | null;
  finishReason: string | null;
  tokensOut: number | null;
}

/** Rows after a prompt searched for its answers (they follow it within moments; regenerations later). */
const ANSWER_SEARCH_ROWS = 500;
/** Buckets searched back for a chat's newest message. */
const NEWEST_SEARCH_BUCKETS = 3;
/** A user's recently active chats searched for a message's chat, and how many per read. */
const CHAT_SEARCH_LIMIT = 1000;
const CHAT_SEARCH_CHUNK = 100;

const MESSAGE_COLUMNS =
  'message_id, role, status, content, parent_message_id, error_code, finish_reason, tokens_out';

function toStored(row: cassandra.types.Row): StoredMessage | undefined {
  const role = row.get('role') as string | null;
  if (role !== 'USER' && role !== 'ASSISTANT' && role !== 'SYSTEM') return undefined; // a rating-only row
  return {
    messageId: String(row.get('message_id')),
    role,
    status: row.get('status') ?? null,
    content: row.get('content') ?? null,
    parentMessageId: row.get('parent_message_id')?.toString() ?? null,
    errorCode: row.get('error_code') ?? null,
    finishReason: row.get('finish_reason') ?? null,
    tokensOut: row.get('tokens_out') ?? null,
  };
}

export class HistoryReads {
  constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: () => string,
  ) {}

  private async rows(query: string, params: unknown[]): Promise<cassandra.types.Row[]> {
    return (await this.client.execute(query, params, { prepare: true })).rows;
  }

  /** The chat's owner and state; undefined if the projector has not written it (or it never existed). */
  async chat(chatId: string): Promise<StoredChat | undefined> {
    const [row] = await this.rows(
      `SELECT user_id, deleted_at, model_version FROM ${this.keyspace()}.chats WHERE chat_id = ?`,
      [chatId],
    );
    const owner = row?.get('user_id');
    if (!row || !owner) return undefined;
    return {
      ownerId: String(owner),
      deleted: row.get('deleted_at') !== null,
      model: row.get('model_version'),
    };
  }

  /** The bucket of the chat's last activity (a bound on its newest message's); undefined if unknown. */
  async lastActivityBucket(userId: string, chatId: string): Promise<number | undefined> {
    const [row] = await this.rows(
      `SELECT last_activity_at FROM ${this.keyspace()}.chats_by_user WHERE user_id = ? AND chat_id = ?`,
      [userId, chatId],
    );
    const at = row?.get('last_activity_at') as Date | null | undefined;
    return at ? bucketAt(at.getTime()) : undefined;
  }

  async message(chatId: string, messageId: string): Promise<StoredMessage | undefined> {
    const [row] = await this.rows(
      `SELECT ${MESSAGE_COLUMNS} FROM ${this.keyspace()}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
      [chatId, bucketOf(messageId), messageId],
    );
    return row && toStored(row);
  }

  /**
   * The prompt's latest answer in the history (the newest message whose parent it is): searched in
   * the prompt's bucket and the next, oldest first from the prompt, ANSWER_SEARCH_ROWS rows each.
   */
  async latestAnswerTo(chatId: string, promptId: string): Promise<string | undefined> {
    let latest: string | undefined;
    const buckets = [bucketOf(promptId), bucketOf(promptId) + 1].filter((b) => b <= bucketAt(Date.now()));
    for (const bucket of buckets) {
      const rows = await this.rows(
        `SELECT message_id, role, parent_message_id FROM ${this.keyspace()}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id > ? ORDER BY message_id ASC LIMIT ?`,
        [chatId, bucket, promptId, ANSWER_SEARCH_ROWS],
      );
      for (const row of rows)
        if (row.get('role') === 'ASSISTANT' && row.get('parent_message_id')?.toString() === promptId)
          latest = String(row.get('message_id'));
    }
    return latest;
  }

  /** The chat's newest message, searched from `fromBucket` back (NEWEST_SEARCH_BUCKETS at most). */
  async newestMessage(chatId: string, fromBucket: number): Promise<string | undefined> {
    const first = bucketOf(chatId);
    for (let bucket = fromBucket; bucket >= first && bucket > fromBucket - NEWEST_SEARCH_BUCKETS; bucket--) {
      const rows = await this.rows(
        `SELECT message_id, role FROM ${this.keyspace()}.messages_by_chat WHERE chat_id = ? AND bucket = ? LIMIT 10`,
        [chatId, bucket],
      );
      const newest = rows.find((r) => r.get('role') !== null);
      if (newest) return String(newest.get('message_id'));
    }
    return undefined;
  }

  /**
   * Which of the user's chats holds the message. Every message moves its chat's last activity to at
   * least its own time (ids and events are stamped by the same process), and no chat is older than
   * its messages: so the candidates are the user's live chats active since the message and created
   * before it, at most CHAT_SEARCH_LIMIT of them (newest activity first), probed by key in chunks.
   * A deleted chat has left the list, so its messages are not found (as the routes want).
   */
  async chatOfMessage(
    userId: string,
    messageId: string,
  ): Promise<{ chatId: string; message: StoredMessage } | undefined> {
    const at = uuidV7Millis(messageId);
    const candidates = (
      await this.rows(
        `SELECT chat_id FROM ${this.keyspace()}.chats_by_activity WHERE user_id = ? AND last_activity_at >= ? LIMIT ?`,
        [userId, new Date(at), CHAT_SEARCH_LIMIT],
      )
    )
      .map((r) => String(r.get('chat_id')))
      .filter((chatId) => !isUuidV7(chatId) || uuidV7Millis(chatId) <= at);
    for (let i = 0; i < candidates.length; i += CHAT_SEARCH_CHUNK) {
      const rows = await this.rows(
        `SELECT chat_id, ${MESSAGE_COLUMNS} FROM ${this.keyspace()}.messages_by_chat WHERE chat_id IN ? AND bucket = ? AND message_id = ?`,
        [candidates.slice(i, i + CHAT_SEARCH_CHUNK), bucketOf(messageId), messageId],
      );
      for (const row of rows) {
        const message = toStored(row);
        if (message) return { chatId: String(row.get('chat_id')), message };
      }
    }
    return undefined;
  }
}
