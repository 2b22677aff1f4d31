// The operator console in Debian's Chromium (driven by playwright-core, never a downloaded browser),
// against the real stack: the API with a console token, the inference processor on the stack's
// llama-server, the Cassandra projector (the history it reads) and the ClickHouse projector into a
// fresh database. The page must load without console errors, draw its charts from live figures,
// and take a new user through a chat: register, prompt, streamed answer, rating. A screenshot is
// kept in .stack/artifacts/console.png.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadStackPathsConfig } from '../../../core/config.ts';
import type { ClickHouseProjector } from '../../../processors/clickhouse/clickhouseProjector.ts';
import { call, newUser } from '../../../test-helpers/api.ts';
import { eventually, within } from '../../../test-helpers/bounded.ts';
import {
  createTestDatabase,
  startTestProjector,
  type TestDatabase,
} from '../../../test-helpers/clickhouse.ts';
import { config, repoRoot } from '../../../test-helpers/config.ts';
import { startInferenceHarness, type InferenceHarness } from '../../../test-helpers/inference.ts';
import { testConfig } from '../../../test-helpers/projector.ts';
import { createApiApp } from '../../app.ts';
import { startApi, type RunningApi } from '../../server.ts';
import { samplesOf } from '../prometheusText.ts';
import { consoleSnapshot } from '../snapshotSchema.ts';

const CHROMIUM = '/usr/bin/chromium';
const { url: modelUrl, model } = config.clients.modelServer;
const operatorToken = randomBytes(32).toString('hex');
const artifacts = join(resolve(loadStackPathsConfig().stackDir ?? join(repoRoot, '.stack')), 'artifacts');

let harness: InferenceHarness;
let database: TestDatabase;
let projector: ClickHouseProjector;
let api: RunningApi;
let browser: Browser;
let metricsUrl: string;

/** A port nothing listens on now (the inference processor's /metrics, which the console scrapes). */
async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

before(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`Debian's Chromium is missing (${CHROMIUM}): sudo apt-get install -y chromium`);
  });
  const metricsPort = await freePort();
  metricsUrl = `http://${testConfig.processor.metricsHost}:${metricsPort}/metrics`;
  harness = await startInferenceHarness(
    [
      {
        version: model,
        modelName: model,
        servers: [{ url: modelUrl, slots: config.stack.PARLEY_MODEL_SLOTS }],
      },
    ],
    { metricsPort },
  );
  database = await createTestDatabase();
  projector = await startTestProjector([harness.topics.chat], database, { flushRows: 1_000, flushMs: 200 });
  const { chat, identity, model: modelTopic } = harness.topics;
  api = await startApi(
    {
      ...testConfig,
      console: {
        token: operatorToken,
        metricsUrls: [metricsUrl],
      },
    },
    {
      port: 0,
      keyspace: harness.keyspace,
      topics: { chat },
      modelTopic,
      console: {
        topics: [chat, identity, modelTopic],
        deadLetterTopics: [`${chat}.dlq`, `${identity}.dlq`],
        groups: [
          { processor: 'inference', groupId: harness.processor.runtime.groupId },
          { processor: 'clickhouse', groupId: projector.groupId },
        ],
        clickhouseDatabase: database.name,
      },
    },
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await api?.stop();
  await projector?.stop();
  await harness?.close();
  await database?.drop();
});

test('the snapshot is for the operator only: 401 without or with a wrong token, 404 when the console is off', async () => {
  const path = '/v1/console/snapshot';
  const missing = await call(api.url, 'GET', path);
  assert.equal(missing.status, 401);
  assert.equal(missing.body.error.code, 'unauthorized');
  assert.equal((await call(api.url, 'GET', path, { token: `${operatorToken}x` })).status, 401);
  assert.equal((await call(api.url, 'GET', path, { token: operatorToken.slice(0, -1) })).status, 401);
  const { token: userToken } = await newUser(api.url);
  assert.equal((await call(api.url, 'GET', path, { token: userToken })).status, 401, 'a user is no operator');

  const ok = await call(api.url, 'GET', path, { token: operatorToken });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  const snapshot = consoleSnapshot.parse(ok.body);
  assert.deepEqual(snapshot.errors, [], 'every source answers');
  assert.deepEqual(
    snapshot.topics?.map((t) => t.topic),
    [harness.topics.chat, harness.topics.identity, harness.topics.model],
  );
  assert.ok(Date.now() - Date.parse(snapshot.at) < 60_000);
  const openApi = await call(api.url, 'GET', '/openapi.json');
  assert.ok(openApi.body.paths[path].get.responses['404'], 'the route is in the OpenAPI document');

  // The same dependencies without a token: what PARLEY_CONSOLE_TOKEN unset gives the API.
  const off = createApiApp({
    ...api.deps,
    config: { ...api.deps.config, console: { ...api.deps.config.console, token: undefined } },
    console: undefined,
  });
  const server = off.app.listen(0, '127.0.0.1');
  try {
    await within('the console-off API to listen', 5_000, new Promise((up) => server.once('listening', up)));
    const offUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const token of [undefined, operatorToken]) {
      const disabled = await call(offUrl, 'GET', path, { token });
      assert.equal(disabled.status, 404);
      assert.equal(disabled.body.error.code, 'console_disabled');
      assert.match(disabled.body.error.message, /PARLEY_CONSOLE_TOKEN/);
    }
  } finally {
    await new Promise((closed) => server.close(closed));
  }
});

/** The text of one figures list on the page. */
const figures = (page: Page, name: string) => page.locator(`[data-testid="figures-${name}"]`).innerText();

test(
  'the console draws live figures, and its chat panel registers, streams an answer from the real model and rates it',
  { timeout: 300_000 },
  async () => {
    const problems: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));

    try {
      await page.goto(`${api.url}/console#token=${operatorToken}`);
      assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');

      // Live events while the page polls: chats created on the watched topic, one malformed prompt
      // (a SYSTEM role goes to the dead-letter topic) and one for a model nobody serves (AnswerFailed).
      let producing = true;
      const producer = (async () => {
        const chat = await harness.createChat();
        await harness.prompt(chat, 'I am a system message', { role: 'SYSTEM' });
        await harness.prompt(chat, 'hello?', { model_version: 'no-such-model' });
        for (let i = 0; producing && i < 600; i++) {
          await harness.createChat();
          await new Promise((pause) => setTimeout(pause, 100));
        }
      })();
      try {
        await eventually(
          async () => /[1-9][\d.,]*\/s/.test(await figures(page, 'rates')),
          30_000,
          'a non-zero events/s on the page',
        );
      } finally {
        producing = false;
        await producer;
      }
      assert.ok((await page.locator('.chart canvas').count()) >= 5, 'every panel has its uPlot canvas');
      assert.match(await figures(page, 'rates'), new RegExp(harness.topics.chat.replaceAll('.', '\\.')));
      await eventually(
        async () => /inference\s+\d[\d,]* records/.test(await figures(page, 'lag')),
        30_000,
        "the inference processor's lag on the page",
      );
      await eventually(
        async () => new RegExp(`${model}\\s+\\d+ busy, [1-9]\\d* free`).test(await figures(page, 'slots')),
        30_000,
        "the model server's free slots on the page",
      );
      await eventually(
        async () => /\.chat\.dlq\s+1 dead-lettered/.test(await figures(page, 'errors')),
        30_000,
        'the dead letter on the page',
      );
      await eventually(
        async () => /failed answers \(5 min\)\s+1: model_unavailable 1/.test(await figures(page, 'errors')),
        60_000,
        'the failed answer (from ClickHouse) on the page',
      );

      // The chat panel, as a user would use it.
      await page.fill('input[name=password]', `pw-${randomBytes(8).toString('hex')}`);
      await page.click('button[value=register]');
      await page
        .locator('[data-testid=chat-status]', { hasText: 'logged in as' })
        .waitFor({ timeout: 15_000 });
      await page.fill('textarea[name=content]', 'Name a primary colour in one word.');
      await page.click('#prompt button[type=submit]');
      await page.locator('[data-testid=chat-status]', { hasText: 'answered' }).waitFor({ timeout: 180_000 });
      const answer = await page.locator('[data-testid=answer]').innerText();
      assert.ok(answer.trim().length > 0, 'the real model streamed text into the page');
      await page.click('[data-rating=positive]');
      await page
        .locator('[data-testid=chat-status]', { hasText: 'rated positive' })
        .waitFor({ timeout: 15_000 });

      // The answer reaches ClickHouse and the latency panel (p50/p95 over the window, per version).
      await eventually(
        async () => new RegExp(`${model}\\s+latency p50 [\\d,.]+ ms`).test(await figures(page, 'latency')),
        60_000,
        "the model version's latency on the page",
      );
      assert.match(await figures(page, 'latency'), /TTFT p50 [\d,.]+ ms/);
      // The inference processor's own TTFT histogram saw the same answer.
      const ttft = samplesOf(await (await fetch(metricsUrl)).text(), 'parley_inference_ttft_seconds_count');
      assert.ok(
        ttft.some((s) => s.labels.version === model && s.value >= 1),
        JSON.stringify(ttft),
      );

      assert.equal(await page.locator('[data-testid=problems]').isVisible(), false, 'no source failed');
      assert.deepEqual(problems, [], 'the page ran without console errors');
    } finally {
      // Kept whether the test passed or not: what the page showed is the first thing to look at.
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'console.png'), fullPage: true });
      await page.close();
    }
  },
);
