// The one seam for running ClickHouse SQL, so the same migrations, views and queries run on the
// stack's server (Debian's 18.16, over HTTP) and, in tests, on a current engine (chdb, in process).
import type { ClickHouseClient } from '@clickhouse/client';

/** SQL bound to one database: unqualified names resolve there. */
export interface SqlEngine {
  /** Runs one statement (DDL, or an INSERT with its data inline) and discards its output. */
  exec(sql: string): Promise<void>;
  /** Runs one SELECT (no FORMAT clause) and parses its JSONEachRow rows. */
  rows<T>(sql: string): Promise<T[]>;
  /** Creates a database if missing; works while the engine's own database does not exist yet. */
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
}

/**
 * 18.16 quotes 64-bit integers in JSON (output_format_json_quote_64bit_integers defaults to 1 there,
 * to 0 on current releases). Every engine sets it to 0, so a count() is a JSON number on both and
 * results compare equal; counts and Kafka offsets stay far below 2^53.
 */
export const JSON_64BIT_AS_NUMBERS = { output_format_json_quote_64bit_integers: 0 } as const;

/** A database name fit to splice into SQL (18.16 has no server-side query parameters). */
export function databaseName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid ClickHouse database name: ${name}`);
  return name;
}

/** One statement as a server takes it: no trailing `;` (a FORMAT clause may be appended). */
export const statementText = (sql: string): string => sql.trim().replace(/;+$/, '').trimEnd();

/**
 * Over a caller-owned @clickhouse/client (created without a database of its own). Each request
 * names `database` in the HTTP interface's `database` URL parameter, passed as a per-call setting:
 * the client has no per-call database option, and 18.16 ignores the X-ClickHouse-Database header.
 * CREATE/DROP DATABASE go without it: the server refuses a request naming a missing database.
 */
export function clickHouseEngine(client: ClickHouseClient, database: string): SqlEngine {
  const inDatabase = { database: databaseName(database) };
  return {
    async exec(sql) {
      await client.command({ query: statementText(sql), clickhouse_settings: inDatabase });
    },
    async rows<T>(sql: string) {
      const result = await client.query({
        query: statementText(sql),
        format: 'JSONEachRow',
        clickhouse_settings: { ...inDatabase, ...JSON_64BIT_AS_NUMBERS },
      });
      return result.json<T>();
    },
    async createDatabase(name) {
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${databaseName(name)}` });
    },
    async dropDatabase(name) {
      await client.command({ query: `DROP DATABASE IF EXISTS ${databaseName(name)}` });
    },
  };
}
