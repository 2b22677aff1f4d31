// A Server-Sent Events client for tests, on fetch: reads `id`/`event`/`data` blocks as they arrive,
// until a done or error event, the server's end, `stopAfter` events (then it disconnects, as a
// browser tab closing would), or the bound.
export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  events: ReceivedEvent[];
  /** The error JSON when the status is not 200. */
  error?: unknown;
  /** Why reading stopped. */
  ended: 'terminal' | 'server' | 'stopped';
}

export interface SseOptions {
  token?: string;
  lastEventId?: string;
  /** Disconnect after this many events. */
  stopAfter?: number;
  timeoutMs?: number;
}

function parseBlock(block: string): ReceivedEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined; // a comment or `retry:` only
  return { id, event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
}

export async function readSse(url: string, options: SseOptions = {}): Promise<SseResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    const contentType = response.headers.get('content-type');
    if (response.status !== 200)
      return {
        status: response.status,
        contentType,
        events: [],
        error: await response.json(),
        ended: 'server',
      };
    const events: ReceivedEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = response.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { status: 200, contentType, events, ended: 'server' };
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!event) continue;
        events.push(event);
        if (event.event === 'done' || event.event === 'error') {
          await reader.cancel();
          return { status: 200, contentType, events, ended: 'terminal' };
        }
        if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
          controller.abort();
          return { status: 200, contentType, events, ended: 'stopped' };
        }
      }
    }
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(`SSE ${url}: no end within ${options.timeoutMs ?? 30_000} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The text an SSE client shows: tokens appended, dropped at start/restart. */
export function shownText(events: readonly ReceivedEvent[], from = ''): string {
  let text = from;
  for (const e of events) {
    if (e.event === 'start' || e.event === 'restart') text = '';
    if (e.event === 'token') text += String(e.data.text);
  }
  return text;
}
