import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { isUuidV7 } from '../../schemas/uuidV7.ts';
import { EventSerde } from '../../schemas/serde.ts';
import { ChatWorkload } from './chatWorkload.ts';
import { Random } from './random.ts';

// validate() is pure: the registry client is never called here.
const serde = new EventSerde(new SchemaRegistry({ host: 'http://127.0.0.1:1' }));

test('every generated event meets its contract, UUIDv7 chat and message ids included', () => {
  const workload = new ChatWorkload(new Random(3));
  const chatIds = new Set<string>();
  for (let i = 0; i < 5_000; i++) {
    const { name, event } = workload.next();
    assert.doesNotThrow(() => serde.validate(name, event), `${name} #${i}`);
    const chatId = (event as { chat_id?: string }).chat_id;
    if (chatId) chatIds.add(chatId);
  }
  assert.ok(chatIds.size > 100);
  assert.ok([...chatIds].every(isUuidV7), 'chat ids are UUIDv7');
});
