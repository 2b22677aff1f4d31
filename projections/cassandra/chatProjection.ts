// Pure event → CQL functions for the chat read models. No I/O here: the processor executes what
// these return, tests inspect it, reconcile uses the same keys.
//
// Idempotence and order-independence come from the write timestamp: every statement is stamped
// with the event's time (microseconds) plus the record's offset as a tie-breaker, so a replay
// rewrites identical cells and a late, older event never overwrites a newer one.
import { PoisonRecordError } from '../../processors/runtime/errors.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { bucketOf, isUuidV7, uuidV7Millis } from './messageTime.ts';

export interface CqlStatement {
  query: string;
  params: unknown[];
  /** The table's partition key values, in key order: they decide which replicas own the row. */
  partitionKey: PartitionKeyValue[];
}

/** A uuid (as its string) or an int: the only partition key types of these tables. */
export type PartitionKeyValue = string | number;

type Table = 'chats' | 'chats_by_user' | 'messages_by_chat' | 'message_ratings';

/** Each table's partition key columns, as declared in migrations/. */
const partitionKeyColumns: Record<Table, string[]> = {
  chats: ['chat_id'],
  chats_by_user: ['user_id'],
  messages_by_chat: ['chat_id', 'bucket'],
  message_ratings: ['chat_id'],
};

/** Where the event sits in the log: its offset breaks ties between events of the same millisecond. */
export interface LogPosition {
  offset: string;
}

export const writeTimestamp = (occurredAt: number, position: LogPosition) =>
  BigInt(occurredAt) * 1000n + (BigInt(position.offset) % 1000n);

function requireV7(id: string, field: string): void {
  if (!isUuidV7(id))
    throw new PoisonRecordError(`${field} ${id} is not a UUIDv7; message ids must be time-sortable`);
}

/** Sets columns of one row; null values are written (they clear the cell). */
function upsert(
  table: Table,
  key: Record<string, PartitionKeyValue>,
  columns: Record<string, unknown>,
  ts: bigint,
): CqlStatement {
  const sets = Object.keys(columns).map((c) => `${c} = ?`);
  const where = Object.keys(key).map((c) => `${c} = ?`);
  return {
    query: `UPDATE ${table} USING TIMESTAMP ? SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`,
    params: [ts, ...Object.values(columns), ...Object.values(key)],
    partitionKey: partitionKeyColumns[table].map((column) => key[column]!),
  };
}

/** A message's row: partitioned by chat and the time bucket its UUIDv7 id falls in. */
function upsertMessage(
  chatId: string,
  messageId: string,
  columns: Record<string, unknown>,
  ts: bigint,
): CqlStatement {
  requireV7(messageId, 'message_id');
  const key = { chat_id: chatId, bucket: bucketOf(messageId), message_id: messageId };
  return upsert('messages_by_chat', key, columns, ts);
}

/** Columns written by the event that creates a message (not by later ones, such as a rating). */
const messageOrigin = (e: { message_id: string; event_id: string }) => ({
  created_at: new Date(uuidV7Millis(e.message_id)),
  event_id: e.event_id,
});

/** The same chat change in both chat tables, plus columns only one of them has. */
function upsertChat(
  chatId: string,
  userId: string,
  columns: Record<string, unknown>,
  ts: bigint,
  chatsOnly: Record<string, unknown> = {},
  listOnly: Record<string, unknown> = {},
): CqlStatement[] {
  return [
    upsert('chats', { chat_id: chatId }, { user_id: userId, ...columns, ...chatsOnly }, ts),
    upsert('chats_by_user', { user_id: userId, chat_id: chatId }, { ...columns, ...listOnly }, ts),
  ];
}

/** Activity moves the chat up its owner's list; `chats` keeps no activity (one write less per message). */
const touchChat = (chatId: string, userId: string, at: number, ts: bigint) => [
  upsert('chats_by_user', { user_id: userId, chat_id: chatId }, { last_activity_at: new Date(at) }, ts),
];

type Projector<N extends EventName> = (event: EventMap[N], position: LogPosition) => CqlStatement[];

const projectors: { [N in EventName]?: Projector<N> } = {
  ChatCreated: (e, p) => {
    const at = new Date(e.occurred_at);
    return upsertChat(
      e.chat_id,
      e.user_id,
      { title: e.title ?? null, model_version: e.model_version, created_at: at },
      writeTimestamp(e.occurred_at, p),
      { via_api: e.via_api ?? false, event_id: e.event_id },
      { last_activity_at: at },
    );
  },
  ChatRenamed: (e, p) =>
    upsertChat(e.chat_id, e.user_id, { title: e.title }, writeTimestamp(e.occurred_at, p)),
  ChatDeleted: (e, p) =>
    upsertChat(
      e.chat_id,
      e.user_id,
      { deleted_at: new Date(e.occurred_at) },
      writeTimestamp(e.occurred_at, p),
    ),
  PromptSubmitted: (e, p) => {
    const ts = writeTimestamp(e.occurred_at, p);
    return [
      upsertMessage(
        e.chat_id,
        e.message_id,
        {
          parent_message_id: e.parent_message_id ?? null,
          role: e.role ?? 'USER',
          content: e.content,
          model_version: e.model_version,
          status: 'SUBMITTED',
          ...messageOrigin(e),
        },
        ts,
      ),
      ...touchChat(e.chat_id, e.user_id, e.occurred_at, ts),
    ];
  },
  AnswerGenerated: (e, p) => {
    const ts = writeTimestamp(e.occurred_at, p);
    return [
      upsertMessage(
        e.chat_id,
        e.message_id,
        {
          parent_message_id: e.parent_message_id,
          role: e.role ?? 'ASSISTANT',
          content: e.content,
          model_version: e.model_version,
          status: 'ANSWERED',
          tokens_in: e.tokens_in,
          tokens_out: e.tokens_out,
          latency_ms: e.latency_ms,
          time_to_first_token_ms: e.time_to_first_token_ms ?? null,
          finish_reason: e.finish_reason ?? 'OTHER',
          ...messageOrigin(e),
        },
        ts,
      ),
      ...touchChat(e.chat_id, e.user_id, e.occurred_at, ts),
    ];
  },
  AnswerFailed: (e, p) => {
    const ts = writeTimestamp(e.occurred_at, p);
    return [
      upsertMessage(
        e.chat_id,
        e.message_id,
        {
          parent_message_id: e.parent_message_id,
          role: 'ASSISTANT',
          model_version: e.model_version,
          status: 'FAILED',
          error_code: e.error_code ?? 'INTERNAL',
          latency_ms: e.latency_ms,
          ...messageOrigin(e),
        },
        ts,
      ),
      ...touchChat(e.chat_id, e.user_id, e.occurred_at, ts),
    ];
  },
  // A rating may arrive before the answer's row exists: both rows are upserts of disjoint
  // columns, so whichever lands first, the other completes the row.
  MessageRated: (e, p) => {
    const ts = writeTimestamp(e.occurred_at, p);
    return [
      upsert(
        'message_ratings',
        { chat_id: e.chat_id, message_id: e.message_id },
        {
          user_id: e.user_id,
          rating: e.rating,
          comment: e.comment ?? null,
          reasons: e.reasons ?? [],
          rated_at: new Date(e.occurred_at),
          event_id: e.event_id,
        },
        ts,
      ),
      upsertMessage(e.chat_id, e.message_id, { rating: e.rating, rating_comment: e.comment ?? null }, ts),
    ];
  },
  AttachmentUploaded: (e, p) =>
    touchChat(e.chat_id, e.user_id, e.occurred_at, writeTimestamp(e.occurred_at, p)),
};

/** The statements that make one event's effect on the chat read models durable ([] = no effect). */
export function projectChatEvent<N extends EventName>(
  name: N,
  event: EventMap[N],
  position: LogPosition,
): CqlStatement[] {
  const projector = projectors[name] as Projector<N> | undefined;
  return projector ? projector(event, position) : [];
}

export const projectedEvents = Object.keys(projectors) as EventName[];
