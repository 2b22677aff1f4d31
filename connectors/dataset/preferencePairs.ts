// Preference pairs from rated regenerations: a thumbs-up answer and a thumbs-down answer to the
// same prompt. Both answers' records describe the pair (each lists the other as a sibling); it is
// found once, from the prompt they share, so it is one line however many records describe it.
//
// Each answer's rating and text come from its own latest record, never from the copy in another
// record's `siblings`: that copy can be stale (re-rated since) or belong to an answer whose record
// a tombstone removed (chat deleted, user erased or opted out), whose text must not be exported.
import type { FeedbackRecord } from '../../schemas/generated/events.ts';
import { compareByRating } from './chatMessages.ts';
import { filterReason, reasons, type ExportFilter, type Reason } from './exportFilter.ts';

export interface PreferencePair {
  preferred: FeedbackRecord;
  nonPreferred: FeedbackRecord;
}

interface PromptAnswers {
  up: FeedbackRecord[];
  down: FeedbackRecord[];
}

/** Live records by the prompt they answer, each side in export order. */
function byPrompt(records: readonly FeedbackRecord[]): Map<string, PromptAnswers> {
  const prompts = new Map<string, PromptAnswers>();
  for (const record of [...records].sort(compareByRating)) {
    let answers = prompts.get(record.prompt_message_id);
    if (!answers) prompts.set(record.prompt_message_id, (answers = { up: [], down: [] }));
    (record.rating === 'THUMBS_UP' ? answers.up : answers.down).push(record);
  }
  return prompts;
}

/**
 * Every (preferred, non-preferred) combination whose preferred answer passes the filter (a pair is
 * dated and attributed by its preferred answer), ordered by the preferred answer, then the other.
 */
export function preferencePairs(records: readonly FeedbackRecord[], filter: ExportFilter): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  for (const { up, down } of byPrompt(records).values())
    for (const preferred of up)
      if (filterReason(preferred, filter) === undefined)
        for (const nonPreferred of down) pairs.push({ preferred, nonPreferred });
  return pairs.sort(
    (a, b) => compareByRating(a.preferred, b.preferred) || compareByRating(a.nonPreferred, b.nonPreferred),
  );
}

/**
 * Why a record is in no pair, judged on its own (independently of how pairs are built, so the
 * completeness check can catch the two disagreeing); undefined when it should be in one.
 */
export function pairExplainer(
  records: readonly FeedbackRecord[],
  filter: ExportFilter,
): (record: FeedbackRecord) => Reason | undefined {
  const prompts = byPrompt(records);
  const live = new Set(records.map((r) => r.message_id));
  const noPartner = (record: FeedbackRecord): Reason => {
    const opposite = record.rating === 'THUMBS_UP' ? 'THUMBS_DOWN' : 'THUMBS_UP';
    const removed = (record.siblings ?? []).some((s) => s.rating === opposite && !live.has(s.message_id));
    return removed ? reasons.oppositeSiblingRemoved : reasons.noOppositeSibling;
  };
  return (record) => {
    const answers = prompts.get(record.prompt_message_id)!;
    if (record.rating === 'THUMBS_UP') {
      const own = filterReason(record, filter);
      if (own) return own;
      return answers.down.length === 0 ? noPartner(record) : undefined;
    }
    if (answers.up.length === 0) return noPartner(record);
    // A non-preferred answer goes wherever its preferred partners go: out only if all of them are.
    const partnerReasons = answers.up.map((p) => filterReason(p, filter));
    if (partnerReasons.includes(undefined)) return undefined;
    return partnerReasons.includes(reasons.otherModel) ? reasons.otherModel : reasons.outsideWindow;
  };
}
