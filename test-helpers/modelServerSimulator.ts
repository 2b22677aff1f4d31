// TEST DOUBLE, NOT A MODEL SERVER: a stand-in for a GPU model server (vLLM, TGI, llama.cpp), for
// benchmarks and fault tests only. These machines have no GPU, so this speaks the same
// OpenAI-compatible HTTP API with made-up words ("token1 token2 …") at a configured pace, a fixed
// number of generation slots, and injected faults (500s, dropped streams). It says nothing about a
// real model's quality or speed; the real llama-server stays the default for everything else.
// Every response carries `x-parley-simulator: stand-in` so a result can never be mistaken for one.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimulatorOptions {
  /** Default 'sim-model'; listed by GET /v1/models. */
  model?: string;
  /** Concurrent generations (default 4). */
  slots?: number;
  /** Queue (like vLLM; default) or answer 429 with Retry-After: 1. */
  whenFull?: 'queue' | 'reject';
  /** Default 20. */
  timeToFirstTokenMs?: number;
  /** Per stream, default 200. */
  tokensPerSecond?: number;
  /** Tokens per answer when the request sets no max_tokens (default 16); max_tokens caps it. */
  answerTokens?: number;
  /** Share of requests answered 500 (JSON error body) before any token; default 0. */
  errorRate?: number;
  /** Share of streams whose socket is destroyed after about half the tokens; default 0. */
  dropRate?: number;
  /** Deterministic choice of which requests error/drop (simple seeded PRNG). */
  seed?: number;
  /** Default: any free port. A fixed one lets a restarted stand-in keep its registered URL. */
  port?: number;
}

export interface SimulatorStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  completed: number;
  errors: number;
  drops: number;
  rejected: number;
}

/** A chat request as it arrived: when (ms since the epoch) and its text messages. */
export interface ReceivedRequest {
  at: number;
  messages: Array<{ role: string; content: string }>;
  temperature: number | undefined;
}

export interface ModelServerSimulator {
  /** http://127.0.0.1:PORT, without /v1. */
  url: string;
  stats(): SimulatorStats;
  /** The latest chat requests (up to 10,000), oldest first. */
  received(): ReceivedRequest[];
  configure(options: Partial<SimulatorOptions>): void;
  close(): Promise<void>;
}

type Settings = Required<Omit<SimulatorOptions, 'seed' | 'port'>> & { seed?: number };

const defaults: Settings = {
  model: 'sim-model',
  slots: 4,
  whenFull: 'queue',
  timeToFirstTokenMs: 20,
  tokensPerSecond: 200,
  answerTokens: 16,
  errorRate: 0,
  dropRate: 0,
};

const maxBodyBytes = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Errors in OpenAI's shape, so clients exercise the same error paths as against a real server.

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const invalid = (message: string, param: string | null = null) =>
  new ApiError(400, message, 'invalid_request_error', param);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}) {
  const { message, type, param, code } = error;
  sendJson(res, error.status, { error: { message, type, param, code } }, headers);
}

// ---------------------------------------------------------------------------------------------
// Request parsing: only what the simulator needs, validated by hand (no schema library here).

interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  promptTokens: number;
  messages: Array<{ role: string; content: string }>;
  temperature: number | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Words in one message's content: a string, null (assistant tool calls) or text parts. */
function contentWords(content: unknown, param: string): number {
  if (content === null || content === undefined) return 0;
  if (typeof content === 'string') return countWords(content);
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of parts`, param);
  return content.reduce<number>(
    (sum, part) => sum + (isRecord(part) && typeof part.text === 'string' ? countWords(part.text) : 0),
    0,
  );
}

/** The prompt's size in words, which stands in for its token count. */
function promptWords(messages: unknown): number {
  if (messages === undefined) throw invalid('you must provide a messages parameter', 'messages');
  if (!Array.isArray(messages) || messages.length === 0)
    throw invalid('messages must be a non-empty array', 'messages');
  return messages.reduce<number>((sum, message, i) => {
    if (!isRecord(message) || typeof message.role !== 'string')
      throw invalid(`messages[${i}] must be an object with a string role`, `messages[${i}].role`);
    return sum + contentWords(message.content, `messages[${i}].content`);
  }, 0);
}

/** max_tokens, or its newer name max_completion_tokens (the SDK and vLLM accept both). */
function maxTokensOf(body: Record<string, unknown>): number | undefined {
  const param = body.max_tokens !== undefined ? 'max_tokens' : 'max_completion_tokens';
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw invalid(`${param} must be a positive integer`, param);
  return value;
}

function parseChatRequest(raw: string, servedModel: string): ChatRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid('the request body is not valid JSON');
  }
  if (!isRecord(body)) throw invalid('the request body must be a JSON object');
  // Like vLLM and llama-server, an absent model means the one served; a different one is unknown.
  const model = body.model ?? servedModel;
  if (typeof model !== 'string') throw invalid('model must be a string', 'model');
  if (model !== servedModel)
    throw new ApiError(
      404,
      `The model \`${model}\` does not exist.`,
      'invalid_request_error',
      'model',
      'model_not_found',
    );
  const promptTokens = promptWords(body.messages);
  const options = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    model,
    stream: body.stream === true,
    includeUsage: options.include_usage === true,
    maxTokens: maxTokensOf(body),
    promptTokens,
    messages: (body.messages as Array<{ role: string; content?: unknown }>).map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' ? m.content : '',
    })),
    temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes)
      throw new ApiError(413, 'the request body is too large', 'invalid_request_error');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Slots: a generation holds one from its first token's wait to its end, as a GPU batch slot would.

class Slots {
  running = 0;
  peak = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly capacity: () => number) {}

  tryAcquire(): boolean {
    if (this.running >= this.capacity() || this.waiting.length > 0) return false;
    this.take();
    return true;
  }

  /** Waits in FIFO order; a waiter whose client leaves is removed and the promise rejects. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(signal.reason);
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', leave, { once: true });
      this.waiting.push(grant);
    });
  }

  release() {
    this.running--;
    this.admit();
  }

  /** Hands free slots to waiters; also called when configure() raises the slot count. */
  admit() {
    while (this.running < this.capacity() && this.waiting.length > 0) {
      this.take();
      this.waiting.shift()?.();
    }
  }

  private take() {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
  }
}

/** mulberry32: tiny and good enough to pick which requests fail, repeatably for a given seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Generation: one word per token, the first after timeToFirstTokenMs, then one per 1/tokensPerSecond.
// Each token is scheduled from the start time, so timer lateness does not add up over a long answer.

interface Plan {
  id: string;
  created: number;
  request: ChatRequest;
  tokens: number;
  finishReason: 'stop' | 'length';
  /** Tokens sent before the socket is destroyed, or undefined when this one is not dropped. */
  dropAfter: number | undefined;
}

type Outcome = 'completed' | 'dropped';

async function generate(
  plan: Plan,
  settings: Settings,
  signal: AbortSignal,
  emit: (token: string, index: number) => Promise<void>,
  drop: () => void,
): Promise<Outcome> {
  const start = Date.now();
  const interval = 1000 / settings.tokensPerSecond;
  for (let i = 0; i < plan.tokens; i++) {
    const due = start + settings.timeToFirstTokenMs + i * interval;
    await sleep(Math.max(0, due - Date.now()), undefined, { signal });
    await emit(`token${i + 1} `, i);
    if (plan.dropAfter === i + 1) {
      drop();
      return 'dropped';
    }
  }
  return 'completed';
}

const usageOf = (plan: Plan) => ({
  prompt_tokens: plan.request.promptTokens,
  completion_tokens: plan.tokens,
  total_tokens: plan.request.promptTokens + plan.tokens,
});

function chunk(plan: Plan, choices: unknown[], extra: Record<string, unknown> = {}) {
  const body = {
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.request.model,
    choices,
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/**
 * Resolves once the chunk is handed to the socket, so a drop right after it still delivers it; or
 * when the request is aborted, so a client that stopped reading cannot pin the slot.
 */
function write(res: ServerResponse, data: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    res.write(data, done);
  });
}

async function streamAnswer(
  res: ServerResponse,
  plan: Plan,
  settings: Settings,
  signal: AbortSignal,
): Promise<Outcome> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const emit = (content: string, index: number) => {
    const delta = index === 0 ? { role: 'assistant', content } : { content };
    return write(res, chunk(plan, [{ index: 0, delta, finish_reason: null }]), signal);
  };
  const outcome = await generate(plan, settings, signal, emit, () => res.destroy());
  if (outcome === 'dropped') return outcome;
  res.write(chunk(plan, [{ index: 0, delta: {}, finish_reason: plan.finishReason }]));
  if (plan.request.includeUsage) res.write(chunk(plan, [], { usage: usageOf(plan) }));
  res.end('data: [DONE]\n\n');
  return outcome;
}

async function wholeAnswer(
  res: ServerResponse,
  plan: Plan,
  settings: Settings,
  signal: AbortSignal,
): Promise<Outcome> {
  const words: string[] = [];
  const collect = async (token: string) => void words.push(token);
  const outcome = await generate(plan, settings, signal, collect, () => res.destroy());
  if (outcome === 'dropped') return outcome;
  sendJson(res, 200, {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.request.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: words.join('') },
        finish_reason: plan.finishReason,
      },
    ],
    usage: usageOf(plan),
  });
  return outcome;
}

// ---------------------------------------------------------------------------------------------

/** Applies changes that are set (an explicit undefined keeps the current value) and checks them. */
function merge(current: Settings, changes: Partial<SimulatorOptions>): Settings {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const next: Settings = { ...current, ...set };
  if (!Number.isInteger(next.slots) || next.slots < 1) throw new RangeError('slots must be an integer >= 1');
  if (!(next.tokensPerSecond > 0)) throw new RangeError('tokensPerSecond must be > 0');
  if (!Number.isInteger(next.answerTokens) || next.answerTokens < 1)
    throw new RangeError('answerTokens must be an integer >= 1');
  return next;
}

export async function startModelServerSimulator(
  options: SimulatorOptions = {},
): Promise<ModelServerSimulator> {
  let settings = merge(defaults, options);
  let random = settings.seed === undefined ? Math.random : seededRandom(settings.seed);
  const counts = { requests: 0, completed: 0, errors: 0, drops: 0, rejected: 0 };
  const log: ReceivedRequest[] = [];
  const slots = new Slots(() => settings.slots);
  // Aborted on close(), so generations and queued requests end instead of holding the server open.
  const closing = new AbortController();

  function plan(request: ChatRequest, drop: boolean): Plan {
    const cap = request.maxTokens ?? Infinity;
    const tokens = Math.min(settings.answerTokens, cap);
    return {
      id: `chatcmpl-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      request,
      tokens,
      finishReason: cap < settings.answerTokens ? 'length' : 'stop',
      dropAfter: drop ? Math.max(1, Math.floor(tokens / 2)) : undefined,
    };
  }

  /** Aborts when the client goes away before the answer is complete, or the simulator closes. */
  function requestSignal(res: ServerResponse): AbortSignal {
    const left = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) left.abort(new Error('client disconnected'));
    });
    return AbortSignal.any([left.signal, closing.signal]);
  }

  async function chatCompletion(req: IncomingMessage, res: ServerResponse) {
    counts.requests++;
    const at = Date.now();
    const request = parseChatRequest(await readBody(req), settings.model);
    if (log.length >= 10_000) log.shift();
    log.push({ at, messages: request.messages, temperature: request.temperature });
    // Both draws happen for every request, so a seed picks the same requests whatever the rates.
    const [errorDraw, dropDraw] = [random(), random()];
    if (errorDraw < settings.errorRate)
      throw new ApiError(500, 'simulated model server failure', 'server_error', null, 'simulated_error');
    const signal = requestSignal(res);
    if (settings.whenFull === 'reject') {
      if (!slots.tryAcquire()) {
        counts.rejected++;
        return sendError(res, new ApiError(429, 'all generation slots are busy', 'rate_limit_error'), {
          'retry-after': '1',
        });
      }
    } else {
      await slots.acquire(signal);
    }
    try {
      const answer = plan(request, dropDraw < settings.dropRate);
      const outcome = await (request.stream ? streamAnswer : wholeAnswer)(res, answer, settings, signal);
      counts[outcome === 'completed' ? 'completed' : 'drops']++;
    } finally {
      slots.release();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/v1/models')
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: settings.model, object: 'model', owned_by: 'parley-simulator' }],
      });
    if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletion(req, res);
    throw new ApiError(404, `no route ${req.method} ${path}`, 'invalid_request_error');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    res.setHeader('x-parley-simulator', 'stand-in');
    try {
      await route(req, res);
    } catch (error) {
      // A client that left (or close()) needs no answer; anything else gets OpenAI's error shape.
      if (res.headersSent || res.destroyed) return void res.destroy();
      if (error instanceof ApiError && error.status !== 429) counts.errors++;
      sendError(res, error instanceof ApiError ? error : new ApiError(500, String(error), 'server_error'));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...counts, inFlight: slots.running, maxInFlight: slots.peak }),
    received: () => [...log],
    configure(changes) {
      settings = merge(settings, changes);
      if (changes.seed !== undefined) random = seededRandom(changes.seed);
      slots.admit(); // more slots may free queued requests at once
    },
    close() {
      // Idempotent: a fault test closes a simulator mid-test, and its cleanup closes it again.
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort(new Error('simulator closed'));
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive sockets of the SDK would otherwise hold close() open
      });
      return closed;
    },
  };
}
