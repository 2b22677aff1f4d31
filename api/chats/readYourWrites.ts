// Read-your-writes for the chat list and a chat's history, without writing the read models twice:
// when the API publishes a caller's write it notes, in Redis, which cell the projector will write
// for it (table, key, column) and the event's time. A read of the first page that finds such a note
// waits, bounded, until that cell's write time in Cassandra has reached the event's (the projector
// stamps every cell USING TIMESTAMP = the event's time in µs plus a tie-breaker below 1,000, so
// WRITETIME ≥ occurred_at × 1000 means "projected"), then reads. One note per scope (the latest
// write), kept WRITTEN_TTL_S; once seen projected it is removed, so a reader pays the extra point
// read only in the moments after a write. If the wait runs out (the projector is far behind),
// the read goes ahead and shows what is there: a bounded wait, never an error.
import type cassandra from 'cassandra-driver';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { WRITTEN_TTL_S, writtenKey } from './redisKeys.ts';

/** The cell a write becomes, and the event's time (ms). */
export type Written =
  | {
      table: 'chats_by_user';
      key: { user_id: string; chat_id: string };
      column: 'created_at' | 'title' | 'deleted_at';
      at: number;
    }
  | {
      table: 'messages_by_chat';
      key: { chat_id: string; bucket: number; message_id: string };
      column: 'content' | 'rating';
      at: number;
    };

export const userScope = (userId: string) => `user:${userId}`;
export const chatScope = (chatId: string) => `chat:${chatId}`;

export const READ_YOUR_WRITES_WAIT_MS = 2_000;
const POLL_MS = 15;

const DELETE_IF_SAME = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The cells notes may name (their names go into CQL): key columns in order, and columns. */
const cells: Record<string, { key: string; columns: readonly string[] }> = {
  chats_by_user: { key: 'user_id,chat_id', columns: ['created_at', 'title', 'deleted_at'] },
  messages_by_chat: { key: 'chat_id,bucket,message_id', columns: ['content', 'rating'] },
};

function parseWritten(raw: string): Written | undefined {
  try {
    const w = JSON.parse(raw) as Written;
    const cell = cells[w.table];
    const known = cell?.columns.includes(w.column) && Object.keys(w.key).join() === cell.key;
    return known && Number.isSafeInteger(w.at) ? w : undefined;
  } catch {
    return undefined;
  }
}

export class ReadYourWrites {
  constructor(
    private readonly redis: Redis,
    private readonly cassandra: cassandra.Client,
    private readonly keyspace: () => string,
    private readonly waitMs = READ_YOUR_WRITES_WAIT_MS,
  ) {}

  /** After the event is published: later first-page reads of `scope` wait for it. */
  async note(scope: string, written: Written): Promise<void> {
    await this.redis.set(writtenKey(scope), JSON.stringify(written), 'EX', WRITTEN_TTL_S);
  }

  /** Waits (bounded) until the scope's latest noted write is in Cassandra. */
  async awaitProjected(scope: string): Promise<void> {
    const key = writtenKey(scope);
    const raw = await this.redis.get(key);
    if (!raw) return;
    const written = parseWritten(raw);
    if (!written) return;
    const deadline = Date.now() + this.waitMs;
    while (!(await this.projected(written))) {
      if (Date.now() >= deadline) return;
      await sleep(POLL_MS);
    }
    await this.redis.eval(DELETE_IF_SAME, 1, key, raw);
  }

  private async projected({ table, key, column, at }: Written): Promise<boolean> {
    const names = Object.keys(key);
    const row = (
      await this.cassandra.execute(
        `SELECT WRITETIME(${column}) AS written FROM ${this.keyspace()}.${table} WHERE ${names.map((n) => `${n} = ?`).join(' AND ')}`,
        Object.values(key),
        { prepare: true },
      )
    ).first();
    const written = row?.get('written') as { toString(): string } | null | undefined;
    return written != null && BigInt(written.toString()) >= BigInt(at) * 1000n;
  }
}
