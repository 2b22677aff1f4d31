// Benchmark: the outbox's commit → visible latency. Rows are appended one per transaction at a
// steady rate (insert + delete, as writers do) while a kafkajs consumer (what our processors use)
// notes when each record arrives; latency runs from COMMIT's return to the consumer's receipt, in
// this one process. For scale, the same consumer's latency for records our producer sends directly
// (send call → receipt). Also the CPU per record of the Connect worker, the slot's walsender and
// the writers' PostgreSQL backends (gross: their idle work during the run included).
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { appendToOutbox, toOutboxRecords } from '../../connectors/outbox/outbox.ts';
import { readSlotLag } from '../../connectors/outbox/slotLag.ts';
import { createKafka, createPgPool } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { createEventProducer, TRACEPARENT_HEADER } from '../../producers/eventProducer.ts';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { percentile } from '../../producers/loadgen/runLoad.ts';
import { createContext } from '../stack/manager.ts';
import { cpuSeconds } from '../stack/process.ts';
import { serverPid } from './serverProcess.ts';
import { againstBaseline, benchCommand, type BenchFigure, type BenchResult } from './result.ts';

const PARTITIONS = 6;

interface Row {
  label: string;
  achievedRate: number;
  latencies: number[];
  cpuMicros?: { connect: number; walsender: number; backends: number };
}

/** Calls `submit(i, lane)` for i < count at `rate`/s, lanes working in parallel; returns seconds. */
async function paced(
  count: number,
  rate: number,
  lanes: number,
  submit: (i: number, lane: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < count; i += lanes) {
        const wait = started + (i * 1000) / rate - performance.now();
        if (wait > 0) await sleep(wait);
        await submit(i, lane);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function cpuOf(pids: Record<string, number>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(pids).map(async ([name, pid]) => [name, (await cpuSeconds(pid)) ?? NaN] as const),
  );
  return Object.fromEntries(entries);
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      rates: { type: 'string' },
      warmup: { type: 'string' },
      writers: { type: 'string' },
    },
  });
  const options = {
    rows: Number(values.rows ?? 2_000),
    warmup: Number(values.warmup ?? 1_000),
    // One connection manages ~400 transactions/s here (four round trips each).
    writers: Number(values.writers ?? 4),
    rates: (values.rates ?? '200,1000').split(',').map(Number),
  };
  const { rows, warmup, writers, rates } = options;
  if (![rows, writers, warmup + 1, ...rates].every((n) => Number.isInteger(n) && n > 0))
    throw new Error(
      '--rows, --writers, --warmup and each of --rates (comma-separated) must be positive integers',
    );
  return options;
}

/** Each outbox rate's latencies against the direct send's; CPU per event summed over the three processes. */
function resultFigures(table: Row[]): BenchFigure[] {
  const direct = table.find((r) => r.cpuMicros === undefined);
  return table.flatMap((r) => {
    const step = r === direct ? 'send' : 'commit';
    const cpu = r.cpuMicros && {
      cpuPerEventUs: r.cpuMicros.connect + r.cpuMicros.walsender + r.cpuMicros.backends,
      note: `CPU µs per event: Connect ${r.cpuMicros.connect.toFixed(0)}, walsender ${r.cpuMicros.walsender.toFixed(0)}, PG backends ${r.cpuMicros.backends.toFixed(0)}`,
    };
    const latencies = [50, 90, 99].map((q): BenchFigure => {
      const figure = {
        name: `${r.label}: ${step} → visible p${q}`,
        value: percentile(r.latencies, q),
        unit: 'ms',
        ...(q === 50 ? cpu : {}),
      };
      return direct && r !== direct
        ? againstBaseline(figure, { name: `${direct.label} p${q}`, value: percentile(direct.latencies, q) })
        : figure;
    });
    return [...latencies, { name: `${r.label}: achieved`, value: r.achievedRate, unit: 'events/s' }];
  });
}

export async function benchOutbox(config: ClientConfig, argv: string[]): Promise<BenchResult> {
  const { rows, warmup, writers, rates } = parseOptions(argv);
  const connectPid = await serverPid(createContext().paths.run, 'connect');
  if (connectPid === undefined) throw new Error('the Connect worker is not running: npm run stack -- up');
  const kafka = createKafka(config, 'bench-outbox');
  const admin = kafka.admin();
  const pool = createPgPool(config);
  const producer = await createEventProducer(config, { clientId: 'bench-outbox' });
  const topic = `parley.bench.outbox.${Date.now()}`;
  const directTopic = `${topic}.direct`;
  // Every record's traceparent is its own (a child span per event): it names the record on arrival.
  const arrived = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 100 });
  const clients: pg.PoolClient[] = [];
  try {
    await admin.connect();
    await admin.createTopics({
      topics: [topic, directTopic].map((t) => ({ topic: t, numPartitions: PARTITIONS })),
      waitForLeaders: true,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic, directTopic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    void consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.[TRACEPARENT_HEADER]?.toString();
        if (id && !arrived.has(id)) arrived.set(id, performance.now());
      },
    });
    await joined;
    clients.push(...(await Promise.all(Array.from({ length: writers }, () => pool.connect()))));
    const backendPids = await Promise.all(
      clients.map(
        async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
      ),
    );
    const workload = new ChatWorkload(new Random(1));
    const events = (n: number) => Array.from({ length: n }, () => workload.next());
    const latencies = async (sent: Map<string, number>) => {
      const deadline = Date.now() + 60_000;
      for (const id of sent.keys())
        while (!arrived.has(id)) {
          if (Date.now() > deadline) throw new Error(`a record did not arrive within 60 s`);
          await sleep(20);
        }
      return [...sent].map(([id, at]) => arrived.get(id)! - at).sort((a, b) => a - b);
    };

    const viaOutbox = async (count: number, rate: number): Promise<Omit<Row, 'label'>> => {
      const slot = await readSlotLag(pool);
      if (!slot?.active || slot.activePid === null)
        throw new Error('the outbox slot is not active: is the connector running?');
      const pids: Record<string, number> = { connect: connectPid, walsender: slot.activePid };
      backendPids.forEach((pid, i) => (pids[`backend${i}`] = pid));
      const records = await toOutboxRecords(producer, events(count), { topic });
      const committed = new Map<string, number>();
      const before = await cpuOf(pids);
      const seconds = await paced(count, rate, clients.length, async (i, lane) => {
        const client = clients[lane]!;
        await client.query('BEGIN');
        await appendToOutbox(client, [records[i]!]);
        await client.query('COMMIT');
        committed.set(records[i]!.traceparent, performance.now());
      });
      const result = await latencies(committed);
      const after = await cpuOf(pids);
      const micros = (name: string) => ((after[name]! - before[name]!) / count) * 1e6;
      return {
        achievedRate: count / seconds,
        latencies: result,
        cpuMicros: {
          connect: micros('connect'),
          walsender: micros('walsender'),
          backends: backendPids.reduce((sum, _, i) => sum + micros(`backend${i}`), 0),
        },
      };
    };

    const direct = async (count: number, rate: number): Promise<Omit<Row, 'label'>> => {
      const records = await Promise.all(
        events(count).map(({ name, event }) => producer.toRecord(name, event, { topic: directTopic })),
      );
      const sent = new Map<string, number>();
      const seconds = await paced(count, rate, writers, async (i) => {
        sent.set(records[i]!.headers[TRACEPARENT_HEADER]!, performance.now());
        await producer.transport.send([records[i]!]);
      });
      return { achievedRate: count / seconds, latencies: await latencies(sent) };
    };

    if (warmup > 0) {
      console.log(`warm-up: ${warmup} rows at ${rates[0]}/s`);
      await viaOutbox(warmup, rates[0]!);
    }
    const table: Row[] = [];
    for (const rate of rates) table.push({ label: `outbox ${rate}/s`, ...(await viaOutbox(rows, rate)) });
    table.push({ label: `direct ${rates[0]}/s`, ...(await direct(rows, rates[0]!)) });

    console.log(
      `\ncommit (outbox) or send (direct, ${producer.transport.name} producer) → visible to a kafkajs consumer;` +
        ` ${rows} events per row, one per transaction, ${writers} writer connections`,
    );
    console.log(
      'run              achieved/s  p50 ms  p90 ms  p99 ms  max ms  CPU µs/event: Connect  walsender  PG backends',
    );
    for (const r of table) {
      const p = (q: number) => percentile(r.latencies, q).toFixed(0).padStart(6);
      const cpu = r.cpuMicros
        ? `${r.cpuMicros.connect.toFixed(0).padStart(21)}  ${r.cpuMicros.walsender.toFixed(0).padStart(9)}  ${r.cpuMicros.backends.toFixed(0).padStart(11)}`
        : '';
      console.log(
        `${r.label.padEnd(16)} ${r.achievedRate.toFixed(0).padStart(10)}  ${p(50)}  ${p(90)}  ${p(99)}  ${r.latencies.at(-1)!.toFixed(0).padStart(6)}  ${cpu}`,
      );
    }
    const slot = await readSlotLag(pool);
    console.log(
      `\nslot ${slot?.slotName}: active ${slot?.active}, lag ${slot?.lagBytes} B, retained ${slot?.retainedBytes} B`,
    );
    return {
      bench: 'outbox',
      command: benchCommand('outbox', argv),
      figures: resultFigures(table),
      notes: [
        `commit (outbox) or send (direct, ${producer.transport.name} producer) → visible to a kafkajs consumer; ${rows} events per row, one per transaction, ${writers} writer connections`,
        "CPU per event: the Connect worker, the slot's walsender and the writers' PostgreSQL backends, idle work during the run included",
      ],
    };
  } finally {
    clients.forEach((client) => client.release());
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic, directTopic] }).catch(() => {});
    await admin.disconnect();
    await producer.close();
    await pool.end();
  }
}
