// Benchmark (issue 11): the HTTP API on this machine. History reads (GET /v1/chats/:id/messages
// ?limit=20) and accepted prompts (POST /v1/chats/:id/messages → 202, i.e. PromptSubmitted
// acknowledged by Kafka; answers are not part of the figure) at fixed rates stated in reference
// peaks (producers/loadgen/trafficModel.ts): latency p50/p99, errors, and the API's CPU per request.
// History reads are swept upwards to find the rate at which p99 crosses the target.
//
// Processes: the API runs as a child (this file with --api-child) so its CPU is its own
// (/proc/<pid>/stat); this process drives the load and runs the Cassandra projector that fills the
// history during setup. Topic and keyspace are the bench's own (dropped at the end).
//
// Load (--driver): `paced` (the default) sends evenly spaced requests, open loop like wrk2: each
// goes out when it is due on a free keep-alive connection, and its latency runs from when it was
// due. `autocannon` uses autocannon's `overallRate`, which gives each connection a quota per second
// that it sends back to back from the start of each second, then idles: a fixed rate per second,
// not evenly spaced arrivals, so its latencies depend on the connection count (at 1× history,
// 2 connections gave p50 2.8 ms / p99 10.7 ms and 16 gave 15.9 / 38.5 ms on the same machine). It
// is kept to compare; its latencies are taken from each response (sub-millisecond) rather than
// its histogram (whole milliseconds, and a coordinated-omission correction that assumes a 1 ms
// interval at these rates), from send to the response's end.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startApi } from '../../api/server.ts';
import { createCassandraClient, createKafka } from '../../core/clients.ts';
import { loadConfig, type ClientConfig } from '../../core/config.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { cassandraProjectorRuntime, fixedKeyspace } from '../../processors/cassandra/cassandraProjector.ts';
import { createEventProducer, type EventProducer } from '../../producers/eventProducer.ts';
import { percentile } from '../../producers/loadgen/runLoad.ts';
import { referencePeak, referenceSizing } from '../../producers/loadgen/trafficModel.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { migrate } from '../../projections/cassandra/keyspace.ts';
import { topics } from '../../schemas/catalog.ts';
import { repoRoot, stackPaths } from '../stack/paths.ts';
import { cpuSeconds } from '../stack/process.ts';
import { serverPid } from './serverProcess.ts';
import { benchCommand, type BenchFigure, type BenchResult } from './result.ts';

const THIS_FILE = fileURLToPath(import.meta.url);
const HISTORY_P99_TARGET_MS = 15;
const PROMPT_P99_TARGET_MS = 20;
const PAGE = 20;
const SETUP_CONCURRENCY = 8;
const PROMPT_TEXT = 'How does a Kafka consumer group share the partitions of a topic among its members?';
const ANSWER_TEXT =
  'Each member of the group is assigned a subset of the partitions; when a member joins or leaves, the group rebalances and the partitions are reassigned, so every partition is read by exactly one member at a time.';

/** History fetches at one reference peak: the table's per-user rate, at peak (≈ 156/s). */
const historyPerSecond =
  (referenceSizing.perUserPerDay.historyFetches *
    referenceSizing.dailyActiveUsers *
    referenceSizing.peakFactor) /
  86_400;

// ---------------------------------------------------------------------------------------------
// autocannon (no type declarations are installed: the little used here)

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  overallRate: number;
  duration: number;
  timeout: number;
  ignoreCoordinatedOmission: boolean;
  requests: Array<AutocannonRequest & { setupRequest: (req: AutocannonRequest) => AutocannonRequest }>;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): void;
}

type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

// ---------------------------------------------------------------------------------------------
// Options

type Driver = 'paced' | 'autocannon';

interface Options {
  driver: Driver;
  multiples: number[];
  sweep: number[];
  seconds: number;
  warmup: number;
  users: number;
  prompts: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      driver: { type: 'string' },
      multiples: { type: 'string' },
      sweep: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      users: { type: 'string' },
      prompts: { type: 'string' },
    },
  });
  const list = (text: string) => (text.trim() === '' ? [] : text.split(',').map(Number));
  const options: Options = {
    driver: (values.driver ?? 'paced') as Driver,
    multiples: list(values.multiples ?? '1,10'),
    sweep: list(values.sweep ?? '1.5,2,3,5'),
    seconds: Number(values.seconds ?? 15),
    warmup: Number(values.warmup ?? 3),
    users: Number(values.users ?? 200),
    prompts: Number(values.prompts ?? 3),
  };
  if (
    !['paced', 'autocannon'].includes(options.driver) ||
    options.multiples.length === 0 ||
    ![...options.multiples, ...options.sweep, options.seconds].every((n) => Number.isFinite(n) && n > 0) ||
    !(options.warmup >= 0) ||
    ![options.users, options.prompts].every((n) => Number.isInteger(n) && n > 0)
  )
    throw new Error(
      'usage: npm run bench -- api [--driver paced|autocannon] [--seconds 15] [--multiples 1,10] [--sweep 1.5,2,3,5] [--warmup 3] [--users 200] [--prompts 3]',
    );
  return options;
}

// ---------------------------------------------------------------------------------------------
// The API as a child process

interface ChildSpec {
  keyspace: string;
  chatTopic: string;
}

/** Runs in the child: the API on a free port, rate limits out of the way; tells the parent its URL. */
async function apiChild(spec: ChildSpec): Promise<void> {
  const config = loadConfig().clients;
  const running = await startApi(
    { ...config, api: { ...config.api, rateLimitPerMinute: 1e9, promptRateLimitPerMinute: 1e9 } },
    { port: 0, keyspace: spec.keyspace, topics: { chat: spec.chatTopic } },
  );
  onShutdown(() => running.stop());
  process.send!({ url: running.url });
}

class ApiProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(spec: ChildSpec, log: string): Promise<ApiProcess> {
    const fd = openSync(log, 'a');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', THIS_FILE, '--api-child', JSON.stringify(spec)],
      {
        cwd: repoRoot,
        stdio: ['ignore', fd, fd, 'ipc'],
      },
    );
    closeSync(fd);
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the API did not start within 60 s; see ${log}`)),
        60_000,
      );
      child.once('message', (message: { url: string }) => {
        clearTimeout(timer);
        resolveUrl(message.url);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the API exited (${code}) before it was ready; see ${log}`));
      });
    });
    return new ApiProcess(child, url);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolveExit) => this.child.once('exit', resolveExit));
    this.child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: users, each with a chat whose history the projector has written

interface BenchChat {
  token: string;
  userId: string;
  chatId: string;
}

async function post(url: string, path: string, body: unknown, token?: string) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, string>;
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function historyItems(url: string, chat: BenchChat): Promise<number> {
  const response = await fetch(`${url}/v1/chats/${chat.chatId}/messages?limit=${PAGE}`, {
    headers: { authorization: `Bearer ${chat.token}` },
  });
  if (!response.ok) throw new Error(`history: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { items: unknown[] }).items.length;
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function eachLimited<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

/**
 * A user with a chat holding `prompts` prompts (through the API) and their answers (published as
 * AnswerGenerated, as the inference processor would); resolves once the history shows them all.
 */
async function setUpChat(
  url: string,
  producer: EventProducer,
  chatTopic: string,
  n: number,
  prompts: number,
): Promise<BenchChat> {
  const email = `bench-api-${Date.now().toString(36)}-${n}@example.test`;
  const password = `bench-password-${n}`;
  await post(url, '/v1/auth/register', { email, password });
  const { token, user_id: userId } = await post(url, '/v1/auth/login', { email, password });
  const { chat_id: chatId } = await post(url, '/v1/chats', { title: `bench chat ${n}` }, token);
  const chat = { token: token!, userId: userId!, chatId: chatId! };
  for (let i = 0; i < prompts; i++) {
    const accepted = await post(url, `/v1/chats/${chatId}/messages`, { content: PROMPT_TEXT }, token);
    await producer.publish(
      'AnswerGenerated',
      newEvent('AnswerGenerated', {
        chat_id: chat.chatId,
        user_id: chat.userId,
        message_id: accepted.answer_message_id!,
        parent_message_id: accepted.message_id!,
        content: ANSWER_TEXT,
        model_version: 'bench-model',
        tokens_in: 20,
        tokens_out: 45,
        latency_ms: 500,
      }),
      { topic: chatTopic },
    );
  }
  const deadline = Date.now() + 60_000;
  while ((await historyItems(url, chat)) < 2 * prompts) {
    if (Date.now() > deadline) throw new Error(`chat ${chatId}: its history was not projected within 60 s`);
    await sleep(200);
  }
  return chat;
}

// ---------------------------------------------------------------------------------------------
// CPU, from /proc (ops/stack/process.ts)

type CpuSources = Record<string, () => Promise<number | undefined>>;

async function cpuSources(api: ApiProcess): Promise<CpuSources> {
  const { run } = stackPaths();
  const sources: CpuSources = { API: () => cpuSeconds(api.pid) };
  const { user, system } = process.cpuUsage();
  const bench = (user + system) / 1e6;
  sources['bench process'] = async () => {
    const now = process.cpuUsage();
    return (now.user + now.system) / 1e6 - bench;
  };
  for (const [label, service] of [
    ['Cassandra', 'cassandra'],
    ['Redis', 'redis'],
    ['Kafka', 'kafka'],
  ] as const) {
    const pid = await serverPid(run, service);
    if (pid === undefined) throw new Error(`the stack's ${service} is not running: npm run stack -- up`);
    sources[label] = () => cpuSeconds(pid);
  }
  return sources;
}

async function cpuSnapshot(sources: CpuSources): Promise<Record<string, number | undefined>> {
  return Object.fromEntries(
    await Promise.all(Object.entries(sources).map(async ([label, read]) => [label, await read()] as const)),
  );
}

/**
 * Waits (at most 60 s) until the API and Cassandra are back near idle (together under a third of a
 * core for a second): an overloaded point leaves work behind (requests whose clients gave up, reads
 * queued in Cassandra) that must not land in the next point.
 */
async function settle(sources: CpuSources): Promise<void> {
  const busy = async () => ((await sources.API!()) ?? 0) + ((await sources.Cassandra!()) ?? 0);
  for (let tries = 0; tries < 60; tries++) {
    const before = await busy();
    await sleep(1_000);
    if ((await busy()) - before < 0.33) return;
  }
  console.log('  (the API and Cassandra stayed busy for 60 s; going on anyway)');
}

// ---------------------------------------------------------------------------------------------
// One load point

interface Point {
  kind: 'history' | 'prompts';
  multiple: number;
  rate: number;
  connections: number;
  achieved: number;
  latencies: number[];
  ok: number;
  /** Non-2xx responses by status, errors and timeouts. */
  failures: Record<string, number>;
  /** CPU µs per request, by process. */
  cpu: Record<string, number | undefined>;
  /** The API's own view of the run: event-loop delay and time in GC (from its /metrics). */
  api: ApiRuntimeStats;
}

interface ApiRuntimeStats {
  loopP99Ms: number;
  loopMaxMs: number;
  gcMs: number;
}

/**
 * Reads the API's event-loop delay (prom-client resets its histogram on every scrape, so a scrape
 * before a run starts its window) and its cumulative GC time. A stall the API's own loop did not
 * see was outside it: the kernel's scheduler, Redis, Kafka.
 */
async function apiRuntimeStats(url: string): Promise<ApiRuntimeStats> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (pattern: RegExp) =>
    [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  return {
    loopP99Ms: sum(/^parley_api_nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/gm) * 1000,
    loopMaxMs: sum(/^parley_api_nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/gm) * 1000,
    gcMs: sum(/^parley_api_nodejs_gc_duration_seconds_sum\{[^}]*\} (\S+)$/gm) * 1000,
  };
}

/**
 * Connections: autocannon spreads the rate over them, and each sends its share sequentially, so
 * it needs enough to reach the rate when a response is slow (rate × 10 ms, at least 2), and no
 * more: each extra one is one more request at once in every second's burst.
 */
const connectionsFor = (rate: number) => Math.max(2, Math.ceil(rate * 0.01));

interface Driven {
  latencies: number[];
  failures: Record<string, number>;
  /** autocannon: its connections; paced: the most requests in flight at once. */
  connections: number;
}

interface BenchRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

type NextRequest = () => BenchRequest;

function nextRequestFor(kind: Point['kind'], chats: BenchChat[]): NextRequest {
  let next = 0;
  return (): BenchRequest => {
    const chat = chats[next++ % chats.length]!;
    const authorization = `Bearer ${chat.token}`;
    return kind === 'history'
      ? { method: 'GET', path: `/v1/chats/${chat.chatId}/messages?limit=${PAGE}`, headers: { authorization } }
      : {
          method: 'POST',
          path: `/v1/chats/${chat.chatId}/messages`,
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ content: PROMPT_TEXT }),
        };
  };
}

/** autocannon at `overallRate`: each connection's share of a second back to back, then idle. */
async function driveAutocannon(
  url: string,
  rate: number,
  seconds: number,
  next: NextRequest,
): Promise<Driven> {
  const connections = connectionsFor(rate);
  const latencies: number[] = [];
  const result = await new Promise<AutocannonResult>((resolveRun, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        overallRate: rate,
        duration: seconds,
        timeout: 10,
        ignoreCoordinatedOmission: true,
        requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
      },
      (error, r) => (error ? reject(error) : resolveRun(r)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const failures: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats))
    if (!status.startsWith('2')) failures[status] = count;
  if (result.errors > result.timeouts) failures.errors = result.errors - result.timeouts;
  if (result.timeouts > 0) failures.timeouts = result.timeouts;
  return { latencies, failures, connections };
}

/**
 * Evenly spaced arrivals (open loop, like wrk2): request i is due at start + i / rate and goes out
 * then on a free keep-alive connection (a new one if none is free), whatever the earlier ones are
 * doing. Its latency runs from when it was due, so a late send (this process busy) counts too.
 */
async function drivePaced(url: string, rate: number, seconds: number, next: NextRequest): Promise<Driven> {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1_000 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (key: string) => (failures[key] = (failures[key] ?? 0) + 1);
  let [sent, settled, inFlight, peak] = [0, 0, 0, 0];
  const start = performance.now() + 20;
  await new Promise<void>((resolveAll) => {
    const finished = () => {
      inFlight--;
      if (++settled === total) resolveAll();
    };
    const send = (due: number) => {
      const { body, ...request } = next();
      inFlight++;
      peak = Math.max(peak, inFlight);
      const req = httpRequest({ agent, host: hostname, port, ...request, timeout: 10_000 }, (res) => {
        res.resume();
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) latencies.push(performance.now() - due);
          else fail(String(status));
          finished();
        });
      });
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (error) => {
        fail(error.message === 'timeout' ? 'timeouts' : 'errors');
        finished();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      for (; sent < total && start + sent * interval <= now; sent++) send(start + sent * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  return { latencies, failures, connections: peak };
}

async function loadPoint(
  url: string,
  driver: Driver,
  kind: Point['kind'],
  multiple: number,
  seconds: number,
  chats: BenchChat[],
  sources: CpuSources,
): Promise<Point> {
  const rate = Math.round(
    multiple * (kind === 'history' ? historyPerSecond : referencePeak.promptsPerSecond),
  );
  const drive = driver === 'paced' ? drivePaced : driveAutocannon;
  const cpu0 = await cpuSnapshot(sources);
  const api0 = await apiRuntimeStats(url);
  const t0 = performance.now();
  const { latencies, failures, connections } = await drive(url, rate, seconds, nextRequestFor(kind, chats));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await cpuSnapshot(sources);
  const api1 = await apiRuntimeStats(url);
  const requests = latencies.length + Object.values(failures).reduce((a, b) => a + b, 0);
  const cpu: Record<string, number | undefined> = {};
  for (const label of Object.keys(sources)) {
    const [before, after] = [cpu0[label], cpu1[label]];
    cpu[label] =
      before === undefined || after === undefined || requests === 0
        ? undefined
        : ((after - before) / requests) * 1e6;
  }
  latencies.sort((a, b) => a - b);
  return {
    kind,
    multiple,
    rate,
    connections,
    achieved: latencies.length / elapsed,
    latencies,
    ok: latencies.length,
    failures,
    cpu,
    api: { loopP99Ms: api1.loopP99Ms, loopMaxMs: api1.loopMaxMs, gcMs: api1.gcMs - api0.gcMs },
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '-');
const micros = (value: number | undefined) =>
  value === undefined ? '?' : Math.round(value).toLocaleString('en');

/** Met: p99 under the target, no failures, the rate reached. */
function judge(point: Point): { met: boolean; label: string } {
  const target = point.kind === 'history' ? HISTORY_P99_TARGET_MS : PROMPT_P99_TARGET_MS;
  const p99 = percentile(point.latencies, 99);
  const failed = Object.values(point.failures).reduce((a, b) => a + b, 0);
  const short = point.achieved < 0.95 * point.rate;
  const met = p99 < target && failed === 0 && !short;
  const why = [
    ...(p99 >= target ? [`p99 ≥ ${target} ms`] : []),
    ...(failed > 0 ? ['failures'] : []),
    ...(short ? ['rate not reached'] : []),
  ];
  return { met, label: met ? `meets p99 < ${target} ms` : `misses (${why.join(', ')})` };
}

function verdict(point: Point): string {
  const { label } = judge(point);
  return point.multiple === 1 ? `${label} [target]` : label;
}

function printTable(title: string, points: Point[], sourceLabels: string[]): void {
  console.log(`\n${title}`);
  const header = [
    'multiple',
    'target/s',
    'conns',
    'achieved/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'non-2xx/errors',
    ...sourceLabels.map((l) => `${l} µs/req`),
    'API loop p99/max ms',
    'API GC ms',
    'verdict',
  ];
  const rows = points.map((p) => [
    `${p.multiple}×`,
    String(p.rate),
    String(p.connections),
    p.achieved.toFixed(0),
    ms(percentile(p.latencies, 50)),
    ms(percentile(p.latencies, 99)),
    ms(p.latencies.at(-1) ?? NaN),
    Object.entries(p.failures)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') || '0',
    ...sourceLabels.map((l) => micros(p.cpu[l])),
    `${ms(p.api.loopP99Ms)}/${ms(p.api.loopMaxMs)}`,
    ms(p.api.gcMs),
    verdict(p),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** Where history p99 crosses the target, from the swept points; `rate` when it lies between two of them. */
function crossing(points: Point[]): { text: string; rate?: number } {
  const sorted = [...points].sort((a, b) => a.rate - b.rate);
  const over = (p: Point) => percentile(p.latencies, 99) >= HISTORY_P99_TARGET_MS;
  const first = sorted.findIndex(over);
  if (first === -1)
    return { text: `not crossed up to ${sorted.at(-1)!.rate} reads/s (the highest rate run)` };
  if (first === 0) return { text: `already at ${sorted[0]!.rate} reads/s (the lowest rate run)` };
  const [below, above] = [sorted[first - 1]!, sorted[first]!];
  const [y0, y1] = [percentile(below.latencies, 99), percentile(above.latencies, 99)];
  const at = below.rate + ((HISTORY_P99_TARGET_MS - y0) / (y1 - y0)) * (above.rate - below.rate);
  return {
    text: `between ${below.rate} reads/s (p99 ${ms(y0)} ms) and ${above.rate} reads/s (p99 ${ms(y1)} ms), ≈ ${Math.round(at)} reads/s by linear interpolation (${(at / historyPerSecond).toFixed(1)}× reference peak)`,
    rate: at,
  };
}

/** A load point's p50 and p99; the target (stated at 1×) on the p99, with the API's CPU per request. */
function pointFigures(point: Point, label: string): BenchFigure[] {
  const target = point.kind === 'history' ? HISTORY_P99_TARGET_MS : PROMPT_P99_TARGET_MS;
  const name = `${label} ${point.multiple}× (${point.rate}/s)`;
  const failed = Object.entries(point.failures).map(([k, v]) => `${k}:${v}`);
  const cpu = Object.entries(point.cpu).map(([k, v]) => `${k} ${micros(v)}`);
  const { met, label: verdictText } = judge(point);
  return [
    { name: `${name} p50`, value: percentile(point.latencies, 50), unit: 'ms' },
    {
      name: `${name} p99`,
      value: percentile(point.latencies, 99),
      unit: 'ms',
      // judge() also counts failures and a rate not reached as a miss.
      ...(point.multiple === 1 ? { target: `< ${target} ms`, met } : {}),
      cpuPerEventUs: point.cpu.API,
      note:
        `achieved ${point.achieved.toFixed(0)}/s, failures ${failed.join(' ') || '0'}; ` +
        `CPU µs per request: ${cpu.join(', ')}` +
        (point.multiple === 1 ? '' : `; ${verdictText}`),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The benchmark

export async function benchApi(config: ClientConfig, argv: string[]): Promise<BenchResult> {
  const options = parseOptions(argv);
  const stamp = Date.now().toString(36);
  const chatTopic = `parley.bench.api.${stamp}`;
  const keyspace = `bench_api_${stamp}`;
  const log = join(stackPaths().logs, `bench-api-${stamp}.log`);

  const admin = createKafka(config, 'bench-api').admin();
  await admin.connect();
  const chatSpec = topicSpecs(config.topics).find((s) => s.topic === topics.chat)!;
  await provisionTopics(admin, [
    { ...chatSpec, topic: chatTopic },
    {
      topic: `${chatTopic}.dlq`,
      partitions: 1,
      replicationFactor: config.topics.replicationFactor,
      configs: {},
    },
  ]);
  const cassandra = createCassandraClient(config);
  await migrate(cassandra, keyspace, config.cassandraProjection.replicationFactor);
  const projector = cassandraProjectorRuntime(config, cassandra, fixedKeyspace(keyspace), {
    name: 'bench-api-projector',
    topic: chatTopic,
    groupId: `bench.api.${stamp}`,
    metricsPort: 0,
  });
  await projector.start();
  let projectorRunning = true;
  const producer = await createEventProducer(config, { clientId: 'bench-api' });
  const api = await ApiProcess.start({ keyspace, chatTopic }, log);
  try {
    console.log(
      `setting up ${options.users} users, each with a chat of ${options.prompts} prompts and answers (projected)...`,
    );
    const setupStart = performance.now();
    const chats = await eachLimited(
      Array.from({ length: options.users }, (_, i) => i),
      SETUP_CONCURRENCY,
      (i) => setUpChat(api.url, producer, chatTopic, i, options.prompts),
    );
    console.log(`  done in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);
    // Everything is projected: the projector stops, so this process runs only the load. The
    // prompts' figure is then acceptance alone (validated, head moved, PromptSubmitted acknowledged).
    await projector.stop();
    projectorRunning = false;
    const sources = await cpuSources(api);
    const labels = Object.keys(sources);
    const idle0 = await sources.API!();
    await sleep(5_000);
    const apiIdle = (((await sources.API!()) ?? NaN) - (idle0 ?? NaN)) / 5;

    const historyMultiples = [...new Set([...options.multiples, ...options.sweep])].sort((a, b) => a - b);
    if (options.warmup > 0)
      await loadPoint(api.url, options.driver, 'history', 1, options.warmup, chats, sources).then(() =>
        sleep(1_000),
      );
    const history: Point[] = [];
    for (const multiple of historyMultiples) {
      process.stdout.write(`  history reads at ${multiple}×... `);
      const point = await loadPoint(
        api.url,
        options.driver,
        'history',
        multiple,
        options.seconds,
        chats,
        sources,
      );
      console.log(`p99 ${ms(percentile(point.latencies, 99))} ms`);
      history.push(point);
      await settle(sources);
      // Beyond the reported multiples, stop once the target is clearly lost (the rate is out of reach).
      const beyond = multiple > Math.max(...options.multiples);
      if (beyond && point.achieved < 0.8 * point.rate) break;
    }

    if (options.warmup > 0)
      await loadPoint(api.url, options.driver, 'prompts', 1, options.warmup, chats, sources).then(() =>
        sleep(1_000),
      );
    const prompts: Point[] = [];
    for (const multiple of [...options.multiples].sort((a, b) => a - b)) {
      process.stdout.write(`  prompts at ${multiple}×... `);
      const point = await loadPoint(
        api.url,
        options.driver,
        'prompts',
        multiple,
        options.seconds,
        chats,
        sources,
      );
      console.log(`p99 ${ms(percentile(point.latencies, 99))} ms`);
      prompts.push(point);
      await settle(sources);
    }

    console.log(`\nnpm run bench -- api ${argv.join(' ')}`.trimEnd());
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; everything on it: the API (one Node process), Cassandra, Redis, Kafka, and this process (the load; the projector that filled the history is stopped before)`,
    );
    console.log(
      `reference peak: ${historyPerSecond.toFixed(1)} history reads/s, ${referencePeak.promptsPerSecond.toFixed(1)} prompts/s; ${options.seconds} s per rate, ${options.users} users each with one chat of ${2 * options.prompts} messages; latency = send → response end, 2xx only; CPU from /proc per request sent (the API idles at ${(apiIdle * 1000).toFixed(1)} ms CPU/s, included)`,
    );
    printTable(
      `History reads: GET /v1/chats/:chat_id/messages?limit=${PAGE} (target p99 < ${HISTORY_P99_TARGET_MS} ms at 1×)`,
      history,
      labels,
    );
    const crossed = crossing(history);
    console.log(`p99 crosses ${HISTORY_P99_TARGET_MS} ms: ${crossed.text}`);
    printTable(
      `Accepted prompts: POST /v1/chats/:chat_id/messages → 202 (target p99 < ${PROMPT_P99_TARGET_MS} ms at 1×)`,
      prompts,
      labels,
    );
    console.log(
      'Prompts: acceptance only (PromptSubmitted acknowledged by Kafka, acks=all); no inference processor or projector ran, so answers and projection are not part of these figures.',
    );
    console.log(
      options.driver === 'paced'
        ? `Load: evenly spaced arrivals (open loop), latency from when each request was due; conns = the most in flight at once. The API log is ${log}`
        : `Load: autocannon overallRate: each connection sends its share of a second back to back, then idles until the next second, so latency depends on conns (see ops/bench/api.ts). The API log is ${log}`,
    );
    return {
      bench: 'api',
      command: benchCommand('api', argv),
      figures: [
        ...history.flatMap((p) => pointFigures(p, 'history reads')),
        {
          name: `history reads: rate where p99 crosses ${HISTORY_P99_TARGET_MS} ms`,
          value: crossed.rate ?? NaN,
          unit: 'reads/s',
          note: crossed.text,
        },
        ...prompts.flatMap((p) => pointFigures(p, 'accepted prompts')),
      ],
      notes: [
        `history reads: GET /v1/chats/:chat_id/messages?limit=${PAGE}; prompts: POST /v1/chats/:chat_id/messages → 202 (acceptance only: no inference or projection)`,
        `reference peak ${historyPerSecond.toFixed(1)} history reads/s, ${referencePeak.promptsPerSecond.toFixed(1)} prompts/s; ${options.seconds} s per rate, ${options.driver} driver, ${options.users} users; the API idles at ${(apiIdle * 1000).toFixed(1)} ms CPU/s (included in its CPU per request)`,
      ],
    };
  } finally {
    await api.stop();
    if (projectorRunning) await projector.stop();
    await producer.close();
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cassandra.shutdown();
    await admin.deleteTopics({ topics: [chatTopic, `${chatTopic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE && process.argv[2] === '--api-child')
  await apiChild(JSON.parse(process.argv[3]!) as ChildSpec);
