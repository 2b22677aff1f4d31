// How a failure is treated, by the processors' retries and by the API's error replies (a transient
// failure is a 503 there). Transient: the sink is unavailable, so wait and retry (pausing the
// partitions; without limit unless the processor bounds it) — nothing is lost. Permanent: the
// record itself is bad, so it goes to the dead-letter topic at once (core/errors.ts
// PoisonRecordError says so, like every error with `retriable: false`). Unknown: retried a few
// times, then dead-lettered. A processor may classify its own errors first (its classify hook).
export type FailureKind = 'transient' | 'permanent' | 'unknown';

const transientNames = new Set([
  'NoHostAvailableError', // cassandra-driver: no node reachable
  'OperationTimedOutError', // cassandra-driver: client-side timeout
  'BusyConnectionError',
  'MaxRetriesPerRequestError', // ioredis: Redis not reachable within its reconnect attempts
]);
const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// Cassandra server error codes: 0x1000 unavailable, 0x1001 overloaded, 0x1002 bootstrapping,
// 0x1100 write timeout, 0x1200 read timeout.
const transientCassandraCodes = new Set([0x1000, 0x1001, 0x1002, 0x1100, 0x1200]);

// PostgreSQL SQLSTATE classes that say "later": 08 connection exception, 53 insufficient resources,
// 57P operator intervention (shutdown, restart), 40001/40P01 serialization failure and deadlock.
const transientSqlState = /^(08|53|57P|40001|40P01)/;

/** HTTP statuses that say "later": too many requests, unavailable, request timeout. */
const transientStatuses = new Set([408, 429, 503]);

/** An HTTP status on the error (the OpenAI SDK's APIError, fetch wrappers), if any. */
function httpStatus(e: { status?: unknown; statusCode?: unknown }): number | undefined {
  const status = e.status ?? e.statusCode;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

export function classifyFailure(error: unknown): FailureKind {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const e = error as { name?: string; code?: unknown; retriable?: boolean; cause?: unknown };
  if (e.retriable === false) return 'permanent';
  const status = httpStatus(error as { status?: unknown });
  if (status !== undefined) {
    if (transientStatuses.has(status)) return 'transient';
    if (status >= 400 && status < 500) return 'permanent'; // the request itself is wrong
    return 'unknown'; // other 5xx: a few more tries, then the dead-letter topic
  }
  if (e.name && transientNames.has(e.name)) return 'transient';
  if (e.name === 'error' && typeof e.code === 'string' && transientSqlState.test(e.code)) return 'transient';
  if (typeof e.code === 'string' && transientCodes.has(e.code)) return 'transient';
  if (e.name === 'ResponseError' && typeof e.code === 'number' && transientCassandraCodes.has(e.code))
    return 'transient';
  if (e.retriable === true) return 'transient';
  return e.cause ? classifyFailure(e.cause) : 'unknown';
}

/** The wait an error asks for (HTTP Retry-After: seconds or a date), in ms; undefined if none. */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  let value: unknown;
  if (headers instanceof Headers) value = headers.get('retry-after');
  else if (typeof headers === 'object' && headers !== null)
    value = (headers as Record<string, unknown>)['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') {
    const cause = (error as { cause?: unknown }).cause;
    return cause === undefined ? undefined : retryAfterMs(cause, now);
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
