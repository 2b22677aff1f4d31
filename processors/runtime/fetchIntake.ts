// Takes each fetched batch in: waits for room in the buffer, decodes the records in log order and
// hands them to the executor (or, undecodable, to the dead-letter topic), then moves the fetch
// position on. The loop runs for every record at full rate, so it awaits only when a record must
// wait (for room or for its schema): a record that need not wait costs no promise.
import type { EachBatchPayload } from 'kafkajs';
import type { InFlightWindow } from '../../core/inFlightWindow.ts';
import type { DecodedEvent, EventSerde } from '../../schemas/serde.ts';
import { sourceRecordOf } from './deadLetter.ts';
import type { DeadLetterSender } from './deadLetterSender.ts';
import type { KeyedExecutor } from './keyedExecutor.ts';
import type { ProcessorMetrics } from './metrics.ts';
import type { OffsetCommitter, TakenPosition } from './offsetCommitter.ts';
import { parseOffset } from './offsetTracker.ts';
import type { ProcessorRecord } from './processorDefinition.ts';

export interface TakenRecord extends TakenPosition {
  record: ProcessorRecord;
}

export interface FetchIntakeOptions {
  /** Records fetched and not yet done; a record takes a slot here before it is taken. */
  buffered: InFlightWindow;
  serde: EventSerde;
  executor: KeyedExecutor<TakenRecord>;
  offsets: OffsetCommitter;
  deadLetters: DeadLetterSender;
  isStopping: () => boolean;
  metrics: ProcessorMetrics;
}

export class FetchIntake {
  private readonly fetchedAge;

  constructor(private readonly options: FetchIntakeOptions) {
    this.fetchedAge = options.metrics.recordAgeSeconds.labels('fetched');
  }

  /**
   * Hands the batch's records to the executor and returns once they are taken, not done: the next
   * fetch overlaps their handling (as in Confluent's Parallel Consumer), so a record waits for the
   * records ahead of it under its key and for room in the buffer, never for a whole batch.
   */
  async eachBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const { buffered, serde, executor, offsets, deadLetters, isStopping, metrics } = this.options;
    const { topic, partition } = batch;
    const tracker = offsets.tracker(topic, partition);
    let lastTaken: string | undefined;
    let taken = 0;
    const fetchedAt = Date.now();
    // Heartbeat while waiting for room, so a long sink outage does not cost the partitions.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 3_000);
    try {
      // Whether to stop can change only across an await (kafkajs' isStale costs a JSON.stringify).
      let mayHaveChanged = true;
      for (const message of batch.messages) {
        if (!buffered.tryAcquire()) {
          await buffered.acquire();
          mayHaveChanged = true;
        }
        if (mayHaveChanged && (!isRunning() || isStale() || isStopping())) {
          buffered.release();
          break;
        }
        mayHaveChanged = false;
        const offset = parseOffset(message.offset);
        tracker.add(offset);
        lastTaken = message.offset;
        taken++;
        const producedAt = Number(message.timestamp);
        this.fetchedAge.observe((fetchedAt - producedAt) / 1000);
        const source = sourceRecordOf(topic, partition, message);
        // Decoded here, in log order: a record whose schema must first be fetched holds back the
        // records behind it, so no record of its key can overtake it.
        let decoded: DecodedEvent;
        try {
          const known = serde.decodeKnown(source.value);
          if (known) decoded = known;
          else {
            decoded = await serde.decode(source.value);
            mayHaveChanged = true;
          }
        } catch (error) {
          // Undecodable: no retry can fix the bytes.
          const position: TakenPosition = { topic, partition, offset, tracker, producedAt };
          deadLetters.send(source, error, 1).then(
            () => offsets.completed(position),
            (dlqError: unknown) => offsets.notHandled(position, dlqError),
          );
          continue;
        }
        const record: ProcessorRecord = { ...source, name: decoded.name, event: decoded.event };
        executor.submit({ topic, partition, offset, tracker, producedAt, record });
      }
    } finally {
      clearInterval(beat);
      // Taken, not committed: the fetch position moves on; commits follow completed work only.
      if (lastTaken !== undefined) resolveOffset(lastTaken);
      metrics.consumed.inc({ topic }, taken);
    }
    const last = batch.messages.at(-1);
    if (last)
      metrics.lag.set(
        { topic, partition: String(partition) },
        Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n),
      );
  }
}
