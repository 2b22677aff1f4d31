// Talks to the real llama-server of the local stack (CPU, Gemma 3 270M); no test double.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModelClient } from '../../../core/clients.ts';
import { streamChatCompletion } from '../../../connectors/model-server/streamChatCompletion.ts';
import { config } from '../../../test-helpers/config.ts';

test('the model server lists its model and streams a non-empty chat completion', async () => {
  const client = createModelClient(config.clients);
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === config.clients.modelServer.model));
  const chunks: string[] = [];
  const result = await streamChatCompletion(client, {
    model: config.clients.modelServer.model,
    messages: [{ role: 'user', content: 'Name one colour.' }],
    maxTokens: 24,
    onToken: (t) => chunks.push(t),
  });
  assert.ok(result.text.trim().length > 0, 'completion text is not empty');
  assert.ok(chunks.length > 1, `streamed in ${chunks.length} chunks`);
  assert.equal(chunks.join(''), result.text);
  assert.ok(result.completionTokens !== undefined && result.completionTokens > 0);
  assert.ok(['stop', 'length'].includes(result.finishReason ?? ''), `finish reason ${result.finishReason}`);
  assert.ok(result.timeToFirstTokenMs !== undefined && result.timeToFirstTokenMs <= result.latencyMs);
});
