// Apicurio Registry 3.3 (Maven Central's `-all` distribution) as the Confluent-compatible schema
// registry: clients use its /apis/ccompat/v7 API. Schemas persist in an H2 file in our data folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCached } from '../install/cached.ts';
import { findJava } from '../install/java.ts';
import { unpackArtifact } from '../install/maven.ts';
import type { ServiceContext, ServiceDefinition } from '../service.ts';

const APICURIO_VERSION = '3.3.3';
const home = (ctx: ServiceContext) => join(ctx.paths.cache, `apicurio-${APICURIO_VERSION}`);
const java21 = (ctx: ServiceContext) =>
  findJava(21, {
    preferredHome: ctx.config.stack.PARLEY_JAVA21_HOME,
    cacheDir: ctx.paths.cache,
    log: ctx.log,
  });

export const registry: ServiceDefinition = {
  name: 'registry',
  startTimeoutMs: 120_000,
  stopGraceMs: 20_000,
  ports: (ctx) => [ctx.config.stack.PARLEY_REGISTRY_PORT, ctx.config.stack.PARLEY_REGISTRY_MANAGEMENT_PORT],
  async install(ctx) {
    await ensureCached(home(ctx), (dir) =>
      unpackArtifact(dir, `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`),
    );
    await java21(ctx);
  },
  async prepare(ctx) {
    const s = ctx.config.stack;
    const dataDir = join(ctx.paths.data, 'registry');
    await mkdir(dataDir, { recursive: true });
    const java = await java21(ctx);
    return {
      command: [
        java,
        `-Xms128m`,
        `-Xmx${s.PARLEY_REGISTRY_HEAP}`,
        '-XX:+UseSerialGC',
        '-Djava.util.logging.manager=org.jboss.logmanager.LogManager',
        `-Dquarkus.http.host=${s.PARLEY_HOST}`,
        `-Dquarkus.http.port=${s.PARLEY_REGISTRY_PORT}`,
        // Quarkus' management interface (health, metrics) defaults to 0.0.0.0:9000: ClickHouse's port.
        `-Dquarkus.management.host=${s.PARLEY_HOST}`,
        `-Dquarkus.management.port=${s.PARLEY_REGISTRY_MANAGEMENT_PORT}`,
        '-Dapicurio.storage.kind=sql',
        '-Dapicurio.storage.sql.kind=h2',
        `-Dapicurio.datasource.url=jdbc:h2:file:${join(dataDir, 'registry')}`,
        '-Dapicurio.datasource.jdbc.initial-size=2',
        '-Dapicurio.datasource.jdbc.min-size=2',
        '-Dapicurio.datasource.jdbc.max-size=20',
        // Confluent's default level; also what a ccompat subject without its own rule reports.
        '-Dapicurio.rules.global.compatibility=BACKWARD',
        `-Dapicurio.storage.snapshot.location=${dataDir}`,
        '-jar',
        join(home(ctx), 'quarkus-run.jar'),
      ],
      cwd: dataDir,
    };
  },
  async probe(ctx) {
    const response = await fetch(`${ctx.config.clients.schemaRegistryUrl}/subjects`, {
      headers: { accept: 'application/vnd.schemaregistry.v1+json' },
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`GET /subjects answered ${response.status}`);
    const body: unknown = await response.json();
    if (!Array.isArray(body)) throw new Error('GET /subjects did not return a list');
  },
  endpoints: (ctx) => [{ label: 'ccompat', value: ctx.config.clients.schemaRegistryUrl }],
};
