// The model-server pool against stand-in GPU servers (test-helpers/modelServerSimulator.ts, the
// same streaming OpenAI API) for balance and faults, and against the stack's real llama-server.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { within } from '../../../test-helpers/bounded.ts';
import { config } from '../../../test-helpers/config.ts';
import {
  startModelServerSimulator,
  type ModelServerSimulator,
  type SimulatorOptions,
} from '../../../test-helpers/modelServerSimulator.ts';
import {
  defaultPoolSettings,
  ModelServerPool,
  ModelStreamBrokenError,
  ModelUnavailableError,
  type PoolSettings,
} from '../modelServerPool.ts';

const started: ModelServerSimulator[] = [];
after(() => Promise.all(started.map((s) => s.close())));

async function simulators(...options: SimulatorOptions[]): Promise<ModelServerSimulator[]> {
  const sims = await Promise.all(options.map((o) => startModelServerSimulator({ model: 'sim', ...o })));
  started.push(...sims);
  return sims;
}

const fast: PoolSettings = {
  ...defaultPoolSettings,
  firstTokenTimeoutMs: 1_000,
  idleTimeoutMs: 1_000,
  backoff: { initialMs: 10, maxMs: 50 },
  breaker: { failureThreshold: 2, openMs: 60_000 },
};

const ask = { messages: [{ role: 'user' as const, content: 'hello there' }], maxTokens: 8 };

test('least outstanding across servers, never more than a server’s slots', async () => {
  const sims = await simulators({ slots: 2, answerTokens: 8 }, { slots: 2, answerTokens: 8 });
  const pool = new ModelServerPool(
    'sim',
    sims.map((s) => ({ url: s.url, slots: 2 })),
    fast,
  );
  const answers = await within(
    '12 completions',
    30_000,
    Promise.all(Array.from({ length: 12 }, () => pool.complete(ask))),
  );
  assert.ok(answers.every((a) => a.text.length > 0 && a.finishReason !== null));
  for (const sim of sims) {
    assert.equal(sim.stats().maxInFlight, 2, 'both servers filled, none beyond its slots');
    assert.equal(sim.stats().rejected, 0);
  }
  assert.deepEqual([...new Set(answers.map((a) => a.server))].sort(), sims.map((s) => s.url).sort());
});

test('a failing server: requests retried on another before the first token; its breaker opens', async () => {
  const [broken, good] = await simulators({ errorRate: 1 }, { slots: 4 });
  const pool = new ModelServerPool(
    'sim',
    [
      { url: broken!.url, slots: 4 },
      { url: good!.url, slots: 4 },
    ],
    fast,
  );
  for (let i = 0; i < 6; i++) {
    const answer = await within('a completion', 10_000, pool.complete(ask));
    assert.equal(answer.server, good!.url);
  }
  assert.equal(broken!.stats().requests, 2, 'the breaker stopped traffic after two failures');
  assert.equal(pool.status().find((s) => s.url === broken!.url)!.breaker, 'open');
});

test('a server silent past the first-token timeout is left for another', async () => {
  const [slow, quick] = await simulators({ timeToFirstTokenMs: 5_000 }, {});
  const pool = new ModelServerPool(
    'sim',
    [
      { url: slow!.url, slots: 1 },
      { url: quick!.url, slots: 1 },
    ],
    {
      ...fast,
      firstTokenTimeoutMs: 300,
    },
  );
  const answers = await within(
    'two completions',
    15_000,
    Promise.all([pool.complete(ask), pool.complete(ask)]),
  );
  assert.ok(answers.every((a) => a.server === quick!.url));
  assert.ok(
    answers.some((a) => a.attempts === 2),
    'one went to the slow server first and was moved',
  );
});

test('a stream broken mid-way restarts once on another server, saying so; broken twice, it fails', async () => {
  const [dropping, good] = await simulators({ dropRate: 1, answerTokens: 20 }, { answerTokens: 20 });
  const pool = new ModelServerPool(
    'sim',
    [
      { url: dropping!.url, slots: 1 },
      { url: good!.url, slots: 1 },
    ],
    fast,
  );
  // The dropping server is picked first only if it is the least loaded: occupy nothing, try until it is.
  const restarts: string[] = [];
  let shown = '';
  const answer = await within(
    'a completion that restarts',
    15_000,
    (async () => {
      for (;;) {
        shown = '';
        const result = await pool.complete(ask, {
          onToken: (t) => (shown += t),
          onRestart: (server) => {
            restarts.push(server);
            shown = '';
          },
        });
        if (result.restarted) return result;
      }
    })(),
  );
  assert.deepEqual(restarts, [dropping!.url]);
  assert.equal(answer.server, good!.url);
  assert.equal(shown, answer.text, 'after the restart the caller shows the new answer only');

  const [d1, d2] = await simulators({ dropRate: 1, answerTokens: 20 }, { dropRate: 1, answerTokens: 20 });
  const bothDrop = new ModelServerPool(
    'sim',
    [
      { url: d1!.url, slots: 1 },
      { url: d2!.url, slots: 1 },
    ],
    fast,
  );
  await assert.rejects(
    within('a twice-broken stream', 15_000, bothDrop.complete(ask)),
    ModelStreamBrokenError,
  );
});

test('health probes take a dead server out; with every server out, the pool says so at once', async () => {
  const [dead, alive] = await simulators({}, {});
  const pool = new ModelServerPool(
    'sim',
    [
      { url: dead!.url, slots: 2 },
      { url: alive!.url, slots: 2 },
    ],
    fast,
  );
  await dead!.close();
  await pool.probe();
  assert.deepEqual(
    pool.status().map((s) => s.healthy),
    [false, true],
  );
  const answer = await within('a completion', 10_000, pool.complete(ask));
  assert.equal(answer.attempts, 1, 'the dead server was never tried');
  await alive!.close();
  await pool.probe();
  await assert.rejects(pool.complete(ask), ModelUnavailableError);
  assert.equal(pool.freeSlots, 0);
});

test('the real llama-server of the stack streams an answer through the pool', async () => {
  const pool = new ModelServerPool(config.clients.modelServer.model, [
    { url: config.clients.modelServer.url, slots: 1 },
  ]);
  const tokens: string[] = [];
  const answer = await within(
    'a llama-server completion',
    120_000,
    pool.complete(
      { messages: [{ role: 'user', content: 'Say hello.' }], maxTokens: 16 },
      { onToken: (t) => tokens.push(t) },
    ),
  );
  assert.ok(answer.text.length > 0);
  assert.equal(tokens.join(''), answer.text);
  assert.ok(answer.timeToFirstTokenMs! > 0 && answer.completionTokens! > 0);
});
