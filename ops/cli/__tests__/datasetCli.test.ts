// The CLI rejects bad flags before connecting to anything: exit 2, the flag named on stderr.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { repoRoot } from '../../stack/paths.ts';

const dataset = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'ops/cli/dataset.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });

test('bad flags exit 2 naming the flag, with the usage', () => {
  const cases: [string[], RegExp][] = [
    [[], /^usage: npm run dataset -- export/],
    [['import'], /^error: unknown command "import"/],
    [['export', '--format', 'openai-sft', '--out', 'x.jsonl', '--bogus'], /^error: Unknown option '--bogus'/],
    [['export', '--format', 'nope', '--out', 'x.jsonl'], /^error: --format: unknown format "nope"/],
    [
      ['export', '--format', 'trl-kto', '--out', 'x.jsonl', '--since', 'last week'],
      /^error: --since must be an ISO date/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const run = dataset(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.match(run.stderr, /--out-dir DIR/);
    assert.equal(run.stdout, '');
  }
});
