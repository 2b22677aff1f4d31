// Every wait in a test has its own bound and says what it waited for, so a slow or stuck step
// fails with its name instead of running into the test runner's timeout.
import type { ChildProcess } from 'node:child_process';
import { WaitTimeoutError, within } from '../core/within.ts';

export { WaitTimeoutError, within };

/**
 * Polls `check` until it returns true; fails after `timeoutMs` naming `what`. A check that itself
 * hangs is cut off by the same deadline.
 */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await within(`${what} (one check)`, Math.max(1, deadline - Date.now()), check())) return;
    } catch (error) {
      lastError = error; // a failing check (a server restarting) is retried until the deadline
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const why = lastError instanceof Error ? `; last check failed: ${lastError.message}` : '';
  throw new WaitTimeoutError(`${what}: not reached within ${timeoutMs} ms${why}`);
}

/** The exit code (or signal) of a child process; resolves at once if it has already exited. */
export function exited(child: ChildProcess, ms: number, what = `process ${child.pid} to exit`) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return within(
    what,
    ms,
    new Promise<number | NodeJS.Signals | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal)),
    ),
  );
}
