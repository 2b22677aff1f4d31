// A fine-tuning pipeline in Python reads the feedback topic with Confluent's own consumer and Avro
// deserializer (connectors/dataset/python/feedback_to_trl.py), and Hugging Face `datasets` loads
// what it wrote. Records come from the TypeScript side: the event producer, a re-rating, tombstones.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { buildDataset } from '../../../connectors/dataset/buildDataset.ts';
import { promptFeedback } from '../../../connectors/dataset/feedback.fixture.ts';
import { readFeedbackSnapshot } from '../../../connectors/dataset/feedbackSnapshot.ts';
import { validateLine } from '../../../connectors/dataset/lineValidator.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import type { FeedbackRecord } from '../../../schemas/generated/events.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, repoRoot } from '../../../test-helpers/config.ts';
import { createFeedbackTopic, publishTombstones } from '../../../test-helpers/feedback.ts';
import { confluentPythonPath } from '../installConfluentPython.ts';
import { hfDatasetsPythonPath, hfLoadJsonlScript } from '../installHfDatasets.ts';

const feedbackToTrl = join(repoRoot, 'connectors/dataset/python/feedback_to_trl.py');
const exec = promisify(execFile);

// Text that JSON escapes, and text it must not: the two writers must agree byte for byte.
const context = [
  { role: 'system', content: "Réponds en français, s'il te plaît." },
  { role: 'user', content: 'Line one\nline "two"\ttab \\ backslash' },
  { role: 'assistant', content: "D'accord ✓ 👍 \u2028 </script>" },
];
const trip = promptFeedback({
  prompt: 'Où aller à Paris ?',
  context,
  answers: [
    { answer: 'Le Louvre.', rating: 'THUMBS_UP' },
    { answer: 'Nulle part.', rating: 'THUMBS_DOWN' },
    { answer: 'Montmartre, puis le Marais.', rating: 'THUMBS_UP' },
    { answer: 'unrated', rating: null },
  ],
});
// Both liked at first; the second is re-rated thumbs down: its new record replaces the old.
const math = promptFeedback({
  prompt: '2+2?',
  answers: [
    { answer: '4', rating: 'THUMBS_UP' },
    { answer: '22', rating: 'THUMBS_UP' },
  ],
});
const mathReRated = promptFeedback({
  prompt: '2+2?',
  chatId: math[0]!.chat_id,
  promptMessageId: math[0]!.prompt_message_id,
  answers: [
    { answer: '4', rating: 'THUMBS_UP', messageId: math[0]!.message_id },
    { answer: '22', rating: 'THUMBS_DOWN', messageId: math[1]!.message_id, ratedAt: Date.UTC(2025, 0, 16) },
  ],
});
// A chat deleted after rating: tombstones for both answers.
const deleted = promptFeedback({
  prompt: 'forget me',
  answers: [
    { answer: 'gone-good', rating: 'THUMBS_UP' },
    { answer: 'gone-bad', rating: 'THUMBS_DOWN' },
  ],
});

let producer: EventProducer;
let confluentPath: string;
let datasetsPath: string;
before(async () => {
  [confluentPath, datasetsPath] = await Promise.all([confluentPythonPath(), hfDatasetsPythonPath()]);
  producer = await createEventProducer(config.clients);
});
after(() => producer.close());

const publish = (topic: string, records: FeedbackRecord[]) =>
  within(
    'publishing feedback',
    60_000,
    producer.publishMany(
      records.map((event) => ({ name: 'FeedbackRecord' as const, event })),
      { topic },
    ),
  );

test(
  'feedback_to_trl.py (confluent-kafka) writes the TRL preference file the TypeScript export writes, and `datasets` loads it',
  { timeout: 300_000 },
  async () => {
    const topic = await createFeedbackTopic(3);
    await publish(topic, [...trip, ...math, ...deleted]);
    await publish(topic, mathReRated);
    await publishTombstones(
      topic,
      deleted.map((r) => r.message_id),
    );

    const dir = await mkdtemp(join(tmpdir(), 'feedback-to-trl-'));
    const out = join(dir, 'trl-preference.jsonl');
    const python = await exec(
      'python3',
      [
        feedbackToTrl,
        '--bootstrap',
        config.clients.kafkaBrokers.join(','),
        '--registry',
        config.clients.schemaRegistryUrl,
        '--topic',
        topic,
        '--out',
        out,
        '--timeout',
        '90',
      ],
      { env: { ...process.env, PYTHONPATH: confluentPath }, timeout: 150_000 },
    );
    // 9 records (the unrated answer has none) and 2 tombstones; 3 + 2 answers live.
    assert.match(python.stderr, /: 11 records read, 5 live, 0 unreadable; 3 pairs -> /);

    const written = await readFile(out, 'utf8');
    const lines = written.split('\n').filter(Boolean);
    lines.forEach((line, i) => validateLine('trl-preference', line, i + 1));
    const snapshot = await readFeedbackSnapshot(config.clients, { topic });
    const typescript = buildDataset('trl-preference', snapshot.records, {});
    assert.equal(written, typescript.lines.map((l) => `${l}\n`).join(''));
    assert.deepEqual(
      lines.map((l) => {
        const { chosen, rejected } = JSON.parse(l) as Record<string, { content: string }[]>;
        return [chosen![0]!.content, rejected![0]!.content];
      }),
      // By the preferred answer's rated_at, then id: the Louvre and "4" at T0, Montmartre a minute later.
      [
        ['Le Louvre.', 'Nulle part.'],
        ['4', '22'],
        ['Montmartre, puis le Marais.', 'Nulle part.'],
      ],
    );

    const loaded = await exec('python3', [hfLoadJsonlScript, out], {
      env: {
        ...process.env,
        PYTHONPATH: datasetsPath,
        HF_DATASETS_CACHE: join(dir, 'hf-cache'),
        HF_HOME: join(dir, 'hf-home'),
        HF_HUB_OFFLINE: '1',
      },
      timeout: 120_000,
    });
    const summary = JSON.parse(loaded.stdout) as {
      num_rows: number;
      columns: string[];
      features: Record<string, string>;
      first: Record<string, unknown>;
    };
    assert.equal(summary.num_rows, 3);
    assert.deepEqual(summary.columns, ['prompt', 'chosen', 'rejected']);
    assert.match(summary.features.prompt!, /content.*role|role.*content/);
    assert.deepEqual(summary.first, JSON.parse(lines[0]!));
  },
);
