// The supervisor of one stack process: `launch` starts this (detached, its output to the service's
// log) and it runs the real command as its child. A child that dies while nobody is stopping it is
// logged and started again, with a growing delay while it keeps dying young; one that fails during
// its very first start-up is not retried, so `up` reports the failure at once with its log.
//
// A stop signal (the stack signals the whole process group) reaches the child directly; the
// supervisor forwards it too, in case only its own pid was signalled, then waits for the child.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { childFile, readStartTicks, type ChildRecord, type LaunchSpec } from './process.ts';

/** A first run that ends sooner than this failed at start-up: reported, not restarted. */
export const STARTUP_GRACE_MS = 30_000;
/** A run shorter than this counts as dying young: the restart delay doubles, and five in a row give up. */
const YOUNG_MS = 60_000;
const MAX_YOUNG_DEATHS = 5;
const MAX_DELAY_MS = 30_000;

export interface SupervisedLaunch {
  name: string;
  runDir: string;
  spec: LaunchSpec;
  /** Default STARTUP_GRACE_MS. */
  startupGraceMs?: number;
}

const say = (message: string) =>
  process.stdout.write(`=== parley supervisor: ${message} at ${new Date().toISOString()} ===\n`);

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

export async function supervise({
  name,
  runDir,
  spec,
  startupGraceMs = STARTUP_GRACE_MS,
}: SupervisedLaunch): Promise<number> {
  const [file, ...args] = spec.command;
  if (!file) throw new Error(`${name}: empty command`);
  let child: ChildProcess | undefined;
  let stopping = false;
  let wakeUp: () => void = () => undefined;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => {
      stopping = true;
      child?.kill(signal);
      wakeUp();
    });

  let restarts = 0;
  let youngDeaths = 0;
  let lastExit: string | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  for (let run = 0; !stopping; run++) {
    const startedAt = Date.now();
    const running = spawn(file, args, {
      cwd: spec.cwd,
      env: process.env,
      uid: spec.uid,
      gid: spec.gid,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child = running;
    exited = new Promise((resolve) => running.once('exit', (code, signal) => resolve({ code, signal })));
    const spawned = await new Promise<boolean>((resolve) => {
      running.once('spawn', () => resolve(true));
      running.once('error', (error) => {
        say(`${name} could not be started: ${error.message}`);
        resolve(false);
      });
    });
    if (!spawned) return 127;
    const record: ChildRecord = {
      pid: running.pid!,
      startTicks: (await readStartTicks(running.pid!)) ?? '',
      restarts,
      startedAt: new Date(startedAt).toISOString(),
      ...(lastExit ? { lastExit } : {}),
    };
    await writeFile(childFile(runDir, name), JSON.stringify(record, null, 2));

    const { code, signal } = await exited;
    if (stopping) break;
    const ranMs = Date.now() - startedAt;
    lastExit = `${describeExit(code, signal)} after ${(ranMs / 1000).toFixed(1)} s`;
    let giveUp: string | undefined;
    if (run === 0 && ranMs < startupGraceMs) giveUp = 'during its first start-up: not restarted';
    else {
      youngDeaths = ranMs < YOUNG_MS ? youngDeaths + 1 : 0;
      if (youngDeaths >= MAX_YOUNG_DEATHS) giveUp = `it died young ${youngDeaths} times in a row: giving up`;
    }
    if (giveUp) {
      say(`${name} ${lastExit}, ${giveUp}`);
      await rm(childFile(runDir, name), { force: true });
      return code ?? 1;
    }
    const delayMs = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, youngDeaths - 1));
    restarts++;
    say(`${name} ${lastExit}: restart ${restarts} in ${delayMs / 1000} s`);
    await Promise.race([sleep(delayMs), new Promise<void>((resolve) => (wakeUp = resolve))]);
  }
  // Stopping: the child got the signal; its exit is the supervisor's.
  const last = exited ? await exited : { code: 0 };
  await rm(childFile(runDir, name), { force: true });
  return last.code ?? 0;
}

if (process.argv[2] === '--supervise') {
  const launchSpec = JSON.parse(process.argv[3]!) as SupervisedLaunch;
  supervise(launchSpec).then(
    (code) => process.exit(code),
    (error: unknown) => {
      say(`supervisor failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
