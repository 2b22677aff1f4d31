// A Server-Sent Events response: the headers, one `id`/`event`/`data` block per event, a comment
// every KEEP_ALIVE_MS so proxies keep an idle stream open, and an AbortSignal that fires when the
// client goes away (so the caller stops reading what feeds the stream). Writes wait for the socket
// to drain, so a slow client slows its reader instead of filling memory.
import { once } from 'node:events';
import type { Response } from 'express';

export interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

const KEEP_ALIVE_MS = 15_000;
/** How long a client waits before reconnecting (EventSource), sent once at the start. */
const RETRY_MS = 2_000;

export class SseStream {
  private readonly controller = new AbortController();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly res: Response) {
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // 'close' on the response: the client disconnected, or the response ended.
    res.on('close', () => this.controller.abort());
    res.write(`retry: ${RETRY_MS}\n\n`);
    this.keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
  }

  /** Aborts when the client has gone. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async send({ id, event, data }: SseEvent): Promise<void> {
    if (this.signal.aborted) return;
    // JSON never holds a raw newline, so `data` stays one line.
    if (!this.res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`))
      await once(this.res, 'drain', { signal: this.signal }).catch(() => undefined);
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (!this.res.writableEnded) this.res.end();
    this.controller.abort();
  }
}
