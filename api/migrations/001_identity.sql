-- Users and API keys. Every change here reaches Kafka through the outbox in the same transaction
-- (UserRegistered, UserSettingsChanged, ApiKeyIssued, ...).
CREATE TABLE IF NOT EXISTS users (
  user_id uuid PRIMARY KEY,
  -- Lower-cased and trimmed by the API: one account per address.
  email text NOT NULL UNIQUE,
  -- argon2id, PHC string (algorithm, parameters, salt and hash).
  password_hash text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS api_keys (
  key_id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (user_id),
  name text NOT NULL,
  -- SHA-256 of the key's secret part: keys are 256-bit random, so a fast hash is safe here.
  secret_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys (user_id);
