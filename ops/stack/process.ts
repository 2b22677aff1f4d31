// Processes the stack starts, tracked by pid file. A pid file records the process start time too, so
// a recycled pid belonging to something else is never mistaken for ours (and never signalled).
// Each runs under its own supervisor (supervise.ts), which restarts it when it dies: the pid file
// names the supervisor, the child file the process it runs now.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './paths.ts';
import type { SupervisedLaunch } from './supervise.ts';

const SUPERVISOR = fileURLToPath(new URL('./supervise.ts', import.meta.url));

export interface ProcessRecord {
  pid: number;
  startTicks: string;
  command: string[];
  startedAt: string;
}

export interface LaunchSpec {
  command: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** The fields of /proc/<pid>/stat after the parenthesised command name (which may hold spaces). */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of stat (starttime). */
export const readStartTicks = async (pid: number) => (await statFields(pid))?.[19];

/** CPU time (user + system, seconds) the process has used so far; /proc counts in USER_HZ (100). */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  return fields && (Number(fields[11]) + Number(fields[12])) / 100;
}

export const pidFile = (runDir: string, name: string) => join(runDir, `${name}.pid.json`);
export const childFile = (runDir: string, name: string) => join(runDir, `${name}.child.json`);

/** What a supervisor runs at the moment (written by supervise.ts at each start). */
export interface ChildRecord {
  pid: number;
  startTicks: string;
  /** Times it was started again after dying. */
  restarts: number;
  startedAt: string;
  /** How the run before this one ended. */
  lastExit?: string;
}

/** The process a running service's supervisor runs now, if it is alive. */
export async function runningChild(runDir: string, name: string): Promise<ChildRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(childFile(runDir, name), 'utf8')) as ChildRecord;
    return (await isAlive(record)) ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function readRecord(runDir: string, name: string): Promise<ProcessRecord | undefined> {
  try {
    return JSON.parse(await readFile(pidFile(runDir, name), 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

/** A zombie (killed, not yet reaped by whoever inherited it) counts as dead: it serves nothing. */
export async function isAlive(record: Pick<ProcessRecord, 'pid' | 'startTicks'>): Promise<boolean> {
  const fields = await statFields(record.pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[19] === record.startTicks;
}

/** The running process we started for `name`, if any; a stale pid file is removed. */
export async function runningRecord(runDir: string, name: string): Promise<ProcessRecord | undefined> {
  const record = await readRecord(runDir, name);
  if (!record) return undefined;
  if (await isAlive(record)) return record;
  await rm(pidFile(runDir, name), { force: true });
  return undefined;
}

export async function launch(
  runDir: string,
  name: string,
  logFile: string,
  spec: LaunchSpec,
  supervision: Pick<SupervisedLaunch, 'startupGraceMs'> = {},
): Promise<ProcessRecord> {
  await mkdir(runDir, { recursive: true });
  if (spec.command.length === 0) throw new Error(`${name}: empty command`);
  const log = openSync(logFile, 'a');
  try {
    const launchArgs: SupervisedLaunch = { name, runDir, spec: { ...spec, env: undefined }, ...supervision };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', SUPERVISOR, '--supervise', JSON.stringify(launchArgs)],
      { cwd: repoRoot, env: spec.env ?? process.env, detached: true, stdio: ['ignore', log, log] },
    );
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolvePid(child.pid as number));
    });
    child.unref();
    const startTicks = await readStartTicks(pid);
    if (!startTicks) throw new Error(`${name}: exited immediately; see ${logFile}`);
    const record: ProcessRecord = {
      pid,
      startTicks,
      command: spec.command,
      startedAt: new Date().toISOString(),
    };
    await writeFile(pidFile(runDir, name), JSON.stringify(record, null, 2));
    return record;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM, then SIGKILL after the grace period. Signals only the process group we started. */
export async function stop(
  runDir: string,
  name: string,
  graceMs: number,
  stopSignal: NodeJS.Signals = 'SIGTERM',
): Promise<'stopped' | 'not running'> {
  const record = await runningRecord(runDir, name);
  if (!record) return 'not running';
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig);
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal(stopSignal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (await isAlive(record))) await sleep(200);
  if (await isAlive(record)) {
    signal('SIGKILL');
    while (await isAlive(record)) await sleep(100);
  }
  await rm(pidFile(runDir, name), { force: true });
  return 'stopped';
}
