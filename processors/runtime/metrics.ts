// Prometheus metrics of a processor, served on /metrics.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The two record counts of a running processor; different figures, each with its own bound. */
export interface RecordCounts {
  /** Fetched and not yet done, wherever they are (bounded by the runtime's buffer). */
  buffered: () => number;
  /** Holding a handler slot (bounded by PARLEY_PROCESSOR_MAX_IN_FLIGHT). */
  inFlight: () => number;
}

export class ProcessorMetrics {
  readonly registry = new Registry();
  readonly consumed: Counter<'topic'>;
  readonly processed: Counter<'topic' | 'event'>;
  readonly failed: Counter<'topic' | 'kind'>;
  readonly deadLettered: Counter<'topic'>;
  readonly batchSize: Histogram;
  readonly processingSeconds: Histogram;
  readonly recordAgeSeconds: Histogram<'stage'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly paused: Gauge;
  readonly recordsBuffered: Gauge;
  readonly recordsInFlight: Gauge;

  /** `counts` are read when scraped (no gauge updates per record). */
  constructor(processor: string, counts: RecordCounts) {
    this.registry.setDefaultLabels({ processor });
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
    const registers = [this.registry];
    this.consumed = new Counter({
      name: 'parley_processor_records_consumed_total',
      help: 'Records fetched from Kafka',
      labelNames: ['topic'],
      registers,
    });
    this.processed = new Counter({
      name: 'parley_processor_records_processed_total',
      help: 'Records whose effects are durable',
      labelNames: ['topic', 'event'],
      registers,
    });
    this.failed = new Counter({
      name: 'parley_processor_attempts_failed_total',
      help: 'Failed handling attempts, by failure kind',
      labelNames: ['topic', 'kind'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'parley_processor_records_dead_lettered_total',
      help: 'Records sent to the dead-letter topic',
      labelNames: ['topic'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'parley_processor_batch_size',
      help: 'Records per handler call',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
      registers,
    });
    this.processingSeconds = new Histogram({
      name: 'parley_processor_processing_seconds',
      help: 'Handler call duration, retries included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.recordAgeSeconds = new Histogram({
      name: 'parley_processor_record_age_seconds',
      help: 'Time since the record was produced (its Kafka timestamp), when fetched and when its effects are durable',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.lag = new Gauge({
      name: 'parley_processor_consumer_lag',
      help: 'High watermark minus next offset to fetch',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.paused = new Gauge({
      name: 'parley_processor_paused',
      help: '1 while fetching is paused for a failing sink',
      registers,
    });
    this.recordsBuffered = new Gauge({
      name: 'parley_processor_records_buffered',
      help:
        'Records fetched and not yet done: waiting for their key or a handler slot, or being handled ' +
        '(at most 4 × PARLEY_PROCESSOR_MAX_IN_FLIGHT)',
      registers,
      collect() {
        this.set(counts.buffered());
      },
    });
    this.recordsInFlight = new Gauge({
      name: 'parley_processor_records_in_flight',
      help:
        'Records being handled: in handler calls, or in a batch about to start one ' +
        '(at most PARLEY_PROCESSOR_MAX_IN_FLIGHT)',
      registers,
      collect() {
        this.set(counts.inFlight());
      },
    });
  }

  /** Serves /metrics on 127.0.0.1:port (0 picks a free port); resolves with the server. */
  serve(host: string, port: number): Promise<Server> {
    const server = createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'see /metrics' }));
        return;
      }
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics());
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
