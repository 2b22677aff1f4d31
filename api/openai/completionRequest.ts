// The OpenAI chat-completions request as far as Parley answers it: text messages (the last one the
// user's prompt, the others its context), model, temperature, max tokens, streaming. Other fields
// clients send (top_p, user, ...) are accepted and ignored, as many OpenAI-compatible servers do.
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

export const chatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(textPart).min(1)]),
});

export const completionRequest = z
  .object({
    model: z.string().min(1).max(200),
    messages: z.array(chatMessage).min(1).max(500),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
  })
  .loose()
  .openapi('ChatCompletionRequest');

export type CompletionRequest = z.infer<typeof completionRequest>;

const textOf = (content: z.infer<typeof chatMessage>['content']) =>
  typeof content === 'string' ? content : content.map((p) => p.text).join('');

export interface PromptWithContext {
  prompt: string;
  /** The turns before the prompt, roles as the inference processor reads them. */
  context: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
}

/** The last message must be the user's: that is the prompt; the rest is its context. */
export function splitPrompt(messages: CompletionRequest['messages']): PromptWithContext | string {
  const last = messages.at(-1)!;
  if (last.role !== 'user') return 'the last message must have role "user"';
  return {
    prompt: textOf(last.content),
    context: messages.slice(0, -1).map((m) => ({
      role: m.role === 'developer' ? 'system' : m.role,
      content: textOf(m.content),
    })),
  };
}
