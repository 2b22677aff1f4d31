// A project-owned ClickHouse server (Debian's 18.16 package) with config and data in our folders.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClickHouse } from '../../../core/clients.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';

function configXml(ctx: ServiceContext, dataDir: string, usersXml: string): string {
  const s = ctx.config.stack;
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <console>1</console>
  </logger>
  <listen_host>${s.PARLEY_HOST}</listen_host>
  <http_port>${s.PARLEY_CLICKHOUSE_HTTP_PORT}</http_port>
  <tcp_port>${s.PARLEY_CLICKHOUSE_TCP_PORT}</tcp_port>
  <interserver_http_port>${s.PARLEY_CLICKHOUSE_INTERSERVER_PORT}</interserver_http_port>
  <interserver_http_host>${s.PARLEY_HOST}</interserver_http_host>
  <path>${dataDir}/</path>
  <tmp_path>${dataDir}/tmp/</tmp_path>
  <user_files_path>${dataDir}/user_files/</user_files_path>
  <format_schema_path>${dataDir}/format_schemas/</format_schema_path>
  <users_config>${usersXml}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_connections>512</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

function usersXml(ctx: ServiceContext): string {
  const { username, password } = ctx.config.clients.clickhouse;
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <${username}>
      <password>${password}</password>
      <networks><ip>::1</ip><ip>127.0.0.0/8</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${username}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

export const clickhouse: ServiceDefinition = {
  name: 'clickhouse',
  apt: [
    { path: '/usr/sbin/clickhouse-server', pkg: 'clickhouse-server' },
    // The client data scientists connect with (docs/analytics.md); its test runs every documented query.
    { path: '/usr/bin/clickhouse-client', pkg: 'clickhouse-client' },
  ],
  startTimeoutMs: 60_000,
  stopGraceMs: 30_000,
  ports: (ctx) => [
    ctx.config.stack.PARLEY_CLICKHOUSE_HTTP_PORT,
    ctx.config.stack.PARLEY_CLICKHOUSE_TCP_PORT,
    ctx.config.stack.PARLEY_CLICKHOUSE_INTERSERVER_PORT,
  ],
  async prepare(ctx) {
    const confDir = join(ctx.paths.conf, 'clickhouse');
    const dataDir = join(ctx.paths.data, 'clickhouse');
    await mkdir(confDir, { recursive: true });
    await mkdir(join(dataDir, 'tmp'), { recursive: true });
    const users = join(confDir, 'users.xml');
    await writeFile(users, usersXml(ctx), { mode: 0o600 });
    const config = join(confDir, 'config.xml');
    await writeFile(config, configXml(ctx, dataDir, users));
    return { command: ['/usr/sbin/clickhouse-server', `--config-file=${config}`], cwd: dataDir };
  },
  async probe(ctx) {
    const client = createClickHouse(ctx.config.clients);
    try {
      const result = await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' });
      const rows = await result.json<{ version: string }>();
      if (!rows[0]?.version) throw new Error('no version in reply');
    } finally {
      await client.close();
    }
  },
  endpoints: (ctx) => [{ label: 'http', value: ctx.config.clients.clickhouse.url }],
};
