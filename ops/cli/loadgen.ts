// npm run loadgen -- --multiple N --duration S [--seed K] [--transport kafkajs|rdkafka] [--max-in-flight BATCHES]
//   [--topic T] (every event to one existing topic, for benchmarks) [--json] (the report as one JSON line)
import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { formatLoadReport, runLoad } from '../../producers/loadgen/runLoad.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { createKafka } from '../../core/clients.ts';
import { runCli } from './runCli.ts';

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

runCli(async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      multiple: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      transport: { type: 'string' },
      'max-in-flight': { type: 'string' },
      topic: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const transport = values.transport ?? undefined;
  if (transport !== undefined && transport !== 'kafkajs' && transport !== 'rdkafka') {
    throw new Error(`--transport must be kafkajs or rdkafka, got ${transport}`);
  }
  // N × the reference peak's event rate (trafficModel.ts): the unit of every load figure.
  const multiple = positive('multiple', values.multiple, 1);
  const rate = multiple * referencePeak.eventsPerSecond;
  const duration = positive('duration', values.duration, 10);
  const topic = values.topic;
  if (topic !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
    throw new Error(`--topic must be a Kafka topic name (letters, digits, . _ -), got ${topic}`);
  const config = loadConfig().clients;
  const admin = createKafka(config, 'parley-loadgen').admin();
  await admin.connect();
  try {
    if (topic === undefined) await provisionTopics(admin, topicSpecs(config.topics));
    else if (!(await admin.listTopics()).includes(topic)) throw new Error(`--topic ${topic} does not exist`);
  } finally {
    await admin.disconnect();
  }
  const producer = await createEventProducer(config, { transport, clientId: 'parley-loadgen' });
  onShutdown(() => producer.close());
  const log = values.json ? console.error : console.log;
  log(
    `loadgen: ${multiple}× reference peak = ${Math.round(rate)} events/s for ${duration} s via ${producer.transport.name} (1× = ${Math.round(referencePeak.eventsPerSecond)} events/s from ${Math.round(referencePeak.requestsPerSecond)} requests/s, ${Math.round(referencePeak.promptsPerSecond)} of them prompts)`,
  );
  const report = await runLoad(producer, {
    ratePerSecond: rate,
    durationSeconds: duration,
    seed: positive('seed', values.seed, 1),
    maxInFlightBatches: positive('max-in-flight', values['max-in-flight'], 64),
    topic,
    onProgress: process.stderr.isTTY
      ? (sent, elapsed) => process.stderr.write(`  ${sent} sent in ${elapsed.toFixed(0)} s\r`)
      : undefined,
  });
  await producer.close();
  console.log(values.json ? JSON.stringify(report) : formatLoadReport(report));
  return report.failed === 0 ? 0 : 1;
});
