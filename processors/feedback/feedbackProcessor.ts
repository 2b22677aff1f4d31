// The feedback processor: every rated answer becomes a FeedbackRecord on the compacted feedback
// topic, keyed by the answer's id, ready for fine-tuning. It reads the chat topic (prompts, answers,
// ratings, deletions) and the identity topic (training consent), keeps what a record needs in
// PostgreSQL (feedbackState.ts), and writes each record through the outbox in the transaction that
// changes that state: after a crash the state and the topic agree, and a restart resumes from the
// committed offsets.
//
// - A later rating replaces the record (same key; compaction keeps the latest).
// - A rating that reaches the log before its answer (the answer's tokens reach the user through
//   Redis before the outbox delivers AnswerGenerated) is held in the state and published when the
//   answer arrives; nothing waits, so the partition keeps moving.
// - Rating or regenerating one answer republishes its rated siblings: their records list it.
// - A deleted chat, or an opt-out of training, tombstones the records and forgets the material.
import type pg from 'pg';
import {
  appendToOutbox,
  tombstoneRecord,
  toOutboxRecords,
  type OutboxRecord,
} from '../../connectors/outbox/outbox.ts';
import { inTransaction } from '../../connectors/postgres/transaction.ts';
import { encodeEventRecord, TRACEPARENT_HEADER } from '../../producers/eventProducer.ts';
import { newEvent, type Cause } from '../../producers/newEvent.ts';
import type {
  AnswerGenerated,
  ChatCreated,
  ChatDeleted,
  MessageRated,
  PromptSubmitted,
  UserSettingsChanged,
} from '../../schemas/generated/events.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import {
  headerText,
  type ProcessorDefinition,
  type ProcessorRecord,
} from '../runtime/processorDefinition.ts';
import { feedbackRecordBody } from './feedbackRecord.ts';
import { FeedbackState } from './feedbackState.ts';

export const FEEDBACK_PROCESSOR = 'feedback';
export const DEFAULT_FEEDBACK_METRICS_PORT = 9467;

export interface FeedbackProcessorOptions {
  name?: string;
  /** The chat and identity topics to read (tests use their own). */
  topics: string[];
  /** Where the records go (compacted). */
  feedbackTopic: string;
  /** Earlier turns kept in a record's context. */
  maxContextTurns: number;
}

/** One record's effect: its state changes and the records they publish or remove, in one transaction. */
class FeedbackChange {
  readonly out: OutboxRecord[] = [];
  private readonly state: FeedbackState;
  private readonly cause: Cause;
  private readonly traceparent: string | undefined;

  constructor(
    tx: pg.ClientBase,
    private readonly serde: EventSerde,
    private readonly options: FeedbackProcessorOptions,
    record: ProcessorRecord,
  ) {
    this.state = new FeedbackState(tx, options.maxContextTurns);
    this.cause = record.event;
    this.traceparent = headerText(record.headers[TRACEPARENT_HEADER]);
  }

  async apply(record: ProcessorRecord): Promise<void> {
    const { state } = this;
    switch (record.name) {
      case 'ChatCreated': {
        const e = record.event as ChatCreated;
        if (!(await state.chatDeleted(e.chat_id)))
          await state.upsertChat(e.chat_id, e.user_id, e.system_prompt ?? null);
        return;
      }
      case 'PromptSubmitted': {
        const e = record.event as PromptSubmitted;
        if (await state.chatDeleted(e.chat_id)) return;
        await state.insertMessage({
          message_id: e.message_id,
          chat_id: e.chat_id,
          role: 'user',
          parent_message_id: e.parent_message_id ?? null,
          content: e.content,
          model_version: e.model_version,
        });
        return;
      }
      case 'AnswerGenerated': {
        const e = record.event as AnswerGenerated;
        if (await state.chatDeleted(e.chat_id)) return;
        await state.insertMessage({
          message_id: e.message_id,
          chat_id: e.chat_id,
          role: 'assistant',
          parent_message_id: e.parent_message_id,
          content: e.content,
          model_version: e.model_version,
        });
        // A held rating of this answer is published now; rated siblings now list it.
        await this.publish(e.user_id, await state.ratedAround(e.message_id));
        return;
      }
      case 'MessageRated': {
        const e = record.event as MessageRated;
        if (await state.chatDeleted(e.chat_id)) return;
        await state.upsertRating({
          message_id: e.message_id,
          chat_id: e.chat_id,
          user_id: e.user_id,
          rating: e.rating ?? 'THUMBS_UP',
          comment: e.comment ?? null,
          reasons: e.reasons ?? [],
          rated_at: new Date(e.occurred_at),
          event_id: e.event_id,
          correlation_id: e.correlation_id,
        });
        // Empty while the answer is not known: the rating is held until it arrives.
        await this.publish(e.user_id, await state.ratedAround(e.message_id));
        return;
      }
      case 'ChatDeleted': {
        const e = record.event as ChatDeleted;
        await state.lockUser(e.user_id);
        this.tombstone(await state.deleteChat(e.chat_id, e.user_id));
        return;
      }
      case 'UserSettingsChanged': {
        const e = record.event as UserSettingsChanged;
        if (e.training_opt_in === null || e.training_opt_in === undefined) return;
        const wasIn = await state.lockUser(e.user_id);
        if (wasIn === e.training_opt_in) return;
        await state.setOptIn(e.user_id, e.training_opt_in);
        if (e.training_opt_in) await this.publish(e.user_id, await state.ratedOfUser(e.user_id));
        else {
          const published = await state.publishedOfUser(e.user_id);
          this.tombstone(published);
          await state.setPublished(published, false);
        }
        return;
      }
      default:
        return;
    }
  }

  /** Publishes the records of these rated answers, unless their user opted out of training. */
  private async publish(userId: string, answerIds: readonly string[]): Promise<void> {
    if (answerIds.length === 0 || !(await this.state.lockUser(userId))) return;
    const published: string[] = [];
    for (const answerId of answerIds) {
      const material = await this.state.material(answerId);
      if (!material) continue;
      const event = newEvent('FeedbackRecord', feedbackRecordBody(material), { causedBy: this.cause });
      this.out.push(
        ...(await toOutboxRecords(
          { toRecord: (n, e, o) => encodeEventRecord(this.serde, n, e, o) },
          [{ name: 'FeedbackRecord', event }],
          { topic: this.options.feedbackTopic, traceparent: this.traceparent },
        )),
      );
      published.push(answerId);
    }
    await this.state.setPublished(published, true);
  }

  private tombstone(answerIds: readonly string[]): void {
    for (const answerId of answerIds)
      this.out.push(
        tombstoneRecord(this.options.feedbackTopic, answerId, 'FeedbackRecord', this.traceparent),
      );
  }
}

export function feedbackProcessor(
  db: pg.Pool,
  serde: EventSerde,
  options: FeedbackProcessorOptions,
): ProcessorDefinition {
  return {
    name: options.name ?? FEEDBACK_PROCESSOR,
    topics: options.topics,
    metricsPort: DEFAULT_FEEDBACK_METRICS_PORT,
    async handle(records: ProcessorRecord[]) {
      for (const record of records)
        await inTransaction(db, async (tx) => {
          const change = new FeedbackChange(tx, serde, options, record);
          await change.apply(record);
          await appendToOutbox(tx, change.out);
        });
    },
  };
}
