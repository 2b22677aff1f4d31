import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soakPlots, soakReportMarkdown, soakVerdict } from './drillReport.ts';
import { memoryVerdicts, parseDuration, type SoakResult, type SoakSample } from './soak.ts';
import { nothingFound } from './verify.ts';

const sample = (t: number, api: number, kafka: number): SoakSample => ({
  t,
  rssMiB: { api, kafka },
  lag: { 'processor-inference': 0 },
  acceptP50Ms: 5,
  acceptP99Ms: 20,
  answerP50Ms: 300,
  answerP99Ms: 900,
});

test('durations: seconds, minutes, hours; anything else is refused', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.throws(() => parseDuration('30'), /a duration such as 30m/);
});

test('memory after the warm-up that keeps growing is not flat; breathing within bounds is', () => {
  // api grows 5 MiB a sample (a leak); kafka jumps during warm-up, then wobbles by 20 MiB.
  const samples = Array.from({ length: 40 }, (_, i) =>
    sample(i * 15, 150 + 5 * i, i < 5 ? 200 + 40 * i : 400 + (i % 2) * 20),
  );
  const verdicts = new Map(memoryVerdicts(samples).map((v) => [v.process, v]));
  assert.equal(verdicts.get('api')!.flat, false);
  assert.ok(verdicts.get('api')!.growthMiB > 100);
  assert.equal(verdicts.get('kafka')!.flat, true, 'the warm-up jump is not counted');
});

test('the soak report gives the verdict, the memory table and the plots', () => {
  const flat = Array.from({ length: 20 }, (_, i) => sample(i * 15, 150, 400));
  const result: SoakResult = {
    samples: flat,
    memory: memoryVerdicts(flat),
    accepted: 100,
    sent: 100,
    downstream: nothingFound(),
    caughtUp: true,
  };
  assert.equal(soakVerdict(result), true);
  const plots = soakPlots(result);
  assert.deepEqual([...plots.keys()], ['memory.svg', 'lag.svg', 'latency.svg']);
  assert.match(
    plots.get('memory.svg')!,
    /^<svg [^>]*>[\s\S]*<path d="M[\d.]+,[\d.]+L[\s\S]*>api<\/text>[\s\S]*<\/svg>$/,
  );
  const markdown = soakReportMarkdown(result, '# soak', [...plots.keys()]);
  assert.match(markdown, /Verdict: \*\*pass\*\*/);
  assert.match(markdown, /\| api \| 150 MiB \| 150 MiB \| \+0 MiB \| yes \|/);
  assert.match(markdown, /!\[memory\.svg\]\(memory\.svg\)/);
  assert.equal(soakVerdict({ ...result, downstream: { ...result.downstream, promptsMissing: 1 } }), false);
});
