// The export's report as text lines: what the snapshot held, the window, and per format the counts
// and every reason a record was left out (with `explain`, the message ids under each reason).
import type { ExportOutcome } from './exportDatasets.ts';
import type { ExportFilter } from './exportFilter.ts';
import type { FeedbackSnapshot } from './feedbackSnapshot.ts';

const iso = (millis: number) => new Date(millis).toISOString();
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

export function describeSnapshot(snapshot: FeedbackSnapshot): string[] {
  const { read, superseded, tombstones, removed } = snapshot.stats;
  const lines = [
    `${snapshot.topic}: ${plural(read, 'record')} read, ${snapshot.records.length} live ` +
      `(${superseded} superseded by a later record of the same answer, ` +
      `${removed} removed by ${plural(tombstones, 'tombstone')}), ${snapshot.unreadable.length} unreadable`,
  ];
  for (const u of snapshot.unreadable)
    lines.push(
      `  unreadable: partition ${u.partition} offset ${u.offset} key ${u.key ?? '(none)'}: ${u.error}`,
    );
  return lines;
}

export function describeFilter(filter: ExportFilter): string {
  const window =
    filter.since === undefined && filter.until === undefined
      ? 'every rated_at'
      : `rated_at ${filter.since === undefined ? '' : `≥ ${iso(filter.since)}`}${
          filter.since !== undefined && filter.until !== undefined ? ' and ' : ''
        }${filter.until === undefined ? '' : `< ${iso(filter.until)}`}`;
  const model = filter.model === undefined ? 'every model' : `model ${filter.model}`;
  return `window: ${window}, ${model} (a pair by its preferred answer)`;
}

export function describeOutcome(outcome: ExportOutcome, options: { explain?: boolean } = {}): string[] {
  const { report } = outcome;
  const leftOut = report.live - report.exported;
  const lines = [
    `${outcome.written ? '✓' : '✗'} ${report.format}: ${plural(report.lines, report.unit)} → ${
      outcome.written ? outcome.out : `${outcome.out} not written`
    }`,
    `    ${report.live} live, ${report.inWindow} in the window, ${report.exported} exported, ${leftOut} left out`,
  ];
  const width = String(report.live).length;
  for (const [reason, ids] of report.leftOut) {
    lines.push(`    ${String(ids.length).padStart(width)}  ${reason}`);
    if (options.explain) for (const id of ids) lines.push(`        ${id}`);
  }
  if (report.unexplained.length > 0) {
    lines.push(
      `    ${String(report.unexplained.length).padStart(width)}  left out for no known reason (a bug):`,
    );
    for (const id of report.unexplained) lines.push(`        ${id}`);
  }
  for (const { messageId, reason } of report.unexpected)
    lines.push(`    exported although "${reason}" (a bug): ${messageId}`);
  return lines;
}
