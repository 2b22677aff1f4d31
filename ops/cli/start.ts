// npm start: bring the local stack up (installing what is missing), run the smoke workload and a
// few seconds of the event mix through the producer, print
// where everything listens. The stack keeps running afterwards; `npm run stack -- down` stops it.
import { createContext, formatStatus, status, up } from '../stack/manager.ts';
import { services } from '../stack/services/index.ts';
import { runSmokeWorkload } from '../smokeWorkload.ts';
import { seedLocalModel } from '../../connectors/model-server/localModel.ts';
import { createKafka } from '../../core/clients.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { formatLoadReport, runLoad } from '../../producers/loadgen/runLoad.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { provisionTopics, topicSpecs } from '../../producers/topics.ts';
import { runCli } from './runCli.ts';

async function main(): Promise<number> {
  const ctx = createContext();
  await up(ctx, services);
  console.log('\nsmoke workload: one round trip through every service');
  await runSmokeWorkload(ctx.config.clients, (s) =>
    console.log(`  ✓ ${s.service.padEnd(10)} ${s.result} [${s.ms} ms]`),
  );
  const config = ctx.config.clients;
  const admin = createKafka(config, 'parley-start').admin();
  await admin.connect();
  await provisionTopics(admin, topicSpecs(config.topics));
  await admin.disconnect();
  const producer = await createEventProducer(config, { clientId: 'parley-demo' });
  console.log(
    `\nmodel registry: local deployment ${await seedLocalModel(ctx.config, producer)} (npm run models -- list)`,
  );
  console.log(
    `\ndemo workload: the reference traffic mix through the event producer, 5 s at 1× reference peak (${Math.round(referencePeak.eventsPerSecond)} events/s)`,
  );
  const report = await runLoad(producer, {
    ratePerSecond: referencePeak.eventsPerSecond,
    durationSeconds: 5,
    seed: Date.now(),
    maxInFlightBatches: 64,
  });
  await producer.close();
  console.log(formatLoadReport(report));
  console.log(`\n${formatStatus(await status(ctx, services))}`);
  console.log('\nThe stack keeps running. Stop it with: npm run stack -- down');
  return 0;
}

runCli(main);
