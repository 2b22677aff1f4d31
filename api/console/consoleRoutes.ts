// GET /v1/console/snapshot: what the operator console draws (topics' end offsets, consumer lag,
// latency and TTFT per model version, dead letters and failed answers, model-server slots), for
// the bearer of PARLEY_CONSOLE_TOKEN only. Declared like every route, so /openapi.json has it.
import { z } from 'zod';
import type { RouteContext } from '../http/routeContext.ts';
import { requireOperator } from './operatorAccess.ts';
import { consoleSnapshot } from './snapshotSchema.ts';

const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export function consoleRoutes({ add, deps }: RouteContext): void {
  add({
    method: 'get',
    path: '/v1/console/snapshot',
    summary:
      'Operator figures for the console (Authorization: Bearer <PARLEY_CONSOLE_TOKEN>, not a user token); a source that is down leaves its sections null and a line in errors',
    tag: 'operations',
    // Not a user route: the operator token is checked before the handler.
    access: 'none',
    before: async (_principal, req) => requireOperator(req, deps.console && deps.config.console.token),
    responses: {
      200: { description: 'The snapshot', schema: consoleSnapshot },
      401: { description: 'No operator token, or a wrong one', schema: errorBody },
      404: { description: 'The console is disabled (PARLEY_CONSOLE_TOKEN is unset)', schema: errorBody },
    },
    handle: async () => ({
      status: 200,
      // Checked on the way out too: the page and any other client rely on this shape.
      body: consoleSnapshot.parse(await deps.console!.take()),
      headers: { 'cache-control': 'no-store' },
    }),
  });
}
