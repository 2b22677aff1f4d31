// Benchmark (issue 10): the inference processor on ONE chat partition against the GPU-server
// simulator (a labelled stand-in; no GPU here) sized to the load, at multiples of the reference
// peak prompt rate: achieved answers/s as a share of the simulator's capacity ("utilisation"), the
// platform's own latency (prompt produced → request at the server; last token → AnswerGenerated
// readable in Kafka through the Debezium outbox) and the CPU each process spends per answer. Then
// the real llama-server: time to first token and total time through Parley against calling the
// server directly with the same prompts, in one run.
//
// Processes: this one produces the prompts (our EventProducer) and reads the chat topic (a kafkajs
// consumer noting when each answer arrives); the simulator and the processor run as children
// (inferenceChild.ts), so each one's CPU is its own and none steals the others' event loop. Times
// are wall-clock milliseconds (performance.timeOrigin + now()), comparable across processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { localDeployment } from '../../connectors/model-server/localModel.ts';
import { streamChatCompletion } from '../../connectors/model-server/streamChatCompletion.ts';
import { readAnswerStream } from '../../connectors/tokenStream/tokenStreamReader.ts';
import { createCassandraClient, createKafka, createModelClient, createRedis } from '../../core/clients.ts';
import type { ClientConfig, Config } from '../../core/config.ts';
import { within } from '../../core/within.ts';
import { createEventProducer, EVENT_TYPE_HEADER, type EventProducer } from '../../producers/eventProducer.ts';
import { percentile } from '../../producers/loadgen/runLoad.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { migrate } from '../../projections/cassandra/keyspace.ts';
import type { InferenceProcessorOverrides } from '../../processors/inference/startInferenceProcessor.ts';
import { topics as platformTopics } from '../../schemas/catalog.ts';
import type { AnswerGenerated } from '../../schemas/generated/events.ts';
import { repoRoot, stackPaths } from '../stack/paths.ts';
import { serverPid } from './serverProcess.ts';
import type { ChildMessage, ParentMessage, ServedRequest } from './inferenceChild.ts';
import { againstBaseline, benchCommand, type BenchFigure, type BenchResult } from './result.ts';

const now = () => performance.timeOrigin + performance.now();
const CHILD_SCRIPT = join(repoRoot, 'ops/bench/inferenceChild.ts');
/** /proc counts CPU time in USER_HZ ticks (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_SECOND = 100;
const SIM_MODEL = 'sim-model';
/** Content of every bench prompt: its tag names the prompt, so the simulator's log can be matched. */
const PROMPT_TEXT =
  'Explain how a Kafka consumer group shares the partitions of a topic among its members, and what happens when one of them leaves.';

interface Options {
  multiples: number[];
  seconds: number;
  warmup: number;
  answerMs: number;
  ttftMs: number;
  tokensPerSecond: number;
  drainSeconds: number;
  skipLlama: boolean;
  llamaPrompts: number;
  llamaMaxTokens: number;
  /** The deployment declares this many times the simulator's slots (1: the truth). An experiment. */
  slotHeadroom: number;
  /** Directory for a V8 CPU profile of each load point's processor (node --cpu-prof). */
  cpuProf?: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      multiples: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'answer-ms': { type: 'string' },
      'ttft-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'drain-seconds': { type: 'string' },
      'skip-llama': { type: 'boolean' },
      'llama-prompts': { type: 'string' },
      'llama-max-tokens': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'slot-headroom': { type: 'string' },
    },
  });
  const options: Options = {
    multiples: (values.multiples ?? '1,10').split(',').map(Number),
    seconds: Number(values.seconds ?? 20),
    warmup: Number(values.warmup ?? 5),
    answerMs: Number(values['answer-ms'] ?? 250),
    ttftMs: Number(values['ttft-ms'] ?? 50),
    tokensPerSecond: Number(values['tokens-per-second'] ?? 100),
    drainSeconds: Number(values['drain-seconds'] ?? 15),
    skipLlama: values['skip-llama'] ?? false,
    llamaPrompts: Number(values['llama-prompts'] ?? 6),
    llamaMaxTokens: Number(values['llama-max-tokens'] ?? 24),
    cpuProf: values['cpu-prof'],
    slotHeadroom: Number(values['slot-headroom'] ?? 1),
  };
  const positive = [
    ...options.multiples,
    options.seconds,
    options.answerMs,
    options.tokensPerSecond,
    options.drainSeconds,
    options.slotHeadroom,
  ];
  if (!positive.every((n) => Number.isFinite(n) && n > 0))
    throw new Error(
      '--multiples (comma-separated), --seconds, --answer-ms, --tokens-per-second and --drain-seconds must be positive numbers',
    );
  if (!(options.warmup >= 0 && options.ttftMs >= 0 && options.ttftMs < options.answerMs))
    throw new Error('--warmup must be ≥ 0 and --ttft-ms in [0, --answer-ms)');
  if (![options.llamaPrompts, options.llamaMaxTokens].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--llama-prompts and --llama-max-tokens must be positive integers');
  return options;
}

// ---------------------------------------------------------------------------------------------
// Child processes

class Child {
  private readonly listeners: Array<(message: ChildMessage) => void> = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ChildMessage) => this.listeners.forEach((l) => l(message)));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `inferenceChild.ts <mode>`; resolves with it and its ready message. Output goes to `log`. */
  static async start(
    name: string,
    mode: 'simulator' | 'processor',
    options: object,
    env: Record<string, string>,
    log: string,
    nodeArgs: string[] = [],
  ): Promise<{ child: Child; ready: Extract<ChildMessage, { type: 'ready' }> }> {
    const out = openSync(log, 'a');
    let child: Child;
    try {
      child = new Child(
        name,
        spawn(
          process.execPath,
          [...nodeArgs, '--import', 'tsx', CHILD_SCRIPT, mode, JSON.stringify(options)],
          {
            cwd: repoRoot,
            env: { ...process.env, LOG_LEVEL: 'warn', ...env },
            stdio: ['ignore', out, out, 'ipc'],
          },
        ),
      );
    } finally {
      closeSync(out);
    }
    const failed = child.exited.then((code) => {
      throw new Error(`${name} exited (code ${code}) before it was ready; see ${log}`);
    });
    try {
      const ready = await within(
        `${name} ready (see ${log})`,
        90_000,
        Promise.race([child.next('ready'), failed]),
      );
      return { child, ready };
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  on(listener: (message: ChildMessage) => void): void {
    this.listeners.push(listener);
  }

  next<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve) => {
      const listener = (message: ChildMessage) => {
        if (message.type !== type) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      this.listeners.push(listener);
    });
  }

  send(message: ParentMessage): void {
    this.child.send(message);
  }

  /** SIGTERM (graceful stop), SIGKILL after `graceMs`. Signals only this child, by its pid. */
  async stop(graceMs = 60_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const done = await within(this.name, graceMs, this.exited).then(
      () => true,
      () => false,
    );
    if (!done) {
      console.log(`  ${this.name} did not stop within ${graceMs / 1000} s: SIGKILL`);
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kafka: scratch topics, and a consumer noting when each answer becomes readable

interface BenchTopics {
  chat: string;
  identity: string;
  model: string;
  shadow: string;
}

/** Topics shaped like the platform's, the chat topic with ONE partition. Left behind afterwards. */
async function createTopics(config: ClientConfig, base: string): Promise<BenchTopics> {
  const names = {
    chat: `${base}.chat`,
    identity: `${base}.identity`,
    model: `${base}.model`,
    shadow: `${base}.shadow`,
  };
  const spec = topicSpecs(config.topics).find((s) => s.topic === platformTopics.chat)!;
  const one = (topic: string) => ({ ...spec, topic, partitions: 1 });
  const admin = createKafka(config, 'bench-inference').admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [
      one(names.chat),
      one(`${names.chat}.dlq`),
      one(names.identity),
      one(`${names.identity}.dlq`),
      one(names.model),
      one(names.shadow),
    ]);
  } finally {
    await admin.disconnect();
  }
  return names;
}

interface Arrival {
  at: number;
  failed: boolean;
  value: Buffer | null;
}

/** Reads the chat topic from its start; notes when each chat's first answer arrives (key = chat id). */
class AnswerWatcher {
  readonly answers = new Map<string, Arrival>();
  private readonly waiters = new Map<string, (arrival: Arrival) => void>();

  private constructor(private readonly consumer: ReturnType<ReturnType<typeof createKafka>['consumer']>) {}

  static async start(config: ClientConfig, topic: string): Promise<AnswerWatcher> {
    const consumer = createKafka(config, 'bench-inference-reader').consumer({
      groupId: `${topic}.bench-reader`,
      maxWaitTimeInMs: 100,
    });
    const watcher = new AnswerWatcher(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = now(); // a fetch's records became readable together
        for (const message of batch.messages) {
          const type = message.headers?.[EVENT_TYPE_HEADER]?.toString();
          if (type !== 'AnswerGenerated' && type !== 'AnswerFailed') continue;
          const key = message.key?.toString() ?? '';
          if (watcher.answers.has(key)) continue; // a duplicate (at-least-once outbox)
          const arrival = { at, failed: type === 'AnswerFailed', value: message.value };
          watcher.answers.set(key, arrival);
          watcher.waiters.get(key)?.(arrival);
        }
      },
    });
    await joined;
    return watcher;
  }

  /** The chat's answer, once readable. */
  async waitFor(chatId: string, timeoutMs: number, what: string): Promise<Arrival> {
    const known = this.answers.get(chatId);
    if (known) return known;
    const arrived = new Promise<Arrival>((resolve) => this.waiters.set(chatId, resolve));
    try {
      return await within(`${what}: its answer readable in Kafka`, timeoutMs, arrived);
    } finally {
      this.waiters.delete(chatId);
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function promptEvent(content: string, modelVersion: string, maxTokens: number | null) {
  return newEvent('PromptSubmitted', {
    chat_id: uuidv7(),
    user_id: randomUUID(),
    message_id: uuidv7(),
    parent_message_id: null,
    role: 'USER',
    content,
    model_version: modelVersion,
    attachment_ids: [],
    via_api: false,
    temperature: null, // not deterministic: the response cache stays out of it
    max_tokens: maxTokens,
    answer_message_id: uuidv7(),
  });
}

// ---------------------------------------------------------------------------------------------
// CPU time, from /proc (utime + stime of every thread of a process)

type CpuSources = Record<string, () => Promise<number | undefined>>;

async function statFields(pid: number, thread?: number): Promise<number[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}${thread === undefined ? '' : `/task/${thread}`}/stat`, 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
  } catch {
    return undefined;
  }
}

/** Seconds of CPU a process (or one of its threads) has used (fields 14 and 15 of stat). */
async function processSeconds(pid: number, thread?: number): Promise<number | undefined> {
  const f = await statFields(pid, thread);
  return f && (f[11]! + f[12]!) / TICKS_PER_SECOND;
}

/**
 * Seconds of CPU of a process and its children (PostgreSQL: the postmaster, its backends, the
 * walsender and background workers), children that exited included (the parent's cutime/cstime).
 */
async function treeSeconds(pid: number): Promise<number | undefined> {
  const own = await statFields(pid);
  if (!own) return undefined;
  let ticks = own[11]! + own[12]! + own[13]! + own[14]!;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  for (const child of await Promise.all(pids.map((p) => statFields(p))))
    if (child && child[1] === pid) ticks += child[11]! + child[12]! + child[13]! + child[14]!;
  return ticks / TICKS_PER_SECOND;
}

/** The stack's servers on the inference path, by the pids the stack recorded. */
async function stackSources(): Promise<CpuSources> {
  const { run } = stackPaths();
  const sources: CpuSources = {};
  for (const [label, service, tree] of [
    ['Kafka Connect + Debezium', 'connect', false],
    ['PostgreSQL (all processes)', 'postgres', true],
    ['Kafka', 'kafka', false],
    ['Redis', 'redis', false],
    ['Cassandra', 'cassandra', false],
  ] as const) {
    const pid = await serverPid(run, service);
    if (pid === undefined) throw new Error(`the stack's ${service} is not running: npm run stack -- up`);
    sources[label] = () => (tree ? treeSeconds(pid) : processSeconds(pid));
  }
  return sources;
}

/** Waits (at most 30 s) until the machine is back near its idle CPU use: the previous phase's tail is not measured. */
async function settle(idleCores: number): Promise<void> {
  for (let tries = 0; tries < 30; tries++) {
    const before = await machineSeconds();
    await sleep(1_000);
    if ((await machineSeconds()) - before < idleCores + 0.3) return;
  }
  console.log('  (the machine stayed busy for 30 s; measuring anyway)');
}

/** Seconds of CPU the whole machine spent (all cores, /proc/stat: everything but idle and iowait). */
async function machineSeconds(): Promise<number> {
  const [cpu] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const ticks = cpu!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}

async function cpuSnapshot(sources: CpuSources): Promise<Record<string, number | undefined>> {
  const entries = await Promise.all(Object.entries(sources).map(async ([k, read]) => [k, await read()]));
  return Object.fromEntries(entries);
}

const benchCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

// ---------------------------------------------------------------------------------------------
// One load point against the simulator

interface Simulation {
  answerMs: number;
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
}

interface LoadPoint {
  multiple: number;
  rate: number;
  slots: number;
  capacity: number;
  produced: number;
  answersInWindow: number;
  simCompletedInWindow: number;
  slotsBusy: number;
  failed: number;
  unanswered: number;
  notArrived: number;
  toServer: number[];
  lastTokenToKafka: number[];
  produceToKafka: number[];
  serverTime: number[];
  /** CPU seconds in the window, by process. */
  cpu: Record<string, number | undefined>;
  sendErrors: number;
  /** The most requests the simulator had at once. */
  peakInFlight: number;
}

const MAIN_THREAD = '  of which its main thread (event loop)';
const MACHINE = 'machine (all processes, /proc/stat)';
const PROMPT_TAG = /^bench ([0-9a-z]+) #(\d+):/;

async function loadPoint(
  config: Config,
  producer: EventProducer,
  keyspace: string,
  servers: CpuSources,
  sim: Simulation,
  options: Options,
  multiple: number,
): Promise<LoadPoint> {
  const clients = config.clients;
  const rate = multiple * referencePeak.promptsPerSecond;
  const answerSeconds = sim.answerMs / 1000;
  const slots = Math.ceil(rate * answerSeconds);
  const capacity = slots / answerSeconds;
  const tag = Date.now().toString(36);
  const logs = stackPaths().logs;
  // What the ModelDeployed event declares: the processor's in-flight limit (its capacity hook).
  const declaredSlots = Math.ceil(slots * options.slotHeadroom);
  const maxInFlight = Math.max(declaredSlots, clients.processor.maxInFlight);
  console.log(
    `\n${multiple}× peak: ${rate.toFixed(0)} prompts/s, simulator ${slots} slots (capacity ${capacity.toFixed(0)} answers/s), ` +
      `deployment declares ${declaredSlots} slots${declaredSlots === slots ? '' : ' (EXPERIMENT: --slot-headroom; the simulator queues the excess)'}, ` +
      `processor PARLEY_PROCESSOR_MAX_IN_FLIGHT=${maxInFlight} (in flight = declared slots, its capacity hook)`,
  );

  // Per prompt (by sequence number): when produced, when it reached the server, when the server
  // finished it, when its answer was readable.
  const producedAt: number[] = [];
  const arrivedAt: number[] = [];
  const finishedAt: number[] = [];
  const chatSeq = new Map<string, number>();
  const served: ServedRequest[] = [];

  const { child: simulator, ready } = await Child.start(
    'simulator (stand-in)',
    'simulator',
    {
      model: SIM_MODEL,
      slots,
      timeToFirstTokenMs: sim.ttftMs,
      tokensPerSecond: sim.tokensPerSecond,
      answerTokens: sim.tokens,
    },
    {},
    join(logs, 'bench-inference-simulator.log'),
  );
  simulator.on((message) => {
    if (message.type !== 'served') return;
    for (const request of message.requests) {
      const match = PROMPT_TAG.exec(request.content);
      if (!match || match[1] !== tag) continue;
      const seq = Number(match[2]);
      served.push(request);
      arrivedAt[seq] ??= request.at;
      if (request.finishedAt !== undefined && request.status === 200) finishedAt[seq] ??= request.finishedAt;
    }
  });
  let processor: Child | undefined;
  let watcher: AnswerWatcher | undefined;
  try {
    const topics = await createTopics(clients, `parley.bench.inference.${tag}`);
    await producer.publish(
      'ModelDeployed',
      newEvent('ModelDeployed', {
        model_version: 'sim-bench',
        model_name: SIM_MODEL,
        base_model_version: null,
        serving_engine: 'VLLM',
        endpoint_url: `${ready.url}/v1`,
        context_length: 4096,
        training_run_id: null,
        role: 'STABLE',
        traffic_share: 0,
        servers: [{ url: ready.url!, slots: declaredSlots }],
      }),
      { topic: topics.model },
    );
    const overrides: InferenceProcessorOverrides = {
      name: 'bench-inference',
      groupId: `bench.inference.${tag}`,
      chatTopic: topics.chat,
      identityTopic: topics.identity,
      modelTopic: topics.model,
      shadowTopic: topics.shadow,
      keyspace,
    };
    ({ child: processor } = await Child.start(
      'inference processor',
      'processor',
      overrides,
      { PARLEY_PROCESSOR_MAX_IN_FLIGHT: String(maxInFlight) },
      join(logs, 'bench-inference-processor.log'),
      options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProf] : [],
    ));
    watcher = await AnswerWatcher.start(clients, topics.chat);

    let seq = 0;
    let sendErrors = 0;
    let pendingSends = 0;
    const produce = async (count: number) => {
      const events = Array.from({ length: count }, () => {
        const n = seq++;
        const event = promptEvent(`bench ${tag} #${n}: ${PROMPT_TEXT}`, SIM_MODEL, null);
        chatSeq.set(event.chat_id, n);
        return { n, event };
      });
      const records = await Promise.all(
        events.map(({ event }) => producer.toRecord('PromptSubmitted', event, { topic: topics.chat })),
      );
      const at = now(); // handed to the producer
      for (const { n } of events) producedAt[n] = at;
      pendingSends++;
      producer.transport.send(records).then(
        () => pendingSends--,
        () => (pendingSends--, sendErrors++),
      );
      return events;
    };

    // A probe first: the processor has joined its group and the whole path is warm.
    const [probe] = await produce(1);
    await watcher.waitFor(probe!.event.chat_id, 90_000, 'the probe prompt');

    const start = now();
    const windowStart = start + options.warmup * 1000;
    const windowEnd = windowStart + options.seconds * 1000;
    const cpuSources: CpuSources = {
      ...servers,
      'inference processor': () => processSeconds(processor!.pid),
      [MAIN_THREAD]: () => processSeconds(processor!.pid, processor!.pid),
      [MACHINE]: machineSeconds,
      'bench (producer + reader)': async () => benchCpu(),
      'simulator (STAND-IN)': () => processSeconds(simulator.pid),
    };
    const cpuAt = (t: number) => sleep(Math.max(0, t - now())).then(() => cpuSnapshot(cpuSources));
    const [cpuBefore, cpuAfter] = [cpuAt(windowStart), cpuAt(windowEnd)];
    // Steady production: each tick sends what is due since the start (a late tick catches up).
    const first = seq;
    for (let t = now(); t < windowEnd; t = now()) {
      const due = first + Math.floor(((t - start) / 1000) * rate) - seq;
      if (due > 0) await produce(due);
      await sleep(1);
    }
    const [before, after] = await Promise.all([cpuBefore, cpuAfter]);
    process.stdout.write(`  produced ${seq - first} prompts; draining`);
    const drainUntil = windowEnd + options.drainSeconds * 1000;
    while ((watcher.answers.size < seq || pendingSends > 0) && now() < drainUntil) await sleep(50);
    console.log(` (${((now() - windowEnd) / 1000).toFixed(1)} s after the window)`);
    simulator.send({ type: 'flush' });
    const { stats } = await simulator.next('flushed');

    const inWindow = (t: number | undefined) => t !== undefined && t >= windowStart && t < windowEnd;
    const windowSeqs = producedAt.flatMap((t, n) => (inWindow(t) ? [n] : []));
    const answerOf = new Map<number, Arrival>();
    for (const [chat, arrival] of watcher.answers) {
      const n = chatSeq.get(chat);
      if (n !== undefined) answerOf.set(n, arrival);
    }
    const sorted = (values: number[]) => values.sort((a, b) => a - b);
    // Each latency over the steps that ended in the window: steady state, and when overloaded the
    // delay at that time (a prompt produced in the window may not be served before the end).
    const gaps = (from: (n: number) => number | undefined, to: (n: number) => number | undefined) =>
      sorted(
        producedAt.flatMap((_, n) => {
          const [a, b] = [from(n), to(n)];
          return a !== undefined && inWindow(b) ? [b! - a] : [];
        }),
      );
    const answered = (n: number) => answerOf.get(n)?.at;
    let busy = 0;
    for (const r of served) {
      const end = r.finishedAt ?? windowEnd;
      busy += Math.max(0, Math.min(end, windowEnd) - Math.max(r.at, windowStart));
    }
    const cpu = Object.fromEntries(
      Object.keys(cpuSources).map((k) => {
        const [b, a] = [before[k], after[k]];
        return [k, a === undefined || b === undefined ? undefined : a - b];
      }),
    );
    return {
      peakInFlight: stats.maxInFlight,
      multiple,
      rate,
      slots,
      capacity,
      produced: windowSeqs.length,
      answersInWindow: [...watcher.answers.values()].filter((a) => inWindow(a.at)).length,
      simCompletedInWindow: finishedAt.filter(inWindow).length,
      slotsBusy: busy / (slots * options.seconds * 1000),
      failed: windowSeqs.filter((n) => answerOf.get(n)?.failed).length,
      unanswered: windowSeqs.filter((n) => !answerOf.has(n)).length,
      notArrived: windowSeqs.filter((n) => arrivedAt[n] === undefined).length,
      toServer: gaps(
        (n) => producedAt[n],
        (n) => arrivedAt[n],
      ),
      lastTokenToKafka: gaps((n) => finishedAt[n], answered),
      produceToKafka: gaps((n) => producedAt[n], answered),
      serverTime: gaps(
        (n) => arrivedAt[n],
        (n) => finishedAt[n],
      ),
      cpu,
      sendErrors,
    };
  } finally {
    await processor?.stop();
    await watcher?.stop();
    await simulator.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The real llama-server: direct vs through Parley

interface LlamaRow {
  content: string;
  direct: { ttft?: number; total: number; tokens?: number };
  parley: { ttft?: number; doneInRedis?: number; inKafka: number; tokens?: number; failed: boolean };
}

const LLAMA_PROMPTS = [
  'Name three rivers in Europe.',
  'What is a message queue?',
  'Describe a lighthouse at night.',
  'Write one sentence about autumn.',
  'What does a compiler do?',
  'Give a synonym for happy.',
  'Why is the sky blue?',
  'List two uses of copper.',
];

async function llamaComparison(config: Config, producer: EventProducer, keyspace: string, options: Options) {
  const clients = config.clients;
  const { url, model } = clients.modelServer;
  const tag = Date.now().toString(36);
  const topics = await createTopics(clients, `parley.bench.inference-llama.${tag}`);
  const deployment = newEvent('ModelDeployed', localDeployment(config));
  await producer.publish('ModelDeployed', deployment, { topic: topics.model });
  const { child: processor } = await Child.start(
    'inference processor (llama)',
    'processor',
    {
      name: 'bench-inference-llama',
      groupId: `bench.inference-llama.${tag}`,
      chatTopic: topics.chat,
      identityTopic: topics.identity,
      modelTopic: topics.model,
      shadowTopic: topics.shadow,
      keyspace,
    } satisfies InferenceProcessorOverrides,
    {},
    join(stackPaths().logs, 'bench-inference-processor.log'),
  );
  const watcher = await AnswerWatcher.start(clients, topics.chat);
  const redis = createRedis(clients);
  await redis.connect();
  const client = createModelClient(clients);
  const maxTokens = options.llamaMaxTokens;

  const direct = async (content: string): Promise<LlamaRow['direct']> => {
    let first: number | undefined;
    const t0 = now();
    const result = await streamChatCompletion(client, {
      model,
      messages: [{ role: 'user', content }],
      maxTokens,
      onToken: () => (first ??= now()),
    });
    return { ttft: first && first - t0, total: now() - t0, tokens: result.completionTokens };
  };

  const viaParley = async (content: string): Promise<LlamaRow['parley']> => {
    const event = promptEvent(content, model, maxTokens);
    const answerId = event.answer_message_id!;
    const stream = (async () => {
      let [first, done]: Array<number | undefined> = [];
      for await (const { entry } of readAnswerStream(redis, answerId, { idleTimeoutMs: 120_000 })) {
        if (entry.type === 'start' || entry.type === 'restart') first = undefined;
        if (entry.type === 'token') first ??= now();
        if (entry.type === 'done' || entry.type === 'error') done = now();
      }
      return { first, done };
    })();
    await sleep(100); // the reader is waiting (XREAD BLOCK) before the prompt goes out
    const record = await producer.toRecord('PromptSubmitted', event, { topic: topics.chat });
    const t0 = now();
    await producer.transport.send([record]);
    const arrival = await watcher.waitFor(event.chat_id, 180_000, `prompt "${content}" through Parley`);
    const { first, done } = await stream;
    let tokens: number | undefined;
    if (!arrival.failed && arrival.value) {
      const decoded = await producer.serde.decode(arrival.value);
      tokens = (decoded.event as AnswerGenerated).tokens_out;
    }
    return {
      ttft: first && first - t0,
      doneInRedis: done && done - t0,
      inKafka: arrival.at - t0,
      tokens,
      failed: arrival.failed,
    };
  };

  const rows: LlamaRow[] = [];
  try {
    // One warm-up each way (connections, the processor's first model call), not counted.
    await direct('Say hello.');
    await viaParley('Say hello.');
    for (let i = 0; i < options.llamaPrompts; i++) {
      const content = LLAMA_PROMPTS[i % LLAMA_PROMPTS.length]!;
      // The server may reuse a cached prompt prefix for the second call: alternate who goes first.
      if (i % 2 === 0) {
        const d = await direct(content);
        rows.push({ content, direct: d, parley: await viaParley(content) });
      } else {
        const p = await viaParley(content);
        rows.push({ content, direct: await direct(content), parley: p });
      }
    }
  } finally {
    redis.disconnect();
    await watcher.stop();
    await processor.stop();
  }
  return { url, model, slots: config.stack.PARLEY_MODEL_SLOTS, rows };
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(n < 10 ? 1 : 0));
const p = (sorted: number[], q: number) => ms(percentile(sorted, q));
const median = (values: Array<number | undefined>) =>
  percentile(
    values.filter((v): v is number => v !== undefined).sort((a, b) => a - b),
    50,
  );

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** A load point's figures; the targets are stated at 1×. */
function pointFigures(pt: LoadPoint, seconds: number, platformMicros: number, cores: number): BenchFigure[] {
  const at = `${pt.multiple}× (${pt.rate.toFixed(0)} prompts/s)`;
  const utilisation = pt.answersInWindow / seconds / pt.capacity;
  const targeted = (target: string, met: boolean) => (pt.multiple === 1 ? { target, met } : {});
  const [toServer, toKafka] = [percentile(pt.toServer, 99), percentile(pt.lastTokenToKafka, 99)];
  return [
    {
      name: `${at}: utilisation of the stand-in's slots`,
      value: utilisation,
      unit: 'of capacity',
      ...targeted('≥ 0.95', utilisation >= 0.95),
      cpuPerEventUs: platformMicros,
      note:
        `${(pt.answersInWindow / seconds).toFixed(0)} answers/s of capacity ${pt.capacity.toFixed(0)}; ${pt.failed} failed, ${pt.unanswered} unanswered; ` +
        `the offered rate needs ${((platformMicros * pt.rate) / 1e6).toFixed(2)} cores at this CPU per answer (this machine: ${cores})`,
    },
    { name: `${at}: produce → request at server p50`, value: percentile(pt.toServer, 50), unit: 'ms' },
    {
      name: `${at}: produce → request at server p99`,
      value: toServer,
      unit: 'ms',
      ...targeted('< 20 ms', toServer < 20),
    },
    {
      name: `${at}: last token → AnswerGenerated in Kafka p50`,
      value: percentile(pt.lastTokenToKafka, 50),
      unit: 'ms',
    },
    {
      name: `${at}: last token → AnswerGenerated in Kafka p99`,
      value: toKafka,
      unit: 'ms',
      ...targeted('< 100 ms', toKafka < 100),
    },
  ];
}

/** Through Parley against the same prompts sent to llama-server directly, at p50. */
function llamaFigures(rows: LlamaRow[]): BenchFigure[] {
  const p50 = (pick: (r: LlamaRow) => number | undefined) => median(rows.map(pick));
  const directTtft = {
    name: 'llama-server direct: time to first token p50',
    value: p50((r) => r.direct.ttft),
  };
  const directTotal = { name: 'llama-server direct: total p50', value: p50((r) => r.direct.total) };
  return [
    { ...directTtft, unit: 'ms' },
    againstBaseline(
      {
        name: 'llama-server via Parley: time to first token (Redis) p50',
        value: p50((r) => r.parley.ttft),
        unit: 'ms',
      },
      directTtft,
    ),
    { ...directTotal, unit: 'ms' },
    againstBaseline(
      {
        name: 'llama-server via Parley: total (AnswerGenerated in Kafka) p50',
        value: p50((r) => r.parley.inKafka),
        unit: 'ms',
        note: `${rows.filter((r) => r.parley.failed).length} of ${rows.length} failed`,
      },
      directTotal,
    ),
  ];
}

export async function benchInference(config: Config, argv: string[]): Promise<BenchResult> {
  const options = parseOptions(argv);
  const clients = config.clients;
  const tokens = 1 + Math.round(((options.answerMs - options.ttftMs) * options.tokensPerSecond) / 1000);
  const sim: Simulation = {
    ttftMs: options.ttftMs,
    tokensPerSecond: options.tokensPerSecond,
    tokens,
    answerMs: options.ttftMs + ((tokens - 1) * 1000) / options.tokensPerSecond,
  };
  const cpu = cpus();
  console.log('## Inference benchmark (issue 10)\n');
  console.log(`command: npm run bench -- inference${argv.length ? ` ${argv.join(' ')}` : ''}`);
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  console.log(
    `simulator (test-helpers/modelServerSimulator.ts, a STAND-IN for a GPU server, in its own process): ` +
      `TTFT ${sim.ttftMs} ms + ${tokens - 1} × ${(1000 / sim.tokensPerSecond).toFixed(0)} ms (${tokens} tokens at ${sim.tokensPerSecond} tokens/s) ` +
      `= answer time ${sim.answerMs} ms; slots = ⌈rate × ${sim.answerMs / 1000} s⌉`,
  );
  console.log(
    `load: ONE chat partition, one inference processor (child process); a new chat per prompt, temperature null ` +
      `(no response cache); warm-up ${options.warmup} s, then ${options.seconds} s measured; reference peak ${referencePeak.promptsPerSecond.toFixed(1)} prompts/s`,
  );

  const producer = await createEventProducer(clients, { clientId: 'bench-inference' });
  const cassandra = createCassandraClient(clients);
  await cassandra.connect();
  const keyspace = `bench_inference_${Date.now().toString(36)}`;
  await migrate(cassandra, keyspace, clients.cassandraProjection.replicationFactor);
  try {
    const servers = await stackSources();
    // What the servers burn with no load: CPU per answer at a low rate is mostly this.
    const idleSeconds = 5;
    const idleSources = { ...servers, [MACHINE]: machineSeconds };
    const idle0 = await cpuSnapshot(idleSources);
    await sleep(idleSeconds * 1000);
    const idle1 = await cpuSnapshot(idleSources);
    const idleCores = Object.fromEntries(
      Object.keys(idleSources).map((k) => [k, (idle1[k]! - idle0[k]!) / idleSeconds]),
    );

    const restAtIdle = idleCores[MACHINE]! - Object.keys(servers).reduce((sum, k) => sum + idleCores[k]!, 0);
    console.log(
      `idle before the run: machine ${idleCores[MACHINE]!.toFixed(2)} cores busy, the stack's servers above ${(idleCores[MACHINE]! - restAtIdle).toFixed(2)}` +
        (restAtIdle > 0.3 ? ' — the machine was NOT idle: other users? figures below are disturbed' : ''),
    );

    const points: LoadPoint[] = [];
    for (const multiple of options.multiples) {
      await settle(idleCores[MACHINE]!);
      points.push(await loadPoint(config, producer, keyspace, servers, sim, options, multiple));
    }

    console.log('\n### Throughput against the simulator, ONE partition\n');
    console.log(
      table(
        [
          '× peak',
          'offered/s',
          'produced/s',
          'slots',
          'capacity/s',
          'answers/s',
          'utilisation',
          'slots busy',
          'peak slots used',
          'failed',
          'unanswered',
        ],
        points.map((pt) => [
          `${pt.multiple}×`,
          pt.rate.toFixed(0),
          (pt.produced / options.seconds).toFixed(0),
          String(pt.slots),
          pt.capacity.toFixed(0),
          (pt.answersInWindow / options.seconds).toFixed(0),
          (pt.answersInWindow / options.seconds / pt.capacity).toFixed(2),
          pt.slotsBusy.toFixed(2),
          String(pt.peakInFlight),
          String(pt.failed),
          String(pt.unanswered),
        ]),
      ),
    );
    console.log(
      '\nanswers/s: AnswerGenerated readable in Kafka during the window; capacity = slots ÷ answer time; ' +
        'slots busy: share of slot-time the simulator spent on requests; unanswered: window prompts with no answer ' +
        `${options.drainSeconds} s after the window`,
    );
    for (const pt of points) {
      const utilisation = pt.answersInWindow / options.seconds / pt.capacity;
      const verdict =
        pt.multiple === 1
          ? `target ≥ 0.95: ${utilisation >= 0.95 ? 'met' : 'NOT met'}`
          : 'reported, no target';
      console.log(
        `${pt.multiple}× (${pt.rate.toFixed(0)} prompts/s): utilisation ${utilisation.toFixed(2)}  (${verdict})`,
      );
      if (pt.sendErrors > 0) console.log(`  ${pt.sendErrors} produce calls failed`);
      // Honesty flags: a saturated machine bounds the figures; so does anyone else's work on it.
      const busy = (pt.cpu[MACHINE] ?? 0) / options.seconds;
      const ours = Object.entries(pt.cpu)
        .filter(([k]) => k !== MACHINE && k !== MAIN_THREAD)
        .reduce((sum, [, v]) => sum + (v ?? 0), 0);
      // The rest of the machine idles at ~0.1 core (registry, ClickHouse, llama-server, kernel).
      const others = busy - ours / options.seconds - Math.min(restAtIdle, 0.15);
      if (busy >= 0.9 * cpu.length)
        console.log(
          `  the machine was saturated: ${busy.toFixed(2)} of ${cpu.length} cores busy in the window`,
        );
      if (others > 0.25)
        console.log(
          `  other work used ${others.toFixed(2)} cores more than at idle during the window (other users of the machine?)`,
        );
    }

    console.log('\n### Platform overhead (ms), each over the steps that ended in the measured window\n');
    console.log(
      table(
        [
          '× peak',
          'produce → request at server p50 / p99',
          'last token → AnswerGenerated in Kafka p50 / p99',
          'produce → answer in Kafka p50 / p99',
          'server time (stand-in) p50 / p99',
          'requests at server',
          'window prompts never at server',
        ],
        points.map((pt) => [
          `${pt.multiple}×`,
          `${p(pt.toServer, 50)} / ${p(pt.toServer, 99)}`,
          `${p(pt.lastTokenToKafka, 50)} / ${p(pt.lastTokenToKafka, 99)}`,
          `${p(pt.produceToKafka, 50)} / ${p(pt.produceToKafka, 99)}`,
          `${p(pt.serverTime, 50)} / ${p(pt.serverTime, 99)}`,
          String(pt.toServer.length),
          String(pt.notArrived),
        ]),
      ),
    );
    const one = points.find((pt) => pt.multiple === 1);
    if (one) {
      const [a, b] = [percentile(one.toServer, 99), percentile(one.lastTokenToKafka, 99)];
      console.log(
        `\n1×: produce → request p99 ${ms(a)} ms (target < 20: ${a < 20 ? 'met' : 'NOT met'}); ` +
          `last token → AnswerGenerated readable p99 ${ms(b)} ms (target < 100: ${b < 100 ? 'met' : 'NOT met'})`,
      );
    }
    console.log(
      'server time: request arrival → response end at the simulator (nominal ' +
        `${sim.answerMs} ms; more when the stand-in is short of CPU)`,
    );

    console.log('\n### CPU µs per answer, by process, in the window (cores busy in brackets)\n');
    const platform = Object.keys(servers).concat('inference processor');
    const others = ['bench (producer + reader)', 'simulator (STAND-IN)'];
    const perAnswer = (pt: LoadPoint, k: string) => {
      const s = pt.cpu[k];
      return s === undefined ? undefined : (s / Math.max(1, pt.answersInWindow)) * 1e6;
    };
    const cell = (pt: LoadPoint, k: string) => {
      const s = pt.cpu[k];
      return s === undefined ? '–' : `${ms(perAnswer(pt, k))} (${(s / options.seconds).toFixed(2)})`;
    };
    const sumOf = (pt: LoadPoint, keys: string[]) => keys.reduce((sum, k) => sum + (pt.cpu[k] ?? 0), 0);
    const total = (pt: LoadPoint, keys: string[]) =>
      `${ms((sumOf(pt, keys) / Math.max(1, pt.answersInWindow)) * 1e6)} (${(sumOf(pt, keys) / options.seconds).toFixed(2)})`;
    console.log(
      table(
        ['process', 'idle cores', ...points.map((pt) => `${pt.multiple}× µs/answer (cores)`)],
        [
          ...['inference processor', MAIN_THREAD, ...Object.keys(servers)].map((k) => [
            k,
            idleCores[k] === undefined ? '–' : idleCores[k]!.toFixed(2),
            ...points.map((pt) => cell(pt, k)),
          ]),
          ['platform total', '', ...points.map((pt) => total(pt, platform))],
          ...others.map((k) => [k, '', ...points.map((pt) => cell(pt, k))]),
          ['everything above', '', ...points.map((pt) => total(pt, [...platform, ...others]))],
          [MACHINE, idleCores[MACHINE]!.toFixed(2), ...points.map((pt) => cell(pt, MACHINE))],
          [
            'rest of the machine (registry, ClickHouse, llama-server, kernel, anyone else)',
            '',
            ...points.map((pt) => {
              const rest = (pt.cpu[MACHINE] ?? 0) - sumOf(pt, [...platform, ...others]);
              return `(${(rest / options.seconds).toFixed(2)})`;
            }),
          ],
        ],
      ),
    );
    console.log(
      '\ncores needed at the offered rate = platform µs/answer × rate (idle work of the servers included):',
    );
    for (const pt of points) {
      const platformMicros = (sumOf(pt, platform) / Math.max(1, pt.answersInWindow)) * 1e6;
      const withClients = (sumOf(pt, [...platform, ...others]) / Math.max(1, pt.answersInWindow)) * 1e6;
      console.log(
        `  ${pt.multiple}×: ${ms(platformMicros)} µs × ${pt.rate.toFixed(0)}/s = ${((platformMicros * pt.rate) / 1e6).toFixed(2)} cores ` +
          `(with the bench and the stand-in: ${((withClients * pt.rate) / 1e6).toFixed(2)}); this machine has ${cpu.length}`,
      );
    }

    const figures = points.flatMap((pt) => {
      const platformMicros = (sumOf(pt, platform) / Math.max(1, pt.answersInWindow)) * 1e6;
      return pointFigures(pt, options.seconds, platformMicros, cpu.length);
    });
    if (options.skipLlama) {
      console.log('\n(real llama-server comparison skipped: --skip-llama)');
    } else {
      await settle(idleCores[MACHINE]!);
      const llama = await llamaComparison(config, producer, keyspace, options);
      figures.push(...llamaFigures(llama.rows));
      console.log(
        `\n### Real llama-server: direct vs through Parley, same prompts, one run\n\n` +
          `${llama.model} at ${llama.url}, ${llama.slots} slots; ${llama.rows.length} prompts sequentially after a warm-up each way, ` +
          `max_tokens ${options.llamaMaxTokens}, no temperature sent (server default); who goes first alternates per prompt.\n` +
          `direct: the SDK stream (connectors/model-server/streamChatCompletion.ts), call → first token / end.\n` +
          `Parley: prompt produced → first token entry in the Redis token stream (XREAD BLOCK) / done entry / AnswerGenerated readable in Kafka.\n`,
      );
      console.log(
        table(
          [
            'prompt',
            'direct TTFT',
            'direct total',
            'tokens',
            'Parley TTFT (Redis)',
            'Parley done (Redis)',
            'Parley total (Kafka)',
            'tokens',
          ],
          [
            ...llama.rows.map((r) => [
              r.content,
              ms(r.direct.ttft),
              ms(r.direct.total),
              String(r.direct.tokens ?? '–'),
              ms(r.parley.ttft),
              ms(r.parley.doneInRedis),
              ms(r.parley.inKafka),
              r.parley.failed ? 'FAILED' : String(r.parley.tokens ?? '–'),
            ]),
            [
              'p50 (ms)',
              ms(median(llama.rows.map((r) => r.direct.ttft))),
              ms(median(llama.rows.map((r) => r.direct.total))),
              '',
              ms(median(llama.rows.map((r) => r.parley.ttft))),
              ms(median(llama.rows.map((r) => r.parley.doneInRedis))),
              ms(median(llama.rows.map((r) => r.parley.inKafka))),
              '',
            ],
          ],
        ),
      );
      const dTtft = median(llama.rows.map((r) => r.direct.ttft));
      const dTotal = median(llama.rows.map((r) => r.direct.total));
      console.log(
        `\nthrough Parley at p50: TTFT ${ms(median(llama.rows.map((r) => r.parley.ttft)))} ms vs ${ms(dTtft)} ms direct; ` +
          `total ${ms(median(llama.rows.map((r) => r.parley.inKafka)))} ms (AnswerGenerated in Kafka) vs ${ms(dTotal)} ms direct`,
      );
    }
    console.log(
      `\nscratch topics parley.bench.inference*.* are left in Kafka (the outbox may still publish to them); ` +
        `keyspace ${keyspace} dropped; child logs in ${stackPaths().logs}/bench-inference-*.log`,
    );
    return {
      bench: 'inference',
      command: benchCommand('inference', argv),
      figures,
      notes: [
        `ONE chat partition against the simulator (a STAND-IN for a GPU server): answer time ${sim.answerMs} ms, slots = ⌈rate × answer time⌉; warm-up ${options.warmup} s, ${options.seconds} s measured`,
        'CPU per answer: the platform (inference processor, Kafka, Connect, PostgreSQL, Redis, Cassandra), idle work included',
        ...(restAtIdle > 0.3
          ? [
              `the machine was not idle before the run (${idleCores[MACHINE]!.toFixed(2)} cores busy): figures disturbed`,
            ]
          : []),
      ],
    };
  } finally {
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cassandra.shutdown();
    await producer.close();
  }
}
