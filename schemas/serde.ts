// Event (de)serialisation in Confluent's wire format (magic byte 0, 4-byte schema id, Avro body),
// with the registry as the source of schema ids. Events are validated against their contract
// first, so a bad event fails here, naming the field, before anything reaches Kafka.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { catalog, type EventDefinition } from './catalog.ts';
import type { EventMap, EventName } from './generated/events.ts';
import { registerEvent } from './registry.ts';
import { isUuidV7, UUID_V7_FORMAT } from './uuidV7.ts';

export class EventValidationError extends Error {
  override name = 'EventValidationError';
  readonly retriable = false;
  constructor(
    readonly eventType: string,
    readonly problems: string[],
  ) {
    super(`invalid ${eventType}: ${problems.join('; ')}`);
  }
}

export class UnknownSchemaError extends Error {
  override name = 'UnknownSchemaError';
  readonly retriable = false;
}

const describe = (value: unknown) =>
  value === undefined ? 'missing' : `got ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`;

export interface DecodedEvent {
  name: EventName;
  schemaId: number;
  event: EventMap[EventName];
}

export class EventSerde {
  private readonly types = new Map<string, avro.Type>();
  /** Per event, the fields its contract marks as UUIDv7 (Avro itself checks only that they are strings). */
  private readonly v7Fields = new Map<string, string[]>();
  private readonly ids = new Map<string, number>();
  private readonly readers = new Map<
    number,
    { name: EventName; type: avro.Type; resolver?: avro.Resolver }
  >();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly events: readonly EventDefinition[] = catalog,
  ) {
    for (const event of events) {
      this.types.set(event.name, avro.Type.forSchema(event.schema as avro.Schema));
      const v7 = event.schema.fields.filter((f) => f['parley.format'] === UUID_V7_FORMAT).map((f) => f.name);
      this.v7Fields.set(event.name, v7);
    }
  }

  /** Registers every contract (idempotent) and caches the ids; call once at start-up. */
  async prepare(): Promise<void> {
    for (const event of this.events) await this.schemaId(event.name);
  }

  private async schemaId(name: string): Promise<number> {
    const event = this.events.find((e) => e.name === name);
    if (!event) throw new EventValidationError(name, [`unknown event type ${name}`]);
    const id = await registerEvent(this.registry, event);
    this.ids.set(name, id);
    return id;
  }

  /** Throws EventValidationError listing every field that breaks the contract. */
  validate(name: string, event: unknown): void {
    const type = this.types.get(name);
    if (!type) throw new EventValidationError(name, [`unknown event type ${name}`]);
    const problems: string[] = [];
    for (const field of this.v7Fields.get(name)!) {
      const value = (event as Record<string, unknown>)[field];
      if (typeof value === 'string' && !isUuidV7(value))
        problems.push(`${field}: expected a UUIDv7, got ${JSON.stringify(value)}`);
    }
    if (problems.length === 0 && type.isValid(event)) return; // the error hook below only explains a failure
    type.isValid(event, {
      errorHook: (path, value, fieldType) => {
        const expected = fieldType.typeName ?? String(fieldType);
        problems.push(`${path.join('.') || '(record)'}: expected ${expected}, ${describe(value)}`);
      },
    });
    if (problems.length > 0) throw new EventValidationError(name, problems);
  }

  async encode<N extends EventName>(name: N, event: EventMap[N]): Promise<Buffer> {
    this.validate(name, event);
    const id = this.ids.get(name) ?? (await this.schemaId(name));
    const body = this.types.get(name)!.toBuffer(event);
    const header = Buffer.alloc(5);
    header.writeUInt8(0, 0);
    header.writeInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  /**
   * Decodes with the writer's schema (fetched from the registry once per id) resolved into this
   * build's contract, so records written by older or newer compatible versions read as today's shape.
   */
  async decode(buffer: Buffer): Promise<DecodedEvent> {
    const known = this.decodeKnown(buffer);
    if (known) return known;
    const schemaId = wireSchemaId(buffer);
    const writer = (await this.registry.getSchema(schemaId)) as avro.Type;
    const definition = this.events.find((e) => e.fullName === writer.name);
    if (!definition)
      throw new UnknownSchemaError(`schema ${schemaId} (${writer.name}) is not a Parley event`);
    const type = this.types.get(definition.name)!;
    this.readers.set(schemaId, {
      name: definition.name as EventName,
      type,
      resolver: type.equals(writer) ? undefined : type.createResolver(writer),
    });
    return this.decodeKnown(buffer)!;
  }

  /**
   * Decodes without waiting when the writer's schema was seen before; undefined when it must be
   * fetched first (then use `decode`). Lets a consumer decode a fetched batch synchronously.
   */
  decodeKnown(buffer: Buffer): DecodedEvent | undefined {
    const schemaId = wireSchemaId(buffer);
    const reader = this.readers.get(schemaId);
    if (!reader) return undefined;
    const event = reader.type.fromBuffer(buffer.subarray(5), reader.resolver) as EventMap[EventName];
    return { name: reader.name, schemaId, event };
  }
}

function wireSchemaId(buffer: Buffer): number {
  if (buffer.length < 5 || buffer.readUInt8(0) !== 0)
    throw new UnknownSchemaError('not Confluent wire format (magic byte 0 + schema id)');
  return buffer.readInt32BE(1);
}
