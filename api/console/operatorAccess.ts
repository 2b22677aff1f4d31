// Who may read operator data: a caller presenting PARLEY_CONSOLE_TOKEN as its bearer token. It is
// not a user credential (sessions and API keys never pass). Compared as in api/auth/apiKeys.ts:
// SHA-256 digests of both sides, compared in constant time, so neither timing nor length tells how
// much of a guess was right.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { bearerToken } from '../auth/authenticate.ts';
import { ApiError, unauthorized } from '../http/errors.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export const consoleDisabled = () =>
  new ApiError(
    404,
    'console_disabled',
    'the operator console is disabled: set PARLEY_CONSOLE_TOKEN (32+ URL-safe characters, e.g. `openssl rand -hex 32`) where the API runs, restart it, then open /console#token=<that token>',
  );

/** Throws 404 when the console is off, 401 unless the request carries the operator token. */
export function requireOperator(req: Request, token: string | undefined): void {
  if (token === undefined) throw consoleDisabled();
  const presented = bearerToken(req) ?? '';
  if (!timingSafeEqual(sha256(presented), sha256(token)))
    throw unauthorized('the operator token is required: Authorization: Bearer <PARLEY_CONSOLE_TOKEN>');
}
