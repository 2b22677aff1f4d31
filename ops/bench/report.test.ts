import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { repoRoot } from '../stack/paths.ts';
import { formatNumber, renderReport, table } from './report.ts';
import { againstBaseline, type BenchRun, type MachineInfo } from './result.ts';

const machine: MachineInfo = {
  cpuModel: 'Intel(R) Xeon(R) Processor',
  cpuCount: 2,
  memoryGiB: 23.6,
  os: 'Debian GNU/Linux 12 (bookworm) (Linux 6.1.0)',
  node: 'v20.19.0',
  loadAverage: [0.4, 0.5, 0.6],
  commit: 'abc1234',
  dirty: false,
};

const run: BenchRun = {
  startedAt: '2025-06-01T01:18:43.120Z',
  seconds: 312.4,
  quick: false,
  command: 'npm run bench -- all',
  machine,
  outcomes: [
    {
      bench: 'clickhouse',
      command: 'npm run bench -- clickhouse',
      seconds: 95.2,
      status: 'ok',
      result: {
        bench: 'clickhouse',
        command: 'npm run bench -- clickhouse',
        figures: [
          { name: 'raw inserts', value: 60_000, unit: 'rows/s' },
          {
            ...againstBaseline(
              { name: 'projector', value: 15_000, unit: 'rows/s' },
              { name: 'raw inserts', value: 60_000 },
            ),
            target: '≥ 0.8× raw',
            met: false,
            cpuPerEventUs: 112.4,
          },
          {
            name: 'freshness at 10×: p99',
            value: 1_250.5,
            unit: 'ms',
            target: '< 2,000 ms',
            met: true,
            note: 'flush | 500 ms',
          },
          { name: 'freshness at 1×: p99', value: NaN, unit: 'ms' },
        ],
        notes: ['100000 events → 183366 rows'],
      },
    },
    {
      bench: 'api',
      command: 'npm run bench -- api',
      seconds: 12,
      status: 'failed',
      error: 'the API did not start within 60 s\nsee `bench-api.log`',
    },
  ],
};

/** The table under a heading, as rows of trimmed cells (header and rule included). */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `no heading ${heading}`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first; lines[i]?.startsWith('|'); i++)
    rows.push(
      lines[i]!.slice(1, -1)
        .split(/(?<!\\) \| /)
        .map((c) => c.trim()),
    );
  return rows;
}

const prettierClean = async (markdown: string) => {
  const config = await resolveConfig(join(repoRoot, 'docs', 'performance.md'));
  assert.equal(await format(markdown, { ...config, parser: 'markdown' }), markdown);
};

describe('benchmark report', () => {
  const markdown = renderReport(run);

  test('a bench section: value, unit, target, baseline, ratio to it, met, CPU per event, note', () => {
    const rows = tableAfter(markdown, '## clickhouse');
    assert.deepEqual(rows[0], [
      'figure',
      'value',
      'unit',
      'target',
      'baseline',
      'ratio',
      'met?',
      'CPU µs/event',
      'note',
    ]);
    assert.deepEqual(rows[2], ['raw inserts', '60,000', 'rows/s', '', '', '', '', '', '']);
    assert.deepEqual(rows[3], [
      'projector',
      '15,000',
      'rows/s',
      '≥ 0.8× raw',
      'raw inserts: 60,000',
      '0.25×',
      'missed',
      '112',
      '',
    ]);
    assert.deepEqual(rows[4], [
      'freshness at 10×: p99',
      '1,251',
      'ms',
      '< 2,000 ms',
      '',
      '',
      'met',
      '',
      'flush \\| 500 ms',
    ]);
    assert.equal(rows[5]![1], '–', 'nothing measured is a dash');
    assert.match(markdown, /`npm run bench -- clickhouse`, 95 s\n/);
    assert.match(markdown, /\n- 100000 events → 183366 rows\n/);
  });

  test('the summary counts targets met and missed per bench, and lists each target', () => {
    assert.match(markdown, /2 benches, 1 failed; targets: 1 met, 1 missed\./);
    const rows = tableAfter(markdown, '## Summary');
    assert.deepEqual(rows[2], ['clickhouse', 'ok', '1', '1', '95', '`npm run bench -- clickhouse`']);
    assert.deepEqual(rows[3], ['api', 'FAILED', '0', '0', '12', '`npm run bench -- api`']);
    const targets = markdown.split('\n').filter((l) => l.startsWith('| clickhouse | projector'));
    assert.equal(targets.length, 1);
    assert.match(targets[0]!, /\| 15,000 rows\/s \| ≥ 0\.8× raw\s+\| missed \|/);
  });

  test('a failed bench: its command, time and error in a fence the error cannot close', () => {
    const section = markdown.slice(markdown.indexOf('## api: failed'));
    assert.match(section, /`npm run bench -- api` failed after 12 s:/);
    assert.match(section, /```text\nthe API did not start within 60 s\nsee `bench-api.log`\n```\n/);
    const tricky = renderReport({
      ...run,
      outcomes: [{ ...run.outcomes[1]!, status: 'failed', error: 'a ``` in the middle' }],
    });
    assert.match(tricky, /````text\na ``` in the middle\n````/);
  });

  test('the header: date, commit, machine, load; cautions only for a quick run or a busy machine', () => {
    assert.match(markdown, /^# Benchmark report, 2025-06-01 01:18 UTC\n/);
    assert.match(markdown, /- commit: abc1234\n/);
    assert.match(
      markdown,
      /- machine: 2 × Intel\(R\) Xeon\(R\) Processor, 23\.6 GiB memory, Debian GNU\/Linux 12 \(bookworm\) \(Linux 6\.1\.0\), Node v20\.19\.0/,
    );
    assert.match(markdown, /load average before the run \(1 \/ 5 \/ 15 min\): 0\.40 \/ 0\.50 \/ 0\.60/);
    assert.doesNotMatch(markdown, /Caution/);
    const busyQuick = renderReport({
      ...run,
      quick: true,
      machine: { ...machine, dirty: true, loadAverage: [3.9, 5.9, 4.7] },
    });
    assert.match(busyQuick, /- commit: abc1234 with uncommitted changes/);
    assert.match(
      busyQuick,
      /> \*\*Caution\*\*: a quick run.*; the machine was busy before the run \(load 3\.90 on 2 cores\)/,
    );
  });

  test('headings start at the level asked (docs/performance.md nests the report)', () => {
    const nested = renderReport(run, { level: 2 });
    assert.match(nested, /^## Benchmark report/);
    assert.match(nested, /\n### Summary\n/);
    assert.match(nested, /\n### api: failed\n/);
  });

  test('the markdown is as Prettier would write it, so docs/performance.md passes format:check', async () => {
    await prettierClean(markdown);
    await prettierClean(renderReport({ ...run, quick: true }, { level: 2 }));
  });

  test('tables align as Prettier does: right-aligned columns, at least three wide', () => {
    assert.equal(
      table([{ header: 'a' }, { header: 'n', align: 'right' }], [['xxxx', '1']]),
      '| a    |   n |\n| ---- | --: |\n| xxxx |   1 |',
    );
  });

  test('numbers: grouped thousands, about three significant digits', () => {
    assert.deepEqual([54_612.3, 183.4, 14.83, 0.284, -2.5, NaN, undefined].map(formatNumber), [
      '54,612',
      '183',
      '14.8',
      '0.28',
      '-2.50',
      '–',
      '–',
    ]);
  });
});
