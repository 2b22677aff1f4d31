// Kafka 4.x in KRaft mode: one combined broker/controller from Maven Central jars on the JDK.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafka } from '../../../core/clients.ts';
import { run } from '../exec.ts';
import { ensureCached, exists } from '../install/cached.ts';
import { copyDependencies } from '../install/maven.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';
import { log4jProperties } from './log4j.ts';

export const KAFKA_VERSION = '4.1.1';
// The Kafka pom omits the SLF4J binding its release tarball ships (a `releaseOnly` configuration),
// so without log4j-slf4j-impl the broker runs but logs nothing.
const LOG4J_VERSION = '2.24.3';
// A fixed cluster id keeps `format` deterministic; it is a valid base64url-encoded UUID.
const CLUSTER_ID = 'cGFybGV5LWxvY2FsLTAwMQ';

export const kafkaHome = (ctx: ServiceContext) => join(ctx.paths.cache, `kafka-${KAFKA_VERSION}`);
export const kafkaClasspath = (ctx: ServiceContext) => `${join(kafkaHome(ctx), 'libs')}/*`;

function serverProperties(ctx: ServiceContext, logDir: string): string {
  const {
    PARLEY_HOST: host,
    PARLEY_KAFKA_PORT: port,
    PARLEY_KAFKA_CONTROLLER_PORT: cport,
  } = ctx.config.stack;
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${cport}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${cport}
advertised.listeners=PLAINTEXT://${host}:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDir}
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
`;
}

const log4jConfig = log4jProperties('INFO', {
  kafka: 'WARN',
  'org.apache.kafka': 'WARN',
  'kafka.controller': 'INFO',
  'kafka.server.KafkaServer': 'INFO',
});

export function kafkaJvmOptions(ctx: ServiceContext, heap: string): string[] {
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(ctx.paths.conf, 'kafka', 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${join(ctx.paths.logs, 'kafka')}`,
  ];
}

export const kafka: ServiceDefinition = {
  name: 'kafka',
  startTimeoutMs: 120_000,
  stopGraceMs: 30_000,
  ports: (ctx) => [ctx.config.stack.PARLEY_KAFKA_PORT, ctx.config.stack.PARLEY_KAFKA_CONTROLLER_PORT],
  async install(ctx) {
    await ensureCached(kafkaHome(ctx), (dir) =>
      copyDependencies(dir, [
        { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: KAFKA_VERSION },
        { groupId: 'org.apache.kafka', artifactId: 'kafka-tools', version: KAFKA_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j-impl', version: LOG4J_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: LOG4J_VERSION },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-api', version: LOG4J_VERSION },
      ]),
    );
  },
  async prepare(ctx) {
    const confDir = join(ctx.paths.conf, 'kafka');
    const dataDir = join(ctx.paths.data, 'kafka');
    await mkdir(confDir, { recursive: true });
    await mkdir(join(ctx.paths.logs, 'kafka'), { recursive: true });
    const props = join(confDir, 'server.properties');
    await writeFile(props, serverProperties(ctx, dataDir));
    await writeFile(join(confDir, 'log4j2.properties'), log4jConfig);
    const java = ['java', ...kafkaJvmOptions(ctx, '256m'), '-cp', kafkaClasspath(ctx)];
    if (!(await exists(join(dataDir, 'meta.properties')))) {
      ctx.log('kafka: formatting KRaft storage');
      await run([
        ...java,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        CLUSTER_ID,
        '-c',
        props,
        '--ignore-formatted',
      ]);
    }
    return {
      command: [
        'java',
        ...kafkaJvmOptions(ctx, ctx.config.stack.PARLEY_KAFKA_HEAP),
        '-cp',
        kafkaClasspath(ctx),
        'kafka.Kafka',
        props,
      ],
    };
  },
  async probe(ctx) {
    const admin = createKafka(ctx.config.clients, 'parley-stack-probe', 0).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no brokers registered yet');
    } finally {
      await admin.disconnect();
    }
  },
  endpoints: (ctx) => [{ label: 'bootstrap', value: ctx.config.clients.kafkaBrokers.join(',') }],
};
