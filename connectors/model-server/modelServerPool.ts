// The servers of one model version, used as one: each request goes to the usable server with the
// fewest outstanding requests and a free slot (GPU servers batch a fixed number of sequences;
// more only queue inside the server, out of sight). A request that fails before its first token is
// retried on another server with backoff; a stream that breaks after tokens were sent is retried
// from the start on another server once (the caller hears of it through onRestart), then fails.
// A circuit breaker per server stops sending to one that keeps failing; health probes (GET
// /v1/models) take a dead server out before a request finds out.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { CircuitBreaker, type BreakerSettings } from './circuitBreaker.ts';
import { streamChatCompletion, type ChatMessage, type CompletionResult } from './streamChatCompletion.ts';

export interface ModelServerEndpoint {
  /** Base URL, without /v1. */
  url: string;
  /** Requests the server generates at once (vLLM's max_num_seqs, llama.cpp's --parallel). */
  slots: number;
}

export interface PoolSettings {
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  /** Attempts, across servers, for a request that gets no first token. */
  attemptsBeforeFirstToken: number;
  backoff: { initialMs: number; maxMs: number };
  breaker: BreakerSettings;
  probeIntervalMs: number;
  probeTimeoutMs: number;
}

export const defaultPoolSettings: PoolSettings = {
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 15_000,
  attemptsBeforeFirstToken: 3,
  backoff: { initialMs: 100, maxMs: 2_000 },
  breaker: { failureThreshold: 3, openMs: 10_000 },
  probeIntervalMs: 5_000,
  probeTimeoutMs: 2_000,
};

export interface CompletionRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
}

export interface CompletionHooks {
  onToken?: (text: string) => void;
  /** The stream broke after tokens were sent and starts again on another server: drop what was shown. */
  onRestart?: (server: string, error: unknown) => void;
  signal?: AbortSignal;
}

export interface PooledCompletion extends CompletionResult {
  /** The server that produced the answer. */
  server: string;
  attempts: number;
  restarted: boolean;
}

/** No server could take the request: all down, open or failing. Transient for the caller. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
  readonly retriable = true;
}

/** The stream broke after tokens were sent, twice: the answer fails. */
export class ModelStreamBrokenError extends Error {
  override name = 'ModelStreamBrokenError';
}

interface Server {
  endpoint: ModelServerEndpoint;
  client: OpenAI;
  breaker: CircuitBreaker;
  outstanding: number;
  healthy: boolean;
}

/** HTTP 4xx other than 408/429: the request itself is wrong, and no other server will take it. */
const isBadRequest = (error: unknown): boolean => {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
};

const defaultClient = (url: string) =>
  // One retry layer: the pool's (and the processor's), never the SDK's hidden ones.
  new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed-locally', maxRetries: 0 });

export class ModelServerPool {
  private readonly servers: Server[];
  private readonly waiters: Array<() => void> = [];
  private probing: NodeJS.Timeout | undefined;

  constructor(
    readonly model: string,
    endpoints: ModelServerEndpoint[],
    private readonly settings: PoolSettings = defaultPoolSettings,
    clientFor: (url: string) => OpenAI = defaultClient,
  ) {
    if (endpoints.length === 0) throw new RangeError(`model ${model} has no servers`);
    this.servers = endpoints.map((endpoint) => {
      if (!Number.isInteger(endpoint.slots) || endpoint.slots < 1)
        throw new RangeError(`${endpoint.url}: slots must be a positive integer, got ${endpoint.slots}`);
      return {
        endpoint,
        client: clientFor(endpoint.url),
        breaker: new CircuitBreaker(settings.breaker),
        outstanding: 0,
        healthy: true,
      };
    });
  }

  /** Slots free now on servers that may take a request: the caller's cue to fetch more work. */
  get freeSlots(): number {
    return this.servers
      .filter((s) => s.healthy && s.breaker.canTry())
      .reduce((sum, s) => sum + Math.max(0, s.endpoint.slots - s.outstanding), 0);
  }

  /** Per server: outstanding requests, slots, breaker state, health (for metrics and tests). */
  status() {
    return this.servers.map((s) => ({
      url: s.endpoint.url,
      outstanding: s.outstanding,
      slots: s.endpoint.slots,
      breaker: s.breaker.state,
      healthy: s.healthy,
    }));
  }

  async complete(request: CompletionRequest, hooks: CompletionHooks = {}): Promise<PooledCompletion> {
    const tried = new Set<Server>();
    let attempts = 0;
    let restarted = false;
    for (;;) {
      hooks.signal?.throwIfAborted();
      const server = await this.acquire(tried, hooks.signal);
      attempts++;
      tried.add(server);
      let tokens = 0;
      try {
        const result = await streamChatCompletion(server.client, {
          model: this.model,
          messages: request.messages,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          signal: hooks.signal,
          firstTokenTimeoutMs: this.settings.firstTokenTimeoutMs,
          idleTimeoutMs: this.settings.idleTimeoutMs,
          onToken: (text) => {
            tokens++;
            hooks.onToken?.(text);
          },
        });
        server.breaker.succeeded();
        return { ...result, server: server.endpoint.url, attempts, restarted };
      } catch (error) {
        if (hooks.signal?.aborted) throw error;
        if (isBadRequest(error)) {
          server.breaker.succeeded(); // the server is fine: it answered, and said no
          throw error;
        }
        server.breaker.failed();
        if (tokens > 0) {
          if (restarted)
            throw new ModelStreamBrokenError(`the stream broke twice (last on ${server.endpoint.url})`, {
              cause: error,
            });
          restarted = true;
          hooks.onRestart?.(server.endpoint.url, error);
          continue; // from the start, on another server, at once: the user is watching
        }
        if (attempts >= this.settings.attemptsBeforeFirstToken)
          throw new ModelUnavailableError(
            `no first token from ${this.model} after ${attempts} attempts: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        const { initialMs, maxMs } = this.settings.backoff;
        await sleep(Math.min(maxMs, initialMs * 2 ** (attempts - 1)), undefined, { signal: hooks.signal });
      } finally {
        this.release(server);
      }
    }
  }

  /** Probes every server's /v1/models now and then; a failing probe takes it out until one passes. */
  startProbing(): void {
    this.probing ??= setInterval(() => void this.probe(), this.settings.probeIntervalMs).unref();
  }

  async probe(): Promise<void> {
    await Promise.all(
      this.servers.map(async (server) => {
        try {
          await server.client.models.list({ signal: AbortSignal.timeout(this.settings.probeTimeoutMs) });
          server.healthy = true;
        } catch {
          server.healthy = false;
        }
      }),
    );
    this.wake();
  }

  close(): void {
    clearInterval(this.probing);
    this.probing = undefined;
  }

  /**
   * The server with a free slot and the fewest outstanding requests, among the usable servers this
   * request has not tried yet (waiting for one of them rather than going back to a server that just
   * failed it), or among all usable servers once every one was tried.
   */
  private pick(tried: Set<Server>): Server | undefined {
    const usable = this.servers.filter((s) => s.healthy && s.breaker.canTry());
    const untried = usable.filter((s) => !tried.has(s));
    let best: Server | undefined;
    for (const server of untried.length > 0 ? untried : usable) {
      if (server.outstanding >= server.endpoint.slots) continue;
      if (!best || server.outstanding < best.outstanding) best = server;
    }
    return best;
  }

  /** Takes a slot, waiting while every usable server is busy; fails at once if none is usable. */
  private async acquire(tried: Set<Server>, signal?: AbortSignal): Promise<Server> {
    for (;;) {
      const server = this.pick(tried);
      if (server) {
        server.outstanding++;
        server.breaker.started();
        return server;
      }
      const usable = this.servers.some((s) => s.healthy && s.breaker.state !== 'open');
      if (!usable) throw new ModelUnavailableError(`every server of ${this.model} is down or failing`);
      // Busy: wait for a slot (or a breaker's trial time), then look again.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 250);
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          const at = waiters.indexOf(done);
          if (at >= 0) waiters.splice(at, 1);
          resolve();
        }
        waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
      signal?.throwIfAborted();
    }
  }

  private release(server: Server): void {
    server.outstanding--;
    this.wake();
  }

  private wake(): void {
    this.waiters.splice(0).forEach((wake) => wake());
  }
}
