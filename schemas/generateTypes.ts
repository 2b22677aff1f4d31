// TypeScript types generated from the .avsc contracts: the one mechanism by which event types exist
// in code. `npm run schemas -- generate` writes schemas/generated/events.ts; `-- verify` fails on drift.
import type { AvroField, AvroSchema, EventDefinition } from './catalog.ts';

const primitives: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  bytes: 'Buffer',
};

const comment = (text: string | undefined, indent: string) =>
  text ? `${indent}/** ${text.replaceAll('*/', '* /')} */\n` : '';

/** A record's fields as interface members; fields with an Avro default are optional. */
function renderFields(fields: readonly AvroField[], named: Map<string, string>): string {
  return fields
    .map((field) => {
      const optional = field.default !== undefined ? '?' : '';
      return `${comment(field.doc, '  ')}  ${field.name}${optional}: ${tsType(field.type, named)};`;
    })
    .join('\n');
}

function tsType(schema: AvroSchema, named: Map<string, string>): string {
  if (typeof schema === 'string') {
    const primitive = primitives[schema];
    if (primitive) return primitive;
    const short = schema.split('.').pop()!;
    if (named.has(short)) return short;
    throw new Error(`unsupported Avro type ${schema}`);
  }
  if (Array.isArray(schema)) return schema.map((s) => tsType(s, named)).join(' | ');
  switch (schema.type) {
    case 'enum': {
      const s = schema as { name: string; symbols: string[] };
      const declaration = `export type ${s.name} = ${s.symbols.map((x) => `'${x}'`).join(' | ')};`;
      const earlier = named.get(s.name);
      if (earlier !== undefined && earlier !== declaration) {
        throw new Error(
          `enum ${s.name} is defined twice with different symbols; give one of them another name`,
        );
      }
      named.set(s.name, declaration);
      return s.name;
    }
    case 'array':
      return `Array<${tsType((schema as { items: AvroSchema }).items, named)}>`;
    case 'map':
      return `Record<string, ${tsType((schema as { values: AvroSchema }).values, named)}>`;
    case 'record': {
      const s = schema as { name: string; doc?: string; fields: AvroField[] };
      const declaration = `${comment(s.doc, '')}export interface ${s.name} {\n${renderFields(s.fields, named)}\n}`;
      const earlier = named.get(s.name);
      if (earlier !== undefined && earlier !== declaration)
        throw new Error(
          `record ${s.name} is defined twice with different fields; give one of them another name`,
        );
      named.set(s.name, declaration);
      return s.name;
    }
    default:
      return tsType(schema.type, named);
  }
}

export function generateTypes(events: readonly EventDefinition[]): string {
  const named = new Map<string, string>();
  const interfaces = events.map(
    (event) =>
      `${comment(event.schema.doc, '')}export interface ${event.name} {\n${renderFields(event.schema.fields, named)}\n}`,
  );
  const map = events.map((e) => `  ${e.name}: ${e.name};`).join('\n');
  return `// Generated from schemas/**/*.avsc by \`npm run schemas -- generate\`. Do not edit.
// Fields with an Avro default are optional when producing; decoded events always carry them.

${[...named.values()].sort().join('\n')}

${interfaces.join('\n\n')}

export interface EventMap {
${map}
}

export type EventName = keyof EventMap;
export type ParleyEvent = EventMap[EventName];
`;
}
