// The model registry's local default: the stack's llama-server as a deployment on the
// parley.model topic, published once (again only if its configuration changed), so routing and
// analytics read the same facts locally as on a cluster.
import type { Config } from '../../core/config.ts';
import { readTopicSnapshot } from '../../core/kafkaProgress.ts';
import type { EventProducer } from '../../producers/eventProducer.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { topics } from '../../schemas/catalog.ts';
import type { ModelDeployed, ModelRetired } from '../../schemas/generated/events.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import { deploymentOf, ModelRegistry } from './modelRegistry.ts';

/** The registry as the topic states it now (read from offset 0 to its current end). */
export async function readModelRegistry(
  config: Config['clients'],
  serde: EventSerde,
  topic: string = topics.model,
): Promise<ModelRegistry> {
  const registry = new ModelRegistry();
  await readTopicSnapshot(config, topic, async (value) => {
    const { name, event } = await serde.decode(value);
    if (name === 'ModelDeployed') registry.apply(name, event as ModelDeployed);
    else if (name === 'ModelRetired') registry.apply(name, event as ModelRetired);
  });
  return registry;
}

/** The stack's llama-server, as a STABLE deployment of its model. */
export function localDeployment(
  config: Config,
): Omit<ModelDeployed, 'event_id' | 'occurred_at' | 'correlation_id'> {
  const { url, model } = config.clients.modelServer;
  return {
    model_version: model,
    model_name: model,
    base_model_version: null,
    serving_engine: 'LLAMA_CPP',
    endpoint_url: `${url}/v1`,
    context_length: config.stack.PARLEY_MODEL_CONTEXT,
    training_run_id: null,
    role: 'STABLE',
    traffic_share: 0,
    servers: [{ url, slots: config.stack.PARLEY_MODEL_SLOTS }],
  };
}

const sameServing = (a: ReturnType<typeof deploymentOf>, b: ReturnType<typeof deploymentOf>) =>
  JSON.stringify({ ...a, deployedAt: 0 }) === JSON.stringify({ ...b, deployedAt: 0 });

/** Publishes the local deployment unless the registry already holds exactly it. */
export async function seedLocalModel(
  config: Config,
  producer: EventProducer,
  topic: string = topics.model,
): Promise<'published' | 'unchanged'> {
  const desired = newEvent('ModelDeployed', localDeployment(config));
  const current = (await readModelRegistry(config.clients, producer.serde, topic)).get(desired.model_version);
  if (current && sameServing(current, deploymentOf(desired))) return 'unchanged';
  await producer.publish('ModelDeployed', desired, { topic });
  return 'published';
}
