import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BenchRun } from './result.ts';
import { loadRun, saveRun } from './runFile.ts';

const dir = await mkdtemp(join(tmpdir(), 'parley-bench-run-'));
after(() => rm(dir, { recursive: true, force: true }));

const run: BenchRun = {
  startedAt: '2025-06-01T01:18:43.120Z',
  seconds: 10,
  quick: true,
  command: 'npm run bench -- all --quick',
  machine: {
    cpuModel: 'cpu',
    cpuCount: 2,
    memoryGiB: 24,
    os: 'Debian',
    node: 'v20',
    loadAverage: [1, 2, 3],
    commit: 'abc1234',
    dirty: true,
  },
  outcomes: [
    {
      bench: 'model',
      command: 'npm run bench -- model',
      seconds: 5,
      status: 'ok',
      result: {
        bench: 'model',
        command: 'npm run bench -- model',
        figures: [{ name: 'ttft', value: NaN, unit: 'ms', baseline: { name: 'b', value: 2 }, ratio: NaN }],
        notes: [],
      },
    },
    { bench: 'api', command: 'npm run bench -- api', seconds: 1, status: 'failed', error: 'boom' },
  ],
};

test('a saved run reads back the same, NaN (nothing measured) included', async () => {
  const path = join(dir, 'run.json');
  await saveRun(path, run);
  assert.deepEqual(await loadRun(path), run);
});

test('a file that is not a run is refused, naming what is wrong', async () => {
  const path = join(dir, 'other.json');
  await writeFile(path, JSON.stringify({ ...run, outcomes: [{ bench: 'x', status: 'maybe' }] }));
  await assert.rejects(loadRun(path), /is not a saved benchmark run: .*outcomes/s);
});
