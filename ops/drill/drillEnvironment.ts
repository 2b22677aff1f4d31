// What a drill or a soak runs in: the whole platform up (without the demo workload, whose prompts
// are not the drill's to count), the model-server stand-in (a labelled TEST DOUBLE) deployed in the
// model registry, the inference processor level with the chat topic, and the drill's users.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { localDeployment } from '../../connectors/model-server/localModel.ts';
import { createClickHouse, createKafka } from '../../core/clients.ts';
import { waitUntilCaughtUp } from '../../core/kafkaProgress.ts';
import { INFERENCE_PROCESSOR } from '../../processors/inference/inferenceProcessor.ts';
import { createEventProducer } from '../../producers/eventProducer.ts';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { topics } from '../../schemas/catalog.ts';
import { preparePlatform } from '../platform/platformTopics.ts';
import { down, up, type createContext } from '../stack/manager.ts';
import { platformServices, services } from '../stack/services/index.ts';
import { DrillLoad } from './drillLoad.ts';
import { StandIn } from './standInProcess.ts';

export type StackContext = ReturnType<typeof createContext>;

const DRILL_MODEL = 'drill-stand-in';
/** For the inference processor to work through a backlog first (expired prompts fail fast). */
const LEVEL_BOUND_MS = 1_200_000;

export interface DrillEnvironment {
  promptsPerSecond: number;
  load: DrillLoad;
  standIn: StandIn;
  clickhouse: ClickHouseClient;
  admin: Admin;
  close(): Promise<void>;
}

export async function openDrillEnvironment(
  ctx: StackContext,
  options: { multiple: number; standInPort: number },
  log: (line: string) => void,
): Promise<DrillEnvironment> {
  const config = ctx.config.clients;
  const promptsPerSecond = options.multiple * referencePeak.promptsPerSecond;
  await up(ctx, services);
  await preparePlatform(ctx.config);
  await up(
    ctx,
    platformServices.filter((s) => s.name !== 'demo'),
  );
  await down(
    ctx,
    platformServices.filter((s) => s.name === 'demo'),
  );
  // Enough slots for the rate at the stand-in's ~0.1 s per answer, twice over.
  const standIn = new StandIn({
    port: options.standInPort,
    model: DRILL_MODEL,
    slots: Math.max(4, Math.ceil(promptsPerSecond * 0.2)),
    timeToFirstTokenMs: 20,
    tokensPerSecond: 200,
    answerTokens: 16,
  });
  await standIn.start();
  const producer = await createEventProducer(config, { clientId: 'parley-drill' });
  const clickhouse = createClickHouse(config);
  const admin = createKafka(config, 'parley-drill').admin();
  await admin.connect();
  const version = `${DRILL_MODEL}-1`;
  const close = async () => {
    await producer
      .publish(
        'ModelRetired',
        newEvent('ModelRetired', { model_version: version, replaced_by: null, reason: 'drill finished' }),
      )
      .catch(() => undefined);
    await producer.close();
    await clickhouse.close();
    await admin.disconnect();
    await standIn.stop();
  };
  try {
    await producer.publish(
      'ModelDeployed',
      newEvent('ModelDeployed', {
        ...localDeployment(ctx.config),
        model_version: version,
        model_name: DRILL_MODEL,
        serving_engine: 'OTHER',
        endpoint_url: `${standIn.url}/v1`,
        servers: [{ url: standIn.url, slots: standIn.slots }],
      }),
    );
    // Prompts left from before (tests, an earlier run) would queue ahead of the drill's: start level.
    log('waiting for the inference processor to be level with the chat topic');
    await waitUntilCaughtUp(admin, `parley.${INFERENCE_PROCESSOR}`, topics.chat, {
      timeoutMs: LEVEL_BOUND_MS,
    });
    const { host, port } = config.api;
    const load = new DrillLoad(`http://${host}:${port}`, DRILL_MODEL, Date.now().toString(36));
    log(
      `load: ${options.multiple}× reference peak = ${promptsPerSecond.toFixed(1)} prompts/s through the API`,
    );
    await load.prepare(promptsPerSecond);
    return { promptsPerSecond, load, standIn, clickhouse, admin, close };
  } catch (error) {
    await close();
    throw error;
  }
}
