// Makes a call's chat records durable in one keyspace: their row writes, and the chat list moves
// planned from each chat's list state. The order is the crash-safety argument of
// projections/cassandra/chatList.ts: read the list state, write the moves, then the row writes
// (which carry the new list state); a crash in between replays the moves from the old state.
import type cassandra from 'cassandra-driver';
import type { ClientConfig } from '../../core/config.ts';
import {
  chatKey,
  emptyListState,
  planChatListWrites,
  type ChatListChange,
  type ChatListState,
} from '../../projections/cassandra/chatList.ts';
import { chatListChange, projectChatEvent } from '../../projections/cassandra/chatProjection.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import { writeRows } from './statementBatches.ts';

export interface ChatRecord {
  name: EventName;
  event: EventMap[EventName];
  offset: string;
}

type Settings = ClientConfig['cassandraProjection'];

async function readListStates(
  client: cassandra.Client,
  keyspace: string,
  changes: ChatListChange[],
): Promise<Map<string, ChatListState>> {
  const chats = new Map(changes.map((c) => [chatKey(c.userId, c.chatId), c]));
  const states = new Map<string, ChatListState>();
  await Promise.all(
    [...chats].map(async ([key, { userId, chatId }]) => {
      const row = (
        await client.execute(
          `SELECT last_activity_at, writetime(last_activity_at) AS activity_ts, deleted_at FROM ${keyspace}.chats_by_user WHERE user_id = ? AND chat_id = ?`,
          [userId, chatId],
          { prepare: true },
        )
      ).first();
      const at = row?.get('last_activity_at') as Date | null | undefined;
      states.set(key, {
        lastActivityAt: at ? at.getTime() : null,
        timestamp: at ? (row!.get('activity_ts') as bigint) : null,
        deleted: Boolean(row?.get('deleted_at')),
      });
    }),
  );
  return states;
}

/** Writes the records' effects (all or an error; every write is idempotent, so retrying all is safe). */
export async function writeChatRecords(
  client: cassandra.Client,
  keyspace: string,
  records: readonly ChatRecord[],
  settings: Settings,
): Promise<void> {
  // Project everything first: a poison record fails the call before anything is written.
  const rows = records.flatMap((r) => projectChatEvent(r.name, r.event, r));
  const changes = records.flatMap((r) => chatListChange(r.name, r.event, r) ?? []);
  if (changes.length > 0) {
    const states = await readListStates(client, keyspace, changes);
    const moves = planChatListWrites(
      changes,
      (userId, chatId) => states.get(chatKey(userId, chatId)) ?? emptyListState,
    );
    await writeRows(client, keyspace, moves, settings.batch);
  }
  await writeRows(client, keyspace, rows, settings.batch);
}
