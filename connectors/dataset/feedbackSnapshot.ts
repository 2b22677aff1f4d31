// Reads the feedback topic from the beginning up to its end offsets at the start (a snapshot: what
// arrives meanwhile waits for the next export) and keeps what is live: latest record per key,
// tombstoned keys removed.
import { createSchemaRegistry } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { readTopicSnapshotRecords, type SnapshotRecord } from '../../core/kafkaProgress.ts';
import { topics } from '../../schemas/catalog.ts';
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { EventSerde, UnknownSchemaError } from '../../schemas/serde.ts';
import { FeedbackState, type SnapshotStats, type UnreadableRecord } from './feedbackState.ts';

export interface FeedbackSnapshot {
  topic: string;
  /** The live records (latest per answer, tombstoned answers gone), in no particular order. */
  records: FeedbackRecord[];
  /** Latest values that are not FeedbackRecords of their key: never exported, always reported. */
  unreadable: UnreadableRecord[];
  stats: SnapshotStats;
}

export interface FeedbackSnapshotOptions {
  /** Default: the platform's feedback topic. */
  topic?: string;
  serde?: EventSerde;
  onProgress?: (done: bigint, total: bigint) => void;
}

export async function readFeedbackSnapshot(
  config: ClientConfig,
  options: FeedbackSnapshotOptions = {},
): Promise<FeedbackSnapshot> {
  const topic = options.topic ?? topics.feedback;
  const serde = options.serde ?? new EventSerde(createSchemaRegistry(config));
  const state = new FeedbackState();
  try {
    await readTopicSnapshotRecords(config, topic, (record) => apply(state, serde, record), {
      onProgress: options.onProgress,
    });
  } catch (error) {
    // kafkajs says "This server does not host this topic-partition", without the topic.
    if (unknownTopic(error) || unknownTopic((error as { cause?: unknown }).cause))
      throw new Error(`topic ${topic} does not exist`, { cause: error });
    throw error;
  }
  return { topic, records: state.live(), unreadable: state.unreadableRecords(), stats: state.stats };
}

async function apply(state: FeedbackState, serde: EventSerde, record: SnapshotRecord): Promise<void> {
  const key = record.key?.toString('utf8') ?? null;
  if (record.value === null) return state.tombstone(key);
  const unreadable = (error: string) =>
    state.unreadable({ key, partition: record.partition, offset: record.offset, error });
  let decoded;
  try {
    decoded = serde.decodeKnown(record.value) ?? (await serde.decode(record.value));
  } catch (error) {
    // The record is at fault when its writer's schema is now known (its body did not decode) or
    // was not a Parley event; otherwise the registry failed, which says nothing about the record.
    const recordAtFault = error instanceof UnknownSchemaError || knownSchema(serde, record.value);
    if (!recordAtFault) throw error;
    return unreadable(error instanceof Error ? error.message : String(error));
  }
  if (decoded.name !== 'FeedbackRecord') return unreadable(`a ${decoded.name}, not a FeedbackRecord`);
  const feedback = decoded.event as FeedbackRecord;
  // The key is the answer: a record under another key would survive its answer's tombstone.
  if (key !== feedback.message_id)
    return unreadable(`key ${JSON.stringify(key)} is not its message_id ${feedback.message_id}`);
  state.put(key, feedback);
}

function knownSchema(serde: EventSerde, value: Buffer): boolean {
  try {
    return serde.decodeKnown(value) !== undefined;
  } catch {
    return true;
  }
}

const unknownTopic = (error: unknown) =>
  (error as { type?: string } | undefined)?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
