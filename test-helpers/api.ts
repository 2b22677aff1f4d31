// Calling a running API (startApi(config.clients, { port: 0 })) from tests: one `call` for any
// route, and the few steps most tests start with (a registered, logged-in user; an API key).
import { randomUUID } from 'node:crypto';

export interface CallOptions {
  /** Sent as `Authorization: Bearer <token>` (a session token or an API key). */
  token?: string;
  /** JSON-encoded unless it is already a string (send malformed JSON as a string). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  /** The parsed JSON body; the raw text if it is not JSON; undefined if empty. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read any shape
  headers: Headers;
}

export async function call(
  url: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method: method.toUpperCase(), headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const expect = (result: CallResult, status: number, what: string) => {
  if (result.status !== status)
    throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body)}`);
  return result;
};

/** A fresh address no other test uses. */
export const uniqueEmail = () => `user-${randomUUID()}@example.test`;

export async function registerUser(
  url: string,
  email = uniqueEmail(),
  password = `pw-${randomUUID()}`,
): Promise<{ userId: string; email: string; password: string }> {
  const result = expect(
    await call(url, 'post', '/v1/auth/register', { body: { email, password } }),
    201,
    'register',
  );
  return { userId: result.body.user_id as string, email, password };
}

export async function login(
  url: string,
  email: string,
  password: string,
): Promise<{ token: string; userId: string }> {
  const result = expect(
    await call(url, 'post', '/v1/auth/login', { body: { email, password } }),
    200,
    'login',
  );
  return { token: result.body.token as string, userId: result.body.user_id as string };
}

/** A registered user with a live session token. */
export async function newUser(url: string): Promise<{ userId: string; token: string }> {
  const { email, password } = await registerUser(url);
  return login(url, email, password);
}

/** Issues an API key for the token's user; returns the key (shown once). */
export async function issueApiKey(url: string, token: string, name = 'test key'): Promise<string> {
  const result = expect(
    await call(url, 'post', '/v1/api-keys', { token, body: { name } }),
    201,
    'issue API key',
  );
  return result.body.api_key as string;
}
