// The inference processor's own figures, beside the runtime's: answers by outcome, model time and
// time to first token per version, and the model-server slots busy and free per version and server
// (the console's view of whether the GPUs idle while prompts wait).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ModelPools } from '../../connectors/model-server/modelPools.ts';

export class InferenceMetrics {
  readonly answers: Counter<'outcome'>;
  readonly modelSeconds: Histogram<'version'>;
  readonly ttftSeconds: Histogram<'version'>;

  constructor(registry: Registry, pools: () => ModelPools | undefined) {
    const registers = [registry];
    this.answers = new Counter({
      name: 'parley_inference_answers_total',
      help: 'Requests handled, by outcome: answered, cache_hit, failed, already_recorded, shadow_answered, shadow_failed',
      labelNames: ['outcome'],
      registers,
    });
    this.modelSeconds = new Histogram({
      name: 'parley_inference_model_seconds',
      help: 'From request to the last token, per model version',
      labelNames: ['version'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
      registers,
    });
    this.ttftSeconds = new Histogram({
      name: 'parley_inference_ttft_seconds',
      help: 'From request to the first streamed token, per model version (model answers; cache hits have none)',
      labelNames: ['version'],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
      registers,
    });
    new Gauge({
      name: 'parley_model_server_slots',
      help: 'Model-server slots per version and server, by state (busy, free)',
      labelNames: ['version', 'server', 'state'],
      registers,
      collect() {
        this.reset();
        for (const s of pools()?.status() ?? []) {
          this.set({ version: s.version, server: s.url, state: 'busy' }, s.outstanding);
          this.set(
            { version: s.version, server: s.url, state: 'free' },
            Math.max(0, s.slots - s.outstanding),
          );
        }
      },
    });
    new Gauge({
      name: 'parley_model_server_up',
      help: '1 when the server passes its health probe and its circuit breaker is not open',
      labelNames: ['version', 'server'],
      registers,
      collect() {
        this.reset();
        for (const s of pools()?.status() ?? [])
          this.set({ version: s.version, server: s.url }, s.healthy && s.breaker !== 'open' ? 1 : 0);
      },
    });
  }
}
