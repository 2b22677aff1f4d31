// A projector in a process of its own, so a test can kill -9 it. Args: topic keyspace groupId.
import { createCassandraClient } from '../../../core/clients.ts';
import { onShutdown } from '../../../core/shutdown.ts';
import { config } from '../../../test-helpers/config.ts';
import { projectorRuntime } from '../../../test-helpers/projector.ts';

const [topic, keyspace, groupId] = process.argv.slice(2);
const client = createCassandraClient(config.clients);
const runtime = projectorRuntime(client, topic!, keyspace!, groupId);
await runtime.start();
onShutdown(async () => {
  await runtime.stop();
  await client.shutdown();
});
console.log('started');
