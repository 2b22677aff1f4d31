// The chat list state this projector last wrote, per keyspace and chat, so a chat's next move
// needs no read: while a member owns a partition, nothing else writes its chats' list state.
// Forgotten on any doubt: a call that failed (its writes may or may not have landed), a new
// partition assignment (another member may have moved those chats meanwhile). Bounded: the least
// recently used chat goes first.
import type { ChatListState } from '../../projections/cassandra/chatList.ts';

export class ListStateCache {
  private readonly entries = new Map<string, ChatListState>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0)
      throw new RangeError(`list state cache size must be a whole number, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(keyspace: string, chatKey: string): ChatListState | undefined {
    const key = `${keyspace}/${chatKey}`;
    const state = this.entries.get(key);
    if (state) {
      // Re-insert: Map keeps insertion order, so the oldest entry is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, state);
    }
    return state;
  }

  set(keyspace: string, chatKey: string, state: ChatListState): void {
    if (this.maxEntries === 0) return;
    const key = `${keyspace}/${chatKey}`;
    this.entries.delete(key);
    this.entries.set(key, state);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(keyspace: string, chatKeys: Iterable<string>): void {
    for (const chatKey of chatKeys) this.entries.delete(`${keyspace}/${chatKey}`);
  }

  clear(): void {
    this.entries.clear();
  }
}
