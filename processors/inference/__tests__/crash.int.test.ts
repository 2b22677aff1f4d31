// Exactly once across a crash: kill -9 the inference processor after its answer is committed to
// PostgreSQL (and through the outbox on Kafka) but before its consumer offset is committed. The
// restarted processor reads the prompt again, finds its run, and neither calls the model nor
// answers a second time.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { v7 as uuidv7 } from 'uuid';
import { createKafka } from '../../../core/clients.ts';
import { committedOffsets } from '../../../core/kafkaProgress.ts';
import { createEventProducer } from '../../../producers/eventProducer.ts';
import type { AnswerGenerated } from '../../../schemas/generated/events.ts';
import { exited, within } from '../../../test-helpers/bounded.ts';
import { config, repoRoot, uniqueName } from '../../../test-helpers/config.ts';
import {
  answersOf,
  createInferenceTopics,
  deploy,
  promptEvent,
  readTopic,
} from '../../../test-helpers/inference.ts';
import { startModelServerSimulator } from '../../../test-helpers/modelServerSimulator.ts';
import { createTestKeyspace, waitForCatchUp } from '../../../test-helpers/projector.ts';

const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

async function startProcessor(overrides: object): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'inferenceProcess.fixture.ts'), JSON.stringify(overrides)],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      // Offsets are committed only this rarely, so the kill lands between the answer and the commit.
      env: { ...process.env, PARLEY_PROCESSOR_COMMIT_INTERVAL_MS: '60000', LOG_LEVEL: 'warn' },
    },
  );
  children.push(child);
  const started = (async () => {
    for await (const chunk of child.stdout!) if (String(chunk).includes('started')) return;
    throw new Error('the processor exited before it started');
  })();
  await within('the inference processor to start', 60_000, started);
  return child;
}

test(
  'kill -9 after the outbox commit, before the offset commit: one answer, one model call',
  { timeout: 300_000 },
  async () => {
    const sim = await startModelServerSimulator({ slots: 2, timeToFirstTokenMs: 5, tokensPerSecond: 500 });
    try {
      const topics = await createInferenceTopics();
      const producer = await createEventProducer(config.clients, { clientId: 'test-crash' });
      await deploy(producer, topics.model, { version: 'sim-crash', servers: [{ url: sim.url, slots: 2 }] });
      const groupId = uniqueName('crash-inference');
      const overrides = {
        name: 'test-inference',
        groupId,
        chatTopic: topics.chat,
        identityTopic: topics.identity,
        modelTopic: topics.model,
        shadowTopic: topics.shadow,
        keyspace: await createTestKeyspace(),
      };
      const first = await startProcessor(overrides);
      const prompt = promptEvent({ chatId: uuidv7(), userId: crypto.randomUUID() }, 'answer me once');
      await producer.publish('PromptSubmitted', prompt, { topic: topics.chat });
      const [answer] = await answersOf(topics.chat, prompt.chat_id, 1);
      first.kill('SIGKILL');
      await exited(first, 30_000, 'the killed processor to exit');
      assert.equal((answer!.event as AnswerGenerated).message_id, prompt.answer_message_id);

      const admin = createKafka(config.clients, 'test-crash').admin();
      await admin.connect();
      const committed = await committedOffsets(admin, groupId, topics.chat);
      await admin.disconnect();
      const promptPartition = (await readTopic(topics.chat)).find((r) => r.key === prompt.chat_id)!.partition;
      assert.equal(
        committed.get(promptPartition) ?? 0n,
        0n,
        'the prompt offset was not committed before the kill',
      );

      const second = await startProcessor(overrides);
      await waitForCatchUp(groupId, topics.chat, 90_000);
      second.kill('SIGTERM');
      await exited(second, 30_000, 'the second processor to stop');

      const answers = (await readTopic(topics.chat)).filter(
        (r) => r.key === prompt.chat_id && r.headers['parley-event-type'] === 'AnswerGenerated',
      );
      assert.equal(answers.length, 1, 'still exactly one AnswerGenerated');
      assert.equal(sim.stats().requests, 1, 'and one model call');
      await producer.close();
    } finally {
      await sim.close();
    }
  },
);
