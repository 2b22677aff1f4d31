// After a fault: every prompt the API accepted is looked for downstream. ClickHouse (the last stop
// of every event) says whether each prompt and its answer arrived, and how often; the API's history
// (Cassandra) says whether the user sees each once. Counts, not samples: any loss or duplicate shows.
import type { ClickHouseClient } from '@clickhouse/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../platform/apiClient.ts';
import type { AcceptedPrompt } from './drillLoad.ts';

export interface Downstream {
  /** Accepted prompts with no PromptSubmitted row in ClickHouse. */
  promptsMissing: number;
  /** Accepted prompts with more than one PromptSubmitted row. */
  promptsDoubled: number;
  /** Accepted prompts with no answer (AnswerGenerated or AnswerFailed) yet. */
  answersMissing: number;
  /** Answers recorded more than once (two answer events for one answer id). */
  answersDoubled: number;
  /** Answers that are AnswerFailed (an outcome the user sees, not a loss). */
  answersFailed: number;
  /** Rows of the drill's chats in `events` beyond one per event id. */
  duplicateEvents: number;
}

/** Before anything is counted: nothing missing, nothing doubled. */
export const nothingFound = (): Downstream => ({
  promptsMissing: 0,
  promptsDoubled: 0,
  answersMissing: 0,
  answersDoubled: 0,
  answersFailed: 0,
  duplicateEvents: 0,
});

/** Ids as a ClickHouse IN list (anything but UUID characters dropped: they come from HTTP answers). */
export const quoted = (ids: readonly string[]) =>
  ids.map((id) => `'${id.replace(/[^0-9a-f-]/gi, '')}'`).join(',');

export async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** What ClickHouse holds of `accepted` now. */
export async function downstream(
  client: ClickHouseClient,
  database: string,
  accepted: readonly AcceptedPrompt[],
): Promise<Downstream> {
  const chats = quoted([...new Set(accepted.map((p) => p.chatId))]);
  if (chats.length === 0) return nothingFound();
  const prompts = new Map(
    (
      await rows<{ id: string; n: string | number }>(
        client,
        `SELECT message_id AS id, count() AS n FROM ${database}.events WHERE event_type = 'PromptSubmitted' AND chat_id IN (${chats}) GROUP BY message_id`,
      )
    ).map((r) => [r.id, Number(r.n)]),
  );
  const answers = new Map(
    (
      await rows<{ id: string; n: string | number; failed: string | number }>(
        client,
        `SELECT answer_message_id AS id, count() AS n, sum(status = 'failed') AS failed FROM ${database}.answers WHERE chat_id IN (${chats}) GROUP BY answer_message_id`,
      )
    ).map((r) => [r.id, { n: Number(r.n), failed: Number(r.failed) }]),
  );
  const [events] = await rows<{ total: string | number; ids: string | number }>(
    client,
    `SELECT count() AS total, uniqExact(event_id) AS ids FROM ${database}.events WHERE chat_id IN (${chats})`,
  );
  const result: Downstream = {
    ...nothingFound(),
    duplicateEvents: Number(events?.total ?? 0) - Number(events?.ids ?? 0),
  };
  for (const prompt of accepted) {
    const n = prompts.get(prompt.messageId) ?? 0;
    if (n === 0) result.promptsMissing++;
    if (n > 1) result.promptsDoubled++;
    const answer = answers.get(prompt.answerId);
    if (!answer) result.answersMissing++;
    else {
      if (answer.n > 1) result.answersDoubled++;
      if (answer.failed > 0) result.answersFailed++;
    }
  }
  return result;
}

/** Polls until every accepted prompt and answer is in ClickHouse, or the time is up. */
export async function waitForCatchUp(
  client: ClickHouseClient,
  database: string,
  accepted: readonly AcceptedPrompt[],
  timeoutMs: number,
): Promise<{ downstream: Downstream; caughtUp: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await downstream(client, database, accepted).catch(() => undefined);
    if (now && now.promptsMissing === 0 && now.answersMissing === 0)
      return { downstream: now, caughtUp: true };
    if (Date.now() > deadline)
      return { downstream: now ?? (await downstream(client, database, accepted)), caughtUp: false };
    await sleep(2_000);
  }
}

export interface HistoryCheck {
  /** Accepted prompts or their answers the user's history does not show. */
  missing: number;
  /** Messages the history shows more than once. */
  doubled: number;
}

/** Reads every drill chat's whole history through the API, as its user. */
export async function checkHistories(
  chats: ReadonlyMap<string, ApiClient>,
  accepted: readonly AcceptedPrompt[],
): Promise<HistoryCheck> {
  const seen = new Map<string, number>();
  for (const [chatId, api] of chats)
    for await (const message of api.wholeHistory(chatId))
      seen.set(message.message_id, (seen.get(message.message_id) ?? 0) + 1);
  let missing = 0;
  for (const prompt of accepted)
    for (const id of [prompt.messageId, prompt.answerId]) if (!seen.has(id)) missing++;
  const doubled = [...seen.values()].filter((n) => n > 1).length;
  return { missing, doubled };
}
