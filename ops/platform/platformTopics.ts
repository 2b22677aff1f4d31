// What the platform's processes need besides the servers: its topics, and the stack's model server
// in the model registry. Idempotent: `npm start` and the drill both run it.
import { seedLocalModel } from '../../connectors/model-server/localModel.ts';
import { createKafka } from '../../core/clients.ts';
import type { Config } from '../../core/config.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';

/** Resolves with what seeding the model registry did ('published' | 'unchanged'). */
export async function preparePlatform(config: Config): Promise<'published' | 'unchanged'> {
  const admin = createKafka(config.clients, 'parley-start').admin();
  await admin.connect();
  try {
    await provisionTopics(admin, topicSpecs(config.clients.topics));
  } finally {
    await admin.disconnect();
  }
  const producer = await createEventProducer(config.clients, { clientId: 'parley-start' });
  try {
    return await seedLocalModel(config, producer);
  } finally {
    await producer.close();
  }
}
