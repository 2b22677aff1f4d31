// Pure event → row functions for the chat read models. No I/O here: the processor executes what
// these return, tests inspect it, reconcile applies it to an in-memory model of the tables.
//
// Two kinds of effect:
// - row writes (projectChatEvent): upserts stamped with the event's write timestamp, so replays and
//   out-of-order arrival leave the same cells;
// - chat list changes (chatListChange): moves in `chats_by_activity`, which need the chat's current
//   list state and so are planned by chatList.ts from that state.
import { PoisonRecordError } from '../../core/errors.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { isUuidV7, uuidV7Millis } from '../../schemas/uuidV7.ts';
import type { ChatListChange } from './chatList.ts';
import { bucketOf } from './messageTime.ts';
import { upsert, type CellValue, type RowWrite } from './rowWrites.ts';
import { writeTimestamp, type LogPosition } from './writeTimestamp.ts';

type Columns = Record<string, CellValue>;

function requireV7(id: string, field: string): void {
  if (!isUuidV7(id))
    throw new PoisonRecordError(`${field} ${id} is not a UUIDv7; message ids must be time-sortable`);
}

interface MessageEvent {
  event_id: string;
  chat_id: string;
  message_id: string;
}

/** A message's row: partitioned by chat and the time bucket its UUIDv7 id falls in. */
function messageRow(e: MessageEvent, columns: Columns, ts: bigint): RowWrite {
  requireV7(e.message_id, 'message_id');
  const key = { chat_id: e.chat_id, bucket: bucketOf(e.message_id), message_id: e.message_id };
  return upsert('messages_by_chat', key, columns, ts, e.event_id);
}

/** Columns written by the event that creates a message (not by later ones, such as a rating). */
const messageOrigin = (e: MessageEvent): Columns => ({
  created_at: new Date(uuidV7Millis(e.message_id)),
  event_id: e.event_id,
});

interface ChatEvent {
  event_id: string;
  chat_id: string;
  user_id: string;
}

/** The same chat change in both chat tables, plus columns only one of them has. */
function chatRows(e: ChatEvent, columns: Columns, ts: bigint, chatsOnly: Columns = {}): RowWrite[] {
  return [
    upsert('chats', { chat_id: e.chat_id }, { user_id: e.user_id, ...columns, ...chatsOnly }, ts, e.event_id),
    upsert('chats_by_user', { user_id: e.user_id, chat_id: e.chat_id }, columns, ts, e.event_id),
  ];
}

/** Activity is list state: `chats_by_user.last_activity_at` positions the chat in its owner's list. */
const activityRow = (e: ChatEvent & { occurred_at: number }, ts: bigint): RowWrite =>
  upsert(
    'chats_by_user',
    { user_id: e.user_id, chat_id: e.chat_id },
    { last_activity_at: new Date(e.occurred_at) },
    ts,
    e.event_id,
  );

/** An answer's row, generated or failed: the columns both share. */
const answerColumns = (e: EventMap['AnswerGenerated'] | EventMap['AnswerFailed']): Columns => ({
  parent_message_id: e.parent_message_id,
  model_version: e.model_version,
  latency_ms: e.latency_ms,
  ...messageOrigin(e),
});

type Projector<N extends EventName> = (event: EventMap[N], ts: bigint) => RowWrite[];

const projectors: { [N in EventName]?: Projector<N> } = {
  ChatCreated: (e, ts) => [
    ...chatRows(
      e,
      { title: e.title ?? null, model_version: e.model_version, created_at: new Date(e.occurred_at) },
      ts,
      { via_api: e.via_api ?? false, event_id: e.event_id, system_prompt: e.system_prompt ?? null },
    ),
    activityRow(e, ts),
  ],
  ChatRenamed: (e, ts) => chatRows(e, { title: e.title }, ts),
  ChatDeleted: (e, ts) => chatRows(e, { deleted_at: new Date(e.occurred_at) }, ts),
  PromptSubmitted: (e, ts) => [
    messageRow(
      e,
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
    activityRow(e, ts),
  ],
  AnswerGenerated: (e, ts) => [
    messageRow(
      e,
      {
        ...answerColumns(e),
        role: e.role ?? 'ASSISTANT',
        content: e.content,
        status: 'ANSWERED',
        tokens_in: e.tokens_in,
        tokens_out: e.tokens_out,
        time_to_first_token_ms: e.time_to_first_token_ms ?? null,
        finish_reason: e.finish_reason ?? 'OTHER',
      },
      ts,
    ),
    activityRow(e, ts),
  ],
  AnswerFailed: (e, ts) => [
    messageRow(
      e,
      { ...answerColumns(e), role: 'ASSISTANT', status: 'FAILED', error_code: e.error_code ?? 'INTERNAL' },
      ts,
    ),
    activityRow(e, ts),
  ],
  // A rating may arrive before the answer's row exists: both rows are upserts of disjoint
  // columns, so whichever lands first, the other completes the row.
  MessageRated: (e, ts) => [
    upsert(
      'message_ratings',
      { chat_id: e.chat_id, message_id: e.message_id },
      {
        user_id: e.user_id,
        rating: e.rating,
        comment: e.comment ?? null,
        rating_reasons: e.reasons ?? [],
        rated_at: new Date(e.occurred_at),
        event_id: e.event_id,
      },
      ts,
      e.event_id,
    ),
    messageRow(e, { rating: e.rating, rating_comment: e.comment ?? null }, ts),
  ],
  AttachmentUploaded: (e, ts) => [activityRow(e, ts)],
};

/** The row writes that make one event's effect on the chat read models durable ([] = none). */
export function projectChatEvent<N extends EventName>(
  name: N,
  event: EventMap[N],
  position: LogPosition,
): RowWrite[] {
  const projector = projectors[name] as Projector<N> | undefined;
  if (!projector) return [];
  const { occurred_at } = event as { occurred_at: number };
  return projector(event, writeTimestamp(occurred_at, position));
}

/** Events that move a chat in its owner's list: activity moves it up, deletion removes it. */
const listActivity = new Set<EventName>([
  'ChatCreated',
  'PromptSubmitted',
  'AnswerGenerated',
  'AnswerFailed',
  'AttachmentUploaded',
]);

/** How the event changes its chat's place in the owner's list (undefined = not at all). */
export function chatListChange(
  name: EventName,
  event: EventMap[EventName],
  position: LogPosition,
): ChatListChange | undefined {
  if (name !== 'ChatDeleted' && !listActivity.has(name)) return undefined;
  const e = event as ChatEvent & { occurred_at: number };
  const base = {
    userId: e.user_id,
    chatId: e.chat_id,
    eventId: e.event_id,
    timestamp: writeTimestamp(e.occurred_at, position),
  };
  return name === 'ChatDeleted'
    ? { ...base, kind: 'deleted' }
    : { ...base, kind: 'activity', at: e.occurred_at };
}

export const projectedEvents = Object.keys(projectors) as EventName[];
