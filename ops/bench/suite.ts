// Every benchmark of the project, in the order `npm run bench -- all` runs them, each with the
// smaller arguments of `--quick`: the same code paths on sizes that finish in a minute or two
// each, so the whole suite is a few minutes (figures indicative only).
import { loadConfig } from '../../core/config.ts';
import { benchApi } from './api.ts';
import { benchCassandra } from './cassandra.ts';
import { benchClickHouse } from './clickhouse.ts';
import { benchInference } from './inference.ts';
import { benchModelServer } from './modelServer.ts';
import { benchOutbox } from './outbox.ts';
import { benchProducers } from './producers.ts';
import type { BenchResult } from './result.ts';

export interface Bench {
  name: string;
  run: (argv: string[]) => Promise<BenchResult>;
  quickArgs: string[];
}

// Cheap and self-contained first; the ones that load the whole stack (and leave Cassandra
// compacting behind them) last, so they disturb fewer of the others.
export const benches: readonly Bench[] = [
  {
    name: 'model',
    run: (argv) => benchModelServer(loadConfig().clients, argv),
    quickArgs: ['--runs', '4', '--max-tokens', '64'],
  },
  {
    name: 'producers',
    run: (argv) => benchProducers(loadConfig().clients, argv),
    // Not fewer: Kafka's tool (the baseline) would be timing its JVM's start.
    quickArgs: ['--records', '100000'],
  },
  {
    name: 'outbox',
    run: (argv) => benchOutbox(loadConfig().clients, argv),
    quickArgs: ['--rows', '500', '--warmup', '200'],
  },
  {
    name: 'clickhouse',
    run: (argv) => benchClickHouse(loadConfig().clients, argv),
    // 10× stays: the freshness target is stated there.
    quickArgs: ['--events', '20000', '--seconds', '5', '--multiples', '1,10'],
  },
  {
    name: 'cassandra',
    run: (argv) => benchCassandra(loadConfig().clients, argv),
    quickArgs: ['--events', '10000', '--rounds', '1', '--seconds', '5', '--multiples', '1'],
  },
  {
    name: 'api',
    run: (argv) => benchApi(loadConfig().clients, argv),
    quickArgs: [
      '--users',
      '40',
      '--prompts',
      '2',
      '--seconds',
      '5',
      '--warmup',
      '1',
      '--multiples',
      '1',
      '--sweep',
      '2',
    ],
  },
  {
    name: 'inference',
    run: (argv) => benchInference(loadConfig(), argv),
    quickArgs: [
      '--multiples',
      '1',
      '--seconds',
      '5',
      '--warmup',
      '2',
      '--drain-seconds',
      '10',
      '--llama-prompts',
      '2',
    ],
  },
];

export const findBench = (name: string): Bench | undefined => benches.find((b) => b.name === name);
