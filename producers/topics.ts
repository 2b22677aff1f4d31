// Topic provisioning: the topics the platform needs, created or brought in line idempotently.
// A second run with the same settings changes nothing and says so.
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { ClientConfig } from '../core/config.ts';
import { deadLetterTopic, topics } from '../schemas/catalog.ts';

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

// kafkajs is CommonJS; Node's ESM loader does not see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;
const DAY_MS = 24 * 60 * 60 * 1000;

export function topicSpecs(config: ClientConfig['topics']): TopicSpec[] {
  const { partitions, replicationFactor, retentionDays } = config;
  const retention = retentionDays < 0 ? '-1' : String(Math.round(retentionDays * DAY_MS));
  const durability = { 'min.insync.replicas': String(Math.min(2, replicationFactor)) };
  // Events are the system of record: kept forever unless PARLEY_TOPIC_RETENTION_DAYS says otherwise.
  const eventLog = { 'cleanup.policy': 'delete', 'retention.ms': retention, ...durability };
  const specs: TopicSpec[] = [
    { topic: topics.identity, partitions, replicationFactor, configs: eventLog },
    { topic: topics.chat, partitions, replicationFactor, configs: eventLog },
    // Shadow answers, keyed like the chat topic: analytics join them to the live answers by chat.
    { topic: topics.shadow, partitions, replicationFactor, configs: eventLog },
    // Model lifecycle events are rare; one partition keeps them totally ordered.
    { topic: topics.model, partitions: 1, replicationFactor, configs: eventLog },
    {
      topic: topics.feedback,
      partitions,
      replicationFactor,
      // Latest record per message_id wins; fine-tuning pipelines read the compacted view.
      configs: {
        'cleanup.policy': 'compact',
        'min.compaction.lag.ms': String(60 * 60 * 1000),
        ...durability,
      },
    },
  ];
  const deadLetters = specs.map((spec) => ({
    topic: deadLetterTopic(spec.topic),
    partitions: 1,
    replicationFactor,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS), ...durability },
  }));
  return [...specs, ...deadLetters];
}

export interface ProvisionReport {
  created: string[];
  partitionsAdded: string[];
  configsUpdated: string[];
  warnings: string[];
}

export async function provisionTopics(admin: Admin, specs: TopicSpec[]): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], partitionsAdded: [], configsUpdated: [], warnings: [] };
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) {
    const toCreate: ITopicConfig[] = missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.partitions,
      replicationFactor: s.replicationFactor,
      configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
    }));
    await admin.createTopics({ topics: toCreate, waitForLeaders: true });
    report.created.push(...missing.map((s) => s.topic));
  }
  const present = specs.filter((s) => existing.has(s.topic));
  if (present.length === 0) return report;

  const metadata = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
  for (const spec of present) {
    const topic = metadata.topics.find((t) => t.name === spec.topic)!;
    const actual = topic.partitions.length;
    const replicas = topic.partitions[0]?.replicas.length ?? 0;
    if (actual < spec.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: spec.topic, count: spec.partitions }] });
      report.partitionsAdded.push(`${spec.topic}: ${actual} → ${spec.partitions}`);
    } else if (actual > spec.partitions) {
      report.warnings.push(
        `${spec.topic} has ${actual} partitions, more than ${spec.partitions}; Kafka cannot remove partitions`,
      );
    }
    if (replicas !== spec.replicationFactor) {
      report.warnings.push(
        `${spec.topic} has replication factor ${replicas}, not ${spec.replicationFactor}; reassign partitions to change it`,
      );
    }
  }

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((s) => ({
      type: ConfigResourceTypes.TOPIC,
      name: s.topic,
      configNames: Object.keys(s.configs),
    })),
  });
  const drifted = present.filter((spec) => {
    const resource = described.resources.find((r) => r.resourceName === spec.topic);
    return Object.entries(spec.configs).some(
      ([name, value]) => resource?.configEntries.find((e) => e.configName === name)?.configValue !== value,
    );
  });
  if (drifted.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: drifted.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.topic,
        configEntries: Object.entries(s.configs).map(([name, value]) => ({ name, value })),
      })),
    });
    report.configsUpdated.push(...drifted.map((s) => s.topic));
  }
  return report;
}
