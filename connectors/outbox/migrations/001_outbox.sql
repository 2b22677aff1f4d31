-- The outbox in Debezium's event-router layout. Rows are inserted and deleted in the writer's own
-- transaction: Debezium reads the inserts from the WAL, so the table stays empty.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,                -- the event's event_id; Kafka header `id`
  aggregatetype varchar NOT NULL,     -- the topic
  aggregateid varchar NOT NULL,       -- the record key
  type varchar NOT NULL,              -- header `parley-event-type`
  payload bytea NOT NULL,             -- the value, Confluent wire format; NULL would be a tombstone
  traceparent varchar NOT NULL        -- header `traceparent`
);

-- Written by the connector's heartbeat.action.query: pgoutput sends nothing for transactions that
-- touch no published table, so without it the slot would not advance (and would pin WAL) while
-- only other tables change.
CREATE TABLE outbox_heartbeat (
  id int PRIMARY KEY,
  beat_at timestamptz NOT NULL
);
