// npm run models -- list|seed: the model registry (the parley.model topic). `seed` publishes the
// stack's llama-server as the local default deployment, unless the registry already holds it.
import { loadConfig } from '../../core/config.ts';
import { createKafka } from '../../core/clients.ts';
import { readModelRegistry, seedLocalModel } from '../../connectors/model-server/localModel.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { runCli } from './runCli.ts';

runCli(async ([command]) => {
  if (command !== 'list' && command !== 'seed') {
    console.error('usage: npm run models -- <list|seed>');
    return 2;
  }
  const config = loadConfig();
  const admin = createKafka(config.clients, 'parley-models').admin();
  await admin.connect();
  await provisionTopics(admin, topicSpecs(config.clients.topics));
  await admin.disconnect();
  const producer = await createEventProducer(config.clients, { clientId: 'parley-models' });
  try {
    if (command === 'seed') console.log(`local model deployment: ${await seedLocalModel(config, producer)}`);
    for (const d of (await readModelRegistry(config.clients, producer.serde)).deployments())
      console.log(
        `${d.version.padEnd(32)} ${d.modelName.padEnd(24)} ${d.role.padEnd(7)} share ${d.trafficShare} ` +
          d.servers.map((s) => `${s.url} (${s.slots} slots)`).join(', '),
      );
    return 0;
  } finally {
    await producer.close();
  }
});
