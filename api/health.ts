// Liveness (/healthz: the process answers), readiness (/readyz: every store it needs answers, each
// checked with a real request and a bound) and Prometheus metrics (/metrics).
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { within } from '../core/within.ts';
import type { RouteContext } from './http/routeContext.ts';

const CHECK_TIMEOUT_MS = 1_000;

export function healthRoutes({ add, deps }: RouteContext, metricsRegistry: () => Registry): void {
  add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    access: 'none',
    responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
    handle: async () => ({ status: 200, body: { status: 'ok' } }),
  });

  const checks: Record<string, () => Promise<unknown>> = {
    postgres: () => deps.db.query('SELECT 1'),
    redis: () => deps.redis.ping(),
    cassandra: () => deps.cassandra.execute('SELECT release_version FROM system.local'),
  };
  add({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL, Redis and Cassandra answer',
    tag: 'operations',
    access: 'none',
    responses: {
      200: {
        description: 'Ready',
        schema: z.object({ status: z.string(), checks: z.record(z.string(), z.string()) }),
      },
      503: {
        description: 'A dependency does not answer',
        schema: z.object({ status: z.string(), checks: z.record(z.string(), z.string()) }),
      },
    },
    handle: async () => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await within(name, CHECK_TIMEOUT_MS, check());
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, error instanceof Error ? error.message.slice(0, 200) : 'failed'] as const;
          }
        }),
      );
      const ready = results.every(([, result]) => result === 'ok');
      return {
        status: ready ? 200 : 503,
        body: { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) },
      };
    },
  });

  add({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    access: 'none',
    responses: {
      200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' },
    },
    handle: async ({ res }) => {
      const registry = metricsRegistry();
      res.type(registry.contentType).send(await registry.metrics());
    },
  });
}
