// Builds each requested format from one snapshot and writes the files. A format whose report shows
// a record left out for no known reason is not written: its file could not be trusted.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { writeJsonlAtomically } from './atomicJsonl.ts';
import { buildDataset, type BuiltDataset } from './buildDataset.ts';
import { isComplete } from './completeness.ts';
import type { ExportFilter } from './exportFilter.ts';
import type { FormatName } from './formats/index.ts';

export interface ExportTarget {
  format: FormatName;
  /** The JSONL file to write. */
  out: string;
}

export interface ExportOutcome extends BuiltDataset {
  out: string;
  written: boolean;
}

export async function exportDatasets(
  records: readonly FeedbackRecord[],
  targets: readonly ExportTarget[],
  filter: ExportFilter,
): Promise<ExportOutcome[]> {
  const outcomes: ExportOutcome[] = [];
  for (const { format, out } of targets) {
    const built = buildDataset(format, records, filter);
    const written = isComplete(built.report);
    if (written) await writeJsonlAtomically(out, built.lines);
    outcomes.push({ ...built, out, written });
  }
  return outcomes;
}
