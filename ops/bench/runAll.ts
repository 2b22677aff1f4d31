// `npm run bench -- all`: every bench in sequence, each in a child process of its own (see
// childChannel.ts), a failed or hung one reported as failed while the rest go on.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onShutdown } from '../../core/shutdown.ts';
import { repoRoot } from '../stack/paths.ts';
import type { BenchChildMessage } from './childChannel.ts';
import { describeMachine } from './machine.ts';
import { benchCommand, type BenchOutcome, type BenchRun } from './result.ts';
import type { Bench } from './suite.ts';

const CLI = join(repoRoot, 'ops/cli/bench.ts');
/** Generous: a default-size bench takes minutes; only a hang gets near this. */
const TIMEOUT_MS = { quick: 15 * 60_000, full: 60 * 60_000 };
/** Between benches: the previous one's tail (flushes, consumer groups leaving) settles a little. */
const PAUSE_MS = 3_000;
const STDERR_TAIL = 4_000;

export interface RunAllOptions {
  quick: boolean;
  command: string;
}

/** The process group of the bench now running: signalled as a whole on a timeout or our own stop. */
let running: number | undefined;

const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
};

async function runOne(bench: Bench, args: string[], timeoutMs: number): Promise<BenchOutcome> {
  const command = benchCommand(bench.name, args);
  const started = performance.now();
  // detached: a process group of its own, so its children (an API, a projector, a simulator) go
  // with it on a timeout. `advanced` serialization keeps NaN (nothing measured) as NaN.
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, bench.name, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
    detached: true,
  });
  running = child.pid;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  let message: BenchChildMessage | undefined;
  child.on('message', (m: BenchChildMessage) => (message = m));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid!, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 30_000).unref();
  }, timeoutMs);
  const exit = await new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('close', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
  clearTimeout(timer);
  running = undefined;
  // Whatever the bench left behind in its group (a child that outlived it) goes too.
  if (child.pid) signalGroup(child.pid, 'SIGTERM');
  const seconds = (performance.now() - started) / 1000;
  if (message?.type === 'result')
    return { bench: bench.name, command, seconds, status: 'ok', result: message.result };
  const error = timedOut
    ? `timed out after ${Math.round(timeoutMs / 60_000)} min`
    : message?.type === 'failed'
      ? message.error
      : `${exit} without a result; the end of its stderr:\n${stderr.trimEnd()}`;
  return { bench: bench.name, command, seconds, status: 'failed', error };
}

export async function runAll(benches: readonly Bench[], options: RunAllOptions): Promise<BenchRun> {
  // Stopping us stops the bench in progress with its children, not just the runner.
  onShutdown(async () => {
    if (running !== undefined) signalGroup(running, 'SIGTERM');
  });
  const machine = await describeMachine();
  const startedAt = new Date();
  const outcomes: BenchOutcome[] = [];
  for (const [i, bench] of benches.entries()) {
    if (i > 0) await sleep(PAUSE_MS);
    const args = options.quick ? bench.quickArgs : [];
    console.log(`\n=== ${i + 1}/${benches.length} ${benchCommand(bench.name, args)}\n`);
    const outcome = await runOne(bench, args, options.quick ? TIMEOUT_MS.quick : TIMEOUT_MS.full);
    outcomes.push(outcome);
    console.log(
      `\n=== ${bench.name}: ${outcome.status === 'ok' ? 'done' : `FAILED (${outcome.error.split('\n')[0]})`} in ${outcome.seconds.toFixed(0)} s`,
    );
  }
  return {
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    quick: options.quick,
    command: options.command,
    machine,
    outcomes,
  };
}
