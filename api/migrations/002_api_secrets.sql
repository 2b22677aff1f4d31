-- Secrets the API processes share and generate themselves on first use (never in an event, never
-- logged): e.g. `ip_hash`, the HMAC key that turns client IP addresses into the ip_hash of
-- UserLoggedIn and the keys of per-IP rate limits, stable across processes and restarts.
CREATE TABLE IF NOT EXISTS api_secrets (
  name text PRIMARY KEY,
  secret bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
