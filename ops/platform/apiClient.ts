// A small client of Parley's HTTP API for the platform's own drivers (the demo workload, drills):
// the user's side of the journey, each answer checked against the API's own zod schemas.
import { z } from 'zod';
import {
  chatCreated,
  messagePage,
  promptAccepted,
  ratingAccepted,
  regenerationAccepted,
} from '../../api/chats/chatSchemas.ts';
import { MAX_MESSAGE_PAGE } from '../../api/readModels/messages.ts';

export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(
    readonly status: number,
    what: string,
    body: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

const session = z.object({ token: z.string().min(1), user_id: z.uuid() });

export class ApiClient {
  private token: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new ApiCallError(response.status, `${method} ${path}`, text);
    return schema.parse(text ? JSON.parse(text) : undefined);
  }

  /** Logs in; registers first when the address is new. */
  async signIn(email: string, password: string): Promise<string> {
    try {
      await this.call('POST', '/v1/auth/register', z.unknown(), { email, password });
    } catch (error) {
      if (!(error instanceof ApiCallError && error.status === 409)) throw error;
    }
    const { token, user_id } = await this.call('POST', '/v1/auth/login', session, { email, password });
    this.token = token;
    return user_id;
  }

  createChat(title: string, model?: string) {
    return this.call('POST', '/v1/chats', chatCreated, { title, ...(model ? { model } : {}) });
  }

  prompt(chatId: string, content: string) {
    return this.call('POST', `/v1/chats/${chatId}/messages`, promptAccepted, { content });
  }

  regenerate(chatId: string, answerId: string) {
    return this.call('POST', `/v1/chats/${chatId}/messages/${answerId}/regenerate`, regenerationAccepted, {});
  }

  rate(messageId: string, rating: 'positive' | 'negative', comment?: string) {
    return this.call('POST', `/v1/messages/${messageId}/rating`, ratingAccepted, {
      rating,
      ...(comment ? { comment } : {}),
    });
  }

  history(chatId: string, limit = 50, cursor?: string) {
    const page = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    return this.call('GET', `/v1/chats/${chatId}/messages?limit=${limit}${page}`, messagePage);
  }

  /** Every message of the chat, page by page. */
  async *wholeHistory(chatId: string) {
    let cursor: string | undefined;
    do {
      const page = await this.history(chatId, MAX_MESSAGE_PAGE, cursor);
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }
}
