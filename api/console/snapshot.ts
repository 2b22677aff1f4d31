// One console snapshot from its three sources (Kafka, ClickHouse, the processors' /metrics), read
// side by side, each within its own bound: a source that fails or hangs leaves its sections null
// and a line in `errors`, never a hung request or a 500.
import { within } from '../../core/within.ts';
import { errorText } from './errorText.ts';
import type { KafkaFigures } from './kafkaFigures.ts';
import type { ModelFigures } from './modelFigures.ts';
import type { SlotFigures } from './slotFigures.ts';
import type { ConsoleSnapshot, SnapshotError } from './snapshotSchema.ts';

/** The span of the latency, TTFT and failed-answer figures. */
export const WINDOW_MINUTES = 5;
/** Each source's bound: under the page's 2 s refresh, so a slow source never stacks requests up. */
export const SOURCE_TIMEOUT_MS = 1_500;

export interface SnapshotReaders {
  kafka(): Promise<KafkaFigures>;
  /** `signal` aborts when the bound is reached (the readers cancel their requests). */
  models(since: Date, signal: AbortSignal): Promise<ModelFigures>;
  slots(signal: AbortSignal): Promise<SlotFigures>;
}

export interface SnapshotOptions {
  now?: Date;
  timeoutMs?: number;
}

type Source = SnapshotError['source'];

export async function takeSnapshot(
  readers: SnapshotReaders,
  options: SnapshotOptions = {},
): Promise<ConsoleSnapshot> {
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? SOURCE_TIMEOUT_MS;
  const errors: SnapshotError[] = [];
  /** The source's figures, or undefined (and an error) when it failed or ran out of time. */
  const bounded = async <T>(source: Source, read: (signal: AbortSignal) => Promise<T>) => {
    const abort = new AbortController();
    try {
      return await within(source, timeoutMs, read(abort.signal));
    } catch (error) {
      errors.push({ source, message: errorText(error) });
      return undefined;
    } finally {
      abort.abort();
    }
  };
  const since = new Date(now.getTime() - WINDOW_MINUTES * 60_000);
  const [kafka, models, slots] = await Promise.all([
    bounded('kafka', () => readers.kafka()),
    bounded('clickhouse', (signal) => readers.models(since, signal)),
    bounded('metrics', (signal) => readers.slots(signal)),
  ]);
  // Partial answers name what they left out.
  for (const message of kafka?.errors ?? []) errors.push({ source: 'kafka', message });
  for (const message of slots?.errors ?? []) errors.push({ source: 'metrics', message });
  return {
    at: now.toISOString(),
    window_minutes: WINDOW_MINUTES,
    topics: kafka?.topics ?? null,
    dead_letters: kafka?.deadLetters ?? null,
    groups: kafka?.groups ?? null,
    models: models?.models ?? null,
    failed_answers: models?.failedAnswers ?? null,
    slots: slots?.slots ?? null,
    errors,
  };
}
