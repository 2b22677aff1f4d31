import type { RouteContext } from '../http/routeContext.ts';

export function openAiRoutes(_context: RouteContext): void {}
