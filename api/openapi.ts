// The OpenAPI 3.1 document, generated from the zod schemas the routes validate with (api/http/
// route.ts registers each route here). Importing this module first teaches zod `.openapi()`.
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export function createOpenApiRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A session token from POST /v1/auth/login, or an API key from POST /v1/api-keys',
  });
  return registry;
}

export function openApiDocument(registry: OpenAPIRegistry): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley API',
      version: '1',
      description:
        'Every write is an event on Kafka; every read is a projection. Errors: {"error": {"code", "message", "field"?}}.',
    },
    servers: [{ url: '/' }],
  });
}
