// npm test: bring the stack up if needed, then run every *.test.ts with node's test runner, one file
// at a time (the integration tests share the servers). Extra arguments filter files by substring.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createCassandraClient } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { ensureAptPackages } from '../stack/install/apt.ts';
import { createContext, down, up } from '../stack/manager.ts';
import { runningRecord } from '../stack/process.ts';
import { repoRoot } from '../stack/paths.ts';
import { CHDB, npmToolPath } from '../stack/install/npmTool.ts';
import { appServices } from '../stack/services/app.ts';
import { services } from '../stack/services/index.ts';
import { runCli } from './runCli.ts';

const skipDirs = new Set(['node_modules', '.stack', '.git', 'dist']);

async function findTests(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !skipDirs.has(entry.name))
      found.push(...(await findTests(join(dir, entry.name))));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(join(dir, entry.name));
  }
  return found.sort();
}

/**
 * Keyspaces earlier runs left behind (tests keep theirs for a look after a failure; a killed
 * benchmark cannot drop its own): every one holds memtables, flushes and compactions on a
 * development stack that is never wiped.
 */
async function dropLeftoverKeyspaces(config: ClientConfig): Promise<void> {
  const client = createCassandraClient(config);
  try {
    const names = (await client.execute('SELECT keyspace_name FROM system_schema.keyspaces')).rows
      .map((r) => String(r.get('keyspace_name')))
      .filter((name) => /^(ks_[0-9a-f]{12}|bench_\w+)$/.test(name));
    for (const name of names) await client.execute(`DROP KEYSPACE IF EXISTS ${name}`);
    if (names.length > 0)
      console.log(`dropped ${names.length} keyspaces left by earlier test and benchmark runs`);
  } finally {
    await client.shutdown();
  }
}

/**
 * The tests need the servers to themselves: the platform's own processors (from `npm start`) would
 * consume the tests' events and answer their prompts a second time.
 */
async function stopThePlatformsProcesses(ctx: ReturnType<typeof createContext>): Promise<void> {
  const running = [];
  for (const service of appServices)
    if (await runningRecord(ctx.paths.run, service.name)) running.push(service);
  if (running.length === 0) return;
  console.log(
    `stopping the platform's own processes for the tests (${running.map((s) => s.name).join(', ')}); npm start brings them back`,
  );
  await down(ctx, running);
}

/** What some tests drive besides the servers: Chromium (the console test) and promtool (the alert rules). */
const testTools = [
  { path: '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/promtool', pkg: 'prometheus' },
];

async function main(filters: string[]): Promise<number> {
  const ctx = createContext();
  await ensureAptPackages(testTools, ctx.log);
  await stopThePlatformsProcesses(ctx);
  await up(ctx, services);
  await dropLeftoverKeyspaces(ctx.config.clients);
  const files = (await findTests(repoRoot))
    .map((f) => relative(repoRoot, f))
    .filter((f) => filters.length === 0 || filters.some((filter) => f.includes(filter)));
  if (files.length === 0) {
    console.error(`no test files match ${filters.join(' ')}`);
    return 1;
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', ...files],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      // The current-engine proof of the analytics SQL loads chdb from here (test-helpers/chdbEngine.ts).
      env: { ...process.env, [CHDB.env]: await npmToolPath(CHDB.name, CHDB.version) },
    },
  );
  return new Promise((resolveCode) => child.on('close', (code) => resolveCode(code ?? 1)));
}

runCli(main);
