// Streams one chat completion from an OpenAI-compatible model server (vLLM, TGI, llama.cpp) and
// measures it the way the analytics need it: time to first token, total latency, token counts,
// finish reason. Two timeouts guard a stream: to its first token, and between tokens.
import type OpenAI from 'openai';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionResult {
  text: string;
  finishReason: string | null;
  promptTokens?: number;
  completionTokens?: number;
  timeToFirstTokenMs?: number;
  latencyMs: number;
}

export interface StreamOptions {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  onToken?: (text: string) => void;
  /** Fail if no token arrives within this long of the request (default: no limit). */
  firstTokenTimeoutMs?: number;
  /** Fail if a started stream stays silent this long (default: no limit). */
  idleTimeoutMs?: number;
}

/** The server went silent: before its first token, or between two. */
export class ModelTimeoutError extends Error {
  override name = 'ModelTimeoutError';
  readonly retriable = true;
  constructor(
    readonly phase: 'first token' | 'between tokens',
    readonly ms: number,
  ) {
    super(`model server sent no token within ${ms} ms (${phase})`);
  }
}

/** Aborts `controller` with a ModelTimeoutError unless `reset` is called in time. */
function watchdog(controller: AbortController, options: StreamOptions) {
  let timer: NodeJS.Timeout | undefined;
  const arm = (phase: ModelTimeoutError['phase'], ms: number | undefined) => {
    clearTimeout(timer);
    if (ms !== undefined) timer = setTimeout(() => controller.abort(new ModelTimeoutError(phase, ms)), ms);
  };
  arm('first token', options.firstTokenTimeoutMs);
  return {
    tokenArrived: () => arm('between tokens', options.idleTimeoutMs),
    stop: () => clearTimeout(timer),
  };
}

export async function streamChatCompletion(
  client: OpenAI,
  options: StreamOptions,
): Promise<CompletionResult> {
  const started = performance.now();
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  else options.signal?.addEventListener('abort', forward, { once: true });
  const timer = watchdog(controller, options);
  let text = '';
  let finishReason: string | null = null;
  let timeToFirstTokenMs: number | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  try {
    const stream = await client.chat.completions.create(
      {
        model: options.model,
        messages: options.messages,
        max_tokens: options.maxTokens ?? 128,
        temperature: options.temperature ?? 0.7,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      const piece = choice?.delta?.content ?? '';
      if (piece.length > 0) {
        timer.tokenArrived();
        timeToFirstTokenMs ??= Math.round(performance.now() - started);
        text += piece;
        options.onToken?.(piece);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
  } catch (error) {
    // The SDK reports our own abort as a generic abort: say which deadline it was.
    if (controller.signal.reason instanceof ModelTimeoutError) throw controller.signal.reason;
    throw error;
  } finally {
    timer.stop();
    options.signal?.removeEventListener('abort', forward);
  }
  return {
    text,
    finishReason,
    promptTokens: usage?.prompt_tokens,
    completionTokens: usage?.completion_tokens,
    timeToFirstTokenMs,
    latencyMs: Math.round(performance.now() - started),
  };
}
