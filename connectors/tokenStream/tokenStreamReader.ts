// Reads an answer's token stream (format: answerStreamEntry.ts): what is there already, then what
// arrives (XREAD BLOCK), until a done or error entry, an abort, or an idle timeout. Catching up uses
// the caller's connection; waiting uses a connection of its own (a blocking XREAD holds its
// connection), opened only when the reader has to wait and closed when it ends.
import type { Redis } from 'ioredis';
import {
  answerStreamKey,
  compareEntryIds,
  decodeEntry,
  isStreamEntryId,
  isTerminal,
  type AnswerStreamEntry,
} from './answerStreamEntry.ts';

export interface ReadAnswerStreamOptions {
  /** Resume after this entry id (an SSE Last-Event-ID); default: from the first entry. */
  after?: string;
  /** The longest one XREAD BLOCK waits before the reader checks its idle time. Default 5000 ms. */
  blockMs?: number;
  /** Ends the iteration (quietly, no error), interrupting a blocked read. */
  signal?: AbortSignal;
  /**
   * End when no entry arrived for this long. Default 60 000 ms: longer than the model-server pool's
   * first-token (30 s) and between-token (15 s) timeouts, so a slow but live answer keeps its
   * readers, yet a stream whose writer died (no terminal entry) lets its readers go within a minute.
   */
  idleTimeoutMs?: number;
  /** Entries per read. Default 200. */
  count?: number;
  /** Key prefix, as the writer's. Default `parley:answer:`. */
  keyPrefix?: string;
  /** An entry this version cannot decode (skipped). */
  onUndecodable?: (id: string, fields: string[]) => void;
}

export interface AnswerStreamItem {
  /** The stream entry id: the SSE event id, and `after` for a reader resuming behind this entry. */
  id: string;
  entry: AnswerStreamEntry;
}

/** The name (CLIENT LIST) of a reader's blocking connection. */
export const readerConnectionName = 'parley:answer-stream-reader';

type XReadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

/**
 * The entries after `options.after`, then new ones as they arrive. Redis errors (other than those
 * an abort causes) are thrown to the consumer. A stream that does not exist is waited for like an
 * empty one (its writer may not have started yet), until the idle timeout.
 */
export async function* readAnswerStream(
  redis: Redis,
  answerMessageId: string,
  options: ReadAnswerStreamOptions = {},
): AsyncGenerator<AnswerStreamItem, void, undefined> {
  const key = answerStreamKey(answerMessageId, options.keyPrefix);
  const blockMs = options.blockMs ?? 5000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const count = options.count ?? 200;
  const { signal } = options;
  if (options.after !== undefined && !isStreamEntryId(options.after))
    throw new RangeError(`after: not a stream entry id: ${JSON.stringify(options.after)}`);
  if (!(blockMs > 0)) throw new RangeError(`blockMs must be > 0, got ${blockMs}`);
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a positive integer, got ${count}`);

  // A client that saw the end and reconnects anyway (EventSource does) must not wait for the idle timeout.
  if (options.after !== undefined && (await endedAtOrBefore(redis, key, options.after))) return;
  let lastId = options.after ?? '0-0';
  let lastEntryAt = performance.now();
  let caughtUp = false;
  let blocking: Redis | undefined;
  const interrupt = () => blocking?.disconnect();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    while (!signal?.aborted) {
      let reply: XReadReply;
      if (!caughtUp) {
        reply = (await redis.xread('COUNT', count, 'STREAMS', key, lastId)) as XReadReply;
      } else {
        const idleLeft = idleTimeoutMs - (performance.now() - lastEntryAt);
        if (idleLeft <= 0) return;
        if (!blocking) {
          blocking = redis.duplicate({ connectionName: readerConnectionName });
          blocking.on('error', () => {}); // a failed read rejects with the error; no unhandled event
        }
        try {
          const wait = Math.max(1, Math.ceil(Math.min(blockMs, idleLeft)));
          reply = (await blocking.xread('COUNT', count, 'BLOCK', wait, 'STREAMS', key, lastId)) as XReadReply;
        } catch (error) {
          if (signal?.aborted) return; // the abort closed the connection under the read
          throw error;
        }
      }
      const entries = reply?.[0]?.[1] ?? [];
      caughtUp = entries.length < count;
      if (entries.length > 0) lastEntryAt = performance.now();
      for (const [id, fields] of entries) {
        lastId = id;
        const entry = decodeEntry(fields);
        if (!entry) {
          options.onUndecodable?.(id, fields);
          continue;
        }
        yield { id, entry };
        if (isTerminal(entry) || signal?.aborted) return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', interrupt);
    blocking?.disconnect();
  }
}

/** Whether the stream's last entry is terminal and at or before `after`: nothing will follow it. */
async function endedAtOrBefore(redis: Redis, key: string, after: string): Promise<boolean> {
  const [last] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  if (!last) return false;
  const entry = decodeEntry(last[1]);
  return entry !== undefined && isTerminal(entry) && compareEntryIds(last[0], after) <= 0;
}

export type AnswerStreamState = 'absent' | 'streaming' | 'complete' | 'failed';

/**
 * From the stream's last entry: absent (never written or expired: replay the answer from
 * history), streaming (no terminal entry yet; also a stream whose writer died, until its TTL),
 * complete (done), failed (error).
 */
export async function answerStreamState(
  redis: Redis,
  answerMessageId: string,
  options: { keyPrefix?: string } = {},
): Promise<AnswerStreamState> {
  const [last] = await redis.xrevrange(
    answerStreamKey(answerMessageId, options.keyPrefix),
    '+',
    '-',
    'COUNT',
    1,
  );
  if (!last) return 'absent';
  const entry = decodeEntry(last[1]);
  if (entry?.type === 'done') return 'complete';
  if (entry?.type === 'error') return 'failed';
  return 'streaming';
}
