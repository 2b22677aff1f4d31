// The chat routes: chats (chatResourceRoutes.ts), prompts and regenerations (promptRoutes.ts), the
// history (historyRoute.ts), live answers over SSE (streamRoute.ts) and ratings (ratingRoute.ts).
// A user reads and writes only their own chats and messages: anything else is 404.
import type { RouteContext } from '../http/routeContext.ts';
import { chatResourceRoutes } from './chatResourceRoutes.ts';
import { chatServices } from './chatServices.ts';
import { historyRoute } from './historyRoute.ts';
import { promptRoutes } from './promptRoutes.ts';
import { ratingRoute } from './ratingRoute.ts';
import { streamRoute } from './streamRoute.ts';

export function chatRoutes(context: RouteContext): void {
  const services = chatServices(context.deps);
  chatResourceRoutes(context, services);
  promptRoutes(context, services);
  historyRoute(context, services);
  streamRoute(context, services);
  ratingRoute(context, services);
}
