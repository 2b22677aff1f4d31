// Each view beside the same figures computed directly from the base tables, so a test can prove on
// given rows that the rollups (fed by materialised views) lost and doubled nothing. Both SQLs of a
// pair return the same columns, sorted on a full key, floats rounded to 6 decimals.
//
// The rounding is floor(x * 1e6 + 0.5) / 1e6, not round(): on an exact tie 18.16 rounds half away
// from zero and 26.x half to even. The direct side reads ratings and prices with FINAL where the
// views use argMax, so the two forms of latest-wins are checked against each other too. An alias
// never reuses a column name another aggregate reads (sum(x) AS x beside sumIf(x, ...) nests the
// aggregates on both engines).

export interface ViewCheck {
  view: string;
  viewSql: string;
  directSql: string;
  /** Quantile columns, each group with the count column that bounds its number of values. */
  estimated?: ReadonlyArray<{ count: string; columns: readonly string[] }>;
}

/**
 * quantiles() keeps a sample of this many values per state (migrations/002_rollups.sql): exact
 * below it. Above it, a view merging many states and a direct pass over the rows each estimate,
 * and the two differ by what sampling gives (12% at p99 over 80,000 drill answers with a long
 * tail). Past it a quantile must be present on both sides, not equal: the exact columns (counts,
 * sums, rates) still show any row lost or doubled, and the engines' tests compare quantiles exactly
 * on samples below this size.
 */
export const QUANTILE_SAMPLE = 8192;

type FigureRow = Record<string, unknown>;

const bothEstimates = (a: unknown, b: unknown) =>
  (a === null && b === null) || (Number.isFinite(a) && Number.isFinite(b));

/** A view's rows against its direct aggregate's: equal, but for estimated quantiles past the sample. */
export function sameFigures(check: ViewCheck, fromView: readonly FigureRow[], direct: readonly FigureRow[]) {
  if (fromView.length !== direct.length) return false;
  return fromView.every((row, i) => {
    const other = direct[i]!;
    const estimated = new Set(
      (check.estimated ?? [])
        .filter(({ count }) => Number(row[count]) > QUANTILE_SAMPLE && Number(other[count]) > QUANTILE_SAMPLE)
        .flatMap(({ columns }) => columns),
    );
    const columns = new Set([...Object.keys(row), ...Object.keys(other)]);
    return [...columns].every((column) =>
      estimated.has(column)
        ? bothEstimates(row[column], other[column])
        : JSON.stringify(row[column]) === JSON.stringify(other[column]),
    );
  });
}

const r6 = (expression: string) => `floor((${expression}) * 1000000 + 0.5) / 1000000`;

/** The quantile columns both sides return: element `index` of an array, NULL without a value. */
const q = (array: string, index: number, count: string) =>
  `if(${count} = 0, NULL, ${r6(`${array}[${index}]`)})`;

// Latest rating per answer, per the table engine's own collapsing (FINAL), at its answer's key.
const ratedAnswers = (keys: string, where: string) => `
  SELECT ${keys}, count() AS rated_answers, countIf(rating = 'positive') AS positive_ratings
  FROM
  (
    SELECT answer_message_id AS message_id, toStartOfMinute(occurred_at) AS minute, event_date, model_version, traffic_role
    FROM answers
    WHERE ${where}
  ) AS answered
  ALL INNER JOIN (SELECT message_id, rating FROM ratings FINAL) AS latest_ratings USING message_id
  GROUP BY ${keys}`;

const modelPerformance: ViewCheck = {
  view: 'model_performance',
  estimated: [{ count: 'runs', columns: ['p50', 'p95', 'p99', 'ttft50', 'ttft95', 'ttft99'] }],
  viewSql: `
SELECT
  minute, model_version, traffic_role, runs, failures, ${r6('error_rate')} AS error_rate, cache_hits,
  ${r6('latency_p50_ms')} AS p50, ${r6('latency_p95_ms')} AS p95, ${r6('latency_p99_ms')} AS p99,
  ${r6('ttft_p50_ms')} AS ttft50, ${r6('ttft_p95_ms')} AS ttft95, ${r6('ttft_p99_ms')} AS ttft99,
  tokens_in, tokens_out, ${r6('tokens_per_s')} AS tokens_per_s,
  rated_answers, ${r6('positive_share')} AS positive_share
FROM model_performance
ORDER BY minute, model_version, traffic_role`,
  directSql: `
SELECT
  minute, model_version, traffic_role, runs, failures, ${r6('failures / runs')} AS error_rate, cache_hits,
  ${q('lat', 1, 'model_answers')} AS p50, ${q('lat', 2, 'model_answers')} AS p95, ${q('lat', 3, 'model_answers')} AS p99,
  ${q('ttft', 1, 'ttft_runs')} AS ttft50, ${q('ttft', 2, 'ttft_runs')} AS ttft95, ${q('ttft', 3, 'ttft_runs')} AS ttft99,
  total_in AS tokens_in, total_out AS tokens_out,
  if(generation_ms = 0, NULL, ${r6('generated * 1000 / generation_ms')}) AS tokens_per_s,
  rated_answers, if(rated_answers = 0, NULL, ${r6('positive_ratings / rated_answers')}) AS positive_share
FROM
(
  SELECT
    toStartOfMinute(occurred_at) AS minute, model_version, traffic_role,
    count() AS runs,
    countIf(status = 'failed') AS failures,
    countIf(cache_hit = 1) AS cache_hits,
    countIf(status = 'ok' AND cache_hit = 0) AS model_answers,
    quantilesIf(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS lat,
    countIf(has_ttft = 1 AND cache_hit = 0) AS ttft_runs,
    quantilesIf(0.5, 0.95, 0.99)(toFloat64(ttft_ms), has_ttft = 1 AND cache_hit = 0) AS ttft,
    sum(tokens_in) AS total_in,
    sum(tokens_out) AS total_out,
    sumIf(tokens_out, status = 'ok' AND cache_hit = 0) AS generated,
    sumIf(if(has_ttft = 1 AND latency_ms > ttft_ms, latency_ms - ttft_ms, latency_ms), status = 'ok' AND cache_hit = 0) AS generation_ms
  FROM inference_runs
  GROUP BY minute, model_version, traffic_role
) AS performance
ALL LEFT JOIN
(${ratedAnswers('minute, model_version, traffic_role', "status = 'ok'")}
) AS feedback USING (minute, model_version, traffic_role)
ORDER BY minute, model_version, traffic_role`,
};

const canaryVsStable: ViewCheck = {
  view: 'canary_vs_stable',
  estimated: [{ count: 'runs', columns: ['p50', 'p95', 'p99', 'ttft95'] }],
  viewSql: `
SELECT
  event_date, traffic_role, model_version, runs, ${r6('traffic_share')} AS traffic_share, ${r6('error_rate')} AS error_rate,
  ${r6('latency_p50_ms')} AS p50, ${r6('latency_p95_ms')} AS p95, ${r6('latency_p99_ms')} AS p99, ${r6('ttft_p95_ms')} AS ttft95,
  ${r6('tokens_per_s')} AS tokens_per_s, rated_answers, ${r6('positive_share')} AS positive_share
FROM canary_vs_stable
ORDER BY event_date, traffic_role, model_version`,
  directSql: `
SELECT
  event_date, traffic_role, model_version, runs, ${r6('runs / day_runs')} AS traffic_share, ${r6('failures / runs')} AS error_rate,
  ${q('lat', 1, 'model_answers')} AS p50, ${q('lat', 2, 'model_answers')} AS p95, ${q('lat', 3, 'model_answers')} AS p99,
  ${q('ttft', 2, 'ttft_runs')} AS ttft95,
  if(generation_ms = 0, NULL, ${r6('generated * 1000 / generation_ms')}) AS tokens_per_s,
  rated_answers, if(rated_answers = 0, NULL, ${r6('positive_ratings / rated_answers')}) AS positive_share
FROM
(
  SELECT event_date, traffic_role, model_version, runs, failures, model_answers, lat, ttft_runs, ttft, generated, generation_ms, rated_answers, positive_ratings
  FROM
  (
    SELECT
      event_date, traffic_role, model_version,
      count() AS runs,
      countIf(status = 'failed') AS failures,
      countIf(status = 'ok' AND cache_hit = 0) AS model_answers,
      quantilesIf(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS lat,
      countIf(has_ttft = 1 AND cache_hit = 0) AS ttft_runs,
      quantilesIf(0.5, 0.95, 0.99)(toFloat64(ttft_ms), has_ttft = 1 AND cache_hit = 0) AS ttft,
      sumIf(tokens_out, status = 'ok' AND cache_hit = 0) AS generated,
      sumIf(if(has_ttft = 1 AND latency_ms > ttft_ms, latency_ms - ttft_ms, latency_ms), status = 'ok' AND cache_hit = 0) AS generation_ms
    FROM inference_runs
    WHERE traffic_role IN ('stable', 'canary')
    GROUP BY event_date, traffic_role, model_version
  ) AS performance
  ALL LEFT JOIN
  (${ratedAnswers('event_date, traffic_role, model_version', "status = 'ok' AND traffic_role IN ('stable', 'canary')")}
  ) AS feedback USING (event_date, traffic_role, model_version)
) AS compared
ALL LEFT JOIN
(
  SELECT event_date, count() AS day_runs FROM inference_runs WHERE traffic_role IN ('stable', 'canary') GROUP BY event_date
) AS day_totals USING event_date
ORDER BY event_date, traffic_role, model_version`,
};

const shadowSide = (prefix: string) => `
    count() AS ${prefix}_runs,
    countIf(status = 'failed') AS ${prefix}_failures,
    countIf(status = 'ok' AND cache_hit = 0) AS ${prefix}_answers,
    quantilesIf(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS ${prefix}_lat,
    sumIf(tokens_out, status = 'ok' AND cache_hit = 0) AS ${prefix}_generated,
    countIf(finish_reason = 'length' AND cache_hit = 0) AS ${prefix}_length_stops`;

const shadowVsLive: ViewCheck = {
  view: 'shadow_vs_live',
  estimated: [
    { count: 'shadow_runs', columns: ['shadow_p50', 'shadow_p95'] },
    { count: 'live_runs', columns: ['live_p50', 'live_p95'] },
  ],
  viewSql: `
SELECT
  event_date, model_version, live_model_version,
  shadow_runs, ${r6('shadow_error_rate')} AS shadow_error_rate,
  ${r6('shadow_latency_p50_ms')} AS shadow_p50, ${r6('shadow_latency_p95_ms')} AS shadow_p95,
  ${r6('shadow_avg_tokens_out')} AS shadow_avg_tokens_out, ${r6('shadow_length_stop_share')} AS shadow_length_stop_share,
  live_runs, ${r6('live_error_rate')} AS live_error_rate,
  ${r6('live_latency_p50_ms')} AS live_p50, ${r6('live_latency_p95_ms')} AS live_p95,
  ${r6('live_avg_tokens_out')} AS live_avg_tokens_out, ${r6('live_length_stop_share')} AS live_length_stop_share
FROM shadow_vs_live
ORDER BY event_date, model_version, live_model_version`,
  directSql: `
SELECT
  event_date, model_version, live_model_version,
  shadow_runs, ${r6('shadow_failures / shadow_runs')} AS shadow_error_rate,
  ${q('shadow_lat', 1, 'shadow_answers')} AS shadow_p50, ${q('shadow_lat', 2, 'shadow_answers')} AS shadow_p95,
  if(shadow_answers = 0, NULL, ${r6('shadow_generated / shadow_answers')}) AS shadow_avg_tokens_out,
  if(shadow_answers = 0, NULL, ${r6('shadow_length_stops / shadow_answers')}) AS shadow_length_stop_share,
  live_runs, if(live_runs = 0, NULL, ${r6('live_failures / live_runs')}) AS live_error_rate,
  ${q('live_lat', 1, 'live_answers')} AS live_p50, ${q('live_lat', 2, 'live_answers')} AS live_p95,
  if(live_answers = 0, NULL, ${r6('live_generated / live_answers')}) AS live_avg_tokens_out,
  if(live_answers = 0, NULL, ${r6('live_length_stops / live_answers')}) AS live_length_stop_share
FROM
(
  SELECT event_date, model_version, live_model_version,${shadowSide('shadow')}
  FROM inference_runs
  WHERE traffic_role = 'shadow'
  GROUP BY event_date, model_version, live_model_version
) AS shadows
ALL LEFT JOIN
(
  SELECT event_date, model_version AS live_model_version,${shadowSide('live')}
  FROM inference_runs
  WHERE traffic_role != 'shadow'
  GROUP BY event_date, model_version
) AS lives USING (event_date, live_model_version)
ORDER BY event_date, model_version, live_model_version`,
};

const costPerVersion: ViewCheck = {
  view: 'cost_per_version',
  viewSql: `
SELECT
  event_date, model_version, model_tokens_in, model_tokens_out,
  ${r6('input_per_1k')} AS input_per_1k, ${r6('output_per_1k')} AS output_per_1k,
  ${r6('cost')} AS cost, ${r6('cost_per_1k_tokens')} AS cost_per_1k_tokens
FROM cost_per_version
ORDER BY event_date, model_version`,
  directSql: `
SELECT
  event_date, model_version, model_tokens_in, model_tokens_out,
  if(priced = 1, ${r6('price_in')}, NULL) AS input_per_1k,
  if(priced = 1, ${r6('price_out')}, NULL) AS output_per_1k,
  if(priced = 1, ${r6('model_tokens_in / 1000 * price_in + model_tokens_out / 1000 * price_out')}, NULL) AS cost,
  if(priced = 1 AND model_tokens_in + model_tokens_out > 0,
    ${r6('(model_tokens_in / 1000 * price_in + model_tokens_out / 1000 * price_out) / ((model_tokens_in + model_tokens_out) / 1000)')},
    NULL) AS cost_per_1k_tokens
FROM
(
  SELECT
    event_date, model_version, model_tokens_in, model_tokens_out,
    max(toDate(valid_from) <= event_date AND listed = 1) AS priced,
    argMaxIf(listed_in, valid_from, toDate(valid_from) <= event_date) AS price_in,
    argMaxIf(listed_out, valid_from, toDate(valid_from) <= event_date) AS price_out
  FROM
  (
    SELECT event_date, model_version, sumIf(tokens_in, cache_hit = 0) AS model_tokens_in, sumIf(tokens_out, cache_hit = 0) AS model_tokens_out
    FROM inference_runs
    GROUP BY event_date, model_version
  ) AS used
  ALL LEFT JOIN
  (
    SELECT model_version, valid_from, input_per_1k AS listed_in, output_per_1k AS listed_out, toUInt8(1) AS listed
    FROM model_prices FINAL
  ) AS prices USING model_version
  GROUP BY event_date, model_version, model_tokens_in, model_tokens_out
)
ORDER BY event_date, model_version`,
};

const usagePerUserDay: ViewCheck = {
  view: 'usage_per_user_day',
  viewSql: `
SELECT event_date, user_id, prompts, answers, failed_answers, tokens_in, tokens_out
FROM usage_per_user_day
ORDER BY event_date, user_id`,
  directSql: `
SELECT event_date, user_id, sum(p) AS prompts, sum(a) AS answers, sum(f) AS failed_answers, sum(ti) AS tokens_in, sum(tout) AS tokens_out
FROM
(
  SELECT event_date, user_id, count() AS p, toUInt64(0) AS a, toUInt64(0) AS f, toUInt64(0) AS ti, toUInt64(0) AS tout
  FROM events WHERE event_type = 'PromptSubmitted' GROUP BY event_date, user_id
  UNION ALL
  SELECT event_date, user_id, toUInt64(0) AS p, countIf(status = 'ok') AS a, countIf(status = 'failed') AS f, sum(tokens_in) AS ti, sum(tokens_out) AS tout
  FROM answers GROUP BY event_date, user_id
)
GROUP BY event_date, user_id
ORDER BY event_date, user_id`,
};

const dailyActiveUsers: ViewCheck = {
  view: 'daily_active_users',
  viewSql: `SELECT event_date, active_users FROM daily_active_users ORDER BY event_date`,
  directSql: `
SELECT event_date, uniq(user_id) AS active_users
FROM events
WHERE user_id != ''
GROUP BY event_date
ORDER BY event_date`,
};

export const viewChecks: ViewCheck[] = [
  modelPerformance,
  canaryVsStable,
  shadowVsLive,
  costPerVersion,
  usagePerUserDay,
  dailyActiveUsers,
];
