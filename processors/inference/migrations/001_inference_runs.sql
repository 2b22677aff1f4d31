-- One row per model answer (or final failure) the inference processor recorded, written in the same
-- transaction as the answer's event in the outbox. The unique answer id is what makes an answer
-- exactly-once: a redelivered request finds its run and calls no model.
CREATE TABLE IF NOT EXISTS inference_runs (
  run_id uuid PRIMARY KEY,
  -- The answer the user sees; for a SHADOW run, the live answer it shadows.
  answer_message_id uuid NOT NULL,
  request_event_id uuid NOT NULL,
  chat_id uuid NOT NULL,
  user_id uuid NOT NULL,
  prompt_message_id uuid NOT NULL,
  role varchar(8) NOT NULL CHECK (role IN ('STABLE', 'CANARY', 'SHADOW')),
  model_version text NOT NULL,
  server text NOT NULL,
  status varchar(8) NOT NULL CHECK (status IN ('ANSWERED', 'FAILED')),
  tokens_in integer NOT NULL,
  tokens_out integer NOT NULL,
  latency_ms integer NOT NULL,
  time_to_first_token_ms integer,
  finish_reason text,
  error_code text,
  attempts integer NOT NULL,
  cache_hit boolean NOT NULL,
  via_api boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One live answer per answer id; one shadow run per live answer and shadow version.
CREATE UNIQUE INDEX IF NOT EXISTS inference_runs_answer ON inference_runs (answer_message_id)
  WHERE role <> 'SHADOW';
CREATE UNIQUE INDEX IF NOT EXISTS inference_runs_shadow ON inference_runs (answer_message_id, model_version)
  WHERE role = 'SHADOW';
CREATE INDEX IF NOT EXISTS inference_runs_created ON inference_runs (created_at);

-- The latest UserSettingsChanged per user, as far as answering needs it (system prompt,
-- temperature), folded from the identity topic by the inference processor.
CREATE TABLE IF NOT EXISTS inference_user_settings (
  user_id uuid PRIMARY KEY,
  system_prompt text,
  temperature real,
  changed_at timestamptz NOT NULL,
  event_id uuid NOT NULL
);
