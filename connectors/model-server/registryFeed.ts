// The model registry kept live: reads the parley.model topic from its start and keeps following it,
// so a deployment, a retirement or a new traffic share reaches every inference process within
// moments. Each process reads the whole topic (a consumer group of its own, no commits): the topic
// is tiny, and every process needs every fact, not a share of the partitions.
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { createKafka } from '../../core/clients.ts';
import type { ClientConfig } from '../../core/config.ts';
import { endOffsets } from '../../core/kafkaProgress.ts';
import { topics } from '../../schemas/catalog.ts';
import type { ModelDeployed, ModelRetired } from '../../schemas/generated/events.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import { ModelRegistry } from './modelRegistry.ts';

export class ModelRegistryFeed {
  readonly registry = new ModelRegistry();
  private readonly listeners: Array<() => void> = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly config: ClientConfig,
    private readonly serde: EventSerde,
    private readonly topic: string = topics.model,
  ) {}

  /** Called after every change the feed applies. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the registry holds everything the topic held when start was called. */
  async start(): Promise<void> {
    const kafka = createKafka(this.config, 'parley-model-registry');
    const admin = kafka.admin();
    await admin.connect();
    const target = await endOffsets(admin, this.topic).finally(() => admin.disconnect());
    const pending = new Map([...target].filter(([, end]) => end > 0n));
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    if (pending.size === 0) caughtUp();

    this.consumer = kafka.consumer({ groupId: `parley.model-registry.${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (message.value) await this.apply(message.value);
        const end = pending.get(partition);
        if (end !== undefined && BigInt(message.offset) + 1n >= end) {
          pending.delete(partition);
          if (pending.size === 0) caughtUp();
        }
      },
    });
    await ready;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async apply(value: Buffer): Promise<void> {
    const { name, event } = await this.serde.decode(value);
    if (name === 'ModelDeployed') this.registry.apply(name, event as ModelDeployed);
    else if (name === 'ModelRetired') this.registry.apply(name, event as ModelRetired);
    else return;
    for (const listener of this.listeners) listener();
  }
}
