// Numbered SQL migrations for PostgreSQL, applied once each per component and recorded in
// schema_migrations. Each file runs in its own transaction under one advisory lock, so concurrent
// runners (two processes starting together) apply every file exactly once, and a failed file leaves
// the ones before it applied and itself not at all. A file must therefore not need to run outside a
// transaction (no CREATE INDEX CONCURRENTLY).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const FILE_NAME = /^(\d+)_[\w-]+\.sql$/;

interface Migration {
  version: number;
  file: string;
}

async function listMigrations(dir: string): Promise<Migration[]> {
  const migrations = (await readdir(dir))
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((m): m is { file: string; match: RegExpExecArray } => m.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), file }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]!.version === m.version)
      throw new MigrationError(`${dir}: ${migrations[i - 1]!.file} and ${m.file} share version ${m.version}`);
  });
  return migrations;
}

/** Applies the files of `dir` not yet recorded for `component`, in order; returns their versions. */
export async function applyPostgresMigrations(
  pool: pg.Pool,
  component: string,
  dir: string,
): Promise<number[]> {
  const applied: number[] = [];
  const client = await pool.connect();
  try {
    for (const migration of await listMigrations(dir)) {
      const sql = await readFile(join(dir, migration.file), 'utf8');
      await client.query('BEGIN');
      try {
        // One lock for every component: CREATE TABLE IF NOT EXISTS itself races without it.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('parley.schema_migrations'))`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
             component text NOT NULL,
             version int NOT NULL,
             file text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now(),
             PRIMARY KEY (component, version))`,
        );
        const done = await client.query(
          'SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2',
          [component, migration.version],
        );
        if (done.rowCount === 0) {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (component, version, file) VALUES ($1, $2, $3)', [
            component,
            migration.version,
            migration.file,
          ]);
          applied.push(migration.version);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`${component} migration ${migration.file} failed: ${reason}`, {
          cause: error,
        });
      }
    }
  } finally {
    client.release();
  }
  return applied;
}
