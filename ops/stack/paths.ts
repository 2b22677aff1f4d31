// Where the stack keeps things. Data, logs and pid files live in the checkout's git-ignored
// `.stack/` (PARLEY_STACK_DIR); downloads and builds that do not depend on the checkout
// (jars, the model, the llama-server binary) live in a per-user cache (PARLEY_CACHE_DIR), so a
// fresh clone on the same machine does not rebuild them.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStackPathsConfig } from '../../core/config.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StackPaths {
  root: string;
  data: string;
  logs: string;
  run: string;
  conf: string;
  cache: string;
}

/** `env` (default: the process's) is parsed and validated by core/config.ts. */
export function stackPaths(env?: NodeJS.ProcessEnv): StackPaths {
  const settings = loadStackPathsConfig(env);
  const root = resolve(settings.stackDir ?? join(repoRoot, '.stack'));
  const cacheHome = settings.xdgCacheHome ?? join(homedir(), '.cache');
  return {
    root,
    data: join(root, 'data'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    conf: join(root, 'conf'),
    cache: resolve(settings.cacheDir ?? join(cacheHome, 'parley')),
  };
}
