import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDatasetArgs, parseInstant, UsageError } from '../datasetArgs.ts';

const usageError = (pattern: RegExp) => (error: unknown) =>
  error instanceof UsageError && pattern.test(error.message);

test('dates and date-times are UTC unless they carry an offset', () => {
  assert.equal(parseInstant('--since', '2025-01-31'), Date.UTC(2025, 0, 31));
  assert.equal(parseInstant('--since', '2025-01-31T12:30'), Date.UTC(2025, 0, 31, 12, 30));
  assert.equal(parseInstant('--since', '2025-01-31T12:30:15.250Z'), Date.UTC(2025, 0, 31, 12, 30, 15, 250));
  assert.equal(parseInstant('--since', '2025-01-31T12:30+02:00'), Date.UTC(2025, 0, 31, 10, 30));
  for (const bad of ['yesterday', '2025-02-30', '2025-1-1', '2025-01-31T25:00', '1738281600000'])
    assert.throws(() => parseInstant('--until', bad), usageError(/^--until must be an ISO date/));
});

test('one format to --out, several (or all) to --out-dir as <format>.jsonl', () => {
  assert.deepEqual(parseDatasetArgs(['--format', 'openai-sft', '--out', 'x.jsonl']), {
    targets: [{ format: 'openai-sft', out: 'x.jsonl' }],
    filter: {},
    topic: undefined,
    explain: false,
  });
  const all = parseDatasetArgs(['--format', 'all', '--out-dir', 'd', '--model', 'm', '--explain']);
  assert.deepEqual(
    all.targets.map((t) => t.out),
    ['d/openai-sft.jsonl', 'd/openai-dpo.jsonl', 'd/trl-preference.jsonl', 'd/trl-kto.jsonl'],
  );
  assert.deepEqual(all.filter, { model: 'm' });
  assert.equal(all.explain, true);
  const window = parseDatasetArgs([
    '--format=trl-kto,openai-dpo',
    '--out-dir=d',
    '--since=2025-01-01',
    '--until=2025-02-01',
  ]);
  assert.deepEqual(window.filter, { since: Date.UTC(2025, 0, 1), until: Date.UTC(2025, 1, 1) });
  assert.deepEqual(
    window.targets.map((t) => t.format),
    ['trl-kto', 'openai-dpo'],
  );
});

test('every bad flag is a UsageError naming it', () => {
  const cases: [string[], RegExp][] = [
    [['--out', 'x'], /^--format is required/],
    [['--format', 'openai-ppo', '--out', 'x'], /^--format: unknown format "openai-ppo"/],
    [['--format', 'openai-sft'], /--out FILE or --out-dir DIR/],
    [['--format', 'openai-sft', '--out', 'x', '--out-dir', 'd'], /--out FILE or --out-dir DIR/],
    [['--format', 'all', '--out', 'x'], /^--out takes one format, got 4/],
    [['--format', 'trl-kto', '--out', 'x', '--sinse', '2025-01-01'], /'--sinse'/],
    [['--format', 'trl-kto', '--out', 'x', '--since'], /'--since/],
    [['--format', 'trl-kto', '--out', 'x', 'stray'], /'stray'/],
    [
      ['--format', 'trl-kto', '--out', 'x', '--since', '2025-02-01', '--until', '2025-01-01'],
      /^--since .* must be before --until/,
    ],
    [['--format', 'trl-kto', '--out', 'x', '--topic', 'no spaces'], /^--topic must be a Kafka topic name/],
    [['--format', 'trl-kto', '--out', 'x', '--model', ''], /^--model must not be empty/],
  ];
  for (const [argv, pattern] of cases)
    assert.throws(() => parseDatasetArgs(argv), usageError(pattern), argv.join(' '));
});
