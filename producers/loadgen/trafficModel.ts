// The traffic mix, derived in one place from the reference sizing Parley is designed for (the
// design brief's "Load units": a ChatGPT-scale service). The reference table, per daily active
// user per day:
//
//   registrations 0.0027 · logins 0.033 · chat pages opened 2 · history fetches 1 ·
//   user-data fetches 1 · text prompts 2 · media prompts 0.5 · ratings 0.033
//   9M DAU; peak = 1.5 × the daily average → ~391 prompts/s, ~1,030 requests/s in all.
//
// Events the table lacks follow from it through the shares below (Parley's assumptions, stated
// here and nowhere else): every prompt is answered or fails, some answers are regenerated, some
// chat pages open a new chat, and so on. Reads (pages, history, user data) are requests without
// events; they count towards the request rate the API will be loaded with.
import type { EventName } from '../../schemas/generated/events.ts';

export const referenceSizing = {
  dailyActiveUsers: 9_000_000,
  /** Peak-hour traffic relative to the daily average. */
  peakFactor: 1.5,
  /** Requests per daily active user per day: the reference table. */
  perUserPerDay: {
    registrations: 0.0027,
    logins: 0.033,
    chatPagesOpened: 2,
    historyFetches: 1,
    userDataFetches: 1,
    textPrompts: 2,
    mediaPrompts: 0.5,
    ratings: 0.033,
  },
} as const;

/** What the table does not say, as shares of what it does. */
export const derivedShares = {
  /** A chat page opened is a new chat this often (the rest reopen one). */
  newChatPerChatPage: 0.25,
  answerFailuresPerPrompt: 0.005,
  regenerationsPerPrompt: 0.04,
  renamesPerNewChat: 0.1,
  deletionsPerNewChat: 0.05,
  logoutsPerLogin: 0.3,
  settingsChangesPerLogin: 0.1,
  apiKeysPerRegistration: 0.05,
} as const;

/** Message sizes: prompts ~75 B and answers ~225 B on average, with a log-normal long tail. */
export const messageSizes = {
  promptBytes: { median: 55, sigma: 0.8 },
  answerBytes: { median: 165, sigma: 0.8 },
  maxContentBytes: 32_768,
};

/** The generator's actions: every event type, plus a regeneration (a second answer to a prompt). */
export type Action = EventName | 'AnswerRegenerated';

const t = referenceSizing.perUserPerDay;
const d = derivedShares;
const prompts = t.textPrompts + t.mediaPrompts;
const newChats = t.chatPagesOpened * d.newChatPerChatPage;

export const actionsPerUserPerDay: Partial<Record<Action, number>> = {
  UserRegistered: t.registrations,
  UserLoggedIn: t.logins,
  UserLoggedOut: t.logins * d.logoutsPerLogin,
  UserSettingsChanged: t.logins * d.settingsChangesPerLogin,
  ApiKeyIssued: t.registrations * d.apiKeysPerRegistration,
  ChatCreated: newChats,
  ChatRenamed: newChats * d.renamesPerNewChat,
  ChatDeleted: newChats * d.deletionsPerNewChat,
  PromptSubmitted: prompts,
  AttachmentUploaded: t.mediaPrompts,
  AnswerGenerated: prompts * (1 - d.answerFailuresPerPrompt),
  AnswerFailed: prompts * d.answerFailuresPerPrompt,
  AnswerRegenerated: prompts * d.regenerationsPerPrompt,
  MessageRated: t.ratings,
};

const sum = (values: Iterable<number | undefined>) => [...values].reduce<number>((a, b) => a + (b ?? 0), 0);
const atPeak = (perUserPerDay: number) =>
  (perUserPerDay * referenceSizing.dailyActiveUsers * referenceSizing.peakFactor) / 86_400;

const eventsPerUser = sum(Object.values(actionsPerUserPerDay));

/** One reference peak: the unit every load figure is stated in (`--multiple N` = N × this). */
export const referencePeak = {
  /** ≈ 391 */
  promptsPerSecond: atPeak(prompts),
  /** ≈ 1,026: every request of the table, reads included. */
  requestsPerSecond: atPeak(sum(Object.values(t))),
  /** ≈ 977: the events those requests and their answers make. */
  eventsPerSecond: atPeak(eventsPerUser),
};

/** Weights for picking the next action. */
export const actionWeights: Array<[Action, number]> = Object.entries(actionsPerUserPerDay).map(
  ([name, perDay]) => [name as Action, (perDay ?? 0) / eventsPerUser],
);
