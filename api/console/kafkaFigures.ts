// The console's Kafka figures, from one admin client: each watched topic's end offsets (the page
// turns two snapshots into events/s), the dead-letter topics' end offsets, and each processor's
// consumer-group lag (end offset minus committed offset, summed over the partitions it committed).
// A topic or group that cannot be read is left out and named in `errors`; the rest still comes
// back. Only when nothing at all can be read does it throw (Kafka is down).
import type { Admin } from 'kafkajs';
import type { ConsoleSources } from './consoleSources.ts';
import { errorText } from './errorText.ts';
import type { DeadLetterFigure, GroupFigure, TopicFigure } from './snapshotSchema.ts';

export interface KafkaFigures {
  topics: TopicFigure[];
  deadLetters: DeadLetterFigure[];
  groups: GroupFigure[];
  /** One line per topic or group that could not be read. */
  errors: string[];
}

interface PartitionRange {
  low: bigint;
  high: bigint;
}

const sum = (values: Iterable<bigint>) => [...values].reduce((total, value) => total + value, 0n);

export async function readKafkaFigures(admin: Admin, sources: ConsoleSources): Promise<KafkaFigures> {
  // A set: a topic several sections need fails once.
  const errors = new Set<string>();
  // Each topic's offsets are asked for once per snapshot, however many sections need them.
  const asked = new Map<string, Promise<Map<number, PartitionRange>>>();
  const rangesOf = (topic: string) => {
    let ranges = asked.get(topic);
    if (!ranges) {
      ranges = admin
        .fetchTopicOffsets(topic)
        .then(
          (offsets) =>
            new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }])),
        );
      asked.set(topic, ranges);
    }
    return ranges;
  };
  /** The topic's ranges, or undefined (and an error line) when it cannot be read. */
  const tryRanges = async (topic: string) => {
    try {
      return await rangesOf(topic);
    } catch (error) {
      errors.add(`${topic}: ${errorText(error)}`);
      return undefined;
    }
  };
  const endOf = (ranges: Map<number, PartitionRange>) => Number(sum([...ranges.values()].map((r) => r.high)));

  const topicFigures = async (topic: string): Promise<TopicFigure | undefined> => {
    const ranges = await tryRanges(topic);
    return ranges && { topic, partitions: ranges.size, end_offset: endOf(ranges) };
  };
  const deadLetterFigures = async (topic: string): Promise<DeadLetterFigure | undefined> => {
    const ranges = await tryRanges(topic);
    return ranges && { topic, source_topic: topic.replace(/\.dlq$/, ''), end_offset: endOf(ranges) };
  };
  const groupFigures = async ({ processor, groupId }: ConsoleSources['groups'][number]) => {
    let committed: Awaited<ReturnType<Admin['fetchOffsets']>>;
    try {
      // No topics named: every topic the group has committed offsets for.
      committed = await admin.fetchOffsets({ groupId });
    } catch (error) {
      errors.add(`group ${groupId}: ${errorText(error)}`);
      return undefined;
    }
    const perTopic: GroupFigure['topics'] = [];
    for (const { topic, partitions } of committed) {
      const ranges = await tryRanges(topic);
      if (!ranges) continue;
      let lag = 0n;
      for (const { partition, offset } of partitions) {
        const range = ranges.get(partition);
        if (!range) continue;
        // -1: nothing committed there yet; records below `low` are gone (retention), not unread.
        const next = offset === '-1' || BigInt(offset) < range.low ? range.low : BigInt(offset);
        if (range.high > next) lag += range.high - next;
      }
      perTopic.push({ topic, lag: Number(lag) });
    }
    const lag = committed.length === 0 ? null : perTopic.reduce((total, t) => total + t.lag, 0);
    return { processor, group_id: groupId, lag, topics: perTopic } satisfies GroupFigure;
  };

  const [topics, deadLetters, groups] = await Promise.all([
    Promise.all(sources.topics.map(topicFigures)),
    Promise.all(sources.deadLetterTopics.map(deadLetterFigures)),
    Promise.all(sources.groups.map(groupFigures)),
  ]);
  const present = <T>(items: Array<T | undefined>) => items.filter((item): item is T => item !== undefined);
  const figures = {
    topics: present(topics),
    deadLetters: present(deadLetters),
    groups: present(groups),
    errors: [...errors].sort(),
  };
  // Nothing at all could be read: Kafka is down (or unreachable), not one topic missing.
  if (errors.size > 0 && figures.topics.length + figures.deadLetters.length + figures.groups.length === 0)
    throw new Error(figures.errors[0]);
  return figures;
}
