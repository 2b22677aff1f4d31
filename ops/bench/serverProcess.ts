// The process doing a stack server's work, for its CPU time. Each server runs under a supervisor
// (ops/stack/supervise.ts): the pid file names the supervisor, which spends next to no CPU, and
// the child file the server it runs now. Reading the supervisor made every server's CPU per
// event 0.
import { runningChild, runningRecord } from '../stack/process.ts';

/** The running server's pid; undefined when the service is not running. */
export async function serverPid(runDir: string, name: string): Promise<number | undefined> {
  if (!(await runningRecord(runDir, name))) return undefined;
  return (await runningChild(runDir, name))?.pid;
}
