// Write timestamps: every cell a projection writes is stamped with its event's time, so a replay
// rewrites identical cells and a late, older event never overwrites a newer one.
//
// Cassandra timestamps are microseconds, and they stay real microseconds here: the server compares
// them with its own clock-based ones (a dropped column hides cells written before the drop; an
// operator's hand-written fix carries `now`), so a wider, nanosecond-like scale would break those.
// That leaves 1,000 slots below each millisecond of event time for a tie-breaker: the record's
// offset modulo 1,000. The honest bound, tested in writeTimestamp.test.ts:
//   - a later event time always wins;
//   - within one millisecond, the later offset of the partition wins, except when the two offsets
//     straddle a multiple of 1,000 (1999 vs 2000): then the earlier record wins;
//   - either way the outcome is a function of (time, offset) alone, so every replay, in any order
//     and into any keyspace, leaves the same cells.
// Only two events of one chat in the same millisecond can meet the exception (a row's events share
// the chat's partition); Parley's producers stamp events as they happen, so it needs a burst of
// same-millisecond writes to one cell across an offset boundary.

/** Where the event sits in its partition's log. */
export interface LogPosition {
  offset: string;
}

export const TIE_BREAK_SLOTS = 1000n;

export const writeTimestamp = (occurredAt: number, position: LogPosition): bigint =>
  BigInt(occurredAt) * TIE_BREAK_SLOTS + (BigInt(position.offset) % TIE_BREAK_SLOTS);
