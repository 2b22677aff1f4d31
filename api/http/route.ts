// One declaration per route: its zod schemas validate the request AND describe it in the OpenAPI
// document, so the two cannot drift. The handler gets parsed input and the caller, and returns a
// status and body (or writes the response itself, e.g. a stream).
import type { Request, RequestHandler, Response, Router } from 'express';
import '../openapi.ts';
import { z } from 'zod';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Principal } from '../auth/principal.ts';
import { badRequest, OPENAI_ERRORS, unauthorized } from './errors.ts';

/** `none`: anyone; `user`: a session or an API key; `api_key`: an API key only. */
export type Access = 'none' | 'user' | 'api_key';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** Set on every route whose access is not `none`. */
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express syntax (`/v1/chats/:chat_id`); the document gets `{chat_id}`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Errors in OpenAI's shape (the OpenAI-compatible routes). */
  openAiErrors?: boolean;
  /** Limits applied before the handler (after authentication), e.g. a rate limit. */
  before?: (principal: Principal | undefined, req: Request) => Promise<void>;
  handle(input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>): Promise<RouteResult | void>;
}

/** The first problem zod found, as a 400 naming the field (`body.content`, `query.limit`...). */
function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  // A JSON `null` body is a wrong type, not a missing body (only `undefined` takes a default).
  const result = schema.safeParse(where === 'body' ? value : (value ?? {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].join('.');
  throw badRequest(`${field}: ${issue.message}`, field);
}

const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .openapi('Error');

const standardErrors = (access: Access): RouteConfig['responses'] => ({
  400: {
    description: 'Invalid input; `field` names it',
    content: { 'application/json': { schema: errorSchema } },
  },
  ...(access === 'none'
    ? {}
    : {
        401: {
          description: 'No valid token or key',
          content: { 'application/json': { schema: errorSchema } },
        },
      }),
  429: {
    description: 'Rate limited; see Retry-After',
    content: { 'application/json': { schema: errorSchema } },
  },
  503: {
    description: 'A store this request needs is down for the moment; retry after Retry-After seconds',
    content: { 'application/json': { schema: errorSchema } },
  },
});

export type Authenticator = (req: Request, access: Access) => Promise<Principal | undefined>;

export function addRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  router: Router,
  registry: OpenAPIRegistry,
  authenticate: Authenticator,
  spec: RouteSpec<B, Q, P>,
): void {
  const responses: RouteConfig['responses'] = { ...standardErrors(spec.access) };
  for (const [status, r] of Object.entries(spec.responses))
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } } : {}),
    };
  registry.registerPath({
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.access === 'none' ? {} : { security: [{ bearer: [] }] }),
    request: {
      ...(spec.body
        ? {
            body: {
              // A body schema with a default (`.default({})`) accepts a request without one.
              required: !spec.body.safeParse(undefined).success,
              content: { 'application/json': { schema: spec.body } },
            },
          }
        : {}),
      ...(spec.query ? { query: spec.query as unknown as z.ZodObject } : {}),
      ...(spec.params ? { params: spec.params as unknown as z.ZodObject } : {}),
    },
    responses,
  });
  const handler: RequestHandler = async (req, res) => {
    if (spec.openAiErrors) res.locals[OPENAI_ERRORS] = true;
    const principal = spec.access === 'none' ? undefined : await authenticate(req, spec.access);
    if (spec.access !== 'none' && !principal) throw unauthorized();
    await spec.before?.(principal, req);
    const input = {
      params: parse(spec.params, req.params, 'path'),
      query: parse(spec.query, req.query, 'query'),
      body: parse(spec.body, req.body, 'body'),
      principal: principal!,
      req,
      res,
    };
    const result = await spec.handle(input);
    if (!result || res.headersSent) return;
    res.set(result.headers ?? {});
    if (result.body === undefined) res.status(result.status).end();
    else res.status(result.status).json(result.body);
  };
  router[spec.method](spec.path, handler);
}
