// The contracts against the real registry: registration, the compatibility gate, and schema
// evolution in both directions (a v2 with an optional field, read by v1 code and vice versa).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createSchemaRegistry } from '../../core/clients.ts';
import { newEvent } from '../../producers/newEvent.ts';
import { catalog, type EventDefinition } from '../catalog.ts';
import { checkCompatibility, registerEvents } from '../registry.ts';
import { EventSerde } from '../serde.ts';
import { config, repoRoot, uniqueName } from '../../test-helpers/config.ts';

const registry = createSchemaRegistry(config.clients);
const registryUrl = config.clients.schemaRegistryUrl;
const schemasCli = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'ops/cli/schemas.ts', ...args], {
    cwd: repoRoot,
  });

const definition = (name: string) => catalog.find((e) => e.name === name)!;

/** The same contract under a subject of its own, so tests never touch the platform's subjects. */
function underTestSubject(
  event: EventDefinition,
  subject: string,
  extraFields: EventDefinition['schema']['fields'] = [],
) {
  return { ...event, subject, schema: { ...event.schema, fields: [...event.schema.fields, ...extraFields] } };
}

test('`schemas register` then `schemas check` pass for the current contracts', async () => {
  const registered = await schemasCli('register');
  assert.equal(registered.stdout.trim().split('\n').length, catalog.length);
  const checked = await schemasCli('check');
  assert.doesNotMatch(checked.stdout, /incompatible/);
});

test('the compatibility check fails on a BACKWARD-incompatible change', async () => {
  await registerEvents(registry, catalog);
  const broken = underTestSubject(definition('ChatRenamed'), definition('ChatRenamed').subject, [
    { name: 'reason', type: 'string', doc: 'a new required field without a default' },
  ]);
  const [result] = await checkCompatibility(registryUrl, [broken]);
  assert.equal(result?.status, 'incompatible');
  const fine = underTestSubject(definition('ChatRenamed'), definition('ChatRenamed').subject, [
    { name: 'reason', type: ['null', 'string'], default: null, doc: 'optional, so old data still reads' },
  ]);
  assert.equal((await checkCompatibility(registryUrl, [fine]))[0]?.status, 'compatible');
});

test('v1 and v2 of PromptSubmitted read each other’s records', async () => {
  const subject = `${uniqueName('evolution')}-dev.parley.events.chat.PromptSubmitted`;
  const v1 = underTestSubject(definition('PromptSubmitted'), subject);
  const v2 = underTestSubject(definition('PromptSubmitted'), subject, [
    {
      name: 'client_version',
      type: ['null', 'string'],
      default: null,
      doc: 'App version that sent the prompt (v2).',
    },
  ]);
  const serdeV1 = new EventSerde(registry, [v1]);
  const serdeV2 = new EventSerde(registry, [v2]);
  await serdeV1.prepare();
  assert.equal((await checkCompatibility(registryUrl, [v2]))[0]?.status, 'compatible');
  await serdeV2.prepare();

  const base = newEvent('PromptSubmitted', {
    chat_id: '019ab3c4-0000-7e8a-9f10-2a3b4c5d6e7f',
    user_id: '1c8b7a4f-5d2e-4f9b-8a21-3b4c5d6e7f80',
    message_id: '019ab3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b',
    parent_message_id: null,
    role: 'USER',
    content: 'hello from the future',
    model_version: 'gemma-3-270m',
    attachment_ids: [],
    via_api: false,
    temperature: null,
    max_tokens: null,
    answer_message_id: null,
    context: null,
  });

  // v2 writer, v1 reader: the new field is skipped.
  const fromV2 = await serdeV2.encode('PromptSubmitted', {
    ...base,
    client_version: 'ios-3.2',
  } as typeof base);
  const readByV1 = await serdeV1.decode(fromV2);
  assert.deepEqual({ ...readByV1.event }, base);
  assert.equal('client_version' in readByV1.event, false);

  // v1 writer, v2 reader: the new field takes its default.
  const fromV1 = await serdeV1.encode('PromptSubmitted', base);
  const readByV2 = await serdeV2.decode(fromV1);
  assert.deepEqual({ ...readByV2.event }, { ...base, client_version: null });
  assert.notEqual(fromV1.readInt32BE(1), fromV2.readInt32BE(1), 'v1 and v2 have different schema ids');
});
