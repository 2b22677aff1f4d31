// Publishes the traffic mix at a target rate for a duration, with bounded in-flight sends (the
// producer's own backpressure), and reports the achieved rate and acknowledgement latency.
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import type { EventProducer, PublishItem } from '../eventProducer.ts';
import { ChatWorkload } from './chatWorkload.ts';
import { Random } from './random.ts';

/** Records per send at most: a tick's due records, split if a stall let them pile up. */
const MAX_BATCH = 5_000;

export interface LoadOptions {
  ratePerSecond: number;
  durationSeconds: number;
  seed: number;
  /** Sends awaiting acknowledgement at most; beyond it the generator waits (backpressure). */
  maxInFlightBatches: number;
  onProgress?: (sent: number, elapsedSeconds: number) => void;
  /** Send everything to this topic instead of each event's own (benchmarks, tests). */
  topic?: string;
}

export interface LoadReport {
  sent: number;
  failed: number;
  byType: Record<string, number>;
  bytes: number;
  elapsedSeconds: number;
  achievedRate: number;
  /** CPU time of this process (all threads, librdkafka's included) during the run. */
  cpuSeconds: number;
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
  const inFlight = new InFlightWindow(options.maxInFlightBatches);
  let sent = 0;
  let failed = 0;
  let bytes = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  let lastProgress = started;

  while (sent < total) {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.min(total, Math.floor(elapsed * options.ratePerSecond) + 1);
    // Everything due since the last tick goes out as one send; its acknowledgement time is each
    // record's latency.
    const batch: PublishItem[] = [];
    while (sent + batch.length < due && batch.length < MAX_BATCH) batch.push(workload.next());
    if (batch.length > 0) {
      sent += batch.length;
      for (const { name } of batch) byType[name] = (byType[name] ?? 0) + 1;
      const t0 = performance.now();
      await inFlight.run(async () => {
        try {
          const records = await Promise.all(
            batch.map(({ name, event }) => producer.toRecord(name, event, { topic: options.topic })),
          );
          for (const record of records) bytes += record.value.length;
          await producer.transport.send(records);
          const latency = performance.now() - t0;
          for (let i = 0; i < batch.length; i++) latencies.push(latency);
        } catch (error) {
          failed += batch.length;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      });
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
  await inFlight.idle();
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    sent,
    failed,
    byType,
    bytes,
    elapsedSeconds,
    achievedRate: (sent - failed) / elapsedSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ackLatencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
    },
    firstError,
  };
}

export function formatLoadReport(report: LoadReport): string {
  const lines = [
    `sent ${report.sent} (${report.failed} failed) in ${report.elapsedSeconds.toFixed(1)} s = ${report.achievedRate.toFixed(0)} events/s, ` +
      `${(report.bytes / Math.max(1, report.sent)).toFixed(0)} B/event; ack latency p50 ${report.ackLatencyMs.p50.toFixed(1)} ms, p99 ${report.ackLatencyMs.p99.toFixed(1)} ms; ` +
      `CPU ${report.cpuSeconds.toFixed(1)} s (${((report.cpuSeconds / Math.max(1, report.sent)) * 1e6).toFixed(0)} µs/event)`,
    ...Object.entries(report.byType)
      .sort((a, b) => b[1] - a[1])
      .map(([name, n]) => `  ${name.padEnd(20)} ${n}`),
  ];
  if (report.firstError) lines.push(`first error: ${report.firstError}`);
  return lines.join('\n');
}
