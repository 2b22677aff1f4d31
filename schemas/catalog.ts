// The event catalog: every contract in schemas/, the topic it travels on and the field that keys it.
// Adding an event = adding its .avsc file under the group's folder; nothing else lists events.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const schemasDir = dirname(fileURLToPath(import.meta.url));

/** Topics by event group. Several record types share a topic so each aggregate's events stay ordered. */
export const topics = {
  identity: 'parley.identity',
  chat: 'parley.chat',
  model: 'parley.model',
  feedback: 'parley.feedback',
  shadow: 'parley.shadow',
} as const;

export type EventGroup = keyof typeof topics;
export type Topic = (typeof topics)[EventGroup];

/** The aggregate id that keys (and so partitions and orders) each group's events. */
export const keyFields: Record<EventGroup, string> = {
  identity: 'user_id',
  chat: 'chat_id',
  model: 'model_version',
  feedback: 'message_id',
  shadow: 'chat_id',
};

export const deadLetterTopic = (topic: string) => `${topic}.dlq`;

export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: unknown;
  /** A format Avro cannot express, checked by the producer: 'uuid-v7'. */
  'parley.format'?: string;
}

export type AvroSchema =
  | string
  | AvroSchema[]
  | { type: 'record'; name: string; namespace?: string; doc?: string; fields: AvroField[] }
  | { type: 'enum'; name: string; symbols: string[]; default?: string; doc?: string }
  | { type: 'array'; items: AvroSchema }
  | { type: 'map'; values: AvroSchema }
  | { type: string; logicalType: string };

export interface RecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  doc: string;
  fields: AvroField[];
}

export interface EventDefinition {
  name: string;
  group: EventGroup;
  topic: Topic;
  keyField: string;
  fullName: string;
  /** Confluent TopicRecordNameStrategy: `<topic>-<fully qualified record name>`. */
  subject: string;
  schema: RecordSchema;
  file: string;
}

function readGroup(group: EventGroup): EventDefinition[] {
  const dir = join(schemasDir, group);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((file) => {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RecordSchema;
      const fullName = `${schema.namespace}.${schema.name}`;
      if (file !== `${schema.name}.avsc`)
        throw new Error(`${group}/${file} must be named after its record, ${schema.name}.avsc`);
      return {
        name: schema.name,
        group,
        topic: topics[group],
        keyField: keyFields[group],
        fullName,
        subject: `${topics[group]}-${fullName}`,
        schema,
        file: join(dir, file),
      };
    });
}

export function loadCatalog(): EventDefinition[] {
  return (Object.keys(topics) as EventGroup[]).flatMap(readGroup);
}

export const catalog: readonly EventDefinition[] = loadCatalog();

const byName = new Map(catalog.map((e) => [e.name, e]));

export function eventDefinition(name: string): EventDefinition {
  const found = byName.get(name);
  if (!found) throw new Error(`unknown event type ${name}`);
  return found;
}
