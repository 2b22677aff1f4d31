// npm start: the whole platform on this machine. Brings up the servers (installing what is missing),
// checks one round trip through each, provisions the topics, seeds the model registry, then starts
// the platform's own processes (the API, the four processors, the demo workload) under the stack's
// supervisors, and prints where to look. Returns once everything answers; a second run restarts
// nothing. `npm run stack -- status|logs|down` operates it afterwards.
import { createContext, formatStatus, status, up } from '../stack/manager.ts';
import { consoleToken, demoCredentials } from '../stack/services/app.ts';
import { platformServices, services } from '../stack/services/index.ts';
import { runSmokeWorkload } from '../smokeWorkload.ts';
import { preparePlatform } from '../platform/platformTopics.ts';
import { runCli } from './runCli.ts';

async function main(): Promise<number> {
  const ctx = createContext();
  await up(ctx, services);
  console.log('\nsmoke workload: one round trip through every server');
  await runSmokeWorkload(ctx.config.clients, (s) =>
    console.log(`  ✓ ${s.service.padEnd(10)} ${s.result} [${s.ms} ms]`),
  );
  console.log(
    `\nmodel registry: local deployment ${await preparePlatform(ctx.config)} (npm run models -- list)`,
  );

  console.log('\nthe platform: the API, the processors and the demo workload, each supervised');
  await up(ctx, platformServices);
  console.log(`\n${formatStatus(await status(ctx, platformServices))}`);

  const config = ctx.config.clients;
  const { host, port } = config.api;
  const api = `http://${host}:${port}`;
  const ch = config.clickhouse.url;
  console.log(`
Where to look:
  API          ${api}  (OpenAPI: ${api}/openapi.json)
  console      ${api}/console#token=${await consoleToken(ctx)}
  metrics      ${api}/metrics and each processor's endpoint above (Prometheus: ops/monitoring/prometheus.yml)
  ClickHouse   ${ch}  e.g. clickhouse-client --port ${ctx.config.stack.PARLEY_CLICKHOUSE_TCP_PORT} -q 'SELECT * FROM ${config.clickhouseProjection.database}.model_performance'
  demo user    ${(await demoCredentials(ctx)).email} (password in ${ctx.paths.conf}/demo-password): a prompt every ${ctx.config.stack.PARLEY_DEMO_INTERVAL_MS / 1000} s
  logs         npm run stack -- logs [service] -f   (files in ${ctx.paths.logs})

Everything keeps running. npm run stack -- status shows it; npm run stack -- down stops it.`);
  return 0;
}

runCli(main);
