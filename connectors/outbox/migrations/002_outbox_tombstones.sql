-- A NULL payload is a tombstone (the connector's route.tombstone.on.empty.payload): how a processor
-- deletes a key of a compacted topic (e.g. a feedback record whose chat was deleted).
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
