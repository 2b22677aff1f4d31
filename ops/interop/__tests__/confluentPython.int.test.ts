// A client we did not write reads our topics: Confluent's Python consumer with its Avro
// deserializer, through the registry's Confluent-compatible API.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createKafka } from '../../../core/clients.ts';
import { createEventProducer, type EventProducer } from '../../../producers/eventProducer.ts';
import { ChatWorkload } from '../../../producers/loadgen/chatWorkload.ts';
import { Random } from '../../../producers/loadgen/random.ts';
import { provisionTopics, topicSpecs } from '../../../producers/topics.ts';
import { within } from '../../../test-helpers/bounded.ts';
import { config, uniqueName } from '../../../test-helpers/config.ts';
import { confluentConsumeScript, confluentPythonPath } from '../installConfluentPython.ts';

let producer: EventProducer;
let pythonPath: string;
before(async () => {
  pythonPath = await confluentPythonPath();
  producer = await createEventProducer(config.clients, { transport: 'rdkafka' });
});
after(() => producer.close());

test(
  'confluent-kafka (Python) decodes Parley events with its own Avro deserializer',
  { timeout: 180_000 },
  async () => {
    // A topic of its own, so the reader sees exactly what this test wrote.
    const topic = uniqueName('interop');
    const admin = createKafka(config.clients, 'interop-test').admin();
    await admin.connect();
    await provisionTopics(admin, [{ ...topicSpecs(config.clients.topics)[1]!, topic }]);
    await admin.disconnect();

    const workload = new ChatWorkload(new Random(5));
    const prompt = workload.sample('PromptSubmitted');
    const answer = workload.sample('AnswerGenerated');
    await within('publishing', 60_000, producer.publishMany([prompt, answer], { topic }));

    const { stdout } = await promisify(execFile)(
      'python3',
      [
        confluentConsumeScript,
        config.clients.kafkaBrokers.join(','),
        config.clients.schemaRegistryUrl,
        topic,
        '2',
        '60',
      ],
      { env: { ...process.env, PYTHONPATH: pythonPath }, timeout: 90_000 },
    );
    const rows = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            key: string;
            headers: Record<string, string>;
            value: Record<string, unknown>;
          },
      );
    const byType = new Map(rows.map((r) => [r.headers['parley-event-type'], r]));
    const readPrompt = byType.get('PromptSubmitted')!;
    assert.equal(readPrompt.key, prompt.event.chat_id);
    assert.equal(readPrompt.value.event_id, prompt.event.event_id);
    assert.equal(readPrompt.value.content, prompt.event.content);
    assert.equal(readPrompt.value.role, 'USER');
    const readAnswer = byType.get('AnswerGenerated')!;
    assert.equal(readAnswer.value.parent_message_id, prompt.event.message_id);
    assert.equal(readAnswer.value.tokens_out, answer.event.tokens_out);
    assert.equal(readAnswer.value.finish_reason, answer.event.finish_reason);
  },
);
