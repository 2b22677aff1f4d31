// The drill's and the soak's reports, in markdown (kept under .stack/drill/) and on the console.
import { verdict, type FaultReport } from './runDrill.ts';
import type { SoakResult, SoakSample } from './soak.ts';
import { lineChartSvg } from './svgChart.ts';

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function drillReportMarkdown(reports: readonly FaultReport[], header: string): string {
  const rows = reports.map((r) => {
    const d = r.downstream;
    const refused = [...r.tally.refused].map(([status, n]) => `${n}×${status}`).join(' ') || '0';
    return [
      r.fault,
      verdict(r) ? 'pass' : '**FAIL**',
      r.tally.sent,
      r.tally.accepted.length,
      refused,
      r.tally.unanswered,
      d.promptsMissing,
      d.promptsDoubled + d.duplicateEvents,
      d.answersMissing,
      d.answersDoubled,
      d.answersFailed,
      `${r.history.missing}/${r.history.doubled}`,
      seconds(r.recoveryMs),
      seconds(r.catchUpMs),
      r.error ?? r.reconciles.map((c) => `${c.name}: ${c.ok ? 'ok' : c.summary}`).join('; '),
    ].join(' | ');
  });
  return [
    header,
    '',
    '| fault | verdict | sent | produced (202) | refused | no reply | lost | duplicated | answers missing | answers doubled | answers failed | history missing/doubled | recovery | catch-up | reconciles |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
    '',
    '- produced: prompts the API accepted (202); each must reach Kafka, Cassandra and ClickHouse once, with one answer.',
    '- refused: prompts the API answered with an error status while a dependency was down (nothing to look for); no reply: the connection broke (accepted or not, unknowable).',
    '- lost / duplicated: accepted prompts with no / more than one PromptSubmitted in ClickHouse, plus any event stored twice.',
    '- answers failed: AnswerFailed outcomes the user sees (not losses); history: what the API shows each drill user.',
    '- recovery: kill → the process answers its readiness probe again; catch-up: end of the load → every accepted prompt and its answer in ClickHouse.',
    '',
  ].join('\n');
}

/** The soak's report: memory verdicts, lag and latency at start and end, and its three plots. */
export function soakReportMarkdown(result: SoakResult, header: string, plots: readonly string[]): string {
  const first = result.samples[0];
  const last = result.samples.at(-1);
  const ms = (value: number | undefined) =>
    value === undefined || Number.isNaN(value) ? '—' : `${value.toFixed(0)} ms`;
  const d = result.downstream;
  return [
    header,
    '',
    `Verdict: **${soakVerdict(result) ? 'pass' : 'FAIL'}** (flat memory for every process; nothing lost, doubled or unanswered).`,
    '',
    `Prompts: ${result.sent} sent, ${result.accepted} accepted; lost ${d.promptsMissing}, duplicated ${d.promptsDoubled + d.duplicateEvents}, answers missing ${d.answersMissing}, doubled ${d.answersDoubled}, failed ${d.answersFailed}${result.caughtUp ? '' : ' (not caught up within the bound)'}.`,
    '',
    '| process | RSS after warm-up | RSS at the end | growth | flat |',
    '| --- | --- | --- | --- | --- |',
    ...result.memory.map(
      (m) =>
        `| ${m.process} | ${m.startMiB} MiB | ${m.endMiB} MiB | ${m.growthMiB >= 0 ? '+' : ''}${m.growthMiB} MiB | ${m.flat ? 'yes' : '**no**'} |`,
    ),
    '',
    '| figure | first sample | last sample |',
    '| --- | --- | --- |',
    `| prompt accepted by the API, p50 / p99 | ${ms(first?.acceptP50Ms)} / ${ms(first?.acceptP99Ms)} | ${ms(last?.acceptP50Ms)} / ${ms(last?.acceptP99Ms)} |`,
    `| prompt → answer generated, p50 / p99 | ${ms(first?.answerP50Ms)} / ${ms(first?.answerP99Ms)} | ${ms(last?.answerP50Ms)} / ${ms(last?.answerP99Ms)} |`,
    ...Object.keys(last?.lag ?? {}).map(
      (group) => `| lag of ${group} (records) | ${first?.lag[group] ?? '—'} | ${last?.lag[group] ?? '—'} |`,
    ),
    '',
    ...plots.map((file) => `![${file}](${file})`),
    '',
    "- Memory is each process's resident set (the server or Node process its supervisor runs). Flat: the median of the last quarter is within 10% (at least 32 MiB) of the first quarter after a warm-up of a fifth of the run.",
    '',
  ].join('\n');
}

export function soakVerdict(result: SoakResult): boolean {
  const d = result.downstream;
  return (
    result.memory.every((m) => m.flat) &&
    result.caughtUp &&
    d.promptsMissing + d.promptsDoubled + d.answersMissing + d.answersDoubled + d.duplicateEvents === 0
  );
}

/** The soak's plots, by file name. */
export function soakPlots(result: SoakResult): Map<string, string> {
  const over = (pick: (s: SoakSample) => Record<string, number>) => {
    const names = [...new Set(result.samples.flatMap((s) => Object.keys(pick(s))))];
    return names.map((name) => ({
      name,
      points: result.samples.flatMap((s) =>
        pick(s)[name] === undefined ? [] : [[s.t, pick(s)[name]!] as const],
      ),
    }));
  };
  const latency = (['acceptP50Ms', 'acceptP99Ms', 'answerP50Ms', 'answerP99Ms'] as const).map((key) => ({
    name: {
      acceptP50Ms: 'accept p50',
      acceptP99Ms: 'accept p99',
      answerP50Ms: 'answer p50',
      answerP99Ms: 'answer p99',
    }[key],
    points: result.samples.flatMap((s) => (Number.isNaN(s[key]) ? [] : [[s.t, s[key]] as const])),
  }));
  return new Map([
    [
      'memory.svg',
      lineChartSvg(
        'Resident memory per process',
        'seconds',
        'MiB',
        over((s) => s.rssMiB),
      ),
    ],
    [
      'lag.svg',
      lineChartSvg(
        'Consumer lag on the chat topic',
        'seconds',
        'records',
        over((s) => s.lag),
      ),
    ],
    ['latency.svg', lineChartSvg('Prompt accepted, and prompt → answer', 'seconds', 'ms', latency)],
  ]);
}
