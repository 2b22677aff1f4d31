-- Rollups: materialised views writing TO explicit target tables, so a rollup can be queried on its
-- own and rebuilt (TRUNCATE it, then INSERT INTO it the view's SELECT over the base table). A view
-- sees exactly the rows of each insert into its base table, so a rollup counts every event once
-- as long as the base table does.
--
-- Targets keep aggregate states (AggregatingMergeTree; 18.16 has no SimpleAggregateFunction) or
-- plain sums (SummingMergeTree). Rows of one key stay separate until a merge, so readers always
-- GROUP BY and -Merge/sum: the views in 003 do. State columns end in _state.
--
-- Quantile states take Float64: for an integer argument 18.16 returns the argument's type (so the
-- interpolated p95 of 240 and 250 is 242, truncated) while 26.x returns Float64 (242.5); over
-- Float64 both interpolate the same way. quantiles() keeps a sample of 8192 values per state:
-- exact below that, a close estimate above.

-- Model performance per version, per minute, per traffic role, from every run (live and shadow).
-- Model-side figures leave out answers served from the response cache (no model ran): latency
-- and tokens/s count answered runs (a failure's latency is the time spent giving up), TTFT the
-- runs that streamed a first token. Generation time is latency minus TTFT where a TTFT is known,
-- so tokens/s measures decoding.
CREATE TABLE IF NOT EXISTS rollup_model_minute (
  minute DateTime('UTC'),
  model_version String,
  traffic_role String,
  runs_state AggregateFunction(count),
  failures_state AggregateFunction(countIf, UInt8),
  cache_hits_state AggregateFunction(countIf, UInt8),
  model_answers_state AggregateFunction(countIf, UInt8),
  latency_ms_q_state AggregateFunction(quantilesIf(0.5, 0.95, 0.99), Float64, UInt8),
  ttft_runs_state AggregateFunction(countIf, UInt8),
  ttft_ms_q_state AggregateFunction(quantilesIf(0.5, 0.95, 0.99), Float64, UInt8),
  tokens_in_state AggregateFunction(sum, UInt32),
  tokens_out_state AggregateFunction(sum, UInt32),
  model_tokens_in_state AggregateFunction(sumIf, UInt32, UInt8),
  model_tokens_out_state AggregateFunction(sumIf, UInt32, UInt8),
  generated_tokens_state AggregateFunction(sumIf, UInt32, UInt8),
  generation_ms_state AggregateFunction(sumIf, UInt32, UInt8)
)
ENGINE = AggregatingMergeTree
ORDER BY (minute, model_version, traffic_role);

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_model_minute_mv TO rollup_model_minute AS
SELECT
  toStartOfMinute(occurred_at) AS minute,
  model_version,
  traffic_role,
  countState() AS runs_state,
  countIfState(status = 'failed') AS failures_state,
  countIfState(cache_hit = 1) AS cache_hits_state,
  countIfState(status = 'ok' AND cache_hit = 0) AS model_answers_state,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS latency_ms_q_state,
  countIfState(has_ttft = 1 AND cache_hit = 0) AS ttft_runs_state,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(ttft_ms), has_ttft = 1 AND cache_hit = 0) AS ttft_ms_q_state,
  sumState(tokens_in) AS tokens_in_state,
  sumState(tokens_out) AS tokens_out_state,
  sumIfState(tokens_in, cache_hit = 0) AS model_tokens_in_state,
  sumIfState(tokens_out, cache_hit = 0) AS model_tokens_out_state,
  sumIfState(tokens_out, status = 'ok' AND cache_hit = 0) AS generated_tokens_state,
  sumIfState(
    toUInt32(if(has_ttft = 1 AND latency_ms > ttft_ms, latency_ms - ttft_ms, latency_ms)),
    status = 'ok' AND cache_hit = 0
  ) AS generation_ms_state
FROM inference_runs
GROUP BY
  minute,
  model_version,
  traffic_role;

-- Usage per user per day: prompts from events, answers and tokens from answers. Two views feed
-- one SummingMergeTree, each writing zeros in the other's columns.
CREATE TABLE IF NOT EXISTS rollup_usage_user_day (
  event_date Date,
  user_id String,
  prompts UInt64,
  answers UInt64,
  failed_answers UInt64,
  tokens_in UInt64,
  tokens_out UInt64
)
ENGINE = SummingMergeTree((prompts, answers, failed_answers, tokens_in, tokens_out))
ORDER BY (event_date, user_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_usage_prompts_mv TO rollup_usage_user_day AS
SELECT
  event_date,
  user_id,
  count() AS prompts,
  toUInt64(0) AS answers,
  toUInt64(0) AS failed_answers,
  toUInt64(0) AS tokens_in,
  toUInt64(0) AS tokens_out
FROM events
WHERE event_type = 'PromptSubmitted'
GROUP BY
  event_date,
  user_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_usage_answers_mv TO rollup_usage_user_day AS
SELECT
  event_date,
  user_id,
  toUInt64(0) AS prompts,
  countIf(status = 'ok') AS answers,
  countIf(status = 'failed') AS failed_answers,
  sum(tokens_in) AS tokens_in,
  sum(tokens_out) AS tokens_out
FROM answers
GROUP BY
  event_date,
  user_id;

-- Daily active users: a uniq() state of every user id seen in any event that day. uniq() is
-- exact up to 65536 users a day and a close estimate beyond.
CREATE TABLE IF NOT EXISTS rollup_active_users_day (
  event_date Date,
  users_state AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
ORDER BY event_date;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_active_users_day_mv TO rollup_active_users_day AS
SELECT
  event_date,
  uniqState(user_id) AS users_state
FROM events
WHERE user_id != ''
GROUP BY event_date;

-- Shadow against live, per day, per (model_version, live_model_version). shadow = 1 rows hold a
-- shadow version's runs; shadow = 0 rows hold live runs (their live_model_version is their own),
-- which shadow_vs_live (003) sets beside every shadow of that version. Same model-side rules as
-- rollup_model_minute.
CREATE TABLE IF NOT EXISTS rollup_shadow_day (
  event_date Date,
  model_version String,
  live_model_version String,
  shadow UInt8,
  runs_state AggregateFunction(count),
  failures_state AggregateFunction(countIf, UInt8),
  model_answers_state AggregateFunction(countIf, UInt8),
  latency_ms_q_state AggregateFunction(quantilesIf(0.5, 0.95, 0.99), Float64, UInt8),
  generated_tokens_state AggregateFunction(sumIf, UInt32, UInt8),
  length_stops_state AggregateFunction(countIf, UInt8)
)
ENGINE = AggregatingMergeTree
ORDER BY (event_date, live_model_version, model_version, shadow);

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_shadow_day_mv TO rollup_shadow_day AS
SELECT
  event_date,
  model_version,
  live_model_version,
  toUInt8(traffic_role = 'shadow') AS shadow,
  countState() AS runs_state,
  countIfState(status = 'failed') AS failures_state,
  countIfState(status = 'ok' AND cache_hit = 0) AS model_answers_state,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(latency_ms), status = 'ok' AND cache_hit = 0) AS latency_ms_q_state,
  sumIfState(tokens_out, status = 'ok' AND cache_hit = 0) AS generated_tokens_state,
  countIfState(finish_reason = 'length' AND cache_hit = 0) AS length_stops_state
FROM inference_runs
GROUP BY
  event_date,
  model_version,
  live_model_version,
  shadow;
