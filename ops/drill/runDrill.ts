// `npm run drill`: fault drills on the running platform. Under the drill's load through the API, one
// process at a time is killed with SIGKILL; its supervisor starts it again; the drill waits until
// every prompt the API accepted has reached ClickHouse with its answer, reads every drill chat's
// history through the API, and runs both reconciles. Per fault it reports what was produced, lost,
// duplicated, missing or doubled, and how long recovery took; any loss makes it exit non-zero.
//
// Answers come from a model-server stand-in (TEST DOUBLE, labelled: ops/drill/standIn.ts): the
// drill's chats ask for its model, published in the model registry like any deployment, so the
// reference peak's prompt rate is not bounded by the CPU model server.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import { CASSANDRA_PROJECTOR } from '../../processors/cassandra/cassandraProjector.ts';
import { INFERENCE_PROCESSOR } from '../../processors/inference/inferenceProcessor.ts';
import { topics } from '../../schemas/catalog.ts';
import { status } from '../stack/manager.ts';
import { repoRoot } from '../stack/paths.ts';
import { runningChild } from '../stack/process.ts';
import { STARTUP_GRACE_MS } from '../stack/supervise.ts';
import { platformServices } from '../stack/services/index.ts';
import { openDrillEnvironment, type StackContext } from './drillEnvironment.ts';
import { newTally, REFERENCE_READS_PER_PROMPT, type LoadTally } from './drillLoad.ts';
import type { Fault } from './faults.ts';
import type { StandIn } from './standInProcess.ts';
import {
  checkHistories,
  nothingFound,
  waitForCatchUp,
  type Downstream,
  type HistoryCheck,
} from './verify.ts';

export interface DrillOptions {
  faults: Fault[];
  /** Load, in multiples of the reference peak. */
  multiple: number;
  /** Load per fault; the kill comes a third of the way in. */
  seconds: number;
  catchUpTimeoutMs: number;
  standInPort: number;
}

export interface FaultReport {
  fault: string;
  tally: LoadTally;
  /** Kill → the process answers its probe again (ms); undefined: it did not within the bound. */
  recoveryMs?: number;
  /** End of the load → every accepted prompt and answer in ClickHouse (ms). */
  catchUpMs?: number;
  downstream: Downstream;
  history: HistoryCheck;
  reconciles: Array<{ name: string; ok: boolean; summary: string }>;
  error?: string;
}

const RECOVERY_BOUND_MS = 300_000;

/** Kills the target and resolves with how long it took to answer again. */
async function inflict(ctx: StackContext, fault: Fault, standIn: StandIn): Promise<number | undefined> {
  if (fault.target.kind === 'model-stand-in') {
    const killedAt = Date.now();
    standIn.kill();
    await sleep(1_000); // as the stack's supervisor waits before a restart
    await standIn.start();
    return Date.now() - killedAt;
  }
  const name = fault.target.service;
  const child = await runningChild(ctx.paths.run, name);
  if (!child) throw new Error(`${name} is not running: nothing to kill`);
  // A process that dies in its first start-up is reported, not restarted (supervise.ts): kill it
  // only once it has run past that grace, as a crash in production would find it.
  const ranMs = Date.now() - Date.parse(child.startedAt);
  if (ranMs < STARTUP_GRACE_MS) await sleep(STARTUP_GRACE_MS - ranMs + 1_000);
  const killedAt = Date.now();
  process.kill(child.pid, 'SIGKILL');
  const definition = platformServices.find((s) => s.name === name)!;
  while (Date.now() - killedAt < RECOVERY_BOUND_MS) {
    await sleep(250);
    const [now] = await status(ctx, [definition]);
    if (now?.state === 'ready' && now.pid !== child.pid) return Date.now() - killedAt;
  }
  return undefined;
}

async function reconcile(
  target: 'cassandra' | 'clickhouse',
): Promise<{ name: string; ok: boolean; summary: string }> {
  const run = promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'ops/cli/projections.ts', 'reconcile', target],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const name = `reconcile ${target}`;
  try {
    const { stdout } = await run;
    return { name, ok: true, summary: stdout.trim().split('\n').at(-1) ?? '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const lines = `${stdout}\n${stderr}`.trim().split('\n');
    return { name, ok: false, summary: lines.slice(-8).join(' | ') };
  }
}

export async function runDrill(
  ctx: StackContext,
  options: DrillOptions,
  log: (line: string) => void,
): Promise<FaultReport[]> {
  const config = ctx.config.clients;
  const env = await openDrillEnvironment(ctx, options, log);
  const { promptsPerSecond, load, standIn, clickhouse, admin } = env;
  const reports: FaultReport[] = [];
  try {
    for (const fault of options.faults) {
      log(
        `\n▶ ${fault.name}: load for ${options.seconds} s, kill -9 at ${Math.round(options.seconds / 3)} s`,
      );
      const tally = newTally();
      const report: FaultReport = {
        fault: fault.name,
        tally,
        downstream: nothingFound(),
        history: { missing: 0, doubled: 0 },
        reconciles: [],
      };
      reports.push(report);
      try {
        const driving = load.drive(promptsPerSecond, options.seconds, REFERENCE_READS_PER_PROMPT, tally);
        await sleep((options.seconds * 1000) / 3);
        report.recoveryMs = await inflict(ctx, fault, standIn);
        await driving;
        log(
          `  load done: ${tally.accepted.length}/${tally.sent} accepted; recovered in ${report.recoveryMs === undefined ? 'NOT' : `${(report.recoveryMs / 1000).toFixed(1)} s`}`,
        );
        const loadEnded = Date.now();
        const { downstream, caughtUp } = await waitForCatchUp(
          clickhouse,
          config.clickhouseProjection.database,
          tally.accepted,
          options.catchUpTimeoutMs,
        );
        report.downstream = downstream;
        const timeoutMs = () => Math.max(10_000, options.catchUpTimeoutMs - (Date.now() - loadEnded));
        // Prompts the API took whose reply never reached the drill (no reply) are answered too; their
        // answers written after the reconciles' snapshot would read as rows no event explains.
        await waitUntilCaughtUp(admin, `parley.${INFERENCE_PROCESSOR}`, topics.chat, {
          timeoutMs: timeoutMs(),
        }).catch(() => undefined);
        // The history is Cassandra's: its projector may still be catching up after its own restart.
        await waitUntilCaughtUp(admin, `parley.${CASSANDRA_PROJECTOR}`, topics.chat, {
          timeoutMs: timeoutMs(),
        }).catch(() => undefined); // a lagging projector shows as history missing below
        if (caughtUp) report.catchUpMs = Date.now() - loadEnded;
        report.history = await checkHistories(load.chats(), tally.accepted);
        report.reconciles = [await reconcile('cassandra'), await reconcile('clickhouse')];
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
      }
      log(`  ${verdict(report) ? '✓' : '✗'} ${summarize(report)}`);
    }
  } finally {
    await env.close();
  }
  return reports;
}

/** A fault passes when nothing accepted was lost, doubled or left unanswered, and both reconciles agree. */
export function verdict(r: FaultReport): boolean {
  const d = r.downstream;
  return (
    r.error === undefined &&
    r.recoveryMs !== undefined &&
    d.promptsMissing + d.promptsDoubled + d.answersMissing + d.answersDoubled + d.duplicateEvents === 0 &&
    r.history.missing + r.history.doubled === 0 &&
    r.reconciles.every((c) => c.ok)
  );
}

function summarize(r: FaultReport): string {
  const d = r.downstream;
  if (r.error) return `error: ${r.error}`;
  return [
    `produced ${r.tally.accepted.length}`,
    `lost ${d.promptsMissing}`,
    `duplicated ${d.promptsDoubled + d.duplicateEvents}`,
    `answers missing ${d.answersMissing}, doubled ${d.answersDoubled}, failed ${d.answersFailed}`,
    `history missing ${r.history.missing}, doubled ${r.history.doubled}`,
    ...r.reconciles.map((c) => `${c.name} ${c.ok ? 'ok' : `FAILED (${c.summary})`}`),
  ].join('; ');
}
