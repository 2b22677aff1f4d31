// Errors as clients see them: `{"error": {"code", "message", "field"?}}` with the right 4xx, or
// OpenAI's shape on the OpenAI-compatible routes. Bad input is never a 5xx. A store that is down
// for the moment (Redis, Cassandra, PostgreSQL restarting) is a 503 with Retry-After, worth a
// retry; anything else unexpected is a 500. The details of both go to the log, not to the client.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { classifyFailure } from '../../core/failures.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) =>
  new ApiError(400, 'invalid_request', message, field);
export const unauthorized = (message = 'a valid bearer token or API key is required') =>
  new ApiError(401, 'unauthorized', message);
/** Also what someone else's resource looks like: its existence is not disclosed. */
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
/** A declared path asked with a method it does not have; `Allow` lists the ones it does. */
export const methodNotAllowed = (method: string, allowed: readonly string[]) =>
  new ApiError(
    405,
    'method_not_allowed',
    `${method} is not allowed here; use ${allowed.join(', ')}`,
    undefined,
    {
      Allow: allowed.join(', '),
    },
  );
export const conflict = (message: string, field?: string) => new ApiError(409, 'conflict', message, field);
/** Seconds a client is asked to wait when a store is briefly down (a restart takes a few). */
export const UNAVAILABLE_RETRY_AFTER_S = 2;
const unavailable = () =>
  new ApiError(
    503,
    'unavailable',
    'a service this request needs is unavailable for the moment; retry shortly',
    undefined,
    { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S) },
  );

/** Marks a response as one of the OpenAI-compatible routes, whose errors take OpenAI's shape. */
export const OPENAI_ERRORS = 'parleyOpenAiErrors';

const openAiType = (status: number) =>
  status === 401
    ? 'authentication_error'
    : status === 429
      ? 'rate_limit_error'
      : status === 404
        ? 'not_found_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';

/** The client's view of what went wrong (body-parser's errors included). */
function asApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const e = error as { type?: string; status?: number; limit?: number };
  if (e?.type === 'entity.too.large')
    return new ApiError(413, 'payload_too_large', `the request body exceeds ${e.limit} bytes`);
  if (e?.type === 'entity.parse.failed') return badRequest('the request body is not valid JSON', 'body');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new ApiError(415, 'unsupported_media_type', 'the request body must be UTF-8 JSON');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new ApiError(e.status, 'invalid_request', 'the request could not be read');
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    let e = asApiError(error);
    if (!e && classifyFailure(error) === 'transient') {
      log.warn({ err: error }, 'request failed: a store is unavailable');
      e = unavailable();
    } else if (!e) {
      log.error({ err: error }, 'request failed');
      e = new ApiError(500, 'internal', 'something went wrong on our side');
    }
    res.set(e.headers);
    if (res.locals[OPENAI_ERRORS])
      res.status(e.status).json({
        error: { message: e.message, type: openAiType(e.status), param: e.field ?? null, code: e.code },
      });
    else
      res
        .status(e.status)
        .json({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } });
  };
}
