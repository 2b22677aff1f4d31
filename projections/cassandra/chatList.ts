// A user's chat list, newest activity first: `chats_by_activity`, clustered by (last_activity_at
// DESC, chat_id DESC) in the user's partition, so a page is one range read and a cursor is the
// last row's clustering key.
//
// Why this design: Cassandra orders rows only by clustering key, so a chat whose activity changes
// must move: delete the row at its old time, insert it at the new one. The old time is state, so
// the move is planned from the chat's current list state (`chats_by_user.last_activity_at`, its
// write time, and `deleted_at`), read before the write (once per chat, then kept by the projector:
// processors/cassandra/listStateCache.ts). Bucketed activity was the alternative; it avoids the
// read but leaves a chat in every bucket it was ever active in, so every page would over-read and
// filter. The read is cheap (one row, same partition as the write) and safe:
// - the runtime hands a chat's records over one call at a time, in log order, so no two moves of
//   one chat race;
// - the move is written before the list state (processors/cassandra/chatRecordWriter.ts): a crash
//   between them replays the move from the old state, so no stale row is left behind;
// - every decision compares write timestamps (writeTimestamp.ts), the same order Cassandra's
//   last-write-wins applies to the state, so a late, older event changes nothing, and a replay
//   re-inserts the row it inserted before;
// - a deleted chat leaves the list for good: deletion is final, whatever arrives after it.

import { deleteRow, upsert, type RowWrite } from './rowWrites.ts';

/** A chat's place in its owner's list, as `chats_by_user` holds it. */
export interface ChatListState {
  /** last_activity_at (ms), or null before any activity. */
  lastActivityAt: number | null;
  /** The write timestamp of last_activity_at, or null. */
  timestamp: bigint | null;
  deleted: boolean;
}

export const emptyListState: ChatListState = { lastActivityAt: null, timestamp: null, deleted: false };

interface ChangeBase {
  userId: string;
  chatId: string;
  eventId: string;
  timestamp: bigint;
}

export type ChatListChange = ChangeBase & ({ kind: 'activity'; at: number } | { kind: 'deleted' });

export const chatKey = (userId: string, chatId: string) => `${userId}/${chatId}`;

const listRow = (userId: string, chatId: string, at: number) => ({
  user_id: userId,
  last_activity_at: new Date(at),
  chat_id: chatId,
});

const maxOf = (a: bigint, b: bigint | null) => (b !== null && b > a ? b : a);

/** The writes one change makes, given the chat's state before it, and the state after it. */
function move(state: ChatListState, change: ChatListChange): { writes: RowWrite[]; next: ChatListState } {
  if (state.deleted) return { writes: [], next: state };
  const { userId, chatId, eventId } = change;
  const current = state.lastActivityAt;
  if (change.kind === 'deleted') {
    // The tombstone must outrank the row it removes, even if the deletion is the older event.
    const writes =
      current === null
        ? []
        : [
            deleteRow(
              'chats_by_activity',
              listRow(userId, chatId, current),
              maxOf(change.timestamp, state.timestamp),
              eventId,
            ),
          ];
    return { writes, next: { ...state, deleted: true } };
  }
  if (state.timestamp !== null && change.timestamp < state.timestamp) return { writes: [], next: state };
  const writes: RowWrite[] = [];
  // Same time, same row: a delete and an insert at one timestamp would leave the delete winning.
  if (current !== null && current !== change.at)
    writes.push(deleteRow('chats_by_activity', listRow(userId, chatId, current), change.timestamp, eventId));
  writes.push(
    upsert(
      'chats_by_activity',
      listRow(userId, chatId, change.at),
      { event_id: eventId },
      change.timestamp,
      eventId,
    ),
  );
  return { writes, next: { lastActivityAt: change.at, timestamp: change.timestamp, deleted: false } };
}

export interface ChatListPlan {
  writes: RowWrite[];
  /** Each changed chat's list state once the writes (and the changes' row writes) are applied, by chatKey. */
  after: Map<string, ChatListState>;
}

/**
 * The list writes of `changes` (in log order), given each chat's state before the first of them.
 * Folds a chat's changes one after another, so several in one call plan as if applied one by one.
 */
export function planChatListWrites(
  changes: readonly ChatListChange[],
  stateBefore: (userId: string, chatId: string) => ChatListState,
): ChatListPlan {
  const after = new Map<string, ChatListState>();
  const writes: RowWrite[] = [];
  for (const change of changes) {
    const key = chatKey(change.userId, change.chatId);
    const { writes: made, next } = move(after.get(key) ?? stateBefore(change.userId, change.chatId), change);
    writes.push(...made);
    after.set(key, next);
  }
  return { writes, after };
}
