// Debian packages the stack needs. Installing a server package must not start the system's own
// instance of it (that would take our ports), so a policy-rc.d denies service starts meanwhile.
import { writeFile, rm } from 'node:fs/promises';
import { run } from '../exec.ts';
import { exists } from './cached.ts';

export interface AptRequirement {
  /** A file whose presence shows the package is installed. */
  path: string;
  pkg: string;
}

export async function ensureAptPackages(
  requirements: AptRequirement[],
  log: (m: string) => void,
): Promise<void> {
  const missing: string[] = [];
  for (const req of requirements)
    if (!(await exists(req.path)) && !missing.includes(req.pkg)) missing.push(req.pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}\nrun: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !(await exists(policy));
  if (ownPolicy) await writeFile(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run(['apt-get', 'update', '-qq'], { env });
    await run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  } finally {
    if (ownPolicy) await rm(policy, { force: true });
  }
}
