// The child processes of `npm run bench -- inference`, each in a process of its own so its CPU
// time can be read from /proc and it does not share the bench's event loop. Talks to the bench
// over the IPC channel (spawned with stdio 'ipc'); exits when the bench goes away.
//
//   simulator '<SimulatorOptions JSON>'  the GPU-server simulator (a labelled stand-in, not a
//       model server). Reports every chat request: when it arrived, when its response ended (the
//       last token, then the finish chunk and [DONE], are written in one go), and the last
//       message's content, which names the bench prompt. Node's http diagnostics channels give
//       the times; the body is tapped as the simulator reads it. Nothing of the simulator changes.
//   processor '<InferenceProcessorOverrides JSON>'  the inference processor on the bench's topics.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '../../core/config.ts';
import { onShutdown } from '../../core/shutdown.ts';
import {
  startInferenceProcessor,
  type InferenceProcessorOverrides,
} from '../../processors/inference/startInferenceProcessor.ts';
import {
  startModelServerSimulator,
  type SimulatorOptions,
  type SimulatorStats,
} from '../../test-helpers/modelServerSimulator.ts';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

/** One chat request as the simulator served it. */
export interface ServedRequest {
  /** The last message's content. */
  content: string;
  at: number;
  /** When the response was handed to the socket in full; undefined if it never was. */
  finishedAt?: number;
  status: number;
}

export type ChildMessage =
  | { type: 'ready'; url?: string }
  | { type: 'served'; requests: ServedRequest[] }
  | { type: 'flushed'; stats: SimulatorStats };

export type ParentMessage = { type: 'flush' };

const send = (message: ChildMessage) => process.send?.(message);

async function simulator(options: SimulatorOptions): Promise<void> {
  const open = new WeakMap<ServerResponse, { at: number; body: Buffer[] }>();
  let served: ServedRequest[] = [];
  const contentOf = (body: Buffer[]): string => {
    try {
      const { messages } = JSON.parse(Buffer.concat(body).toString('utf8')) as {
        messages?: Array<{ content?: unknown }>;
      };
      const content = messages?.at(-1)?.content;
      return typeof content === 'string' ? content : '';
    } catch {
      return '';
    }
  };
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (request.method !== 'POST' || !request.url?.startsWith('/v1/chat/completions')) return;
    const entry = { at: now(), body: [] as Buffer[] };
    open.set(response, entry);
    // The simulator reads the body with for await; this iterator hands it the same chunks.
    const read = request[Symbol.asyncIterator].bind(request);
    Object.defineProperty(request, Symbol.asyncIterator, {
      value: async function* () {
        for await (const chunk of read()) {
          entry.body.push(chunk as Buffer);
          yield chunk;
        }
      },
    });
  });
  const ended = (finished: boolean) => (message: unknown) => {
    const { response } = message as { response: ServerResponse };
    const entry = open.get(response);
    if (!entry) return;
    open.delete(response);
    served.push({
      content: contentOf(entry.body),
      at: entry.at,
      finishedAt: finished ? now() : undefined,
      status: response.statusCode,
    });
  };
  subscribe('http.server.response.finish', ended(true));

  const sim = await startModelServerSimulator(options);
  const flush = () => {
    if (served.length === 0) return;
    send({ type: 'served', requests: served });
    served = [];
  };
  const timer = setInterval(flush, 200);
  process.on('message', (message: ParentMessage) => {
    if (message.type !== 'flush') return;
    flush();
    send({ type: 'flushed', stats: sim.stats() });
  });
  const close = async () => {
    clearInterval(timer);
    await sim.close();
  };
  onShutdown(close);
  process.once('disconnect', () => void close().finally(() => process.exit(0)));
  send({ type: 'ready', url: sim.url });
}

async function processor(overrides: InferenceProcessorOverrides): Promise<void> {
  const { clients } = loadConfig();
  const running = await startInferenceProcessor(
    { ...clients, processor: { ...clients.processor, metricsPort: 0 } },
    { ...overrides, metricsPort: 0 },
  );
  onShutdown(() => running.stop());
  // The bench went away without stopping us: stop as SIGTERM would.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  void running.runtime.crashed.then((error) => {
    console.error('inference processor: the Kafka consumer crashed for good:', error);
    process.exit(1);
  });
  send({ type: 'ready' });
}

const [mode, json] = process.argv.slice(2);
if (mode === 'simulator') await simulator(JSON.parse(json ?? '{}') as SimulatorOptions);
else if (mode === 'processor') await processor(JSON.parse(json ?? '{}') as InferenceProcessorOverrides);
else {
  console.error('usage: inferenceChild.ts simulator|processor <options JSON>');
  process.exit(2);
}
