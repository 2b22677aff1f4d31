// The API's Prometheus metrics: requests by route and status, and their duration.
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly seconds: Histogram<'method' | 'route'>;

  constructor() {
    this.registry.setDefaultLabels({ service: 'api' });
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_api_' });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'parley_api_requests_total',
      help: 'HTTP requests, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.seconds = new Histogram({
      name: 'parley_api_request_seconds',
      help: 'HTTP request duration until the response is sent (streams: until they end)',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.05, 0.1, 0.25, 1, 5, 30],
      registers,
    });
  }

  /** Labels by the route pattern (not the URL: ids would explode the label set). */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        this.seconds.observe({ method: req.method, route }, (performance.now() - started) / 1000);
      });
      next();
    };
  }
}
