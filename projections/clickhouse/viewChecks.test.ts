import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUANTILE_SAMPLE, sameFigures, viewChecks } from './viewChecks.ts';

const check = viewChecks.find((c) => c.view === 'canary_vs_stable')!;
const row = (runs: number, p99: number, extra: Record<string, unknown> = {}) => ({
  model_version: 'v1',
  runs,
  p50: 110,
  p99,
  ...extra,
});

test('up to the quantile sample, a view equals its direct aggregate exactly', () => {
  assert.equal(sameFigures(check, [row(QUANTILE_SAMPLE, 740)], [row(QUANTILE_SAMPLE, 740)]), true);
  assert.equal(sameFigures(check, [row(QUANTILE_SAMPLE, 772.09)], [row(QUANTILE_SAMPLE, 740.09)]), false);
});

test('past the sample, a quantile is an estimate: it must be there, the exact figures must agree', () => {
  const many = QUANTILE_SAMPLE + 1;
  assert.equal(sameFigures(check, [row(many, 1526.18)], [row(many, 1734.89)]), true, 'two estimates');
  assert.equal(
    sameFigures(check, [row(many, 740, { p99: null })], [row(many, 740)]),
    false,
    'NULL is no estimate',
  );
  assert.equal(sameFigures(check, [row(many, 740)], [row(many + 1, 740)]), false, 'a count differs');
  assert.equal(sameFigures(check, [row(many, 740)], [row(many, 740), row(1, 1)]), false, 'a row is missing');
  assert.equal(
    sameFigures(check, [row(many, 740, { tokens_per_s: 95.8 })], [row(many, 740, { tokens_per_s: 95.9 })]),
    false,
    'a rate is exact',
  );
});

test('a view without quantiles is compared exactly whatever its counts', () => {
  const usage = viewChecks.find((c) => c.view === 'usage_per_user_day')!;
  assert.equal(usage.estimated, undefined);
  assert.equal(sameFigures(usage, [row(100_000, 772)], [row(100_000, 740)]), false);
});
