// One format's dataset from live feedback records: the JSONL lines (each checked against the
// format's schema) and the completeness report. Pure: the same records give the same bytes.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { checkCompleteness, type CompletenessReport } from './completeness.ts';
import type { ExportFilter } from './exportFilter.ts';
import { datasetFormats, type FormatName } from './formats/index.ts';
import { validateLine } from './lineValidator.ts';

export interface BuiltDataset {
  format: FormatName;
  /** One JSON object per entry, without the newline. */
  lines: string[];
  report: CompletenessReport;
}

export function buildDataset(
  format: FormatName,
  records: readonly FeedbackRecord[],
  filter: ExportFilter,
): BuiltDataset {
  const definition = datasetFormats[format];
  const examples = definition.lines(records, filter);
  const lines = examples.map((line, index) => {
    const text = JSON.stringify(line.example);
    validateLine(format, text, index + 1);
    return text;
  });
  return { format, lines, report: checkCompleteness(definition, records, examples, filter) };
}
