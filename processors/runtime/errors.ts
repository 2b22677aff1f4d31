// How a failure is treated. Transient: the sink is unavailable, so wait and retry without limit
// (pausing the partitions) — nothing is lost. Permanent: the record itself is bad, so it goes to the
// dead-letter topic at once (core/errors.ts PoisonRecordError says so, like every error with
// `retriable: false`). Unknown: retried a few times, then dead-lettered.
export type FailureKind = 'transient' | 'permanent' | 'unknown';

const transientNames = new Set([
  'NoHostAvailableError', // cassandra-driver: no node reachable
  'OperationTimedOutError', // cassandra-driver: client-side timeout
  'BusyConnectionError',
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

export function classifyFailure(error: unknown): FailureKind {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const e = error as { name?: string; code?: unknown; retriable?: boolean; cause?: unknown };
  if (e.retriable === false) return 'permanent';
  if (e.name && transientNames.has(e.name)) return 'transient';
  if (typeof e.code === 'string' && transientCodes.has(e.code)) return 'transient';
  if (e.name === 'ResponseError' && typeof e.code === 'number' && transientCassandraCodes.has(e.code))
    return 'transient';
  if (e.retriable === true) return 'transient';
  return e.cause ? classifyFailure(e.cause) : 'unknown';
}
