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
import { localDeployment } from '../../connectors/model-server/localModel.ts';
import { createClickHouse, createKafka } from '../../core/clients.ts';
import { waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import { CASSANDRA_PROJECTOR } from '../../processors/cassandra/cassandraProjector.ts';
import { INFERENCE_PROCESSOR } from '../../processors/inference/inferenceProcessor.ts';
import { topics } from '../../schemas/catalog.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { down, status, up, type createContext } from '../stack/manager.ts';
import { repoRoot } from '../stack/paths.ts';
import { runningChild } from '../stack/process.ts';
import { platformServices, services } from '../stack/services/index.ts';
import { preparePlatform } from '../platform/platformTopics.ts';
import { DrillLoad, newTally, type LoadTally } from './drillLoad.ts';
import type { Fault } from './faults.ts';
import { StandIn } from './standInProcess.ts';
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

const DRILL_MODEL = 'drill-stand-in';
const READS_PER_PROMPT =
  (referencePeak.requestsPerSecond - referencePeak.promptsPerSecond) / referencePeak.promptsPerSecond;
const RECOVERY_BOUND_MS = 300_000;
/** For the inference processor to work through a backlog before the first fault (expired prompts fail fast). */
const LEVEL_BOUND_MS = 1_200_000;

type Ctx = ReturnType<typeof createContext>;

/** Kills the target and resolves with how long it took to answer again. */
async function inflict(ctx: Ctx, fault: Fault, standIn: StandIn): Promise<number | undefined> {
  const killedAt = Date.now();
  if (fault.target.kind === 'model-stand-in') {
    standIn.kill();
    await sleep(1_000); // as the stack's supervisor waits before a restart
    await standIn.start();
    return Date.now() - killedAt;
  }
  const name = fault.target.service;
  const child = await runningChild(ctx.paths.run, name);
  if (!child) throw new Error(`${name} is not running: nothing to kill`);
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
  ctx: Ctx,
  options: DrillOptions,
  log: (line: string) => void,
): Promise<FaultReport[]> {
  const config = ctx.config.clients;
  const promptsPerSecond = options.multiple * referencePeak.promptsPerSecond;
  // The demo's prompts would go to the CPU model and are not the drill's to count.
  await up(ctx, services);
  await preparePlatform(ctx.config);
  await up(
    ctx,
    platformServices.filter((s) => s.name !== 'demo'),
  );
  await down(
    ctx,
    platformServices.filter((s) => s.name === 'demo'),
  );

  // Enough slots for the rate at the stand-in's ~0.1 s per answer, twice over.
  const standIn = new StandIn({
    port: options.standInPort,
    model: DRILL_MODEL,
    slots: Math.max(4, Math.ceil(promptsPerSecond * 0.2)),
    timeToFirstTokenMs: 20,
    tokensPerSecond: 200,
    answerTokens: 16,
  });
  await standIn.start();
  const producer = await createEventProducer(config, { clientId: 'parley-drill' });
  const clickhouse = createClickHouse(config);
  const reports: FaultReport[] = [];
  const admin = createKafka(config, 'parley-drill').admin();
  await admin.connect();
  try {
    await producer.publish(
      'ModelDeployed',
      newEvent('ModelDeployed', {
        ...localDeployment(ctx.config),
        model_version: `${DRILL_MODEL}-1`,
        model_name: DRILL_MODEL,
        serving_engine: 'OTHER',
        endpoint_url: `${standIn.url}/v1`,
        servers: [{ url: standIn.url, slots: standIn.slots }],
      }),
    );
    // Prompts left from before (tests, an earlier run) would queue ahead of the drill's: start level.
    log('waiting for the inference processor to be level with the chat topic');
    await waitUntilCaughtUp(admin, `parley.${INFERENCE_PROCESSOR}`, topics.chat, {
      timeoutMs: LEVEL_BOUND_MS,
    });
    const { host, port } = config.api;
    const load = new DrillLoad(`http://${host}:${port}`, DRILL_MODEL, Date.now().toString(36));
    log(
      `drill: ${options.multiple}× reference peak = ${promptsPerSecond.toFixed(1)} prompts/s through the API, ${options.seconds} s per fault`,
    );
    await load.prepare(promptsPerSecond);

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
        const driving = load.drive(promptsPerSecond, options.seconds, READS_PER_PROMPT, tally);
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
        // The history is Cassandra's: its projector may still be catching up after its own restart.
        await waitUntilCaughtUp(admin, `parley.${CASSANDRA_PROJECTOR}`, topics.chat, {
          timeoutMs: Math.max(10_000, options.catchUpTimeoutMs - (Date.now() - loadEnded)),
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
    await producer
      .publish(
        'ModelRetired',
        newEvent('ModelRetired', {
          model_version: `${DRILL_MODEL}-1`,
          replaced_by: null,
          reason: 'drill finished',
        }),
      )
      .catch(() => undefined);
    await producer.close();
    await clickhouse.close();
    await admin.disconnect();
    await standIn.stop();
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
