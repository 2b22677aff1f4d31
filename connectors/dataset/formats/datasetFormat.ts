// What a dataset format is: how it turns live feedback records into lines, and how it explains each
// record it leaves out. Two shapes cover the formats: one line per answer, or one per pair.
import type { FeedbackRecord } from '../../../schemas/generated/events.ts';
import { compareByRating } from '../chatMessages.ts';
import { filterReason, type ExportFilter, type Reason } from '../exportFilter.ts';
import { pairExplainer, preferencePairs, type PreferencePair } from '../preferencePairs.ts';

export interface ExportLine {
  /** The JSON object written as one line. */
  example: object;
  /** The answers (message ids) it was built from. */
  sources: readonly string[];
}

export interface DatasetFormat {
  name: string;
  /** What one line is, for the report: `example` or `pair`. */
  unit: string;
  lines(records: readonly FeedbackRecord[], filter: ExportFilter): ExportLine[];
  /** Why a record is in no line (undefined: it should be in one), decided record by record. */
  explainer(
    records: readonly FeedbackRecord[],
    filter: ExportFilter,
  ): (record: FeedbackRecord) => Reason | undefined;
}

/** One line per rated answer that passes the filter and `exclude` gives no reason against. */
export function answerFormat(
  name: string,
  render: (record: FeedbackRecord) => object,
  exclude: (record: FeedbackRecord) => Reason | undefined = () => undefined,
): DatasetFormat {
  const reason = (record: FeedbackRecord, filter: ExportFilter) =>
    filterReason(record, filter) ?? exclude(record);
  return {
    name,
    unit: 'example',
    lines: (records, filter) =>
      records
        .filter((record) => reason(record, filter) === undefined)
        .sort(compareByRating)
        .map((record) => ({ example: render(record), sources: [record.message_id] })),
    explainer: (_records, filter) => (record) => reason(record, filter),
  };
}

/** One line per preference pair (preferencePairs.ts). */
export function pairFormat(name: string, render: (pair: PreferencePair) => object): DatasetFormat {
  return {
    name,
    unit: 'pair',
    lines: (records, filter) =>
      preferencePairs(records, filter).map((pair) => ({
        example: render(pair),
        sources: [pair.preferred.message_id, pair.nonPreferred.message_id],
      })),
    explainer: pairExplainer,
  };
}
