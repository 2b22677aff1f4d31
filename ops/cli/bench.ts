// npm run bench -- <name>: benchmarks print figures; they are never timed tests.
import { loadConfig } from '../../core/config.ts';
import { benchModelServer } from '../bench/modelServer.ts';
import { benchProducers } from '../bench/producers.ts';
import { benchCassandra } from '../bench/cassandra.ts';
import { benchOutbox } from '../bench/outbox.ts';
import { benchInference } from '../bench/inference.ts';
import { benchApi } from '../bench/api.ts';
import { benchClickHouse } from '../bench/clickhouse.ts';
import { runCli } from './runCli.ts';

const benches: Record<string, (args: string[]) => Promise<void>> = {
  model: () => benchModelServer(loadConfig().clients),
  producers: (args) => benchProducers(loadConfig().clients, args),
  cassandra: (args) => benchCassandra(loadConfig().clients, args),
  outbox: (args) => benchOutbox(loadConfig().clients, args),
  inference: (args) => benchInference(loadConfig(), args),
  api: (args) => benchApi(loadConfig().clients, args),
  clickhouse: (args) => benchClickHouse(loadConfig().clients, args),
};

async function main([name, ...args]: string[]): Promise<number> {
  const bench = name ? benches[name] : undefined;
  if (!bench) {
    console.error(
      `usage: npm run bench -- <${Object.keys(benches).join('|')}>  (the stack must be up: npm run stack -- up)`,
    );
    return 2;
  }
  await bench(args);
  return 0;
}

runCli(main);
