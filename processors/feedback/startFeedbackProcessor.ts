// Wiring of the feedback processor: its PostgreSQL state and the outbox, then the shared runtime on
// the chat and identity topics.
import { createPgPool, createSchemaRegistry } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { migrateOutbox } from '../../connectors/outbox/migrate.ts';
import { applyPostgresMigrations } from '../../connectors/postgres/migrations.ts';
import { topics } from '../../schemas/catalog.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { ProcessorRuntime } from '../runtime/processorRuntime.ts';
import { feedbackProcessor, FEEDBACK_PROCESSOR } from './feedbackProcessor.ts';

const MIGRATIONS_DIR = new URL('./migrations', import.meta.url).pathname;

export interface FeedbackProcessorOverrides {
  name?: string;
  groupId?: string;
  chatTopic?: string;
  identityTopic?: string;
  feedbackTopic?: string;
  metricsPort?: number;
}

export interface RunningFeedbackProcessor {
  runtime: ProcessorRuntime;
  stop(): Promise<void>;
}

export async function startFeedbackProcessor(
  config: ClientConfig,
  overrides: FeedbackProcessorOverrides = {},
): Promise<RunningFeedbackProcessor> {
  const db = createPgPool(config);
  await migrateOutbox(db);
  await applyPostgresMigrations(db, FEEDBACK_PROCESSOR, MIGRATIONS_DIR);
  const serde = new EventSerde(createSchemaRegistry(config));
  await serde.prepare(); // schema ids cached: no registry call inside a transaction
  const definition = feedbackProcessor(db, serde, {
    name: overrides.name,
    topics: [overrides.chatTopic ?? topics.chat, overrides.identityTopic ?? topics.identity],
    feedbackTopic: overrides.feedbackTopic ?? topics.feedback,
    maxContextTurns: config.feedback.maxContextTurns,
  });
  const processor =
    overrides.metricsPort === undefined
      ? config.processor
      : { ...config.processor, metricsPort: overrides.metricsPort };
  const runtime = new ProcessorRuntime(definition, { ...config, processor }, { groupId: overrides.groupId });
  await runtime.start();
  return {
    runtime,
    async stop() {
      await runtime.stop();
      await db.end();
    },
  };
}
