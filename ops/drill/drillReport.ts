// The drill's report: one row per fault, in markdown (kept under .stack/drill/) and on the console.
import { verdict, type FaultReport } from './runDrill.ts';

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
