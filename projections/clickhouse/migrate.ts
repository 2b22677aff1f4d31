// The analytics schema: numbered migrations (migrations/NNN_name.sql), applied once each, in order.
// Every statement is idempotent (IF NOT EXISTS), so a run interrupted half-way is simply run again.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { databaseName, type SqlEngine } from './sqlEngine.ts';

const migrationsDir = join(import.meta.dirname, 'migrations');
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;

/** A file's statements: whole-line `--` comments dropped, split where a line ends in `;`. */
export function sqlStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Creates `database` if needed and applies the migrations it has not seen; returns their names.
 * `engine` must be bound to `database`: statements are unqualified and run there.
 */
export async function migrateClickHouse(engine: SqlEngine, database: string): Promise<string[]> {
  await engine.createDatabase(databaseName(database));
  const [bound] = await engine.rows<{ db: string }>('SELECT currentDatabase() AS db');
  if (bound?.db !== database) throw new Error(`the engine runs in ${bound?.db}, not ${database}`);
  await engine.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version String, applied_at DateTime('UTC')) ENGINE = MergeTree ORDER BY version",
  );
  const applied = new Set(
    (await engine.rows<{ version: string }>('SELECT DISTINCT version FROM schema_migrations')).map(
      (r) => r.version,
    ),
  );
  const files = (await readdir(migrationsDir)).filter((f) => MIGRATION_FILE.test(f)).sort();
  const ran: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    for (const statement of sqlStatements(await readFile(join(migrationsDir, file), 'utf8'))) {
      await engine.exec(statement);
    }
    // The name matched MIGRATION_FILE, so it is safe inside quotes.
    await engine.exec(`INSERT INTO schema_migrations (version, applied_at) VALUES ('${file}', now())`);
    ran.push(file);
  }
  return ran;
}
