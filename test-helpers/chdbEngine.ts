// The current-engine proof: the SqlEngine over chdb (a current ClickHouse, 26.x, in process), so
// tests run every migration, view and documented query on a current release as well as on the
// stack's 18.16. Not a stand-in for the server: chdb is a devDependency and nothing ships with it.
import { createRequire } from 'node:module';
import {
  JSON_64BIT_AS_NUMBERS,
  databaseName,
  statementText,
  type SqlEngine,
} from '../projections/clickhouse/sqlEngine.ts';

export interface ChdbEngine extends SqlEngine {
  close(): void;
}

/** The little of chdb's API used here (its package is outside node_modules: no type declarations). */
interface ChdbSession {
  queryAsync(sql: string, options?: { format?: string }): Promise<{ text(): string }>;
  close(): void;
}
type ChdbModule = {
  Session: new (path: string | undefined, options: { connectionArgs: string[] }) => ChdbSession;
};

/**
 * chdb is installed by `npm test` into a folder of its own (ops/stack/install/npmTool.ts), not into
 * node_modules: npm's lock file cannot hold it here. The folder comes in PARLEY_CHDB_MODULE.
 */
function loadChdb(): ChdbModule {
  const path = process.env.PARLEY_CHDB_MODULE;
  if (!path)
    throw new Error('PARLEY_CHDB_MODULE is not set: run this test through `npm test`, which installs chdb');
  return createRequire(import.meta.url)(path) as ChdbModule;
}

const settingArgs = Object.entries(JSON_64BIT_AS_NUMBERS).map(([name, value]) => `--${name}=${value}`);

/** A fresh engine in a temporary directory (removed by close()), bound to `database`. */
export function createChdbEngine(database: string): ChdbEngine {
  const { Session } = loadChdb();
  const session = new Session(undefined, { connectionArgs: settingArgs });
  let bound = false;
  // The session keeps a current database, like a clickhouse-client session: enter it once it exists.
  const inDatabase = async () => {
    if (bound) return;
    await session.queryAsync(`USE ${databaseName(database)}`);
    bound = true;
  };
  return {
    async exec(sql) {
      await inDatabase();
      await session.queryAsync(statementText(sql));
    },
    async rows<T>(sql: string) {
      await inDatabase();
      const text = (await session.queryAsync(statementText(sql), { format: 'JSONEachRow' })).text();
      return text
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as T);
    },
    async createDatabase(name) {
      await session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${databaseName(name)}`);
    },
    async dropDatabase(name) {
      await session.queryAsync(`DROP DATABASE IF EXISTS ${databaseName(name)}`);
      if (name === database) bound = false;
    },
    close() {
      session.close();
    },
  };
}
