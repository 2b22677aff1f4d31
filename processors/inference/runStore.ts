// PostgreSQL side of the inference processor: an answer's run and its event (AnswerGenerated,
// AnswerFailed or ShadowAnswerRecorded) in ONE transaction through the outbox, so the event reaches
// Kafka (via Debezium) if and only if the run is recorded, and a second recording of the same
// answer changes nothing. Also the users' answering settings folded from the identity topic.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { appendToOutbox, type OutboxRecord } from '../../connectors/outbox/outbox.ts';
import type { ModelRole, UserSettingsChanged } from '../../schemas/generated/events.ts';

export interface InferenceRun {
  answerMessageId: string;
  requestEventId: string;
  chatId: string;
  userId: string;
  promptMessageId: string;
  role: ModelRole;
  modelVersion: string;
  server: string;
  status: 'ANSWERED' | 'FAILED';
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  finishReason: string | null;
  errorCode: string | null;
  attempts: number;
  cacheHit: boolean;
  viaApi: boolean;
}

export interface RecordedRun {
  runId: string;
  status: 'ANSWERED' | 'FAILED';
}

export interface UserAnswerSettings {
  systemPrompt: string | null;
  temperature: number | null;
}

const columns = [
  'run_id',
  'answer_message_id',
  'request_event_id',
  'chat_id',
  'user_id',
  'prompt_message_id',
  'role',
  'model_version',
  'server',
  'status',
  'tokens_in',
  'tokens_out',
  'latency_ms',
  'time_to_first_token_ms',
  'finish_reason',
  'error_code',
  'attempts',
  'cache_hit',
  'via_api',
];

const insertRun = (conflict: string) =>
  `INSERT INTO inference_runs (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT ${conflict} DO NOTHING`;

export class RunStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The live run already recorded for an answer id, if any. */
  async liveRun(answerMessageId: string): Promise<RecordedRun | undefined> {
    const { rows } = await this.pool.query<{ run_id: string; status: RecordedRun['status'] }>(
      `SELECT run_id, status FROM inference_runs WHERE answer_message_id = $1 AND role <> 'SHADOW'`,
      [answerMessageId],
    );
    return rows[0] && { runId: rows[0].run_id, status: rows[0].status };
  }

  /**
   * Records the run and appends its event to the outbox, in one transaction. `event` is built from
   * the run id, which only a new run has. Resolves 'duplicate' (and appends nothing) when the
   * answer — or, for a shadow, this version's copy of it — was recorded before.
   */
  async record(
    run: InferenceRun,
    event: (runId: string) => Promise<OutboxRecord>,
  ): Promise<'recorded' | 'duplicate'> {
    const runId = randomUUID();
    const record = await event(runId); // encoded before the transaction: no registry call while it is open
    const conflict =
      run.role === 'SHADOW'
        ? `(answer_message_id, model_version) WHERE role = 'SHADOW'`
        : `(answer_message_id) WHERE role <> 'SHADOW'`;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(insertRun(conflict), [
        runId,
        run.answerMessageId,
        run.requestEventId,
        run.chatId,
        run.userId,
        run.promptMessageId,
        run.role,
        run.modelVersion,
        run.server,
        run.status,
        run.tokensIn,
        run.tokensOut,
        run.latencyMs,
        run.timeToFirstTokenMs,
        run.finishReason,
        run.errorCode,
        run.attempts,
        run.cacheHit,
        run.viaApi,
      ]);
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        return 'duplicate';
      }
      await appendToOutbox(client, [record]);
      await client.query('COMMIT');
      return 'recorded';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async userSettings(userId: string): Promise<UserAnswerSettings | undefined> {
    const { rows } = await this.pool.query<{ system_prompt: string | null; temperature: number | null }>(
      'SELECT system_prompt, temperature FROM inference_user_settings WHERE user_id = $1',
      [userId],
    );
    return rows[0] && { systemPrompt: rows[0].system_prompt || null, temperature: rows[0].temperature };
  }

  /**
   * A change names only what changed (null: unchanged; an empty system prompt clears it). A user's
   * events arrive in log order (keyed by user); a redelivered older one changes nothing.
   */
  async saveUserSettings(e: UserSettingsChanged): Promise<void> {
    await this.pool.query(
      `INSERT INTO inference_user_settings (user_id, system_prompt, temperature, changed_at, event_id)
       VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), $5)
       ON CONFLICT (user_id) DO UPDATE SET
         system_prompt = COALESCE(EXCLUDED.system_prompt, inference_user_settings.system_prompt),
         temperature = COALESCE(EXCLUDED.temperature, inference_user_settings.temperature),
         changed_at = EXCLUDED.changed_at, event_id = EXCLUDED.event_id
       WHERE inference_user_settings.changed_at <= EXCLUDED.changed_at`,
      [e.user_id, e.system_prompt ?? null, e.temperature ?? null, e.occurred_at, e.event_id],
    );
  }
}
