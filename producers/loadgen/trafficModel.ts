// The traffic mix: how often each action happens per daily active user per day. These are Parley's
// working assumptions for a ChatGPT-like service (the seed sizing: 9M DAU, ~10 prompts per user per
// day, prompts ~75 B and answers ~225 B on average); change them here, nowhere else.
import type { EventName } from '../../schemas/generated/events.ts';

export const actionsPerUserPerDay: Partial<Record<EventName, number>> = {
  UserRegistered: 0.01,
  UserLoggedIn: 1.5,
  UserLoggedOut: 0.5,
  UserSettingsChanged: 0.05,
  ApiKeyIssued: 0.002,
  ChatCreated: 2,
  ChatRenamed: 0.3,
  ChatDeleted: 0.1,
  PromptSubmitted: 10,
  AttachmentUploaded: 0.3,
  AnswerGenerated: 10.4, // one per prompt, plus ~4% regenerations
  AnswerFailed: 0.05,
  MessageRated: 0.5,
};

export const seedSizing = {
  dailyActiveUsers: 9_000_000,
  /** Peak-hour traffic relative to the daily average. */
  peakFactor: 3,
  promptBytes: { median: 55, sigma: 0.8 }, // mean ≈ 75 B
  answerBytes: { median: 165, sigma: 0.8 }, // mean ≈ 225 B
  maxContentBytes: 32_768,
};

const totalPerUser = Object.values(actionsPerUserPerDay).reduce((a, b) => a + (b ?? 0), 0);

/** Events per second at the seed's peak hour (≈ 8,000/s with the defaults). */
export const seedPeakEventsPerSecond =
  (seedSizing.dailyActiveUsers * totalPerUser * seedSizing.peakFactor) / 86_400;

/** Cumulative weights for picking the next action. */
export const actionWeights: Array<[EventName, number]> = Object.entries(actionsPerUserPerDay).map(
  ([name, perDay]) => [name as EventName, (perDay ?? 0) / totalPerUser],
);
