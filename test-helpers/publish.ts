// Publishing to a test's own topic: the producer encodes as usual, only the topic differs.
import type { EventProducer, PublishItem } from '../producers/eventProducer.ts';

export async function publishTo(producer: EventProducer, topic: string, items: PublishItem[]): Promise<void> {
  const records = [];
  for (const { name, event } of items) records.push({ ...(await producer.toRecord(name, event)), topic });
  await producer.transport.send(records);
}
