// What `npm start` runs until the platform's processors land: one small round trip through every
// service of the stack, printed as it goes, so a newcomer sees each part answer.
import { randomUUID } from 'node:crypto';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ClientConfig } from '../core/config.ts';
import {
  createCassandraClient,
  createClickHouse,
  createKafka,
  createModelClient,
  createPgPool,
  createRedis,
  createSchemaRegistry,
} from '../core/clients.ts';
import { streamChatCompletion } from '../connectors/model-server/streamChatCompletion.ts';

export interface SmokeStep {
  service: string;
  result: string;
  ms: number;
}

const SMOKE_TOPIC = 'parley.smoke';
const smokeSchema = {
  type: 'record',
  name: 'SmokePing',
  namespace: 'dev.parley.smoke',
  doc: 'A round-trip check written by the smoke workload.',
  fields: [
    { name: 'ping_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'sent_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

async function timed(steps: SmokeStep[], service: string, fn: () => Promise<string>): Promise<void> {
  const started = performance.now();
  const result = await fn();
  steps.push({ service, result, ms: Math.round(performance.now() - started) });
}

export async function runSmokeWorkload(
  config: ClientConfig,
  onStep?: (step: SmokeStep) => void,
): Promise<SmokeStep[]> {
  const steps: SmokeStep[] = [];
  const step = async (service: string, fn: () => Promise<string>) => {
    await timed(steps, service, fn);
    onStep?.(steps[steps.length - 1]!);
  };
  const pingId = randomUUID();

  let encoded: Buffer = Buffer.alloc(0);
  const registry = createSchemaRegistry(config);
  await step('registry', async () => {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(smokeSchema) },
      { subject: `${SMOKE_TOPIC}-dev.parley.smoke.SmokePing` },
    );
    encoded = await registry.encode(id, { ping_id: pingId, sent_at: Date.now() });
    return `schema id ${id}, ${encoded.length}-byte Avro record`;
  });

  await step('kafka', async () => {
    const kafka = createKafka(config, 'parley-smoke');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: SMOKE_TOPIC, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const [meta] = await producer.send({
      topic: SMOKE_TOPIC,
      acks: -1,
      messages: [{ key: pingId, value: encoded }],
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `parley-smoke-${pingId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: SMOKE_TOPIC, fromBeginning: true });
    const decoded = await new Promise<{ ping_id: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('smoke record not consumed within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== pingId || !message.value) return;
          clearTimeout(timer);
          resolve((await registry.decode(message.value)) as { ping_id: string });
        },
      });
    });
    await consumer.disconnect();
    if (decoded.ping_id !== pingId) throw new Error('decoded a different ping');
    return `produced at offset ${meta?.baseOffset} and consumed back, decoded through the registry`;
  });

  await step('cassandra', async () => {
    const client = createCassandraClient(config);
    try {
      await client.execute(
        "CREATE KEYSPACE IF NOT EXISTS parley_smoke WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await client.execute(
        'CREATE TABLE IF NOT EXISTS parley_smoke.pings (ping_id uuid PRIMARY KEY, at timestamp)',
      );
      await client.execute(
        'INSERT INTO parley_smoke.pings (ping_id, at) VALUES (?, ?)',
        [pingId, new Date()],
        {
          prepare: true,
        },
      );
      const row = await client.execute('SELECT at FROM parley_smoke.pings WHERE ping_id = ?', [pingId], {
        prepare: true,
      });
      if (row.rowLength !== 1) throw new Error('row not read back');
      return 'row written and read back';
    } finally {
      await client.shutdown();
    }
  });

  await step('postgres', async () => {
    const pool = createPgPool(config);
    try {
      await pool.query(
        'CREATE TABLE IF NOT EXISTS smoke_pings (ping_id uuid PRIMARY KEY, at timestamptz NOT NULL)',
      );
      await pool.query('INSERT INTO smoke_pings VALUES ($1, now())', [pingId]);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM smoke_pings');
      return `row inserted (${rows[0]?.n} pings so far)`;
    } finally {
      await pool.end();
    }
  });

  await step('redis', async () => {
    const redis = createRedis(config);
    try {
      await redis.connect();
      await redis.set(`smoke:${pingId}`, '1', 'EX', 300);
      return `key set, ${await redis.dbsize()} keys in the database`;
    } finally {
      redis.disconnect();
    }
  });

  await step('clickhouse', async () => {
    const client = createClickHouse(config);
    try {
      await client.command({
        query:
          'CREATE TABLE IF NOT EXISTS smoke_pings (ping_id String, at DateTime) ENGINE = MergeTree() ORDER BY at',
      });
      await client.insert({
        table: 'smoke_pings',
        format: 'JSONEachRow',
        values: [{ ping_id: pingId, at: Math.floor(Date.now() / 1000) }],
      });
      const result = await client.query({
        query: 'SELECT count() AS n FROM smoke_pings',
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string }>();
      return `row inserted (${row?.n} pings so far)`;
    } finally {
      await client.close();
    }
  });

  await step('model', async () => {
    const result = await streamChatCompletion(createModelClient(config), {
      model: config.modelServer.model,
      messages: [{ role: 'user', content: 'Say hello to a new Parley user in one short sentence.' }],
      maxTokens: 40,
    });
    const tps = result.completionTokens
      ? (result.completionTokens / (result.latencyMs / 1000)).toFixed(1)
      : '?';
    return `"${result.text.trim().replace(/\s+/g, ' ')}" (${result.completionTokens} tokens, ${tps} tokens/s)`;
  });

  return steps;
}
