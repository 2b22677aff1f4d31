// Driving the local stack from a test as a user would, through its script (tests do not import ops/).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from './config.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run stack -- <args>`; resolves with the exit code instead of throwing. */
export async function stackCli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'ops/cli/stack.ts', ...args],
      { cwd: repoRoot, maxBuffer: 10 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The pid `status` reports for a service the stack started, or undefined if it is stopped. */
export async function servicePid(service: string): Promise<number | undefined> {
  const { stdout } = await stackCli('status', service);
  const pid = new RegExp(`^${service}\\s+\\S+(?: or unhealthy)?\\s+(\\d+)`, 'm').exec(stdout)?.[1];
  return pid === undefined ? undefined : Number(pid);
}
