// The outbox's tables (outbox, outbox_heartbeat), applied by the stack's `connect` service before it
// registers the connector, and by anything that writes to the outbox on a fresh database.
import { join } from 'node:path';
import type pg from 'pg';
import { applyPostgresMigrations } from '../postgres/migrations.ts';

export const OUTBOX_MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export const migrateOutbox = (pool: pg.Pool): Promise<number[]> =>
  applyPostgresMigrations(pool, 'outbox', OUTBOX_MIGRATIONS_DIR);
