// Where the stack keeps things. Data, logs and pid files live in the checkout's git-ignored
// `.stack/` (PARLEY_STACK_DIR); downloads and builds that do not depend on the checkout
// (jars, the model, the llama-server binary) live in a per-user cache (PARLEY_CACHE_DIR), so a
// fresh clone on the same machine does not rebuild them.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StackPaths {
  root: string;
  data: string;
  logs: string;
  run: string;
  conf: string;
  cache: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const root = resolve(env.PARLEY_STACK_DIR ?? join(repoRoot, '.stack'));
  const cacheHome = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return {
    root,
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    conf: join(root, 'conf'),
    cache: resolve(env.PARLEY_CACHE_DIR ?? join(cacheHome, 'parley')),
  };
}
