// up / down / status / logs for the local stack. Every step is idempotent: `up` on a running stack
// only re-probes, `down` on a stopped one does nothing.
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../core/config.ts';
import { tail } from './exec.ts';
import { ensureAptPackages, type AptRequirement } from './install/apt.ts';
import { stackPaths } from './paths.ts';
import { describePortOwner, isPortFree } from './ports.ts';
import { isAlive, launch, runningChild, runningRecord, stop, type ProcessRecord } from './process.ts';
import type { ServiceContext, ServiceDefinition, ServiceName } from './service.ts';

const baseRequirements: AptRequirement[] = [
  { path: '/usr/bin/java', pkg: 'openjdk-17-jre-headless' },
  { path: '/usr/bin/mvn', pkg: 'maven' },
];

export class StackError extends Error {
  override name = 'StackError';
}

export function createContext(log: (m: string) => void = (m) => console.log(`[stack] ${m}`)): ServiceContext {
  return { config: loadConfig(), paths: stackPaths(), log };
}

const logFile = (ctx: ServiceContext, name: string) => join(ctx.paths.logs, `${name}.log`);

async function logTail(ctx: ServiceContext, name: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(logFile(ctx, name), 'utf8');
    const lastStart = text.lastIndexOf('=== parley stack: starting');
    return tail(lastStart >= 0 ? text.slice(lastStart) : text, lines);
  } catch {
    return '(no log)';
  }
}

async function probeOnce(ctx: ServiceContext, service: ServiceDefinition): Promise<string | undefined> {
  try {
    await service.probe(ctx);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function waitReady(
  ctx: ServiceContext,
  service: ServiceDefinition,
  record: ProcessRecord,
): Promise<void> {
  const deadline = Date.now() + service.startTimeoutMs;
  let lastError = 'not probed yet';
  while (Date.now() < deadline) {
    if (!(await isAlive(record))) {
      throw new StackError(
        `${service.name} exited during start-up. Last log lines (${logFile(ctx, service.name)}):\n${await logTail(ctx, service.name)}`,
      );
    }
    const error = await probeOnce(ctx, service);
    if (error === undefined) return;
    lastError = error;
    await sleep(500);
  }
  throw new StackError(
    `${service.name} did not become ready within ${service.startTimeoutMs / 1000} s (last probe: ${lastError}). Last log lines (${logFile(ctx, service.name)}):\n${await logTail(ctx, service.name)}`,
  );
}

async function startService(ctx: ServiceContext, service: ServiceDefinition): Promise<'started' | 'running'> {
  const existing = await runningRecord(ctx.paths.run, service.name);
  if (existing) {
    await waitReady(ctx, service, existing);
    await service.afterStart?.(ctx);
    return 'running';
  }
  const host = ctx.config.stack.PARLEY_HOST;
  for (const port of service.ports(ctx)) {
    if (!(await isPortFree(host, port))) {
      throw new StackError(
        `${service.name}: port ${port} on ${host} is already in use by ${await describePortOwner(port)}, which this stack did not start. Stop it, or choose another port (see README: environment variables).`,
      );
    }
  }
  const spec = await service.prepare(ctx);
  await mkdir(ctx.paths.logs, { recursive: true });
  await appendFile(
    logFile(ctx, service.name),
    `\n=== parley stack: starting ${service.name} at ${new Date().toISOString()} ===\n`,
  );
  const record = await launch(ctx.paths.run, service.name, logFile(ctx, service.name), spec);
  await waitReady(ctx, service, record);
  await service.afterStart?.(ctx);
  return 'started';
}

/** Runs `task` for every service at once; reports every failure, naming the service. */
async function forEachService<T>(
  selected: ServiceDefinition[],
  task: (service: ServiceDefinition) => Promise<T>,
): Promise<Map<string, T>> {
  const results = await Promise.allSettled(selected.map(task));
  const failures: string[] = [];
  const values = new Map<string, T>();
  results.forEach((result, i) => {
    const name = selected[i]!.name;
    if (result.status === 'fulfilled') values.set(name, result.value);
    else
      failures.push(
        `✗ ${name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
      );
  });
  if (failures.length > 0) throw new StackError(failures.join('\n\n'));
  return values;
}

async function installService(ctx: ServiceContext, service: ServiceDefinition): Promise<void> {
  if (!service.install) return;
  const started = Date.now();
  await service.install(ctx);
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 2) ctx.log(`${service.name}: installed in ${seconds.toFixed(0)} s`);
}

/**
 * Runs `task` once per service, each after the tasks of the services it waits for (`after` names
 * them): dependencies first for `up`, dependents first for `down`. When a predecessor fails, a
 * start fails too, naming it; a stop goes ahead.
 */
function inOrder(
  after: (service: ServiceDefinition) => ServiceDefinition[],
  whenPredecessorFails: 'fail' | 'continue',
  task: (service: ServiceDefinition) => Promise<void>,
): (service: ServiceDefinition) => Promise<void> {
  const runs = new Map<ServiceName, Promise<void>>();
  const run = (service: ServiceDefinition): Promise<void> => {
    let started = runs.get(service.name);
    if (!started) {
      started = (async () => {
        for (const other of after(service)) {
          await run(other).catch(() => {
            if (whenPredecessorFails === 'fail')
              throw new StackError(`waits for ${other.name}, which failed`);
          });
        }
        await task(service);
      })();
      runs.set(service.name, started);
    }
    return started;
  };
  return run;
}

function dependenciesOf(service: ServiceDefinition, selected: ServiceDefinition[]): ServiceDefinition[] {
  return (service.dependsOn ?? []).map((name) => {
    const dependency = selected.find((s) => s.name === name);
    if (!dependency)
      throw new StackError(`${service.name} needs ${name}: start them together (npm run stack -- up)`);
    return dependency;
  });
}

/**
 * Each service starts as soon as its own install is done and the services it depends on answer,
 * so a long build delays only its owner. `selected` must hold every dependency (see
 * services/index.ts withDependencies).
 */
export async function up(ctx: ServiceContext, selected: ServiceDefinition[]): Promise<void> {
  const started = Date.now();
  await ensureAptPackages([...baseRequirements, ...selected.flatMap((s) => s.apt ?? [])], ctx.log);
  const dirs = [ctx.paths.data, ctx.paths.logs, ctx.paths.run, ctx.paths.conf, ctx.paths.cache];
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  const installs = new Map(
    selected.map((s) => {
      const install = installService(ctx, s);
      install.catch(() => {}); // reported when its service awaits it; not an unhandled rejection
      return [s.name, install];
    }),
  );
  const start = inOrder(
    (service) => dependenciesOf(service, selected),
    'fail',
    async (service) => {
      await installs.get(service.name);
      const t0 = Date.now();
      const outcome = await startService(ctx, service);
      ctx.log(
        `${service.name}: ${outcome === 'started' ? `ready in ${((Date.now() - t0) / 1000).toFixed(1)} s` : 'already running'}`,
      );
    },
  );
  await forEachService(selected, start);
  ctx.log(`up: ${selected.length} services ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Dependents stop first: Connect commits its offsets to Kafka on the way down. */
export async function down(ctx: ServiceContext, selected: ServiceDefinition[]): Promise<void> {
  const stopOne = inOrder(
    (service) => selected.filter((s) => s.dependsOn?.includes(service.name)),
    'continue',
    async (service) => {
      const outcome = await stop(ctx.paths.run, service.name, service.stopGraceMs, service.stopSignal);
      ctx.log(`${service.name}: ${outcome}`);
    },
  );
  await forEachService([...selected].reverse(), stopOne);
}

export interface ServiceStatus {
  name: string;
  state: 'ready' | 'starting or unhealthy' | 'stopped';
  /** The service's own process (its supervisor's child). */
  pid?: number;
  rssMiB?: number;
  /** Times the supervisor started it again after it died, and how the last run ended. */
  restarts?: number;
  lastExit?: string;
  endpoints: string;
  problem?: string;
}

export async function residentMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kib ? Math.round(Number(kib) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export async function status(ctx: ServiceContext, selected: ServiceDefinition[]): Promise<ServiceStatus[]> {
  return Promise.all(
    selected.map(async (service): Promise<ServiceStatus> => {
      const endpoints = service
        .endpoints(ctx)
        .map((e) => `${e.label} ${e.value}`)
        .join(', ');
      const record = await runningRecord(ctx.paths.run, service.name);
      if (!record) return { name: service.name, state: 'stopped', endpoints };
      const problem = await probeOnce(ctx, service);
      const child = await runningChild(ctx.paths.run, service.name);
      return {
        name: service.name,
        state: problem === undefined ? 'ready' : 'starting or unhealthy',
        ...(child
          ? {
              pid: child.pid,
              rssMiB: await residentMiB(child.pid),
              restarts: child.restarts,
              ...(child.lastExit ? { lastExit: child.lastExit } : {}),
            }
          : {}),
        endpoints,
        ...(problem === undefined ? {} : { problem }),
      };
    }),
  );
}

export function formatStatus(rows: ServiceStatus[]): string {
  const table = [
    ['SERVICE', 'STATE', 'PID', 'RSS MiB', 'RESTARTS', 'ENDPOINT'],
    ...rows.map((r) => [
      r.name,
      r.state,
      r.pid ? String(r.pid) : '-',
      r.rssMiB ? String(r.rssMiB) : '-',
      r.restarts === undefined ? '-' : String(r.restarts),
      r.endpoints,
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
  const problems = rows
    .filter((r) => r.problem || r.lastExit)
    .map(
      (r) => `  ${r.name}: ${[r.problem, r.lastExit && `last run ${r.lastExit}`].filter(Boolean).join('; ')}`,
    );
  return [...lines, ...(problems.length ? ['notes:', ...problems] : [])].join('\n');
}

export async function logPaths(ctx: ServiceContext, selected: ServiceDefinition[]): Promise<string[]> {
  const paths: string[] = [];
  for (const service of selected) {
    try {
      await stat(logFile(ctx, service.name));
      paths.push(logFile(ctx, service.name));
    } catch {
      /* never started */
    }
  }
  return paths;
}
