// Accounts for every live feedback record in an export: in a line, or left out for a named reason.
// Lines and reasons come from two separate paths of each format (lines / explainer), so a record
// that is in no line and has no reason, or in a line despite one, is a bug and is reported as such.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { compareByRating } from './chatMessages.ts';
import { reasons, type ExportFilter } from './exportFilter.ts';
import type { DatasetFormat, ExportLine } from './formats/datasetFormat.ts';

export interface CompletenessReport {
  format: string;
  /** What one line is: `example` or `pair`. */
  unit: string;
  lines: number;
  live: number;
  /** Live records the window and model filters keep (for pairs: by the preferred answers). */
  inWindow: number;
  /** Live records in at least one line. */
  exported: number;
  /** Reason → message ids, in export order. */
  leftOut: Map<string, string[]>;
  /** Left out with no reason: the export cannot be trusted. */
  unexplained: string[];
  /** In a line although the format gives a reason against it. */
  unexpected: { messageId: string; reason: string }[];
}

export const isComplete = (report: CompletenessReport) =>
  report.unexplained.length === 0 && report.unexpected.length === 0;

export function checkCompleteness(
  format: DatasetFormat,
  records: readonly FeedbackRecord[],
  lines: readonly ExportLine[],
  filter: ExportFilter,
): CompletenessReport {
  const inLines = new Set(lines.flatMap((line) => line.sources));
  const explain = format.explainer(records, filter);
  const report: CompletenessReport = {
    format: format.name,
    unit: format.unit,
    lines: lines.length,
    live: records.length,
    inWindow: 0,
    exported: 0,
    leftOut: new Map(),
    unexplained: [],
    unexpected: [],
  };
  for (const record of [...records].sort(compareByRating)) {
    const reason = explain(record);
    if (reason !== reasons.outsideWindow && reason !== reasons.otherModel) report.inWindow++;
    if (inLines.has(record.message_id)) {
      report.exported++;
      if (reason !== undefined) report.unexpected.push({ messageId: record.message_id, reason });
    } else if (reason === undefined) {
      report.unexplained.push(record.message_id);
    } else {
      const ids = report.leftOut.get(reason) ?? [];
      report.leftOut.set(reason, [...ids, record.message_id]);
    }
  }
  return report;
}
