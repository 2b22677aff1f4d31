// The chat routes' request and response shapes: they validate input and generate /openapi.json.
import '../openapi.ts';
import { z } from 'zod';
import { MAX_MESSAGE_PAGE } from '../readModels/messages.ts';
import { MAX_PAGE } from '../readModels/chatList.ts';

const id = (what: string) =>
  z
    .uuid()
    .openapi({ description: `The ${what}'s id (a UUIDv7)`, example: '01936b2e-7c1a-7d3e-9f00-5a1b2c3d4e5f' });

export const chatParams = z.object({ chat_id: id('chat') });
export const chatMessageParams = z.object({ chat_id: id('chat'), message_id: id('message') });
export const messageParams = z.object({ message_id: id('message') });

const title = z.string().trim().min(1).max(200);
/** A model name (routed to its stable or canary versions) or a version (pinned). */
const model = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.:/@+-]+$/, 'letters, digits and . : / @ + - _ only')
  .openapi({ description: 'A model name or version listed by GET /v1/models', example: 'gemma-3-270m' });

export const createChatBody = z
  .object({ title: title.optional(), model: model.optional() })
  .default({})
  .openapi('CreateChat');
export const renameChatBody = z.object({ title }).openapi('RenameChat');
export const promptBody = z
  .object({
    content: z
      .string()
      .min(1)
      .openapi({ description: 'The prompt (UTF-8, at most PARLEY_API_MAX_CONTENT_BYTES bytes)' }),
    model: model.optional(),
  })
  .openapi('SubmitPrompt');
export const regenerateBody = z.object({ model: model.optional() }).default({}).openapi('Regenerate');
export const ratingBody = z
  .object({
    rating: z.enum(['positive', 'negative']),
    comment: z.string().max(2000).optional(),
  })
  .openapi('RateMessage');

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const cursor = z.string().min(1).max(200).openapi({ description: 'next_cursor of the previous page' });
export const chatListQuery = z.object({ limit: limit(MAX_PAGE, 20), cursor: cursor.optional() });
export const historyQuery = z.object({ limit: limit(MAX_MESSAGE_PAGE, 50), cursor: cursor.optional() });

export const chatCreated = z.object({ chat_id: z.uuid() }).openapi('ChatCreated');
export const chatSummary = z
  .object({
    chat_id: z.uuid(),
    title: z.string().nullable(),
    model_version: z.string().nullable(),
    created_at: z.string().nullable(),
    last_activity_at: z.string(),
  })
  .openapi('ChatSummary');
export const chatPage = z
  .object({ items: z.array(chatSummary), next_cursor: z.string().nullable() })
  .openapi('ChatPage');
export const promptAccepted = z
  .object({ message_id: z.uuid(), answer_message_id: z.uuid() })
  .openapi('PromptAccepted');
export const regenerationAccepted = z.object({ answer_message_id: z.uuid() }).openapi('RegenerationAccepted');
export const ratingAccepted = z
  .object({ message_id: z.uuid(), rating: z.enum(['positive', 'negative']) })
  .openapi('RatingAccepted');
export const historyMessage = z
  .object({
    message_id: z.uuid(),
    role: z.enum(['user', 'assistant', 'system']),
    content: z.string(),
    created_at: z.string(),
    model_version: z.string().optional(),
    rating: z.enum(['positive', 'negative']).optional(),
    parent_message_id: z.uuid().optional(),
    status: z.enum(['submitted', 'answered', 'failed']).optional(),
    error_code: z.string().optional(),
  })
  .openapi('Message');
export const messagePage = z
  .object({ items: z.array(historyMessage), next_cursor: z.string().nullable() })
  .openapi('MessagePage');
