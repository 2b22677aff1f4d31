// An npm package installed into a folder of its own, outside the project's node_modules: for a tool
// only tests need whose lock file entries npm cannot write here (chdb's optional per-platform
// engines for other platforms are not served by this machine's registry, so `npm ci` would refuse
// a lock without them).
import { join } from 'node:path';
import { run } from '../exec.ts';
import { ensureCached } from './cached.ts';
import { stackPaths } from '../paths.ts';

/** Installs `name@version` once per machine; returns the package's folder (for require()). */
export async function npmToolPath(name: string, version: string): Promise<string> {
  const dir = await ensureCached(join(stackPaths().cache, `npm-${name}-${version}`), async (work) => {
    await run([
      'npm',
      'install',
      '--prefix',
      work,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `${name}@${version}`,
    ]);
  });
  return join(dir, 'node_modules', name);
}

/** A current ClickHouse engine in process, for proving the analytics SQL on a current release. */
export const CHDB = { name: 'chdb', version: '3.4.0', env: 'PARLEY_CHDB_MODULE' } as const;
