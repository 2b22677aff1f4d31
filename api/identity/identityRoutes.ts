// The identity routes: accounts and sessions (authRoutes), the caller's account and settings
// (meRoutes), API keys (apiKeyRoutes). Every write is a PostgreSQL change or a session plus its
// event on parley.identity, through the outbox in the same transaction.
import type { RouteContext } from '../http/routeContext.ts';
import { apiKeyRoutes } from './apiKeyRoutes.ts';
import { authRoutes } from './authRoutes.ts';
import { IpHasher } from './ipHash.ts';
import { AuthLimits } from './limits.ts';
import { meRoutes } from './meRoutes.ts';
import { dummyHash } from './passwords.ts';

export function identityRoutes(context: RouteContext): void {
  const ips = new IpHasher(context.deps.db);
  authRoutes(context, { limits: new AuthLimits(context.deps, ips), ips });
  meRoutes(context);
  apiKeyRoutes(context);
  // Ready before the first login, which would otherwise pay for it (and differ in time).
  dummyHash().catch((error: unknown) => context.deps.log.warn({ err: error }, 'dummy password hash failed'));
}
