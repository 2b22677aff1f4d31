import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry } from '../../../core/clients.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';

const registry = createSchemaRegistry(config.clients);

test('an Avro schema registered through the Confluent API is fetched back by id', async () => {
  const name = uniqueName('Probe');
  const schema = {
    type: 'record',
    name,
    namespace: 'dev.parley.test',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'count', type: 'int' },
    ],
  };
  const subject = `stack-test-${name}`;
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject },
  );
  assert.ok(Number.isInteger(id) && id > 0, `registry returned id ${id}`);
  const fetched = (await registry.getSchema(id)) as { name?: string };
  assert.equal(fetched.name, `dev.parley.test.${name}`);
  assert.equal(await registry.getLatestSchemaId(subject), id);
  const encoded = await registry.encode(id, { id: 'a', count: 3 });
  assert.equal(encoded.readUInt8(0), 0, 'Confluent wire format starts with magic byte 0');
  assert.equal(encoded.readInt32BE(1), id, 'followed by the schema id');
  assert.deepEqual({ ...(await registry.decode(encoded)) }, { id: 'a', count: 3 });
});

test('the registry rejects a BACKWARD-incompatible change to a subject', async () => {
  const name = uniqueName('Compat');
  const subject = `stack-test-${name}`;
  const v1 = { type: 'record', name, fields: [{ name: 'id', type: 'string' }] };
  const v2 = {
    type: 'record',
    name,
    fields: [
      { name: 'id', type: 'string' },
      { name: 'required', type: 'int' },
    ],
  };
  await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
  await assert.rejects(registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject }));
});
