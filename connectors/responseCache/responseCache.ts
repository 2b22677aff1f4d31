// A cache of answers to identical deterministic requests (temperature 0), in Redis under
// `parley:response-cache:<sha256>`. The key is a sha256 over a canonical JSON encoding (object keys
// sorted, undefined dropped) of everything that determines the answer: the model version, the
// messages (role and content, in order), max tokens, temperature and any other generation
// parameter. The cache is an optimisation and never fails a request: a read that fails, times out
// or finds a value it cannot read is a miss; a write that fails is skipped; both go to onError.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { within } from '../../core/within.ts';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

export interface ResponseCacheRequest {
  /** The exact model version (e.g. `gemma-3@2`): a new version never reuses an old one's answers. */
  modelVersion: string;
  /** The whole context sent to the model, system prompt included; only role and content count. */
  messages: readonly { role: string; content: string }[];
  maxTokens: number | null;
  /** Only 0 is cacheable; absent means the server's default (not 0), so not cacheable. */
  temperature?: number | null;
  /**
   * Every other request field that can change the answer (top_p, stop, seed, penalties, tools,
   * response format, attachments...), by its wire name. All of them are part of the key.
   */
  parameters?: Readonly<Record<string, JsonValue | undefined>>;
}

/**
 * Bump when the key's inputs or the stored value's format change: old entries are then never read
 * (they expire), so no version has to read another's values.
 */
const keyVersion = 1;

/** Only a greedy (temperature 0) answer is the same answer next time. */
export function isCacheable(request: Pick<ResponseCacheRequest, 'temperature'>): boolean {
  return request.temperature === 0;
}

/** JSON with object keys sorted at every level and undefined members dropped; rejects non-JSON values. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not JSON: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

/** The cache key of a request: a sha256, hex. Throws a TypeError for a parameter that is not JSON. */
export function responseCacheKey(request: ResponseCacheRequest): string {
  const canonical = canonicalJson({
    v: keyVersion,
    model_version: request.modelVersion,
    messages: request.messages.map((m) => [m.role, m.content]),
    max_tokens: request.maxTokens ?? null,
    temperature: request.temperature ?? null,
    parameters: request.parameters ?? {},
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export interface CachedAnswer {
  content: string;
  finishReason: string;
  tokensIn: number;
  tokensOut: number;
  modelVersion: string;
  /** When it was cached, in UTC milliseconds since the epoch. */
  cachedAt: number;
}

const count = z.number().int().nonnegative();
const storedAnswer = z.object({
  v: z.literal(keyVersion),
  content: z.string(),
  finish_reason: z.string(),
  tokens_in: count,
  tokens_out: count,
  model_version: z.string(),
  cached_at: count,
});
type StoredAnswer = z.infer<typeof storedAnswer>;

export class CorruptCacheValueError extends Error {
  override name = 'CorruptCacheValueError';
}

export interface ResponseCacheErrorContext {
  operation: 'get' | 'put';
  /** The Redis key. */
  key: string;
}

export interface ResponseCacheOptions {
  /** Default life of an entry. Default 86 400 s (24 h). */
  ttlSeconds?: number;
  /** Default `parley:response-cache:`. */
  keyPrefix?: string;
  /**
   * A read slower than this is a miss. Default 250 ms: a lookup normally takes about a millisecond,
   * and a miss costs one model call, so a struggling Redis must not delay every prompt by more.
   */
  readTimeoutMs?: number;
  /** A write slower than this is reported and given up on (it may still land). Default 1000 ms. */
  writeTimeoutMs?: number;
  /** Every failed or timed-out read or write, every corrupt value; must not throw (a throw is ignored). */
  onError?: (error: Error, context: ResponseCacheErrorContext) => void;
  /** Registers parley_response_cache_* metrics here when given. */
  registry?: Registry;
  /** The clock for cachedAt. Default Date.now. */
  now?: () => number;
}

function counter(registry: Registry, name: string, help: string): Counter<'outcome'> {
  return (
    (registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
    new Counter({ name, help, labelNames: ['outcome'], registers: [registry] })
  );
}

export class ResponseCache {
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;
  private readonly readTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly now: () => number;
  private readonly lookups: Counter<'outcome'> | undefined;
  private readonly writes: Counter<'outcome'> | undefined;
  private errorCount = 0;

  /** The cache does not own `redis`: the caller quits it. */
  constructor(
    private readonly redis: Redis,
    private readonly options: ResponseCacheOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 86_400;
    this.keyPrefix = options.keyPrefix ?? 'parley:response-cache:';
    this.readTimeoutMs = options.readTimeoutMs ?? 250;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 1000;
    this.now = options.now ?? Date.now;
    assertTtl(this.ttlSeconds);
    if (options.registry) {
      this.lookups = counter(
        options.registry,
        'parley_response_cache_lookups_total',
        'Response cache reads, by outcome (hit, miss, error: failed, timed out or corrupt)',
      );
      this.writes = counter(
        options.registry,
        'parley_response_cache_writes_total',
        'Response cache writes, by outcome (ok, error)',
      );
    }
  }

  /** Failures so far (each also reported to onError). */
  get errors(): number {
    return this.errorCount;
  }

  /** The Redis key for a responseCacheKey. */
  redisKey(key: string): string {
    return `${this.keyPrefix}${key}`;
  }

  /** The cached answer, or undefined on a miss, a failure or a corrupt value; never rejects. */
  async get(key: string): Promise<CachedAnswer | undefined> {
    const redisKey = this.redisKey(key);
    let raw: string | null;
    try {
      raw = await within(`GET ${redisKey}`, this.readTimeoutMs, this.redis.get(redisKey));
    } catch (error) {
      this.report(error, { operation: 'get', key: redisKey });
      this.lookups?.inc({ outcome: 'error' });
      return undefined;
    }
    if (raw === null) {
      this.lookups?.inc({ outcome: 'miss' });
      return undefined;
    }
    const stored = decode(raw);
    if (!stored.success) {
      this.report(new CorruptCacheValueError(`${redisKey}: ${stored.error}`), {
        operation: 'get',
        key: redisKey,
      });
      this.lookups?.inc({ outcome: 'error' });
      return undefined;
    }
    this.lookups?.inc({ outcome: 'hit' });
    const s = stored.data;
    return {
      content: s.content,
      finishReason: s.finish_reason,
      tokensIn: s.tokens_in,
      tokensOut: s.tokens_out,
      modelVersion: s.model_version,
      cachedAt: s.cached_at,
    };
  }

  /**
   * Stores an answer (cachedAt defaults to now) for ttlSeconds (default: the cache's). Resolves
   * true when stored, false when it failed (reported to onError); never rejects.
   */
  async put(
    key: string,
    answer: Omit<CachedAnswer, 'cachedAt'> & { cachedAt?: number },
    ttlSeconds = this.ttlSeconds,
  ): Promise<boolean> {
    const redisKey = this.redisKey(key);
    try {
      assertTtl(ttlSeconds);
      const stored: StoredAnswer = storedAnswer.parse({
        v: keyVersion,
        content: answer.content,
        finish_reason: answer.finishReason,
        tokens_in: answer.tokensIn,
        tokens_out: answer.tokensOut,
        model_version: answer.modelVersion,
        cached_at: answer.cachedAt ?? this.now(),
      });
      await within(
        `SET ${redisKey}`,
        this.writeTimeoutMs,
        this.redis.set(redisKey, JSON.stringify(stored), 'EX', ttlSeconds),
      );
      this.writes?.inc({ outcome: 'ok' });
      return true;
    } catch (error) {
      this.report(error, { operation: 'put', key: redisKey });
      this.writes?.inc({ outcome: 'error' });
      return false;
    }
  }

  private report(error: unknown, context: ResponseCacheErrorContext): void {
    this.errorCount += 1;
    try {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // the callback's own failure must not fail the request either
    }
  }
}

function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
    throw new RangeError(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
}

function decode(raw: string): { success: true; data: StoredAnswer } | { success: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { success: false, error: 'not JSON' };
  }
  const parsed = storedAnswer.safeParse(json);
  return parsed.success
    ? { success: true, data: parsed.data }
    : {
        success: false,
        error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      };
}
