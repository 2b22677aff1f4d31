// Schemathesis (PyPI): property-based tests generated from the API's /openapi.json.
import { join } from 'node:path';
import { ensureCached } from '../stack/install/cached.ts';
import { pipInstallTarget } from '../stack/install/pip.ts';
import { stackPaths } from '../stack/paths.ts';

const VERSION = '4.32.5';

export interface SchemathesisInstall {
  /** PYTHONPATH holding schemathesis and its dependencies. */
  pythonPath: string;
  /** Runs its CLI: `python3 <args…>` with PYTHONPATH set to `pythonPath`. */
  command: string[];
}

/** Installs schemathesis once per machine into the cache; returns how to run it. */
export async function schemathesis(): Promise<SchemathesisInstall> {
  const pythonPath = await ensureCached(join(stackPaths().cache, `python-schemathesis-${VERSION}`), (dir) =>
    pipInstallTarget(dir, `schemathesis==${VERSION}`),
  );
  return { pythonPath, command: ['python3', '-m', 'schemathesis.cli'] };
}
