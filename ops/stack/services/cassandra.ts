// Cassandra 5.0 single node from the cassandra-all jar and its Maven dependencies, on JDK 17.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCassandraClient } from '../../../core/clients.ts';
import { ensureCached } from '../install/cached.ts';
import { copyDependencies } from '../install/maven.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';

const CASSANDRA_VERSION = '5.0.8';

const home = (ctx: ServiceContext) => join(ctx.paths.cache, `cassandra-${CASSANDRA_VERSION}`);

function cassandraYaml(ctx: ServiceContext, dataDir: string): string {
  const s = ctx.config.stack;
  return `cluster_name: parley
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${s.PARLEY_HOST}:${s.PARLEY_CASSANDRA_STORAGE_PORT}"
listen_address: ${s.PARLEY_HOST}
rpc_address: ${s.PARLEY_HOST}
storage_port: ${s.PARLEY_CASSANDRA_STORAGE_PORT}
native_transport_port: ${s.PARLEY_CASSANDRA_PORT}
start_native_transport: true
data_file_directories:
  - ${join(dataDir, 'data')}
commitlog_directory: ${join(dataDir, 'commitlog')}
hints_directory: ${join(dataDir, 'hints')}
saved_caches_directory: ${join(dataDir, 'saved_caches')}
cdc_raw_directory: ${join(dataDir, 'cdc_raw')}
# One node, no replica: a write is acknowledged only once its commit log is on disk (periodic sync
# acknowledged first and fsynced every 10 s, so a kill -9 lost acknowledged writes in the 1× drill).
commitlog_sync: batch
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
storage_compatibility_mode: NONE
auto_snapshot: false
concurrent_reads: 8
concurrent_writes: 16
concurrent_counter_writes: 8
# Projectors write unlogged batches capped below the fail threshold (processors/cassandra/
# statementBatches.ts); the default warn thresholds (5 KiB, 10 partitions) would log every batch.
batch_size_warn_threshold: 48KiB
unlogged_batch_across_partitions_warn_threshold: 1000
# Small-machine defaults: one node on 2 cores next to Kafka and ClickHouse.
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
`;
}

const logbackXml = `<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT" /></root>
  <logger name="org.apache.cassandra" level="INFO" />
  <logger name="com.thinkaurelius.thrift" level="ERROR" />
</configuration>
`;

// From Cassandra 5.0's conf/jvm17-server.options: JDK 17 needs these opened for Cassandra's internals.
const jdk17Flags = [
  '-Djdk.attach.allowAttachSelf=true',
  '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports=java.management/com.sun.jmx.remote.security=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports=java.sql/java.sql=ALL-UNNAMED',
  '--add-exports=java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

export const cassandra: ServiceDefinition = {
  name: 'cassandra',
  startTimeoutMs: 240_000,
  stopGraceMs: 30_000,
  ports: (ctx) => [
    ctx.config.stack.PARLEY_CASSANDRA_PORT,
    ctx.config.stack.PARLEY_CASSANDRA_STORAGE_PORT,
    ctx.config.stack.PARLEY_CASSANDRA_JMX_PORT,
  ],
  async install(ctx) {
    await ensureCached(home(ctx), (dir) =>
      copyDependencies(dir, [
        { groupId: 'org.apache.cassandra', artifactId: 'cassandra-all', version: CASSANDRA_VERSION },
      ]),
    );
  },
  async prepare(ctx) {
    const s = ctx.config.stack;
    const confDir = join(ctx.paths.conf, 'cassandra');
    const dataDir = join(ctx.paths.data, 'cassandra');
    const tmpDir = join(dataDir, 'tmp');
    await mkdir(confDir, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    await writeFile(join(confDir, 'cassandra.yaml'), cassandraYaml(ctx, dataDir));
    await writeFile(join(confDir, 'logback.xml'), logbackXml);
    const libs = join(home(ctx), 'libs');
    const jamm = (await readdir(libs)).find((f) => /^jamm-.*\.jar$/.test(f));
    return {
      command: [
        'java',
        `-Xms${s.PARLEY_CASSANDRA_HEAP}`,
        `-Xmx${s.PARLEY_CASSANDRA_HEAP}`,
        '-Xss256k',
        '-XX:+UseG1GC',
        '-XX:+ParallelRefProcEnabled',
        '-XX:MaxGCPauseMillis=300',
        '-XX:+HeapDumpOnOutOfMemoryError',
        `-XX:HeapDumpPath=${dataDir}`,
        '-Djava.net.preferIPv4Stack=true',
        ...jdk17Flags,
        ...(jamm ? [`-javaagent:${join(libs, jamm)}`] : []),
        `-Dcassandra.config=file://${join(confDir, 'cassandra.yaml')}`,
        `-Dcassandra.storagedir=${dataDir}`,
        `-Dcassandra.logdir=${join(ctx.paths.logs)}`,
        `-Dlogback.configurationFile=${join(confDir, 'logback.xml')}`,
        '-Dcassandra-foreground=yes',
        `-Dcassandra.jmx.local.port=${s.PARLEY_CASSANDRA_JMX_PORT}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        `-Djna.tmpdir=${tmpDir}`,
        `-Djava.io.tmpdir=${tmpDir}`,
        '-cp',
        `${confDir}:${libs}/*`,
        'org.apache.cassandra.service.CassandraDaemon',
      ],
    };
  },
  async probe(ctx) {
    const client = createCassandraClient(ctx.config.clients);
    try {
      await client.connect();
      await client.execute('SELECT release_version FROM system.local');
    } finally {
      await client.shutdown();
    }
  },
  endpoints: (ctx) => [{ label: 'cql', value: ctx.config.clients.cassandra.contactPoints.join(',') }],
};
