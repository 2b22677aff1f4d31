// A bound on a wait that names what it waited for, so a stuck step fails with its name.
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/** Resolves with `work`, or fails with WaitTimeoutError after `ms` naming `what`. */
export async function within<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
