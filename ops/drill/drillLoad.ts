// The drill's load: users chatting through the API at a fixed rate, every accepted prompt recorded
// (its ids are what the drill later looks for downstream). Open loop, evenly spaced: a fault slows
// nothing down on the client side, it makes requests fail, and each failure is counted by kind.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { referencePeak } from '../../producers/loadgen/trafficModel.ts';
import { ApiCallError, ApiClient } from '../platform/apiClient.ts';

export interface AcceptedPrompt {
  chatId: string;
  messageId: string;
  answerId: string;
  /** When the API accepted it (ms since the epoch), and how long that took. */
  at: number;
  acceptMs: number;
}

export interface LoadTally {
  /** Prompts sent. */
  sent: number;
  /** 202: the API took them; each must reach every projection and get one answer. */
  accepted: AcceptedPrompt[];
  /** Refused with an HTTP status (e.g. 503 while Kafka is down): nothing to look for. */
  refused: Map<number, number>;
  /** No HTTP answer (connection reset, timeout): accepted or not, the drill cannot know. */
  unanswered: number;
  /** History reads, and how many failed. */
  reads: number;
  readFailures: number;
}

interface DrillUser {
  api: ApiClient;
  email: string;
  password: string;
  chats: string[];
}

const PROMPTS_PER_USER_PER_SECOND = 1; // the API allows 2 (120 a minute)
/** The limits' windows are a minute long: a few tries per window. */
const RATE_LIMITED_WAIT_MS = 5_000;

/** History reads per prompt in the reference peak's request mix. */
export const REFERENCE_READS_PER_PROMPT =
  (referencePeak.requestsPerSecond - referencePeak.promptsPerSecond) / referencePeak.promptsPerSecond;

export class DrillLoad {
  private users: DrillUser[] = [];

  constructor(
    private readonly apiUrl: string,
    private readonly model: string,
    private readonly run: string,
  ) {}

  /** Enough users for `promptsPerSecond` under the API's per-user limit, each with two chats. */
  async prepare(promptsPerSecond: number): Promise<void> {
    const wanted = Math.max(2, Math.ceil(promptsPerSecond / PROMPTS_PER_USER_PER_SECOND));
    const fresh = Array.from({ length: wanted - this.users.length }, (_, i) => ({
      api: new ApiClient(this.apiUrl, 10_000),
      email: `drill-${this.run}-${this.users.length + i}@parley.example`,
      password: `drill-${randomUUID()}`,
      chats: [] as string[],
    }));
    for (let i = 0; i < fresh.length; i += 8)
      await Promise.all(fresh.slice(i, i + 8).map((user) => this.signIn(user)));
    this.users.push(...fresh);
  }

  /**
   * Registrations are limited per client IP (api/identity/limits.ts: a tenth of the general limit a
   * minute), and every drill user comes from this one: past the limit, wait for the next window.
   */
  private async signIn(user: DrillUser): Promise<void> {
    for (;;) {
      try {
        await user.api.signIn(user.email, user.password);
        break;
      } catch (error) {
        if (!(error instanceof ApiCallError && error.status === 429)) throw error;
        await sleep(RATE_LIMITED_WAIT_MS);
      }
    }
    while (user.chats.length < 2)
      user.chats.push((await user.api.createChat(`drill ${this.run}`, this.model)).chat_id);
  }

  /** Each drill chat with the client of its user (who alone may read it). */
  chats(): Map<string, ApiClient> {
    return new Map(this.users.flatMap((user) => user.chats.map((chatId) => [chatId, user.api] as const)));
  }

  /** Sends prompts (and history reads, `readsPerPrompt` each) at the rate for `seconds`. */
  async drive(
    promptsPerSecond: number,
    seconds: number,
    readsPerPrompt: number,
    tally: LoadTally,
  ): Promise<void> {
    const total = Math.round(promptsPerSecond * seconds);
    const start = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / promptsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const user = this.users[i % this.users.length]!;
      const chatId = user.chats[i % user.chats.length]!;
      const step = this.prompt(user, chatId, tally).then(() =>
        Math.random() < readsPerPrompt ? this.read(user, chatId, tally) : undefined,
      );
      inFlight.add(step);
      void step.finally(() => inFlight.delete(step));
    }
    await Promise.all(inFlight);
  }

  private async prompt(user: DrillUser, chatId: string, tally: LoadTally): Promise<void> {
    tally.sent++;
    const started = performance.now();
    try {
      const accepted = await user.api.prompt(chatId, `drill prompt ${tally.sent}`);
      tally.accepted.push({
        chatId,
        messageId: accepted.message_id,
        answerId: accepted.answer_message_id,
        at: Date.now(),
        acceptMs: performance.now() - started,
      });
    } catch (error) {
      if (error instanceof ApiCallError) {
        tally.refused.set(error.status, (tally.refused.get(error.status) ?? 0) + 1);
        // A session lost with Redis: sign in again (in the background; this prompt stays refused).
        if (error.status === 401) void this.signIn(user).catch(() => undefined);
      } else tally.unanswered++;
    }
  }

  private async read(user: DrillUser, chatId: string, tally: LoadTally): Promise<void> {
    tally.reads++;
    try {
      await user.api.history(chatId, 20);
    } catch {
      tally.readFailures++;
    }
  }
}

export const newTally = (): LoadTally => ({
  sent: 0,
  accepted: [],
  refused: new Map(),
  unanswered: 0,
  reads: 0,
  readFailures: 0,
});
