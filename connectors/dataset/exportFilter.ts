// Which rated answers an export covers, and the words the completeness report uses for the rest.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';

export interface ExportFilter {
  /** Inclusive, UTC milliseconds, on rated_at. */
  since?: number;
  /** Exclusive, UTC milliseconds, on rated_at. */
  until?: number;
  /** model_version of the exported answer (of a pair: its preferred answer). */
  model?: string;
}

/** Why a live feedback record is not in an export: one fixed phrase per cause, counted in the report. */
export const reasons = {
  outsideWindow: 'outside the window',
  otherModel: 'other model',
  negativeNotSft: 'negative rating: not an SFT example',
  noOppositeSibling: 'no sibling with the opposite rating',
  oppositeSiblingRemoved: 'opposite-rated sibling has no live feedback record',
} as const;

export type Reason = (typeof reasons)[keyof typeof reasons];

/** The filter's reason to leave this answer out, if any; the window is checked before the model. */
export function filterReason(
  record: Pick<FeedbackRecord, 'rated_at' | 'model_version'>,
  filter: ExportFilter,
): Reason | undefined {
  if (filter.since !== undefined && record.rated_at < filter.since) return reasons.outsideWindow;
  if (filter.until !== undefined && record.rated_at >= filter.until) return reasons.outsideWindow;
  if (filter.model !== undefined && record.model_version !== filter.model) return reasons.otherModel;
  return undefined;
}
