// A user's chats, newest activity first, a page at a time: one range read of the user's
// `chats_by_activity` partition after the cursor, then the page's summaries from `chats_by_user`
// (same partition key). The cursor is opaque to clients: the last row's clustering key.
import type cassandra from 'cassandra-driver';

export interface ChatSummary {
  chat_id: string;
  title: string | null;
  model_version: string | null;
  created_at: string | null;
  last_activity_at: string;
}

export interface ChatPage {
  items: ChatSummary[];
  /** Pass back to get the next page; null on the last page. */
  next_cursor: string | null;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  readonly field = 'cursor';
}

interface Cursor {
  at: number;
  chatId: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = ({ at, chatId }: Cursor) => Buffer.from(`${at}:${chatId}`).toString('base64url');

export function decodeCursor(cursor: string): Cursor {
  const [at, chatId, ...rest] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (rest.length > 0 || !at || !/^\d{1,15}$/.test(at) || !chatId || !uuid.test(chatId))
    throw new InvalidCursorError('cursor is not one this API returned');
  return { at: Number(at), chatId };
}

export const MAX_PAGE = 100;

export async function listChats(
  client: cassandra.Client,
  keyspace: string,
  userId: string,
  page: { limit: number; cursor?: string },
): Promise<ChatPage> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE}`);
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  // One more than the page: tells whether a next page exists without another read.
  const rows = (
    await client.execute(
      after
        ? `SELECT last_activity_at, chat_id FROM ${keyspace}.chats_by_activity WHERE user_id = ? AND (last_activity_at, chat_id) < (?, ?) LIMIT ?`
        : `SELECT last_activity_at, chat_id FROM ${keyspace}.chats_by_activity WHERE user_id = ? LIMIT ?`,
      after ? [userId, new Date(after.at), after.chatId, page.limit + 1] : [userId, page.limit + 1],
      { prepare: true },
    )
  ).rows;
  const listed = rows.slice(0, page.limit).map((r) => ({
    chatId: String(r.get('chat_id')),
    at: (r.get('last_activity_at') as Date).getTime(),
  }));
  if (listed.length === 0) return { items: [], next_cursor: null };
  const summaries = new Map(
    (
      await client.execute(
        `SELECT chat_id, title, model_version, created_at FROM ${keyspace}.chats_by_user WHERE user_id = ? AND chat_id IN ?`,
        [userId, listed.map((l) => l.chatId)],
        { prepare: true },
      )
    ).rows.map((r) => [String(r.get('chat_id')), r]),
  );
  const items = listed.map(({ chatId, at }) => {
    const summary = summaries.get(chatId);
    const created = summary?.get('created_at') as Date | null | undefined;
    return {
      chat_id: chatId,
      title: (summary?.get('title') as string | null | undefined) ?? null,
      model_version: (summary?.get('model_version') as string | null | undefined) ?? null,
      created_at: created ? created.toISOString() : null,
      last_activity_at: new Date(at).toISOString(),
    };
  });
  const last = listed.at(-1)!;
  return { items, next_cursor: rows.length > page.limit ? encodeCursor(last) : null };
}
