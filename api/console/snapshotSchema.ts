// The console snapshot's shape: validated before it is sent, and described in /openapi.json. A
// section whose source failed (Kafka, ClickHouse, a /metrics endpoint) is null and `errors` says
// why, so one dependency down leaves the rest of the page working.
import '../openapi.ts';
import { z } from 'zod';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative().nullable();

export const topicFigure = z.object({
  topic: z.string(),
  partitions: count,
  /** Summed over partitions: the records ever written; the page derives events/s from two snapshots. */
  end_offset: count,
});

export const deadLetterFigure = z.object({
  topic: z.string(),
  source_topic: z.string(),
  /** Records ever dead-lettered (summed end offsets). */
  end_offset: count,
});

export const groupFigure = z.object({
  processor: z.string(),
  group_id: z.string(),
  /** Records not yet committed, summed over every partition the group has committed; null: no commits yet. */
  lag: count.nullable(),
  topics: z.array(z.object({ topic: z.string(), lag: count })),
});

export const modelFigure = z.object({
  model_version: z.string(),
  runs: count,
  failures: count,
  latency_p50_ms: ms,
  latency_p95_ms: ms,
  ttft_p50_ms: ms,
  ttft_p95_ms: ms,
});

export const failedAnswersFigure = z.object({
  total: count,
  by_code: z.array(z.object({ error_code: z.string(), count })),
});

export const slotFigure = z.object({
  model_version: z.string(),
  server: z.string(),
  busy: count,
  free: count,
});

export const snapshotError = z.object({
  source: z.enum(['kafka', 'clickhouse', 'metrics']),
  message: z.string(),
});

export const consoleSnapshot = z
  .object({
    /** When the snapshot was taken (ISO 8601). */
    at: z.string(),
    /** The span ClickHouse figures cover, ending at `at`. */
    window_minutes: z.number().int().positive(),
    topics: z.array(topicFigure).nullable(),
    dead_letters: z.array(deadLetterFigure).nullable(),
    groups: z.array(groupFigure).nullable(),
    models: z.array(modelFigure).nullable(),
    failed_answers: failedAnswersFigure.nullable(),
    slots: z.array(slotFigure).nullable(),
    errors: z.array(snapshotError),
  })
  .openapi('ConsoleSnapshot');

export type TopicFigure = z.infer<typeof topicFigure>;
export type DeadLetterFigure = z.infer<typeof deadLetterFigure>;
export type GroupFigure = z.infer<typeof groupFigure>;
export type ModelFigure = z.infer<typeof modelFigure>;
export type FailedAnswersFigure = z.infer<typeof failedAnswersFigure>;
export type SlotFigure = z.infer<typeof slotFigure>;
export type SnapshotError = z.infer<typeof snapshotError>;
export type ConsoleSnapshot = z.infer<typeof consoleSnapshot>;
