// Kafka Connect in distributed mode (Maven Central jars on the JDK, like Kafka), with Debezium's
// PostgreSQL connector from its Connect plugin archive. It runs the outbox connector
// (connectors/outbox/), which `afterStart` registers once the topics and tables it needs exist.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafka, createPgPool } from '../../../core/clients.ts';
import {
  OUTBOX_CONNECTOR,
  outboxConnectorConfig,
  outboxTopicSpecs,
} from '../../../connectors/outbox/connectorConfig.ts';
import { migrateOutbox } from '../../../connectors/outbox/migrate.ts';
import { registerConnector } from '../../../connectors/outbox/registerConnector.ts';
import { provisionTopics, topicSpecs } from '../../../producers/topics.ts';
import { ensureCached } from '../install/cached.ts';
import { copyDependencies, unpackArtifact } from '../install/maven.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';
import { log4jProperties } from './log4j.ts';

// Debezium 3.6.1 is built against Kafka 4.3.0 and its plugin carries connect-api 4.3.0, which
// Connect's plugin isolation loads ahead of the worker's for some classes (StringConverter): the
// worker is the same 4.3.0 (Maven also serves 4.3.1), so no class comes in two versions. A 4.3
// worker talks to the 4.1 broker: clients negotiate protocol versions.
export const CONNECT_VERSION = '4.3.0';
export const DEBEZIUM_VERSION = '3.6.1.Final';
// connect-runtime ships no logging backend.
const LOG4J_VERSION = '2.24.3';

export const connectHome = (ctx: ServiceContext) => join(ctx.paths.cache, `connect-${CONNECT_VERSION}`);
export const debeziumPluginDir = (ctx: ServiceContext) =>
  join(ctx.paths.cache, `debezium-postgres-${DEBEZIUM_VERSION}`);
const confDir = (ctx: ServiceContext) => join(ctx.paths.conf, 'connect');

function workerProperties(ctx: ServiceContext): string {
  const { PARLEY_HOST: host, PARLEY_CONNECT_PORT: port } = ctx.config.stack;
  const clients = ctx.config.clients;
  const replication = clients.topics.replicationFactor;
  return `bootstrap.servers=${clients.kafkaBrokers.join(',')}
group.id=parley-connect
config.storage.topic=parley-connect-configs
offset.storage.topic=parley-connect-offsets
status.storage.topic=parley-connect-status
config.storage.replication.factor=${replication}
offset.storage.replication.factor=${replication}
status.storage.replication.factor=${replication}
offset.storage.partitions=5
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
listeners=http://${host}:${port}
rest.advertised.host.name=${host}
rest.advertised.port=${port}
plugin.path=${debeziumPluginDir(ctx)}
# Plugins found through their ServiceLoader manifests, not a classpath scan: half the start time and memory.
plugin.discovery=service_load
# The slot's confirmed position advances only after Connect commits offsets (default every 60 s).
offset.flush.interval.ms=1000
# Per-connector producer settings (the outbox sets linger, acks and idempotence).
connector.client.config.override.policy=All
# Event topics are the writers' to create, with their partitions and retention: a record for a
# missing topic fails the task loudly rather than land on a 1-partition, 7-day topic Connect made.
topic.creation.enable=false
# Delivery is at-least-once, not KIP-618 exactly-once source: consumers must deduplicate on the
# event id anyway (an application retry re-inserts a row; a slot reset replays), exactly-once adds
# a transaction per poll to a path tuned for latency, and it is untried with this connector here.
exactly.once.source.support=disabled
`;
}

const log4jConfig = log4jProperties('WARN', {
  'org.apache.kafka.connect.runtime.distributed.DistributedHerder': 'INFO',
});

export const connect: ServiceDefinition = {
  name: 'connect',
  dependsOn: ['kafka', 'postgres'],
  startTimeoutMs: 120_000,
  stopGraceMs: 30_000,
  ports: (ctx) => [ctx.config.stack.PARLEY_CONNECT_PORT],
  async install(ctx) {
    await ensureCached(connectHome(ctx), (dir) =>
      copyDependencies(dir, [
        { groupId: 'org.apache.kafka', artifactId: 'connect-runtime', version: CONNECT_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: LOG4J_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: LOG4J_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-api', version: LOG4J_VERSION },
      ]),
    );
    await ensureCached(debeziumPluginDir(ctx), (dir) =>
      unpackArtifact(dir, `io.debezium:debezium-connector-postgres:${DEBEZIUM_VERSION}:tar.gz:plugin`),
    );
  },
  async prepare(ctx) {
    await mkdir(confDir(ctx), { recursive: true });
    const props = join(confDir(ctx), 'worker.properties');
    await writeFile(props, workerProperties(ctx));
    await writeFile(join(confDir(ctx), 'log4j2.properties'), log4jConfig);
    return {
      command: [
        'java',
        '-Xms128m',
        `-Xmx${ctx.config.stack.PARLEY_CONNECT_HEAP}`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(confDir(ctx), 'log4j2.properties')}`,
        '-cp',
        `${join(connectHome(ctx), 'libs')}/*`,
        'org.apache.kafka.connect.cli.ConnectDistributed',
        props,
      ],
    };
  },
  async probe(ctx) {
    // GET /connectors is answered by the herder, so it also says the worker joined its group.
    const response = await fetch(`${ctx.config.clients.connectUrl}/connectors`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`GET /connectors answered ${response.status}`);
    if (!Array.isArray(await response.json())) throw new Error('GET /connectors did not return a list');
  },
  async afterStart(ctx) {
    const clients = ctx.config.clients;
    // The connector writes only to existing topics; parley.chat must have its 6 partitions before
    // the first outbox row, or keys would land elsewhere than our producers put them.
    const admin = createKafka(clients, 'parley-stack-connect').admin();
    await admin.connect();
    try {
      await provisionTopics(admin, [...topicSpecs(clients.topics), ...outboxTopicSpecs(clients.topics)]);
    } finally {
      await admin.disconnect();
    }
    const pool = createPgPool(clients);
    try {
      await migrateOutbox(pool);
    } finally {
      await pool.end();
    }
    const outcome = await registerConnector(
      clients.connectUrl,
      OUTBOX_CONNECTOR,
      outboxConnectorConfig(clients),
      {
        timeoutMs: 90_000,
      },
    );
    if (outcome !== 'unchanged') ctx.log(`connect: outbox connector ${outcome}, running`);
  },
  endpoints: (ctx) => [{ label: 'rest', value: ctx.config.clients.connectUrl }],
};
