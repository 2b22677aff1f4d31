// One deterministic set of analytics rows, as the projector would write them, for the engine proof
// and the documentation test. Days are relative to today (3, 2 and 1 days ago) so the documented
// "this week" queries see them; everything else is fixed.
//
// Live answers: v1 (stable, plus one with no known role), v2 (canary); v3 shadows v1. Failures,
// a cache hit, answers without a TTFT, API prompts, two re-rated messages, four users (dave only
// logs in), three servers, prices with a correction and a version unpriced on its first day.
import type { SqlEngine } from '../sqlEngine.ts';

export interface EventRow {
  event_id: string;
  event_type: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
  occurred_at: string;
  occurred_at_ms: number;
  user_id: string;
  chat_id: string;
  message_id: string;
  model_version: string;
  size_bytes: number;
  via_api: number;
}

export interface AnswerRow {
  event_id: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
  occurred_at: string;
  occurred_at_ms: number;
  chat_id: string;
  user_id: string;
  prompt_message_id: string;
  answer_message_id: string;
  inference_run_id: string;
  model_version: string;
  server: string;
  traffic_role: string;
  status: 'ok' | 'failed';
  tokens_in: number;
  tokens_out: number;
  latency_ms: number;
  ttft_ms: number;
  has_ttft: number;
  finish_reason: string;
  cache_hit: number;
  via_api: number;
  error_code: string;
}

export interface InferenceRunRow extends AnswerRow {
  live_model_version: string;
  live_answer_message_id: string;
}

export interface RatingRow {
  event_id: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
  occurred_at: string;
  occurred_at_ms: number;
  chat_id: string;
  user_id: string;
  message_id: string;
  rating: 'positive' | 'negative';
  comment: string;
  reasons: string[];
}

export interface PriceRow {
  model_version: string;
  valid_from: string;
  input_per_1k: number;
  output_per_1k: number;
  entered_at: string;
}

export interface SampleRows {
  events: EventRow[];
  answers: AnswerRow[];
  inference_runs: InferenceRunRow[];
  ratings: RatingRow[];
  model_prices: PriceRow[];
}

/** A live request: its prompt at `at`, its answer (or failure) one second later. */
interface Interaction {
  n: number;
  day: 0 | 1 | 2;
  at: string;
  user: string;
  chat: string;
  version: string;
  role: string;
  server: string;
  ok: boolean;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  ttftMs: number | null;
  finish: string;
  error: string;
  cacheHit: boolean;
  viaApi: boolean;
}

const live = (
  n: number,
  day: Interaction['day'],
  at: string,
  user: string,
  chat: string,
  version: string,
  role: string,
  server: string,
  outcome:
    | { tokens: [number, number]; latencyMs: number; ttftMs: number | null; finish: string }
    | { error: string; latencyMs: number },
  flags: { cacheHit?: boolean; viaApi?: boolean } = {},
): Interaction => ({
  n,
  day,
  at,
  user,
  chat,
  version,
  role,
  server,
  ok: 'finish' in outcome,
  tokensIn: 'tokens' in outcome ? outcome.tokens[0] : 0,
  tokensOut: 'tokens' in outcome ? outcome.tokens[1] : 0,
  latencyMs: outcome.latencyMs,
  ttftMs: 'ttftMs' in outcome ? outcome.ttftMs : null,
  finish: 'finish' in outcome ? outcome.finish : '',
  error: 'error' in outcome ? outcome.error : '',
  cacheHit: flags.cacheHit ?? false,
  viaApi: flags.viaApi ?? false,
});

const ok = (tokens: [number, number], latencyMs: number, ttftMs: number | null, finish = 'stop') => ({
  tokens,
  latencyMs,
  ttftMs,
  finish,
});
const failed = (error: string, latencyMs: number) => ({ error, latencyMs });

// One request per line: n, day, prompt time, user, chat, version, role, server, outcome, flags.
// prettier-ignore
export const INTERACTIONS: Interaction[] = [
  live(1, 0, '10:00:05', 'user-alice', 'chat-1', 'v1', 'stable', 'gpu-a', ok([100, 200], 1000, 200)),
  live(2, 0, '10:00:40', 'user-bob', 'chat-2', 'v1', 'stable', 'gpu-a', ok([50, 100], 600, 100)),
  live(3, 0, '10:00:50', 'user-carol', 'chat-3', 'v2', 'canary', 'gpu-b', ok([80, 300], 2000, 400, 'length')),
  live(4, 0, '10:01:10', 'user-alice', 'chat-1', 'v1', 'stable', 'gpu-b', failed('timeout', 30000)),
  live(5, 0, '11:00:00', 'user-bob', 'chat-2', 'v1', 'stable', 'gpu-a', ok([40, 40], 5, null), { cacheHit: true }),
  live(6, 1, '09:30:00', 'user-alice', 'chat-4', 'v1', 'stable', 'gpu-a', ok([120, 150], 1500, 300), { viaApi: true }),
  live(7, 1, '09:30:20', 'user-carol', 'chat-3', 'v2', 'canary', 'gpu-b', failed('model_unavailable', 800)),
  live(8, 1, '09:30:30', 'user-bob', 'chat-5', 'v2', 'canary', 'gpu-b', ok([60, 240], 2400, 600)),
  live(9, 1, '14:00:00', 'user-alice', 'chat-4', 'v1', 'stable', 'gpu-c', ok([200, 100], 900, 150), { viaApi: true }),
  live(10, 2, '08:00:00', 'user-carol', 'chat-6', 'v1', 'stable', 'gpu-a', ok([70, 70], 700, 100)),
  live(11, 2, '08:00:10', 'user-bob', 'chat-5', 'v2', 'canary', 'gpu-b', ok([90, 90], 1200, 200, 'content_filter')),
  live(12, 2, '08:00:20', 'user-alice', 'chat-4', 'v1', 'stable', 'gpu-c', failed('context_overflow', 100)),
  live(13, 2, '08:00:30', 'user-carol', 'chat-6', 'v1', '', 'gpu-a', ok([10, 20], 400, null)),
];

/** Shadow runs of v3, each on a copy of live request `of`, recorded two seconds after its prompt. */
export const SHADOWS = [
  { of: 1, ...ok([100, 250], 1800, 300) },
  { of: 2, ...failed('timeout', 500) },
  { of: 6, ...ok([120, 180], 1300, 250, 'length') },
  { of: 10, ...ok([70, 60], 650, 90) },
];

/** Ratings in log order: answer 1 and answer 11 are each rated twice (the later rating wins). */
export const RATINGS = [
  { of: 1, day: 0, at: '10:05:00', rating: 'positive', comment: '', reasons: [] },
  { of: 1, day: 0, at: '10:06:00', rating: 'negative', comment: 'wrong date', reasons: ['inaccurate'] },
  { of: 3, day: 0, at: '10:10:00', rating: 'positive', comment: '', reasons: [] },
  { of: 6, day: 1, at: '09:40:00', rating: 'positive', comment: '', reasons: [] },
  { of: 8, day: 1, at: '09:45:00', rating: 'negative', comment: '', reasons: ['inaccurate', 'too-long'] },
  { of: 11, day: 2, at: '08:10:00', rating: 'negative', comment: '', reasons: ['unsafe'] },
  { of: 11, day: 2, at: '08:20:00', rating: 'positive', comment: 'fine after all', reasons: [] },
] as const;

/** Logins: alice on day 0, and dave, who only logs in, on day 1. */
const LOGINS = [
  { user: 'user-alice', day: 0, at: '09:59:00' },
  { user: 'user-dave', day: 1, at: '12:00:00' },
] as const;

const CHAT_PARTITIONS: Record<string, number> = {
  'chat-1': 0,
  'chat-4': 0,
  'chat-2': 1,
  'chat-5': 1,
  'chat-3': 2,
  'chat-6': 2,
};

/** The first day of the sample (3 days ago, UTC midnight) for `now`. */
export function sampleStart(now: Date = new Date()): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(midnight - 3 * 86_400_000);
}

/** `YYYY-MM-DD` of sample day `day`. */
export const sampleDate = (start: Date, day: number): string =>
  new Date(start.getTime() + day * 86_400_000).toISOString().slice(0, 10);

const clock = (start: Date, day: number, at: string, plusSeconds = 0) => {
  const ms = Date.parse(`${sampleDate(start, day)}T${at}Z`) + plusSeconds * 1000;
  return { occurred_at: new Date(ms).toISOString().slice(0, 19).replace('T', ' '), occurred_at_ms: ms };
};

const pad = (n: number) => String(n).padStart(2, '0');

/** The rows for a sample starting at `start` (see sampleStart). */
export function sampleRows(start: Date): SampleRows {
  // Every event, with the facts its tables need, in log order.
  type Pending = Omit<EventRow, 'kafka_partition' | 'kafka_offset' | 'event_id'> & {
    id: string;
    partition: number;
    answer?: AnswerRow;
    run?: InferenceRunRow;
    rating?: RatingRow;
  };
  const pending: Pending[] = [];
  const base = (kafka_topic: string, partition: number, id: string, time: ReturnType<typeof clock>) => ({
    id,
    kafka_topic,
    partition,
    ...time,
  });
  for (const i of INTERACTIONS) {
    const partition = CHAT_PARTITIONS[i.chat]!;
    const prompt = `msg-p${pad(i.n)}`;
    const answerId = `msg-a${pad(i.n)}`;
    pending.push({
      ...base('parley.chat', partition, `evt-prompt-${pad(i.n)}`, clock(start, i.day, i.at)),
      event_type: 'PromptSubmitted',
      user_id: i.user,
      chat_id: i.chat,
      message_id: prompt,
      model_version: i.version,
      size_bytes: 300 + i.n,
      via_api: i.viaApi ? 1 : 0,
    });
    const answer: AnswerRow = {
      event_id: `evt-answer-${pad(i.n)}`,
      kafka_topic: 'parley.chat',
      kafka_partition: partition,
      kafka_offset: 0,
      ...clock(start, i.day, i.at, 1),
      chat_id: i.chat,
      user_id: i.user,
      prompt_message_id: prompt,
      answer_message_id: answerId,
      inference_run_id: `run-${pad(i.n)}`,
      model_version: i.version,
      server: i.server,
      traffic_role: i.role,
      status: i.ok ? 'ok' : 'failed',
      tokens_in: i.tokensIn,
      tokens_out: i.tokensOut,
      latency_ms: i.latencyMs,
      ttft_ms: i.ttftMs ?? 0,
      has_ttft: i.ttftMs === null ? 0 : 1,
      finish_reason: i.finish,
      cache_hit: i.cacheHit ? 1 : 0,
      via_api: i.viaApi ? 1 : 0,
      error_code: i.error,
    };
    pending.push({
      ...base('parley.chat', partition, answer.event_id, clock(start, i.day, i.at, 1)),
      event_type: i.ok ? 'AnswerGenerated' : 'AnswerFailed',
      user_id: i.user,
      chat_id: i.chat,
      message_id: answerId,
      model_version: i.version,
      size_bytes: 500 + i.tokensOut,
      via_api: i.viaApi ? 1 : 0,
      answer,
      run: { ...answer, live_model_version: i.version, live_answer_message_id: answerId },
    });
    const shadow = SHADOWS.find((s) => s.of === i.n);
    if (shadow) {
      const id = `evt-shadow-${pad(i.n)}`;
      const time = clock(start, i.day, i.at, 2);
      pending.push({
        ...base('parley.shadow', partition, id, time),
        event_type: 'ShadowAnswerRecorded',
        user_id: i.user,
        chat_id: i.chat,
        message_id: '',
        model_version: 'v3',
        size_bytes: 400,
        via_api: i.viaApi ? 1 : 0,
        run: {
          ...answer,
          event_id: id,
          kafka_topic: 'parley.shadow',
          ...time,
          answer_message_id: '',
          inference_run_id: `shadow-run-${pad(i.n)}`,
          model_version: 'v3',
          server: 'gpu-c',
          traffic_role: 'shadow',
          status: 'finish' in shadow ? 'ok' : 'failed',
          tokens_in: 'tokens' in shadow ? shadow.tokens[0] : 0,
          tokens_out: 'tokens' in shadow ? shadow.tokens[1] : 0,
          latency_ms: shadow.latencyMs,
          ttft_ms: 'ttftMs' in shadow ? (shadow.ttftMs ?? 0) : 0,
          has_ttft: 'ttftMs' in shadow && shadow.ttftMs !== null ? 1 : 0,
          finish_reason: 'finish' in shadow ? shadow.finish : '',
          cache_hit: 0,
          error_code: 'error' in shadow ? shadow.error : '',
          live_model_version: i.version,
          live_answer_message_id: answerId,
        },
      });
    }
  }
  RATINGS.forEach((r, index) => {
    const i = INTERACTIONS.find((x) => x.n === r.of)!;
    const partition = CHAT_PARTITIONS[i.chat]!;
    const id = `evt-rating-${pad(index + 1)}`;
    const time = clock(start, r.day, r.at);
    pending.push({
      ...base('parley.chat', partition, id, time),
      event_type: 'MessageRated',
      user_id: i.user,
      chat_id: i.chat,
      message_id: `msg-a${pad(i.n)}`,
      model_version: '',
      size_bytes: 120 + r.comment.length,
      via_api: 0,
      rating: {
        event_id: id,
        kafka_topic: 'parley.chat',
        kafka_partition: partition,
        kafka_offset: 0,
        ...time,
        chat_id: i.chat,
        user_id: i.user,
        message_id: `msg-a${pad(i.n)}`,
        rating: r.rating,
        comment: r.comment,
        reasons: [...r.reasons],
      },
    });
  });
  for (const login of LOGINS) {
    pending.push({
      ...base('parley.identity', 0, `evt-login-${login.user}`, clock(start, login.day, login.at)),
      event_type: 'UserLoggedIn',
      user_id: login.user,
      chat_id: '',
      message_id: '',
      model_version: '',
      size_bytes: 90,
      via_api: 0,
    });
  }

  // Offsets in log order per (topic, partition); every table row takes its event's position.
  pending.sort((a, b) => a.occurred_at_ms - b.occurred_at_ms || a.id.localeCompare(b.id));
  const next = new Map<string, number>();
  const rows: SampleRows = { events: [], answers: [], inference_runs: [], ratings: [], model_prices: [] };
  for (const { id, partition, answer, run, rating, ...event } of pending) {
    const key = `${event.kafka_topic}/${partition}`;
    const position = { kafka_partition: partition, kafka_offset: next.get(key) ?? 0 };
    next.set(key, position.kafka_offset + 1);
    rows.events.push({ event_id: id, ...event, ...position });
    if (answer) rows.answers.push({ ...answer, ...position });
    if (run) rows.inference_runs.push({ ...run, ...position });
    if (rating) rows.ratings.push({ ...rating, ...position });
  }

  // Prices: v1 from day 0, cut from day 2 (entered, then corrected); v2 only from day 1; v3 from day 0.
  const at = (day: number, time: string) => clock(start, day, time).occurred_at;
  const price = (
    model_version: string,
    validFrom: number,
    input_per_1k: number,
    output_per_1k: number,
    entered: [number, string],
  ) => ({
    model_version,
    valid_from: at(validFrom, '00:00:00'),
    input_per_1k,
    output_per_1k,
    entered_at: at(...entered),
  });
  // prettier-ignore
  rows.model_prices = [
    price('v1', 0, 0.5, 1.5, [-1, '09:00:00']),
    price('v1', 2, 0.45, 1.3, [1, '10:00:00']),
    price('v1', 2, 0.4, 1.2, [1, '11:00:00']),
    price('v2', 1, 1, 3, [0, '12:00:00']),
    price('v3', 0, 0.2, 0.6, [-1, '09:00:00']),
  ];
  return rows;
}

/** Inserts each table's rows in ONE insert, as the projector does (column list named: see 001). */
export async function insertSampleRows(engine: SqlEngine, rows: SampleRows): Promise<void> {
  for (const [table, tableRows] of Object.entries(rows) as Array<[string, object[]]>) {
    if (tableRows.length === 0) continue;
    const columns = Object.keys(tableRows[0]!).join(', ');
    const data = tableRows.map((row) => JSON.stringify(row)).join('\n');
    await engine.exec(`INSERT INTO ${table} (${columns}) FORMAT JSONEachRow\n${data}`);
  }
}
