// The model-server simulator (a stand-in for a GPU server, see its header) is checked with the
// official OpenAI SDK, the client the platform itself uses, so benchmarks and fault tests built on
// it exercise the same protocol paths as against vLLM, TGI or llama-server. Needs no other servers.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { eventually, within } from '../bounded.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
  type SimulatorOptions,
} from '../modelServerSimulator.ts';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

// Fast pacing keeps the suite quick; tests about timing set their own.
const fast: SimulatorOptions = { timeToFirstTokenMs: 5, tokensPerSecond: 1000 };
const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Name one colour please.' },
];
const promptWords = 6;

const started: ModelServerSimulator[] = [];
after(() => within('closing the simulators', 5_000, Promise.all(started.map((sim) => sim.close()))));

/** A simulator of its own (so its stats belong to one test) and an SDK client pointed at it. */
async function simulator(options: SimulatorOptions = {}) {
  const sim = await startModelServerSimulator({ ...fast, ...options });
  started.push(sim);
  const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 10_000 });
  return { sim, client };
}

/** Reads a stream to its end: the content pieces, the finish reason and the usage chunk. */
async function drain(stream: AsyncIterable<Chunk>) {
  const pieces: string[] = [];
  let finishReason: string | null = null;
  let usage: Chunk['usage'] = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) pieces.push(choice.delta.content);
    finishReason = choice?.finish_reason ?? finishReason;
    usage = chunk.usage ?? usage;
  }
  return { pieces, finishReason, usage };
}

const streamed = (client: OpenAI, extra: { max_tokens?: number } = {}) =>
  client.chat.completions.create({ model: 'sim-model', messages, stream: true, ...extra });

test(
  'streams the configured number of tokens, then finish_reason and usage',
  { timeout: 10_000 },
  async () => {
    const { client } = await simulator({ answerTokens: 8 });
    const { data, response } = await client.chat.completions
      .create({ model: 'sim-model', messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    assert.equal(response.headers.get('x-parley-simulator'), 'stand-in');
    const { pieces, finishReason, usage } = await within('the stream', 5_000, drain(data));
    assert.deepEqual(pieces, [
      'token1 ',
      'token2 ',
      'token3 ',
      'token4 ',
      'token5 ',
      'token6 ',
      'token7 ',
      'token8 ',
    ]);
    assert.equal(finishReason, 'stop');
    assert.deepEqual(usage, {
      prompt_tokens: promptWords,
      completion_tokens: 8,
      total_tokens: promptWords + 8,
    });
  },
);

test('max_tokens cuts the stream with finish_reason "length"', { timeout: 10_000 }, async () => {
  const { client } = await simulator({ answerTokens: 8 });
  const { pieces, finishReason, usage } = await within(
    'the stream',
    5_000,
    drain(await streamed(client, { max_tokens: 3 })),
  );
  assert.equal(pieces.length, 3);
  assert.equal(finishReason, 'length');
  assert.equal(usage, null, 'no usage chunk unless stream_options.include_usage');
});

test('answers a non-streaming request with one chat.completion', { timeout: 10_000 }, async () => {
  const { client, sim } = await simulator({ answerTokens: 4 });
  const completion = await client.chat.completions.create({ model: 'sim-model', messages });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0]?.message.role, 'assistant');
  assert.equal(completion.choices[0]?.message.content, 'token1 token2 token3 token4 ');
  assert.equal(completion.choices[0]?.finish_reason, 'stop');
  assert.deepEqual(completion.usage, { prompt_tokens: promptWords, completion_tokens: 4, total_tokens: 10 });
  assert.equal(sim.stats().completed, 1);
});

test('lists its model and answers /health, labelled as a stand-in', { timeout: 10_000 }, async () => {
  const { client, sim } = await simulator({ model: 'bench-model' });
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((m) => [m.id, m.owned_by]),
    [['bench-model', 'parley-simulator']],
  );
  const health = await fetch(`${sim.url}/health`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  assert.equal(health.headers.get('x-parley-simulator'), 'stand-in');
});

test('queue mode: 6 concurrent streams on 2 slots all complete, never more than 2 at once', async () => {
  const { client, sim } = await simulator({ slots: 2, answerTokens: 10, tokensPerSecond: 200 });
  const runs = Array.from({ length: 6 }, async () => drain(await streamed(client)));
  const results = await within('six queued streams', 10_000, Promise.all(runs));
  assert.ok(results.every((r) => r.pieces.length === 10 && r.finishReason === 'stop'));
  assert.deepEqual(sim.stats(), {
    requests: 6,
    inFlight: 0,
    maxInFlight: 2,
    completed: 6,
    errors: 0,
    drops: 0,
    rejected: 0,
  });
});

test('reject mode: the overflow gets 429 with Retry-After', async () => {
  // Long enough answers that the first two still hold both slots when the third arrives.
  const { client, sim } = await simulator({
    slots: 2,
    whenFull: 'reject',
    answerTokens: 20,
    tokensPerSecond: 50,
  });
  const settled = await within(
    'three streams',
    10_000,
    Promise.allSettled(Array.from({ length: 3 }, async () => drain(await streamed(client)))),
  );
  const rejected = settled.filter((s) => s.status === 'rejected');
  assert.equal(rejected.length, 1);
  const error: unknown = rejected[0]?.reason;
  assert.ok(error instanceof OpenAI.APIError, `an APIError, not ${String(error)}`);
  assert.equal(error.status, 429);
  assert.equal(error.headers?.get('retry-after'), '1');
  assert.equal(sim.stats().rejected, 1);
  assert.equal(sim.stats().completed, 2);
});

test('errorRate 1: the SDK raises a 500 APIError before any token', { timeout: 10_000 }, async () => {
  const { client, sim } = await simulator({ errorRate: 1 });
  // create() itself rejects: the error arrives instead of the stream, so no token is ever seen.
  await assert.rejects(streamed(client), (error: unknown) => {
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 500);
    assert.equal(error.type, 'server_error');
    return true;
  });
  assert.equal(sim.stats().errors, 1);
});

test('dropRate 1: the stream yields tokens, then iteration throws', { timeout: 10_000 }, async () => {
  const { client, sim } = await simulator({ dropRate: 1, answerTokens: 10 });
  const pieces: string[] = [];
  const read = async () => {
    for await (const chunk of await streamed(client)) pieces.push(chunk.choices[0]?.delta.content ?? '');
  };
  await assert.rejects(within('the dropped stream', 5_000, read()), (error: unknown) => {
    assert.ok(
      !(error instanceof Error && error.name === 'WaitTimeoutError'),
      'the stream must fail, not hang',
    );
    return true;
  });
  assert.ok(pieces.length >= 1 && pieces.length < 10, `${pieces.length} tokens before the drop`);
  assert.equal(sim.stats().drops, 1);
  assert.equal(sim.stats().inFlight, 0);
});

test('a seed picks the same failing requests again; configure() changes behaviour live', async () => {
  const { client, sim } = await simulator({ errorRate: 0.5, seed: 7, answerTokens: 1 });
  const pattern = async () => {
    const outcomes: boolean[] = [];
    for (let i = 0; i < 12; i++)
      outcomes.push(
        await client.chat.completions.create({ model: 'sim-model', messages }).then(
          () => true,
          () => false,
        ),
      );
    return outcomes;
  };
  const first = await within('first pattern', 10_000, pattern());
  assert.ok(first.includes(true) && first.includes(false), `a mix at rate 0.5: ${first.join(',')}`);
  sim.configure({ seed: 7 });
  assert.deepEqual(await within('second pattern', 10_000, pattern()), first);
  sim.configure({ errorRate: 0 });
  assert.ok((await within('third pattern', 10_000, pattern())).every(Boolean));
});

test('bad requests get OpenAI-shaped errors naming the problem', { timeout: 10_000 }, async () => {
  const { client, sim } = await simulator();
  await assert.rejects(
    client.chat.completions.create({ model: 'sim-model', messages: [] }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'messages');
      assert.match(error.message, /messages/);
      return true;
    },
  );
  await assert.rejects(client.chat.completions.create({ model: 'gpt-9', messages }), (error: unknown) => {
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'model_not_found');
    return true;
  });
  const badJson = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"messages": [',
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(badJson.status, 400);
  assert.deepEqual(await badJson.json(), {
    error: {
      message: 'the request body is not valid JSON',
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
});

test('a client that leaves mid-stream frees its slot', { timeout: 15_000 }, async () => {
  // One slot and a ten-second answer: the second request can only finish if the first one's
  // departure ended its generation.
  const { client, sim } = await simulator({ slots: 1, answerTokens: 1000, tokensPerSecond: 100 });
  const readOneToken = async () => {
    for await (const chunk of await streamed(client)) if (chunk.choices[0]?.delta.content) break;
  };
  await within('the first token', 5_000, readOneToken());
  await eventually(async () => sim.stats().inFlight === 0, 5_000, 'the slot to be freed');
  const second = await within('the second request', 5_000, drain(await streamed(client, { max_tokens: 2 })));
  assert.equal(second.pieces.length, 2);
  assert.equal(sim.stats().completed, 1);
});
