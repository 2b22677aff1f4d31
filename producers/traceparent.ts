// W3C Trace Context (https://www.w3.org/TR/trace-context/): `00-<trace id>-<parent span id>-<flags>`.
import { randomFillSync } from 'node:crypto';

const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = header ? pattern.exec(header.trim()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

// Ids are drawn from a pool refilled in bulk: one crypto call per 512 ids instead of two per event.
const pool = Buffer.alloc(8192);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** A new span in the caller's trace, or in a new trace when there is no (valid) caller context. */
export function childTraceparent(parent?: string): string {
  const context = parseTraceparent(parent);
  const traceId = context?.traceId ?? randomHex(16);
  const flags = context && !context.sampled ? '00' : '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
}
