// The platform's own processes, run by the stack manager like its servers (supervised, pid files,
// logs, status): the API, the four processors and the demo workload. Each runs the same entry point
// a developer would (`npm run api`, `npm run processor -- <name>`), without npm in between.
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CASSANDRA_METRICS_PORT } from '../../../processors/cassandra/cassandraProjector.ts';
import { DEFAULT_CLICKHOUSE_METRICS_PORT } from '../../../processors/clickhouse/clickhouseProjector.ts';
import { DEFAULT_FEEDBACK_METRICS_PORT } from '../../../processors/feedback/feedbackProcessor.ts';
import { DEFAULT_INFERENCE_METRICS_PORT } from '../../../processors/inference/inferenceProcessor.ts';
import type { DemoStatus } from '../../platform/demoWorkload.ts';
import { repoRoot } from '../paths.ts';
import type { ServiceContext, ServiceDefinition, ServiceName } from '../service.ts';

const tsx = (entry: string, ...args: string[]) => [process.execPath, '--import', 'tsx', entry, ...args];

async function expectOk(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

/** A secret the platform generates once and keeps in the stack's conf folder (mode 0600). */
async function keptSecret(ctx: ServiceContext, file: string, make: () => string): Promise<string> {
  const path = join(ctx.paths.conf, file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const value = make();
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(path, 'utf8')).trim();
  }
}

/** The console's operator token: PARLEY_CONSOLE_TOKEN if set, else one generated for this stack. */
export async function consoleToken(ctx: ServiceContext): Promise<string> {
  return (
    process.env.PARLEY_CONSOLE_TOKEN ??
    keptSecret(ctx, 'console-token', () => randomBytes(24).toString('base64url'))
  );
}

/** The demo user's sign-in, generated once per stack. */
export async function demoCredentials(ctx: ServiceContext): Promise<{ file: string; email: string }> {
  const email = 'demo@parley.example';
  const password = await keptSecret(ctx, 'demo-password', () => randomBytes(18).toString('base64url'));
  const file = join(ctx.paths.conf, 'demo-user.json');
  await writeFile(file, JSON.stringify({ email, password }), { mode: 0o600 });
  return { file, email };
}

const apiUrl = (ctx: ServiceContext) => {
  const { host, port } = ctx.config.clients.api;
  return `http://${host}:${port}`;
};

export const api: ServiceDefinition = {
  name: 'api',
  dependsOn: ['kafka', 'registry', 'postgres', 'redis', 'cassandra'],
  startTimeoutMs: 60_000,
  stopGraceMs: 15_000,
  ports: (ctx) => [ctx.config.clients.api.port],
  async prepare(ctx) {
    return {
      command: tsx('ops/cli/api.ts'),
      cwd: repoRoot,
      env: { ...process.env, PARLEY_CONSOLE_TOKEN: await consoleToken(ctx) },
    };
  },
  probe: (ctx) => expectOk(`${apiUrl(ctx)}/readyz`),
  endpoints: (ctx) => [{ label: 'http', value: apiUrl(ctx) }],
};

function processor(
  name: 'cassandra' | 'clickhouse' | 'feedback' | 'inference',
  defaultPort: number,
  dependsOn: ServiceName[],
): ServiceDefinition {
  const metricsUrl = (ctx: ServiceContext) =>
    `http://${ctx.config.clients.processor.metricsHost}:${defaultPort}/metrics`;
  return {
    name: `processor-${name}`,
    dependsOn: ['kafka', 'registry', ...dependsOn],
    startTimeoutMs: 120_000,
    stopGraceMs: 30_000,
    ports: () => [defaultPort],
    async prepare(ctx) {
      // One variable for every processor would give them all one port.
      if (ctx.config.clients.processor.metricsPort !== undefined)
        throw new Error(
          'PARLEY_METRICS_PORT is set: the platform runs every processor, each on its own metrics port; unset it',
        );
      return { command: tsx('ops/cli/processor.ts', name), cwd: repoRoot };
    },
    probe: (ctx) => expectOk(metricsUrl(ctx)),
    endpoints: (ctx) => [{ label: 'metrics', value: metricsUrl(ctx) }],
  };
}

const demoStatusFile = (ctx: ServiceContext) => join(ctx.paths.run, 'demo.status.json');

export const demo: ServiceDefinition = {
  name: 'demo',
  dependsOn: ['api', 'processor-inference', 'processor-cassandra'],
  startTimeoutMs: 30_000,
  stopGraceMs: 15_000,
  ports: () => [],
  async prepare(ctx) {
    const { file } = await demoCredentials(ctx);
    await rm(demoStatusFile(ctx), { force: true }); // the probe must read this run's
    return {
      command: tsx(
        'ops/cli/demo.ts',
        '--credentials',
        file,
        '--status-file',
        demoStatusFile(ctx),
        '--interval-ms',
        String(ctx.config.stack.PARLEY_DEMO_INTERVAL_MS),
      ),
      cwd: repoRoot,
    };
  },
  // Its protocol is its status file: written at start and after every step.
  async probe(ctx) {
    const file = demoStatusFile(ctx);
    const ageMs = Date.now() - (await stat(file)).mtimeMs;
    const status = JSON.parse(await readFile(file, 'utf8')) as DemoStatus;
    const stepBound = ctx.config.stack.PARLEY_DEMO_INTERVAL_MS + 200_000;
    if (ageMs > stepBound) throw new Error(`no step finished for ${Math.round(ageMs / 1000)} s`);
    if (status.errors > 0 && status.answered === 0) throw new Error(`failing: ${status.lastError}`);
  },
  endpoints: (ctx) => [{ label: 'status', value: demoStatusFile(ctx) }],
};

/** In start order; `npm start` runs them after the servers, topics and model registry are ready. */
export const appServices: ServiceDefinition[] = [
  api,
  processor('cassandra', DEFAULT_CASSANDRA_METRICS_PORT, ['cassandra']),
  processor('clickhouse', DEFAULT_CLICKHOUSE_METRICS_PORT, ['clickhouse']),
  processor('feedback', DEFAULT_FEEDBACK_METRICS_PORT, ['postgres', 'connect']),
  processor('inference', DEFAULT_INFERENCE_METRICS_PORT, ['postgres', 'redis', 'connect', 'model']),
  demo,
];
