// Answers one request: skip it if its answer is already recorded; read the chat and the thread;
// route to a model version (canary, stable, shadows); answer from the response cache or stream
// from the version's pool into the answer's token stream; record the run and its event in one
// PostgreSQL transaction (the outbox). A model failure becomes AnswerFailed, never silence; a
// failure of our own stores (Cassandra, PostgreSQL) is thrown for the runtime to retry.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelPools } from '../../connectors/model-server/modelPools.ts';
import type { Deployment, ModelRegistry } from '../../connectors/model-server/modelRegistry.ts';
import {
  ModelUnavailableError,
  type PooledCompletion,
} from '../../connectors/model-server/modelServerPool.ts';
import type { ChatMessage } from '../../connectors/model-server/streamChatCompletion.ts';
import { toOutboxRecords, type OutboxRecord } from '../../connectors/outbox/outbox.ts';
import {
  isCacheable,
  responseCacheKey,
  type ResponseCache,
} from '../../connectors/responseCache/responseCache.ts';
import type { AnswerTokenStream, TokenStreamWriter } from '../../connectors/tokenStream/tokenStreamWriter.ts';
import { PoisonRecordError } from '../../core/errors.ts';
import { encodeEventRecord } from '../../producers/eventProducer.ts';
import { newEvent } from '../../producers/newEvent.ts';
import type { EventMap, EventName } from '../../schemas/generated/events.ts';
import type { EventSerde } from '../../schemas/serde.ts';
import type { AnswerRequest } from './answerRequest.ts';
import type { ChatHistory } from './chatHistory.ts';
import { estimateTokens, fitContext, type Turn } from './contextWindow.ts';
import type { InferenceMetrics } from './inferenceMetrics.ts';
import { finishReasonOf, modelFailureOutcome, type FailureOutcome } from './modelOutcome.ts';
import type { InferenceRun, RunStore } from './runStore.ts';

export interface AnswererSettings {
  /** Tokens kept free for the answer when the request sets no max_tokens. */
  answerReserveTokens: number;
  /** How long a request waits for a version whose servers are all down before it fails. */
  modelUnavailableGraceMs: number;
  /** A request older than this when its turn comes fails with TIMEOUT instead of reaching a model. */
  requestTtlMs: number;
  /** Where answers and shadow answers go (tests and benchmarks use topics of their own). */
  topics: { chat: string; shadow: string };
}

export interface AnswererDeps {
  history: ChatHistory;
  runs: RunStore;
  serde: EventSerde;
  registry: ModelRegistry;
  pools: ModelPools;
  tokens: TokenStreamWriter;
  cache?: ResponseCache;
  metrics: InferenceMetrics;
  settings: AnswererSettings;
}

/** The prompt of a regeneration is not in the read model yet: the projector is behind. Retried. */
export class HistoryNotReadyError extends Error {
  override name = 'HistoryNotReadyError';
  readonly retriable = true;
}

interface Prepared {
  request: AnswerRequest;
  promptContent: string;
  deployment: Deployment;
  shadows: Deployment[];
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
}

export class Answerer {
  constructor(private readonly deps: AnswererDeps) {}

  async answer(request: AnswerRequest, signal: AbortSignal): Promise<void> {
    const { runs, metrics } = this.deps;
    if (await runs.liveRun(request.answerMessageId)) {
      metrics.answers.inc({ outcome: 'already_recorded' });
      return; // recorded before a crash or a rebalance: no second model call
    }
    const started = Date.now();
    const prepared = await this.prepare(request);
    if ('failure' in prepared) {
      await this.recordFailure(request, prepared.modelVersion, prepared.failure, 0, Date.now() - started);
      // A client may already be waiting on the answer's live stream: it ends with the failure too.
      const { code, message } = prepared.failure;
      await this.deps.tokens
        .open(request.answerMessageId, { chat_id: request.chatId })
        .fail({ code, message });
      return;
    }
    const stream = this.deps.tokens.open(request.answerMessageId, {
      chat_id: request.chatId,
      prompt_message_id: request.promptMessageId,
      model_version: prepared.deployment.version,
    });
    const shadows = prepared.shadows.map((shadow) => this.shadow(prepared, shadow, signal));
    try {
      await this.answerLive(prepared, stream, started, signal);
    } catch (error) {
      await stream.close(); // no terminal entry: the runtime retries, and the retry's stream replaces it
      throw error;
    } finally {
      await Promise.allSettled(shadows);
    }
  }

  /** Everything the model call needs, or the failure that makes the call pointless. */
  private async prepare(
    request: AnswerRequest,
  ): Promise<Prepared | { failure: FailureOutcome; modelVersion: string }> {
    const { history, registry, runs, settings } = this.deps;
    // After an outage, a backlog of prompts whose users have long gone would hold the model servers
    // (and every newer prompt) for as long again: those fail at once, and the user can regenerate.
    const waitedMs = Date.now() - request.requestedAt;
    if (waitedMs > settings.requestTtlMs)
      return {
        modelVersion: request.requestedModel ?? '',
        failure: {
          code: 'TIMEOUT',
          message: `waited ${Math.round(waitedMs / 1000)} s for a model, longer than PARLEY_INFERENCE_REQUEST_TTL_S (${settings.requestTtlMs / 1000} s): not answered`,
          retriable: true,
        },
      };
    const chat = await history.chat(request.chatId);
    if (chat?.userId && chat.userId !== request.userId)
      throw new PoisonRecordError(`user ${request.userId} does not own chat ${request.chatId}`);
    let { promptContent, parentMessageId, requestedModel } = request;
    if (promptContent === undefined) {
      const prompt = await history.message(request.chatId, request.promptMessageId);
      if (!prompt)
        throw new HistoryNotReadyError(`prompt ${request.promptMessageId} is not in the history yet`);
      if (prompt.role !== 'USER' || prompt.content === null)
        throw new PoisonRecordError(`message ${request.promptMessageId} is not a prompt`);
      promptContent = prompt.content;
      parentMessageId = prompt.parentMessageId;
      requestedModel ??= prompt.modelVersion ?? undefined;
    }
    const modelVersion = requestedModel ?? '';
    if (chat?.deleted)
      return {
        modelVersion,
        failure: { code: 'INVALID_REQUEST', message: 'the chat was deleted', retriable: false },
      };
    const route = registry.route(modelVersion, request.chatId, request.answerMessageId);
    if (!route)
      return {
        modelVersion,
        failure: {
          code: 'MODEL_UNAVAILABLE',
          message: `no live deployment serves ${modelVersion || '(no model named)'}`,
          retriable: false,
        },
      };
    const userSettings = await runs.userSettings(request.userId);
    const sent = request.context && clientContext(request.context);
    const systemPrompt = sent ? sent.systemPrompt : chat?.systemPrompt || userSettings?.systemPrompt || null;
    const answerTokens = request.maxTokens ?? settings.answerReserveTokens;
    const contextLength = route.serving.contextLength;
    const threadBudget =
      contextLength -
      answerTokens -
      estimateTokens(promptContent) -
      (systemPrompt ? estimateTokens(systemPrompt) : 0);
    try {
      const thread = sent
        ? sent.thread
        : threadBudget > 0
          ? await history.thread(request.chatId, parentMessageId ?? null, threadBudget)
          : [];
      const messages = fitContext(systemPrompt, thread, promptContent, { contextLength, answerTokens });
      return {
        request,
        promptContent,
        deployment: route.serving,
        shadows: route.shadows,
        messages,
        maxTokens: request.maxTokens,
        temperature: request.temperature ?? userSettings?.temperature ?? undefined,
      };
    } catch (error) {
      const failure = modelFailureOutcome(error);
      if (!failure) throw error;
      return { modelVersion: route.serving.version, failure };
    }
  }

  private async answerLive(
    prepared: Prepared,
    stream: AnswerTokenStream,
    started: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { cache, metrics } = this.deps;
    const { request, deployment } = prepared;
    const cacheRequest = {
      modelVersion: deployment.version,
      messages: prepared.messages,
      maxTokens: prepared.maxTokens ?? null,
      temperature: prepared.temperature ?? null,
    };
    const cacheKey = cache && isCacheable(cacheRequest) ? responseCacheKey(cacheRequest) : undefined;
    const cached = cacheKey ? await cache!.get(cacheKey) : undefined;
    if (cached) {
      stream.append(cached.content);
      const finishReason = finishReasonOf(cached.finishReason);
      await this.recordAnswer(prepared, {
        text: cached.content,
        finishReason,
        tokensIn: cached.tokensIn,
        tokensOut: cached.tokensOut,
        latencyMs: Date.now() - started,
        timeToFirstTokenMs: 0,
        server: 'response-cache',
        attempts: 0,
        cacheHit: true,
      });
      metrics.answers.inc({ outcome: 'cache_hit' });
      await stream.finish({ finishReason, tokensIn: cached.tokensIn, tokensOut: cached.tokensOut });
      return;
    }
    let result: PooledCompletion;
    try {
      result = await this.complete(deployment, prepared, stream, signal);
    } catch (error) {
      const failure = signal.aborted ? undefined : modelFailureOutcome(error);
      if (!failure) throw error;
      await this.recordFailure(request, deployment.version, failure, attemptsOf(error), Date.now() - started);
      await stream.fail({ code: failure.code, message: failure.message });
      return;
    }
    const finishReason = finishReasonOf(result.finishReason);
    const tokensIn =
      result.promptTokens ?? prepared.messages.reduce((n, m) => n + estimateTokens(m.content), 0);
    const tokensOut = result.completionTokens ?? estimateTokens(result.text);
    await this.recordAnswer(prepared, {
      text: result.text,
      finishReason,
      tokensIn,
      tokensOut,
      latencyMs: result.latencyMs,
      timeToFirstTokenMs: result.timeToFirstTokenMs ?? null,
      server: result.server,
      attempts: result.attempts,
      cacheHit: false,
    });
    metrics.answers.inc({ outcome: 'answered' });
    metrics.modelSeconds.observe({ version: deployment.version }, result.latencyMs / 1000);
    // Measured by the pool when the first token streamed in: the run's time_to_first_token_ms.
    if (result.timeToFirstTokenMs !== undefined)
      metrics.ttftSeconds.observe({ version: deployment.version }, result.timeToFirstTokenMs / 1000);
    await stream.finish({ finishReason, tokensIn, tokensOut });
    if (cacheKey)
      await cache!.put(cacheKey, {
        content: result.text,
        finishReason: result.finishReason ?? 'stop',
        tokensIn,
        tokensOut,
        modelVersion: deployment.version,
        cachedAt: Date.now(),
      });
  }

  /** The pool's call; while every server of the version is down, waits (bounded) for one to return. */
  private async complete(
    deployment: Deployment,
    prepared: Prepared,
    stream: AnswerTokenStream | undefined,
    signal: AbortSignal,
  ): Promise<PooledCompletion> {
    const giveUpAt = Date.now() + this.deps.settings.modelUnavailableGraceMs;
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      const pool = this.deps.pools.pool(deployment.version);
      try {
        if (!pool) throw new ModelUnavailableError(`${deployment.version} has no pool (retired?)`);
        return await pool.complete(
          { messages: prepared.messages, maxTokens: prepared.maxTokens, temperature: prepared.temperature },
          {
            signal,
            onToken: stream && ((text) => stream.append(text)),
            onRestart:
              stream && ((server) => stream.restart(`the stream from ${server} broke; starting again`)),
          },
        );
      } catch (error) {
        if (!(error instanceof ModelUnavailableError) || Date.now() + wait > giveUpAt) throw error;
        await sleep(wait, undefined, { signal });
      }
    }
  }

  /** A copy of the request to a shadow version: recorded for analytics, never shown to the user. */
  private async shadow(prepared: Prepared, shadow: Deployment, signal: AbortSignal): Promise<void> {
    const { request } = prepared;
    const started = Date.now();
    let result: PooledCompletion | undefined;
    let failure: FailureOutcome | undefined;
    try {
      result = await this.complete(shadow, prepared, undefined, signal);
    } catch (error) {
      failure = signal.aborted ? undefined : modelFailureOutcome(error);
      if (!failure) throw error;
    }
    const run: InferenceRun = {
      ...this.runBase(request, shadow.version),
      role: 'SHADOW',
      server: result?.server ?? '',
      status: result ? 'ANSWERED' : 'FAILED',
      tokensIn: result?.promptTokens ?? 0,
      tokensOut: result ? (result.completionTokens ?? estimateTokens(result.text)) : 0,
      latencyMs: result?.latencyMs ?? Date.now() - started,
      timeToFirstTokenMs: result?.timeToFirstTokenMs ?? null,
      finishReason: result ? finishReasonOf(result.finishReason) : null,
      errorCode: failure?.code ?? null,
      attempts: result?.attempts ?? 1,
      cacheHit: false,
    };
    await this.deps.runs.record(run, (runId) =>
      this.outbox(
        'ShadowAnswerRecorded',
        this.deps.settings.topics.shadow,
        {
          chat_id: request.chatId,
          user_id: request.userId,
          shadow_run_id: runId,
          prompt_message_id: request.promptMessageId,
          live_answer_message_id: request.answerMessageId,
          live_model_version: prepared.deployment.version,
          model_version: shadow.version,
          server: run.server,
          content: result?.text ?? null,
          tokens_in: run.tokensIn,
          tokens_out: run.tokensOut,
          latency_ms: run.latencyMs,
          time_to_first_token_ms: run.timeToFirstTokenMs,
          finish_reason: result ? finishReasonOf(result.finishReason) : null,
          error_code: failure?.code ?? null,
          via_api: request.viaApi,
        },
        request,
      ),
    );
    this.deps.metrics.answers.inc({ outcome: result ? 'shadow_answered' : 'shadow_failed' });
  }

  private async recordAnswer(
    prepared: Prepared,
    outcome: {
      text: string;
      finishReason: ReturnType<typeof finishReasonOf>;
      tokensIn: number;
      tokensOut: number;
      latencyMs: number;
      timeToFirstTokenMs: number | null;
      server: string;
      attempts: number;
      cacheHit: boolean;
    },
  ): Promise<void> {
    const { request, deployment } = prepared;
    const run: InferenceRun = {
      ...this.runBase(request, deployment.version),
      role: deployment.role,
      server: outcome.server,
      status: 'ANSWERED',
      tokensIn: outcome.tokensIn,
      tokensOut: outcome.tokensOut,
      latencyMs: outcome.latencyMs,
      timeToFirstTokenMs: outcome.timeToFirstTokenMs,
      finishReason: outcome.finishReason,
      errorCode: null,
      attempts: outcome.attempts,
      cacheHit: outcome.cacheHit,
    };
    await this.deps.runs.record(run, (runId) =>
      this.outbox(
        'AnswerGenerated',
        this.deps.settings.topics.chat,
        {
          chat_id: request.chatId,
          user_id: request.userId,
          message_id: request.answerMessageId,
          parent_message_id: request.promptMessageId,
          role: 'ASSISTANT',
          content: outcome.text,
          model_version: deployment.version,
          tokens_in: outcome.tokensIn,
          tokens_out: outcome.tokensOut,
          latency_ms: outcome.latencyMs,
          time_to_first_token_ms: outcome.timeToFirstTokenMs,
          finish_reason: outcome.finishReason,
          via_api: request.viaApi,
          inference_run_id: runId,
          server: run.server,
          traffic_role: trafficRoleOf(run.role),
          cache_hit: run.cacheHit,
        },
        request,
      ),
    );
  }

  private async recordFailure(
    request: AnswerRequest,
    modelVersion: string,
    failure: FailureOutcome,
    attempts: number,
    latencyMs: number,
  ): Promise<void> {
    const run: InferenceRun = {
      ...this.runBase(request, modelVersion),
      role: this.deps.registry.get(modelVersion)?.role ?? 'STABLE',
      server: '',
      status: 'FAILED',
      tokensIn: 0,
      tokensOut: 0,
      latencyMs,
      timeToFirstTokenMs: null,
      finishReason: null,
      errorCode: failure.code,
      attempts,
      cacheHit: false,
    };
    await this.deps.runs.record(run, (runId) =>
      this.outbox(
        'AnswerFailed',
        this.deps.settings.topics.chat,
        {
          chat_id: request.chatId,
          user_id: request.userId,
          message_id: request.answerMessageId,
          parent_message_id: request.promptMessageId,
          model_version: modelVersion,
          error_code: failure.code,
          error_message: failure.message,
          retriable: failure.retriable,
          attempts,
          latency_ms: latencyMs,
          via_api: request.viaApi,
          inference_run_id: runId,
          server: null,
          traffic_role: trafficRoleOf(run.role),
        },
        request,
      ),
    );
    this.deps.metrics.answers.inc({ outcome: 'failed' });
  }

  private runBase(request: AnswerRequest, modelVersion: string) {
    return {
      answerMessageId: request.answerMessageId,
      requestEventId: request.cause.event_id,
      chatId: request.chatId,
      userId: request.userId,
      promptMessageId: request.promptMessageId,
      modelVersion,
      viaApi: request.viaApi,
    };
  }

  private async outbox<N extends EventName>(
    name: N,
    topic: string,
    body: Omit<EventMap[N], 'event_id' | 'occurred_at' | 'correlation_id' | 'causation_id'>,
    request: AnswerRequest,
  ): Promise<OutboxRecord> {
    const event = newEvent(name, body, { causedBy: request.cause });
    const serde = this.deps.serde;
    const [record] = await toOutboxRecords(
      { toRecord: (n, e, o) => encodeEventRecord(serde, n, e, o) },
      [{ name, event }],
      { topic, traceparent: request.traceparent },
    );
    return record!;
  }
}

/** A client's own conversation: its system turns joined into one system prompt, then the turns. */
function clientContext(context: Array<{ role: string; content: string }>): {
  systemPrompt: string | null;
  thread: Turn[];
} {
  const system = context.filter((m) => m.role === 'system').map((m) => m.content);
  const thread = context
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role as Turn['role'], content: m.content }));
  return { systemPrompt: system.length > 0 ? system.join('\n\n') : null, thread };
}

const attemptsOf = (error: unknown): number => {
  const attempts = (error as { attempts?: unknown } | null)?.attempts;
  return typeof attempts === 'number' ? attempts : 1;
};

/** A live answer's role as the chat topic states it (shadow runs go to their own topic). */
function trafficRoleOf(role: InferenceRun['role']): 'STABLE' | 'CANARY' | 'OTHER' {
  return role === 'STABLE' || role === 'CANARY' ? role : 'OTHER';
}
