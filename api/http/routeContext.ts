// What a route module gets: the shared dependencies and `add`, which declares a route (validation,
// OpenAPI, authentication) in one place. Each module (identity, chats, openai, ...) adds its own.
import type { z } from 'zod';
import type { ApiDeps } from '../apiDeps.ts';
import type { RouteSpec } from './route.ts';

export interface RouteContext {
  deps: ApiDeps;
  add<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(spec: RouteSpec<B, Q, P>): void;
}
