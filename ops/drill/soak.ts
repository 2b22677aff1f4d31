// `npm run drill -- --soak 30m`: the platform under steady load through the API, no faults, sampled
// every few seconds: the memory of every process, each processor's lag, how long the API takes to
// accept a prompt and how long its answer takes to be generated. The pass mark is flat memory (and,
// as in every drill, nothing lost): a process whose memory keeps growing is a leak at any rate.
import { setTimeout as sleep } from 'node:timers/promises';
import { groupProgress } from '../../core/kafkaProgress.ts';
import { CASSANDRA_PROJECTOR } from '../../processors/cassandra/cassandraProjector.ts';
import { clickHouseGroupId } from '../../processors/clickhouse/clickhouseProjector.ts';
import { FEEDBACK_PROCESSOR } from '../../processors/feedback/feedbackProcessor.ts';
import { INFERENCE_PROCESSOR } from '../../processors/inference/inferenceProcessor.ts';
import { percentile } from '../../producers/loadgen/runLoad.ts';
import { topics } from '../../schemas/catalog.ts';
import { residentMiB } from '../stack/manager.ts';
import { runningChild } from '../stack/process.ts';
import { platformServices } from '../stack/services/index.ts';
import { openDrillEnvironment, type StackContext } from './drillEnvironment.ts';
import { newTally, REFERENCE_READS_PER_PROMPT, type AcceptedPrompt } from './drillLoad.ts';
import { quoted, rows, waitForCatchUp, type Downstream } from './verify.ts';

/** "30m", "90s", "1h" → ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`--soak takes a duration such as 30m, 90s or 1h, not "${text}"`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

export interface SoakOptions {
  durationMs: number;
  multiple: number;
  sampleEveryMs: number;
  catchUpTimeoutMs: number;
  standInPort: number;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssMiB: Record<string, number>;
  lag: Record<string, number>;
  acceptP50Ms: number;
  acceptP99Ms: number;
  answerP50Ms: number;
  answerP99Ms: number;
}

export interface MemoryVerdict {
  process: string;
  startMiB: number;
  endMiB: number;
  growthMiB: number;
  flat: boolean;
}

export interface SoakResult {
  samples: SoakSample[];
  memory: MemoryVerdict[];
  accepted: number;
  sent: number;
  downstream: Downstream;
  caughtUp: boolean;
}

/** The first fifth is warm-up (JIT, caches, JVM heaps filling); then the first and last quarters of the rest are compared. */
export function memoryVerdicts(samples: readonly SoakSample[]): MemoryVerdict[] {
  const steady = samples.slice(Math.floor(samples.length / 5));
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.rssMiB)))];
  return names.map((name) => {
    const series = (part: readonly SoakSample[]) =>
      part
        .map((s) => s.rssMiB[name])
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
    const startMiB = percentile(series(steady.slice(0, quarter)), 50);
    const endMiB = percentile(series(steady.slice(-quarter)), 50);
    const growthMiB = endMiB - startMiB;
    // Flat: within 10% or 32 MiB, whichever is more (a JVM or V8 heap breathes by that much).
    return { process: name, startMiB, endMiB, growthMiB, flat: growthMiB <= Math.max(32, startMiB * 0.1) };
  });
}

const GROUPS = (database: string): Record<string, string> => ({
  'processor-cassandra': `parley.${CASSANDRA_PROJECTOR}`,
  'processor-clickhouse': clickHouseGroupId(database),
  'processor-feedback': `parley.${FEEDBACK_PROCESSOR}`,
  'processor-inference': `parley.${INFERENCE_PROCESSOR}`,
});

async function answerDelays(
  env: Awaited<ReturnType<typeof openDrillEnvironment>>,
  database: string,
  prompts: readonly AcceptedPrompt[],
): Promise<number[]> {
  if (prompts.length === 0) return [];
  const answers = await rows<{ id: string; at: string | number }>(
    env.clickhouse,
    `SELECT answer_message_id AS id, occurred_at_ms AS at FROM ${database}.answers WHERE answer_message_id IN (${quoted(prompts.map((p) => p.answerId))})`,
  );
  const answeredAt = new Map(answers.map((r) => [r.id, Number(r.at)]));
  return prompts.flatMap((p) => {
    const at = answeredAt.get(p.answerId);
    return at === undefined ? [] : [at - (p.at - p.acceptMs)];
  });
}

export async function runSoak(
  ctx: StackContext,
  options: SoakOptions,
  log: (line: string) => void,
): Promise<SoakResult> {
  const database = ctx.config.clients.clickhouseProjection.database;
  const env = await openDrillEnvironment(ctx, options, log);
  const tally = newTally();
  const samples: SoakSample[] = [];
  try {
    const started = Date.now();
    const driving = env.load.drive(
      env.promptsPerSecond,
      options.durationMs / 1000,
      REFERENCE_READS_PER_PROMPT,
      tally,
    );
    let previousWindowStart = started;
    while (Date.now() - started < options.durationMs) {
      await sleep(options.sampleEveryMs);
      const now = Date.now();
      const rssMiB: Record<string, number> = {};
      for (const service of platformServices) {
        const child = await runningChild(ctx.paths.run, service.name);
        const rss = child && (await residentMiB(child.pid));
        if (rss !== undefined) rssMiB[service.name] = rss;
      }
      const lag: Record<string, number> = {};
      for (const [name, group] of Object.entries(GROUPS(database))) {
        const progress = await groupProgress(env.admin, group, topics.chat).catch(() => undefined);
        if (progress) lag[name] = Number(progress.total - progress.done);
      }
      const windowPrompts = tally.accepted.filter((p) => p.at > now - options.sampleEveryMs);
      const accept = windowPrompts.map((p) => p.acceptMs).sort((a, b) => a - b);
      // Answers of the window before: they have had a window's time to come.
      const earlier = tally.accepted.filter(
        (p) => p.at > previousWindowStart - options.sampleEveryMs && p.at <= previousWindowStart,
      );
      const answers = (await answerDelays(env, database, earlier).catch(() => [])).sort((a, b) => a - b);
      previousWindowStart = now - options.sampleEveryMs;
      const sample: SoakSample = {
        t: Math.round((now - started) / 1000),
        rssMiB,
        lag,
        acceptP50Ms: percentile(accept, 50),
        acceptP99Ms: percentile(accept, 99),
        answerP50Ms: percentile(answers, 50),
        answerP99Ms: percentile(answers, 99),
      };
      samples.push(sample);
      log(
        `  ${String(sample.t).padStart(5)} s  accepted ${tally.accepted.length}/${tally.sent}  lag ${Object.values(lag).reduce((a, b) => a + b, 0)}  accept p99 ${sample.acceptP99Ms.toFixed(0)} ms  answer p99 ${sample.answerP99Ms.toFixed(0)} ms  RSS ${Object.values(rssMiB).reduce((a, b) => a + b, 0)} MiB`,
      );
    }
    await driving;
    const { downstream, caughtUp } = await waitForCatchUp(
      env.clickhouse,
      database,
      tally.accepted,
      options.catchUpTimeoutMs,
    );
    return {
      samples,
      memory: memoryVerdicts(samples),
      accepted: tally.accepted.length,
      sent: tally.sent,
      downstream,
      caughtUp,
    };
  } finally {
    await env.close();
  }
}
