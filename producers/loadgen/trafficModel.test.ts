import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnswerGenerated } from '../../schemas/generated/events.ts';
import { ChatWorkload } from './chatWorkload.ts';
import { Random } from './random.ts';
import { actionsPerUserPerDay, referencePeak, referenceSizing } from './trafficModel.ts';

test('one reference peak is the design brief’s: ~391 prompts/s and ~1,030 requests/s', () => {
  assert.equal(Math.round(referencePeak.promptsPerSecond), 391);
  assert.ok(Math.abs(referencePeak.requestsPerSecond - 1_030) < 10, String(referencePeak.requestsPerSecond));
  assert.equal(referenceSizing.peakFactor, 1.5);
  // Events: every prompt answered (or failed) plus regenerations, attachments, chats, logins...
  assert.ok(referencePeak.eventsPerSecond > 2 * referencePeak.promptsPerSecond);
  assert.ok(referencePeak.eventsPerSecond < referencePeak.requestsPerSecond);
});

test('the generated mix follows the model: prompts, answers, regenerations as siblings', () => {
  const workload = new ChatWorkload(new Random(11));
  const counts = new Map<string, number>();
  const answersPerPrompt = new Map<string, number>();
  const n = 40_000;
  for (let i = 0; i < n; i++) {
    const { name, event } = workload.next();
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (name === 'AnswerGenerated') {
      const parent = (event as AnswerGenerated).parent_message_id;
      answersPerPrompt.set(parent, (answersPerPrompt.get(parent) ?? 0) + 1);
    }
  }
  const total = Object.values(actionsPerUserPerDay).reduce((a, b) => a + (b ?? 0), 0);
  const share = (name: string) => (counts.get(name) ?? 0) / n;
  const expected = (perDay: number) => perDay / total;
  const near = (actual: number, want: number, what: string) =>
    assert.ok(Math.abs(actual - want) < 0.02, `${what}: ${actual.toFixed(3)} vs ${want.toFixed(3)}`);
  near(share('PromptSubmitted'), expected(actionsPerUserPerDay.PromptSubmitted!), 'prompts');
  near(
    share('AnswerGenerated'),
    expected(actionsPerUserPerDay.AnswerGenerated! + actionsPerUserPerDay.AnswerRegenerated!),
    'answers, regenerations included',
  );
  const siblings = [...answersPerPrompt.values()].filter((k) => k > 1).length;
  assert.ok(siblings > 0, 'some prompts have regenerated (sibling) answers');
  assert.ok(siblings / answersPerPrompt.size < 0.1, 'regenerations are the exception');
});
