// Read-model keyspaces: migrations (applied once, in order, idempotently) and the pointer to the
// keyspace readers and the live projector use, which a rebuild swaps when its copy has caught up.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';

const migrationsDir = join(import.meta.dirname, 'migrations');
export const META_KEYSPACE = 'parley_meta';
const READ_MODEL = 'cassandra-chat';

function statements(cql: string): string[] {
  return cql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const createKeyspace = (keyspace: string, replicationFactor: number) =>
  `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}}`;

/** Creates the keyspace if needed and applies the migrations it has not seen; returns their names. */
export async function migrate(
  client: cassandra.Client,
  keyspace: string,
  replicationFactor: number,
): Promise<string[]> {
  await client.execute(createKeyspace(keyspace, replicationFactor));
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (version text PRIMARY KEY, applied_at timestamp)`,
  );
  const applied = new Set(
    (await client.execute(`SELECT version FROM ${keyspace}.schema_migrations`)).rows.map(
      (r) => r.get('version') as string,
    ),
  );
  const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.cql')).sort();
  const ran: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    for (const statement of statements(await readFile(join(migrationsDir, file), 'utf8'))) {
      // Statements are written unqualified; run them in the target keyspace.
      await client.execute(
        statement.replace(/^(CREATE TABLE IF NOT EXISTS |ALTER TABLE )(\w+)/i, `$1${keyspace}.$2`),
      );
    }
    await client.execute(
      `INSERT INTO ${keyspace}.schema_migrations (version, applied_at) VALUES (?, ?)`,
      [file, new Date()],
      { prepare: true },
    );
    ran.push(file);
  }
  return ran;
}

async function ensureMeta(client: cassandra.Client, replicationFactor: number): Promise<void> {
  await client.execute(createKeyspace(META_KEYSPACE, replicationFactor));
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${META_KEYSPACE}.active_read_models (name text PRIMARY KEY, keyspace_name text, switched_at timestamp)`,
  );
}

/** The keyspace currently serving the chat read models (the configured one until a rebuild swaps). */
export async function activeKeyspace(
  client: cassandra.Client,
  fallback: string,
  replicationFactor: number,
): Promise<string> {
  await ensureMeta(client, replicationFactor);
  const row = (
    await client.execute(
      `SELECT keyspace_name FROM ${META_KEYSPACE}.active_read_models WHERE name = ?`,
      [READ_MODEL],
      { prepare: true },
    )
  ).first();
  return (row?.get('keyspace_name') as string | undefined) ?? fallback;
}

export async function setActiveKeyspace(
  client: cassandra.Client,
  keyspace: string,
  replicationFactor: number,
): Promise<void> {
  await ensureMeta(client, replicationFactor);
  await client.execute(
    `INSERT INTO ${META_KEYSPACE}.active_read_models (name, keyspace_name, switched_at) VALUES (?, ?, ?)`,
    [READ_MODEL, keyspace, new Date()],
    {
      prepare: true,
    },
  );
}

/** How often a follower re-reads the active-keyspace pointer. */
export const KEYSPACE_POINTER_REFRESH_MS = 2_000;

export interface KeyspacePointer {
  /** The keyspace to read or write now. */
  current(): string;
  stop(): void;
}

/**
 * Follows the active keyspace (a rebuild swaps it) by polling the pointer; a `fixed` keyspace
 * (tests, benchmarks, rebuilds) is never polled. While Cassandra is down the last known one stays.
 */
export async function followActiveKeyspace(
  client: cassandra.Client,
  fallback: string,
  replicationFactor: number,
  options: { fixed?: string } = {},
): Promise<KeyspacePointer> {
  if (options.fixed !== undefined) {
    const fixed = options.fixed;
    return { current: () => fixed, stop: () => undefined };
  }
  let keyspace = await activeKeyspace(client, fallback, replicationFactor);
  const timer = setInterval(() => {
    activeKeyspace(client, fallback, replicationFactor).then(
      (active) => (keyspace = active),
      () => undefined, // Cassandra down: keep the last known keyspace
    );
  }, KEYSPACE_POINTER_REFRESH_MS).unref();
  return { current: () => keyspace, stop: () => clearInterval(timer) };
}
