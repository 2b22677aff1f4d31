import type { RouteContext } from '../http/routeContext.ts';

export function identityRoutes(_context: RouteContext): void {}
