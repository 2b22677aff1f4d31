// Python packages from PyPI into a folder of their own (no virtualenv, nothing system-wide).
import { run } from '../exec.ts';

export async function pipInstallTarget(target: string, requirement: string): Promise<void> {
  await run([
    'python3',
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-warn-script-location',
    '--target',
    target,
    requirement,
  ]);
}
