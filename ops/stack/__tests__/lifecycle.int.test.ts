// Drives the stack CLI itself: a second `up` changes nothing, and `down` + `up` keeps every store's data.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  createCassandraClient,
  createClickHouse,
  createKafka,
  createPgPool,
  createRedis,
  createSchemaRegistry,
} from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { repoRoot, stackPaths } from '../paths.ts';
import { readRecord } from '../process.ts';
import { serviceNames } from '../services/index.ts';

const stackCli = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'ops/cli/stack.ts', ...args], {
    cwd: repoRoot,
    maxBuffer: 10 * 1024 * 1024,
  });

const pids = async () =>
  Promise.all(serviceNames.map(async (name) => (await readRecord(stackPaths().run, name))?.pid));

test('a second `up` on a running stack restarts nothing', async () => {
  const before = await pids();
  assert.ok(
    before.every((pid) => pid !== undefined),
    'the stack is up before the test',
  );
  const { stdout } = await stackCli('up');
  assert.deepEqual(await pids(), before);
  for (const name of serviceNames) assert.match(stdout, new RegExp(`${name}: already running`));
});

test('`down` then `up` keeps the data of every store', { timeout: 600_000 }, async () => {
  const marker = uniqueName('persist');
  const kafka = createKafka(config.clients, 'lifecycle-test');
  const registry = createSchemaRegistry(config.clients);

  // Write one marker into each store.
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: marker }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: marker, acks: -1, messages: [{ value: marker }] });
  await producer.disconnect();
  const schema = { type: 'record', name: marker, fields: [{ name: 'id', type: 'string' }] };
  const { id: schemaId } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject: `persist-${marker}` },
  );
  let cql = createCassandraClient(config.clients);
  await cql.execute(
    `CREATE KEYSPACE ${marker} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  await cql.execute(`CREATE TABLE ${marker}.t (k text PRIMARY KEY)`);
  await cql.execute(`INSERT INTO ${marker}.t (k) VALUES ('${marker}')`);
  await cql.shutdown();
  let pool = createPgPool(config.clients);
  await pool.query(`CREATE TABLE ${marker} (k text)`);
  await pool.query(`INSERT INTO ${marker} VALUES ($1)`, [marker]);
  await pool.end();
  let redis = createRedis(config.clients);
  await redis.set(marker, marker);
  redis.disconnect();
  let ch = createClickHouse(config.clients);
  await ch.command({ query: `CREATE TABLE ${marker} (k String) ENGINE = MergeTree() ORDER BY k` });
  await ch.insert({ table: marker, format: 'JSONEachRow', values: [{ k: marker }] });
  await ch.close();

  await stackCli('down');
  const { stdout: statusOut } = await stackCli('status').catch((e: { stdout: string }) => e);
  for (const name of serviceNames) assert.match(statusOut, new RegExp(`^${name}\\s+stopped`, 'm'));
  await stackCli('up');

  // Every marker is still there.
  const consumer = kafka.consumer({ groupId: marker });
  await consumer.connect();
  await consumer.subscribe({ topic: marker, fromBeginning: true });
  const value = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('kafka record lost')), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => (clearTimeout(timer), resolve(String(message.value))),
    });
  });
  await consumer.disconnect();
  assert.equal(value, marker);
  assert.equal(await createSchemaRegistry(config.clients).getLatestSchemaId(`persist-${marker}`), schemaId);
  cql = createCassandraClient(config.clients);
  assert.equal((await cql.execute(`SELECT k FROM ${marker}.t`)).rows[0]?.get('k'), marker);
  await cql.execute(`DROP KEYSPACE ${marker}`);
  await cql.shutdown();
  pool = createPgPool(config.clients);
  assert.equal((await pool.query(`SELECT k FROM ${marker}`)).rows[0]?.k, marker);
  await pool.query(`DROP TABLE ${marker}`);
  await pool.end();
  redis = createRedis(config.clients);
  assert.equal(await redis.get(marker), marker);
  await redis.del(marker);
  redis.disconnect();
  ch = createClickHouse(config.clients);
  const rows = await (await ch.query({ query: `SELECT k FROM ${marker}`, format: 'JSONEachRow' })).json();
  assert.deepEqual(rows, [{ k: marker }]);
  await ch.command({ query: `DROP TABLE ${marker}` });
  await ch.close();
});
