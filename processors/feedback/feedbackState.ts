// The feedback processor's state in PostgreSQL (migrations/001_feedback_state.sql), read and written
// inside the caller's transaction.
import type pg from 'pg';

export interface MessageRow {
  message_id: string;
  chat_id: string;
  role: 'user' | 'assistant';
  parent_message_id: string | null;
  content: string;
  model_version: string;
}

export interface RatingRow {
  message_id: string;
  chat_id: string;
  user_id: string;
  rating: 'THUMBS_UP' | 'THUMBS_DOWN';
  comment: string | null;
  reasons: string[];
  rated_at: Date;
  event_id: string;
  correlation_id: string;
}

export interface SiblingRow {
  message_id: string;
  content: string;
  model_version: string;
  rating: 'THUMBS_UP' | 'THUMBS_DOWN' | null;
  comment: string | null;
}

/** Everything a FeedbackRecord says about one rated answer. */
export interface RecordMaterial {
  rating: RatingRow;
  answer: MessageRow;
  prompt: MessageRow;
  systemPrompt: string | null;
  /** The thread before the prompt, oldest first. */
  thread: Array<{ role: 'user' | 'assistant'; content: string }>;
  siblings: SiblingRow[];
}

export class FeedbackState {
  constructor(
    private readonly tx: pg.ClientBase,
    /** Earlier turns kept in a record's context. */
    private readonly maxContextTurns: number,
  ) {}

  /**
   * The user's training consent, with their row locked until the transaction ends: every write that
   * publishes or removes their records takes this lock first, so they apply one after another.
   */
  async lockUser(userId: string): Promise<boolean> {
    await this.tx.query('INSERT INTO feedback_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [userId]);
    const { rows } = await this.tx.query<{ training_opt_in: boolean }>(
      'SELECT training_opt_in FROM feedback_users WHERE user_id = $1 FOR UPDATE',
      [userId],
    );
    return rows[0]!.training_opt_in;
  }

  async setOptIn(userId: string, optIn: boolean): Promise<void> {
    await this.tx.query('UPDATE feedback_users SET training_opt_in = $2 WHERE user_id = $1', [userId, optIn]);
  }

  async upsertChat(chatId: string, userId: string, systemPrompt: string | null): Promise<void> {
    await this.tx.query(
      `INSERT INTO feedback_chats (chat_id, user_id, system_prompt) VALUES ($1, $2, $3)
       ON CONFLICT (chat_id) DO UPDATE SET system_prompt = excluded.system_prompt`,
      [chatId, userId, systemPrompt],
    );
  }

  async chatDeleted(chatId: string): Promise<boolean> {
    const { rows } = await this.tx.query<{ deleted: boolean }>(
      'SELECT deleted FROM feedback_chats WHERE chat_id = $1',
      [chatId],
    );
    return rows[0]?.deleted ?? false;
  }

  /** Forgets the chat's messages and ratings; returns the answers whose records are live on the topic. */
  async deleteChat(chatId: string, userId: string): Promise<string[]> {
    await this.tx.query(
      `INSERT INTO feedback_chats (chat_id, user_id, deleted) VALUES ($1, $2, true)
       ON CONFLICT (chat_id) DO UPDATE SET deleted = true, system_prompt = NULL`,
      [chatId, userId],
    );
    const { rows } = await this.tx.query<{ message_id: string; published: boolean }>(
      'DELETE FROM feedback_ratings WHERE chat_id = $1 RETURNING message_id, published',
      [chatId],
    );
    await this.tx.query('DELETE FROM feedback_messages WHERE chat_id = $1', [chatId]);
    return rows.filter((r) => r.published).map((r) => r.message_id);
  }

  async insertMessage(message: MessageRow): Promise<void> {
    await this.tx.query(
      `INSERT INTO feedback_messages (message_id, chat_id, role, parent_message_id, content, model_version)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
      [
        message.message_id,
        message.chat_id,
        message.role,
        message.parent_message_id,
        message.content,
        message.model_version,
      ],
    );
  }

  /** The later rating replaces the earlier (records come in log order per chat). */
  async upsertRating(rating: RatingRow): Promise<void> {
    await this.tx.query(
      `INSERT INTO feedback_ratings
         (message_id, chat_id, user_id, rating, comment, reasons, rated_at, event_id, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (message_id) DO UPDATE SET
         rating = excluded.rating, comment = excluded.comment, reasons = excluded.reasons,
         rated_at = excluded.rated_at, event_id = excluded.event_id, correlation_id = excluded.correlation_id`,
      [
        rating.message_id,
        rating.chat_id,
        rating.user_id,
        rating.rating,
        rating.comment,
        rating.reasons,
        rating.rated_at,
        rating.event_id,
        rating.correlation_id,
      ],
    );
  }

  /** The rated answers among `answerId` and its siblings (same prompt) whose answer is known. */
  async ratedAround(answerId: string): Promise<string[]> {
    const { rows } = await this.tx.query<{ message_id: string }>(
      `SELECT r.message_id FROM feedback_ratings r JOIN feedback_messages m USING (message_id)
       WHERE m.parent_message_id = (SELECT parent_message_id FROM feedback_messages WHERE message_id = $1)
       ORDER BY r.message_id`,
      [answerId],
    );
    return rows.map((r) => r.message_id);
  }

  /** The user's rated answers whose answer is known (their chats are not deleted: those are forgotten). */
  async ratedOfUser(userId: string): Promise<string[]> {
    const { rows } = await this.tx.query<{ message_id: string }>(
      `SELECT r.message_id FROM feedback_ratings r JOIN feedback_messages m USING (message_id)
       WHERE r.user_id = $1 ORDER BY r.message_id`,
      [userId],
    );
    return rows.map((r) => r.message_id);
  }

  async publishedOfUser(userId: string): Promise<string[]> {
    const { rows } = await this.tx.query<{ message_id: string }>(
      'SELECT message_id FROM feedback_ratings WHERE user_id = $1 AND published ORDER BY message_id',
      [userId],
    );
    return rows.map((r) => r.message_id);
  }

  async setPublished(messageIds: readonly string[], published: boolean): Promise<void> {
    if (messageIds.length === 0) return;
    await this.tx.query('UPDATE feedback_ratings SET published = $2 WHERE message_id = ANY($1::uuid[])', [
      messageIds,
      published,
    ]);
  }

  /** What the answer's record says, or undefined while its answer or prompt is not known yet. */
  async material(answerId: string): Promise<RecordMaterial | undefined> {
    const { rows: ratings } = await this.tx.query<RatingRow>(
      `SELECT message_id, chat_id, user_id, rating, comment, reasons, rated_at, event_id, correlation_id
       FROM feedback_ratings WHERE message_id = $1`,
      [answerId],
    );
    const answer = await this.message(answerId);
    const prompt = answer?.parent_message_id ? await this.message(answer.parent_message_id) : undefined;
    if (!ratings[0] || !answer || !prompt) return undefined;
    const { rows: chats } = await this.tx.query<{ system_prompt: string | null }>(
      'SELECT system_prompt FROM feedback_chats WHERE chat_id = $1',
      [answer.chat_id],
    );
    const { rows: thread } = await this.tx.query<{ role: 'user' | 'assistant'; content: string }>(
      `WITH RECURSIVE thread AS (
         SELECT message_id, parent_message_id, role, content, 1 AS depth
         FROM feedback_messages WHERE message_id = $1
         UNION ALL
         SELECT m.message_id, m.parent_message_id, m.role, m.content, t.depth + 1
         FROM feedback_messages m JOIN thread t ON m.message_id = t.parent_message_id
         WHERE t.depth < $2
       )
       SELECT role, content FROM thread ORDER BY depth DESC`,
      [prompt.parent_message_id, this.maxContextTurns],
    );
    const { rows: siblings } = await this.tx.query<SiblingRow>(
      `SELECT m.message_id, m.content, m.model_version, r.rating, r.comment
       FROM feedback_messages m LEFT JOIN feedback_ratings r USING (message_id)
       WHERE m.parent_message_id = $1 AND m.role = 'assistant' AND m.message_id <> $2
       ORDER BY m.message_id`,
      [prompt.message_id, answerId],
    );
    return {
      rating: ratings[0],
      answer,
      prompt,
      systemPrompt: chats[0]?.system_prompt ?? null,
      thread,
      siblings,
    };
  }

  private async message(messageId: string): Promise<MessageRow | undefined> {
    const { rows } = await this.tx.query<MessageRow>(
      `SELECT message_id, chat_id, role, parent_message_id, content, model_version
       FROM feedback_messages WHERE message_id = $1`,
      [messageId],
    );
    return rows[0];
  }
}
