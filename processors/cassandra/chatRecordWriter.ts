// Makes a call's chat records durable in one keyspace: their row writes, and the chat list moves
// planned from each chat's list state. The order is the crash-safety argument of
// projections/cassandra/chatList.ts: know the list state (cached, else read), write the moves,
// then the row writes (which carry the new list state); a crash in between replays the moves from
// the old state.
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
import type { ListStateCache } from './listStateCache.ts';
import { writeRows } from './statementBatches.ts';

export interface ChatRecord {
  name: EventName;
  event: EventMap[EventName];
  offset: string;
}

type Settings = ClientConfig['cassandraProjection'];

async function readListState(
  client: cassandra.Client,
  keyspace: string,
  { userId, chatId }: ChatListChange,
): Promise<ChatListState> {
  const row = (
    await client.execute(
      `SELECT last_activity_at, writetime(last_activity_at) AS activity_ts, deleted_at FROM ${keyspace}.chats_by_user WHERE user_id = ? AND chat_id = ?`,
      [userId, chatId],
      { prepare: true },
    )
  ).first();
  const at = row?.get('last_activity_at') as Date | null | undefined;
  return {
    lastActivityAt: at ? at.getTime() : null,
    timestamp: at ? (row!.get('activity_ts') as bigint) : null,
    deleted: Boolean(row?.get('deleted_at')),
  };
}

/** Each changed chat's list state before the call: from the cache, else from Cassandra. */
async function listStatesBefore(
  client: cassandra.Client,
  keyspace: string,
  changes: ChatListChange[],
  cache: ListStateCache,
): Promise<Map<string, ChatListState>> {
  const states = new Map<string, ChatListState>();
  const reads: Array<Promise<void>> = [];
  for (const change of changes) {
    const key = chatKey(change.userId, change.chatId);
    if (states.has(key)) continue;
    const cached = cache.get(keyspace, key);
    if (cached) states.set(key, cached);
    else {
      states.set(key, emptyListState); // placeholder, so the chat is read once
      reads.push(readListState(client, keyspace, change).then((state) => void states.set(key, state)));
    }
  }
  await Promise.all(reads);
  return states;
}

/** Writes the records' effects (all or an error; every write is idempotent, so retrying all is safe). */
export async function writeChatRecords(
  client: cassandra.Client,
  keyspace: string,
  records: readonly ChatRecord[],
  settings: Settings,
  cache: ListStateCache,
): Promise<void> {
  // Project everything first: a poison record fails the call before anything is written.
  const rows = records.flatMap((r) => projectChatEvent(r.name, r.event, r));
  const changes = records.flatMap((r) => chatListChange(r.name, r.event, r) ?? []);
  if (changes.length === 0) return writeRows(client, keyspace, rows, settings.batch);
  const chats = new Set(changes.map((c) => chatKey(c.userId, c.chatId)));
  try {
    const before = await listStatesBefore(client, keyspace, changes, cache);
    const plan = planChatListWrites(changes, (userId, chatId) => before.get(chatKey(userId, chatId))!);
    await writeRows(client, keyspace, plan.writes, settings.batch);
    await writeRows(client, keyspace, rows, settings.batch);
    for (const [key, state] of plan.after) cache.set(keyspace, key, state);
  } catch (error) {
    cache.forget(keyspace, chats); // some writes may have landed: read the state next time
    throw error;
  }
}
