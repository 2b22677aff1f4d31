// A ClickHouse projector in a process of its own, so a test can kill -9 it.
// Args: database groupId flushRows topic...
import { onShutdown } from '../../../core/shutdown.ts';
import { openTestDatabase, startTestProjector } from '../../../test-helpers/clickhouse.ts';

const [database, groupId, flushRows, ...topics] = process.argv.slice(2);
const projector = await startTestProjector(topics, openTestDatabase(database!), {
  groupId,
  flushRows: Number(flushRows),
});
onShutdown(() => projector.stop());
console.log('started');
