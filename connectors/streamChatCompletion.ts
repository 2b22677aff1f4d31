// Streams one chat completion from an OpenAI-compatible model server and measures it the way the
// analytics need it: time to first token, total latency, token counts, finish reason.
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
}

export async function streamChatCompletion(
  client: OpenAI,
  options: StreamOptions,
): Promise<CompletionResult> {
  const started = performance.now();
  const stream = await client.chat.completions.create(
    {
      model: options.model,
      messages: options.messages,
      max_tokens: options.maxTokens ?? 128,
      temperature: options.temperature ?? 0.7,
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: options.signal },
  );
  let text = '';
  let finishReason: string | null = null;
  let timeToFirstTokenMs: number | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    const piece = choice?.delta?.content ?? '';
    if (piece.length > 0) {
      timeToFirstTokenMs ??= performance.now() - started;
      text += piece;
      options.onToken?.(piece);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    text,
    finishReason,
    promptTokens: usage?.prompt_tokens,
    completionTokens: usage?.completion_tokens,
    timeToFirstTokenMs,
    latencyMs: performance.now() - started,
  };
}
