-- The feedback topic: one row per FeedbackRecord, and one per tombstone (deleted = 1), keyed by the
-- rated answer. The latest row of an answer wins, as on the compacted topic: all rows of one answer
-- share a key, hence a Kafka partition, so kafka_offset orders them (ReplacingMergeTree's version,
-- as for ratings). Queries use argMax(..., kafka_offset) or FINAL, then keep deleted = 0.
-- The texts stay on the topic and in the dataset export; here are their sizes, for analysis.
CREATE TABLE IF NOT EXISTS feedback (
  event_id String,
  kafka_topic String,
  kafka_partition UInt32,
  kafka_offset UInt64,
  occurred_at DateTime('UTC'),
  occurred_at_ms UInt64,
  event_date Date MATERIALIZED toDate(occurred_at),
  message_id String,
  deleted UInt8,
  chat_id String,
  user_id String,
  prompt_message_id String,
  model_version String,
  rating String,
  comment String,
  rated_at_ms UInt64,
  context_turns UInt32,
  siblings UInt32,
  rated_siblings UInt32,
  prompt_chars UInt32,
  answer_chars UInt32
)
ENGINE = ReplacingMergeTree(kafka_offset)
ORDER BY message_id;
