import type { RouteContext } from '../http/routeContext.ts';

export function chatRoutes(_context: RouteContext): void {}
