import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Admin } from 'kafkajs';
import type { ConsoleSources } from './consoleSources.ts';
import { readKafkaFigures } from './kafkaFigures.ts';

type Offsets = Array<{ partition: number; low: string; high: string }>;

/** The two admin calls the console makes, over fixed offsets; a topic not listed is unknown. */
function fakeAdmin(
  topics: Record<string, Offsets>,
  groups: Record<string, Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>,
): Admin {
  return {
    fetchTopicOffsets: async (topic: string) => {
      const offsets = topics[topic];
      if (!offsets) throw new Error('This server does not host this topic-partition');
      return offsets.map((o) => ({ ...o, offset: o.high }));
    },
    fetchOffsets: async ({ groupId }: { groupId: string }) => {
      if (groupId === 'unreachable') throw new Error('The coordinator is not available');
      return (groups[groupId] ?? []).map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ ...p, metadata: null })),
      }));
    },
  } as unknown as Admin;
}

const sources = (overrides: Partial<ConsoleSources>): ConsoleSources => ({
  topics: [],
  deadLetterTopics: [],
  groups: [],
  metricsUrls: [],
  clickhouseDatabase: 'parley',
  ...overrides,
});

const chat: Offsets = [
  { partition: 0, low: '0', high: '100' },
  { partition: 1, low: '40', high: '50' },
  { partition: 2, low: '0', high: '7' },
];

test('end offsets are summed over partitions; a dead-letter topic names its source', async () => {
  const figures = await readKafkaFigures(
    fakeAdmin({ 'parley.chat': chat, 'parley.chat.dlq': [{ partition: 0, low: '0', high: '2' }] }, {}),
    sources({ topics: ['parley.chat'], deadLetterTopics: ['parley.chat.dlq'] }),
  );
  assert.deepEqual(figures.topics, [{ topic: 'parley.chat', partitions: 3, end_offset: 157 }]);
  assert.deepEqual(figures.deadLetters, [
    { topic: 'parley.chat.dlq', source_topic: 'parley.chat', end_offset: 2 },
  ]);
  assert.deepEqual(figures.errors, []);
});

test('lag: end minus committed per partition; uncommitted or trimmed partitions count from the log start', async () => {
  const figures = await readKafkaFigures(
    fakeAdmin(
      { 'parley.chat': chat },
      {
        busy: [
          {
            topic: 'parley.chat',
            partitions: [
              { partition: 0, offset: '90' }, // 10 behind
              { partition: 1, offset: '10' }, // below the log start (40): 10 behind, not 40
              { partition: 2, offset: '-1' }, // nothing committed: all 7
            ],
          },
        ],
        idle: [{ topic: 'parley.chat', partitions: [{ partition: 0, offset: '100' }] }],
      },
    ),
    sources({
      groups: [
        { processor: 'cassandra', groupId: 'busy' },
        { processor: 'inference', groupId: 'idle' },
        { processor: 'feedback', groupId: 'never-started' },
      ],
    }),
  );
  assert.deepEqual(figures.groups, [
    { processor: 'cassandra', group_id: 'busy', lag: 27, topics: [{ topic: 'parley.chat', lag: 27 }] },
    { processor: 'inference', group_id: 'idle', lag: 0, topics: [{ topic: 'parley.chat', lag: 0 }] },
    { processor: 'feedback', group_id: 'never-started', lag: null, topics: [] },
  ]);
});

test('what cannot be read is named once and left out; when nothing can be read, it throws', async () => {
  const admin = fakeAdmin(
    { 'parley.chat': chat },
    { busy: [{ topic: 'gone', partitions: [{ partition: 0, offset: '1' }] }] },
  );
  const figures = await readKafkaFigures(
    admin,
    sources({
      topics: ['parley.chat', 'gone'],
      deadLetterTopics: ['gone'],
      groups: [
        { processor: 'cassandra', groupId: 'busy' },
        { processor: 'inference', groupId: 'unreachable' },
      ],
    }),
  );
  assert.equal(figures.topics.length, 1);
  assert.deepEqual(figures.groups, [{ processor: 'cassandra', group_id: 'busy', lag: 0, topics: [] }]);
  assert.deepEqual(figures.errors, [
    'gone: This server does not host this topic-partition',
    'group unreachable: The coordinator is not available',
  ]);
  await assert.rejects(
    readKafkaFigures(
      admin,
      sources({ topics: ['gone'], groups: [{ processor: 'x', groupId: 'unreachable' }] }),
    ),
    /gone: This server does not host this topic-partition/,
  );
});
