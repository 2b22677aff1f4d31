// Benchmark: the two producer transports against Kafka's own ProducerPerformance tool, same record
// size, acks=all, idempotence and compression, one after another on the same broker and topic.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { createKafka } from '../../core/clients.ts';
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import type { ClientConfig } from '../../core/config.ts';
import { createEventProducer, createTransport, transportSettings } from '../../producers/eventProducer.ts';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { percentile } from '../../producers/loadgen/runLoad.ts';
import type {
  CompressionName,
  OutgoingRecord,
  ProducerTransport,
  TransportName,
} from '../../producers/transport.ts';
import { run } from '../stack/exec.ts';
import { kafkaClasspath } from '../stack/services/kafka.ts';
import { createContext } from '../stack/manager.ts';
import { againstBaseline, benchCommand, type BenchFigure, type BenchResult } from './result.ts';

const BENCH_TOPIC = 'parley.bench.producers';
/** Records per send call, and records unacknowledged at most (a larger window only adds queueing delay). */
const BATCH = 500;
const WINDOW = 20_000;

interface Result {
  name: string;
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  p50: number;
  p99: number;
}

/**
 * Sends `records` in groups of `batch` (one `send` call each) with at most `window` records
 * unacknowledged; a record's latency is from its group's send call to the group's acknowledgement.
 */
async function measure(
  name: string,
  records: number,
  batch: number,
  window: number,
  send: (first: number, count: number) => Promise<void>,
  bytesPerRecord: number,
): Promise<Result> {
  const latencies: number[] = [];
  const inFlight = new InFlightWindow(Math.max(1, Math.floor(window / batch)));
  const started = performance.now();
  for (let first = 0; first < records; first += batch) {
    const count = Math.min(batch, records - first);
    const t0 = performance.now();
    await inFlight.run(() =>
      send(first, count).then(() => {
        const latency = performance.now() - t0;
        for (let i = 0; i < count; i++) latencies.push(latency);
      }),
    );
  }
  await inFlight.idle();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    records,
    recordsPerSecond: records / seconds,
    mbPerSecond: (records * bytesPerRecord) / seconds / 1_048_576,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function benchTransport(
  config: ClientConfig,
  name: TransportName,
  compression: CompressionName,
  records: number,
  recordSize: number,
): Promise<Result> {
  const transport: ProducerTransport = createTransport(name, {
    ...transportSettings(config, `bench-${name}`),
    compression,
  });
  await transport.connect();
  const payload = randomBytes(recordSize);
  // Keyed like the platform's events: 1,000 aggregates spread over the partitions.
  const keys = Array.from({ length: 1000 }, (_, i) => `chat-${i}`);
  const record = (i: number): OutgoingRecord => ({
    topic: BENCH_TOPIC,
    key: keys[i % keys.length]!,
    value: payload,
    headers: {},
  });
  await transport.send([record(0)]); // warm-up: metadata, connection, producer id
  const result = await measure(
    name,
    records,
    BATCH,
    WINDOW,
    (first, count) => transport.send(Array.from({ length: count }, (_, i) => record(first + i))),
    recordSize,
  );
  await transport.disconnect();
  return result;
}

async function benchEventProducer(
  config: ClientConfig,
  name: TransportName,
  compression: CompressionName,
  records: number,
) {
  const producer = await createEventProducer(
    { ...config, producer: { ...config.producer, compression } },
    {
      transport: name,
      clientId: `bench-events-${name}`,
    },
  );
  const workload = new ChatWorkload(new Random(42));
  const events = Array.from({ length: Math.min(records, 50_000) }, () => workload.next());
  const sizes = await Promise.all(events.slice(0, 1000).map((e) => producer.toRecord(e.name, e.event)));
  const meanBytes = sizes.reduce((a, r) => a + r.value.length, 0) / sizes.length;
  const result = await measure(
    `${name} + Avro events`,
    records,
    BATCH,
    WINDOW,
    // To the bench topic: the catalogue's topics are the platform's, whose processors would take
    // these events for real traffic.
    (first, count) =>
      producer.publishMany(
        Array.from({ length: count }, (_, i) => events[(first + i) % events.length]!),
        { topic: BENCH_TOPIC },
      ),
    meanBytes,
  );
  await producer.close();
  return { result, meanBytes };
}

async function benchKafkaTool(
  config: ClientConfig,
  compression: CompressionName,
  records: number,
  recordSize: number,
): Promise<Result> {
  const ctx = createContext(() => undefined);
  const output = await run([
    'java',
    '-Xmx512m',
    '-cp',
    kafkaClasspath(ctx),
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    BENCH_TOPIC,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.kafkaBrokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
    `compression.type=${compression}`,
    'linger.ms=5',
  ]);
  // "N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P50 ms 50th, P95 ms 95th, P99 ms 99th, ..."
  const summary = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.includes('records sent'));
  const match =
    summary &&
    /([\d.]+) records\/sec \(([\d.]+) MB\/sec\).* ([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th/.exec(
      summary,
    );
  if (!match) throw new Error(`could not read ProducerPerformance output:\n${output.slice(-2000)}`);
  return {
    name: 'Kafka ProducerPerformance (Java)',
    records,
    recordsPerSecond: Number(match[1]),
    mbPerSecond: Number(match[2]),
    p50: Number(match[3]),
    p99: Number(match[5]),
  };
}

export async function benchProducers(config: ClientConfig, argv: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      'record-size': { type: 'string' },
      compression: { type: 'string' },
    },
  });
  const records = Number(values.records ?? 300_000);
  const recordSize = Number(values['record-size'] ?? 400);
  const compression = (values.compression ?? 'none') as CompressionName;

  const admin = createKafka(config, 'bench-admin').admin();
  await admin.connect();
  if ((await admin.listTopics()).includes(BENCH_TOPIC)) await admin.deleteTopics({ topics: [BENCH_TOPIC] });
  await admin.createTopics({ topics: [{ topic: BENCH_TOPIC, numPartitions: 6 }], waitForLeaders: true });
  await admin.disconnect();

  console.log(
    `producer benchmark: ${records} records of ${recordSize} B, acks=all, idempotent, compression ${compression}, topic ${BENCH_TOPIC} (6 partitions)`,
  );
  const tool = await benchKafkaTool(config, compression, records, recordSize);
  const kafkajs = await benchTransport(config, 'kafkajs', compression, records, recordSize);
  const rdkafka = await benchTransport(config, 'rdkafka', compression, records, recordSize);
  const events = await benchEventProducer(config, 'rdkafka', compression, records);

  const rows = [tool, kafkajs, rdkafka, events.result];
  console.log(
    `\n${'producer'.padEnd(34)} ${'records/s'.padStart(10)} ${'MB/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  vs Kafka's tool`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)} ${r.recordsPerSecond.toFixed(0).padStart(10)} ${r.mbPerSecond.toFixed(1).padStart(7)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}  ${(r.recordsPerSecond / tool.recordsPerSecond).toFixed(2)}×`,
    );
  }
  console.log(
    `\n(the Avro-events row publishes the load generator's mix, mean ${events.meanBytes.toFixed(0)} B per record, with validation and encoding: ` +
      `${(events.result.recordsPerSecond / referencePeak.eventsPerSecond).toFixed(0)}× the reference peak's ${Math.round(referencePeak.eventsPerSecond)} events/s)`,
  );
  const best = Math.max(kafkajs.recordsPerSecond, rdkafka.recordsPerSecond);
  console.log(
    `faster transport: ${(best / tool.recordsPerSecond).toFixed(2)}× Kafka's own tool (target ≥ 0.70×)`,
  );
  const baseline = { name: tool.name, value: tool.recordsPerSecond };
  const figures: BenchFigure[] = rows.flatMap((r): BenchFigure[] => [
    r === tool
      ? { name: `${r.name} rate`, value: r.recordsPerSecond, unit: 'records/s' }
      : againstBaseline({ name: `${r.name} rate`, value: r.recordsPerSecond, unit: 'records/s' }, baseline),
    { name: `${r.name} latency p50`, value: r.p50, unit: 'ms' },
    { name: `${r.name} latency p99`, value: r.p99, unit: 'ms' },
  ]);
  figures.push({
    name: "faster transport ÷ Kafka's own tool",
    value: best / tool.recordsPerSecond,
    unit: '×',
    target: '≥ 0.70×',
    met: best / tool.recordsPerSecond >= 0.7,
    note: best === kafkajs.recordsPerSecond ? 'kafkajs' : 'rdkafka',
  });
  return {
    bench: 'producers',
    command: benchCommand('producers', argv),
    figures,
    notes: [
      `${records} records of ${recordSize} B, acks=all, idempotent, compression ${compression}, 6 partitions`,
      `the Avro-events row publishes the load generator's mix (mean ${events.meanBytes.toFixed(0)} B per record) with validation and encoding: ` +
        `${(events.result.recordsPerSecond / referencePeak.eventsPerSecond).toFixed(0)}× the reference peak's ${Math.round(referencePeak.eventsPerSecond)} events/s`,
    ],
  };
}
