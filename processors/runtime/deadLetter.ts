// The dead-letter record: the original key, value and headers, plus why and where it failed.
import type { KafkaMessage } from 'kafkajs';
import type { OutgoingRecord } from '../../producers/transport.ts';
import { deadLetterTopic } from '../../schemas/catalog.ts';

export const DLQ_HEADERS = {
  reason: 'parley-dlq-reason',
  errorClass: 'parley-dlq-error-class',
  sourceTopic: 'parley-dlq-source-topic',
  sourcePartition: 'parley-dlq-source-partition',
  sourceOffset: 'parley-dlq-source-offset',
  stack: 'parley-dlq-stack',
  attempts: 'parley-dlq-attempts',
  processor: 'parley-dlq-processor',
  failedAt: 'parley-dlq-failed-at',
} as const;

/** Headers as the Kafka client hands them over; turned into strings only if dead-lettered. */
export type RecordHeaders = Readonly<Record<string, Buffer | string | Array<Buffer | string> | undefined>>;

/** A fetched Kafka message as a SourceRecord (a null key or value becomes empty). */
export function sourceRecordOf(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: message.headers ?? {},
  };
}

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: RecordHeaders;
}

const headerStrings = (headers: RecordHeaders): Record<string, string> => {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) strings[name] = String(value);
  return strings;
};

export function deadLetterRecord(
  source: SourceRecord,
  error: unknown,
  attempts: number,
  processor: string,
): OutgoingRecord {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const failure = cause instanceof Error ? cause : new Error(String(cause));
  return {
    topic: deadLetterTopic(source.topic),
    key: source.key,
    value: source.value,
    headers: {
      ...headerStrings(source.headers),
      [DLQ_HEADERS.reason]: failure.message.slice(0, 1000),
      [DLQ_HEADERS.errorClass]: failure.name,
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.offset,
      [DLQ_HEADERS.stack]: (failure.stack ?? '').slice(0, 4000),
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.processor]: processor,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    },
  };
}
