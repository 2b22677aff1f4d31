-- Base tables: wide, append-only rows projected from the event log, one insert per table per batch.
--
-- Every statement here runs unchanged on Debian's ClickHouse 18.16 and on current releases (26.x).
--
-- Exactly-once: every base table carries the Kafka position of the event it came from. The
-- projector reads max(kafka_offset) per (kafka_topic, kafka_partition) from each table on start and
-- skips what is at or below it, so each table holds a prefix of the log per partition. That needs
-- each insert to land whole or not at all. A MergeTree insert becomes one part per partition of the
-- table, and parts commit one by one; with no PARTITION BY an insert (up to max_insert_block_size
-- rows) is a single part, so the base tables are deliberately unpartitioned. Time filters stay cheap
-- because event_date leads every sorting key. The position query reads only the three narrow
-- kafka_* columns (the topic is one or two repeated strings, the offsets nearly sorted), and the
-- kafka_* columns close each sorting key, which keeps rows of one day in log order.
--
-- Times: DateTime('UTC') (second precision; 18.16 has no DateTime64) plus the event's exact
-- milliseconds in occurred_at_ms. The explicit zone makes toDate()/toStartOfMinute() give UTC
-- days and minutes whatever the server's or client's time zone. event_date is MATERIALIZED from
-- occurred_at: always derived, never sent (an insert naming it fails on 18.16 and the value is
-- ignored on 26.x), and SELECT * omits it. Inserts name every other column: for a JSONEachRow row
-- that omits a field, 18.16 stores the type's zero where 26.x evaluates the column's DEFAULT.
-- Absent values are '' or 0, never NULL: the projector writes the contract's null as ''.

-- One row per event of every topic.
CREATE TABLE IF NOT EXISTS events (
  event_id String,
  event_type String,
  kafka_topic String,
  kafka_partition UInt32,
  kafka_offset UInt64,
  occurred_at DateTime('UTC'),
  occurred_at_ms UInt64,
  event_date Date MATERIALIZED toDate(occurred_at),
  user_id String,
  chat_id String,
  message_id String,
  model_version String,
  size_bytes UInt32,
  via_api UInt8
)
ENGINE = MergeTree
ORDER BY (event_date, event_type, kafka_topic, kafka_partition, kafka_offset);

-- One row per user-visible answer: AnswerGenerated (status 'ok') or AnswerFailed ('failed').
CREATE TABLE IF NOT EXISTS answers (
  event_id String,
  kafka_topic String,
  kafka_partition UInt32,
  kafka_offset UInt64,
  occurred_at DateTime('UTC'),
  occurred_at_ms UInt64,
  event_date Date MATERIALIZED toDate(occurred_at),
  chat_id String,
  user_id String,
  prompt_message_id String,
  answer_message_id String,
  inference_run_id String,
  model_version String,
  server String,
  traffic_role String,
  status String,
  tokens_in UInt32,
  tokens_out UInt32,
  latency_ms UInt32,
  ttft_ms UInt32,
  has_ttft UInt8,
  finish_reason String,
  cache_hit UInt8,
  via_api UInt8,
  error_code String
)
ENGINE = MergeTree
ORDER BY (event_date, model_version, kafka_topic, kafka_partition, kafka_offset);

-- Every model run: the live one behind each answer (the same facts as its answers row) and every
-- shadow run (ShadowAnswerRecorded, traffic_role 'shadow'). live_* name the answer the user got.
CREATE TABLE IF NOT EXISTS inference_runs (
  event_id String,
  kafka_topic String,
  kafka_partition UInt32,
  kafka_offset UInt64,
  occurred_at DateTime('UTC'),
  occurred_at_ms UInt64,
  event_date Date MATERIALIZED toDate(occurred_at),
  chat_id String,
  user_id String,
  prompt_message_id String,
  answer_message_id String,
  inference_run_id String,
  model_version String,
  live_model_version String,
  live_answer_message_id String,
  server String,
  traffic_role String,
  status String,
  tokens_in UInt32,
  tokens_out UInt32,
  latency_ms UInt32,
  ttft_ms UInt32,
  has_ttft UInt8,
  finish_reason String,
  cache_hit UInt8,
  via_api UInt8,
  error_code String
)
ENGINE = MergeTree
ORDER BY (event_date, model_version, kafka_topic, kafka_partition, kafka_offset);

-- Every MessageRated; the latest rating of a message wins. All ratings of one message share a
-- chat, hence a Kafka partition, so the later one has the higher kafka_offset: a correct version
-- for ReplacingMergeTree on both engines (UInt64 versions are accepted by 18.16 and 26.x alike).
-- Replacing happens only within a partition, so this table is unpartitioned on purpose (ratings are
-- few). Merges run when they run: queries must use argMax(..., kafka_offset) or FINAL.
CREATE TABLE IF NOT EXISTS ratings (
  event_id String,
  kafka_topic String,
  kafka_partition UInt32,
  kafka_offset UInt64,
  occurred_at DateTime('UTC'),
  occurred_at_ms UInt64,
  event_date Date MATERIALIZED toDate(occurred_at),
  chat_id String,
  user_id String,
  message_id String,
  rating String,
  comment String,
  reasons Array(String)
)
ENGINE = ReplacingMergeTree(kafka_offset)
ORDER BY message_id;

-- Prices, entered by operators (no event carries them): one row per model version and the moment a
-- price takes effect. A corrected row for the same (model_version, valid_from) replaces the older
-- one: the later entered_at wins. Float64 rather than Decimal: the engines print Decimal
-- differently (18.16 keeps the scale's trailing zeros, 1.5000; 26.x prints 1.5).
CREATE TABLE IF NOT EXISTS model_prices (
  model_version String,
  valid_from DateTime('UTC'),
  input_per_1k Float64,
  output_per_1k Float64,
  entered_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree(entered_at)
ORDER BY (model_version, valid_from);
