// Benchmark: the Cassandra projector against a raw cassandra-driver loop writing the same rows in
// the same batches with the same concurrency (the store's ceiling on this machine), then freshness
// (event produced → row readable) with the load generator, in its own process, at multiples of
// the reference peak (producers/loadgen/trafficModel.ts).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCassandraClient, createKafka } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import { waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import { cassandraProjectorRuntime, fixedKeyspace } from '../../processors/cassandra/cassandraProjector.ts';
import { writeChatRecords } from '../../processors/cassandra/chatRecordWriter.ts';
import { ListStateCache } from '../../processors/cassandra/listStateCache.ts';
import { createEventProducer, type PublishItem } from '../../producers/eventProducer.ts';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { percentile, type LoadReport } from '../../producers/loadgen/runLoad.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { migrate } from '../../projections/cassandra/keyspace.ts';
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { eventDefinition, topics } from '../../schemas/catalog.ts';
import { repoRoot } from '../stack/paths.ts';
import { run } from '../stack/exec.ts';
import { stackPaths } from '../stack/paths.ts';
import { cpuSeconds } from '../stack/process.ts';
import { serverPid } from './serverProcess.ts';
import { againstBaseline, benchCommand, type BenchFigure, type BenchResult } from './result.ts';

const stamp = () => Date.now().toString(36);

async function benchTopic(config: ClientConfig, name: string): Promise<string> {
  const admin = createKafka(config, 'bench-cassandra').admin();
  await admin.connect();
  const chat = topicSpecs(config.topics).find((s) => s.topic === topics.chat)!;
  const topic = `parley.bench.${name}.${stamp()}`;
  await provisionTopics(admin, [{ ...chat, topic }]);
  await admin.disconnect();
  return topic;
}

/** A projector (not started) on a topic, keyspace and consumer group of its own. */
async function benchProjector(
  config: ClientConfig,
  client: ReturnType<typeof createCassandraClient>,
  name: string,
) {
  const topic = await benchTopic(config, name);
  const keyspace = `bench_${name}_${stamp()}`;
  await migrate(client, keyspace, 1);
  const groupId = `bench.${name}.${stamp()}`;
  const runtime = cassandraProjectorRuntime(config, client, fixedKeyspace(keyspace), {
    name: `bench-${name}`,
    topic,
    groupId,
    metricsPort: 0,
  });
  return { topic, keyspace, groupId, runtime };
}

async function waitCaughtUp(config: ClientConfig, groupId: string, topic: string): Promise<void> {
  const admin = createKafka(config, 'bench-lag').admin();
  await admin.connect();
  try {
    await waitUntilCaughtUp(admin, groupId, topic, { pollMs: 100 });
  } finally {
    await admin.disconnect();
  }
}

/** The load generator as a separate process, as in production: it must not share the projector's CPU time slice. */
async function generateLoad(topic: string, multiple: number, seconds: number): Promise<LoadReport> {
  const output = await run(
    [
      process.execPath,
      '--import',
      'tsx',
      join(repoRoot, 'ops/cli/loadgen.ts'),
      ...[
        '--multiple',
        String(multiple),
        '--duration',
        String(seconds),
        '--topic',
        topic,
        '--seed',
        '5',
        '--json',
      ],
    ],
    { cwd: repoRoot },
  );
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"sent"'));
  if (!line) throw new Error(`the load generator printed no report:\n${output.slice(-2000)}`);
  return JSON.parse(line) as LoadReport;
}

interface Freshness {
  multiple: number;
  target: number;
  achieved: number;
  latencies: number[];
  /** CPU µs per event from production to durable rows: generator, this process, servers. */
  cpuPerEvent: Record<CpuUser | 'loadgen', number | undefined>;
}

/** Probe prompts, one every 100 ms, each polled until its row is readable. */
async function measureFreshness(
  config: ClientConfig,
  client: ReturnType<typeof createCassandraClient>,
  multiple: number,
  seconds: number,
): Promise<Freshness> {
  const { topic, keyspace, groupId, runtime: live } = await benchProjector(config, client, 'freshness');
  await live.start();
  const producer = await createEventProducer(config, { clientId: 'bench-probe' });
  const target = Math.round(multiple * referencePeak.eventsPerSecond);
  const latencies: number[] = [];
  const probeWorkload = new ChatWorkload(new Random(7));
  const probes: Array<Promise<void>> = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const prompt = probeWorkload.sample('PromptSubmitted');
      const record = await producer.toRecord(prompt.name, prompt.event, { topic });
      const sent = performance.now();
      await producer.transport.send([record]);
      const { chat_id, message_id } = prompt.event;
      probes.push(
        (async () => {
          while (performance.now() - sent < 120_000) {
            const found = await client.execute(
              `SELECT message_id FROM ${keyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
              [chat_id, bucketOf(message_id), message_id],
              { prepare: true },
            );
            if (found.rowLength > 0) return void latencies.push(performance.now() - sent);
            // Fine-grained while the target is in reach; coarser once late, so probes add no load.
            const waited = performance.now() - sent;
            await new Promise((resolve) => setTimeout(resolve, waited < 1_000 ? 5 : 50));
          }
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    let report!: LoadReport;
    const phase = await measure(async () => {
      report = await generateLoad(topic, multiple, seconds);
      probing = false;
      await probeLoop;
      await Promise.all(probes);
      await waitCaughtUp(config, groupId, topic);
      return report.sent;
    });
    latencies.sort((a, b) => a - b);
    return {
      multiple,
      target,
      achieved: report.achievedRate,
      latencies,
      cpuPerEvent: { loadgen: (report.cpuSeconds / report.sent) * 1e6, ...phase.cpuPerEvent },
    };
  } finally {
    probing = false;
    await live.stop();
    await producer.close();
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  }
}

/** CPU seconds used so far by this process and by the stack's Cassandra and Kafka (if it runs them). */
async function cpuNow(): Promise<Record<CpuUser, number | undefined>> {
  const { run: runDir } = stackPaths();
  const server = async (name: string) => {
    const pid = await serverPid(runDir, name);
    return pid === undefined ? undefined : cpuSeconds(pid);
  };
  const { user, system } = process.cpuUsage();
  return { node: (user + system) / 1e6, cassandra: await server('cassandra'), kafka: await server('kafka') };
}

type CpuUser = 'node' | 'cassandra' | 'kafka';
const cpuUsers: CpuUser[] = ['node', 'cassandra', 'kafka'];

interface Phase {
  rate: number;
  /** CPU microseconds per event, by process. */
  cpuPerEvent: Record<CpuUser, number | undefined>;
}

/** Times `work`, which resolves with the number of events it handled, and the CPU each process spent meanwhile. */
async function measure(work: () => Promise<number>): Promise<Phase> {
  const cpu0 = await cpuNow();
  const t0 = performance.now();
  const events = await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = await cpuNow();
  const perEvent = (user: CpuUser) => {
    const [before, after] = [cpu0[user], cpu1[user]];
    return before === undefined || after === undefined ? undefined : ((after - before) / events) * 1e6;
  };
  return {
    rate: events / seconds,
    cpuPerEvent: { node: perEvent('node'), cassandra: perEvent('cassandra'), kafka: perEvent('kafka') },
  };
}

/**
 * The writes the projector would make (list-state reads included), in the same batches and window,
 * straight to Cassandra. Unlike the runtime it does not serialise calls of one chat: fine for a
 * throughput ceiling, not for the rows it leaves (its keyspace is dropped).
 */
async function rawLoop(
  config: ClientConfig,
  client: ReturnType<typeof createCassandraClient>,
  items: PublishItem[],
): Promise<Phase> {
  const { batchRecords } = config.cassandraProjection;
  const keyspace = `bench_raw_${stamp()}`;
  await migrate(client, keyspace, 1);
  const window = new InFlightWindow(Math.max(1, Math.floor(config.processor.maxInFlight / batchRecords)));
  const listStates = new ListStateCache(config.cassandraProjection.listStateCacheEntries);
  const phase = await measure(async () => {
    for (let i = 0; i < items.length; i += batchRecords) {
      const records = items.slice(i, i + batchRecords).map((it, j) => ({ ...it, offset: String(i + j) }));
      await window.run(() =>
        writeChatRecords(client, keyspace, records, config.cassandraProjection, listStates),
      );
    }
    await window.idle();
    return items.length;
  });
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  return phase;
}

/** The same events through Kafka and the projector, timed from its first record to its last durable one. */
async function projectorRun(
  config: ClientConfig,
  client: ReturnType<typeof createCassandraClient>,
  items: PublishItem[],
): Promise<Phase> {
  const { topic, keyspace, runtime } = await benchProjector(config, client, 'projector');
  const producer = await createEventProducer(config, { clientId: 'bench-cassandra' });
  await producer.publishMany(items, { topic });
  await producer.close();
  const processed = async () =>
    (
      (await runtime.metrics.registry.getSingleMetric('parley_processor_records_processed_total')?.get())
        ?.values ?? []
    ).reduce((sum, v) => sum + v.value, 0);
  const waitFor = async (done: (n: number) => boolean) => {
    let [last, since] = [-1, performance.now()];
    for (let n = await processed(); !done(n); n = await processed()) {
      if (n !== last) [last, since] = [n, performance.now()];
      if (performance.now() - since > 60_000) throw new Error(`the projector stalled at ${n} records`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await runtime.start();
  try {
    // Group join and start-up are not part of the rate: wait for the first durable record.
    await waitFor((n) => n > 0);
    const first = await processed();
    return await measure(async () => {
      await waitFor((n) => n >= items.length);
      return items.length - first;
    });
  } finally {
    await runtime.stop();
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchCassandra(config: ClientConfig, argv: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      multiples: { type: 'string' },
    },
  });
  const count = Number(values.events ?? 60_000);
  const rounds = Number(values.rounds ?? 3);
  const seconds = Number(values.seconds ?? 10);
  const multiples = (values.multiples ?? '1,2,5,10').split(',').map(Number);
  if (![count, rounds].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--events and --rounds must be positive integers');
  if (![seconds, ...multiples].every((n) => Number.isFinite(n) && n > 0))
    throw new Error('--seconds and each of --multiples (comma-separated) must be positive numbers');
  const { batchRecords, batch } = config.cassandraProjection;
  const client = createCassandraClient(config);
  await client.connect();

  // The same chat events for both contenders.
  const workload = new ChatWorkload(new Random(99));
  const items: PublishItem[] = [];
  while (items.length < count) {
    const item = workload.next();
    if (eventDefinition(item.name).topic === topics.chat) items.push(item);
  }
  console.log(
    `cassandra benchmark: ${count} chat events, ${config.processor.maxInFlight} records in flight, ` +
      `${batchRecords} records per write (unlogged batches ≤ ${batch.maxStatements} statements), ` +
      `${rounds} alternating rounds after a warm-up`,
  );

  // Warm Cassandra's JIT and the driver's prepared statements, so round 1 is not the slow one.
  await rawLoop(config, client, items.slice(0, Math.min(items.length, 10_000)));

  // Raw loop and projector alternate, so Cassandra's background work (flushes, compactions) falls
  // on both alike; medians of the rounds are compared.
  const fmt = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(0));
  console.log(
    `\n${'round'.padEnd(6)} ${'writer'.padEnd(36)} ${'events/s'.padStart(9)}  CPU µs per event: ` +
      cpuUsers.map((u) => u.padStart(9)).join(' '),
  );
  const rates = { raw: [] as number[], projector: [] as number[] };
  const cpus = { raw: [] as Phase['cpuPerEvent'][], projector: [] as Phase['cpuPerEvent'][] };
  for (let round = 1; round <= rounds; round++) {
    for (const [writer, label, runPhase] of [
      ['raw', 'raw cassandra-driver loop', rawLoop],
      ['projector', 'projector (Kafka → runtime → CQL)', projectorRun],
    ] as const) {
      const phase = await runPhase(config, client, items);
      rates[writer].push(phase.rate);
      cpus[writer].push(phase.cpuPerEvent);
      console.log(
        `${String(round).padEnd(6)} ${label.padEnd(36)} ${phase.rate.toFixed(0).padStart(9)}                    ` +
          cpuUsers.map((u) => fmt(phase.cpuPerEvent[u]).padStart(9)).join(' '),
      );
    }
  }
  const [raw, projector] = [median(rates.raw), median(rates.projector)];
  console.log(
    `median: raw loop ${raw.toFixed(0)} events/s, projector ${projector.toFixed(0)} events/s\n` +
      `projector / raw loop: ${(projector / raw).toFixed(2)}× (target ≥ 0.80×)`,
  );

  // 3. Freshness under load, one fresh topic, keyspace and projector per rate. The CPU columns
  // show what each event costs end to end, and so how many cores the target rate needs.
  const sources = ['loadgen', 'node', 'cassandra', 'kafka'] as const;
  console.log(
    `\nfreshness (produced → readable), ${seconds} s per rate, multiples of the reference peak (1× = ${Math.round(referencePeak.eventsPerSecond)} events/s); ` +
      `CPU µs per event (node = projector and probes), cores the target rate needs (this machine: ${availableParallelism()})\n` +
      `${'× peak'.padStart(6)} ${'target/s'.padStart(9)} ${'achieved/s'.padStart(10)} ${'probes'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ` +
      `${sources.map((u) => u.padStart(9)).join(' ')} ${'total'.padStart(6)} ${'cores'.padStart(6)}`,
  );
  const freshness: Array<{ f: Freshness; total: number }> = [];
  for (const multiple of multiples) {
    const f = await measureFreshness(config, client, multiple, seconds);
    const total = sources.reduce((sum, u) => sum + (f.cpuPerEvent[u] ?? 0), 0);
    freshness.push({ f, total });
    console.log(
      `${String(multiple).padStart(6)} ${String(f.target).padStart(9)} ${f.achieved.toFixed(0).padStart(10)} ` +
        `${String(f.latencies.length).padStart(6)} ${percentile(f.latencies, 50).toFixed(0).padStart(7)} ${percentile(f.latencies, 99).toFixed(0).padStart(7)} ` +
        `${sources.map((u) => fmt(f.cpuPerEvent[u]).padStart(9)).join(' ')} ${total.toFixed(0).padStart(6)} ${((total * f.target) / 1e6).toFixed(1).padStart(6)}`,
    );
  }
  await client.shutdown();

  // The median of the rounds' CPU per event, by process, as the rates above.
  const cpuMedian = (writer: 'raw' | 'projector', user: CpuUser) => {
    const known = cpus[writer].flatMap((c) => (c[user] === undefined ? [] : [c[user]]));
    return known.length === 0 ? undefined : median(known);
  };
  const cpuNote = (writer: 'raw' | 'projector') =>
    `CPU µs per event (median of rounds): ${cpuUsers.map((u) => `${u} ${fmt(cpuMedian(writer, u))}`).join(', ')}`;
  const figures: BenchFigure[] = [
    {
      name: 'raw cassandra-driver loop',
      value: raw,
      unit: 'events/s',
      cpuPerEventUs: cpuMedian('raw', 'node'),
      note: cpuNote('raw'),
    },
    {
      ...againstBaseline(
        { name: 'projector (Kafka → runtime → CQL)', value: projector, unit: 'events/s' },
        { name: 'raw cassandra-driver loop', value: raw },
      ),
      target: '≥ 0.80× raw',
      met: projector / raw >= 0.8,
      cpuPerEventUs: cpuMedian('projector', 'node'),
      note: cpuNote('projector'),
    },
  ];
  for (const { f, total } of freshness) {
    const at = `${f.multiple}× (${f.target}/s)`;
    figures.push(
      {
        name: `freshness at ${at}: achieved`,
        value: f.achieved,
        unit: 'events/s',
        note: `${f.latencies.length} probes`,
      },
      { name: `freshness at ${at}: produced → readable p50`, value: percentile(f.latencies, 50), unit: 'ms' },
      {
        name: `freshness at ${at}: produced → readable p99`,
        value: percentile(f.latencies, 99),
        unit: 'ms',
        cpuPerEventUs: total,
        note:
          `CPU µs per event end to end: ${sources.map((u) => `${u} ${fmt(f.cpuPerEvent[u])}`).join(', ')}; ` +
          `the target rate needs ${((total * f.target) / 1e6).toFixed(1)} cores (this machine: ${availableParallelism()})`,
      },
    );
  }
  return {
    bench: 'cassandra',
    command: benchCommand('cassandra', argv),
    figures,
    notes: [
      `${count} chat events, ${config.processor.maxInFlight} records in flight, ${batchRecords} records per write, median of ${rounds} alternating rounds after a warm-up`,
      `freshness: ${seconds} s of load per rate from the load generator in its own process; node = the projector and the probes; CPU per event of the p99 rows is the sum over generator, node, Cassandra and Kafka`,
    ],
  };
}
