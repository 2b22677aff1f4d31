// The demo workload `npm start` runs beside the platform: one demo user chatting through the API at a
// gentle pace (a prompt every PARLEY_DEMO_INTERVAL_MS), so every part has live data to show: answers
// from the model server, history in Cassandra, ratings and regenerations feeding ClickHouse and the
// feedback dataset. It writes what it has done to a status file, which the stack's probe reads.
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { logger as rootLogger } from '../../core/logger.ts';
import { ApiClient } from './apiClient.ts';

const PROMPTS = [
  'In one sentence, what is Apache Kafka?',
  'Name three colours of the rainbow.',
  'Write a haiku about streaming data.',
  'What is 17 times 3?',
  'Give one tip for writing clear error messages.',
  'What does an outbox table do?',
];
const CHATS = 3;
const ANSWER_TIMEOUT_MS = 180_000;

const settings = z.object({
  apiUrl: z.url(),
  email: z.email(),
  password: z.string().min(8),
  intervalMs: z.coerce.number().int().min(100),
  statusFile: z.string().min(1),
});
export type DemoSettings = z.infer<typeof settings>;

export interface DemoStatus {
  updatedAt: string;
  prompts: number;
  answered: number;
  failed: number;
  /** Prompts whose answer did not show in the history within ANSWER_TIMEOUT_MS. */
  unanswered: number;
  ratings: number;
  regenerations: number;
  errors: number;
  lastError?: string;
}

export async function runDemo(input: DemoSettings, stopping: () => boolean): Promise<void> {
  const demo = settings.parse(input);
  const log = rootLogger.child({ component: 'demo' });
  const api = new ApiClient(demo.apiUrl);
  const status: DemoStatus = {
    updatedAt: new Date().toISOString(),
    prompts: 0,
    answered: 0,
    failed: 0,
    unanswered: 0,
    ratings: 0,
    regenerations: 0,
    errors: 0,
  };
  const report = () =>
    writeFile(demo.statusFile, JSON.stringify({ ...status, updatedAt: new Date().toISOString() }));
  await report();
  let chats: string[] = [];
  while (!stopping()) {
    const started = Date.now();
    try {
      if (chats.length === 0) {
        await api.signIn(demo.email, demo.password);
        for (let i = 0; i < CHATS; i++) chats.push((await api.createChat(`demo chat ${i + 1}`)).chat_id);
      }
      const chatId = chats[randomInt(chats.length)]!;
      const accepted = await api.prompt(chatId, PROMPTS[randomInt(PROMPTS.length)]!);
      status.prompts++;
      await report();
      const answer = await waitForAnswer(api, chatId, accepted.answer_message_id, stopping);
      if (answer === 'failed') status.failed++;
      if (answer === 'timed out') status.unanswered++;
      if (answer === 'answered') {
        status.answered++;
        // Ratings (some with a comment) and a regeneration now and then: the feedback dataset's inputs.
        if (randomInt(3) > 0) {
          const positive = randomInt(3) > 0;
          await api.rate(
            accepted.answer_message_id,
            positive ? 'positive' : 'negative',
            positive ? undefined : 'too vague',
          );
          status.ratings++;
        }
        if (randomInt(5) === 0) {
          await api.regenerate(chatId, accepted.answer_message_id);
          status.regenerations++;
        }
      }
    } catch (error) {
      status.errors++;
      status.lastError = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, 'demo step failed: signing in again at the next step');
      chats = [];
    }
    await report();
    const wait = demo.intervalMs - (Date.now() - started);
    if (wait > 0 && !stopping()) await sleep(wait);
  }
}

async function waitForAnswer(
  api: ApiClient,
  chatId: string,
  answerId: string,
  stopping: () => boolean,
): Promise<'answered' | 'failed' | 'timed out'> {
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping()) {
    const page = await api.history(chatId);
    const answer = page.items.find((m) => m.message_id === answerId);
    if (answer?.status === 'failed') return 'failed';
    if (answer && answer.status !== 'submitted' && answer.content.length > 0) return 'answered';
    await sleep(1_000);
  }
  return 'timed out';
}
