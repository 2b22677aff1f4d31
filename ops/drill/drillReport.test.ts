import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drillReportMarkdown } from './drillReport.ts';
import { FAULTS, selectFaults } from './faults.ts';
import { verdict, type FaultReport } from './runDrill.ts';

const clean = (): FaultReport => ({
  fault: 'kafka',
  tally: { sent: 10, accepted: [], refused: new Map([[503, 2]]), unanswered: 1, reads: 0, readFailures: 0 },
  recoveryMs: 15_100,
  catchUpMs: 2_000,
  downstream: {
    promptsMissing: 0,
    promptsDoubled: 0,
    answersMissing: 0,
    answersDoubled: 0,
    answersFailed: 1,
    duplicateEvents: 0,
  },
  history: { missing: 0, doubled: 0 },
  reconciles: [{ name: 'reconcile cassandra', ok: true, summary: '✓ no differences' }],
});

test('a fault passes only with nothing lost, doubled or missing, a recovery, and agreeing reconciles', () => {
  assert.equal(verdict(clean()), true, 'a failed answer is an outcome, not a loss');
  const broken: Array<(r: FaultReport) => void> = [
    (r) => (r.downstream.promptsMissing = 1),
    (r) => (r.downstream.answersDoubled = 1),
    (r) => (r.downstream.duplicateEvents = 1),
    (r) => (r.downstream.answersMissing = 1),
    (r) => (r.history.missing = 1),
    (r) => (r.recoveryMs = undefined),
    (r) => (r.reconciles[0]!.ok = false),
    (r) => (r.error = 'boom'),
  ];
  for (const breakIt of broken) {
    const report = clean();
    breakIt(report);
    assert.equal(verdict(report), false, breakIt.toString());
  }
});

test('the report has one row per fault with its counts, and marks a failure', () => {
  const failing = clean();
  failing.fault = 'redis';
  failing.downstream.promptsMissing = 3;
  const markdown = drillReportMarkdown([clean(), failing], '# drill');
  assert.match(
    markdown,
    /^\| kafka \| pass \| 10 \| 0 \| 2×503 \| 1 \| 0 \| 0 \| 0 \| 0 \| 1 \| 0\/0 \| 15\.1 s \| 2\.0 s \|/m,
  );
  assert.match(markdown, /^\| redis \| \*\*FAIL\*\* \| 10 \| 0 \| 2×503 \| 1 \| 3 \|/m);
});

test('faults are chosen by name; an unknown one is refused, naming the known ones', () => {
  assert.equal(selectFaults(undefined).length, FAULTS.length);
  assert.deepEqual(
    selectFaults(['api', 'kafka']).map((f) => f.name),
    ['api', 'kafka'],
  );
  assert.throws(
    () => selectFaults(['kafak']),
    /unknown fault kafak; faults are: processor-cassandra, .*model-server/,
  );
});
