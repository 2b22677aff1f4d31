-- Views for people: the rollups' states finalised into plain numbers.
--
-- Forms both engines accept, chosen where they differ:
-- - One JOIN per SELECT, nested (18.16 has no multiple joins), every joined subquery aliased
--   (26.x refuses an unaliased one), explicit ALL strictness (18.16 has no default), USING keys.
-- - A quantile with no qualifying run is NULL, from an explicit count: the bare -Merge would give
--   0 on 18.16 and NaN (JSON null) on 26.x. Ratios are NULL rather than a division by zero.
-- - No round(): on an exact tie 18.16 rounds half away from zero and 26.x half to even, so the
--   views return full-precision ratios and leave rounding to the reader.
-- A latest-wins rating is argMax(rating, kafka_offset) per message: correct before any merge.

-- Per version, per minute, per traffic role. The positive-rating share is joined at query time on
-- purpose: ratings are latest-wins (a re-rating replaces the earlier one) and may reach the log
-- before their answer, so a sum kept by a materialised view could not stay exact; ratings are a
-- few per second, so the join is cheap. A rating counts at its answer's minute.
CREATE VIEW IF NOT EXISTS model_performance AS
SELECT
  minute,
  model_version,
  traffic_role,
  runs,
  failures,
  failures / runs AS error_rate,
  cache_hits,
  if(model_answers = 0, NULL, latency_ms_q[1]) AS latency_p50_ms,
  if(model_answers = 0, NULL, latency_ms_q[2]) AS latency_p95_ms,
  if(model_answers = 0, NULL, latency_ms_q[3]) AS latency_p99_ms,
  if(ttft_runs = 0, NULL, ttft_ms_q[1]) AS ttft_p50_ms,
  if(ttft_runs = 0, NULL, ttft_ms_q[2]) AS ttft_p95_ms,
  if(ttft_runs = 0, NULL, ttft_ms_q[3]) AS ttft_p99_ms,
  tokens_in,
  tokens_out,
  if(generation_ms = 0, NULL, generated_tokens * 1000 / generation_ms) AS tokens_per_s,
  rated_answers,
  if(rated_answers = 0, NULL, positive_ratings / rated_answers) AS positive_share
FROM
(
  SELECT
    minute,
    model_version,
    traffic_role,
    countMerge(runs_state) AS runs,
    countIfMerge(failures_state) AS failures,
    countIfMerge(cache_hits_state) AS cache_hits,
    countIfMerge(model_answers_state) AS model_answers,
    quantilesIfMerge(0.5, 0.95, 0.99)(latency_ms_q_state) AS latency_ms_q,
    countIfMerge(ttft_runs_state) AS ttft_runs,
    quantilesIfMerge(0.5, 0.95, 0.99)(ttft_ms_q_state) AS ttft_ms_q,
    sumMerge(tokens_in_state) AS tokens_in,
    sumMerge(tokens_out_state) AS tokens_out,
    sumIfMerge(generated_tokens_state) AS generated_tokens,
    sumIfMerge(generation_ms_state) AS generation_ms
  FROM rollup_model_minute
  GROUP BY
    minute,
    model_version,
    traffic_role
) AS performance
ALL LEFT JOIN
(
  SELECT
    toStartOfMinute(occurred_at) AS minute,
    model_version,
    traffic_role,
    count() AS rated_answers,
    countIf(rating = 'positive') AS positive_ratings
  FROM
  (
    SELECT
      answer_message_id AS message_id,
      occurred_at,
      model_version,
      traffic_role
    FROM answers
    WHERE status = 'ok'
  ) AS answered
  ALL INNER JOIN
  (
    SELECT
      message_id,
      argMax(rating, kafka_offset) AS rating
    FROM ratings
    GROUP BY message_id
  ) AS latest_ratings USING message_id
  GROUP BY
    minute,
    model_version,
    traffic_role
) AS feedback USING (minute, model_version, traffic_role);

-- Canary against stable, per day: each live version's share of that day's live runs, errors,
-- latency, tokens/s and ratings, one row per (day, traffic role, version).
CREATE VIEW IF NOT EXISTS canary_vs_stable AS
SELECT
  event_date,
  traffic_role,
  model_version,
  runs,
  runs / day_runs AS traffic_share,
  failures / runs AS error_rate,
  if(model_answers = 0, NULL, latency_ms_q[1]) AS latency_p50_ms,
  if(model_answers = 0, NULL, latency_ms_q[2]) AS latency_p95_ms,
  if(model_answers = 0, NULL, latency_ms_q[3]) AS latency_p99_ms,
  if(ttft_runs = 0, NULL, ttft_ms_q[2]) AS ttft_p95_ms,
  if(generation_ms = 0, NULL, generated_tokens * 1000 / generation_ms) AS tokens_per_s,
  rated_answers,
  if(rated_answers = 0, NULL, positive_ratings / rated_answers) AS positive_share
FROM
(
  SELECT
    event_date,
    traffic_role,
    model_version,
    runs,
    failures,
    model_answers,
    latency_ms_q,
    ttft_runs,
    ttft_ms_q,
    generated_tokens,
    generation_ms,
    rated_answers,
    positive_ratings
  FROM
  (
    SELECT
      toDate(minute) AS event_date,
      traffic_role,
      model_version,
      countMerge(runs_state) AS runs,
      countIfMerge(failures_state) AS failures,
      countIfMerge(model_answers_state) AS model_answers,
      quantilesIfMerge(0.5, 0.95, 0.99)(latency_ms_q_state) AS latency_ms_q,
      countIfMerge(ttft_runs_state) AS ttft_runs,
      quantilesIfMerge(0.5, 0.95, 0.99)(ttft_ms_q_state) AS ttft_ms_q,
      sumIfMerge(generated_tokens_state) AS generated_tokens,
      sumIfMerge(generation_ms_state) AS generation_ms
    FROM rollup_model_minute
    WHERE traffic_role IN ('stable', 'canary')
    GROUP BY
      event_date,
      traffic_role,
      model_version
  ) AS performance
  ALL LEFT JOIN
  (
    SELECT
      event_date,
      traffic_role,
      model_version,
      count() AS rated_answers,
      countIf(rating = 'positive') AS positive_ratings
    FROM
    (
      SELECT
        answer_message_id AS message_id,
        event_date,
        traffic_role,
        model_version
      FROM answers
      WHERE status = 'ok' AND traffic_role IN ('stable', 'canary')
    ) AS answered
    ALL INNER JOIN
    (
      SELECT
        message_id,
        argMax(rating, kafka_offset) AS rating
      FROM ratings
      GROUP BY message_id
    ) AS latest_ratings USING message_id
    GROUP BY
      event_date,
      traffic_role,
      model_version
  ) AS feedback USING (event_date, traffic_role, model_version)
) AS compared
ALL LEFT JOIN
(
  SELECT
    toDate(minute) AS event_date,
    countMerge(runs_state) AS day_runs
  FROM rollup_model_minute
  WHERE traffic_role IN ('stable', 'canary')
  GROUP BY event_date
) AS day_totals USING event_date;

-- Each shadow version beside the live version it shadowed, per day. The live figures cover all of
-- that live version's runs that day (shadow copies are a random share of them, so comparable).
CREATE VIEW IF NOT EXISTS shadow_vs_live AS
SELECT
  event_date,
  model_version,
  live_model_version,
  shadow_runs,
  shadow_failures / shadow_runs AS shadow_error_rate,
  if(shadow_model_answers = 0, NULL, shadow_latency_ms_q[1]) AS shadow_latency_p50_ms,
  if(shadow_model_answers = 0, NULL, shadow_latency_ms_q[2]) AS shadow_latency_p95_ms,
  if(shadow_model_answers = 0, NULL, shadow_generated_tokens / shadow_model_answers) AS shadow_avg_tokens_out,
  if(shadow_model_answers = 0, NULL, shadow_length_stops / shadow_model_answers) AS shadow_length_stop_share,
  live_runs,
  if(live_runs = 0, NULL, live_failures / live_runs) AS live_error_rate,
  if(live_model_answers = 0, NULL, live_latency_ms_q[1]) AS live_latency_p50_ms,
  if(live_model_answers = 0, NULL, live_latency_ms_q[2]) AS live_latency_p95_ms,
  if(live_model_answers = 0, NULL, live_generated_tokens / live_model_answers) AS live_avg_tokens_out,
  if(live_model_answers = 0, NULL, live_length_stops / live_model_answers) AS live_length_stop_share
FROM
(
  SELECT
    event_date,
    model_version,
    live_model_version,
    countMerge(runs_state) AS shadow_runs,
    countIfMerge(failures_state) AS shadow_failures,
    countIfMerge(model_answers_state) AS shadow_model_answers,
    quantilesIfMerge(0.5, 0.95, 0.99)(latency_ms_q_state) AS shadow_latency_ms_q,
    sumIfMerge(generated_tokens_state) AS shadow_generated_tokens,
    countIfMerge(length_stops_state) AS shadow_length_stops
  FROM rollup_shadow_day
  WHERE shadow = 1
  GROUP BY
    event_date,
    model_version,
    live_model_version
) AS shadows
ALL LEFT JOIN
(
  SELECT
    event_date,
    live_model_version,
    countMerge(runs_state) AS live_runs,
    countIfMerge(failures_state) AS live_failures,
    countIfMerge(model_answers_state) AS live_model_answers,
    quantilesIfMerge(0.5, 0.95, 0.99)(latency_ms_q_state) AS live_latency_ms_q,
    sumIfMerge(generated_tokens_state) AS live_generated_tokens,
    countIfMerge(length_stops_state) AS live_length_stops
  FROM rollup_shadow_day
  WHERE shadow = 0
  GROUP BY
    event_date,
    live_model_version
) AS lives USING (event_date, live_model_version);

-- Cost per version per day: the tokens models processed (answers from the response cache cost
-- nothing and are left out, shadow runs are in) at the version's price that day. A price applies
-- from the day of its valid_from (the latest such price wins); a day before any price of its
-- version has NULL prices and cost. 18.16 has no ASOF JOIN, hence argMaxIf over the version's
-- prices.
CREATE VIEW IF NOT EXISTS cost_per_version AS
SELECT
  event_date,
  model_version,
  model_tokens_in,
  model_tokens_out,
  if(priced = 1, price_in, NULL) AS input_per_1k,
  if(priced = 1, price_out, NULL) AS output_per_1k,
  if(priced = 1, model_tokens_in / 1000 * price_in + model_tokens_out / 1000 * price_out, NULL) AS cost,
  if(
    priced = 1 AND model_tokens_in + model_tokens_out > 0,
    (model_tokens_in / 1000 * price_in + model_tokens_out / 1000 * price_out)
      / ((model_tokens_in + model_tokens_out) / 1000),
    NULL
  ) AS cost_per_1k_tokens
FROM
(
  SELECT
    event_date,
    model_version,
    model_tokens_in,
    model_tokens_out,
    maxIf(has_price, toDate(valid_from) <= event_date) AS priced,
    argMaxIf(version_input_per_1k, valid_from, toDate(valid_from) <= event_date) AS price_in,
    argMaxIf(version_output_per_1k, valid_from, toDate(valid_from) <= event_date) AS price_out
  FROM
  (
    SELECT
      toDate(minute) AS event_date,
      model_version,
      sumIfMerge(model_tokens_in_state) AS model_tokens_in,
      sumIfMerge(model_tokens_out_state) AS model_tokens_out
    FROM rollup_model_minute
    GROUP BY
      event_date,
      model_version
  ) AS used
  ALL LEFT JOIN
  (
    SELECT
      model_version,
      valid_from,
      argMax(input_per_1k, entered_at) AS version_input_per_1k,
      argMax(output_per_1k, entered_at) AS version_output_per_1k,
      toUInt8(1) AS has_price
    FROM model_prices
    GROUP BY
      model_version,
      valid_from
  ) AS prices USING model_version
  GROUP BY
    event_date,
    model_version,
    model_tokens_in,
    model_tokens_out
) AS priced_days;

-- Usage per user per day.
CREATE VIEW IF NOT EXISTS usage_per_user_day AS
SELECT
  event_date,
  user_id,
  sum(prompts) AS prompts,
  sum(answers) AS answers,
  sum(failed_answers) AS failed_answers,
  sum(tokens_in) AS tokens_in,
  sum(tokens_out) AS tokens_out
FROM rollup_usage_user_day
GROUP BY
  event_date,
  user_id;

-- Daily active users: distinct users with any event that day.
CREATE VIEW IF NOT EXISTS daily_active_users AS
SELECT
  event_date,
  uniqMerge(users_state) AS active_users
FROM rollup_active_users_day
GROUP BY event_date;
