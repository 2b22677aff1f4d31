import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig, loadLoggingConfig } from './config.ts';
import { assertRejectsVariable } from '../test-helpers/configAssertions.ts';

const repoRoot = resolve(import.meta.dirname, '..');

describe('producer compression', () => {
  test('kafkajs accepts none, gzip and snappy', () => {
    for (const compression of ['none', 'gzip', 'snappy']) {
      const { producer } = loadConfig({
        PARLEY_PRODUCER_TRANSPORT: 'kafkajs',
        PARLEY_PRODUCER_COMPRESSION: compression,
      }).clients;
      assert.equal(producer.transport, 'kafkajs');
      assert.equal(producer.compression, compression);
    }
  });

  test('kafkajs with lz4 or zstd fails naming PARLEY_PRODUCER_COMPRESSION', () => {
    for (const compression of ['lz4', 'zstd']) {
      assertRejectsVariable(
        () => loadConfig({ PARLEY_PRODUCER_TRANSPORT: 'kafkajs', PARLEY_PRODUCER_COMPRESSION: compression }),
        'PARLEY_PRODUCER_COMPRESSION',
      );
    }
  });

  test('rdkafka accepts zstd', () => {
    const { producer } = loadConfig({
      PARLEY_PRODUCER_TRANSPORT: 'rdkafka',
      PARLEY_PRODUCER_COMPRESSION: 'zstd',
    }).clients;
    assert.equal(producer.compression, 'zstd');
  });
});

describe('logging', () => {
  test('LOG_LEVEL and PARLEY_SERVICE_NAME are honoured, with defaults when unset', () => {
    assert.deepEqual(loadLoggingConfig({ LOG_LEVEL: 'debug', PARLEY_SERVICE_NAME: 'projector' }), {
      level: 'debug',
      serviceName: 'projector',
    });
    const defaults = loadLoggingConfig({});
    assert.equal(typeof defaults.level, 'string');
    assert.equal(typeof defaults.serviceName, 'string');
  });

  test('a bad LOG_LEVEL fails naming LOG_LEVEL', () => {
    assertRejectsVariable(() => loadLoggingConfig({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL');
    assertRejectsVariable(() => loadLoggingConfig({ LOG_LEVEL: '' }), 'LOG_LEVEL');
  });

  test('an empty PARLEY_SERVICE_NAME fails naming it', () => {
    assertRejectsVariable(() => loadLoggingConfig({ PARLEY_SERVICE_NAME: '' }), 'PARLEY_SERVICE_NAME');
  });

  test('logging does not fail on variables it does not read', () => {
    assert.doesNotThrow(() => loadLoggingConfig({ PARLEY_KAFKA_PORT: 'not a port' }));
  });

  test('the logger takes its level and service from the environment, and refuses a bad LOG_LEVEL', async () => {
    const script =
      "const { logger } = await import('./core/logger.ts'); console.log(JSON.stringify({ level: logger.level, bindings: logger.bindings() }));";
    const run = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
      });
    const { stdout } = await run({ LOG_LEVEL: 'warn', PARLEY_SERVICE_NAME: 'config-test' });
    assert.deepEqual(JSON.parse(stdout), { level: 'warn', bindings: { service: 'config-test' } });
    await assert.rejects(run({ LOG_LEVEL: 'loud' }), (error: { stderr: string }) => {
      assert.match(error.stderr, /ConfigError/);
      assert.match(error.stderr, /\bLOG_LEVEL\b/);
      return true;
    });
  });
});

describe('PARLEY_JAVA21_HOME', () => {
  test('is parsed into the stack config, unset by default', () => {
    assert.equal(loadConfig({ PARLEY_JAVA21_HOME: '/opt/jdk-21' }).stack.PARLEY_JAVA21_HOME, '/opt/jdk-21');
    assert.equal(loadConfig({}).stack.PARLEY_JAVA21_HOME, undefined);
  });

  test('an empty value fails naming it', () => {
    assertRejectsVariable(() => loadConfig({ PARLEY_JAVA21_HOME: '' }), 'PARLEY_JAVA21_HOME');
  });
});

describe('Kafka Connect', () => {
  test('the REST URL follows PARLEY_HOST and PARLEY_CONNECT_PORT unless KAFKA_CONNECT_URL is set', () => {
    assert.equal(loadConfig({}).clients.connectUrl, 'http://127.0.0.1:8083');
    assert.equal(
      loadConfig({ PARLEY_HOST: '127.0.0.2', PARLEY_CONNECT_PORT: '18083' }).clients.connectUrl,
      'http://127.0.0.2:18083',
    );
    assert.equal(
      loadConfig({ KAFKA_CONNECT_URL: 'http://connect.internal:8083' }).clients.connectUrl,
      'http://connect.internal:8083',
    );
  });

  test('a bad port, heap or URL fails naming its variable', () => {
    assertRejectsVariable(() => loadConfig({ PARLEY_CONNECT_PORT: '70000' }), 'PARLEY_CONNECT_PORT');
    assertRejectsVariable(() => loadConfig({ PARLEY_CONNECT_HEAP: '384' }), 'PARLEY_CONNECT_HEAP');
    assertRejectsVariable(() => loadConfig({ KAFKA_CONNECT_URL: 'not a url' }), 'KAFKA_CONNECT_URL');
  });
});
