// Benchmark: the Cassandra projector against a raw cassandra-driver loop writing the same rows with
// the same concurrency (the store's ceiling on this machine), then freshness (event produced →
// row readable) under the load generator at a multiple of the seed's peak.
import { parseArgs } from 'node:util';
import { createCassandraClient, createKafka } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { InFlightWindow } from '../../core/inFlightWindow.ts';
import { cassandraProjector } from '../../processors/cassandra/cassandraProjector.ts';
import { hasCaughtUp } from '../../processors/runtime/groupProgress.ts';
import { ProcessorRuntime } from '../../processors/runtime/processorRuntime.ts';
import { createEventProducer, type PublishItem } from '../../producers/eventProducer.ts';
import { ChatWorkload } from '../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../producers/loadgen/random.ts';
import { percentile, runLoad } from '../../producers/loadgen/runLoad.ts';
import { seedPeakEventsPerSecond } from '../../producers/loadgen/trafficModel.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { projectChatEvent } from '../../projections/cassandra/chatProjection.ts';
import { migrate } from '../../projections/cassandra/keyspace.ts';
import { bucketOf } from '../../projections/cassandra/messageTime.ts';
import { eventDefinition, topics } from '../../schemas/catalog.ts';

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

async function waitCaughtUp(config: ClientConfig, groupId: string, topic: string): Promise<void> {
  const admin = createKafka(config, 'bench-lag').admin();
  await admin.connect();
  try {
    while (!(await hasCaughtUp(admin, groupId, topic)))
      await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await admin.disconnect();
  }
}

export async function benchCassandra(config: ClientConfig, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { events: { type: 'string' }, seconds: { type: 'string' }, multiple: { type: 'string' } },
  });
  const count = Number(values.events ?? 40_000);
  const seconds = Number(values.seconds ?? 10);
  const multiple = Number(values.multiple ?? 10);
  const concurrency = config.processor.maxInFlight;
  const quiet = { ...config, processor: { ...config.processor, metricsPort: 0 } };
  const client = createCassandraClient(config);
  await client.connect();
  const producer = await createEventProducer(config, { clientId: 'bench-cassandra' });

  // The same chat events for both contenders.
  const workload = new ChatWorkload(new Random(99));
  const items: PublishItem[] = [];
  while (items.length < count) {
    const item = workload.next();
    if (eventDefinition(item.name).topic === topics.chat) items.push(item);
  }
  console.log(`cassandra benchmark: ${count} chat events, concurrency ${concurrency}`);

  // 1. Raw driver loop: the statements the projector would run, straight to Cassandra.
  const rawKeyspace = `bench_raw_${stamp()}`;
  await migrate(client, rawKeyspace, 1);
  const statements = items.map((it, i) => projectChatEvent(it.name, it.event, { offset: String(i) }));
  const window = new InFlightWindow(concurrency);
  let t0 = performance.now();
  for (const group of statements) {
    await window.run(() =>
      Promise.all(
        group.map((s) =>
          client.execute(s.query.replace(/^UPDATE (\w+)/, `UPDATE ${rawKeyspace}.$1`), s.params, {
            prepare: true,
          }),
        ),
      ).then(() => undefined),
    );
  }
  await window.idle();
  const rawRate = count / ((performance.now() - t0) / 1000);

  // 2. The projector: same events from Kafka, runtime and all.
  const topic = await benchTopic(config, 'projector');
  await producer.publishMany(items, { topic });
  const keyspace = `bench_proj_${stamp()}`;
  await migrate(client, keyspace, 1);
  const groupId = `bench.projector.${stamp()}`;
  const runtime = new ProcessorRuntime(
    cassandraProjector(client, { current: () => keyspace }, { name: 'bench-projector', topic }),
    quiet,
    { groupId },
  );
  await runtime.start();
  // Timed from the first record handled (group join and start-up excluded) to fully committed.
  const processed = async () =>
    (
      (await runtime.metrics.registry.getSingleMetric('parley_processor_records_processed_total')?.get())
        ?.values ?? []
    ).reduce((sum, v) => sum + v.value, 0);
  while ((await processed()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  t0 = performance.now();
  const first = await processed();
  await waitCaughtUp(config, groupId, topic);
  const projectorRate = (count - first) / ((performance.now() - t0) / 1000);
  await runtime.stop();

  console.log(`\n${'writer'.padEnd(36)} ${'events/s'.padStart(9)}`);
  console.log(`${'raw cassandra-driver loop'.padEnd(36)} ${rawRate.toFixed(0).padStart(9)}`);
  console.log(`${'projector (Kafka → runtime → CQL)'.padEnd(36)} ${projectorRate.toFixed(0).padStart(9)}`);
  console.log(`projector / raw loop: ${(projectorRate / rawRate).toFixed(2)}× (target ≥ 0.80×)`);

  // 3. Freshness under load: the live projector follows a topic the load generator fills at
  // `multiple` × the seed peak; probe prompts measure produce → readable.
  const liveTopic = await benchTopic(config, 'freshness');
  const liveKeyspace = `bench_fresh_${stamp()}`;
  await migrate(client, liveKeyspace, 1);
  const live = new ProcessorRuntime(
    cassandraProjector(
      client,
      { current: () => liveKeyspace },
      { name: 'bench-freshness', topic: liveTopic },
    ),
    quiet,
    { groupId: `bench.freshness.${stamp()}` },
  );
  await live.start();
  const target = Math.round(multiple * seedPeakEventsPerSecond);
  const freshness: number[] = [];
  const probeWorkload = new ChatWorkload(new Random(7));
  const probes: Array<Promise<void>> = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const prompt = probeWorkload.sample('PromptSubmitted');
      const record = await producer.toRecord(prompt.name, prompt.event, { topic: liveTopic });
      const sent = performance.now();
      await producer.transport.send([record]);
      const { chat_id, message_id } = prompt.event;
      probes.push(
        (async () => {
          for (let i = 0; i < 6000; i++) {
            const found = await client.execute(
              `SELECT message_id FROM ${liveKeyspace}.messages_by_chat WHERE chat_id = ? AND bucket = ? AND message_id = ?`,
              [chat_id, bucketOf(message_id), message_id],
              { prepare: true },
            );
            if (found.rowLength > 0) return void freshness.push(performance.now() - sent);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })(),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const report = await runLoad(producer, {
    ratePerSecond: target,
    durationSeconds: seconds,
    seed: 5,
    maxInFlightBatches: 64,
    topic: liveTopic,
  });
  probing = false;
  await probeLoop;
  await Promise.all(probes);
  await live.stop();
  freshness.sort((a, b) => a - b);
  console.log(
    `\nfreshness at ${multiple}× seed peak (target ${target} events/s, achieved ${report.achievedRate.toFixed(0)} events/s for ${seconds} s): ` +
      `p50 ${percentile(freshness, 50).toFixed(0)} ms, p99 ${percentile(freshness, 99).toFixed(0)} ms over ${freshness.length} probes (target p99 < 500 ms)`,
  );
  await producer.close();
  for (const ks of [rawKeyspace, keyspace, liveKeyspace])
    await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await client.shutdown();
}
