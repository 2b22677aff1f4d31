// OpenAI-compatible ingress: GET /v1/models and POST /v1/chat/completions (streamed or whole),
// authenticated by API key, so the official SDKs work unchanged against Parley. Each call is a
// PromptSubmitted (via_api) in the key's chat, answered by the same inference path as every
// prompt; the answer is read back from its live token stream. Errors take OpenAI's shape.
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { newEvent } from '../../producers/newEvent.ts';
import { perCaller, perPrompt } from '../http/callerLimits.ts';
import { ApiError, badRequest } from '../http/errors.ts';
import type { RouteContext } from '../http/routeContext.ts';
import { chatServices } from '../chats/chatServices.ts';
import { followAnswer, openAiFinishReason } from './answerCollector.ts';
import { apiKeyChat } from './apiKeyChat.ts';
import { completionRequest, splitPrompt, type CompletionRequest } from './completionRequest.ts';

const modelList = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }),
    ),
  })
  .openapi('ModelList');

const completion = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number(),
        message: z.object({ role: z.literal('assistant'), content: z.string() }),
        finish_reason: z.string(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
  })
  .openapi('ChatCompletion');

const usage = (end: { tokensIn?: number; tokensOut?: number }) => ({
  prompt_tokens: end.tokensIn ?? 0,
  completion_tokens: end.tokensOut ?? 0,
  total_tokens: (end.tokensIn ?? 0) + (end.tokensOut ?? 0),
});

function openSse(res: Response): (data: unknown) => void {
  res.status(200).set({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return (data) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

export function openAiRoutes({ add, deps }: RouteContext): void {
  const services = chatServices(deps);
  add({
    method: 'get',
    path: '/v1/models',
    summary: 'The models Parley serves (OpenAI-compatible)',
    tag: 'openai',
    access: 'api_key',
    openAiErrors: true,
    before: perCaller(deps),
    responses: { 200: { description: 'Live deployments, by model name and version', schema: modelList } },
    handle: async () => {
      const data = new Map<string, number>();
      for (const d of deps.models.registry.deployments()) {
        if (d.role === 'SHADOW') continue;
        const created = Math.floor(d.deployedAt / 1000);
        data.set(d.modelName, Math.min(data.get(d.modelName) ?? created, created));
        data.set(d.version, created);
      }
      return {
        status: 200,
        body: {
          object: 'list',
          data: [...data].map(([id, created]) => ({ id, object: 'model', created, owned_by: 'parley' })),
        },
      };
    },
  });

  add({
    method: 'post',
    path: '/v1/chat/completions',
    summary: 'A chat completion (OpenAI-compatible), streamed as SSE when `stream` is true',
    tag: 'openai',
    access: 'api_key',
    openAiErrors: true,
    body: completionRequest,
    responses: {
      200: { description: 'The completion, or with stream: SSE chunks then [DONE]', schema: completion },
      404: { description: 'No live deployment serves the model' },
      503: { description: 'Every server of the model is down' },
    },
    before: perPrompt(deps),
    handle: async ({ body, principal, res }) => {
      const request = body as CompletionRequest;
      const split = splitPrompt(request.messages);
      if (typeof split === 'string') throw badRequest(split, 'messages');
      if (Buffer.byteLength(split.prompt) > deps.config.api.maxContentBytes)
        throw new ApiError(
          413,
          'payload_too_large',
          `the prompt exceeds ${deps.config.api.maxContentBytes} bytes`,
          'messages',
        );
      if (!deps.models.registry.route(request.model, randomUUID(), randomUUID()))
        throw new ApiError(404, 'model_not_found', `The model \`${request.model}\` does not exist`, 'model');
      const chatId = await apiKeyChat(deps, services.chats, principal, request.model);
      const [promptMessageId, answerMessageId] = [uuidv7(), uuidv7()];
      await services.index.answering(chatId, promptMessageId, answerMessageId);
      await deps.producer.publish(
        'PromptSubmitted',
        newEvent('PromptSubmitted', {
          chat_id: chatId,
          user_id: principal.userId,
          message_id: promptMessageId,
          parent_message_id: null,
          role: 'USER',
          content: split.prompt,
          model_version: request.model,
          attachment_ids: [],
          via_api: true,
          temperature: request.temperature ?? null,
          max_tokens: request.max_completion_tokens ?? request.max_tokens ?? null,
          answer_message_id: answerMessageId,
          context: split.context,
        }),
        { topic: deps.topics.chat },
      );
      const id = `chatcmpl-${answerMessageId}`;
      const created = Math.floor(Date.now() / 1000);
      const left = new AbortController();
      res.once('close', () => left.abort());

      if (!request.stream) {
        let text = '';
        const end = await followAnswer(
          deps,
          answerMessageId,
          (piece) => (text += piece),
          () => ((text = ''), 'reset'),
          left.signal,
        );
        return {
          status: 200,
          body: {
            id,
            object: 'chat.completion',
            created,
            model: request.model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: text },
                finish_reason: openAiFinishReason(end.finishReason),
              },
            ],
            usage: usage(end),
          },
        };
      }

      let send: ((data: unknown) => void) | undefined;
      let sentText = false;
      const chunk = (delta: object, finishReason: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: request.model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      });
      try {
        const end = await followAnswer(
          deps,
          answerMessageId,
          (piece) => {
            if (!send) {
              send = openSse(res);
              send(chunk({ role: 'assistant', content: '' }, null));
            }
            sentText = true;
            send(chunk({ content: piece }, null));
          },
          () => (sentText ? 'fail' : 'reset'),
          left.signal,
        );
        send ??= openSse(res);
        send(chunk({}, openAiFinishReason(end.finishReason)));
        if (request.stream_options?.include_usage)
          send({ ...chunk({}, null), choices: [], usage: usage(end) });
        send('[DONE]');
        res.end();
      } catch (error) {
        if (!send) throw error; // nothing sent yet: an ordinary error response
        const e = error instanceof ApiError ? error : new ApiError(502, 'internal', 'the answer failed');
        send({ error: { message: e.message, type: 'server_error', param: null, code: e.code } });
        res.end();
      }
    },
  });
}
