// One factory per backing service, so every module (probes, tests, processors) connects the same way.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  ClickHouseLogLevel,
  createClient as createClickHouseClient,
  type ClickHouseClient,
} from '@clickhouse/client';
import cassandra from 'cassandra-driver';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import OpenAI from 'openai';
import pg from 'pg';
import './kafkaCodecs.ts';
import type { ClientConfig } from './config.ts';

export function createKafka(config: ClientConfig, clientId = 'parley', retries = 5): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafkaBrokers,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 200 },
  });
}

export function createSchemaRegistry(config: ClientConfig): SchemaRegistry {
  return new SchemaRegistry({ host: config.schemaRegistryUrl });
}

export function createCassandraClient(config: ClientConfig, keyspace?: string): cassandra.Client {
  return new cassandra.Client({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    encoding: { useBigIntAsLong: true },
    // Retry a lost node every 0.5-10 s (the default backs off to 10 minutes): outages end quickly here.
    policies: {
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false),
    },
    ...(keyspace ? { keyspace } : {}),
  });
}

export function createPgPool(config: ClientConfig): pg.Pool {
  return new pg.Pool({ connectionString: config.postgresUrl, max: 10 });
}

export function createRedis(config: ClientConfig): Redis {
  return new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
}

export function createClickHouse(config: ClientConfig): ClickHouseClient {
  return createClickHouseClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    // Failures surface as rejected promises; the client's own console logging would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
    // Drop an idle socket well before the server does (the stack's keep_alive_timeout is 3 s):
    // reusing one the server is closing fails the request with EPIPE / socket hang up. A long
    // synchronous task can delay the idle timer, so a stale socket is also checked before reuse.
    keep_alive: { enabled: true, idle_socket_ttl: 1_000, eagerly_destroy_stale_sockets: true },
  });
}

/**
 * Any OpenAI-compatible server (llama.cpp, vLLM, TGI); the local one needs no API key. The SDK's
 * own retries are off: the processor runtime is the one retry layer (with its failure policy).
 */
export function createModelClient(config: ClientConfig): OpenAI {
  return new OpenAI({ baseURL: `${config.modelServer.url}/v1`, apiKey: 'not-needed-locally', maxRetries: 0 });
}
