// The export end to end on a feedback topic of its own: records published by the event producer
// (a re-rating replacing an older record, tombstones from a kafkajs producer, answers outside the
// window and of another model), read as a snapshot, exported in every format, each file checked
// against its schema, and every live record accounted for with its reason.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Partitioners } from 'kafkajs';
import { createKafka } from '../../../core/clients.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import type { FeedbackRecord } from '../../../schemas/generated/events.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, repoRoot } from '../../../test-helpers/config.ts';
import { createFeedbackTopic, publishTombstones } from '../../../test-helpers/feedback.ts';
import { buildDataset } from '../buildDataset.ts';
import { exportDatasets, type ExportOutcome } from '../exportDatasets.ts';
import { reasons } from '../exportFilter.ts';
import { promptFeedback, T0 } from '../feedback.fixture.ts';
import { readFeedbackSnapshot } from '../feedbackSnapshot.ts';
import { formatNames, type FormatName } from '../formats/index.ts';
import { schemaPath } from '../lineValidator.ts';

const DAY = 86_400_000;
const window = { since: Date.UTC(2025, 0, 15), until: Date.UTC(2025, 0, 16), model: 'parley-2' };
const context = [
  { role: 'system', content: 'You are Parley.' },
  { role: 'user', content: 'I am planning a trip.' },
  { role: 'assistant', content: 'Where to?' },
];
const answer = (
  text: string,
  rating: 'THUMBS_UP' | 'THUMBS_DOWN' | null,
  model = 'parley-2',
  ratedAt?: number,
) => ({
  answer: text,
  rating,
  model,
  ratedAt,
});

// A: one liked and two disliked regenerations, in a conversation: two pairs.
const a = promptFeedback({
  prompt: 'Capital of France?',
  context,
  answers: [answer('Paris.', 'THUMBS_UP'), answer('Lyon.', 'THUMBS_DOWN'), answer('Nice.', 'THUMBS_DOWN')],
});
// B: a single liked answer: SFT and KTO, no pair.
const b = promptFeedback({ prompt: 'Say hi', answers: [answer('hi', 'THUMBS_UP')] });
// C: both liked at first; then the second is re-rated thumbs down (new records replace both).
const c = promptFeedback({
  prompt: 'Two plus two?',
  answers: [answer('4', 'THUMBS_UP'), answer('5', 'THUMBS_UP')],
});
const cReRated = promptFeedback({
  prompt: 'Two plus two?',
  chatId: c[0]!.chat_id,
  promptMessageId: c[0]!.prompt_message_id,
  answers: [
    { ...answer('4', 'THUMBS_UP'), messageId: c[0]!.message_id },
    { ...answer('5', 'THUMBS_DOWN', 'parley-2', T0 + 3_600_000), messageId: c[1]!.message_id },
  ],
});
// D: a pair whose chat was deleted: both tombstoned. E: only the disliked answer tombstoned.
const d = promptFeedback({
  prompt: 'Secret?',
  answers: [answer('yes', 'THUMBS_UP'), answer('no', 'THUMBS_DOWN')],
});
const e = promptFeedback({
  prompt: 'Colour?',
  answers: [answer('blue', 'THUMBS_UP'), answer('red', 'THUMBS_DOWN')],
});
// F: rated the day before the window. G: another model.
const f = promptFeedback({ prompt: 'Old?', answers: [answer('yes', 'THUMBS_UP', 'parley-2', T0 - DAY)] });
const g = promptFeedback({ prompt: 'Model?', answers: [answer('one', 'THUMBS_UP', 'parley-1')] });

const ids = (...records: FeedbackRecord[]) => records.map((r) => r.message_id);
const [a1, a2, a3] = a as [FeedbackRecord, FeedbackRecord, FeedbackRecord];
const [c1, c2] = cReRated as [FeedbackRecord, FeedbackRecord];
const [e1, e2] = e as [FeedbackRecord, FeedbackRecord];
const [b1, f1, g1] = [b[0]!, f[0]!, g[0]!];

let producer: EventProducer;
before(async () => {
  producer = await createEventProducer(config.clients);
});

const publish = (topic: string, records: FeedbackRecord[]) =>
  within(
    'publishing feedback',
    60_000,
    producer.publishMany(
      records.map((event) => ({ name: 'FeedbackRecord' as const, event })),
      { topic },
    ),
  );

/** A feedback topic of the test's own holding the story above: records, a re-rating, tombstones. */
async function seededTopic(): Promise<string> {
  const topic = await createFeedbackTopic(3);
  await publish(topic, [...a, ...b, ...c, ...d, ...e, ...f, ...g]);
  await publish(topic, cReRated);
  await publishTombstones(topic, [...ids(...d), e2.message_id]);
  return topic;
}
after(() => producer.close());

const fileLines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

function validateFile(format: FormatName, lines: string[]): void {
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(schemaPath(format), 'utf8')) as object,
  );
  lines.forEach((line, i) =>
    assert.ok(validate(JSON.parse(line)), `${format} line ${i + 1}: ${JSON.stringify(validate.errors)}`),
  );
}

test(
  'the snapshot applies latest-wins and tombstones; every format is exported and accounted for',
  { timeout: 120_000 },
  async () => {
    const topic = await seededTopic();
    const dir = await mkdtemp(join(tmpdir(), 'dataset-export-'));
    const snapshot = await within(
      'reading the snapshot',
      60_000,
      readFeedbackSnapshot(config.clients, { topic }),
    );
    assert.deepEqual(snapshot.stats, { read: 17, superseded: 2, tombstones: 3, removed: 3 });
    assert.deepEqual(snapshot.unreadable, []);
    assert.deepEqual(ids(...snapshot.records).sort(), ids(a1, a2, a3, b1, c1, c2, e1, f1, g1).sort());
    assert.equal(snapshot.records.find((r) => r.message_id === c2.message_id)!.rating, 'THUMBS_DOWN');

    const outcomes = await exportDatasets(
      snapshot.records,
      formatNames.map((format) => ({ format, out: join(dir, `${format}.jsonl`) })),
      window,
    );
    const byFormat = new Map(outcomes.map((o) => [o.format, o])) as Map<FormatName, ExportOutcome>;
    for (const outcome of outcomes) {
      assert.ok(outcome.written, outcome.format);
      const lines = await fileLines(outcome.out);
      assert.deepEqual(lines, outcome.lines, outcome.format);
      validateFile(outcome.format, lines);
      assert.deepEqual(outcome.report.unexplained, []);
      assert.equal(outcome.report.live, 9);
    }

    const expected: Record<
      FormatName,
      { lines: number; exported: string[]; leftOut: Record<string, string[]> }
    > = {
      'openai-sft': {
        lines: 4,
        exported: ids(a1, b1, c1, e1),
        leftOut: {
          [reasons.outsideWindow]: ids(f1),
          [reasons.negativeNotSft]: ids(a2, a3, c2),
          [reasons.otherModel]: ids(g1),
        },
      },
      'openai-dpo': {
        lines: 3,
        exported: ids(a1, a2, a3, c1, c2),
        leftOut: {
          [reasons.outsideWindow]: ids(f1),
          [reasons.otherModel]: ids(g1),
          [reasons.noOppositeSibling]: ids(b1),
          [reasons.oppositeSiblingRemoved]: ids(e1),
        },
      },
      'trl-preference': { lines: 3, exported: [], leftOut: {} },
      'trl-kto': {
        lines: 7,
        exported: ids(a1, a2, a3, b1, c1, c2, e1),
        leftOut: { [reasons.outsideWindow]: ids(f1), [reasons.otherModel]: ids(g1) },
      },
    };
    expected['trl-preference'] = expected['openai-dpo'];
    for (const format of formatNames) {
      const { report } = byFormat.get(format)!;
      const want = expected[format];
      assert.equal(report.lines, want.lines, format);
      assert.equal(report.exported, want.exported.length, format);
      const leftOut = Object.fromEntries(
        [...report.leftOut].map(([reason, list]) => [reason, [...list].sort()]),
      );
      const wanted = Object.fromEntries(
        Object.entries(want.leftOut).map(([reason, list]) => [reason, [...list].sort()]),
      );
      assert.deepEqual(leftOut, wanted, format);
    }

    // The conversation is carried into every pair; the tombstoned answers are nowhere.
    const dpo = (await fileLines(join(dir, 'openai-dpo.jsonl'))).map((l) => JSON.parse(l));
    assert.deepEqual(dpo[0].input.messages, [...context, { role: 'user', content: 'Capital of France?' }]);
    assert.deepEqual(
      dpo.map(
        (l: { preferred_output: { content: string }[]; non_preferred_output: { content: string }[] }) => [
          l.preferred_output[0]!.content,
          l.non_preferred_output[0]!.content,
        ],
      ),
      [
        ['Paris.', 'Lyon.'],
        ['Paris.', 'Nice.'],
        ['4', '5'],
      ],
    );
    const everything = (
      await Promise.all(formatNames.map((f) => readFile(join(dir, `${f}.jsonl`), 'utf8')))
    ).join('');
    for (const gone of ['Secret?', '"red"']) assert.ok(!everything.includes(gone), gone);
  },
);

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'ops/cli/dataset.ts', ...args], {
      cwd: repoRoot,
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test(
  '`npm run dataset -- export` writes the same files and reports every reason',
  { timeout: 240_000 },
  async () => {
    const topic = await seededTopic();
    const outDir = await mkdtemp(join(tmpdir(), 'dataset-cli-'));
    const args = ['export', '--format', 'all', '--out-dir', outDir, '--topic', topic, '--model', 'parley-2'];
    const window2 = ['--since', '2025-01-15', '--until', '2025-01-16T00:00Z'];
    const run = await runCli([...args, ...window2, '--explain']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const { records } = await readFeedbackSnapshot(config.clients, { topic });
    for (const format of formatNames)
      assert.equal(
        await readFile(join(outDir, `${format}.jsonl`), 'utf8'),
        buildDataset(format, records, window)
          .lines.map((line) => `${line}\n`)
          .join(''),
        format,
      );
    assert.match(
      run.stdout,
      /: 17 records read, 9 live \(2 superseded .*, 3 removed by 3 tombstones\), 0 unreadable/,
    );
    assert.match(
      run.stdout,
      /✓ openai-sft: 4 examples → .*openai-sft\.jsonl\n {4}9 live, 7 in the window, 4 exported, 5 left out/,
    );
    assert.match(run.stdout, / 3 {2}negative rating: not an SFT example\n(?: {8}[0-9a-f-]{36}\n){3}/);
    assert.match(run.stdout, /✓ openai-dpo: 3 pairs/);
    assert.match(run.stdout, / 1 {2}opposite-rated sibling has no live feedback record\n {8}[0-9a-f-]{36}\n/);
    assert.match(run.stdout, /✓ trl-kto: 7 examples/);
    assert.match(run.stderr, /100% \(\d+\/\d+ offsets\)/);

    // A record that is not a FeedbackRecord: reported, and the exit code says the topic needs a look.
    const kafkajs = createKafka(config.clients, 'test-garbage').producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await kafkajs.connect();
    await kafkajs.send({ topic, messages: [{ key: 'not-an-answer', value: Buffer.from('not avro') }] });
    await kafkajs.disconnect();
    const sft = join(outDir, 'sft.jsonl');
    const unreadable = await runCli(['export', '--format', 'openai-sft', '--out', sft, '--topic', topic]);
    assert.equal(unreadable.code, 1, unreadable.stderr + unreadable.stdout);
    assert.match(
      unreadable.stdout,
      /1 unreadable\n {2}unreadable: partition \d+ offset \d+ key not-an-answer: not Confluent wire format/,
    );
    // Without a window or model filter: every liked answer, and the file is written all the same.
    assert.match(unreadable.stdout, /✓ openai-sft: 6 examples/);
    assert.equal((await fileLines(sft)).length, 6);
  },
);
