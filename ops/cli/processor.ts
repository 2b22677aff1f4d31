// npm run processor -- cassandra: run a processor until SIGTERM/SIGINT (then drain and commit).
import { loadConfig } from '../../core/config.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { startCassandraProjector } from '../../processors/cassandra/startCassandraProjector.ts';
import { runCli } from './runCli.ts';

const processors: Record<string, () => Promise<{ stop(): Promise<void> }>> = {
  cassandra: () => startCassandraProjector(loadConfig().clients),
};

runCli(async ([name]) => {
  const start = name ? processors[name] : undefined;
  if (!start) {
    console.error(`usage: npm run processor -- <${Object.keys(processors).join('|')}>`);
    return 2;
  }
  const running = await start();
  onShutdown(() => running.stop());
  await new Promise(() => undefined); // runs until a signal; onShutdown exits the process
  return 0;
});
