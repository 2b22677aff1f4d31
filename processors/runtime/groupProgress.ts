// How far a consumer group is through a topic: its committed offsets against the topic's end.
import type { Admin } from 'kafkajs';

export async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
}

/** Committed offsets (next to read) per partition; 0 where the group has committed nothing. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset === '-1' ? '0' : p.offset)]),
  );
}

/** True once the group has committed every partition up to `target` (default: the current end). */
export async function hasCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  target?: Map<number, bigint>,
): Promise<boolean> {
  const goal = target ?? (await endOffsets(admin, topic));
  const done = await committedOffsets(admin, groupId, topic);
  return [...goal].every(([partition, high]) => (done.get(partition) ?? 0n) >= high);
}
