// npm run processor -- cassandra|inference: run a processor until SIGTERM/SIGINT (then drain and commit), or
// until its Kafka consumer crashes for good (then exit 1, so a supervisor restarts it).
import { loadConfig } from '../../core/config.ts';
import { logger } from '../../core/logger.ts';
import { onShutdown } from '../../core/shutdown.ts';
import type { ProcessorRuntime } from '../../processors/runtime/processorRuntime.ts';
import { startCassandraProjector } from '../../processors/cassandra/startCassandraProjector.ts';
import { startInferenceProcessor } from '../../processors/inference/startInferenceProcessor.ts';
import { runCli } from './runCli.ts';

const processors: Record<string, () => Promise<{ runtime: ProcessorRuntime; stop(): Promise<void> }>> = {
  cassandra: () => startCassandraProjector(loadConfig().clients),
  inference: () => startInferenceProcessor(loadConfig().clients),
};

runCli(async ([name]) => {
  const start = name ? processors[name] : undefined;
  if (!start) {
    console.error(`usage: npm run processor -- <${Object.keys(processors).join('|')}>`);
    return 2;
  }
  const running = await start();
  onShutdown(() => running.stop());
  // Runs until a signal (onShutdown exits the process) or a crash that kafkajs will not recover.
  const error = await running.runtime.crashed;
  logger.fatal({ err: error, processor: name }, 'Kafka consumer crashed for good: exiting');
  await running.stop().catch(() => undefined);
  return 1;
});
