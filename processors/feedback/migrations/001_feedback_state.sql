-- The feedback processor's state, built from the chat and identity topics, so a restart resumes
-- from its committed offsets instead of replaying from offset 0. Its FeedbackRecords go through the
-- outbox in the transaction that changes this state, so the topic never disagrees with it.

-- Training consent: the latest UserSettingsChanged.training_opt_in (absent: opted in). Locked
-- FOR UPDATE by every write that publishes or removes a user's records, so an opt-out and a
-- rating of the same user cannot interleave.
CREATE TABLE feedback_users (
  user_id uuid PRIMARY KEY,
  training_opt_in boolean NOT NULL DEFAULT true
);

CREATE TABLE feedback_chats (
  chat_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  system_prompt text,
  -- A deleted chat keeps only this row, so its later (or redelivered) events are ignored.
  deleted boolean NOT NULL DEFAULT false
);

-- Prompts and answers: the material of a record (prompt, conversation, siblings).
CREATE TABLE feedback_messages (
  message_id uuid PRIMARY KEY,
  chat_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('user', 'assistant')),
  parent_message_id uuid,
  content text NOT NULL,
  model_version text NOT NULL
);
CREATE INDEX feedback_messages_by_parent ON feedback_messages (parent_message_id);
CREATE INDEX feedback_messages_by_chat ON feedback_messages (chat_id);

-- The latest rating of each answer; held here when it reaches the log before its answer.
CREATE TABLE feedback_ratings (
  message_id uuid PRIMARY KEY,
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  rating text NOT NULL CHECK (rating IN ('THUMBS_UP', 'THUMBS_DOWN')),
  comment text,
  reasons text[] NOT NULL,
  rated_at timestamptz NOT NULL,
  event_id uuid NOT NULL,
  correlation_id uuid NOT NULL,
  -- A live FeedbackRecord is on the topic (what an opt-out or a deletion must tombstone).
  published boolean NOT NULL DEFAULT false
);
CREATE INDEX feedback_ratings_by_user ON feedback_ratings (user_id);
CREATE INDEX feedback_ratings_by_chat ON feedback_ratings (chat_id);
