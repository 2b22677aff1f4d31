// The parley.model topic as the model registry: the local default is published once, again only
// when its configuration changes, and the registry read back from the topic routes to it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createKafka } from '../../../core/clients.ts';
import type { Config } from '../../../core/config.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import { provisionTopics, topicSpecs } from '../../../producers/topics.ts';
import { topics } from '../../../schemas/catalog.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { readModelRegistry, seedLocalModel } from '../localModel.ts';

let producer: EventProducer;
let topic: string;
before(async () => {
  producer = await createEventProducer(config.clients);
  topic = uniqueName('model_test');
  const admin = createKafka(config.clients, 'test-topics').admin();
  await admin.connect();
  const spec = topicSpecs(config.clients.topics).find((s) => s.topic === topics.model)!;
  await provisionTopics(admin, [{ ...spec, topic, partitions: 1 }]);
  await admin.disconnect();
});
after(() => producer.close());

test('the local deployment is published once, again when it changes, and routes requests', async () => {
  const seed = (c: Config) => within('seeding', 60_000, seedLocalModel(c, producer, topic));
  assert.equal(await seed(config), 'published');
  assert.equal(await seed(config), 'unchanged', 'a second seed publishes nothing');
  const moreSlots = { ...config, stack: { ...config.stack, PARLEY_MODEL_SLOTS: 4 } };
  assert.equal(await seed(moreSlots), 'published', 'a changed configuration is published');

  const registry = await within(
    'reading the registry',
    60_000,
    readModelRegistry(config.clients, producer.serde, topic),
  );
  const model = config.clients.modelServer.model;
  assert.deepEqual(registry.get(model)!.servers, [{ url: config.clients.modelServer.url, slots: 4 }]);
  const route = registry.route(model, randomUUID(), randomUUID())!;
  assert.equal(route.serving.version, model);
  assert.deepEqual(route.shadows, []);
});
