// Registering the contracts and checking new versions against what the registry already holds,
// through the Confluent API (Apicurio's /apis/ccompat/v7 locally).
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { EventDefinition } from './catalog.ts';

const contentType = 'application/vnd.schemaregistry.v1+json';

/** Registers one contract under its subject (idempotent: an unchanged schema keeps its id). */
export async function registerEvent(registry: SchemaRegistry, event: EventDefinition): Promise<number> {
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(event.schema) },
    { subject: event.subject },
  );
  return id;
}

export async function registerEvents(
  registry: SchemaRegistry,
  events: readonly EventDefinition[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const event of events) ids.set(event.name, await registerEvent(registry, event));
  return ids;
}

export interface CompatibilityResult {
  event: string;
  subject: string;
  status: 'compatible' | 'new subject' | 'incompatible';
  messages: string[];
}

/** Asks the registry whether each schema may become the next version of its subject. */
export async function checkCompatibility(
  registryUrl: string,
  events: readonly EventDefinition[],
): Promise<CompatibilityResult[]> {
  const results: CompatibilityResult[] = [];
  for (const event of events) {
    const url = `${registryUrl}/compatibility/subjects/${encodeURIComponent(event.subject)}/versions/latest?verbose=true`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType, accept: contentType },
      body: JSON.stringify({ schemaType: 'AVRO', schema: JSON.stringify(event.schema) }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      is_compatible?: boolean;
      messages?: string[];
      error_code?: number;
      message?: string;
    };
    if (response.status === 404) {
      results.push({ event: event.name, subject: event.subject, status: 'new subject', messages: [] });
    } else if (!response.ok) {
      throw new Error(`registry answered ${response.status} for ${event.subject}: ${body.message ?? ''}`);
    } else {
      results.push({
        event: event.name,
        subject: event.subject,
        status: body.is_compatible ? 'compatible' : 'incompatible',
        messages: body.messages ?? [],
      });
    }
  }
  return results;
}
