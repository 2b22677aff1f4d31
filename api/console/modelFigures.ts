// The console's analytics figures from ClickHouse: answer latency and TTFT p50/p95 per model version
// (merged from the per-minute rollup behind model_performance, over the window) and failed answers
// by error code. The SQL runs on Debian's 18.16 and on current releases (consoleSql.int.test.ts runs
// it on both): no query parameters on 18.16, so the window's start is an integer spliced in; a
// quantile is trusted only with a run behind it (an empty state is 0 on 18.16, NaN on 26.x).
import type { ClickHouseClient } from '@clickhouse/client';
import { databaseName, JSON_64BIT_AS_NUMBERS } from '../../projections/clickhouse/sqlEngine.ts';
import type { FailedAnswersFigure, ModelFigure } from './snapshotSchema.ts';

/** Seconds since the epoch, as SQL text (an integer, so safe to splice). */
const epochSeconds = (since: Date) => {
  const seconds = Math.floor(since.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0)
    throw new Error(`not a window start: ${since.toString()}`);
  return String(seconds);
};

/** The UTC day of `since` (event_date is the UTC day of occurred_at): the primary key's prefix. */
const utcDate = (since: Date) => since.toISOString().slice(0, 10);

/**
 * Per version over the minutes from `since`: the rollup's states merged across minutes and roles.
 * The merge names the same levels as the states (0.5, 0.95, 0.99): current releases refuse a state
 * of other levels.
 */
export const modelStatsSql = (since: Date) => `
SELECT
  model_version,
  countMerge(runs_state) AS runs,
  countIfMerge(failures_state) AS failures,
  countIfMerge(model_answers_state) AS model_answers,
  quantilesIfMerge(0.5, 0.95, 0.99)(latency_ms_q_state) AS latency_ms_q,
  countIfMerge(ttft_runs_state) AS ttft_runs,
  quantilesIfMerge(0.5, 0.95, 0.99)(ttft_ms_q_state) AS ttft_ms_q
FROM rollup_model_minute
WHERE minute >= toStartOfMinute(toDateTime(${epochSeconds(since)}))
GROUP BY model_version
ORDER BY model_version`;

/** User-visible failed answers since `since`, by error code. */
export const failedAnswersSql = (since: Date) => `
SELECT
  error_code,
  count() AS failed
FROM answers
WHERE status = 'failed'
  AND event_date >= toDate('${utcDate(since)}')
  AND occurred_at >= toDateTime(${epochSeconds(since)})
GROUP BY error_code
ORDER BY error_code`;

export interface ModelStatsRow {
  model_version: string;
  runs: number;
  failures: number;
  model_answers: number;
  latency_ms_q: Array<number | null>;
  ttft_runs: number;
  ttft_ms_q: Array<number | null>;
}

export interface FailedAnswersRow {
  error_code: string;
  failed: number;
}

const quantile = (runs: number, levels: Array<number | null>, index: number) => {
  const value = levels[index];
  return runs > 0 && typeof value === 'number' && Number.isFinite(value) ? value : null;
};

export function toModelFigures(rows: readonly ModelStatsRow[]): ModelFigure[] {
  return rows.map((r) => ({
    model_version: r.model_version,
    runs: Number(r.runs),
    failures: Number(r.failures),
    latency_p50_ms: quantile(Number(r.model_answers), r.latency_ms_q, 0),
    latency_p95_ms: quantile(Number(r.model_answers), r.latency_ms_q, 1),
    ttft_p50_ms: quantile(Number(r.ttft_runs), r.ttft_ms_q, 0),
    ttft_p95_ms: quantile(Number(r.ttft_runs), r.ttft_ms_q, 1),
  }));
}

export function toFailedAnswers(rows: readonly FailedAnswersRow[]): FailedAnswersFigure {
  const byCode = rows.map((r) => ({ error_code: r.error_code, count: Number(r.failed) }));
  return { total: byCode.reduce((total, r) => total + r.count, 0), by_code: byCode };
}

export interface ModelFigures {
  models: ModelFigure[];
  failedAnswers: FailedAnswersFigure;
}

/** Both queries against `database`; `signal` cancels them (the HTTP request is aborted). */
export async function readModelFigures(
  client: ClickHouseClient,
  database: string,
  since: Date,
  signal: AbortSignal,
): Promise<ModelFigures> {
  const rows = async <T>(query: string) => {
    const result = await client.query({
      query,
      format: 'JSONEachRow',
      // The HTTP interface's `database` parameter: unqualified names resolve there (as in sqlEngine.ts).
      clickhouse_settings: { database: databaseName(database), ...JSON_64BIT_AS_NUMBERS },
      abort_signal: signal,
    });
    return result.json<T>();
  };
  const [models, failed] = await Promise.all([
    rows<ModelStatsRow>(modelStatsSql(since)),
    rows<FailedAnswersRow>(failedAnswersSql(since)),
  ]);
  return { models: toModelFigures(models), failedAnswers: toFailedAnswers(failed) };
}
