// A chat's history, newest first, a page at a time, from `messages_by_chat` (partition = chat +
// 10-day bucket of the UUIDv7 message id, clustered by message_id DESC). A page is one range read
// of one partition after the cursor; only when that bucket runs out before the page is full does
// the page continue into the next older bucket, at most MAX_BUCKETS_PER_PAGE partitions in all (a
// chat silent for weeks has empty buckets between its messages: a page then comes back short,
// possibly empty, with a cursor to go on from; a client follows next_cursor until it is null).
// No bucket is older than the chat's own (its id is a UUIDv7 too), so paging ends there.
import type cassandra from 'cassandra-driver';
import { BUCKET_MS, bucketOf } from '../../projections/cassandra/messageTime.ts';
import { isUuidV7 } from '../../schemas/uuidV7.ts';
import { InvalidCursorError } from './chatList.ts';

export { InvalidCursorError };

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'submitted' | 'answered' | 'failed';
export type MessageRating = 'positive' | 'negative';

export interface HistoryMessage {
  message_id: string;
  role: MessageRole;
  content: string;
  created_at: string;
  model_version?: string;
  rating?: MessageRating;
  parent_message_id?: string;
  status?: MessageStatus;
  /** Why an answer failed (AnswerFailed's code), on failed answers only. */
  error_code?: string;
}

export interface MessagePage {
  items: HistoryMessage[];
  /** Pass back to get the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/** Range reads one page may make before it returns short (with a cursor). */
export const MAX_BUCKETS_PER_PAGE = 3;
export const MAX_MESSAGE_PAGE = 100;

/** Where the next page starts: in `bucket`, below `before` (or at the bucket's newest row). */
interface Cursor {
  bucket: number;
  before?: string;
}

/** The bucket of a time (ms since the epoch), as bucketOf gives a message id's. */
export const bucketAt = (ms: number) => Math.floor(ms / BUCKET_MS);

export const encodeMessageCursor = ({ bucket, before }: Cursor) =>
  Buffer.from(before ? `m:${bucket}:${before}` : `b:${bucket}`).toString('base64url');

/** The cursor, or InvalidCursorError (naming `cursor`) for one this reader did not make for this chat. */
export function decodeMessageCursor(cursor: string, chatId: string): Cursor {
  const invalid = () => new InvalidCursorError('cursor is not one this API returned for this chat');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const [kind, bucketText, before, ...rest] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (rest.length > 0 || !bucketText || !/^\d{1,9}$/.test(bucketText)) throw invalid();
  const bucket = Number(bucketText);
  if (bucket < bucketOf(chatId) || bucket > bucketAt(Date.now()) + 1) throw invalid();
  if (kind === 'b' && before === undefined) return { bucket };
  if (kind === 'm' && before && isUuidV7(before) && bucketOf(before) === bucket)
    return { bucket, before: before.toLowerCase() };
  throw invalid();
}

const roles: Record<string, MessageRole> = { USER: 'user', ASSISTANT: 'assistant', SYSTEM: 'system' };
const statuses: Record<string, MessageStatus> = {
  SUBMITTED: 'submitted',
  ANSWERED: 'answered',
  FAILED: 'failed',
};
export const ratingNames: Record<string, MessageRating> = { THUMBS_UP: 'positive', THUMBS_DOWN: 'negative' };

const COLUMNS =
  'message_id, parent_message_id, role, content, model_version, status, error_code, rating, created_at';

/**
 * A stored row as the API shows it; undefined for a row that is not a message yet (a rating that
 * the projector wrote before the answer it rates: the same key, rating columns only).
 */
export function toHistoryMessage(row: cassandra.types.Row): HistoryMessage | undefined {
  const role = roles[String(row.get('role'))];
  if (!role) return undefined;
  const messageId = String(row.get('message_id'));
  const created = row.get('created_at') as Date | null;
  const parent = row.get('parent_message_id');
  const model = row.get('model_version') as string | null;
  const status = statuses[String(row.get('status'))];
  const rating = ratingNames[String(row.get('rating'))];
  const errorCode = row.get('error_code') as string | null;
  return {
    message_id: messageId,
    role,
    content: (row.get('content') as string | null) ?? '',
    created_at: (created ?? new Date(0)).toISOString(),
    ...(model ? { model_version: model } : {}),
    ...(rating ? { rating } : {}),
    ...(parent ? { parent_message_id: String(parent) } : {}),
    ...(status ? { status } : {}),
    ...(status === 'failed' && errorCode ? { error_code: errorCode } : {}),
  };
}

export interface MessagePageRequest {
  limit: number;
  cursor?: string;
  /**
   * Without a cursor: the newest bucket that can hold a message of the chat (the bucket of its
   * newest known message, or of its last activity). Default: the current time's. Clamped to the
   * chat's first bucket and the present.
   */
  newestBucket?: number;
}

export async function listMessages(
  client: cassandra.Client,
  keyspace: string,
  chatId: string,
  page: MessagePageRequest,
): Promise<MessagePage> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_MESSAGE_PAGE)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_MESSAGE_PAGE}`);
  const firstBucket = bucketOf(chatId);
  const present = bucketAt(Date.now());
  let at: Cursor =
    page.cursor !== undefined
      ? decodeMessageCursor(page.cursor, chatId)
      : { bucket: Math.max(firstBucket, Math.min(page.newestBucket ?? present, present)) };
  const items: HistoryMessage[] = [];
  let taken = 0;
  for (let reads = 0; reads < MAX_BUCKETS_PER_PAGE; reads++) {
    const need = page.limit - taken;
    // One more than needed tells whether this bucket goes on, without another read.
    const rows = (
      await client.execute(
        at.before
          ? `SELECT ${COLUMNS} FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id < ? LIMIT ?`
          : `SELECT ${COLUMNS} FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ? LIMIT ?`,
        at.before ? [chatId, at.bucket, at.before, need + 1] : [chatId, at.bucket, need + 1],
        { prepare: true },
      )
    ).rows;
    const kept = rows.slice(0, need);
    for (const row of kept) {
      const message = toHistoryMessage(row);
      if (message) items.push(message);
    }
    taken += kept.length;
    if (rows.length > need) {
      const before = String(kept.at(-1)!.get('message_id'));
      return { items, next_cursor: encodeMessageCursor({ bucket: at.bucket, before }) };
    }
    if (at.bucket <= firstBucket) return { items, next_cursor: null };
    at = { bucket: at.bucket - 1 };
    if (taken === page.limit) break;
  }
  return { items, next_cursor: encodeMessageCursor(at) };
}
