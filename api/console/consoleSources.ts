// What the operator console watches: the event topics (their rates), their dead-letter topics, the
// processors' consumer groups (their lag), the processors' /metrics (model-server slots) and the
// analytics database (latency, TTFT, failed answers). Defaults are the platform's own; tests point
// the console at topics, groups and a database of their own.
import type { ClientConfig } from '../../core/config.ts';
import { deadLetterTopic, topics } from '../../schemas/catalog.ts';

export interface WatchedGroup {
  /** What the page calls it. */
  processor: string;
  groupId: string;
}

export interface ConsoleSources {
  topics: string[];
  deadLetterTopics: string[];
  groups: WatchedGroup[];
  metricsUrls: string[];
  clickhouseDatabase: string;
}

/**
 * The processors' consumer groups, named as processors/ names them: `parley.<processor name>`, and
 * the ClickHouse projector's after its database (`parley.clickhouse.<database>`). Spelled out here
 * because api/ may not import processors/; consoleSources.test.ts holds them to the processors' own.
 */
export function platformGroups(clickhouseDatabase: string): WatchedGroup[] {
  return [
    { processor: 'cassandra', groupId: 'parley.cassandra-projector' },
    { processor: 'clickhouse', groupId: `parley.clickhouse.${clickhouseDatabase}` },
    { processor: 'feedback', groupId: 'parley.feedback' },
    { processor: 'inference', groupId: 'parley.inference' },
  ];
}

export function consoleSources(
  config: ClientConfig,
  overrides: Partial<ConsoleSources> = {},
): ConsoleSources {
  const watched = overrides.topics ?? Object.values(topics);
  const clickhouseDatabase = overrides.clickhouseDatabase ?? config.clickhouseProjection.database;
  return {
    topics: watched,
    deadLetterTopics: overrides.deadLetterTopics ?? watched.map(deadLetterTopic),
    groups: overrides.groups ?? platformGroups(clickhouseDatabase),
    metricsUrls: overrides.metricsUrls ?? config.console.metricsUrls,
    clickhouseDatabase,
  };
}
