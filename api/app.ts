// The HTTP API (express): JSON everywhere, every write an event, every read a projection. Route
// modules declare their routes through RouteContext.add (api/http/route.ts), which validates input
// with the same zod schemas the OpenAPI document at /openapi.json is generated from.
import express, { type Express } from 'express';
import type { ApiDeps } from './apiDeps.ts';
import { authenticator } from './auth/authenticate.ts';
import { chatRoutes } from './chats/chatRoutes.ts';
import { consolePage } from './console/consolePage.ts';
import { consoleRoutes } from './console/consoleRoutes.ts';
import { healthRoutes } from './health.ts';
import { errorHandler, methodNotAllowed, notFound } from './http/errors.ts';
import { HttpMetrics } from './http/httpMetrics.ts';
import { addRoute } from './http/route.ts';
import type { RouteContext } from './http/routeContext.ts';
import { identityRoutes } from './identity/identityRoutes.ts';
import { createOpenApiRegistry, openApiDocument } from './openapi.ts';
import { openAiRoutes } from './openai/openAiRoutes.ts';

export interface ApiApp {
  app: Express;
  metrics: HttpMetrics;
  /** The OpenAPI 3.1 document of every route. */
  openApi: object;
}

export function createApiApp(deps: ApiDeps): ApiApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const metrics = new HttpMetrics();
  app.use(metrics.middleware());
  app.use(express.json({ limit: deps.config.api.bodyLimitBytes, strict: false }));

  const registry = createOpenApiRegistry();
  const router = express.Router();
  const authenticate = authenticator(deps.sessions, deps.apiKeys);
  const methodsByPath = new Map<string, string[]>([['/openapi.json', ['GET']]]);
  const context: RouteContext = {
    deps,
    add: (spec) => {
      const methods = methodsByPath.get(spec.path) ?? [];
      methodsByPath.set(spec.path, [...methods, spec.method.toUpperCase()]);
      addRoute(router, registry, authenticate, spec);
    },
  };
  healthRoutes(context, () => metrics.registry);
  identityRoutes(context);
  chatRoutes(context);
  openAiRoutes(context);
  consoleRoutes(context);

  const openApi = openApiDocument(registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(consolePage());
  app.use(router);
  // A known path with an undeclared method is a 405 with Allow, not a misleading 404.
  for (const [path, methods] of methodsByPath) {
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    app.all(path, (req) => {
      throw methodNotAllowed(req.method, allowed);
    });
  }
  app.use(() => {
    throw notFound('route');
  });
  app.use(errorHandler(deps.log));
  return { app, metrics, openApi };
}
