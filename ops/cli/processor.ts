// npm run processor -- cassandra|clickhouse|feedback|inference: run a processor until SIGTERM/SIGINT (then drain and commit), or
// until its Kafka consumer crashes for good (then exit 1, so a supervisor restarts it).
import { loadConfig } from '../../core/config.ts';
import { logger } from '../../core/logger.ts';
import { onShutdown } from '../../core/shutdown.ts';
import { startCassandraProjector } from '../../processors/cassandra/startCassandraProjector.ts';
import { startClickHouseProjector } from '../../processors/clickhouse/startClickHouseProjector.ts';
import { startFeedbackProcessor } from '../../processors/feedback/startFeedbackProcessor.ts';
import { startInferenceProcessor } from '../../processors/inference/startInferenceProcessor.ts';
import { runCli } from './runCli.ts';

interface RunningProcessor {
  /** Settles when the Kafka consumer has crashed for good. */
  crashed: Promise<unknown>;
  stop(): Promise<void>;
}

const processors: Record<string, () => Promise<RunningProcessor>> = {
  cassandra: async () => {
    const running = await startCassandraProjector(loadConfig().clients);
    return { crashed: running.runtime.crashed, stop: () => running.stop() };
  },
  clickhouse: async () => {
    const running = await startClickHouseProjector(loadConfig().clients);
    return { crashed: running.projector.crashed, stop: () => running.stop() };
  },
  feedback: async () => {
    const running = await startFeedbackProcessor(loadConfig().clients);
    return { crashed: running.runtime.crashed, stop: () => running.stop() };
  },
  inference: async () => {
    const running = await startInferenceProcessor(loadConfig().clients);
    return { crashed: running.runtime.crashed, stop: () => running.stop() };
  },
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
  const error = await running.crashed;
  logger.fatal({ err: error, processor: name }, 'Kafka consumer crashed for good: exiting');
  await running.stop().catch(() => undefined);
  return 1;
});
