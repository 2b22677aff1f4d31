import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import avro from 'avsc';
import { catalog, schemasDir } from './catalog.ts';
import { generateTypes } from './generateTypes.ts';

const requiredEvents = [
  'UserRegistered',
  'UserLoggedIn',
  'UserLoggedOut',
  'UserSettingsChanged',
  'ApiKeyIssued',
  'ChatCreated',
  'ChatRenamed',
  'ChatDeleted',
  'PromptSubmitted',
  'AttachmentUploaded',
  'AnswerGenerated',
  'AnswerFailed',
  'MessageRated',
  'ModelDeployed',
  'ModelRetired',
  'TrainingStarted',
  'TrainingFinished',
  'FeedbackRecord',
];

test('the catalog holds every event of the design brief, each a valid Avro record', () => {
  // The brief's events are the minimum; later contracts (RegenerationRequested, ApiKeyRevoked, ...) add to them.
  const names = new Set(catalog.map((e) => e.name));
  assert.deepEqual(
    requiredEvents.filter((name) => !names.has(name)),
    [],
    'missing from the catalog',
  );
  for (const event of catalog)
    assert.doesNotThrow(() => avro.Type.forSchema(event.schema as avro.Schema), event.name);
});

test('every event starts with the common metadata, identically typed', () => {
  const reference = catalog[0]!.schema.fields.slice(0, 4);
  assert.deepEqual(
    reference.map((f) => f.name),
    ['event_id', 'occurred_at', 'correlation_id', 'causation_id'],
  );
  for (const event of catalog) assert.deepEqual(event.schema.fields.slice(0, 4), reference, event.name);
});

test('every record and field is documented and every event carries its aggregate key', () => {
  for (const event of catalog) {
    assert.ok(event.schema.doc, `${event.name} has a doc`);
    assert.match(event.schema.namespace, /^dev\.parley\.events\.[a-z]+$/);
    for (const field of event.schema.fields) assert.ok(field.doc, `${event.name}.${field.name} has a doc`);
    const key = event.schema.fields.find((f) => f.name === event.keyField);
    assert.ok(key, `${event.name} has its key field ${event.keyField}`);
    assert.ok(!Array.isArray(key.type), `${event.name}.${event.keyField} is not nullable`);
  }
});

test('subjects follow TopicRecordNameStrategy', () => {
  const prompt = catalog.find((e) => e.name === 'PromptSubmitted')!;
  assert.equal(prompt.subject, 'parley.chat-dev.parley.events.chat.PromptSubmitted');
});

test('the generated TypeScript types are in sync with the contracts', () => {
  const onDisk = readFileSync(join(schemasDir, 'generated', 'events.ts'), 'utf8');
  assert.equal(onDisk, generateTypes(catalog), 'run `npm run schemas -- generate`');
});

test('type generation reflects a contract change (the drift check can fail)', () => {
  const changed = catalog.map((e) =>
    e.name === 'ChatRenamed'
      ? {
          ...e,
          schema: { ...e.schema, fields: [...e.schema.fields, { name: 'extra', type: 'string', doc: 'x' }] },
        }
      : e,
  );
  assert.notEqual(generateTypes(changed), generateTypes(catalog));
  assert.match(generateTypes(changed), /extra: string;/);
});
