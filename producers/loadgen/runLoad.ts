// Publishes the traffic mix at a target rate for a duration, with bounded in-flight sends (the
// producer's own backpressure), and reports the achieved rate and acknowledgement latency.
import type { EventProducer } from '../eventProducer.ts';
import { ChatWorkload } from './chatWorkload.ts';
import { Random } from './random.ts';

export interface LoadOptions {
  ratePerSecond: number;
  durationSeconds: number;
  seed: number;
  maxInFlight: number;
  onProgress?: (sent: number, elapsedSeconds: number) => void;
}

export interface LoadReport {
  sent: number;
  failed: number;
  byType: Record<string, number>;
  bytes: number;
  elapsedSeconds: number;
  achievedRate: number;
  ackLatencyMs: { p50: number; p99: number; max: number };
  firstError?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(producer: EventProducer, options: LoadOptions): Promise<LoadReport> {
  const workload = new ChatWorkload(new Random(options.seed));
  const latencies: number[] = [];
  const byType: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let failed = 0;
  let bytes = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  let lastProgress = started;

  while (sent < total) {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.min(total, Math.floor(elapsed * options.ratePerSecond) + 1);
    while (sent < due) {
      if (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
      const { name, event } = workload.next();
      const t0 = performance.now();
      const send = producer
        .toRecord(name, event)
        .then((record) => {
          bytes += record.value.length;
          return producer.transport.send(record);
        })
        .then(
          () => void latencies.push(performance.now() - t0),
          (error: unknown) => {
            failed++;
            firstError ??= error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => inFlight.delete(send));
      inFlight.add(send);
      byType[name] = (byType[name] ?? 0) + 1;
      sent++;
    }
    if (options.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      options.onProgress(sent, elapsed);
    }
    // Sleep until the next record is due (≥ 1 ms granularity).
    const nextDue = (sent / options.ratePerSecond) * 1000 - (performance.now() - started);
    if (nextDue > 1) await new Promise((resolve) => setTimeout(resolve, nextDue));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    sent,
    failed,
    byType,
    bytes,
    elapsedSeconds,
    achievedRate: (sent - failed) / elapsedSeconds,
    ackLatencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
    },
    firstError,
  };
}
