// Idempotent, crash-safe installs: build into `<dir>.partial`, then rename. A directory that exists
// is complete; an interrupted build leaves only the partial folder, which the next run starts over.
import { access, mkdir, rename, rm } from 'node:fs/promises';

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function ensureCached(dir: string, build: (workDir: string) => Promise<void>): Promise<string> {
  if (await exists(dir)) return dir;
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await build(partial);
  await rename(partial, dir);
  return dir;
}
