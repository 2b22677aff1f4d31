// The console names the processors' consumer groups and the inference processor's metrics port
// itself (api/ may not import processors/); this holds them to the processors' own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../core/config.ts';
import { CASSANDRA_PROJECTOR } from '../../processors/cassandra/cassandraProjector.ts';
import { clickHouseGroupId } from '../../processors/clickhouse/clickhouseProjector.ts';
import { FEEDBACK_PROCESSOR } from '../../processors/feedback/feedbackProcessor.ts';
import {
  DEFAULT_INFERENCE_METRICS_PORT,
  INFERENCE_PROCESSOR,
} from '../../processors/inference/inferenceProcessor.ts';
import { consoleSources } from './consoleSources.ts';

test("the console watches the processors' own consumer groups, topics and dead-letter topics", () => {
  const config = loadConfig({ PARLEY_CLICKHOUSE_DATABASE: 'analytics' }).clients;
  const sources = consoleSources(config);
  assert.deepEqual(
    sources.groups.map((g) => g.groupId),
    [
      `parley.${CASSANDRA_PROJECTOR}`,
      clickHouseGroupId('analytics'),
      `parley.${FEEDBACK_PROCESSOR}`,
      `parley.${INFERENCE_PROCESSOR}`,
    ],
  );
  assert.ok(sources.topics.includes('parley.chat'));
  assert.ok(sources.deadLetterTopics.includes('parley.chat.dlq'));
  assert.equal(sources.clickhouseDatabase, 'analytics');
});

test("by default the console scrapes the inference processor's /metrics", () => {
  assert.deepEqual(loadConfig({}).clients.console.metricsUrls, [
    `http://127.0.0.1:${DEFAULT_INFERENCE_METRICS_PORT}/metrics`,
  ]);
  assert.deepEqual(
    loadConfig({ PARLEY_CONSOLE_METRICS_URLS: 'http://a:1/metrics, http://b:2/metrics' }).clients.console
      .metricsUrls,
    ['http://a:1/metrics', 'http://b:2/metrics'],
  );
  assert.throws(
    () => loadConfig({ PARLEY_CONSOLE_METRICS_URLS: 'ftp://a/metrics' }),
    /PARLEY_CONSOLE_METRICS_URLS/,
  );
});

test('PARLEY_CONSOLE_TOKEN: unset or empty turns the console off; a weak one fails without being echoed', () => {
  assert.equal(loadConfig({}).clients.console.token, undefined);
  assert.equal(loadConfig({ PARLEY_CONSOLE_TOKEN: '' }).clients.console.token, undefined);
  const strong = 'a'.repeat(24) + '0123456789';
  assert.equal(loadConfig({ PARLEY_CONSOLE_TOKEN: strong }).clients.console.token, strong);
  for (const weak of ['short-secret', `${'b'.repeat(40)} with space`]) {
    assert.throws(
      () => loadConfig({ PARLEY_CONSOLE_TOKEN: weak }),
      (error: Error) => error.message.includes('PARLEY_CONSOLE_TOKEN') && !error.message.includes(weak),
    );
  }
});
